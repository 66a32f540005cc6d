import Foundation

/// Reads plain-text transcripts: decoded by ``TextDecoder``, one line per source line.
struct PlainTextReader: TranscriptReader {
    var decoder = TextDecoder()

    func lines(of data: Data, file: String) throws -> [SourceLine] {
        var text = try decoder.decode(data, file: file)
        if text.utf8.contains(0) { text = text.replacingOccurrences(of: "\0", with: "") }
        // Split on bytes: splitting a String on Characters walks grapheme clusters.
        var lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map {
            SourceLine(text: String(decoding: $0, as: UTF8.self))
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
