import Coding
import Corpus
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where each document's suggestions sit in suggestions.json and what they were made from
/// (`.cache/suggestions-layout.bin`, under the identity of the file it describes). After a
/// lexicon edit, a document whose suggestions the edit left as they were has its elements copied
/// from the previous file by the kernel, instead of its suggestions being decoded from the cache
/// and rendered again: that was most of such a run.
struct SuggestionLayout: Sendable {
    /// One document's elements in the file.
    struct Document: Sendable {
        var id: String
        /// The document's suggest key: its content, the tokeniser, the stage's options, its id.
        var key: String
        /// Per code of the lexicon, in order: the cache key its suggestions came from (a
        /// position in ``SuggestionLayout/keys``; a carried-over code's is an earlier version's).
        var sources: [Int]
        /// Where its elements begin among the array's elements, and their length.
        var offset: Int64
        var length: Int
        var statuses: [SuggestionStatus]
        /// Per suggestion: its participant's position in ``SuggestionLayout/participants``, or -1.
        var participants: [Int]
        /// Per suggestion its turn, for the report's codes suggested together, as LEB128 zigzag
        /// differences: copied as they are, decoded (``turns``) only for a document a run takes
        /// away from the previous totals. Read and written as numbers, they were a fifth of the
        /// layout's time in a lexicon edit.
        var turnBytes: ArraySlice<UInt8>

        var turns: [Int] {
            var turns: [Int] = []
            turns.reserveCapacity(statuses.count)
            var last = 0
            turnBytes.withUnsafeBufferPointer { bytes in
                var place = 0
                while place < bytes.count {
                    last += LEB128.unzigzag(LEB128.read(bytes, at: &place))
                    turns.append(last)
                }
            }
            return turns
        }

        static func encode(turns: [Int]) -> ArraySlice<UInt8> {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(turns.count)
            var last = 0
            for turn in turns {
                LEB128.append(LEB128.zigzag(turn - last), to: &bytes)
                last = turn
            }
            return bytes[...]
        }
        var joined: DecisionMerger.Session.Joined
        /// Its first suggestion's position in the ``SuggestionIndex`` of the same file, and its own
        /// among the layout's documents (not stored).
        var first = 0
        var position = 0
        /// When copied into a run whose lexicon has other codes: the cache key of each of this
        /// run's codes' suggestions, in its order (not stored).
        var current: [String]?
    }

    /// What else the bytes depend on: the build, the stage's options, the coders and any
    /// decision that may join any document (a document's own decisions and participants are in
    /// its key).
    let context: String
    /// Where the elements begin in the file.
    var start: Int64 = 0
    /// The file's orphaned decisions as encoded in it: the next run's guess at its head.
    var orphans = Data()
    /// What the report's codes suggested together add up to in the file (nil: not counted).
    var turnTotals: TurnTally.Totals?
    private(set) var keys: [String] = []
    private(set) var participants: [String] = []
    private(set) var documents: [Document] = []
    private var keyNumbers: [String: Int] = [:]
    private var participantNumbers: [String: Int] = [:]
    private var byID: [String: Int] = [:]

    init(context: String) {
        self.context = context
    }

    mutating func reserveCapacity(documents count: Int) {
        documents.reserveCapacity(count)
        byID.reserveCapacity(count)
    }

    func document(_ id: String) -> Document? {
        byID[id].map { documents[$0] }
    }

    /// The cache key of each code's suggestions in `document`, in code order.
    func sources(of document: Document) -> [String] {
        document.sources.map { keys[$0] }
    }

    /// Records a document's elements as rendered in this run.
    mutating func add(
        id: String, key: String, sources: [String], offset: Int64, length: Int,
        statuses: [SuggestionStatus], participants: [String?], turns: [Int], joined: DecisionMerger.Session.Joined
    ) {
        let sourceNumbers = sources.map { number(ofKey: $0) }
        let participantNumbers = participants.map { $0.map { number(ofParticipant: $0) } ?? -1 }
        byID[id] = documents.count
        documents.append(
            Document(
                id: id, key: key, sources: sourceNumbers, offset: offset, length: length,
                statuses: statuses, participants: participantNumbers, turnBytes: Document.encode(turns: turns),
                joined: joined))
    }

    private mutating func number(ofKey key: String) -> Int {
        if let known = keyNumbers[key] { return known }
        keys.append(key)
        keyNumbers[key] = keys.count - 1
        return keys.count - 1
    }

    private mutating func number(ofParticipant participant: String) -> Int {
        if let known = participantNumbers[participant] { return known }
        participants.append(participant)
        participantNumbers[participant] = participants.count - 1
        return participants.count - 1
    }

