import Corpus
import Foundation

/// How turns are put into groups for counting.
public enum Grouping: Sendable, Hashable, Codable, CustomStringConvertible {
    /// By the value of one participant attribute, or the combination of several (`a | b`).
    case attributes([String])
    case participant
    case document
    /// One group for the whole corpus.
    case corpus

    /// The participant attributes the grouping reads (none for `participant`, `document`, `corpus`).
    public var attributeNames: [String] {
        if case .attributes(let names) = self { return names }
        return []
    }

    /// What makes the grouping meaningless, if anything: an attribute twice in a combination
    /// (`role,role` made groups "GP | GP").
    public var problem: String? {
        let names = attributeNames
        guard let twice = names.indices.first(where: { names[..<$0].contains(names[$0]) }).map({ names[$0] })
        else { return nil }
        return "\"\(twice)\" is twice in the combination \(names.joined(separator: ","))"
    }

    /// Parses `participant`, `document`, `corpus`, an attribute name, or `a,b` for a combination.
    public init(_ text: String) {
        switch text {
        case "participant": self = .participant
        case "document": self = .document
        case "corpus", "all": self = .corpus
        default: self = .attributes(text.split(separator: ",").map(Self.trimmed))
        }
    }

    /// `name` without the spaces and tabs at either end (Foundation's `.whitespaces`: general
    /// category Zs, U+0009, and U+200B, a space in older Unicode), trimmed here: bridged to
    /// `NSString`, it asked the runtime about a protocol in every run (a scan of every
    /// conformance record, 0.2 ms).
    static func trimmed(_ name: Substring) -> String {
        func blank(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\t" || scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator
        }
        let scalars = name.unicodeScalars
        guard let first = scalars.firstIndex(where: { !blank($0) }), let last = scalars.lastIndex(where: { !blank($0) })
        else { return "" }
        return String(Substring(scalars[first...last]))
    }

    public var description: String {
        switch self {
        case .attributes(let names): Corpus.joined(names, separator: ",")
        case .participant: "participant"
        case .document: "document"
        case .corpus: "corpus"
        }
    }

    /// The most groups this grouping can have, whatever the documents: 1 for the corpus; for
    /// attributes, their participants' distinct values (or combinations) and `(none)`, for a
    /// speaker of no participant or a missing value. Nil by participant or document: as many
    /// as the study has.
    public func groupLimit(among participants: ParticipantTable) -> Int? {
        switch self {
        case .corpus: return 1
        case .participant, .document: return nil
        case .attributes:
            let values = Set(
                participants.participants.map { group(participantID: $0.id, participant: $0, documentID: "") })
            return values.union(["(none)"]).count
        }
    }

    /// The group of a speaker's words; `(none)` marks a missing participant or attribute.
    public func group(participantID: String?, participant: Participant?, documentID: String) -> String {
        switch self {
        case .attributes(let names):
            return Corpus.joined(
                names.map { name in
                    guard let value = participant?.attributes[name], !value.isEmpty else { return "(none)" }
                    return value
                }, separator: ParticipantTable.combinedGroupSeparator)
        case .participant: return participantID ?? "(none)"
        case .document: return documentID
        case .corpus: return "corpus"
        }
    }
}

/// Counts terms (words or n-grams) by group, with rates and how many people and documents use them.
///
/// Counting happens per document and per speaker (``DocumentCounts``), independent of any
/// participant attribute; grouping is a merge of those counts. So a pipeline can cache each
/// document's counts and regroup them when `participants.csv` changes.
public struct FrequencyCounter: Sendable {
    public struct Options: Sendable, Hashable, Codable {
        public var grouping: Grouping = .corpus
        /// 1 for words, 2 or 3 for n-grams (within a turn, never across turns; within a sentence
        /// unless the tokeniser's ``Tokenizer/Options/phrases`` says `turn`).
        public var ngram = 1
        public var filter = SegmentFilter()
        /// Leave stopwords out; an n-gram holding a stopword is left out too.
        public var removeStopwords = true
        /// Count Porter2 stems instead of forms.
        public var stem = false
        public var minimumCount = 1
        /// Keep only the top N terms of each group in the rows (all are kept for keyness).
        public var top: Int?

        public init() {}
    }

    public let options: Options

    public init(options: Options = Options()) { self.options = options }

    /// The frequency table of a whole corpus.
    public func count(_ corpus: TokenizedCorpus) -> FrequencyTable {
        FrequencyTable(
            merging: corpus.documents.indices.map { counts(ofDocument: $0, in: corpus) },
            participants: corpus.participants, options: options)
    }

