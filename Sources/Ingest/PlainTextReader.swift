import Foundation

/// Reads plain-text transcripts: decoded by ``TextDecoder``, one line per source line.
struct PlainTextReader: TranscriptReader {
    var decoder = TextDecoder()

    func lines(of data: Data, file: String) throws -> [SourceLine] {
        var text = try decoder.decode(data, file: file)
        if text.containsByte(0) { text = text.replacingOccurrences(of: "\0", with: "") }
        // Split on bytes with memchr: splitting a String on Characters walks grapheme clusters,
        // and the generic byte split was a tenth of reading a text file.
        var ranges: [Range<Int>] = []
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var start = 0
            while start <= bytes.count {
                let rest = bytes.count - start
                let end =
                    memchr(base + start, 0x0A, rest).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) }
                    ?? bytes.count
                ranges.append(start..<end)
                start = end + 1
            }
        }
        // Cut from the decoded text (valid UTF-8 already): decoding each line again validated
        // every byte a second time.
        var lines = ranges.map { SourceLine(text: text.utf8Slice($0)) }
        while lines.last?.text.isEmpty == true { lines.removeLast() }
        return lines
    }
}

extension PlainTextReader {
    func read(_ data: Data, file: String) throws -> TranscriptSource {
        .lines(try lines(of: data, file: file))
    }
}
