/// A value with a compact binary form, for the pipeline's per-document cache.
///
/// Hand-written: no package on this machine offers a binary format without code generation,
/// and JSON for these entries cost a third of a cold run (encoding) and most of a warm one
/// (decoding). Fields are written in a fixed order with no names; a format change must change
/// ``BinaryWriter/formatVersion`` so that old entries are recomputed, never misread.
public protocol BinaryCodable {
    func write(to writer: inout BinaryWriter)
    init(from reader: inout BinaryReader) throws(BinaryReader.Error)
}

/// Appends values to a byte buffer: integers as zigzag LEB128 varints, strings as length + UTF-8.
public struct BinaryWriter: Sendable {
    /// Bumped whenever any conformance's layout, or a cache file's, changes.
    public static let formatVersion = 9
    /// Reachable from inlined code: a varint written by a conformance in another module was a
    /// call, and its bytes an append each.
    @usableFromInline var storage: [UInt8] = []
    public var bytes: [UInt8] { storage }
    public var count: Int { storage.count }

    public init(capacity: Int = 256) {
        storage.reserveCapacity(capacity)
    }

    @inlinable public mutating func write<Value: BinaryCodable>(_ value: Value) {
        value.write(to: &self)
    }

    @inlinable public mutating func writeVarint(_ value: UInt64) {
        if value < 0x80 {
            storage.append(UInt8(truncatingIfNeeded: value))
        } else {
            LEB128.append(value, to: &storage)
        }
    }

    @inlinable public mutating func writeBytes(_ buffer: UnsafeRawBufferPointer) {
        writeVarint(UInt64(buffer.count))
        storage.append(contentsOf: buffer)
    }

    /// Strings packed as one run of UTF-8 and each one's end offset, written as an array of them
    /// would be (count, then each length and bytes), with one append: an append per string and
    /// per length cost more than the copy itself for a document's thousands of short words.
    public mutating func writeStrings(bytes: UnsafeBufferPointer<UInt8>, ends: UnsafeBufferPointer<Int32>) {
        writeVarint(UInt64(ends.count))
        guard let source = bytes.baseAddress, !bytes.isEmpty else {
            // No bytes: every string is empty.
            storage.append(contentsOf: repeatElement(0, count: ends.count))
            return
        }
        let packed = [UInt8](unsafeUninitializedCapacity: bytes.count + ends.count * 5) { buffer, count in
            var start = 0
            for end in ends {
                let length = Int(end) - start
                LEB128.write(UInt64(length), into: buffer, at: &count)
                if let destination = buffer.baseAddress {
                    // A word as two 8-byte moves, the bytes past it written over by what follows:
                    // a call to `memmove` per word (a million at 10 MB, each document's two lists
                    // of forms) cost more than the copy, and a byte loop more still (its exit
                    // mispredicted at every word). Where 16 bytes would read or write past the
                    // buffers, as before.
                    if length <= 16, start + 16 <= bytes.count, count + 16 <= buffer.count {
                        let from = UnsafeRawPointer(source + start)
                        let to = UnsafeMutableRawPointer(destination + count)
                        to.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
                        to.storeBytes(
                            of: from.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8,
                            as: UInt64.self)
                    } else if length > 0 {
                        (destination + count).initialize(from: source + start, count: length)
                    }
                    count += length
                }
                start = Int(end)
            }
        }
        storage.append(contentsOf: packed)
    }

    @inlinable public mutating func writeFixed(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { storage.append(contentsOf: $0) }
    }
}

/// Unsigned LEB128, the varints of every binary the tool writes (the cache, its scratch files,
/// a table's runs of term ids): most of what is kept by the byte is small, a byte each where an
/// `Int` is eight. Appended, or written into a buffer sized beforehand (``size(of:)``) by
/// writers that lay many records out at once.
public enum LEB128 {
    @inlinable
    public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    @inlinable
    public static func write(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at place: inout Int) {
        var rest = value
        while rest >= 0x80 {
            buffer[place] = UInt8(truncatingIfNeeded: rest) | 0x80
            place += 1
            rest >>= 7
        }
        buffer[place] = UInt8(rest)
        place += 1
    }

    /// How many bytes ``write(_:into:at:)`` writes for `value`.
    @inlinable
    public static func size(of value: UInt64) -> Int {
        var size = 1
        var rest = value >> 7
        while rest != 0 {
            size += 1
            rest >>= 7
        }
        return size
    }

