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
        let compiled = queries.map { CompiledQuery($0, mode: options.mode, corpus: corpus) }
        var lines: [ConcordanceLine] = []
        var sortKeys: [[String]] = []
        for (documentIndex, document) in corpus.documents.enumerated() {
            for (segmentIndex, segment) in document.segments.enumerated() {
                let participant = corpus.participant(of: segment)
                guard options.filter.accepts(segment, participant: participant) else { continue }
                let tokens = corpus.tokens[documentIndex][segmentIndex]
                guard !tokens.isEmpty else { continue }
                var scalars: [Unicode.Scalar]?
                for index in tokens.indices {
                    for query in compiled where query.matches(tokens, at: index) {
                        let text = scalars ?? Array(segment.text.unicodeScalars)
                        scalars = text
                        let last = index + query.matches.count - 1
                        lines.append(
                            line(
                                query: query.query, tokens: tokens, first: index, last: last, text: text,
                                document: document, segment: segment, participant: participant))
                        if !options.sort.isEmpty {
                            sortKeys.append(
                                options.sort.map { key in
                                    let position = key.side == .left ? index - key.distance : last + key.distance
                                    return tokens.indices.contains(position) ? corpus.forms[tokens[position].form] : ""
                                })
                        }
                    }
                }
            }
        }
        if !options.sort.isEmpty {
            let order = lines.indices.sorted { left, right in
                let (a, b) = (sortKeys[left], sortKeys[right])
                if a != b {
                    return a.lexicographicallyPrecedes(b) {
                        $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars)
                    }
                }
                return left < right
            }
            lines = order.map { lines[$0] }
        }
        return Concordance(queries: queries.map(\.text), lines: lines)
    }

    private func line(
        query: Query, tokens: [Token], first: Int, last: Int, text: [Unicode.Scalar], document: Document,
        segment: Segment, participant: Participant?
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
            String(String.UnicodeScalarView(text[from..<to]))
        }
        let left = options.window == 0 ? "" : slice(leftStart, matchStart)
        let right = options.window == 0 ? "" : slice(matchEnd, rightEnd)
        return ConcordanceLine(
            query: query.text, documentID: document.id, segmentIndex: segment.index, speaker: segment.speaker,
            role: segment.role, participantID: segment.participantID, attributes: participant?.attributes ?? [:],
            tokenIndex: first, tokenCount: last - first + 1, left: left.collapsingWhitespace(),
            match: slice(matchStart, matchEnd).collapsingWhitespace(), right: right.collapsingWhitespace(),
            range: ScalarRange(start: segment.range.start + matchStart, end: segment.range.start + matchEnd))
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
}

extension String {
    /// Whitespace runs (line breaks included) become one space; the ends are trimmed.
    func collapsingWhitespace() -> String {
        split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
