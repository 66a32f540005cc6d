import Corpus

/// Splits lines of a Word or text transcript into speaker turns at speaker labels.
///
/// A label line starts a turn; lines without a label continue it. A label in Markdown emphasis
/// (`**Jane Smith:**`) counts as a bold one, a known one may stand in brackets (`[P3]`) or end in
/// a full stop (`Q.`, when it recurs), and a name may stand alone on the line above the words
/// (see ``nameLineSpeakers(_:_:)``), after a time (``timedNameSpeakers(_:_:)``) or, in a
/// transcript without other labels, before a dash (``unlabelledLayoutSpeakers(_:_:)``). A leading
/// timestamp (`[00:01:23]`, `00:01:23`), one between label and colon (`Jane Smith (00:01:23):`,
/// as Rev writes) or right after it, a header line's (`Jane Smith   0:03`, `[Jane Smith]
/// 14:02:33`, see ``headerLine(_:time:)``) or a cue timing line (`0:0:3.2 --> 0:0:5.9`, older
/// Teams transcripts) is kept as the turn's start time, not as text. Ranges of the resulting
/// turns cover only turn text, never labels or timestamps, so `text[range]` is exactly what the
/// speaker said.
/// Immutable after `init`; `Regex<AnyRegexOutput>` is not declared `Sendable`, hence unchecked.
struct LineSegmenter: @unchecked Sendable {
    /// What the start of one line holds.
    struct Head: Equatable {
        enum Kind: Equatable {
            case none  // plain continuation text
            case timestampOnly  // a timestamp and nothing else
            case label  // a label the rules accept on its own
            case nameCandidate  // a `Name:` accepted when bold, in a table or recurring
            case header  // `Name   0:03` on a line of its own
            case timedName  // `00:00:03 Name` on a line of its own: a header when the name recurs
        }
        var kind: Kind = .none
        var label: String?
        var time: Double?
        /// Scalars from the line start to where the spoken text begins.
        var contentOffset = 0
        /// Scalars from the line start to the end of the label itself.
        var labelEnd = 0
        /// The time stands between label and colon, not at the line's start.
        var timeIsInLabel = false
        /// A cue's timing alone on the line (`0:0:3.2 --> 0:0:5.9`): the next line may name the
        /// speaker.
        var isCueTiming = false
    }

    let labels: SpeakerLabels
    /// ``SpeakerLabels/knownKeys`` of `labels`.
    let knownKeys: Set<String>
    private let patterns: [Regex<AnyRegexOutput>]

    /// Throws when one of `labels.patterns` is not a valid regular expression.
    init(labels: SpeakerLabels) throws {
        self.labels = labels
        knownKeys = labels.knownKeys
        patterns = try labels.patterns.map { try Regex($0) }
    }

    func segment(_ source: [SourceLine]) -> TranscriptDraft {
        let numbered = Self.withoutLineNumbers(source)
        let lines = numbered ?? source
        var labelKinds: [String: Head.Kind] = [:]
        var heads = lines.map { head(of: $0, labelKinds: &labelKinds) }
        nameLineSpeakers(lines, &heads)
        timedNameSpeakers(lines, &heads)
        tableHeaderRows(lines, &heads)
        unlabelledLayoutSpeakers(lines, &heads)
        let underHeaders = candidatesUnderHeaders(lines, heads)
        var candidateCounts: [String: Int] = [:]
        // Numbered labels recur by their base: `Q1.`, `Q2.` are one label's lines.
        func recurrenceKey(_ label: String?) -> String {
            guard let label, let (base, _) = SpeakerLabels.numbered(label) else { return label ?? "" }
            return base
        }
        // A label taken on its own counts too (`Q.` recurs with `Q:`), when it shares its key
        // with a candidate. Each distinct label's key is worked out once, and only when some
        // line is a candidate.
        let candidateKeys = Set(
            heads.indices.lazy.filter { heads[$0].kind == .nameCandidate && !underHeaders.contains($0) }
                .map { recurrenceKey(heads[$0].label) })
        if !candidateKeys.isEmpty {
            var keys = LabelTally<String?>()
            for (number, head) in heads.enumerated()
            where (head.kind == .nameCandidate && !underHeaders.contains(number)) || head.kind == .label {
                let position = keys.position(of: head.label ?? "") { label in
                    let key = recurrenceKey(label)
                    return candidateKeys.contains(key) ? key : nil
                }
                if let key = keys[position] { candidateCounts[key, default: 0] += 1 }
            }
        }
        let threshold = labels.recurringNameThreshold

        var text = ""
        var turns: [TranscriptDraft.Turn] = []
        var open: TranscriptDraft.Turn?
        var openHasText = false
        var offset = 0
        var byteOffset = 0

        func close() {
            if let turn = open, openHasText { turns.append(turn) }
            open = nil
            openHasText = false
        }

        for (number, line) in lines.enumerated() {
            if number > 0 {
                text += "\n"
                offset += 1
                byteOffset += 1
            }
            let lineStart = offset
            let lineStartByte = byteOffset
            let scalars = line.text.unicodeScalars
            let scalarCount = line.text.scalarCount
            text += line.text
            offset += scalarCount
            byteOffset += line.text.utf8.count

            var head = heads[number]
            if head.kind == .nameCandidate {
                let bold = line.boldPrefix > 0 && line.boldPrefix >= head.labelEnd
                let recurring = threshold > 0 && candidateCounts[recurrenceKey(head.label), default: 0] >= threshold
                // A table's header row ("Speaker | Transcript") is bold and alone: only a
                // recurring first cell of a table counts as a name.
                if !underHeaders.contains(number) && (recurring || (bold && !line.isTableRow)) {
                    head.kind = .label
                } else {
                    // A time inside the name (`Jane Smith (00:01:23):`) goes with it.
                    let time = head.timeIsInLabel ? nil : head.time
                    head = Head(kind: time == nil ? .none : .timestampOnly, time: time)
                    if head.kind == .timestampOnly {
                        head.contentOffset = Array(scalars.prefix(labels.maximumLabelLength + 40))
                            .withUnsafeBufferPointer(contentStart(afterTimestampIn:))
                    }
                }
            }
            let structural = line.isTableRow || line.boldPrefix > 0

            var contentFrom = 0
            switch head.kind {
            case .label, .header:
                close()
                open = TranscriptDraft.Turn(
                    label: head.label, range: ScalarRange(start: 0, end: 0), start: head.time,
                    labelIsStructural: structural || head.kind == .header)
                contentFrom = head.kind == .header ? scalarCount : head.contentOffset
            case .timestampOnly:
                let label = open?.label
                let structuralLabel = open?.labelIsStructural ?? false
                close()
                open = TranscriptDraft.Turn(
                    label: label, range: ScalarRange(start: 0, end: 0), start: head.time,
                    labelIsStructural: structuralLabel)
                contentFrom = head.contentOffset
            case .none, .nameCandidate, .timedName:
                contentFrom = 0
            }

            guard let bounds = trimmedBounds(line.text, count: scalarCount, from: contentFrom) else { continue }
            if open == nil {
                open = TranscriptDraft.Turn(label: nil, range: ScalarRange(start: 0, end: 0))
            }
            if !openHasText {
                open?.range.start = lineStart + bounds.start
                open?.utf8Range = (lineStartByte + bounds.startByte)..<(lineStartByte + bounds.startByte)
                openHasText = true
            }
            open?.range.end = lineStart + bounds.end
            if let first = open?.utf8Range.lowerBound { open?.utf8Range = first..<(lineStartByte + bounds.endByte) }
        }
        close()
        let notes = numbered == nil ? [] : ["the line numbers at the start of its lines are left out of the text"]
        return TranscriptDraft(text: text, turns: turns, notes: notes)
    }

