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
/// text's UTF-8 bytes with the byte offset of every 64th scalar (none needed for ASCII text), so
/// the index costs an eighth of a byte per scalar even for a huge transcript. Building Strings
/// scalar by scalar was a tenth of a run.
public struct ScalarSlicer: Sendable {
    private static let stride = 64
    private let utf8: [UInt8]
    /// Byte offset of scalar `k × stride`; nil when every scalar is one byte.
    private let checkpoints: [Int]?
    public let count: Int

    public init(_ text: String) {
        utf8 = Array(text.utf8)
        if utf8.allSatisfy({ $0 < 0x80 }) {
            checkpoints = nil
            count = utf8.count
        } else {
            var checkpoints: [Int] = []
            checkpoints.reserveCapacity(utf8.count / Self.stride + 1)
            var scalars = 0
            for (offset, byte) in utf8.enumerated() where byte & 0xC0 != 0x80 {
                if scalars % Self.stride == 0 { checkpoints.append(offset) }
                scalars += 1
            }
            self.checkpoints = checkpoints
            count = scalars
        }
    }

    /// The byte offset of a scalar (or of the end, for `count`).
    private func byteOffset(_ scalar: Int) -> Int {
        guard let checkpoints else { return scalar }
        guard scalar < count else { return utf8.count }
        var offset = checkpoints[scalar / Self.stride]
        var remaining = scalar % Self.stride
        while remaining > 0 {
            offset += 1
            while utf8[offset] & 0xC0 == 0x80 { offset += 1 }
            remaining -= 1
        }
        return offset
    }

    /// The scalars `[start, end)`.
    public func string(_ start: Int, _ end: Int) -> String {
        let from = byteOffset(start)
        let to = byteOffset(end)
        return utf8.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[from..<to]), as: UTF8.self)
        }
    }
}
