internal import CFileSystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
/// byte offset of every 64th scalar (none needed for ASCII text), so the index costs an eighth
/// of a byte per scalar even for a huge transcript. Cuts are copied from the text itself by
/// byte offsets: no second copy of the text and no second UTF-8 validation. Building Strings
/// scalar by scalar was a tenth of a run.
public struct ScalarSlicer: Sendable {
    private static let stride = 64
    private let text: String
    /// Byte offset of scalar `k × stride`; nil when every scalar is one byte.
    private let checkpoints: [Int]?
    public let count: Int

    public init(_ text: String) {
        var text = text
        (checkpoints, count) = text.withUTF8(Self.index)
        self.text = text
    }

    private static func index(_ bytes: UnsafeBufferPointer<UInt8>) -> ([Int]?, Int) {
        guard let base = bytes.baseAddress, !UTF8Scalars.isASCII(bytes) else { return (nil, bytes.count) }
        var checkpoints: [Int] = []
        checkpoints.reserveCapacity(bytes.count / stride + 1)
        var scalars = 0
        var offset = 0
        let raw = UnsafeRawPointer(base)
        while offset < bytes.count {
            // Eight bytes at once where none of their scalars is a checkpoint.
            if offset + 8 <= bytes.count {
                let starts =
                    8 - UTF8Scalars.continuationCount(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                let sinceCheckpoint = scalars & (stride - 1)
                if starts == 0 || (sinceCheckpoint != 0 && sinceCheckpoint + starts <= stride) {
                    scalars += starts
                    offset += 8
                    continue
                }
            }
            let end = min(offset + 8, bytes.count)
            while offset < end {
                if bytes[offset] & 0xC0 != 0x80 {
                    if scalars & (stride - 1) == 0 { checkpoints.append(offset) }
                    scalars += 1
                }
                offset += 1
            }
        }
        return (checkpoints, scalars)
    }

    /// The byte offset of a scalar (or of the end, for `count`).
    private func byteOffset(_ scalar: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let checkpoints else { return scalar }
        guard scalar < count else { return bytes.count }
        var offset = checkpoints[scalar / Self.stride]
        var remaining = scalar % Self.stride
        while remaining > 0 {
            offset += 1
            while bytes[offset] & 0xC0 == 0x80 { offset += 1 }
            remaining -= 1
        }
        return offset
    }

    /// The UTF-8 offsets of the scalars `[start, end)`, or nil when they are not within the text.
    public func utf8Range(_ start: Int, _ end: Int) -> Range<Int>? {
        guard start >= 0, start <= end, end <= count else { return nil }
        var text = text
        return text.withUTF8 { bytes in byteOffset(start, in: bytes)..<byteOffset(end, in: bytes) }
    }

    /// The scalars `[start, end)`, or nil when they are not within the text: for ranges read
    /// from a file, which are not trusted.
    public func checkedString(_ start: Int, _ end: Int) -> String? {
        utf8Range(start, end).map { text.utf8Slice($0) }
    }

    /// Whether the scalars `[start, end)` of the text are `other`, compared as bytes.
    public func holds(_ other: String, at start: Int, _ end: Int) -> Bool {
        guard let range = utf8Range(start, end) else { return false }
        var text = text
        return text.withUTF8 { Self.bytes($0, at: range, are: other) }
    }

    /// Whether `bytes[range]` are the UTF-8 of `other`.
    static func bytes(_ bytes: UnsafeBufferPointer<UInt8>, at range: Range<Int>, are other: String) -> Bool {
        guard range.count == other.utf8.count else { return false }
        var other = other
        return other.withUTF8 { expected in
            guard let base = bytes.baseAddress, let expectedBase = expected.baseAddress else { return range.isEmpty }
            return memcmp(base + range.lowerBound, expectedBase, range.count) == 0
        }
    }

    /// The scalars `[start, end)`.
    public func string(_ start: Int, _ end: Int) -> String {
        var text = text
        let (from, to) = text.withUTF8 { bytes in (byteOffset(start, in: bytes), byteOffset(end, in: bytes)) }
        return text.utf8Slice(from..<to)
    }
}

/// The byte offsets of scalar offsets asked for in increasing order (the turns of a document
/// ingest made, one after another), each found by walking on from the last, eight bytes at a
/// time: the whole text once. A ``ScalarSlicer`` of the document first indexed every byte and
/// then walked up to 63 scalars a byte at a time for each offset: writing a cold 10 MB run's
/// documents to the stage cache took 20.5–21.2 ms that way, 13.3–13.6 ms this way. An offset
/// before the last starts again from the text's start, so offsets in no order (a record read
/// back, which is not trusted) are for a ``ScalarSlicer``.
package struct ScalarCursor {
    /// Scalars begun before `byte` (its own, when it is a lead byte, not counted).
    private var scalar = 0
    private var byte = 0

    package init() {}

    /// The byte offset at which scalar `target` of `bytes` (valid UTF-8) begins, `bytes.count`
    /// for the scalar count itself, nil beyond it.
    package mutating func byteOffset(of target: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard target >= 0 else { return nil }
        if target < scalar || byte > bytes.count { (scalar, byte) = (0, 0) }
        if let base = bytes.baseAddress.map(UnsafeRawPointer.init) {
            // Eight bytes at once while every scalar beginning in them lies before the target.
            while byte + 8 <= bytes.count {
                let begun = 8 - UTF8Scalars.continuationCount(base.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
                guard scalar + begun <= target else { break }
                scalar += begun
                byte += 8
            }
        }
        while byte < bytes.count {
            if bytes[byte] & 0xC0 != 0x80 {
                if scalar == target { return byte }
                scalar += 1
            }
            byte += 1
        }
        return scalar == target ? byte : nil
    }

    /// The UTF-8 offsets of the scalars `[start, end)` of `bytes`, nil when they are not within it.
    package mutating func utf8Range(_ start: Int, _ end: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        guard start <= end, let from = byteOffset(of: start, in: bytes), let to = byteOffset(of: end, in: bytes)
        else { return nil }
        return from..<to
    }

    /// Whether the scalars `range` of `bytes` are `other`, compared as bytes.
    package mutating func holds(_ other: String, at range: ScalarRange, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let found = utf8Range(range.start, range.end, in: bytes) else { return false }
        return ScalarSlicer.bytes(bytes, at: found, are: other)
    }
}

extension String {
    /// The text between two UTF-8 offsets that fall on scalar boundaries, copied without
    /// decoding or validating it again.
    package func utf8Slice(_ bytes: Range<Int>) -> String {
        let lower = utf8.index(utf8.startIndex, offsetBy: bytes.lowerBound)
        return String(self[lower..<utf8.index(lower, offsetBy: bytes.count)])
    }
}

/// Counting Unicode scalars in UTF-8 eight bytes at a time: a scalar starts at every byte that
/// is not a continuation byte (`10xxxxxx`). Hand-written: the standard library decodes scalar by
/// scalar, and a byte-at-a-time loop was a fortieth of reading a Word file.
package enum UTF8Scalars {
    /// The value of an ASCII hexadecimal digit (JSON's `\u` escapes, RTF's `\'hh`); nil for
    /// another byte.
    package static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// How many of a word's eight bytes are continuation bytes.
    @inlinable @inline(__always)
    package static func continuationCount(_ word: UInt64) -> Int {
        // Top bit set and the next one clear; shifting moves each byte's bit 6 onto its bit 7.
        (word & ~(word << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
    }

    package static func count(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var continuations = 0
        var offset = 0
        while offset + 8 <= bytes.count {
            continuations += continuationCount(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        while offset < bytes.count {
            if bytes[offset] & 0xC0 == 0x80 { continuations += 1 }
            offset += 1
        }
        return bytes.count - continuations
    }

    /// The scalar at `offset` of valid UTF-8 (a Swift string's bytes), and its length in bytes:
    /// the lead byte gives the length.
    @inline(__always)
    package static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> (value: UInt32, length: Int) {
        let lead = bytes[offset]
        guard lead >= 0x80 else { return (UInt32(lead), 1) }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var value = UInt32(lead) & (0x7F >> length)
        for next in 1..<length { value = value << 6 | UInt32(bytes[offset + next] & 0x3F) }
        return (value, length)
    }

    /// The offset of the first byte that does not begin or continue a valid UTF-8 sequence
    /// (overlong forms, surrogates and scalars beyond U+10FFFF are not valid); nil when all are.
    /// Eight ASCII bytes at a time.
    package static func firstInvalid(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        let end = bytes.count
        var index = 0
        while index < end {
            if index + 8 <= end, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
            {
                index += 8
                continue
            }
            let byte = bytes[index]
            if byte < 0x80 {
                index += 1
                continue
            }
            let length: Int
            let minimum: UInt32
            switch byte {
            case 0xC2...0xDF: (length, minimum) = (2, 0x80)
            case 0xE0...0xEF: (length, minimum) = (3, 0x800)
            case 0xF0...0xF4: (length, minimum) = (4, 0x10000)
            default: return index
            }
            guard index + length <= end else { return index }
            var value = UInt32(byte) & (0xFF >> (length + 1))
            for next in 1..<length {
                let continuation = bytes[index + next]
                guard continuation & 0xC0 == 0x80 else { return index }
                value = value << 6 | UInt32(continuation & 0x3F)
            }
            if value < minimum || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { return index }
            index += length
        }
        return nil
    }

    package static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var highBits: UInt64 = 0
        var offset = 0
        while offset + 8 <= bytes.count {
            highBits |= raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < bytes.count {
            highBits |= UInt64(bytes[offset])
            offset += 1
        }
        return highBits & 0x8080_8080_8080_8080 == 0
    }
}

extension UInt8 {
    /// The byte with an ASCII capital letter made small; any other byte as it is.
    @inlinable package var asciiLowercased: UInt8 { self >= 0x41 && self <= 0x5A ? self | 0x20 : self }
}

extension StringProtocol {
    /// The lines of a text file whatever its line ends (LF, CRLF or CR; a CRLF is one Character,
    /// which a split on "\n" never finds), none left out, so that the n-th is line n.
    package var linesOfAnyEnding: [SubSequence] {
        split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Each line's byte range, its line feed left out, found by `memchr` (a generic byte split
    /// looks at every byte through a closure): as many as there are line feeds plus one, the last
    /// empty when the bytes end with one.
    package var lineRanges: [Range<Int>] {
        var ranges: [Range<Int>] = []
        guard let base = baseAddress else { return [0..<0] }
        var start = 0
        while start <= count {
            let end =
                memchr(base + start, 0x0A, count - start).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? count
            ranges.append(start..<end)
            start = end + 1
        }
        return ranges
    }
}

extension UnsafeRawBufferPointer {
    /// The first offset from `start` on where these bytes hold `bytes` (not empty), if any
    /// (glibc's `memmem`).
    package func firstOffset(of bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = baseAddress, let needle = bytes.baseAddress, !bytes.isEmpty, start >= 0,
            start + bytes.count <= count,
            let found = cfilesystem_find(base + start, count - start, needle, bytes.count)
        else { return nil }
        return found - base
    }
}

extension Substring {
    /// Whether every byte is ASCII (a `String` asks as its whole substring, `text[...]`): for the
    /// paths that treat ASCII text byte by byte, where a byte is a character.
    package var isAllASCII: Bool {
        utf8.withContiguousStorageIfAvailable(UTF8Scalars.isASCII) ?? utf8.allSatisfy { $0 < 0x80 }
    }
}
