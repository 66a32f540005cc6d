import Corpus

/// Keyword in context: every occurrence of a query with the words around it, as concordancers
/// (AntConc, quanteda's `kwic`) show them.
public struct Concordancer: Sendable {
    public struct Options: Sendable, Hashable, Codable {
        public enum WindowUnit: String, Sendable, Hashable, Codable { case tokens, characters }

        /// Context on each side, in tokens (default 5) or characters.
        public var window = 5
        public var unit: WindowUnit = .tokens
        public var mode: Query.MatchMode = .lower
        public var filter = SegmentFilter()
        /// Sort keys such as `R1`, `L2`; empty keeps document order.
        public var sort: [ContextKey] = []

        public init() {}
    }

    /// A context position: `L1` is the word just left of the match, `R1` just right of it.
    public struct ContextKey: Sendable, Hashable, Codable, CustomStringConvertible {
        public var side: Side
        public var distance: Int
        public enum Side: String, Sendable, Hashable, Codable { case left = "L", right = "R" }

        /// Parses `L1`…`L9`, `R1`…`R9`.
        public init?(_ text: String) {
            guard let first = text.uppercased().first, let side = Side(rawValue: String(first)),
                let distance = Int(text.dropFirst()), distance > 0
            else { return nil }
            self.side = side
            self.distance = distance
        }

        public var description: String { side.rawValue + String(distance) }
    }

    public let options: Options

    public init(options: Options = Options()) { self.options = options }

    /// Every hit of every query, in document order or sorted by context words.
    public func concordance(of queries: [Query], in corpus: TokenizedCorpus) -> Concordance {
        merge(lines(of: queries, in: corpus), queries: queries, participants: corpus.participants)
    }

    /// Hits in document order for the roles the filter accepts, before participant and attribute
    /// filters, attributes and sorting: what a pipeline caches per document.
    public func lines(of queries: [Query], in corpus: TokenizedCorpus) -> [ConcordanceLine] {
        let compiled = CompiledQueries(queries, mode: options.mode, corpus: corpus)
        let contextWords = max(options.window, options.sort.map(\.distance).max() ?? 0)
        let surfaceMode = options.mode == .surface
        var lines: [ConcordanceLine] = []
        for (documentIndex, document) in corpus.documents.enumerated() {
            for (segmentIndex, segment) in document.segments.enumerated() {
                guard options.filter.roles.contains(segment.role) else { continue }
                let tokens = corpus.tokens[documentIndex][segmentIndex]
                guard !tokens.isEmpty else { continue }
                var slicer: ScalarSlicer?
                // Found when a phrase first matches in the turn.
                var breaks: [Bool]?
                for index in tokens.indices {
                    // One lookup rules most tokens out: they start no query.
                    let candidates = compiled.starts(Int(surfaceMode ? tokens[index].surface : tokens[index].form))
                    for position in candidates {
                        let query = compiled.startingQuery(at: position)
                        guard compiled.matchesAfterFirst(query, tokens, at: index) else { continue }
                        let last = index + compiled.length(of: query) - 1
                        if last > index, corpus.options.phrases == .sentence {
                            let found = breaks ?? SentenceBreaks.before(tokens, in: segment.text)
                            breaks = found
                            if SentenceBreaks.within(found, index, last) { continue }
                        }
                        let text = slicer ?? ScalarSlicer(segment.text)
                        slicer = text
                        var line = line(
                            query: compiled.queries[query], tokens: tokens, first: index, last: last, text: text,
                            document: document, segment: segment)
                        let reach = max(1, contextWords)
                        line.leftWords = Self.forms(of: tokens[max(0, index - reach)..<index].reversed(), in: corpus)
                        line.rightWords = Self.forms(
                            of: tokens[(last + 1)..<min(tokens.count, last + 1 + reach)], in: corpus)
                        lines.append(line)
                    }
                }
            }
        }
        return lines
    }

    /// The forms of `tokens`, in their order, in an array made at its size: grown a word at a
    /// time (a `compactMap` over the distances), the context words were a sixth of a document's
    /// lines.
    private static func forms<Tokens: Collection<Token>>(of tokens: Tokens, in corpus: TokenizedCorpus) -> [String] {
        var forms: [String] = []
        forms.reserveCapacity(tokens.count)
        for token in tokens { forms.append(corpus.forms[token.form]) }
        return forms
    }

