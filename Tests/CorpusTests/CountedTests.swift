import Corpus
import Testing

@Suite struct CountedTests {
    @Test func aCountOfOneTakesTheSingularAndEveryOtherThePlural() {
        #expect(1.counted("participant") == "1 participant")
        #expect(0.counted("hit") == "0 hits")
        #expect(11.counted("speaker turn") == "11 speaker turns")
        #expect(1.counted("query", plural: "queries") == "1 query")
        #expect(2.counted("query", plural: "queries") == "2 queries")
    }
}