    /// The lines without their numbers, when they are numbered as conversation-analysis
    /// transcripts are (`01  DOC:  so how`, `02        today`): at least three lines, and four
    /// in five of those not blank, start with a number of up to five digits and blanks, the
    /// numbers rising from one such line to the next nine times in ten. Nil when they are not:
    /// numbers at the start of a few lines are what was said.
    static func withoutLineNumbers(_ lines: [SourceLine]) -> [SourceLine]? {
        var widths = [Int](repeating: 0, count: lines.count)
        var nonBlank = 0
        var numbered = 0
        var rising = 0
        var previous: Int?
        for (number, line) in lines.enumerated() {
            let bytes = line.text.utf8
            guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            nonBlank += 1
            guard (0x30...0x39).contains(first) else { continue }
            var index = bytes.startIndex
            var width = 0
            var value = 0
            var digits = 0
            while index < bytes.endIndex, bytes[index] == 0x20 || bytes[index] == 0x09 {
                bytes.formIndex(after: &index)
                width += 1
            }
            while index < bytes.endIndex, (0x30...0x39).contains(bytes[index]), digits < 6 {
                value = value * 10 + Int(bytes[index] - 0x30)
                digits += 1
                bytes.formIndex(after: &index)
                width += 1
            }
            guard digits <= 5, index < bytes.endIndex, bytes[index] == 0x20 || bytes[index] == 0x09 else { continue }
            while index < bytes.endIndex, bytes[index] == 0x20 || bytes[index] == 0x09 {
                bytes.formIndex(after: &index)
                width += 1
            }
            widths[number] = width
            numbered += 1
            if let previous, value > previous { rising += 1 }
            previous = value
        }
        guard numbered >= 3, numbered * 5 >= nonBlank * 4, rising * 10 >= (numbered - 1) * 9 else { return nil }
        return lines.indices.map { number in
            var line = lines[number]
            let width = widths[number]
            guard width > 0 else { return line }
            line.text = String(Substring(line.text.utf8.dropFirst(width)))
            line.boldPrefix = max(0, line.boldPrefix - width)
            return line
        }
    }

