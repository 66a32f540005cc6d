import Foundation
import Testing

@testable import TextAnalysis

@Suite struct PorterStemmerTests {
    /// Every word of the fixture (102,500 words stemmed by the `snowballstemmer` package).
    @Test func stemsAgreeWithSnowballOnTheWholeWordList() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/porter2-stems", withExtension: "tsv"))
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        var checked = 0
        var disagreements: [String] = []
        for line in lines where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2 else { continue }
            let stem = PorterStemmer.stem(String(fields[0]))
            if stem != fields[1] { disagreements.append("\(fields[0]): \(stem) ≠ \(fields[1])") }
            checked += 1
        }
        #expect(checked > 100_000)
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, first: \(disagreements.prefix(20))")
    }

    @Test(arguments: [
        ("generously", "generous"), ("dying", "die"), ("skies", "sky"), ("inning", "inning"), ("proceed", "proceed"),
        ("regulatory", "regulatori"), ("regulation", "regul"), ("clinicians", "clinician"), ("hyping", "hype"),
        ("doctors'", "doctor"), ("y", "y"), ("is", "is"),
    ])
    func knownStems(_ word: String, _ stem: String) {
        #expect(PorterStemmer.stem(word) == stem)
    }
}