    /// Per position in the previous layout's tables, the same key's or participant's position
    /// in this one (filled as documents are copied).
    private var keyTranslation: [Int] = []
    private var participantTranslation: [Int] = []

    /// Records a document copied from the previous file (`old`), now at `offset`.
    mutating func add(copying document: Document, from old: SuggestionLayout, offset: Int64) {
        if keyTranslation.count != old.keys.count { keyTranslation = Array(repeating: -1, count: old.keys.count) }
        if participantTranslation.count != old.participants.count {
            participantTranslation = Array(repeating: -1, count: old.participants.count)
        }
        var copy = document
        copy.offset = offset
        copy.first = 0
        copy.current = nil
        if let current = document.current {
            copy.sources = current.map { number(ofKey: $0) }
        } else {
            // Numbers are written only where they differ: the tables are mostly numbered as they
            // were, and each write to a shared array copied it.
            for (index, position) in document.sources.enumerated() {
                if keyTranslation[position] < 0 { keyTranslation[position] = number(ofKey: old.keys[position]) }
                if keyTranslation[position] != position { copy.sources[index] = keyTranslation[position] }
            }
        }
        for (index, position) in document.participants.enumerated() where position >= 0 {
            if participantTranslation[position] < 0 {
                participantTranslation[position] = number(ofParticipant: old.participants[position])
            }
            if participantTranslation[position] != position {
                copy.participants[index] = participantTranslation[position]
            }
        }
        byID[copy.id] = documents.count
        documents.append(copy)
    }

    // MARK: Stored

    /// 3: a suggestion per line (a layout made for indented elements must not be copied from);
    /// 4: each suggestion's turn, and the turns' totals by code.
    private static let tag = "tmine-suggestion-layout-4-\(BinaryWriter.formatVersion)"

    static func path(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/suggestions-layout.bin")
    }

    /// The layout stored for suggestions.json as it is now, in whatever context it was made, and
    /// the file opened to copy from; nil when there is none or it describes another file. Read
    /// on a thread of its own while the run reads the previous index and the decisions, which
    /// its context and ``fits(context:index:)`` then check.
    static func stored(in out: String) -> (layout: SuggestionLayout, file: FileHandle, encoded: ArraySlice<UInt8>)? {
        let file = (out as NSString).appendingPathComponent("suggestions.json")
        guard let (opened, _, body) = CacheFile.reader(describing: file, at: path(in: out), tag: tag) else {
            return nil
        }
        var reader = body
        guard var layout = try? read(&reader), reader.isAtEnd
        else { return nil }
        var first = 0
        for position in layout.documents.indices {
            layout.documents[position].first = first
            layout.documents[position].position = position
            first += layout.documents[position].statuses.count
        }
        return (layout, opened, body.remaining)
    }

    /// Where the layout of the retired suggestions.json is kept beside it (see
    /// ``RetiredOutputs/keep(_:)``), in the cache folder `cache`.
    static func retiredPath(in cache: String) -> String {
        (cache as NSString).appendingPathComponent("retired-suggestions-layout.bin")
    }

    /// The kept layout of the retired suggestions.json: the file it was stored for (its change
    /// time left out, which keeping the file moved) and its encoded body, as ``stored(in:)``'s.
    /// Not decoded: what a run needs of it is whether it is the same as the current one.
    ///
    /// Read only when its file is as long as the current layout's give or take the digits of the
    /// identities they are keyed by: after an edit that changed suggestions the two seldom are,
    /// and the run would wait for 0.8 MB read and checked in vain (at 100 MB of transcripts).
    static func retired(in out: String) -> (file: AtomicFile.FileStamp, encoded: ArraySlice<UInt8>)? {
        let path = retiredPath(in: (out as NSString).appendingPathComponent(".cache"))
        guard let size = CacheFile.stamp(of: path)?.size, let current = CacheFile.stamp(of: Self.path(in: out))?.size,
            abs(size - current) <= 64,
            let (key, reader) = CacheFile.keyedReader(at: path, tag: tag),
            let identity = TranscriptHashes.Identity(stamp: key)
        else { return nil }
        return (identity.file, reader.remaining)
    }

    /// Whether the layout was made in `context` and counts as many suggestions as `index` (of
    /// the same file) holds.
    func fits(context: String, index: SuggestionIndex) -> Bool {
        self.context == context && documents.reduce(0) { $0 + $1.statuses.count } == index.keys.count
    }

