import Corpus
import Foundation

/// A keyword-in-context or lexicon query: a word, a wildcard (`regulat*`, `*ology`, `*gul*`) or a
/// phrase of such words (`"protected time"`).
public struct Query: Sendable, Hashable, CustomStringConvertible {
    /// One word of a query.
    public enum Element: Sendable, Hashable {
        case exact(String)
        case prefix(String)
        case suffix(String)
        case infix(String)
    }

    public let text: String
    public let elements: [Element]

    /// What tokens a query is compared with.
    public enum MatchMode: String, Sendable, Hashable, Codable, CaseIterable {
        /// The text exactly as written.
        case surface
        /// The normalised (case-folded) form: the default.
        case lower
        /// The Porter2 stem of the normalised form; wildcards still match normalised forms.
        case stem
    }

    /// Parses a query; throws for an empty query, an empty phrase, a lone `*`, a `*` or
    /// quotation mark inside a word, or a lexicon pattern's gap (`~2`) or proximity (`NEAR/5`).
    public init(_ text: String) throws(QueryError) {
        let words = Self.words(of: text)
        guard !words.isEmpty else { throw QueryError(query: text, message: "the query is empty") }
        if let word = Self.operatorWord(in: words) {
            throw QueryError(
                query: text,
                message: "\"\(word)\" is not an operator here: a query is one word, wildcard or phrase (give "
                    + "others with --also, or list them in the kwic stage's queries)")
        }
        var elements: [Element] = []
        for word in words {
            // A lexicon pattern's gap or proximity never matches a token here (the tokeniser
            // makes none of "~2" or "near/5"): said, not 0 hits in silence.
            if word.hasPrefix("~") || word.lowercased().hasPrefix("near/") {
                throw QueryError(
                    query: text,
                    message: "\"\(word)\" is a gap or proximity of lexicon patterns; a keyword-in-context query is "
                        + "a word, a wildcard or a phrase")
            }
            // Search engines' proximity or fuzziness ("protected time"~3, hype~1): no token
            // holds a "~", so the query would find nothing.
            if let tilde = word.firstIndex(of: "~") {
                throw QueryError(
                    query: text,
                    message:
                        "\"\(word[tilde...])\" (a search engine's proximity or fuzziness) is not query syntax here; "
                        + "a keyword-in-context query is a word, a wildcard or a phrase (a lexicon pattern's gap is "
                        + "protected ~2 time)")
            }
            elements.append(try Self.element(word, in: text))
        }
        self.text = text
        self.elements = elements
    }

    /// Whether the query is a phrase (several words), which a sentence's end can stop.
    public var isPhrase: Bool { elements.count > 1 }

    /// Whether `text` is a query of several words (one that does not parse is not).
    public static func isPhrase(_ text: String) -> Bool { (try? Query(text))?.isPhrase ?? false }

    /// A search engine's operator between words, written in capitals (`hype OR buzz`, `time AND
    /// money`, `silver NEAR bullet`): no query or pattern means the phrase "hype or buzz" by it.
    public static func operatorWord(in words: [Substring]) -> Substring? {
        guard words.count >= 3 else { return nil }
        return words.dropFirst().dropLast().first { $0 == "OR" || $0 == "AND" || $0 == "NEAR" }
    }

    /// Queries as a list takes them, to tell one listed again (as written, or a phrase with and
    /// without its quotation marks): every hit of it would be listed twice.
    public struct Repeats: Sendable {
        private var seen: [[Element]: String] = [:]

        public init() {}

        /// The text of the earlier query `query` repeats, nil for a new one.
        public mutating func earlier(_ query: Query) -> String? {
            seen.updateValue(query.text, forKey: query.elements)
        }
    }

    /// The words of a query or lexicon pattern: split at white space, each without the quotation
    /// marks around it, so a phrase may be quoted whole, in part (`hype "work-life"`) or not at all.
    public static func words(of text: String) -> [Substring] {
        asciiWords(of: text) ?? characterWords(of: text)
    }