    /// One document's counts per speaker, for the roles the filter accepts.
    public func counts(ofDocument documentIndex: Int, in corpus: TokenizedCorpus) -> DocumentCounts {
        let n = max(1, min(options.ngram, 3))
        let document = corpus.documents[documentIndex]
        // A document has a handful of speakers and roles: arrays searched in order beat hashing
        // a `String` or a role for every turn.
        var people: [String?] = []
        let roles = SpeakerRole.allCases.filter(options.filter.roles.contains)
        var result = DocumentCounts(documentID: document.id, speakers: [])
        var ids: [Int32] = []
        var stop: [Bool] = []
        // Each speaker's n-grams as keys of their term ids, counted by sorting them once the
        // document is read: a dictionary of them hashed every n-gram with SipHash and made a
        // `String` of each by joining an array of its words.
        var perSpeaker: [[NGram]] = []
        let vocabularySize = options.stem ? corpus.stems.count : corpus.forms.count
        var tally: [Int32] = []
        var used: [[Int32]] = []
        // Segments read in place (a copy of each retained and released its strings).
        document.segments.withUnsafeBufferPointer { segments in
            for segmentIndex in segments.indices {
                guard roles.contains(segments[segmentIndex].role) else { continue }
                let speaker: Int
                if let known = people.firstIndex(of: segments[segmentIndex].participantID) {
                    speaker = known
                } else {
                    speaker = result.speakers.count
                    people.append(segments[segmentIndex].participantID)
                    result.speakers.append(
                        DocumentCounts.Speaker(
                            participantID: segments[segmentIndex].participantID, words: 0, terms: [], counts: []))
                    perSpeaker.append([])
                }
                let tokens = corpus.tokens[documentIndex][segmentIndex]
                result.speakers[speaker].words += tokens.count
                if n == 1 {
                    // Single words, the common case: counted in one flat array by speaker and term
                    // id, no hashing; each speaker lists its terms in order of first use, so reading
                    // the counts out visits only those.
                    let base = speaker * vocabularySize
                    tally.pad(to: base + vocabularySize, with: 0)
                    while used.count <= speaker { used.append([]) }
                    var terms = used[speaker]
                    used[speaker] = []
                    tally.withUnsafeMutableBufferPointer { tally in
                        for token in tokens {
                            if options.removeStopwords, corpus.isStopword[Int(token.form)] { continue }
                            let term = options.stem ? corpus.stemOfForm[Int(token.form)] : token.form
                            if tally[base + Int(term)] == 0 { terms.append(term) }
                            tally[base + Int(term)] += 1
                        }
                    }
                    used[speaker] = terms
                    continue
                }
                ids.removeAll(keepingCapacity: true)
                stop.removeAll(keepingCapacity: true)
                for token in tokens {
                    ids.append(options.stem ? corpus.stemOfForm[Int(token.form)] : token.form)
                    stop.append(corpus.isStopword[Int(token.form)])
                }
                guard ids.count >= n else { continue }
                // An n-gram stays inside a sentence unless phrases may cross them.
                let breaks =
                    corpus.options.phrases == .sentence
                    ? SentenceBreaks.before(tokens, in: segments[segmentIndex].text) : []
                for start in 0...(ids.count - n) {
                    if options.removeStopwords, stop[start..<(start + n)].contains(true) { continue }
                    if !breaks.isEmpty, SentenceBreaks.within(breaks, start, start + n - 1) { continue }
                    perSpeaker[speaker].append(NGram(ids[start..<(start + n)]))
                }
            }
        }
        let vocabulary = options.stem ? corpus.stems : corpus.forms
        for (speaker, terms) in used.enumerated() {
            let base = speaker * vocabularySize
            result.speakers[speaker].terms = vocabulary.termList(terms)
            result.speakers[speaker].counts = terms.map { Int(tally[base + Int($0)]) }
        }
        var text: [UInt8] = []
        for speaker in perSpeaker.indices where n > 1 {
            var grams = perSpeaker[speaker]
            perSpeaker[speaker] = []
            grams.sort()
            var terms = TermList()
            var counts: [Int] = []
            var start = 0
            while start < grams.count {
                var end = start + 1
                while end < grams.count && grams[end] == grams[start] { end += 1 }
                grams[start].spell(in: vocabulary, into: &text)
                text.withUnsafeBufferPointer { terms.append($0) }
                counts.append(end - start)
                start = end
            }
            result.speakers[speaker].terms = terms
            result.speakers[speaker].counts = counts
        }
        return result
    }
}

/// One document's term counts per speaker: what a pipeline caches for the frequencies stage.
public struct DocumentCounts: Sendable, Hashable, Codable {
    public struct Speaker: Sendable, Hashable, Codable {
        public var participantID: String?
        /// Every token the speaker said (stopwords included): the base of rates.
        public var words: Int
        /// Each term the speaker used once, beside its count in `counts`: two lists rather than
        /// a dictionary, which cost a `String` hash per term to build and to read again.
        public var terms: TermList
        public var counts: [Int]

        public init(participantID: String?, words: Int, terms: TermList, counts: [Int]) {
            precondition(terms.count == counts.count, "a count for every term")
            self.participantID = participantID
            self.words = words
            self.terms = terms
            self.counts = counts
        }

        public init(participantID: String?, words: Int, terms: [String], counts: [Int]) {
            self.init(participantID: participantID, words: words, terms: TermList(terms), counts: counts)
        }