    /// Speakers named alone on a line, above what they said: after a cue's timing (older Teams
    /// transcripts: `0:0:3.2 --> 0:0:5.9`, then `Jane Smith`) or before a time alone on its line,
    /// set in bold (a Word layout that gives the name a paragraph of its own) or in capitals
    /// (`JANE SMITH`), or a known label without its colon. Such a line is a header when its name
    /// heads at least ``SpeakerLabels/recurringNameThreshold`` turns so, or is a known label next
    /// to a timing: a bold heading, or a one-word answer after the timing of captions without
    /// names, is not taken for a speaker.
    private func nameLineSpeakers(_ lines: [SourceLine], _ heads: inout [Head]) {
        var candidates: [(line: Int, name: String, time: Double?, sure: Bool)] = []
        for number in heads.indices.dropLast()
        where heads[number].kind == .none && !lines[number].isTableRow && !heads[number + 1].isCueTiming
            && lines[number].text.utf8.count <= 4 * labels.maximumLabelLength
        {
            let line = lines[number]
            let name = line.text.trimmingWhitespace()
            guard !name.isEmpty, name.unicodeScalars.count <= labels.maximumLabelLength,
                !lines[number + 1].text.trimmingWhitespace().isEmpty
            else { continue }
            let known = isKnownLabel(name)
            let afterTiming = number > 0 && heads[number - 1].isCueTiming
            let next = heads[number + 1]
            let beforeTime = next.kind == .timestampOnly && next.contentOffset >= lines[number + 1].text.scalarCount
            // Bold to its last character (the blanks after it aside).
            let visible =
                line.text.unicodeScalars.count - line.text.unicodeScalars.reversed().prefix { $0.isBlank }.count
            let bold = line.boldPrefix > 0 && line.boldPrefix >= visible
            guard
                known
                    || ((afterTiming || beforeTime || bold || Self.isCapitalised(name))
                        && SpeakerLabels.looksLikeName(name) && !Self.endsASentence(name))
            else { continue }
            let time = afterTiming ? heads[number - 1].time : beforeTime ? next.time : nil
            candidates.append((number, name, time, known && (afterTiming || beforeTime)))
        }
        guard !candidates.isEmpty else { return }
        var counts: [String: Int] = [:]
        for candidate in candidates { counts[candidate.name, default: 0] += 1 }
        let threshold = labels.recurringNameThreshold
        for (number, name, time, sure) in candidates
        where sure || (threshold > 0 && counts[name, default: 0] >= threshold) {
            heads[number] = Head(
                kind: .header, label: name, time: time, contentOffset: lines[number].text.unicodeScalars.count)
        }
    }

    /// A time, then a name alone on the line (`00:00:03 Jane Smith`, `[00:00:03] - P3`, as Word's
    /// Transcribe and other tools write above each turn): a header when the next line holds plain
    /// text and the name heads ``SpeakerLabels/recurringNameThreshold`` turns so, or is a known
    /// label. Otherwise the name is what was said at that time (captions without speakers: `[00:01]
    /// Okay`, then `[00:02] we start.`).
    private func timedNameSpeakers(_ lines: [SourceLine], _ heads: inout [Head]) {
        var counts: [String: Int] = [:]
        for head in heads where head.kind == .timedName { counts[head.label ?? "", default: 0] += 1 }
        guard !counts.isEmpty else { return }
        let threshold = labels.recurringNameThreshold
        for number in heads.indices where heads[number].kind == .timedName {
            let name = heads[number].label ?? ""
            // A `Word:` opening the text is text under a header (``candidatesUnderHeaders``).
            let textFollows =
                number + 1 < lines.count
                && (heads[number + 1].kind == .none || heads[number + 1].kind == .nameCandidate)
                && !lines[number + 1].text.trimmingWhitespace().isEmpty
            if textFollows && (isKnownLabel(name) || (threshold > 0 && counts[name, default: 0] >= threshold)) {
                heads[number].kind = .header
                heads[number].contentOffset = lines[number].text.scalarCount
            } else {
                heads[number].kind = .timestampOnly
                heads[number].label = nil
            }
        }
    }

    /// The lines of name candidates that open the words of a turn a header names (`Jane Smith
    /// 0:03`, then `The: first of all…`; blank lines and a time alone may stand between): the
    /// speaker's words, never a speaker, and not counted towards a name's recurring. A header
    /// already says who speaks, and no tool writes a label under one: a turn opening `The:` twice
    /// in a file was read as a speaker "The" and took the header's turn.
    private func candidatesUnderHeaders(_ lines: [SourceLine], _ heads: [Head]) -> Set<Int> {
        guard heads.contains(where: { $0.kind == .nameCandidate }),
            heads.contains(where: { $0.kind == .header && $0.label != nil })
        else { return [] }
        var under: Set<Int> = []
        var awaitingText = false
        for number in heads.indices {
            let head = heads[number]
            if head.kind == .header {
                // A table's header row names no one.
                awaitingText = head.label != nil
            } else if head.kind == .timestampOnly && head.contentOffset >= lines[number].text.scalarCount {
                continue
            } else if !lines[number].text.trimmingWhitespace().isEmpty {
                if awaitingText && head.kind == .nameCandidate { under.insert(number) }
                awaitingText = false
            }
        }
        return under
    }

    /// A table's header row (`Speaker | Transcript`, `Time | Name | Text`): every cell a column's
    /// name. It starts no turn and is no one's words; each row after it names its speaker.
    private func tableHeaderRows(_ lines: [SourceLine], _ heads: inout [Head]) {
        for number in lines.indices where lines[number].isTableRow && lines[number].text.utf8.count <= 120 {
            let cells = lines[number].text.split(separator: "\t").map { SpeakerLabels.key(String($0)) }
                .filter { !$0.isEmpty }
            guard cells.count >= 2, cells.allSatisfy(Self.columnNames.contains) else { continue }
            heads[number] = Head(kind: .header, contentOffset: lines[number].text.scalarCount)
        }
    }