    /// ``words(of:)`` character by character: for any text.
    static func characterWords(of text: String) -> [Substring] {
        text.split(whereSeparator: { $0.isWhitespace }).compactMap { word in
            var word = word
            while let first = word.first, isQuotationMark(first) { word.removeFirst() }
            while let last = word.last, isQuotationMark(last) { word.removeLast() }
            return word.isEmpty ? nil : word
        }
    }

    /// ``words(of:)`` byte by byte for ASCII text (nil for other text), where a byte is a
    /// character (CR LF, one character, is white space either way) and the only quotation mark
    /// is `"`: comparing characters as strings was most of reading a lexicon, three times a run.
    static func asciiWords(of text: String) -> [Substring]? {
        guard text[...].isAllASCII else { return nil }
        let utf8 = text.utf8
        let quote = UInt8(ascii: "\"")
        var words: [Substring] = []
        var start = utf8.startIndex
        while start < utf8.endIndex {
            guard isBlank(utf8[start]) else {
                let end = utf8[start...].firstIndex(where: isBlank) ?? utf8.endIndex
                if let first = utf8[start..<end].firstIndex(where: { $0 != quote }),
                    let last = utf8[start..<end].lastIndex(where: { $0 != quote })
                {
                    words.append(text[first...last])
                }
                start = end
                continue
            }
            start = utf8.index(after: start)
        }
        return words
    }

    private static func isBlank(_ byte: UInt8) -> Bool { Unicode.Scalar(byte).isBlank }

    /// One word of `query` (a word from ``words(of:)``) as an element: a `*` at either end
    /// makes it a prefix, suffix or infix.
    public static func element(_ word: Substring, in query: String) throws(QueryError) -> Element {
        let ascii = word.isAllASCII
        let leading = ascii ? word.utf8.first == UInt8(ascii: "*") : word.hasPrefix("*")
        let trailing = ascii ? word.utf8.last == UInt8(ascii: "*") : word.hasSuffix("*")
        let stem = ascii ? asciiCore(of: word) : characterCore(of: word)
        guard !stem.isEmpty else {
            throw QueryError(query: query, message: "\"\(word)\" matches everything; put letters beside the *")
        }
        let inside = ascii ? stem.utf8.contains(UInt8(ascii: "*")) : stem.contains("*")
        guard !inside else {
            throw QueryError(query: query, message: "a * goes at the start or end of a word, not inside \"\(word)\"")
        }
        let quoted = ascii ? stem.utf8.contains(UInt8(ascii: "\"")) : stem.contains(where: isQuotationMark)
        guard !quoted else {
            throw QueryError(
                query: query, message: "quotation marks go around words, not inside \"\(word)\"")
        }
        switch (leading, trailing) {
        case (false, false): return .exact(stem)
        case (false, true): return .prefix(stem)
        case (true, false): return .suffix(stem)
        case (true, true): return .infix(stem)
        }
    }

    /// A word without the `*` and quotation marks at its ends, character by character.
    static func characterCore(of word: Substring) -> String {
        // Trimmed in place: dropping from a reversed view went through unspecialised
        // generic code, most of the time of reading a lexicon.
        var core = word
        while let first = core.first, first == "*" || isQuotationMark(first) { core.removeFirst() }
        while let last = core.last, last == "*" || isQuotationMark(last) { core.removeLast() }
        return String(core)
    }

    /// ``characterCore(of:)`` byte by byte, for an ASCII word (see ``asciiWords(of:)``).
    static func asciiCore(of word: Substring) -> String {
        let utf8 = word.utf8
        let trimmed = { (byte: UInt8) in byte == UInt8(ascii: "*") || byte == UInt8(ascii: "\"") }
        guard let first = utf8.firstIndex(where: { !trimmed($0) }),
            let last = utf8.lastIndex(where: { !trimmed($0) })
        else { return "" }
        return String(word[first...last])
    }