        /// The counts of a dictionary, terms in code-point order.
        public init(participantID: String?, words: Int, terms: [String: Int]) {
            let sorted = terms.sorted { utf8Precedes($0.key, $1.key) }
            self.init(participantID: participantID, words: words, terms: sorted.map(\.key), counts: sorted.map(\.value))
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            participantID = try container.decodeIfPresent(String.self, forKey: .participantID)
            words = try container.decode(Int.self, forKey: .words)
            terms = try container.decode(TermList.self, forKey: .terms)
            counts = try container.decode([Int].self, forKey: .counts)
            guard terms.count == counts.count else {
                throw DecodingError.dataCorruptedError(
                    forKey: .counts, in: container, debugDescription: "terms and counts differ in length")
            }
        }
    }

    public var documentID: String
    public var speakers: [Speaker]
}

/// Terms packed into one buffer of UTF-8 bytes with each term's end: a document's counts are
/// built, cached and merged without making a `String` of each term (which was a third of
/// counting). Cached as a `[String]` is, so either reads the other's bytes.
public struct TermList: Sendable, Hashable, RandomAccessCollection, ExpressibleByArrayLiteral {
    private var bytes: [UInt8] = []
    private var ends: [Int32] = []

    public init() {}

    init(bytes: [UInt8], ends: [Int32]) {
        self.bytes = bytes
        self.ends = ends
    }

    public init(_ terms: some Sequence<String>) {
        for term in terms { append(term) }
    }

    public init(arrayLiteral terms: String...) { self.init(terms) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { ends.count }

    public subscript(index: Int) -> String { withBytes(at: index) { String(decoding: $0, as: UTF8.self) } }

    /// The UTF-8 bytes of one term, without making a `String`.
    public func withBytes<Result>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let range = (index == 0 ? 0 : Int(ends[index - 1]))..<Int(ends[index])
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// The same terms in arrays of their size, without the room to grow the appended ones had
    /// (about a third more, for a table's forms kept to its end).
    func compacted() -> TermList {
        TermList(bytes: bytes.compacted(), ends: ends.compacted())
    }

    /// The arrays themselves (shared, not copied).
    func withStorage<Result>(_ body: (_ bytes: [UInt8], _ ends: [Int32]) -> Result) -> Result {
        body(bytes, ends)
    }

    /// Every term's bytes in one run, and each term's end in it.
    func withPacked<Result>(
        _ body: (_ bytes: UnsafeBufferPointer<UInt8>, _ ends: UnsafeBufferPointer<Int32>) -> Result
    ) -> Result {
        bytes.withUnsafeBufferPointer { bytes in ends.withUnsafeBufferPointer { body(bytes, $0) } }
    }

    /// The terms of `list` at `ids`, in that order.
    init(_ list: TermList, ids: [Int32]) {
        for id in ids { list.withBytes(at: Int(id)) { append($0) } }
    }

    /// Room for `terms` more terms of `bytes` bytes in all.
    mutating func reserve(terms: Int, bytes: Int) {
        self.bytes.reserveCapacity(self.bytes.count + bytes)
        ends.reserveCapacity(ends.count + terms)
    }

    public mutating func append(_ term: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: term)
        ends.append(Int32(bytes.count))
    }

    public mutating func append(_ term: String) {
        var term = term
        term.withUTF8 { append($0) }
    }
}

extension TermList: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try [String](from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try Array(self).encode(to: encoder)
    }
}

/// Up to three term ids, the key of a word or n-gram, in a speaker's list of n-grams sorted to
/// count them.
struct NGram: Comparable {
    var a: Int32
    var b: Int32 = -1
    var c: Int32 = -1

    init(_ ids: ArraySlice<Int32>) {
        var iterator = ids.makeIterator()
        a = iterator.next() ?? -1
        b = iterator.next() ?? -1
        c = iterator.next() ?? -1
    }

    static func < (left: NGram, right: NGram) -> Bool { (left.a, left.b, left.c) < (right.a, right.b, right.c) }

    /// The words' UTF-8 bytes joined by spaces, in `text` (emptied first).
    func spell(in vocabulary: Vocabulary, into text: inout [UInt8]) {
        text.removeAll(keepingCapacity: true)
        vocabulary.withBytes(of: a) { text.append(contentsOf: $0) }
        func word(_ id: Int32) {
            guard id >= 0 else { return }
            text.append(0x20)
            vocabulary.withBytes(of: id) { text.append(contentsOf: $0) }
        }
        word(b)
        word(c)
    }
}

/// A term's numbers in one group.
public struct TermCount: Sendable, Hashable, Codable {
    public var count: Int
    /// How many participants of the group use it at least once.
    public var participants: Int
    /// How many documents of the group use it at least once.
    public var documents: Int
}

extension Array {
    /// A copy in storage of its size (`Array(self[...])` may share this array's larger storage).
    func compacted() -> [Element] {
        var copy: [Element] = []
        copy.reserveCapacity(count)
        copy.append(contentsOf: self)
        return copy
    }
}