    /// Names of a transcript table's columns, as ``SpeakerLabels/key(_:)`` gives them.
    private static let columnNames: Set<String> = [
        "speaker", "speakers", "name", "who", "person", "role", "time", "timestamp", "timecode", "start", "end",
        "begin", "duration", "transcript", "transcription", "text", "utterance", "turn", "dialogue", "content",
        "speech", "what was said", "comment", "comments", "note", "notes", "line", "#", "no", "nr", "id",
    ]

    /// In a transcript with no label of any other form: a name with a dash before the words
    /// (`Interviewer - How?`, `Jane Smith – Well…`) or a name alone on its line above them. Such
    /// forms are also speech (`I - I think`, `Yeah` on a line of its own), so they count only as
    /// the document's layout: at least two names, each heading
    /// ``SpeakerLabels/recurringNameThreshold`` turns or more, together heading a quarter of its
    /// lines; and a word said again after the dash is a stammer, not a label.
    private func unlabelledLayoutSpeakers(_ lines: [SourceLine], _ heads: inout [Head]) {
        let threshold = labels.recurringNameThreshold
        guard threshold > 0,
            !heads.contains(where: { $0.kind == .label || $0.kind == .header || $0.kind == .nameCandidate })
        else { return }
        var candidates: [(line: Int, name: String, content: Int)] = []
        var nonBlank = 0
        for number in lines.indices where heads[number].kind == .none && !lines[number].isTableRow {
            let line = lines[number]
            guard !line.text.trimmingWhitespace().isEmpty else { continue }
            nonBlank += 1
            if let (name, content) = dashLabel(line.text) {
                candidates.append((number, name, content))
                continue
            }
            guard number + 1 < lines.count, heads[number + 1].kind == .none,
                !lines[number + 1].text.trimmingWhitespace().isEmpty,
                let name = nameAlone(Array(line.text.unicodeScalars.prefix(labels.maximumLabelLength + 9)))
            else { continue }
            candidates.append((number, name, line.text.scalarCount))
        }
        var counts: [String: Int] = [:]
        for candidate in candidates { counts[candidate.name, default: 0] += 1 }
        let accepted = candidates.filter { counts[$0.name, default: 0] >= threshold }
        guard Set(accepted.map(\.name)).count >= 2, accepted.count * 4 >= nonBlank else { return }
        for (number, name, content) in accepted {
            let alone = content >= lines[number].text.scalarCount
            heads[number] = Head(kind: alone ? .header : .label, label: name, contentOffset: content)
        }
    }

    /// `Name - words` (a hyphen, en or em dash between blanks): the name and where the words
    /// start, unless the words start with the name again (a stammer: `I - I think`).
    private func dashLabel(_ text: String) -> (String, Int)? {
        let scalars = Array(text.unicodeScalars.prefix(labels.maximumLabelLength + 4))
        guard
            let dash = scalars.indices.dropFirst().dropLast().first(where: {
                (scalars[$0] == "-" || scalars[$0] == "\u{2013}" || scalars[$0] == "\u{2014}")
                    && scalars[$0 - 1].isBlank && scalars[$0 + 1].isBlank
            })
        else { return nil }
        let name = String(String.UnicodeScalarView(scalars[..<dash])).trimmingWhitespace()
        guard !name.isEmpty, name.unicodeScalars.count <= labels.maximumLabelLength,
            SpeakerLabels.looksLikeName(name) || isKnownLabel(name)
        else { return nil }
        var content = dash + 1
        while content < scalars.count, scalars[content].isBlank { content += 1 }
        let words = text.unicodeScalars.dropFirst(content)
        guard !words.isEmpty else { return nil }
        let firstWord = String(String.UnicodeScalarView(words.prefix { $0.properties.isAlphabetic || $0 == "'" }))
        let nameWord = String(name.unicodeScalars.prefix { $0.properties.isAlphabetic || $0 == "'" })
        if !firstWord.isEmpty, firstWord.lowercased() == nameWord.lowercased() { return nil }
        return (name, content)
    }

    /// Letters all capitals, three or more (`JANE SMITH`, `DR BELLO`; not `OK`).
    private static func isCapitalised(_ name: String) -> Bool {
        var letters = 0
        for scalar in name.unicodeScalars where scalar.properties.isAlphabetic {
            guard scalar.properties.isUppercase else { return false }
            letters += 1
        }
        return letters >= 3
    }

    /// A name does not end as a sentence does (`Okay.`, `Really?`); an initial may end it
    /// (`Jane S.`, `J.S.`).
    private static func endsASentence(_ name: String) -> Bool {
        let scalars = name.unicodeScalars
        guard let last = scalars.last else { return false }
        if last == "." { return scalars.dropLast().last?.properties.isLowercase ?? false }
        return last == "?" || last == "!" || last == "," || last == "…"
    }

    /// The first and past-the-last non-blank scalar of a line from `from` on, as scalar and as
    /// UTF-8 offsets. Works on the line's scalar view (no array per line: this runs for every
    /// line of a corpus).
    private func trimmedBounds(_ line: String, count: Int, from: Int) -> (
        start: Int, end: Int, startByte: Int, endByte: Int
    )? {
        let scalars = line.unicodeScalars
        guard from < count else { return nil }
        var index = scalars.index(scalars.startIndex, offsetBy: from)
        var start = from
        while index < scalars.endIndex, scalars[index].isBlank {
            scalars.formIndex(after: &index)
            start += 1
        }
        guard index < scalars.endIndex else { return nil }
        var endIndex = scalars.endIndex
        var end = count
        while end > start {
            let previous = scalars.index(before: endIndex)
            guard scalars[previous].isBlank else { break }
            endIndex = previous
            end -= 1
        }
        let utf8 = line.utf8
        return (
            start, end, utf8.distance(from: utf8.startIndex, to: index),
            utf8.distance(from: utf8.startIndex, to: endIndex)
        )
    }

