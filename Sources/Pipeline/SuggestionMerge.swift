import Coding
import Corpus
import Foundation

/// The suggest stage's merge, fed one document's suggestions at a time in document order:
/// attributes joined, coders' decisions attached, each suggestion tallied for the report and,
/// when suggestions.json is written, spooled to disk. A run never holds every suggestion (with
/// its turn text, they were a third of a large run's peak memory). One thread at a time uses it
/// (the run's, then the task that finishes it): hence `@unchecked`.
struct SuggestionMerge: @unchecked Sendable {
    let stage: SuggestStage
    private let byID: [String: Participant]
    private var session: DecisionMerger.Session
    private let coders: [String]
    /// Decision logs that could not be read (they are left out, named).
    private(set) var warnings: [String] = []
    private var elements: Outputs.SuggestionElements?
    private(set) var tally = HTMLReport.Tally()
    private var byStatus: [String: Int] = [:]
    /// This run's suggestions' ids and codes, for the next run to compare with.
    private var index = SuggestionIndex()

    /// Reads every coder's decision log in `decisionsFolder`; `spooling` is the path of the
    /// suggestions.json to write, or nil when it is kept as it is (the report still needs the tally).
    init(
        stage: SuggestStage, participants: ParticipantTable, decisionsFolder folder: String, spooling path: String?
    ) throws(FileWriteError) {
        self.stage = stage
        byID = participants.byID
        var states: [CoderState] = []
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        for name in files {
            let file = (folder as NSString).appendingPathComponent(name)
            do {
                states.append(CoderState(try DecisionStore.read(file, coder: String(name.dropLast(5)))))
            } catch {
                warnings.append("decisions of \(name) not merged: \(error.description)")
            }
        }
        session = DecisionMerger.Session(states: states)
        coders = states.map(\.coder)
        if let path { elements = try Outputs.SuggestionElements(beside: path) }
    }

    /// One document's suggestions made ready on a worker: attributes and decisions joined,
    /// rendered for suggestions.json.
    struct Prepared: Sendable {
        var suggestions: [Suggestion] = []
        var joined = DecisionMerger.Session.Joined()
        var rendered: [UInt8] = []
    }

    /// What preparing a document needs: nothing from other documents, so workers run it.
    struct Preparation: Sendable {
        let byID: [String: Participant]
        let joiner: DecisionMerger.Session
        let render: Bool

        func prepare(_ suggestions: [Suggestion]) -> Prepared {
            guard !suggestions.isEmpty else { return Prepared() }
            var suggestions = suggestions
            for index in suggestions.indices {
                suggestions[index].attributes =
                    suggestions[index].participantID.flatMap { byID[$0]?.attributes } ?? [:]
            }
            let joined = joiner.join(document: &suggestions)
            return Prepared(
                suggestions: suggestions, joined: joined,
                rendered: render ? Outputs.SuggestionElements.render(suggestions) : [])
        }
    }

    var preparation: Preparation {
        Preparation(byID: byID, joiner: session, render: elements != nil)
    }

    /// Adds one document's prepared suggestions (documents in order).
    mutating func add(_ prepared: Prepared) {
        session.record(prepared.joined)
        for suggestion in prepared.suggestions {
            tally.add(suggestion)
            byStatus[suggestion.status.rawValue, default: 0] += 1
            index.append(id: suggestion.id, code: suggestion.code)
        }
        elements?.append(rendered: prepared.rendered)
    }

