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
        // Split at each LF byte: the decoded text has no CR, and a LF is a character of its own.
        let lines = Self.lines(of: text)
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
            let headerEnd = lines[1...].firstIndex(where: Self.isBlank) ?? lines.count
            index = lines[1..<headerEnd].contains(where: Self.holdsArrow) ? 1 : headerEnd
        }
        // Whether each `Name:` met so far may be a speaker's: Zoom writes one on every cue.
        var verdicts: [String: Bool] = [:]
        while index < lines.count {
            // Skip blank lines between blocks; read one block.
            while index < lines.count, Self.isBlank(lines[index]) { index += 1 }
            guard index < lines.count else { break }
            let blockStart = index
            while index < lines.count, !Self.isBlank(lines[index]) { index += 1 }
            let block = lines[blockStart..<index]
            guard let timingOffset = block.firstIndex(where: Self.holdsArrow) else {
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
                        let (voice, text) = Self.parsePayload(payload)
                        return (
                            voice, text,
                            voice == nil ? Self.namePrefix(of: text, known: knownLabels, verdicts: &verdicts) : nil
                        )
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
        var line = Substring(line)
        guard line.isAllASCII else { return characterCueTiming(line) }
        // ASCII, the timing lines of every tool, by bytes, as `characterCueTiming` reads it (a byte
        // is a character): strings made and split for each cue were a quarter of reading a Teams file.
        let arrows = Self.arrowOffsets(line)
        guard arrows.count == 1, let arrow = arrows.first else { return nil }
        return line.withUTF8 { bytes in
            func trimmed(_ part: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
                let blank = { (byte: UInt8) in Unicode.Scalar(byte).isBlank }
                guard let first = part.firstIndex(where: { !blank($0) }),
                    let last = part.lastIndex(where: { !blank($0) })
                else { return part[part.startIndex..<part.startIndex] }
                return part[first...last]
            }
            let end = trimmed(bytes[(arrow + 3)...]).prefix { $0 != 0x20 }
            return (
                parseClock(trimmed(bytes[..<arrow]).map { Unicode.Scalar($0) }),
                parseClock(end.map { Unicode.Scalar($0) })
            )
        }
    }

    /// ``cueTiming(_:)`` of any line, character by character.
    static func characterCueTiming(_ line: some StringProtocol) -> (start: Double?, end: Double?)? {
        let parts = line.components(separatedBy: "-->")
        guard parts.count == 2 else { return nil }
        let end = parts[1].trimmingWhitespace().split(separator: " ").first.map(String.init) ?? ""
        return (parseClock(Array(parts[0].trimmingWhitespace().unicodeScalars)), parseClock(Array(end.unicodeScalars)))
    }

    /// Splits a cue payload line into its voice tag's speaker and its plain text. Read by bytes:
    /// `<` and `>` are ASCII, never part of a longer UTF-8 sequence, so the text between tags is
    /// copied whole (appending it scalar by scalar was a third of reading a Teams file); a tag is
    /// read as a string, as before.
    static func parsePayload(_ line: some StringProtocol) -> (String?, String) {
        var line = Substring(line)
        // A line without tags or references (a Zoom cue's, most of all) is its text, trimmed:
        // one string made, not three.
        if !line.containsByte(0x3C) && !line.containsByte(0x26) { return (nil, line.trimmingWhitespace()) }
        return line.withUTF8 { bytes in
            var voice: String?
            var text: [UInt8] = []
            text.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                guard let open = bytes[index...].firstIndex(of: 0x3C),
                    let close = bytes[(open + 1)...].firstIndex(of: 0x3E)
                else {
                    text.append(contentsOf: bytes[index...])
                    break
                }
                text.append(contentsOf: bytes[index..<open])
                let tag = String(decoding: bytes[(open + 1)..<close], as: UTF8.self)
                if tag.hasPrefix("v ") || tag.hasPrefix("v.") {
                    // `<v.loud Jane Smith>`: the annotation follows the first space.
                    if let space = tag.firstIndex(of: " ") {
                        voice = decodeReferences(String(tag[tag.index(after: space)...])).trimmingWhitespace()
                    }
                }
                index = close + 1
            }
            return (voice, decodeReferences(String(decoding: text, as: UTF8.self)).trimmingWhitespace())
        }
    }

    /// A `Name: ` at the start of a payload's text (Zoom): a name, a known label (`P3`, `Q1`) or a
    /// name with a bracketed note, and the text after it.
    /// `verdicts` keeps each name's answer for the next cue that starts with it (the same few
    /// names on every cue of a Zoom file were a fifth of reading it).
    static func namePrefix(of content: String, known: Set<String>, verdicts: inout [String: Bool]) -> (
        name: String, rest: String
    )? {
        guard let colon = content.firstIndex(of: ":") else { return nil }
        let name = content[..<colon].trimmingWhitespace()
        let rest = content[content.index(after: colon)...]
        guard rest.first == " " || rest.isEmpty else { return nil }
        let mayBeName =
            verdicts[name]
            ?? (name.count <= 40
                && (SpeakerLabels.looksLikeName(name) || SpeakerLabels.isKnown(name, keys: known)
                    || SpeakerLabels.looksLikeBracketedName(name)))
        verdicts[name] = mayBeName
        guard mayBeName else { return nil }
        return (name, rest.trimmingWhitespace())
    }

    static func decodeReferences(_ text: String) -> String {
        guard text.containsByte(0x26) else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&nbsp;", with: "\u{A0}").replacingOccurrences(of: "&lrm;", with: "")
            .replacingOccurrences(of: "&rlm;", with: "").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}

extension WebVTTReader {
    /// Whether a line is empty or white space only (as trimming it would leave nothing).
    static func isBlank(_ line: Substring) -> Bool { line.unicodeScalars.allSatisfy(\.isBlank) }

    /// The text's lines, split at each LF byte.
    static func lines(of text: String) -> [Substring] {
        var text = text
        let ranges = text.withUTF8(\.lineRanges)
        let utf8 = text.utf8
        return ranges.map { range in
            text[
                utf8.index(
                    utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(
                        utf8.startIndex, offsetBy: range.upperBound)]
        }
    }

    /// Whether a line holds a cue timing's arrow: found by its bytes, and on a line of other than
    /// ASCII confirmed as before (Foundation's search, which takes a mark after the `>` with it).
    /// Foundation's search on every line was a sixth of reading a Teams file.
    static func holdsArrow(_ line: Substring) -> Bool {
        !arrowOffsets(line).isEmpty && (line.isAllASCII || line.contains("-->"))
    }

    /// The byte offsets of a line's `-->`s, left to right, none overlapping another (`memmem`).
    static func arrowOffsets(_ line: Substring) -> [Int] {
        func find(_ bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
            ("-->" as StaticString).withUTF8Buffer { arrow in
                var found: [Int] = []
                while let at = UnsafeRawBufferPointer(bytes).firstOffset(
                    of: UnsafeRawBufferPointer(arrow), from: found.last.map { $0 + 3 } ?? 0)
                {
                    found.append(at)
                }
                return found
            }
        }
        var line = line
        return line.withUTF8(find)
    }

    func read(_ data: Data, file: String) throws -> TranscriptSource {
        .turns(try turns(of: data, file: file))
    }
}