    // MARK: - Reading the start of one line

    /// `labelKinds` remembers what each label text is (known, a name candidate or neither): a
    /// transcript repeats a few labels on thousands of lines. (An array of scalars per line, a
    /// label String built scalar by scalar and the label rules run again on every line were a
    /// seventh of reading a Word file.)
    func head(of line: SourceLine, labelKinds: inout [String: Head.Kind]) -> Head {
        if !patterns.isEmpty, let custom = customHead(line.text) { return custom }
        // The line's first scalars in a stack buffer, not an array per line.
        let capacity = labels.maximumLabelLength + 40
        return withUnsafeTemporaryAllocation(of: Unicode.Scalar.self, capacity: capacity) { buffer in
            var text = line.text
            let (count, isWholeLine) = text.withUTF8 { Self.decode($0, into: buffer) }
            return head(
                of: line, start: UnsafeBufferPointer(rebasing: buffer[..<count]), isWholeLine: isWholeLine,
                labelKinds: &labelKinds)
        }
    }

    /// Decodes the first scalars of UTF-8 into `buffer`, byte by byte while they are ASCII (the
    /// scalar view's iterator was a fiftieth of reading a Word file); returns how many, and
    /// whether they are the whole line.
    private static func decode(
        _ bytes: UnsafeBufferPointer<UInt8>, into buffer: UnsafeMutableBufferPointer<Unicode.Scalar>
    ) -> (Int, Bool) {
        var count = 0
        var offset = 0
        while count < buffer.count, offset < bytes.count, bytes[offset] < 0x80 {
            buffer.initializeElement(at: count, to: Unicode.Scalar(bytes[offset]))
            count += 1
            offset += 1
        }
        guard offset < bytes.count else { return (count, true) }
        var rest = UnsafeBufferPointer(rebasing: bytes[offset...]).makeIterator()
        var decoder = UTF8()
        while true {
            let scalar: Unicode.Scalar
            switch decoder.decode(&rest) {
            case .scalarValue(let value): scalar = value
            case .emptyInput: return (count, true)
            case .error: scalar = "\u{FFFD}"
            }
            guard count < buffer.count else { return (count, false) }
            buffer.initializeElement(at: count, to: scalar)
            count += 1
        }
    }

