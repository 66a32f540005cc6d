import Foundation

/// Reads plain-text transcripts: decoded by ``TextDecoder``, one line per source line.
struct PlainTextReader: TranscriptReader {
    var decoder = TextDecoder()

    func lines(of data: Data, file: String) throws -> [SourceLine] {
        var text = try decoder.decode(data, file: file)
        if text.containsByte(0) { text = text.replacingOccurrences(of: "\0", with: "") }
        // Split on bytes with memchr: splitting a String on Characters walks grapheme clusters,
        // and the generic byte split was a tenth of reading a text file.
        var lines: [SourceLine] = []
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var start = 0
            while start <= bytes.count {
                let rest = bytes.count - start
                let end =
                    memchr(base + start, 0x0A, rest).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) }
                    ?? bytes.count
                lines.append(
                    SourceLine(text: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
                )
                start = end + 1
            }
        }
        while lines.last?.text.isEmpty == true { lines.removeLast() }
        return lines
    }
}

extension PlainTextReader {
    func read(_ data: Data, file: String) throws -> TranscriptSource {
        .lines(try lines(of: data, file: file))
    }
}