    /// Straight and typographic double quotes and guillemets; an apostrophe is part of a word.
    private static func isQuotationMark(_ character: Character) -> Bool {
        switch character {
        case "\"", "“", "”", "„", "«", "»": true
        default: false
        }
    }

    public var description: String { text }
}

/// A query that cannot be parsed, with what is wrong.
public struct QueryError: Error, Sendable, Hashable, CustomStringConvertible {
    public var query: String
    public var message: String
    public var description: String { "query \"\(query)\": \(message)" }
}

/// Queries resolved against a corpus's vocabularies: for each element of each query, which ids
/// match, in one table; and for each id, the queries whose first element it matches.
///
/// One table and lists by id, not a bitmap array per element: a token that started any query was
/// tried against every query, each a copy of its bitmaps' arrays (a retain and release each),
/// which made the loop and its reference counting over half of KWIC's time in a cold run.
struct CompiledQueries {
    let queries: [Query]
    let mode: Query.MatchMode
    /// How many ids a vocabulary has: each element's row in ``hits``.
    private let width: Int
    /// Element `e`, counted over every query in order, matches id `i` when `hits[e * width + i]`.
    private let hits: [Bool]
    /// Query `q`'s elements are ``hits``' rows `firstElement[q] ..< firstElement[q + 1]`.
    private let firstElement: [Int]
    /// The queries id `i` starts are `startingQueries[startOffsets[i] ..< startOffsets[i + 1]]`, in
    /// the queries' order.
    private let startOffsets: [Int32]
    private let startingQueries: [Int32]

    init(_ queries: [Query], mode: Query.MatchMode, corpus: TokenizedCorpus) {
        self.queries = queries
        self.mode = mode
        let vocabulary = mode == .surface ? corpus.surfaces : corpus.forms
        let width = vocabulary.count
        self.width = width
        var firstElement = [0]
        firstElement.reserveCapacity(queries.count + 1)
        for query in queries { firstElement.append(firstElement[firstElement.count - 1] + query.elements.count) }
        self.firstElement = firstElement
        var hits = [Bool](repeating: false, count: firstElement[queries.count] * width)
        // Each query's first element's ids, as marked: a pass over each row to find them again
        // cost more than all of the lines' loop.
        var firstIDs: [(id: Int32, query: Int32)] = []
        hits.withUnsafeMutableBufferPointer { table in
            var row = 0
            var marked: [Int32] = []
            for (query, elements) in queries.map(\.elements).enumerated() {
                for (position, element) in elements.enumerated() {
                    let start = row * width
                    marked.removeAll(keepingCapacity: true)
                    Self.mark(
                        element, in: UnsafeMutableBufferPointer(rebasing: table[start..<start + width]),
                        marking: &marked, vocabulary: vocabulary, mode: mode, corpus: corpus)
                    if position == 0 { firstIDs += marked.map { ($0, Int32(query)) } }
                    row += 1
                }
            }
        }
        self.hits = hits
        // Counted, then placed in the queries' order.
        var offsets = [Int32](repeating: 0, count: width + 1)
        for (id, _) in firstIDs { offsets[Int(id) + 1] += 1 }
        for id in 0..<width { offsets[id + 1] += offsets[id] }
        var next = offsets
        var starting = [Int32](repeating: 0, count: firstIDs.count)
        for (id, query) in firstIDs {
            starting[Int(next[Int(id)])] = query
            next[Int(id)] += 1
        }
        startOffsets = offsets
        startingQueries = starting
    }

    /// The queries that `id` (a surface id in surface mode, a form id otherwise) starts, as
    /// positions in ``startingQuery(at:)``: mostly none, so one lookup rules a token out.
    @inline(__always)
    func starts(_ id: Int) -> Range<Int> { Int(startOffsets[id])..<Int(startOffsets[id + 1]) }

    /// The query at a position of ``starts(_:)``.
    @inline(__always)
    func startingQuery(at position: Int) -> Int { Int(startingQueries[position]) }

