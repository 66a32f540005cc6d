import Corpus
import Foundation
import FuzzDriver
import Ingest

/// libFuzzer entry: the first byte picks the reader's file name (and so the format hint), the
/// rest is the file. Any input must give a Document or an IngestError: never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let names = ["f.docx", "f.xml", "f.trs", "f.eaf", "f.vtt", "f.txt", "participants.csv", "f.srt"]
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
    }
    return 0
}

@_cdecl("FuzzIngest_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzz(data, size) }
}
