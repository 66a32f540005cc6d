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

/// Strings cut out of a text by Unicode-scalar offsets in time proportional to the cut: the
/// text's UTF-8 bytes with the byte offset of every scalar (none needed for ASCII text).
/// Building Strings scalar by scalar was a tenth of a run.
public struct ScalarSlicer: Sendable {
    private let utf8: [UInt8]
    /// Byte offset of each scalar and of the end; nil when every scalar is one byte.
    private let offsets: [Int]?

    public init(_ text: String) {
        utf8 = Array(text.utf8)
        if utf8.allSatisfy({ $0 < 0x80 }) {
            offsets = nil
        } else {
            var offsets: [Int] = []
            offsets.reserveCapacity(utf8.count + 1)
            for (offset, byte) in utf8.enumerated() where byte & 0xC0 != 0x80 { offsets.append(offset) }
            offsets.append(utf8.count)
            self.offsets = offsets
        }
    }

    /// How many scalars the text has.
    public var count: Int { offsets.map { $0.count - 1 } ?? utf8.count }

    /// The scalars `[start, end)`.
    public func string(_ start: Int, _ end: Int) -> String {
        let from = offsets?[start] ?? start
        let to = offsets?[end] ?? end
        return utf8.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[from..<to]), as: UTF8.self)
        }
    }
}
