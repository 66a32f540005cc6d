import Corpus
import TextAnalysis

@testable import Coding

/// A one-document corpus of participant turns (P1 unless given).
func corpus(_ turns: [String], participant: String = "P1", options: Tokenizer.Options = .init()) -> TokenizedCorpus {
    var text = ""
    var segments: [Segment] = []
    for (index, said) in turns.enumerated() {
        if index > 0 { text += "\n" }
        text += "P1: "
        let start = text.unicodeScalars.count
        text += said
        segments.append(
            Segment(
                index: index, speaker: participant, role: .participant, participantID: participant, text: said,
                range: ScalarRange(start: start, end: text.unicodeScalars.count)))
    }
    let document = Document(id: "doc", source: "doc.txt", format: .text, text: text, segments: segments, speakers: [])
    return TokenizedCorpus(documents: [document], options: options)
}

/// The codes suggested for each turn, and the evidence texts.
func suggest(
    _ codes: [Code], _ turns: [String], unit: CodeSuggester.Options.Unit = .turn,
    phrases: Tokenizer.Options.PhraseScope = .sentence
) -> [Suggestion] {
    var options = CodeSuggester.Options()
    options.unit = unit
    var tokenizer = Tokenizer.Options()
    tokenizer.phrases = phrases
    return CodeSuggester(lexicon: Lexicon(codes: codes, contentHash: "h"), options: options).suggestions(
        in: corpus(turns, options: tokenizer))
}