    private static func read(_ reader: inout BinaryReader) throws(BinaryReader.Error) -> SuggestionLayout {
        var layout = SuggestionLayout(context: try reader.read(String.self))
        layout.start = Int64(try reader.read(Int.self))
        // From the string's own bytes: `Data(text.utf8)` asked the runtime whether the view is
        // contiguous (a scan of every conformance record, on the speculation's thread).
        var orphans = try reader.read(String.self)
        layout.orphans = orphans.withUTF8 { Data(buffer: $0) }
        layout.keys = try reader.read()
        layout.participants = try reader.read()
        if try reader.read(Bool.self) {
            let totals = TurnTally.Totals(
                names: try reader.read(), codeTurns: try reader.read(), first: try reader.read(),
                second: try reader.read(), pairTurns: try reader.read(), coded: try reader.read(),
                several: try reader.read())
            let pairs = totals.pairTurns.count
            guard totals.codeTurns.count == totals.names.count, totals.first.count == pairs,
                totals.second.count == pairs,
                (totals.first + totals.second).allSatisfy(totals.names.indices.contains)
            else { throw BinaryReader.Error() }
            layout.turnTotals = totals
        }
        let statuses = SuggestionStatus.allCases
        let count = try reader.readCount()
        layout.documents.reserveCapacity(count)
        for _ in 0..<count {
            let id = try reader.read(String.self)
            let key = try reader.read(String.self)
            let sources = try reader.read([Int].self)
            let offset = Int64(try reader.read(Int.self))
            let length = try reader.read(Int.self)
            var statusList: [SuggestionStatus] = []
            for number in try reader.read([Int].self) {
                guard statuses.indices.contains(number) else { throw BinaryReader.Error() }
                statusList.append(statuses[number])
            }
            let participants = try reader.read([Int].self)
            let turnBytes = try reader.readBytes()
            let attachedCount = try reader.readCount()
            var attached: [(coder: Int, decision: String, suggestion: String)] = []
            for _ in 0..<attachedCount {
                attached.append((try reader.read(), try reader.read(), try reader.read()))
            }
            let reattached = try reader.read(Int.self)
            guard sources.allSatisfy(layout.keys.indices.contains),
                participants.allSatisfy({ $0 == -1 || layout.participants.indices.contains($0) }),
                participants.count == statusList.count, turnBytes.last.map({ $0 < 0x80 }) ?? true,
                turnBytes.count(where: { $0 < 0x80 }) == statusList.count, offset >= 0, length >= 0
            else { throw BinaryReader.Error() }
            layout.byID[id] = layout.documents.count
            layout.documents.append(
                Document(
                    id: id, key: key, sources: sources, offset: offset, length: length,
                    statuses: statusList, participants: participants, turnBytes: turnBytes,
                    joined: .init(attached: attached, reattached: reattached)))
        }
        return layout
    }

    /// Records the layout of the suggestions.json just written (call once it is in place).
    func save(in out: String) {
        let file = (out as NSString).appendingPathComponent("suggestions.json")
        CacheFile.write(
            describing: file, at: Self.path(in: out), tag: Self.tag,
            capacity: documents.count * 256 + keys.count * 80 + 1024
        ) { writer in
            writer.write(context)
            writer.write(Int(start))
            writer.write(String(decoding: orphans, as: UTF8.self))
            writer.write(keys)
            writer.write(participants)
            writer.write(turnTotals != nil)
            if let turnTotals {
                writer.write(turnTotals.names)
                writer.write(turnTotals.codeTurns)
                writer.write(turnTotals.first)
                writer.write(turnTotals.second)
                writer.write(turnTotals.pairTurns)
                writer.write(turnTotals.coded)
                writer.write(turnTotals.several)
            }
            writer.writeVarint(UInt64(documents.count))
            for document in documents {
                writer.write(document.id)
                writer.write(document.key)
                writer.write(document.sources)
                writer.write(Int(document.offset))
                writer.write(document.length)
                // Each status as its place in `allCases`, as `load` reads it (a hashed lookup was
                // 40 % of saving the layout of 120,000 suggestions).
                writer.write(document.statuses.map(HTMLReport.Tally.position(of:)))
                writer.write(document.participants)
                document.turnBytes.withUnsafeBytes { writer.writeBytes($0) }
                writer.writeVarint(UInt64(document.joined.attached.count))
                for (coder, decision, suggestion) in document.joined.attached {
                    writer.write(coder)
                    writer.write(decision)
                    writer.write(suggestion)
                }
                writer.write(document.joined.reattached)
            }
        }
    }

    /// Removes the layout (when suggestions.json is written without one).
    static func remove(in out: String) {
        AtomicFile.remove(path(in: out))
    }
}
