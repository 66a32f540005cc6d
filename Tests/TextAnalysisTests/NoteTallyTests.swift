import Corpus
import Testing

@testable import TextAnalysis

@Suite struct NoteTallyTests {
    @Test(arguments: [
        ("[Inaudible 00:12:03]", "[inaudible]"), ("[inaudible]", "[inaudible]"), ("((Laughs))", "((laughs))"),
        ("(0.5)", "(pause)"), ("(.)", "(pause)"), ("(00:12:45)", "(time)"), ("[00:01]", "[time]"),
        ("#00:01:23-4#", "#time#"), ("(Laughs)", "(laughs)"), ("(unv.)", "(unv)"), ("(long  pause)", "(long pause)"),
        ("(I: Mhm.)", "(i mhm)"),
        ("[Hospital  name]", "[hospital name]"),
    ])
    func notesOfOneKindShareItsName(_ note: String, _ kind: String) {
        #expect(NoteTally.kind(of: note) == kind)
    }

    /// Counts by kind across documents, each document counted once for a kind, the first
    /// spelling kept as the example; most frequent first.
    @Test func notesAreCountedByKindAndDocument() {
        func document(_ turns: [String]) -> Document {
            corpus(turns.map { ($0, .participant, "P1") }).documents[0]
        }
        var tally = NoteTally(
            document: document(["So [Inaudible 00:01:02] and (0.5) then", "[inaudible] ((laughs)) [x"]))
        tally.add(NoteTally(document: document(["well (.) [laughs] yes (ward) (laughs)"])))
        #expect(tally.documents == 2)
        #expect(
            tally.rows == [
                NoteTally.Row(note: "(pause)", count: 2, documents: 2, example: "(0.5)"),
                NoteTally.Row(note: "[inaudible]", count: 2, documents: 1, example: "[Inaudible 00:01:02]"),
                NoteTally.Row(note: "((laughs))", count: 1, documents: 1, example: "((laughs))"),
                NoteTally.Row(note: "(laughs)", count: 1, documents: 1, example: "(laughs)"),
                NoteTally.Row(note: "[laughs]", count: 1, documents: 1, example: "[laughs]"),
            ])
    }

    /// The notes listed are exactly what tokenising skips: blanking them out and keeping notes
    /// gives the tokens that skipping them gives.
    @Test func theNotesListedAreWhatTokenisingSkips() {
        let pieces = [
            "[", "]", "(", "((", ")", "))", ".", "0", ":", "ab", " ", "\n", "é", "’s", "((x", "0.5)", "laughs",
            "(Pause", "(I: ", "#", "#00:01:23-4#",
        ]
        var keep = Tokenizer.Options()
        keep.annotations = true
        for text in randomTexts(of: pieces, seed: 20_261_206) {
            var bytes = Array(text.utf8)
            for range in Tokenizer.noteRanges(in: text) {
                for index in range { bytes[index] = UInt8(ascii: " ") }
            }
            let blanked = String(decoding: bytes, as: UTF8.self)
            var forms = Vocabulary()
            var surfaces = Vocabulary()
            let skipped = Tokenizer().tokenize(text, forms: &forms, surfaces: &surfaces).map { forms[$0.form] }
            let kept = Tokenizer(options: keep).tokenize(blanked, forms: &forms, surfaces: &surfaces).map {
                forms[$0.form]
            }
            #expect(skipped == kept, "\(text)")
        }
    }
}
