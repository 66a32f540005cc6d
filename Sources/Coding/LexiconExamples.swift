import Corpus
import TextAnalysis

/// Runs a lexicon's examples like unit tests: each `match` text must get its code suggested,
/// each `noMatch` text must not.
public enum LexiconExamples {
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        public var code: String
        public var line: Int?
        public var example: String
        public var expectedMatch: Bool
        /// The codes the example did get.
        public var got: [String]

        public var description: String {
            (expectedMatch ? "should suggest" : "should not suggest") + " \"\(code)\" for \"\(example)\""
                + " (suggested: " + (got.isEmpty ? "nothing" : got.joined(separator: ", ")) + ")"
        }
    }

    /// Every example that does not behave as stated, tokenised with the given options.
    public static func failures(of lexicon: Lexicon, options: Tokenizer.Options = .init()) -> [Failure] {
        var cases: [(code: Code, text: String, expected: Bool)] = []
        for code in lexicon.codes {
            cases += code.examples.match.map { (code, $0, true) } + code.examples.noMatch.map { (code, $0, false) }
        }
        guard !cases.isEmpty else { return [] }
        // One document, one participant turn per example.
        var text = ""
        var segments: [Segment] = []
        for (index, example) in cases.enumerated() {
            if index > 0 { text += "\n" }
            let start = text.unicodeScalars.count
            text += example.text
            segments.append(
                Segment(
                    index: index, speaker: "example", role: .participant, participantID: nil, text: example.text,
                    range: ScalarRange(start: start, end: text.unicodeScalars.count)))
        }
        let document = Document(
            id: "examples", source: "examples", format: .text, text: text, segments: segments, speakers: [])
        let corpus = TokenizedCorpus(documents: [document], options: options, stopwords: .none)
        let suggestions = CodeSuggester(lexicon: lexicon).suggestions(in: corpus)
        var failures: [Failure] = []
        for (index, example) in cases.enumerated() {
            let got = suggestions.filter { $0.segmentIndex == index }.map(\.code)
            if got.contains(example.code.name) != example.expected {
                failures.append(
                    Failure(
                        code: example.code.name, line: example.code.line, example: example.text,
                        expectedMatch: example.expected, got: got))
            }
        }
        return failures
    }
}