    private func head(
        of line: SourceLine, start scalars: UnsafeBufferPointer<Unicode.Scalar>, isWholeLine: Bool,
        labelKinds: inout [String: Head.Kind]
    ) -> Head {
        var index = skipBlanks(scalars, from: 0)
        var time: Double?
        if let (seconds, next) = timestamp(in: scalars, at: index) {
            time = seconds
            index = skipBlanks(scalars, from: next)
            if let end = cueEnd(in: scalars, at: index), end == scalars.count, isWholeLine {
                return Head(kind: .timestampOnly, time: time, contentOffset: end, isCueTiming: true)
            }
            if index < scalars.count, scalars[index] == "-" || scalars[index] == "–" {
                index = skipBlanks(scalars, from: index + 1)
            }
            if index >= scalars.count && isWholeLine {
                return Head(kind: .timestampOnly, time: time, contentOffset: index)
            }
            if isWholeLine, let name = nameAlone(scalars[index...]) {
                return Head(kind: .timedName, label: name, time: time, contentOffset: index)
            }
        }
        if let header = headerLine(line.text, time: time) { return header }
        // Where the words start if the line has no label: a list marker before one stays text.
        let textStart = index
        // `1. Interviewer:`, `2) P3:`: only a known label may follow a number, which otherwise
        // starts a numbered point (`1. First: …`).
        var afterNumber = false
        if time == nil {
            let marked = afterListMarker(scalars, at: index)
            if marked == index, let numbered = afterNumberMarker(scalars, at: index) {
                index = numbered
                afterNumber = true
            } else {
                index = marked
            }
        }

        if let bracketed = bracketedLabel(in: scalars, at: index, time: time) { return bracketed }

        // Markdown emphasis around a label (`**Interviewer:**`, `**P3**:`, `__Jane Smith:__`), as
        // note and chat apps export transcripts: plain text's bold label, taken as Word's is.
        var emphasis: Unicode.Scalar?
        if index + 2 < scalars.count, scalars[index] == "*" || scalars[index] == "_",
            scalars[index + 1] == scalars[index]
        {
            emphasis = scalars[index]
            index += 2
        }
        /// Whether the emphasis closes at `at` (two markers).
        func closesEmphasis(_ at: Int) -> Bool {
            guard let emphasis, at + 1 < scalars.count else { return false }
            return scalars[at] == emphasis && scalars[at + 1] == emphasis
        }

        // A label ends at the first `:` (followed by a blank or the line end), full-width `：`
        // (Chinese, Japanese) or tab, or at a bracketed time followed by one (`Jane Smith
        // (00:01:23):`).
        var end = index
        let limit = min(scalars.count, index + labels.maximumLabelLength + 1)
        var afterLabel: Int?
        // `Q. How?`: a short known label and a full stop, taken when it recurs (as a name is).
        let stopLimit = min(scalars.count - 1, index + 4)
        if emphasis == nil, !afterNumber, stopLimit > index + 1, ("A"..."Z").contains(scalars[index]),
            let stop = (index + 1..<stopLimit).first(where: { scalars[$0] == "." }), scalars[stop + 1].isBlank,
            case let label = Self.string(scalars[index..<stop]), isKnownLabel(label)
        {
            return Head(
                kind: .nameCandidate, label: label, time: time, contentOffset: skipBlanks(scalars, from: stop + 1),
                labelEnd: stop)
        }
        while end < limit, scalars[end] != ":", scalars[end] != "\t", scalars[end] != "\u{FF1A}" {
            if time == nil, end > index, scalars[end] == "(" || scalars[end] == "[",
                let (seconds, next) = timestamp(in: scalars, at: end)
            {
                let colon = skipBlanks(scalars, from: next)
                if colon < scalars.count, scalars[colon] == ":",
                    colon + 1 == scalars.count ? isWholeLine : scalars[colon + 1].isBlank
                {
                    time = seconds
                    afterLabel = colon
                    break
                }
            }
            end += 1
        }
        guard end < limit, end > index else {
            return Head(kind: time == nil ? .none : .timestampOnly, time: time, contentOffset: textStart)
        }
        if scalars[end] == ":", end + 1 < scalars.count, !scalars[end + 1].isBlank, !closesEmphasis(end + 1) {
            return Head(kind: time == nil ? .none : .timestampOnly, time: time, contentOffset: textStart)
        }
        // `**P3**:` closes before the colon, `**P3:**` after it.
        let labelEnd = end >= index + 2 && closesEmphasis(end - 2) ? end - 2 : end
        let label = Self.string(scalars[index..<labelEnd]).trimmingWhitespace()
        var content = skipBlanks(scalars, from: (afterLabel ?? end) + 1)
        if labelEnd == end, closesEmphasis(content) { content = skipBlanks(scalars, from: content + 2) }
        // A time in brackets right after the colon (`Jane Smith: [00:01:23] Well`) is the label's.
        var timeAfterColon = false
        if time == nil, content < scalars.count, scalars[content] == "[" || scalars[content] == "(",
            let (seconds, next) = timestamp(in: scalars, at: content)
        {
            time = seconds
            content = skipBlanks(scalars, from: next)
            timeAfterColon = true
        }
        let timeIsInLabel = afterLabel != nil || timeAfterColon
        let kind: Head.Kind
        if let known = labelKinds[label] {
            kind = known
        } else {
            kind = labelKind(label)
            labelKinds[label] = kind
        }
        switch kind {
        case .label,
            .nameCandidate where emphasis != nil && !afterNumber:
            return Head(kind: .label, label: label, time: time, contentOffset: content)
        case .nameCandidate where !afterNumber:
            return Head(
                kind: .nameCandidate, label: label, time: time, contentOffset: content, labelEnd: end,
                timeIsInLabel: timeIsInLabel)
        default:
            // Not a label: a time inside it is text too.
            if timeIsInLabel { return Head() }
            return Head(kind: time == nil ? .none : .timestampOnly, time: time, contentOffset: textStart)
        }
    }

    /// A String of a few scalars, encoded straight to UTF-8 (`String.UnicodeScalarView`'s
    /// generic append was a quarter of finding labels).
    private static func string(_ scalars: Slice<UnsafeBufferPointer<Unicode.Scalar>>) -> String {
        String(unsafeUninitializedCapacity: scalars.count * 4) { bytes in
            var count = 0
            for scalar in scalars {
                UTF8.encode(scalar) { byte in
                    bytes[count] = byte
                    count += 1
                }
            }
            return count
        }
    }

    private func customHead(_ text: String) -> Head? {
        for pattern in patterns {
            guard let match = try? pattern.prefixMatch(in: text) else { continue }
            let label = match.output["label"]?.substring.map(String.init)?.trimmingWhitespace()
            let time = match.output["time"]?.substring.flatMap { parseClock(Array($0.unicodeScalars)) }
            let consumed = text[..<match.range.upperBound].unicodeScalars.count
            let isWholeLine = match.range.upperBound == text.endIndex
            if let label, !label.isEmpty {
                return Head(kind: isWholeLine ? .header : .label, label: label, time: time, contentOffset: consumed)
            }
            return Head(kind: .timestampOnly, time: time, contentOffset: consumed)
        }
        return nil
    }

    /// What a `label:` is: known, a name (which must recur or be bold), or neither. A name may
    /// be qualified (`Jane Smith (Interviewer)`, `Ade Bello (P3)`, `Jane Smith, interviewer`): by
    /// a known label, it is known; in brackets, by anything short, it is a name.
    private func labelKind(_ label: String) -> Head.Kind {
        if isKnownLabel(label) { return .label }
        if SpeakerLabels.looksLikeName(label, caseless: true) { return .nameCandidate }
        guard let (name, qualifier, bracketed) = SpeakerLabels.qualified(label) else { return .none }
        if (isKnownLabel(qualifier) && (SpeakerLabels.looksLikeName(name) || isKnownLabel(name)))
            || (bracketed && isKnownLabel(name))
        {
            return .label
        }
        // `P3 - GP:`, `Interviewer, Jane Smith:`: a known label of two letters or more, then
        // something name-like; taken when it recurs, as a name is (`I, for one:` is speech).
        if !bracketed, name.unicodeScalars.count >= 2, isKnownLabel(name),
            qualifier.split(separator: " ").count <= 3, SpeakerLabels.looksLikeName(qualifier)
        {
            return .nameCandidate
        }
        return SpeakerLabels.looksLikeBracketedName(label) ? .nameCandidate : .none
    }