    /// Joins participants' attributes, applies participant and attribute filters, and sorts.
    public func merge(_ lines: [ConcordanceLine], queries: [Query], participants: ParticipantTable) -> Concordance {
        let byID = participants.byID
        var kept: [ConcordanceLine] = []
        kept.reserveCapacity(lines.count)
        for line in lines {
            if let line = accept(line, byID: byID) { kept.append(line) }
        }
        return Concordance(queries: queries.map(\.text), lines: sorted(kept))
    }

    /// Lines in the options' sort order (as they came when there is none).
    public func sorted(_ lines: [ConcordanceLine]) -> [ConcordanceLine] {
        var kept = lines
        if !options.sort.isEmpty {
            let keys = kept.map { line in
                options.sort.map { key in
                    let words = key.side == .left ? line.leftWords : line.rightWords
                    return key.distance <= words.count ? words[key.distance - 1] : ""
                }
            }
            let order = kept.indices.sorted { left, right in
                let (a, b) = (keys[left], keys[right])
                if a != b {
                    return a.lexicographicallyPrecedes(b) {
                        $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars)
                    }
                }
                return left < right
            }
            kept = order.map { kept[$0] }
        }
        return kept
    }

    /// A line with its speaker's attributes, or nil when the filter leaves the speaker out.
    public func accept(_ line: ConcordanceLine, byID: [String: Participant]) -> ConcordanceLine? {
        guard let attributes = attributes(of: line, byID: byID) else { return nil }
        var line = line
        line.attributes = attributes
        return line
    }

    /// The attributes ``accept(_:byID:)`` gives a line, or nil when the filter leaves its
    /// speaker out: for a caller that writes the line out with them rather than copy it.
    public func attributes(of line: ConcordanceLine, byID: [String: Participant]) -> [String: String]? {
        let participant = line.participantID.flatMap { byID[$0] }
        guard options.filter.accepts(participantID: line.participantID, participant: participant) else { return nil }
        return participant?.attributes ?? [:]
    }

    private func line(
        query: Query, tokens: [Token], first: Int, last: Int, text: ScalarSlicer, document: Document,
        segment: Segment
    ) -> ConcordanceLine {
        let matchStart = Int(tokens[first].start)
        let matchEnd = Int(tokens[last].end)
        let leftStart: Int
        let rightEnd: Int
        switch options.unit {
        case .tokens:
            leftStart = first == 0 ? matchStart : Int(tokens[max(0, first - options.window)].start)
            rightEnd =
                last == tokens.count - 1 ? matchEnd : Int(tokens[min(tokens.count - 1, last + options.window)].end)
        case .characters:
            leftStart = max(0, matchStart - options.window)
            rightEnd = min(text.count, matchEnd + options.window)
        }
        func slice(_ from: Int, _ to: Int) -> String {
            text.string(from, to)
        }
        let left = options.window == 0 ? "" : slice(leftStart, matchStart)
        let right = options.window == 0 ? "" : slice(matchEnd, rightEnd)
        return ConcordanceLine(
            query: query.text, documentID: document.id, segmentIndex: segment.index, speaker: segment.speaker,
            role: segment.role, participantID: segment.participantID, attributes: [:],
            tokenIndex: first, tokenCount: last - first + 1, left: left.collapsingWhitespace(),
            match: slice(matchStart, matchEnd).collapsingWhitespace(), right: right.collapsingWhitespace(),
            range: ScalarRange(start: segment.range.start + matchStart, end: segment.range.start + matchEnd),
            leftWords: [], rightWords: [])
    }
}

/// The hits of a KWIC search.
public struct Concordance: Sendable, Hashable, Codable {
    public var queries: [String]
    public var lines: [ConcordanceLine]
}

/// One hit: where it is, who said it, and the words around it.
public struct ConcordanceLine: Sendable, Hashable, Codable {
    public var query: String
    public var documentID: String
    public var segmentIndex: Int
    public var speaker: String
    public var role: SpeakerRole
    public var participantID: String?
    public var attributes: [String: String]
    /// Index of the first matched token in its segment.
    public var tokenIndex: Int
    public var tokenCount: Int
    public var left: String
    public var match: String
    public var right: String
    /// The match's range in the document's plain text, in Unicode scalars.
    public var range: ScalarRange
    /// Normalised context words, nearest first (`leftWords[0]` is L1): the keys of sorting.
    public var leftWords: [String]
    public var rightWords: [String]
}
