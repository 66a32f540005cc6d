import Foundation

/// Reads plain-text transcripts: decoded by ``TextDecoder``, one line per source line.
struct PlainTextReader: TranscriptReader {
    var decoder = TextDecoder()

    func lines(of data: Data, file: String) throws -> [SourceLine] {
        var text = try decoder.decode(data, file: file)
        if text.utf8.contains(0) { text = text.replacingOccurrences(of: "\0", with: "") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { SourceLine(text: String($0)) }
        while lines.last?.text.isEmpty == true { lines.removeLast() }
        return lines
    }
}

extension PlainTextReader {
    func read(_ data: Data, file: String) throws -> TranscriptSource {
        .lines(try lines(of: data, file: file))
    }
}