    /// The value at `place` of bytes this process wrote, `place` moved past it; unchecked (what
    /// may be damaged or foreign is read by ``BinaryReader/readVarint()``).
    @inlinable
    public static func read(_ bytes: UnsafeBufferPointer<UInt8>, at place: inout Int) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while bytes[place] & 0x80 != 0 {
            value |= UInt64(bytes[place] & 0x7F) << shift
            shift += 7
            place += 1
        }
        value |= UInt64(bytes[place]) << shift
        place += 1
        return value
    }

    /// A signed number as the unsigned one its varint holds: 0, -1, 1, -2 … as 0, 1, 2, 3 …, so
    /// that a small negative number is a small varint too.
    @inlinable
    public static func zigzag(_ value: Int) -> UInt64 {
        UInt64(bitPattern: Int64((value << 1) ^ (value >> (Int.bitWidth - 1))))
    }

    /// The signed number ``zigzag(_:)`` made `raw` of.
    @inlinable
    public static func unzigzag(_ raw: UInt64) -> Int {
        Int(truncatingIfNeeded: Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1))
    }
}

/// Reads what ``BinaryWriter`` wrote; any overrun or malformed value throws, so a torn or
/// foreign entry is detected rather than misread.
public struct BinaryReader: Sendable {
    public struct Error: Swift.Error, Sendable {
        public init() {}
    }
    /// A slice, so that a section of a larger file is read in place, not copied.
    private let bytes: ArraySlice<UInt8>
    private var offset: Int

    public init(_ bytes: [UInt8]) {
        self.init(bytes[...])
    }

    public init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        offset = bytes.startIndex
    }

    public var isAtEnd: Bool { offset == bytes.endIndex }

    /// The bytes not read yet.
    public var remaining: ArraySlice<UInt8> { bytes[offset...] }

    @inlinable public mutating func read<Value: BinaryCodable>(_: Value.Type = Value.self) throws(Error) -> Value {
        try Value(from: &self)
    }

    public mutating func readVarint() throws(Error) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.endIndex {
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw Error() }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
        throw Error()
    }

    public mutating func readFixed() throws(Error) -> UInt64 {
        guard bytes.endIndex - offset >= 8 else { throw Error() }
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        offset += 8
        return value
    }

    /// A count that cannot exceed the bytes left (every element takes at least one byte).
    public mutating func readCount() throws(Error) -> Int {
        let count = try readVarint()
        guard count <= UInt64(bytes.endIndex - offset) else { throw Error() }
        return Int(count)
    }

    /// The next length-prefixed run of bytes, as is.
    public mutating func readBytes() throws(Error) -> ArraySlice<UInt8> {
        let count = try readCount()
        offset += count
        return bytes[offset - count..<offset]
    }

    /// Reads a `[String]` as ``BinaryWriter`` wrote it, handing each string's UTF-8 bytes to
    /// `body` in place: no string and no slice is made per element.
    public mutating func readStrings(_ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(Error) {
        for _ in 0..<(try readCount()) {
            let count = try readCount()
            let start = offset - bytes.startIndex  // the buffer of a slice counts from 0
            offset += count
            bytes.withUnsafeBufferPointer { buffer in body(UnsafeBufferPointer(rebasing: buffer[start..<start + count]))
            }
        }
    }

    /// Where each string of an array of them lies (byte ranges from the start of the bytes
    /// read), read past as ``readStrings(_:)`` would read them.
    public mutating func readStringRanges() throws(Error) -> [Range<Int>] {
        let count = try readCount()
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(count)
        for _ in 0..<count {
            let length = try readCount()
            let start = offset - bytes.startIndex
            offset += length
            ranges.append(start..<start + length)
        }
        return ranges
    }

    mutating func readString() throws(Error) -> String {
        let count = try readCount()
        let start = offset - bytes.startIndex  // the buffer of a slice counts from 0
        offset += count
        return bytes.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<start + count]), as: UTF8.self)
        }
    }
}

extension Int: BinaryCodable {
    @inlinable public func write(to writer: inout BinaryWriter) {
        writer.writeVarint(LEB128.zigzag(self))
    }
    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self = LEB128.unzigzag(try reader.readVarint())
    }
}

extension Bool: BinaryCodable {
    public func write(to writer: inout BinaryWriter) { writer.writeVarint(self ? 1 : 0) }
    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        switch try reader.readVarint() {
        case 0: self = false
        case 1: self = true
        default: throw BinaryReader.Error()
        }
    }
}

extension Double: BinaryCodable {
    public func write(to writer: inout BinaryWriter) { writer.writeFixed(bitPattern) }
    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self = Double(bitPattern: try reader.readFixed())
    }
}

extension String: BinaryCodable {
    @inlinable public func write(to writer: inout BinaryWriter) {
        // A native string's bytes in place; a copy (a retain and release) only for another kind.
        let written: Void? = utf8.withContiguousStorageIfAvailable { writer.writeBytes(UnsafeRawBufferPointer($0)) }
        if written == nil {
            var copy = self
            copy.withUTF8 { writer.writeBytes(UnsafeRawBufferPointer($0)) }
        }
    }
    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self = try reader.readString()
    }
}

