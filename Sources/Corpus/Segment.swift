/// One speaker turn: who spoke, in which role, and the exact stretch of the document's text.
public struct Segment: Codable, Sendable, Hashable {
    /// 0-based position of the turn in its document.
    public var index: Int
    /// The speaker label as written in the transcript (`Interviewer`, `P3`, `Jane Smith`).
    public var speaker: String
    public var role: SpeakerRole
    /// The participant the turn is attributed to, when known.
    public var participantID: String?
    /// The turn's text; always equal to the document text at `range`.
    public var text: String
    /// Where the turn's text lies in the document's plain text, in Unicode scalars.
    public var range: ScalarRange
    /// Start and end time in seconds, when the transcript carries timestamps.
    public var start: Double?
    public var end: Double?

    public init(
        index: Int, speaker: String, role: SpeakerRole, participantID: String?, text: String,
        range: ScalarRange, start: Double? = nil, end: Double? = nil
    ) {
        self.index = index
        self.speaker = speaker
        self.role = role
        self.participantID = participantID
        self.text = text
        self.range = range
        self.start = start
        self.end = end
    }
}

/// The part a speaker plays in an interview.
public enum SpeakerRole: String, Codable, Sendable, CaseIterable {
    case interviewer
    case participant
    case other
}

/// A speaker of one document, resolved to a role and, where possible, a participant.
public struct Speaker: Codable, Sendable, Hashable {
    public var label: String
    public var role: SpeakerRole
    public var participantID: String?

    public init(label: String, role: SpeakerRole, participantID: String?) {
        self.label = label
        self.role = role
        self.participantID = participantID
    }
}

/// A half-open range `[start, end)` counted in Unicode scalars (code points).
public struct ScalarRange: Codable, Sendable, Hashable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    public var length: Int { end - start }
    public var description: String { "\(start)..<\(end)" }
}
