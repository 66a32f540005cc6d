import Coding
import Corpus
import Foundation
import FuzzDriver
import Pipeline
import TextAnalysis

/// A short study the matcher runs on: turns with negation, phrases, hyphens and apostrophes.
private let corpus: TokenizedCorpus = {
    let text = "P1: There is no protected time, it's hype.\nP1: Don't trust the black-box AI; culture clash!"
    let lines = text.split(separator: "\n").map(String.init)
    var segments: [Segment] = []
    var start = 0
    for (index, line) in lines.enumerated() {
        let count = line.unicodeScalars.count
        segments.append(
            Segment(
                index: index, speaker: "P1", role: .participant, participantID: "P1", text: line,
                range: ScalarRange(start: start, end: start + count)))
        start += count + 1
    }
    let document = Document(id: "d", source: "d.txt", format: .text, text: text, segments: segments, speakers: [])
    return TokenizedCorpus(documents: [document], computeStems: true)
}()

/// libFuzzer entry: the first byte picks the parser (0 pipeline YAML, 1 lexicon YAML, 2 LIWC
/// dictionary, 3 a lexicon YAML compiled and matched); the rest is the file. Any input must give
/// a value or errors with positions: never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: start + 1, count: count - 1), as: UTF8.self)
    switch start[0] % 4 {
    case 0: _ = try? PipelineReader.parse(text, file: "fuzz.yaml")
    case 1: _ = try? LexiconReader.readYAML(text, file: "lexicon.yaml")
    case 2: _ = try? LexiconReader.readLIWC(text, file: "lexicon.dic")
    default:
        guard let lexicon = try? LexiconReader.readYAML(text, file: "lexicon.yaml") else { return 0 }
        let suggestions = CodeSuggester(lexicon: lexicon).suggestions(in: corpus)
        // Evidence lies inside its turn, and each suggestion names a code of the lexicon.
        for suggestion in suggestions {
            guard lexicon.code(named: suggestion.code) != nil else { fatalError("unknown code \(suggestion.code)") }
            for evidence in suggestion.evidence
            where evidence.range.start < suggestion.range.start || evidence.range.end > suggestion.range.end {
                fatalError("evidence outside its turn")
            }
        }
    }
    return 0
}

@_cdecl("FuzzParsers_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzz(data, size) }
}
