import Foundation

/// Reads WebVTT captions as Teams and Zoom write them, and SubRip (`.srt`) captions as Otter,
/// Rev, YouTube and video editors export them: the same numbered cues without a header.
///
/// The speaker comes from a voice tag (`<v Jane Smith>…</v>`, Teams) or a `Name: text` payload
/// (Zoom); a cue without either continues the previous speaker. Consecutive cues of one speaker
/// merge into one turn that keeps the first cue's start time and the last cue's end time.
/// `NOTE`, `STYLE` and `REGION` blocks are skipped; other tags are stripped and character
/// references decoded.
struct WebVTTReader: TranscriptReader {
    var decoder = TextDecoder()
    /// SubRip: no header, and no `NOTE`, `STYLE` or `REGION` blocks.
    var subRip = false

    func turns(of data: Data, file: String) throws -> [SpokenTurn] {
        let text = try decoder.decode(data, file: file)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var turns: [SpokenTurn] = []
        var speaker = ""
        var index = 0
        if !subRip {
            guard let first = lines.first, first.hasPrefix("WEBVTT") else {
                throw IngestError(
                    .malformedTranscript, file: file, line: 1, column: 1,
                    message: "a WebVTT file must start with \"WEBVTT\"")
            }
            // The header runs to the first blank line: metadata such as YouTube's "Kind: captions"
            // and "Language: en". When a timing line is in it, the block is read as a cue whose
            // lines before the timing are ignored, as a cue identifier is (the standard would drop
            // that cue; a transcript's words are kept).
            let headerEnd = lines[1...].firstIndex { $0.trimmingWhitespace().isEmpty } ?? lines.count
            index = lines[1..<headerEnd].contains { $0.contains("-->") } ? 1 : headerEnd
        }
        while index < lines.count {
            // Skip blank lines between blocks; read one block.
            while index < lines.count, lines[index].trimmingWhitespace().isEmpty { index += 1 }
            guard index < lines.count else { break }
            let blockStart = index
            while index < lines.count, !lines[index].trimmingWhitespace().isEmpty { index += 1 }
            let block = lines[blockStart..<index]
            guard let timingOffset = block.firstIndex(where: { $0.contains("-->") }) else {
                let head = block.first ?? ""
                if !subRip, head.hasPrefix("NOTE") || head.hasPrefix("STYLE") || head.hasPrefix("REGION") { continue }
                throw IngestError(
                    .malformedTranscript, file: file, line: blockStart + 1, column: 1,
                    message:
                        "cue without a timing line (\"00:00:01\(subRip ? "," : ".")000 --> 00:00:04\(subRip ? "," : ".")000\")"
                )
            }
            guard let timing = Self.cueTiming(lines[timingOffset]), let start = timing.start, let end = timing.end
            else {
                throw IngestError(
                    .malformedTranscript, file: file, line: timingOffset + 1, column: 1,
                    message: "malformed cue timing \"\(lines[timingOffset])\"")
            }
            for payload in block[(timingOffset + 1)...] {
                let (voice, content) = Self.parsePayload(String(payload))
                if let voice { speaker = voice }
                guard !content.isEmpty else { continue }
                turns.append(SpokenTurn(speaker: speaker, text: content, start: start, end: end))
            }
        }
        return turns
    }

    /// The start and end of a cue's timing line (`00:00:01.000 --> 00:00:04.000 align:start`), each
    /// nil when it is not a clock; nil for a line without exactly one arrow.
    static func cueTiming(_ line: some StringProtocol) -> (start: Double?, end: Double?)? {
        let parts = line.components(separatedBy: "-->")
        guard parts.count == 2 else { return nil }
        let end = parts[1].trimmingWhitespace().split(separator: " ").first.map(String.init) ?? ""
        return (parseClock(Array(parts[0].trimmingWhitespace().unicodeScalars)), parseClock(Array(end.unicodeScalars)))
    }

    /// Splits a cue payload line into its speaker (voice tag or `Name:` prefix) and plain text.
    static func parsePayload(_ line: String) -> (String?, String) {
        var voice: String?
        var text = String.UnicodeScalarView()
        let scalars = Array(line.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "<", let close = scalars[index...].firstIndex(of: ">") {
                let tag = String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
                if tag.hasPrefix("v ") || tag.hasPrefix("v.") {
                    // `<v.loud Jane Smith>`: the annotation follows the first space.
                    if let space = tag.firstIndex(of: " ") {
                        voice = decodeReferences(String(tag[tag.index(after: space)...])).trimmingWhitespace()
                    }
                }
                index = close + 1
                continue
            }
            text.append(scalar)
            index += 1
        }
        var content = decodeReferences(String(text)).trimmingWhitespace()
        if voice == nil, let colon = content.firstIndex(of: ":") {
            let name = content[..<colon].trimmingWhitespace()
            let rest = content[content.index(after: colon)...]
            if name.count <= 40, rest.first == " " || rest.isEmpty,
                SpeakerLabels.looksLikeName(name) || SpeakerLabels.participantNumber(in: name) != nil
                    || SpeakerLabels.looksLikeBracketedName(name)
            {
                voice = name
                content = rest.trimmingWhitespace()
            }
        }
        return (voice, content)
    }

    static func decodeReferences(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&nbsp;", with: "\u{A0}").replacingOccurrences(of: "&lrm;", with: "")
            .replacingOccurrences(of: "&rlm;", with: "").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}

extension WebVTTReader {
    func read(_ data: Data, file: String) throws -> TranscriptSource {
        .turns(try turns(of: data, file: file))
    }
}
