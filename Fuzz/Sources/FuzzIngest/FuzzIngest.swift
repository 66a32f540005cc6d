import Corpus
import Foundation
import FuzzDriver
import Ingest
import TextAnalysis

/// libFuzzer entry: the first byte picks the reader's file name (and so the format hint), the
/// rest is the file. Any input must give a Document or an IngestError: never a crash or a hang;
/// and a document's turns tokenise, notes skipped and kept, into tokens inside each turn, and
/// its notes lie inside their turns.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let names = ["f.docx", "f.xml", "f.trs", "f.eaf", "f.vtt", "f.txt", "participants.csv", "f.srt", "f.odt", "f.rtf"]
    let name = names[Int(start[0]) % names.count]
    let data = Data(bytes: start + 1, count: count - 1)
    if name == "participants.csv" {
        _ = try? ParticipantsReader().read(data: data, file: name)
        return 0
    }
    if let document = try? Ingestor().read(data: data, source: name) {
        // The invariant every export relies on.
        for segment in document.segments where document.text(in: segment.range) != segment.text {
            fatalError("segment text and range disagree in \(name)")
        }
        var forms = Vocabulary()
        var surfaces = Vocabulary()
        for tokenizer in tokenizers {
            for segment in document.segments {
                let tokens = tokenizer.tokenize(segment.text, forms: &forms, surfaces: &surfaces)
                let scalars = segment.text.unicodeScalars.count
                var end: Int32 = 0
                for token in tokens {
                    if token.start < end || token.end <= token.start || Int(token.end) > scalars {
                        fatalError("a token outside its turn or before the one before it in \(name)")
                    }
                    end = token.end
                }
                if tokenizer.count(segment.text) != tokens.count { fatalError("token count disagrees in \(name)") }
            }
        }
        // Notes lie in order inside their turn, and each opens with a byte that may open one.
        for segment in document.segments {
            let bytes = Array(segment.text.utf8)
            var end = 0
            for range in Tokenizer.noteRanges(in: segment.text) {
                if range.lowerBound < end || range.upperBound > bytes.count || range.count < 2
                    || !"[(#".utf8.contains(bytes[range.lowerBound])
                {
                    fatalError("a note outside its turn or before the one before it in \(name)")
                }
                end = range.upperBound
            }
        }
        let notes = NoteTally(document: document)
        if notes.rows.reduce(0, { $0 + $1.count }) != notes.count { fatalError("note counts disagree in \(name)") }
    }
    return 0
}

/// The default tokeniser (notes skipped) and one that keeps them.
private let tokenizers: [Tokenizer] = {
    var keeping = Tokenizer.Options()
    keeping.annotations = true
    return [Tokenizer(), Tokenizer(options: keeping)]
}()

@_cdecl("FuzzIngest_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzz(data, size) }
}
