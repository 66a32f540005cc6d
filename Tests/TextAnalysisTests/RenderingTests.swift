import Corpus
import Testing

@testable import TextAnalysis

@Suite struct RenderingTests {
    let concordance = Concordance(
        queries: ["hype"],
        lines: [
            ConcordanceLine(
                query: "hype", documentID: "d", segmentIndex: 2, speaker: "P1", role: .participant, participantID: "P1",
                attributes: [:], tokenIndex: 5, tokenCount: 1, left: "a very long left\tcontext indeed", match: "hype",
                right: "cycle", range: ScalarRange(start: 10, end: 14), leftWords: [], rightWords: [])
        ])

    @Test func tsvHasAHeaderAndNoStrayTabs() {
        let lines = concordance.tsv.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[1].split(separator: "\t", omittingEmptySubsequences: false).count == 10)
        #expect(lines[1].hasPrefix("d\t2\tP1\tP1\t5\ta very long left context indeed\thype\tcycle\t10\t14"))
    }

    @Test func alignedLinesCentreTheMatchAndCutLongContext() {
        let text = concordance.aligned(width: 10)
        #expect(text == "d 2 P1  …xt indeed  [hype]  cycle\n")
    }
}
