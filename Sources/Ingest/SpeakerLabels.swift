import Corpus

/// How speaker labels are recognised and which role each one plays.
///
/// The defaults cover the labels interview transcripts use (`Interviewer:`, `I:`, `Q:`, `Int:`,
/// `Participant 3:`, `P3:`, `R:`, `Respondent:`), Teams/Zoom header lines (`Jane Smith   0:03`),
/// leading timestamps (`[00:01:23]`) and any other `Name:` that is bold in Word or recurs at the
/// start of lines. Everything is configurable.
public struct SpeakerLabels: Sendable, Hashable, Codable {
    /// Labels that mark the interviewer, compared case-insensitively (a trailing `.` is ignored).
    public var interviewerLabels: [String]
    /// Labels that mark the interviewee when the label itself names nobody (`R:`, `Respondent:`).
    public var participantLabels: [String]
    /// Labels of other people present (a note taker, an interpreter).
    public var otherLabels: [String]
    /// Explicit roles for named speakers (`"Dr Jane Smith": interviewer`), checked first.
    public var speakerRoles: [String: SpeakerRole]
    /// Extra label patterns (regular expressions matched at a line start) with a named capture
    /// `label` and optionally `time`; the match is removed from the turn text.
    public var patterns: [String]
    /// Accept any short `Name:` label that occurs at the start of at least this many lines of a
    /// document; 0 turns the rule off. A bold `Name:` in Word is always accepted.
    public var recurringNameThreshold: Int
    /// The longest label, in characters, still taken for a label.
    public var maximumLabelLength: Int

    public init(
        interviewerLabels: [String] = SpeakerLabels.defaultInterviewerLabels,
        participantLabels: [String] = SpeakerLabels.defaultParticipantLabels,
        otherLabels: [String] = [],
        speakerRoles: [String: SpeakerRole] = [:],
        patterns: [String] = [],
        recurringNameThreshold: Int = 2,
        maximumLabelLength: Int = 40
    ) {
        self.interviewerLabels = interviewerLabels
        self.participantLabels = participantLabels
        self.otherLabels = otherLabels
        self.speakerRoles = speakerRoles
        self.patterns = patterns
        self.recurringNameThreshold = recurringNameThreshold
        self.maximumLabelLength = maximumLabelLength
    }

    /// `Host` is the role Zoom appends to the meeting's host (`Jane Smith (Host)`): in a research
    /// interview, the researcher.
    public static let defaultInterviewerLabels = [
        "Interviewer", "I", "Q", "Int", "Interviewer 1", "Interviewer 2", "Moderator", "Facilitator", "Researcher",
        "Host",
    ]
    public static let defaultParticipantLabels = ["R", "Respondent", "Interviewee", "A", "Participant"]

    /// The lookup keys of every configured label and named role.
    var knownKeys: Set<String> {
        var keys = Set<String>()
        for label in interviewerLabels + participantLabels + otherLabels { keys.insert(Self.key(label)) }
        for name in speakerRoles.keys { keys.insert(Self.key(name)) }
        return keys
    }

    /// Whether `label` is one of `keys` (``knownKeys``), a participant number (`P3`), or one of
    /// them with a number (`Q1`, `R2`; see ``numbered(_:)``).
    static func isKnown(_ label: String, keys: Set<String>) -> Bool {
        let key = key(label)
        if keys.contains(key) || participantNumber(in: label) != nil { return true }
        guard let (base, _) = numbered(key) else { return false }
        return keys.contains(base)
    }

    /// Case-insensitive lookup key of a label (`Int.` and `int` are the same label).
    static func key(_ label: String) -> String {
        var trimmed = label.trimmingWhitespace()
        while trimmed.hasSuffix(".") { trimmed.removeLast() }
        return trimmed.lowercased()
    }

    /// The participant number a label names, for `P3`, `P 03`, `Participant 3`.
    static func participantNumber(in label: String) -> Int? {
        let lowered = label.lowercased()
        let rest: Substring
        if lowered.hasPrefix("participant") {
            rest = lowered.dropFirst("participant".count)
        } else if lowered.hasPrefix("p") {
            rest = lowered.dropFirst()
        } else {
            return nil
        }
        let digits = rest.drop { $0 == " " || $0 == "_" || $0 == "-" || $0 == "#" }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }

    /// A label and a number after it (`Q1`, `Q 12`, `R2`, `Int 3`): a numbered question or
    /// answer, or one of several interviewers or respondents. The base is letters only, so `P3`
    /// names a participant here only through ``participantNumber(in:)``.
    static func numbered(_ label: String) -> (base: String, number: Int)? {
        let scalars = label.unicodeScalars
        var digitsStart = scalars.endIndex
        while digitsStart > scalars.startIndex, case let before = scalars.index(before: digitsStart),
            ("0"..."9").contains(scalars[before])
        {
            digitsStart = before
        }
        let digits = scalars.distance(from: digitsStart, to: scalars.endIndex)
        guard (1...3).contains(digits) else { return nil }
        var baseEnd = digitsStart
        if baseEnd > scalars.startIndex, scalars[scalars.index(before: baseEnd)] == " " {
            baseEnd = scalars.index(before: baseEnd)
        }
        let base = scalars[..<baseEnd]
        guard !base.isEmpty, base.allSatisfy({ $0.properties.isAlphabetic }),
            let number = Int(String(scalars[digitsStart...]))
        else { return nil }
        return (String(base), number)
    }

    /// One to four words, the first starting with a capital letter, of letters, marks, `.`,
    /// `'` and `-`, optionally ending in a number (`Speaker 2`). `caseless`: a letter of a script
    /// without capitals (Chinese, Arabic) may start it too.
    static func looksLikeName(_ label: String, caseless: Bool = false) -> Bool {
        let words = label.split(separator: " ", omittingEmptySubsequences: true)
        guard (1...4).contains(words.count), let first = words.first?.unicodeScalars.first,
            first.isASCII
                ? ("A"..."Z").contains(first)
                : first.properties.isUppercase
                    || (caseless && first.properties.isAlphabetic && !first.properties.changesWhenCaseMapped)
        else { return false }
        for (position, word) in words.enumerated() {
            let allDigits = word.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
            if allDigits && position > 0 && position == words.count - 1 { continue }
            if !word.unicodeScalars.allSatisfy(isNameScalar) { return false }
        }
        return true
    }

    /// A letter, a combining mark, or `.`, `'`, `’` or `-`: what a name's words are made of.
    /// ASCII told by value (the property lookups were a fortieth of reading a transcript with a
    /// `Name   0:03` line above every turn); `asciiNameScalarsAreTheirProperties` checks it.
    static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || scalar == "." || scalar == "'"
                || scalar == "-"
        }
        return scalar.properties.isAlphabetic || scalar.properties.generalCategory == .nonspacingMark
            || scalar == "’"
    }

    /// A name with a short note in brackets after it, as meeting tools show display names and
    /// transcripts qualify speakers (`Jane Smith (she/her)`, `Ade Bello (GP)`, `P3 [nurse]`).
    static func looksLikeBracketedName(_ label: String) -> Bool {
        guard let (name, qualifier, bracketed) = qualified(label), bracketed,
            looksLikeName(name) || participantNumber(in: name) != nil
        else { return false }
        return qualifier.split(separator: " ").count <= 3 && !qualifier.unicodeScalars.contains(":")
    }

    /// A label's name and what qualifies it: `Jane Smith (Interviewer)`, `Ade Bello [P3]`,
    /// `Jane Smith, interviewer` or `P3 - GP`. `bracketed` is false for the comma's and the
    /// dash's forms, which ordinary speech also has (`Well, you know:`, `So - well:`).
    static func qualified(_ label: String) -> (name: String, qualifier: String, bracketed: Bool)? {
        let scalars = label.unicodeScalars
        if let last = scalars.last, last == ")" || last == "]",
            let open = scalars.lastIndex(of: last == ")" ? "(" : "["), open > scalars.startIndex
        {
            let name = String(scalars[..<open]).trimmingWhitespace()
            let qualifier = String(scalars[scalars.index(after: open)..<scalars.index(before: scalars.endIndex)])
                .trimmingWhitespace()
            guard !name.isEmpty, !qualifier.isEmpty else { return nil }
            return (name, qualifier, true)
        }
        let separator: Range<String.UnicodeScalarView.Index>
        if let comma = scalars.firstIndex(of: ",") {
            separator = comma..<scalars.index(after: comma)
        } else if let dash = scalars.indices.first(where: {
            (scalars[$0] == "-" || scalars[$0] == "\u{2013}") && $0 > scalars.startIndex
                && scalars[scalars.index(before: $0)] == " " && scalars.index(after: $0) < scalars.endIndex
                && scalars[scalars.index(after: $0)] == " "
        }) {
            // A dash between blanks: `P3 - GP`, not the hyphen of `Smith-Jones`.
            separator = dash..<scalars.index(after: dash)
        } else {
            return nil
        }
        let name = String(scalars[..<separator.lowerBound]).trimmingWhitespace()
        let qualifier = String(scalars[separator.upperBound...]).trimmingWhitespace()
        guard !name.isEmpty, !qualifier.isEmpty else { return nil }
        return (name, qualifier, false)
    }
}
