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

    /// Documents of words drawn from the fixture, overlapping and in any order, through one memo
    /// that fills up on the way: each gets the stems and ids that stemming its forms in turn gives.
    @Test func stemsFromTheMemoAreTheStemmersOwnInFormOrder() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/porter2-stems", withExtension: "tsv"))
        let words = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") }.prefix(6_000).compactMap { $0.split(separator: "\t").first.map(String.init) }
        let memo = WordMemo(limit: 4_000)
        var generator = SystemRandomNumberGenerator()
        var hits = 0
        for _ in 0..<12 {
            var forms = Vocabulary()
            for word in words.shuffled(using: &generator).prefix(1_500) { _ = forms.intern(word) }
            let known = (0..<Int32(forms.count)).filter { memo.knows(forms[$0]) }.count
            var stems = Vocabulary()
            let expected = (0..<Int32(forms.count)).map { stems.intern(PorterStemmer.stem(forms[$0])) }
            let found = memo.values(of: forms, work: PorterStemmer.stem)
            #expect(found.valueOfWord == expected)
            #expect(found.values.forms == stems.forms)
            hits += known
        }
        #expect(hits > 5_000)
        #expect(memo.count == 4_000)

        // Documents read at once, as a pipeline's workers read them, missing the same words
        // together: each word is added once, and every later document still gets its own stems.
        let together = WordMemo()
        let documents = (0..<8).map { _ in
            var forms = Vocabulary()
            for word in words.shuffled(using: &generator).prefix(3_000) { _ = forms.intern(word) }
            return forms
        }
        for round in 0..<2 {
            let agree = ConcurrentCounter()
            DispatchQueue.concurrentPerform(iterations: documents.count) { index in
                let forms = documents[index]
                let found = together.values(of: forms, work: PorterStemmer.stem)
                let right = (0..<Int32(forms.count)).allSatisfy {
                    found.values[found.valueOfWord[Int($0)]] == PorterStemmer.stem(forms[$0])
                }
                if right { agree.add() }
            }
            #expect(agree.value == documents.count, "round \(round)")
        }
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