extension Optional: BinaryCodable where Wrapped: BinaryCodable {
    @inlinable public func write(to writer: inout BinaryWriter) {
        switch self {
        case .none: writer.writeVarint(0)
        case .some(let value):
            writer.writeVarint(1)
            value.write(to: &writer)
        }
    }
    @inlinable public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        switch try reader.readVarint() {
        case 0: self = .none
        case 1: self = .some(try Wrapped(from: &reader))
        default: throw BinaryReader.Error()
        }
    }
}

extension Array: BinaryCodable where Element: BinaryCodable {
    @inlinable public func write(to writer: inout BinaryWriter) {
        writer.writeVarint(UInt64(count))
        for element in self { element.write(to: &writer) }
    }
    @inlinable public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        let count = try reader.readCount()
        self = []
        reserveCapacity(count)
        for _ in 0..<count { append(try Element(from: &reader)) }
    }
}

/// In the dictionary's own order: equal dictionaries may give different bytes (sorting a
/// document's term counts cost an eighth of a cold run, and entries are never compared as bytes).
extension Dictionary: BinaryCodable where Key: BinaryCodable, Value: BinaryCodable {
    @inlinable public func write(to writer: inout BinaryWriter) {
        writer.writeVarint(UInt64(count))
        for (key, value) in self {
            key.write(to: &writer)
            value.write(to: &writer)
        }
    }
    @inlinable public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        let count = try reader.readCount()
        self = [:]
        reserveCapacity(count)
        for _ in 0..<count {
            let key = try Key(from: &reader)
            guard updateValue(try Value(from: &reader), forKey: key) == nil else { throw BinaryReader.Error() }
        }
    }
}

/// Enums with string raw values are written by their raw value, so reordering cases is safe.
extension BinaryCodable where Self: RawRepresentable, RawValue == String {
    public func write(to writer: inout BinaryWriter) { rawValue.write(to: &writer) }
    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        guard let value = Self(rawValue: try String(from: &reader)) else { throw BinaryReader.Error() }
        self = value
    }
}

extension TranscriptFormat: BinaryCodable {}
extension SpeakerRole: BinaryCodable {}

extension ScalarRange: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(start)
        writer.write(end)
    }
    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(start: try reader.read(), end: try reader.read())
    }
}

extension Speaker: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(label)
        writer.write(role)
        writer.write(participantID)
    }
    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(label: try reader.read(), role: try reader.read(), participantID: try reader.read())
    }
}

extension Participant: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(attributes)
    }
    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(id: try reader.read(), attributes: try reader.read())
    }
}

extension ParticipantTable: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(attributeNames)
        writer.write(participants)
        writer.write(documentColumn)
    }
    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(attributeNames: try reader.read(), participants: try reader.read(), documentColumn: try reader.read())
    }
}

/// A turn's text is the document's text at its range (ingest makes it so), so it is not written
/// again: it was half of every cached record. A turn whose text differs (none that the readers
/// make) is written whole, flagged; a range outside the text makes the record unreadable.
extension Document: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(source)
        writer.write(format)
        writer.write(text)
        writer.writeVarint(UInt64(segments.count))
        var text = text
        text.withUTF8 { bytes in
            var cursor = ScalarCursor()
            for segment in segments {
                writer.write(segment.index)
                writer.write(segment.speaker)
                writer.write(segment.role)
                writer.write(segment.participantID)
                writer.write(segment.range)
                if cursor.holds(segment.text, at: segment.range, in: bytes) {
                    writer.writeVarint(0)
                } else {
                    writer.writeVarint(1)
                    writer.write(segment.text)
                }
                writer.write(segment.start)
                writer.write(segment.end)
            }
        }
        writer.write(speakers)
        writer.write(notes)
    }
    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        let id: String = try reader.read()
        let source: String = try reader.read()
        let format: TranscriptFormat = try reader.read()
        let text: String = try reader.read()
        let slicer = ScalarSlicer(text)
        let count = try reader.readCount()
        var segments: [Segment] = []
        segments.reserveCapacity(count)
        for _ in 0..<count {
            let index: Int = try reader.read()
            let speaker: String = try reader.read()
            let role: SpeakerRole = try reader.read()
            let participantID: String? = try reader.read()
            let range: ScalarRange = try reader.read()
            let segmentText: String
            switch try reader.readVarint() {
            case 0:
                guard let cut = slicer.checkedString(range.start, range.end) else { throw BinaryReader.Error() }
                segmentText = cut
            case 1: segmentText = try reader.read()
            default: throw BinaryReader.Error()
            }
            segments.append(
                Segment(
                    index: index, speaker: speaker, role: role, participantID: participantID, text: segmentText,
                    range: range, start: try reader.read(), end: try reader.read()))
        }
        self.init(
            id: id, source: source, format: format, text: text, segments: segments, speakers: try reader.read(),
            notes: try reader.read())
    }
}