    /// After a list or quotation marker and its blank (`- `, `• `, `* `, `> `, `>> `), as notes
    /// and caption services put before labels; `at` itself when there is none.
    private func afterListMarker(_ scalars: UnsafeBufferPointer<Unicode.Scalar>, at start: Int) -> Int {
        var index = start
        guard index < scalars.count else { return start }
        switch scalars[index] {
        case "-", "\u{2013}", "\u{2022}", "*": index += 1
        case ">": index += index + 1 < scalars.count && scalars[index + 1] == ">" ? 2 : 1
        default: return start
        }
        guard index < scalars.count, scalars[index] == " " || scalars[index] == "\u{A0}" else { return start }
        return skipBlanks(scalars, from: index)
    }

    /// After a list's number, its `.` or `)` and a blank (`1. `, `12) `); nil when there is none.
    private func afterNumberMarker(_ scalars: UnsafeBufferPointer<Unicode.Scalar>, at start: Int) -> Int? {
        var index = start
        while index < scalars.count, index - start < 3, ("0"..."9").contains(scalars[index]) { index += 1 }
        guard index > start, index + 1 < scalars.count, scalars[index] == "." || scalars[index] == ")",
            scalars[index + 1] == " " || scalars[index + 1] == "\u{A0}"
        else { return nil }
        return skipBlanks(scalars, from: index + 1)
    }

    private func isKnownLabel(_ label: String) -> Bool {
        SpeakerLabels.isKnown(label, keys: knownKeys)
    }

    /// A name and a time alone on a line, above the turn: `Jane Smith   0:03` (Teams, Otter),
    /// `Jane Smith (00:01:23)`, `Speaker 1 [00:01:23]` (Trint), `Jane Smith | 00:01:23`,
    /// `[Jane Smith] 14:02:33` (Zoom's saved captions), `**Jane Smith** (00:01:23)` (tl;dv).
    private func headerLine(_ text: String, time leading: Double?) -> Head? {
        // Cheap tests first: a header line is short and ends in a clock time, so in a digit or
        // the bracket around one.
        guard leading == nil, text.utf8.count <= 2 * labels.maximumLabelLength + 40,
            let last = text.unicodeScalars.last(where: { !$0.isBlank }),
            ("0"..."9").contains(last) || last == ")" || last == "]"
        else { return nil }
        let scalars = Array(text.unicodeScalars)
        var end = scalars.count
        while end > 0, scalars[end - 1].isBlank { end -= 1 }
        // The time: bracketed, or the last blank-separated word.
        var timeStart = end - 1
        let seconds: Double?
        if last == ")" || last == "]" {
            guard let opening = scalars[..<(end - 1)].lastIndex(of: last == ")" ? "(" : "[") else { return nil }
            timeStart = opening
            seconds = parseClock(Array(scalars[(opening + 1)..<(end - 1)]))
        } else {
            while timeStart > 0, !scalars[timeStart - 1].isBlank { timeStart -= 1 }
            seconds = parseClock(Array(scalars[timeStart..<end]))
        }
        guard let seconds, timeStart > 0 else { return nil }
        // Between name and time: blanks, or one separator between blanks.
        var nameEnd = timeStart
        while nameEnd > 0, scalars[nameEnd - 1].isBlank { nameEnd -= 1 }
        if nameEnd > 0, "|-\u{2013}\u{2014}\u{B7}".unicodeScalars.contains(scalars[nameEnd - 1]),
            nameEnd == 1 || scalars[nameEnd - 2].isBlank
        {
            nameEnd -= 1
            while nameEnd > 0, scalars[nameEnd - 1].isBlank { nameEnd -= 1 }
        }
        guard nameEnd < timeStart, let name = nameAlone(scalars[..<nameEnd], bracketed: true, asHeader: true)
        else { return nil }
        return Head(kind: .header, label: name, time: seconds, contentOffset: scalars.count)
    }

    /// The name that `scalars` hold and nothing else but blanks, Markdown emphasis around it or,
    /// when `bracketed`, square brackets: nil for what a name is not (`Okay.`, `[Laughs] yes`).
    /// `asHeader`: the name has its time after it, the form Teams writes, where a name ending as a
    /// sentence has always been taken.
    private func nameAlone<Scalars: RandomAccessCollection<Unicode.Scalar>>(
        _ scalars: Scalars, bracketed: Bool = false, asHeader: Bool = false
    ) -> String? {
        guard scalars.count <= labels.maximumLabelLength + 8, !scalars.contains(":") else { return nil }
        var inner = Substring(String(String.UnicodeScalarView(scalars)).trimmingWhitespace())
        for (open, close) in [("**", "**"), ("__", "__")] + (bracketed ? [("[", "]")] : [])
        where inner.count > open.count + close.count && inner.hasPrefix(open) && inner.hasSuffix(close) {
            inner = inner.dropFirst(open.count).dropLast(close.count)
            break
        }
        let name = inner.trimmingWhitespace()
        guard !name.isEmpty, name.unicodeScalars.count <= labels.maximumLabelLength,
            asHeader || !Self.endsASentence(name),
            SpeakerLabels.looksLikeName(name) || isKnownLabel(name) || SpeakerLabels.looksLikeBracketedName(name)
        else { return nil }
        return name
    }