    /// After every document: writes suggestions.json to `sink` (when spooling) and records its
    /// ids for the next run; the summary compares them with the previous run's, per code.
    mutating func finish(
        study: String, lexiconSource: String, out: String, to sink: AtomicFile.Writer?
    ) throws -> RunReport.Suggestions {
        let (orphans, manual) = session.finish()
        for coder in manual.keys.sorted() { tally.add(manualCodings: manual[coder] ?? []) }

        // What changed since the last run, per code.
        let previous = SuggestionIndex.previous(in: out)
        let before = previous?.byCode ?? [:]
        let after = index.byCode
        var perCode: [RunReport.Suggestions.CodeChange] = []
        for code in stage.lexicon.codes.map(\.name)
            + before.keys.filter({ stage.lexicon.code(named: $0) == nil }).sorted()
        {
            let old = before[code] ?? []
            let new = after[code] ?? []
            perCode.append(
                .init(
                    code: code, total: new.count, added: previous == nil ? new.count : new.subtracting(old).count,
                    removed: old.subtracting(new).count))
        }
        let summary = RunReport.Suggestions(
            total: index.keys.count, byStatus: byStatus, lexiconHash: stage.lexicon.contentHash, coders: coders,
            perCode: perCode, orphaned: orphans, reattached: session.reattached)
        if let elements, let sink {
            let file = Outputs.SuggestionsFile(
                study: study,
                lexicon: .init(
                    source: lexiconSource, hash: stage.lexicon.contentHash,
                    codes: stage.lexicon.codes.map {
                        Outputs.SuggestionsFile.CodeInfo(
                            name: $0.name, parent: $0.parent, description: $0.description,
                            path: stage.lexicon.path(of: $0.name))
                    }),
                unit: stage.options.unit.rawValue, suggestions: [],
                manualCodings: manual.keys.sorted().flatMap { coder in
                    (manual[coder] ?? []).map { Outputs.SuggestionsFile.CoderManualCoding(coder: coder, coding: $0) }
                },
                orphanedDecisions: orphans)
            try elements.write(file, to: sink)
        }
        return summary
    }

    /// Records the ids just written to suggestions.json (call once it is in place).
    func saveIndex(in out: String) {
        index.save(in: out)
    }
}

/// The ids and codes of the suggestions in `suggestions.json`, kept in `.cache/suggestions.bin`
/// under the size and time of the file they describe: the next run compares its suggestions with
/// them without parsing the whole JSON file again (which carries every turn's text). Ids are
/// held as 64-bit keys and codes as numbers: a large study has hundreds of thousands.
struct SuggestionIndex {
    var keys: [UInt64] = []
    /// Per key, its code's position in `names`.
    var codes: [Int32] = []
    var names: [String] = []
    private var numbers: [String: Int32] = [:]

    private static let tag = "tmine-suggestion-keys-\(BinaryWriter.formatVersion)"

    private static func path(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/suggestions.bin")
    }

