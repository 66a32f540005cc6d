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
    /// Lookup keys of the configured labels (``SpeakerLabels/knownKeys``): a known `Name:` prefix
    /// needs no other evidence.
    var knownLabels: Set<String> = SpeakerLabels().knownKeys

    func turns(of data: Data, file: String) throws -> [SpokenTurn] {
        let text = try decoder.decode(data, file: file)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var cues: [Cue] = []
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
            cues.append(
                Cue(
                    start: start, end: end,
                    lines: block[(timingOffset + 1)...].map { payload in
                        let (voice, text) = Self.parsePayload(String(payload))
                        return (voice, text, voice == nil ? Self.namePrefix(of: text, known: knownLabels) : nil)
                    }))
        }
        // A `Name:` prefix is a speaker when it recurs, is a known label (`Interviewer`, `P3`), or heads a
        // cue in a file where more than half the cues start so (Zoom writes a name on every cue).
        // Otherwise it is what was said: `Here's the thing: …` in captions without speakers.
        var counts: [String: Int] = [:]
        var cuesWithText = 0
        var cuesWithName = 0
        for cue in cues {
            for line in cue.lines { if let prefix = line.prefix { counts[prefix.name, default: 0] += 1 } }
            guard let first = cue.lines.first(where: { !$0.text.isEmpty }) else { continue }
            cuesWithText += 1
            if first.prefix != nil { cuesWithName += 1 }
        }
        let namedLayout = cuesWithName * 2 > cuesWithText
        var turns: [SpokenTurn] = []
        var speaker = ""
        for cue in cues {
            let firstWithText = cue.lines.firstIndex { !$0.text.isEmpty }
            for (index, line) in cue.lines.enumerated() {
                var content = line.text
                if let voice = line.voice { speaker = voice }
                if let (name, rest) = line.prefix,
                    counts[name, default: 0] >= 2 || SpeakerLabels.isKnown(name, keys: knownLabels)
                        || (namedLayout && index == firstWithText)
                {
                    speaker = name
                    content = rest
                }
                guard !content.isEmpty else { continue }
                turns.append(SpokenTurn(speaker: speaker, text: content, start: cue.start, end: cue.end))
            }
        }
        return turns
    }

    /// One cue: its times and, per payload line, the voice tag's speaker, the text, and a `Name:`
    /// prefix the text may start with.
    private struct Cue {
        var start: Double
        var end: Double
        var lines: [(voice: String?, text: String, prefix: (name: String, rest: String)?)]
    }

    /// The start and end of a cue's timing line (`00:00:01.000 --> 00:00:04.000 align:start`), each
    /// nil when it is not a clock; nil for a line without exactly one arrow.
    static func cueTiming(_ line: some StringProtocol) -> (start: Double?, end: Double?)? {
        let parts = line.components(separatedBy: "-->")
        guard parts.count == 2 else { return nil }
        let end = parts[1].trimmingWhitespace().split(separator: " ").first.map(String.init) ?? ""
        return (parseClock(Array(parts[0].trimmingWhitespace().unicodeScalars)), parseClock(Array(end.unicodeScalars)))
    }

    /// Splits a cue payload line into its voice tag's speaker and its plain text.
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
        return (voice, decodeReferences(String(text)).trimmingWhitespace())
    }

    /// A `Name: ` at the start of a payload's text (Zoom): a name, a known label (`P3`, `Q1`) or a
    /// name with a bracketed note, and the text after it.
    static func namePrefix(of content: String, known: Set<String>) -> (name: String, rest: String)? {
        guard let colon = content.firstIndex(of: ":") else { return nil }
        let name = content[..<colon].trimmingWhitespace()
        let rest = content[content.index(after: colon)...]
        guard name.count <= 40, rest.first == " " || rest.isEmpty,
            SpeakerLabels.looksLikeName(name) || SpeakerLabels.isKnown(name, keys: known)
                || SpeakerLabels.looksLikeBracketedName(name)
        else { return nil }
        return (name, rest.trimmingWhitespace())
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
