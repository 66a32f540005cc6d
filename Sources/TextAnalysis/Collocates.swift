import Corpus
import Foundation

/// The words heard near a query's hits more often than their frequency in the turns searched
/// would give: the collocates a concordancer lists beside its lines (AntConc, WordSmith), for
/// what a word keeps company with ("hype" with "bubble", "media", "promise").
///
/// The hits' windows (the words each side of each hit, in its turn) are compared with the rest
/// of the turns searched, word by word, as keyness compares two groups: log-likelihood G² and
/// its p-value (Dunning 1993; Rayson and Garside 2000) orders them, and mutual information is
/// log₂ of observed over expected, a word's share of the windows' words over its share of all
/// words (Church and Hanks 1990, with the windows' actual size). Only words more frequent in the
/// windows than elsewhere are listed.
public struct Collocates: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        public var term: String
        /// Occurrences within the window left and right of a hit.
        public var left: Int
        public var right: Int
        /// Occurrences in every turn searched, the windows' among them.
        public var total: Int
        public var logLikelihood: Double
        public var pValue: Double
        public var mutualInformation: Double

        public var near: Int { left + right }
    }

    public var query: String
    public var hits: Int
    /// Words each side of a hit.
    public var window: Int
    /// Words within the hits' windows, and in every turn searched.
    public var windowWords: Int
    public var words: Int
    public var rows: [Row]

    /// The collocates of `query` from its lines (after the filters, each with its context words,
    /// ``ConcordanceLine/leftWords``, of at least `window`), `counts` each form's count in the
    /// turns the lines were searched in (``TokenizedCorpus/formCounts(filter:)``, documents
    /// merged) and `words` their sum. A word near fewer than `minimumCount` hits, or in
    /// `stopwords`, is left out.
    public init(
        query: String, lines: [ConcordanceLine], window: Int, counts: [String: Int], words: Int,
        minimumCount: Int = 2, stopwords: Stopwords = .none
    ) {
        self.query = query
        self.window = window
        self.words = words
        var near: [String: (left: Int, right: Int)] = [:]
        var hits = 0
        var windowWords = 0
        for line in lines where line.query == query {
            hits += 1
            let left = line.leftWords.prefix(window)
            let right = line.rightWords.prefix(window)
            windowWords += left.count + right.count
            for word in left { near[word, default: (0, 0)].left += 1 }
            for word in right { near[word, default: (0, 0)].right += 1 }
        }
        self.hits = hits
        self.windowWords = windowWords
        var rows: [Row] = []
        let outside = words - windowWords
        for (term, count) in near {
            let inWindows = count.left + count.right
            // Attracted words only: more frequent in the windows than in the rest.
            guard inWindows >= max(1, minimumCount), !stopwords.words.contains(term), let total = counts[term],
                total >= inWindows, outside > 0,
                Double(inWindows) / Double(windowWords) > Double(total - inWindows) / Double(outside)
            else { continue }
            let statistic = LogLikelihood(a: inWindows, b: total - inWindows, c: windowWords, d: outside)
            rows.append(
                Row(
                    term: term, left: count.left, right: count.right, total: total,
                    logLikelihood: statistic.g2, pValue: statistic.pValue,
                    mutualInformation: Foundation.log2(
                        Double(inWindows) * Double(words) / (Double(windowWords) * Double(total)))))
        }
        rows.sort { a, b in
            if a.logLikelihood != b.logLikelihood { return a.logLikelihood > b.logLikelihood }
            if a.near != b.near { return a.near > b.near }
            return a.term.unicodeScalars.lexicographicallyPrecedes(b.term.unicodeScalars)
        }
        self.rows = rows
    }
}

extension TokenizedCorpus {
    /// Each form's count in the turns `filter` accepts (roles, participants, attributes), and
    /// their sum: what ``Collocates`` compares the hits' windows with.
    public func formCounts(filter: SegmentFilter) -> (counts: [String: Int], words: Int) {
        var byID = [Int](repeating: 0, count: forms.count)
        var words = 0
        for (document, tokens) in zip(documents, self.tokens) {
            for (segment, turn) in zip(document.segments, tokens)
            where filter.accepts(segment, participant: participant(of: segment)) {
                words += turn.count
                for token in turn { byID[Int(token.form)] += 1 }
            }
        }
        var counts: [String: Int] = [:]
        for (id, count) in byID.enumerated() where count > 0 { counts[forms[Int32(id)]] = count }
        return (counts, words)
    }
}
