import Corpus
import Foundation
import Testing

@testable import TextAnalysis

@Suite struct CollocatesTests {
    let turns: [(String, SpeakerRole, String?)] = [
        ("The hype bubble is here.", .participant, "P1"), ("A hype bubble again.", .participant, "P2"),
        ("Bubble tea is nice.", .participant, "P1"), ("Nothing here at all.", .participant, "P2"),
        ("Hype hype bubble?", .interviewer, nil),
    ]

    func collocates(
        _ corpus: TokenizedCorpus, filter: SegmentFilter = SegmentFilter(), minimumCount: Int = 2,
        stopwords: Stopwords = .english
    ) throws -> Collocates {
        var options = Concordancer.Options()
        options.window = 2
        options.filter = filter
        let concordancer = Concordancer(options: options)
        let lines = concordancer.merge(
            concordancer.lines(of: [try Query("hype")], in: corpus), queries: [try Query("hype")],
            participants: corpus.participants
        ).lines
        let (counts, words) = corpus.formCounts(filter: filter)
        return Collocates(
            query: "hype", lines: lines, window: 2, counts: counts, words: words, minimumCount: minimumCount,
            stopwords: stopwords)
    }

    /// The hits' windows (two words each side, in the turn) against the rest of the turns
    /// searched (participants' only): counts, G² as keyness computes it, MI as observed over
    /// expected; stopwords and words near too few hits left out.
    @Test func collocatesCompareTheHitsWindowsWithTheRestOfTheTurns() throws {
        let table = try collocates(corpus(turns))
        #expect(table.hits == 2 && table.words == 17 && table.windowWords == 6)
        #expect(table.rows.map(\.term) == ["bubble"])
        let bubble = try #require(table.rows.first)
        #expect(bubble.left == 0 && bubble.right == 2 && bubble.total == 3)
        let statistic = LogLikelihood(a: 2, b: 1, c: 6, d: 11)
        #expect(bubble.logLikelihood == statistic.g2 && bubble.pValue == statistic.pValue)
        #expect(abs(bubble.mutualInformation - log2(34.0 / 18.0)) < 1e-12)
        // Every word near a hit, stopwords too, strongest first; none repelled here.
        let all = try collocates(corpus(turns), minimumCount: 1, stopwords: .none)
        #expect(Set(all.rows.map(\.term)) == ["bubble", "the", "a", "again", "is"])
        #expect(all.rows.map(\.logLikelihood) == all.rows.map(\.logLikelihood).sorted(by: >))
        #expect(all.rows.first { $0.term == "bubble" } == bubble)
    }

    /// A word as frequent elsewhere as near the hits is not a collocate; and a filter's turns
    /// are the ones counted.
    @Test func repelledWordsAreLeftOutAndTheFilterSetsTheTurnsCounted() throws {
        let common: [(String, SpeakerRole, String?)] = [
            ("alpha hype data beta gamma", .participant, "P1"), ("data data data data data data", .participant, "P1"),
        ]
        #expect(
            try collocates(corpus(common), minimumCount: 1, stopwords: .none).rows.map(\.term).sorted() == [
                "alpha", "beta",
            ])
        let table = try collocates(corpus(turns), filter: SegmentFilter(participantIDs: ["P2"]), minimumCount: 1)
        #expect(table.hits == 1 && table.words == 8 && table.windowWords == 3)
        #expect(table.rows.map(\.term) == ["bubble"])
        #expect(table.rows.first?.total == 1)
    }
}
