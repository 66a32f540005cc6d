import Coding
import Corpus
import Foundation

/// The lexicon a pipeline names, read on another thread while the pipeline itself is parsed.
/// One after the other on the main thread, the two were 1.1 and 2.2 ms of a lexicon edit's
/// 24 (most of it Yams, the lexicon's 175 patterns, and the runtime's first look at Yams' types);
/// the second core is idle then. The lexicon's path is found in the pipeline's text by a plain
/// look for one `lexicon:` line; the parse finds the path it holds, and the lexicon read ahead
/// is used only when that is the same path (otherwise it is read then, as always). The same
/// function reads it either way, so the lexicon and its problems are the same.
final class LexiconAhead: Sendable {
    let file: String
    private let read: Deferred<Result<Lexicon, PipelineErrors>>

    /// nil when the text does not name one lexicon on a line of its own (`lexicon: path`, the
    /// path plain or simply quoted): flow style, more than one, none.
    init?(pipeline text: String, resolve: (String) -> String) {
        // Bytes by position, not Characters, Foundation's string search or slices of slices:
        // this runs on the main thread first thing, and the first use of each cost the runtime
        // a tenth of a millisecond or more.
        var text = text
        let found = text.withUTF8 { bytes -> String? in
            func blank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }
            let key = Array("lexicon:".utf8)
            var found: String?
            for line in bytes.lineRanges {
                var (from, to) = (line.lowerBound, line.upperBound)
                while from < to, bytes[from] == 0x20 || bytes[from] == 0x2D { from += 1 }  // indent, "- "
                guard to - from >= key.count, bytes[from..<from + key.count].elementsEqual(key) else { continue }
                guard found == nil else { return nil }
                from += key.count
                // A comment cut off, then blanks (and a Windows line end) on either side.
                if let hash = (from + 1..<max(from + 1, to)).first(where: { bytes[$0] == 0x23 && bytes[$0 - 1] == 0x20 }
                ) {
                    to = hash
                }
                while from < to, blank(bytes[from]) { from += 1 }
                while to > from, blank(bytes[to - 1]) { to -= 1 }
                guard from < to else { return nil }
                let first = bytes[from]
                if first == 0x22 || first == 0x27 {  // a path in quotes: plain inside, or left to the parse
                    guard to - from >= 2, bytes[to - 1] == first else { return nil }
                    (from, to) = (from + 1, to - 1)
                    if bytes[from..<to].contains(where: { $0 == first || $0 == 0x5C }) { return nil }
                } else if "[{&*!|>%@`".utf8.contains(first) {
                    return nil
                }
                guard from < to else { return nil }
                found = String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
            }
            return found
        }
        guard let found else { return nil }
        let file = resolve(found)
        self.file = file
        read = Deferred {
            do throws(PipelineErrors) {
                return .success(try LexiconReader.read(file))
            } catch {
                return .failure(error)
            }
        }
    }

    /// The lexicon at `file`: the one read `ahead` when it is that file, else read now.
    static func lexicon(at file: String, ahead: LexiconAhead?) throws(PipelineErrors) -> Lexicon {
        guard let ahead, ahead.file == file else { return try LexiconReader.read(file) }
        return try ahead.read.value.get()
    }
}