    /// An id's key: its 16 hex digits read as a number, as every id the tool makes is; any other
    /// text (a hand-edited file) by its FNV-1a hash.
    static func key(_ id: String) -> UInt64 {
        var value: UInt64 = 0
        var hex = id.utf8.count == 16
        for byte in id.utf8 where hex {
            switch byte {
            case 0x30...0x39: value = value << 4 | UInt64(byte - 0x30)
            case 0x61...0x66: value = value << 4 | UInt64(byte - 0x61 + 10)
            default: hex = false
            }
        }
        if hex { return value }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    mutating func append(id: String, code: String) {
        keys.append(Self.key(id))
        if let number = numbers[code] {
            codes.append(number)
        } else {
            let number = Int32(names.count)
            names.append(code)
            numbers[code] = number
            codes.append(number)
        }
    }

    /// Each code's keys.
    var byCode: [String: Set<UInt64>] {
        var result: [String: Set<UInt64>] = [:]
        for (key, code) in zip(keys, codes) { result[names[Int(code)], default: []].insert(key) }
        return result
    }

    /// The previous suggestions: from the index when it describes the file as it is, else
    /// from the file itself; nil when there is no previous file.
    static func previous(in out: String) -> SuggestionIndex? {
        let file = (out as NSString).appendingPathComponent("suggestions.json")
        guard let stamp = CacheFile.stamp(of: file) else { return nil }
        if var reader = CacheFile.reader(at: path(in: out), tag: tag, key: "\(stamp.size) \(stamp.modified)"),
            let index = try? read(&reader), reader.isAtEnd
        {
            return index
        }
        if let index = scan(file) { return index }
        // A file not as the tool writes it (edited by hand): decode just ids and codes.
        struct Previous: Decodable {
            struct Entry: Decodable {
                var id: String
                var code: String
            }
            var suggestions: [Entry]
        }
        guard let data = FileManager.default.contents(atPath: file),
            let decoded = try? JSONDecoder().decode(Previous.self, from: data)
        else { return nil }
        var index = SuggestionIndex()
        for entry in decoded.suggestions { index.append(id: entry.id, code: entry.code) }
        return index
    }

    /// The ids and codes of a suggestions.json as the tool writes it, read a megabyte at a
    /// time: each suggestion's fields are the lines indented by six spaces inside the
    /// `suggestions` array. Decoding the whole file took five times its size in memory (a
    /// 200 MB file at 100 MB of transcripts). Nil when the file is not laid out so.
    static func scan(_ file: String) -> SuggestionIndex? {
        guard let handle = FileHandle(forReadingAtPath: file) else { return nil }
        defer { try? handle.close() }
        var index = SuggestionIndex()
        var inArray = false
        var done = false
        var id: String?
        var code: String?
        var pending: [UInt8] = []
        func value(_ line: ArraySlice<UInt8>, after key: String) -> String? {
            let prefix = Array("      \"\(key)\" : \"".utf8)
            guard line.starts(with: prefix) else { return nil }
            var body = line.dropFirst(prefix.count)
            if body.last == 0x2C { body = body.dropLast() }
            guard body.last == 0x22 else { return nil }
            body = body.dropLast()
            guard body.contains(0x5C) else { return String(decoding: body, as: UTF8.self) }
            return try? JSONDecoder().decode(String.self, from: Data([0x22] + body + [0x22]))
        }
        // Returns false when the line is not what the tool writes.
        func take(_ line: ArraySlice<UInt8>) -> Bool {
            if !inArray {
                if line.elementsEqual("  \"suggestions\" : [".utf8) { inArray = true }
                return true
            }
            if line.elementsEqual("  ]".utf8) || line.elementsEqual("  ],".utf8) {
                done = true
                return id == nil && code == nil
            }
            if line.starts(with: Array("    }".utf8)) {
                guard let found = id, let foundCode = code else { return false }
                index.append(id: found, code: foundCode)
                (id, code) = (nil, nil)
                return true
            }
            if line.starts(with: Array("      \"id\" : ".utf8)) {
                id = value(line, after: "id")
                return id != nil
            }
            if line.starts(with: Array("      \"code\" : ".utf8)) {
                code = value(line, after: "code")
                return code != nil
            }
            return true
        }
        while !done {
            guard let block = try? handle.read(upToCount: 1 << 20) else { return nil }
            if block.isEmpty { break }
            pending += block
            var start = pending.startIndex
            while !done, let end = pending[start...].firstIndex(of: 0x0A) {
                guard take(pending[start..<end]) else { return nil }
                start = end + 1
            }
            pending.removeSubrange(..<start)
        }
        return done ? index : nil
    }

    private static func read(_ reader: inout BinaryReader) throws(BinaryReader.Error) -> SuggestionIndex {
        var index = SuggestionIndex()
        index.names = try reader.read([String].self)
        let count = try reader.readCount()
        index.keys.reserveCapacity(count)
        index.codes.reserveCapacity(count)
        for _ in 0..<count {
            index.keys.append(try reader.readFixed())
            let code = try reader.readVarint()
            guard code < UInt64(index.names.count) else { throw BinaryReader.Error() }
            index.codes.append(Int32(code))
        }
        return index
    }

    /// Records the suggestions just written to `suggestions.json` (call after writing it).
    func save(in out: String) {
        let file = (out as NSString).appendingPathComponent("suggestions.json")
        guard let stamp = CacheFile.stamp(of: file) else { return }
        CacheFile.write(
            at: Self.path(in: out), tag: Self.tag, key: "\(stamp.size) \(stamp.modified)",
            capacity: keys.count * 10 + 1024
        ) { writer in
            writer.write(names)
            writer.writeVarint(UInt64(keys.count))
            for (key, code) in zip(keys, codes) {
                writer.writeFixed(key)
                writer.writeVarint(UInt64(code))
            }
        }
    }
}
