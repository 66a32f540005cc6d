import Foundation

/// Reads plain-text transcripts: decoded by ``TextDecoder``, one line per source line.
struct PlainTextReader: TranscriptReader {
    var decoder = TextDecoder()

    func lines(of data: Data, file: String) throws -> [SourceLine] {
        var text = try decoder.decode(data, file: file)
        if text.containsByte(0) { text = text.replacingOccurrences(of: "\0", with: "") }
        // Split on bytes: splitting a String on Characters walks grapheme clusters, and the
        // generic byte split was a tenth of reading a text file.
        let ranges = text.withUTF8 { $0.lineRanges }
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