    private func skipBlanks(_ scalars: UnsafeBufferPointer<Unicode.Scalar>, from: Int) -> Int {
        var index = from
        while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" || scalars[index] == "\u{A0}" {
            index += 1
        }
        return index
    }

    private func contentStart(afterTimestampIn scalars: UnsafeBufferPointer<Unicode.Scalar>) -> Int {
        let start = skipBlanks(scalars, from: 0)
        guard let (_, next) = timestamp(in: scalars, at: start) else { return start }
        return skipBlanks(scalars, from: next)
    }

    /// A known label in brackets (`[Interviewer]`, `(P3)`), a colon after it or not. Only a known
    /// one: transcripts bracket what is not speech (`[Inaudible]`, `[Laughs]`), which a name
    /// would not be told apart from.
    private func bracketedLabel(in scalars: UnsafeBufferPointer<Unicode.Scalar>, at start: Int, time: Double?) -> Head?
    {
        guard start < scalars.count, scalars[start] == "[" || scalars[start] == "(" else { return nil }
        let closing: Unicode.Scalar = scalars[start] == "[" ? "]" : ")"
        let limit = min(scalars.count, start + labels.maximumLabelLength + 2)
        guard let close = (start + 1..<limit).first(where: { scalars[$0] == closing }) else { return nil }
        let label = Self.string(scalars[(start + 1)..<close]).trimmingWhitespace()
        guard !label.isEmpty, isKnownLabel(label) else { return nil }
        var content = skipBlanks(scalars, from: close + 1)
        if content < scalars.count, scalars[content] == ":" { content = skipBlanks(scalars, from: content + 1) }
        return Head(kind: .label, label: label, time: time, contentOffset: content)
    }

    /// After a cue's start time, ` --> ` and its end time (`0:0:3.2 --> 0:0:5.9`): the index
    /// after them.
    private func cueEnd(in scalars: UnsafeBufferPointer<Unicode.Scalar>, at start: Int) -> Int? {
        guard start + 3 <= scalars.count, scalars[start] == "-", scalars[start + 1] == "-", scalars[start + 2] == ">"
        else { return nil }
        return timestamp(in: scalars, at: skipBlanks(scalars, from: start + 3)).map { skipBlanks(scalars, from: $0.1) }
    }

    /// A leading `[hh:mm:ss]`, `(mm:ss)` or bare `hh:mm:ss(.fff)`; returns seconds and the index after it.
    private func timestamp(in scalars: UnsafeBufferPointer<Unicode.Scalar>, at start: Int) -> (Double, Int)? {
        var index = start
        var closing: Unicode.Scalar?
        if index < scalars.count, scalars[index] == "[" || scalars[index] == "(" {
            closing = scalars[index] == "[" ? "]" : ")"
            index += 1
        }
        var end = index
        while end < scalars.count,
            ("0"..."9").contains(scalars[end]) || scalars[end] == ":" || scalars[end] == "." || scalars[end] == ","
        {
            end += 1
        }
        guard let seconds = parseClock(Array(scalars[index..<end])) else { return nil }
        if let closing {
            guard end < scalars.count, scalars[end] == closing else { return nil }
            return (seconds, end + 1)
        }
        guard end == scalars.count || scalars[end].isBlank else { return nil }
        return (seconds, end)
    }
}

/// Seconds of a clock time `m:ss`, `h:mm:ss` or with a fraction (`00:01:23.450`, `0:0:3,45`).
func parseClock(_ scalars: [Unicode.Scalar]) -> Double? {
    var fields: [Int] = []
    var current: Int?
    var fraction: Double = 0
    var index = 0
    while index < scalars.count {
        let scalar = scalars[index]
        if ("0"..."9").contains(scalar) {
            let value = (current ?? 0) * 10 + Int(scalar.value - 48)
            guard value <= 100_000 else { return nil }
            current = value
        } else if scalar == ":" {
            guard let value = current else { return nil }
            fields.append(value)
            current = nil
        } else if scalar == "." || scalar == "," {
            guard let value = current, !fields.isEmpty else { return nil }
            fields.append(value)
            current = nil
            let digits = scalars[(index + 1)...]
            guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy({ ("0"..."9").contains($0) }) else {
                return nil
            }
            // The digits over their power of ten: both exact, so the quotient is the double
            // nearest the decimal, as parsing "0.digits" gives it, without a string.
            let (numerator, scale) = digits.reduce((0, 1)) { ($0.0 * 10 + Int($1.value - 48), $0.1 * 10) }
            fraction = Double(numerator) / Double(scale)
            index = scalars.count
            break
        } else {
            return nil
        }
        index += 1
    }
    if let value = current { fields.append(value) }
    guard (2...3).contains(fields.count), fields.dropFirst().allSatisfy({ $0 < 60 }) else { return nil }
    guard scalars.first.map({ ("0"..."9").contains($0) }) == true else { return nil }
    return Double(fields.reduce(0) { $0 * 60 + $1 }) + fraction
}
