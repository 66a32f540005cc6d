import Corpus
import Testing

@testable import TextAnalysis

@Suite struct SentenceBreaksTests {
    /// The words before which a sentence ends.
    func breaks(_ text: String, options: Tokenizer.Options = .init()) -> [String] {
        var forms = Vocabulary()
        var surfaces = Vocabulary()
        let tokens = Tokenizer(options: options).tokenize(text, forms: &forms, surfaces: &surfaces)
        return zip(tokens, SentenceBreaks.before(tokens, in: text)).filter(\.1).map { forms[$0.0.form] }
    }

    @Test func aSentenceEndsAtAFullStopQuestionOrExclamationMark() {
        #expect(breaks("We felt protected. Time was short") == ["time"])
        #expect(breaks("Protected? Time! Yes. No") == ["time", "yes", "no"])
        #expect(breaks("She said \u{201C}not yet.\u{201D} Then we left") == ["then"])
        #expect(breaks("Really?! (laughs) Time.") == ["time"])
        #expect(breaks("It was protected.\nTime was short") == ["time"])
        // An initialism's last full stop ends a sentence before a capital, not before a word.
        #expect(breaks("We trained in the U.K. Then we left") == ["then"])
        #expect(breaks("the U.K. government") == [])
        // A title's full stop is not a sentence's (`Dr. Patel`); a word that ends like one is.
        #expect(breaks("I asked Dr. Patel and Mrs. Jones. St. Thomas' was full") == ["st"])
        #expect(breaks("We saw the Mr. Then the Dr. Ms. Ok") == [])
        #expect(breaks("They asked a Vendr. Then we left. Drs. Smith and Jones") == ["then", "drs"])
        // Titles of other languages' interviews, a non-ASCII one among them; a filler is no title.
        #expect(breaks("La Sra. García y la Dra. Ruiz. Dña. Carmen también") == ["d\u{F1}a"])
        #expect(breaks("Mme. Dubois et Mlle. Roy. Sig. Rossi, Dott. Bianchi, Dhr. Jansen, Mevr. Smit") == ["sig"])
        #expect(breaks("Mm. Yes, we told them. Me. Then") == ["yes", "me", "then"])
    }

    @Test func hesitationsAbbreviationsNumbersNotesAndCommasEndNoSentence() {
        var split = Tokenizer.Options()
        split.numberSeparators = false
        split.annotations = true
        for text in [
            "protected... time", "protected\u{2026} time", "protected .. time", "protected, time", "protected; time",
            "we had mentors etc. and time", "the U.K.based time", "protected (.) time", "protected (0.5) time",
            "protected [inaudible?] time", "protected ((unclear.)) time", "protected \u{2014} time",
        ] {
            #expect(breaks(text).isEmpty, "\(text)")
        }
        #expect(breaks("3.5 hours", options: split).isEmpty)
        #expect(breaks("protected [inaudible?] time", options: split).isEmpty)
        #expect(breaks("protected [inaudible?] Time. Now", options: split) == ["now"])
    }

    /// Random turns of words in several scripts, notes, numbers and punctuation: the breaks
    /// found from the bytes are the rule applied to each gap's scalars.
    @Test func breaksFoundInTheBytesAreTheRuleReadOnTheScalars() {
        let pieces = [
            "time", "Time", "café", "Évite", "ελπίδα", " ", " ", " ", ". ", ".", "... ", "\u{2026}", "? ", "!", "(.)",
            "(0.5)", " [inaudible?] ", "3.5", "\u{2019}", "\u{2014}", "\n", ", ", "U.K.", "\"", "\u{65E5}\u{672C}", "(",
            ")", "((unclear.))", "e.g. ", "\u{1F600}", " Dr. ", "Mrs", "St", "Dña", " Sra. ",
        ]
        func reference(_ tokens: [Token], _ scalars: [Unicode.Scalar]) -> [Bool] {
            guard !tokens.isEmpty else { return [] }
            var result = [false]
            for (before, after) in zip(tokens, tokens.dropFirst()) {
                let gap = Array(scalars[Int(before.end)..<Int(after.start)])
                var depth = 0
                var ends = false
                for (index, scalar) in gap.enumerated() {
                    switch scalar {
                    case "(", "[", "{": depth += 1
                    case ")", "]", "}": if depth == 0 { ends = false } else { depth -= 1 }
                    case "!", "?": if depth == 0 { ends = true }
                    case ".":
                        let word = String(String.UnicodeScalarView(scalars[Int(before.start)..<Int(before.end)]))
                        let title = SentenceBreaks.titles.contains(Array(word.lowercased().utf8))
                        if depth == 0, index == 0 || gap[index - 1] != ".", index + 1 < gap.count,
                            gap[index + 1] != ".",
                            !scalars[Int(after.start)].properties.isLowercase, !(index == 0 && title)
                        {
                            ends = true
                        }
                    default: break
                    }
                }
                result.append(ends)
            }
            return result
        }
        var generator = SplitMixGenerator(seed: 77)
        for _ in 0..<400 {
            let text = (0..<Int.random(in: 0...60, using: &generator)).map { _ in
                pieces.randomElement(using: &generator)!
            }.joined()
            for annotations in [false, true] {
                var options = Tokenizer.Options()
                options.annotations = annotations
                var forms = Vocabulary()
                var surfaces = Vocabulary()
                let tokens = Tokenizer(options: options).tokenize(text, forms: &forms, surfaces: &surfaces)
                #expect(
                    SentenceBreaks.before(tokens, in: text) == reference(tokens, Array(text.unicodeScalars)), "\(text)")
            }
        }
    }

    @Test func aPhraseWithinSentencesIsWithinTheirBreaks() {
        let breaks = [false, false, true, false]
        #expect(!SentenceBreaks.within(breaks, 0, 1))
        #expect(SentenceBreaks.within(breaks, 1, 2))
        #expect(SentenceBreaks.within(breaks, 0, 3))
        #expect(!SentenceBreaks.within(breaks, 2, 3))
        #expect(!SentenceBreaks.within(breaks, 2, 2))
    }
}