    /// Which ids element `element` of query `query` matches, one flag per id.
    func matches(element: Int, of query: Int) -> [Bool] {
        let start = (firstElement[query] + element) * width
        return Array(hits[start..<start + width])
    }

    /// How many words query `query` has.
    func length(of query: Int) -> Int { firstElement[query + 1] - firstElement[query] }

    /// True when query `query`, whose first element token `index` matches, matches as a whole
    /// from there.
    func matchesAfterFirst(_ query: Int, _ tokens: [Token], at index: Int) -> Bool {
        let elements = firstElement[query]..<firstElement[query + 1]
        guard index + elements.count <= tokens.count else { return false }
        for (offset, row) in elements.enumerated().dropFirst() {
            let token = tokens[index + offset]
            let id = Int(mode == .surface ? token.surface : token.form)
            if !hits[row * width + id] { return false }
        }
        return true
    }

    /// Marks in `row` (one per id of `vocabulary`) the ids that `element` matches, and appends
    /// them to `marked`.
    private static func mark(
        _ element: Query.Element, in row: UnsafeMutableBufferPointer<Bool>, marking marked: inout [Int32],
        vocabulary: Vocabulary, mode: Query.MatchMode, corpus: TokenizedCorpus
    ) {
        func normalized(_ word: String) -> String {
            guard mode == .surface else { return Normalizer.form(of: word, options: corpus.options) }
            // `U.K.` finds the spelling the tokeniser kept of an initialism (`U.K`).
            return corpus.options.initialisms ? Tokenizer.initialism(word)?.spelling ?? word : word
        }
        switch element {
        case .exact(let word):
            let target = normalized(word)
            if mode == .stem {
                if let stem = corpus.stems.id(of: PorterStemmer.stem(target)) {
                    for (form, formStem) in corpus.stemOfForm.enumerated() where formStem == stem {
                        row[form] = true
                        marked.append(Int32(form))
                    }
                }
            } else if let id = vocabulary.id(of: target) {
                row[Int(id)] = true
                marked.append(id)
            }
        case .prefix(let word):
            mark(row, marking: &marked, in: vocabulary, word: normalized(word)) { form, word in
                form.count >= word.count && form.prefix(word.count).elementsEqual(word)
            } characters: {
                $0.hasPrefix($1)
            }
        case .suffix(let word):
            mark(row, marking: &marked, in: vocabulary, word: normalized(word)) { form, word in
                form.count >= word.count && form.suffix(word.count).elementsEqual(word)
            } characters: {
                $0.hasSuffix($1)
            }
        case .infix(let word):
            mark(row, marking: &marked, in: vocabulary, word: normalized(word)) { form, word in
                UnsafeRawBufferPointer(form).firstOffset(of: UnsafeRawBufferPointer(word), from: 0) != nil
            } characters: {
                $0.contains($1)
            }
        }
    }

    /// Marks in `row` (and appends to `marked`) the forms of `vocabulary` that a wildcard's `word`
    /// matches: an ASCII form against an ASCII word byte by byte (`bytes`), where a byte is a
    /// character and no other text is canonically equivalent; any other pair as strings
    /// (`characters`), as every pair was. A `String` made of every form of every document,
    /// compared as characters, was 45 % of `tmine kwic` with four wildcards.
    private static func mark(
        _ row: UnsafeMutableBufferPointer<Bool>, marking marked: inout [Int32], in vocabulary: Vocabulary,
        word: String,
        bytes: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool,
        characters: (String, String) -> Bool
    ) {
        // An empty word (a query of invisible characters only) keeps the strings' answers.
        let asciiWord = !word.isEmpty && word[...].isAllASCII
        var spelt = word
        spelt.withUTF8 { wordBytes in
            var id = 0
            vocabulary.forEachForm { form in
                let hit =
                    asciiWord && UTF8Scalars.isASCII(form)
                    ? bytes(form, wordBytes) : characters(String(decoding: form, as: UTF8.self), word)
                if hit {
                    row[id] = true
                    marked.append(Int32(id))
                }
                id += 1
            }
        }
    }
}
