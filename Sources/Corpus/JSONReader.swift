import Foundation

/// Reads JSON straight into the outputs' own types, for the commands that read a large study's
/// outputs back (`tmine decide --list`, `export`, `lexicon report`, the review server).
/// Hand-written, as ``JSONWriter`` is: Foundation's `JSONDecoder` read suggestions.json at 30–45
/// MB/s of one core (157 MB at 100 MB of transcripts), and two of them at once gained only 1.4×
/// on two cores, waiting on the Swift runtime's lock for the generic metadata every keyed
/// container asks for; no package on this machine decodes JSON faster. It reads any JSON the
/// types' `Decodable` conformances accept in the ordinary case: keys in any order, unknown keys
/// skipped, `null` or a missing key for an optional. Anything else (a value of another kind, a
/// missing key, invalid UTF-8, a lone surrogate) throws, and the caller decodes with
/// `JSONDecoder` instead, whose result or error stands.
public struct JSONReader {
    public struct Failure: Error {
        package var offset: Int
        package var message: String
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var at: Int
    private var scratch: [UInt8] = []
    /// Parts of what is read that its reader may skip, as bits the type read defines
    /// (``Suggestion/Parts``): a command that counts suggestions needs none of their text.
    package var omitted: UInt32 = 0

    package init(_ bytes: UnsafeBufferPointer<UInt8>, omitting omitted: UInt32 = 0) {
        self.bytes = bytes
        self.omitted = omitted
        at = 0
    }

    /// Whether the value ahead is one of the `omitted` parts: skipped, then.
    package mutating func skips(_ part: UInt32) throws(Failure) -> Bool {
        guard omitted & part != 0 else { return false }
        try skipValue()
        return true
    }

    @usableFromInline package var isAtEnd: Bool {
        mutating get {
            skipSpace()
            return at >= bytes.count
        }
    }

    @usableFromInline package func failure(_ message: String) -> Failure { Failure(offset: at, message: message) }

    private mutating func skipSpace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x0A, 0x0D, 0x09: at += 1
            default: return
            }
        }
    }

    /// The next byte after white space, not consumed.
    private mutating func peek() throws(Failure) -> UInt8 {
        skipSpace()
        guard at < bytes.count else { throw failure("unexpected end") }
        return bytes[at]
    }

    @usableFromInline package mutating func expect(_ byte: UInt8) throws(Failure) {
        guard try peek() == byte else { throw failure("expected \(Character(Unicode.Scalar(byte)))") }
        at += 1
    }

    /// Consumes a `null`, if one comes next.
    package mutating func null() throws(Failure) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        guard at + 4 <= bytes.count, bytes[at + 1] == 0x75, bytes[at + 2] == 0x6C, bytes[at + 3] == 0x6C else {
            throw failure("expected null")
        }
        at += 4
        return true
    }

    /// A `true` or `false`.
    package mutating func bool() throws(Failure) -> Bool {
        for (literal, value) in [("true", true), ("false", false)] {
            let word = Array(literal.utf8)
            if try peek() == word[0], at + word.count <= bytes.count, bytes[at..<at + word.count].elementsEqual(word) {
                at += word.count
                return value
            }
        }
        throw failure("expected true or false")
    }

    /// An object: `body` is given each key and must read its value.
    package mutating func object(_ body: (inout JSONReader, String) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") {
            at += 1
            return
        }
        while true {
            let key = try string()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
            let next = try peek()
            at += 1
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else { throw failure("expected , or }") }
        }
    }

    /// An array: `body` reads each element.
    @usableFromInline package mutating func array(_ body: (inout JSONReader) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "["))
        if try peek() == UInt8(ascii: "]") {
            at += 1
            return
        }
        while true {
            try body(&self)
            let next = try peek()
            at += 1
            if next == UInt8(ascii: "]") { return }
            guard next == UInt8(ascii: ",") else { throw failure("expected , or ]") }
        }
    }

    package mutating func strings() throws(Failure) -> [String] {
        var values: [String] = []
        try array { (reader: inout JSONReader) throws(Failure) in values.append(try reader.string()) }
        return values
    }

    package mutating func stringDictionary() throws(Failure) -> [String: String] {
        var values: [String: String] = [:]
        try object { (reader: inout JSONReader, key: String) throws(Failure) in values[key] = try reader.string() }
        return values
    }

    package mutating func optionalString() throws(Failure) -> String? {
        try null() ? nil : try string()
    }

    @usableFromInline package mutating func string() throws(Failure) -> String {
        try expect(UInt8(ascii: "\""))
        let start = at
        // Every byte's high bit, gathered as the string is scanned: an ASCII string (most) is
        // made without comparing it with what decoding made, which cannot differ then.
        var high: UInt8 = 0
        let plain = plainBytes(from: at)
        at = plain.end
        if plain.sawHighBit { high = 0x80 }
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                defer { at += 1 }
                let text = UnsafeBufferPointer(rebasing: bytes[start..<at])
                return try Self.validated(text, at: at, high: high)
            }
            high |= byte
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start, high: high) }
            guard byte >= 0x20 else { throw failure("a control character in a string") }
            at += 1
        }
        throw failure("unterminated string")
    }

    /// Where the string's plain bytes from `start` on end (neither `"`, `\\` nor a control
    /// character), read eight at a time, and whether any has its high bit set. It stops
    /// before the eight that hold one, which the byte loop then reaches (called again only
    /// after an escape: re-entered at every byte, it made short strings, most keys, slower).
    /// Hand-written (SWAR): the byte loop's three tests a byte were most of skipping a
    /// suggestion's turn text in a line read back.
    @inline(__always)
    private func plainBytes(from start: Int) -> (end: Int, sawHighBit: Bool) {
        guard let base = bytes.baseAddress else { return (start, false) }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var at = start
        var seen: UInt64 = 0
        while at + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + at).loadUnaligned(as: UInt64.self)
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            // A byte of `quote` or `backslash` is zero, or one of `word` under 0x20: its high bit.
            let special =
                ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (word &- ones &* 0x20) & ~word) & highs
            if special != 0 { break }
            seen |= word
            at += 8
        }
        return (at, seen & highs != 0)
    }

    /// `bytes` as a String, or a failure when they are not UTF-8. Decoded by `String(decoding:)`,
    /// which the compiler specialises, and compared with what it made, which differs exactly where
    /// invalid UTF-8 was repaired: `String(validating:)` is generic at run time, and looking up its
    /// metadata for every string was a fifth of reading a lexicon edit's report examples.
    /// `high`: the high bits of the bytes read as they are; none set, decoding cannot have
    /// repaired anything and nothing is compared.
    private static func validated(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, high: UInt8) throws(Failure)
        -> String
    {
        var text = String(decoding: bytes, as: UTF8.self)
        guard high >= 0x80 else { return text }
        let same = text.withUTF8 { decoded in
            guard decoded.count == bytes.count, let made = decoded.baseAddress, let read = bytes.baseAddress else {
                return decoded.count == bytes.count
            }
            return memcmp(made, read, bytes.count) == 0
        }
        guard same else { throw Failure(offset: offset, message: "invalid UTF-8") }
        return text
    }

    /// The rest of a string that holds escapes, from `start` (just after its quote); `high`
    /// gathers the high bits of the bytes before the first escape.
    private mutating func escapedString(from start: Int, high: UInt8) throws(Failure) -> String {
        scratch.removeAll(keepingCapacity: true)
        // Plain bytes are copied a run at a time, up to the next escape or the closing quote: a
        // byte at a time, corpus.json's documents (each text whole, its turns joined by `\n`)
        // were a tenth of `tmine lexicon words`. Only bytes read as they are can be invalid
        // UTF-8; what an escape stands for is encoded here.
        var run = start
        var high = high
        while at < bytes.count {
            let byte = bytes[at]
            at += 1
            switch byte {
            case UInt8(ascii: "\""):
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<at - 1]))
                return try scratch.withUnsafeBufferPointer { buffer throws(Failure) in
                    try Self.validated(buffer, at: at, high: high)
                }
            case UInt8(ascii: "\\"):
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<at - 1]))
                let scalar = try escaped()
                if scalar.isASCII {
                    scratch.append(UInt8(scalar.value))
                } else if let encoded = UTF8.encode(scalar) {
                    scratch.append(contentsOf: encoded)
                }
                run = at
            default:
                guard byte >= 0x20 else { throw failure("a control character in a string") }
                high |= byte
            }
        }
        throw failure("unterminated string")
    }

    /// The character an escape stands for, read from just after its backslash.
    private mutating func escaped() throws(Failure) -> Unicode.Scalar {
        guard at < bytes.count else { throw failure("unterminated string") }
        let escape = bytes[at]
        at += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(escape)
        case UInt8(ascii: "b"): return "\u{8}"
        case UInt8(ascii: "f"): return "\u{C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            var value = try hex4()
            if (0xD800..<0xDC00).contains(value) {
                guard at + 2 <= bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u")
                else { throw failure("a lone surrogate") }
                at += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw failure("a lone surrogate") }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(value) else { throw failure("a lone surrogate") }
            return scalar
        default: throw failure("an unknown escape")
        }
    }

    /// Passes over a string as ``string()`` would read it (its escapes and its bytes checked the
    /// same way), without making it: a value skipped was made and dropped, most of reading a
    /// suggestion's line for the report (its turn's text).
    private mutating func skipString() throws(Failure) {
        try expect(UInt8(ascii: "\""))
        var start = at
        func checkText(_ range: Range<Int>) throws(Failure) {
            guard UTF8Scalars.firstInvalid(UnsafeBufferPointer(rebasing: bytes[range])) == nil else {
                throw failure("invalid UTF-8")
            }
        }
        at = plainBytes(from: at).end
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                try checkText(start..<at)
                at += 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                try checkText(start..<at)
                at += 1
                _ = try escaped()
                start = at
                at = plainBytes(from: at).end
                continue
            }
            guard byte >= 0x20 else { throw failure("a control character in a string") }
            at += 1
        }
        throw failure("unterminated string")
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard at + 4 <= bytes.count else { throw failure("a short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[at]
            at += 1
            guard let digit = UTF8Scalars.hexDigit(byte) else { throw failure("a bad \\u escape") }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// The bytes of a number, as JSON's grammar has it: `-`? digits (no leading zero), then a
    /// `.` and digits, then `e` or `E`, a sign and digits, each optional (Swift's `Double(_:)`
    /// would also take `+1`, `.5` or `1.`).
    private mutating func number() throws(Failure) -> UnsafeBufferPointer<UInt8> {
        let digits = try numberBytes()
        func isDigit(_ index: Int) -> Bool {
            index < digits.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digits[index])
        }
        var index = digits.first == UInt8(ascii: "-") ? 1 : 0
        guard isDigit(index) else { throw failure("not a JSON number") }
        if digits[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < digits.count, digits[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else { throw failure("not a JSON number") }
            while isDigit(index) { index += 1 }
        }
        if index < digits.count, digits[index] == UInt8(ascii: "e") || digits[index] == UInt8(ascii: "E") {
            index += 1
            if index < digits.count, digits[index] == UInt8(ascii: "+") || digits[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard isDigit(index) else { throw failure("not a JSON number") }
            while isDigit(index) { index += 1 }
        }
        guard index == digits.count else { throw failure("not a JSON number") }
        return digits
    }

    /// The bytes that may belong to a number, up to the first that cannot.
    private mutating func numberBytes() throws(Failure) -> UnsafeBufferPointer<UInt8> {
        skipSpace()
        let start = at
        while at < bytes.count {
            switch bytes[at] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                UInt8(ascii: "e"), UInt8(ascii: "E"):
                at += 1
            default:
                guard at > start else { throw failure("expected a number") }
                return UnsafeBufferPointer(rebasing: bytes[start..<at])
            }
        }
        guard at > start else { throw failure("expected a number") }
        return UnsafeBufferPointer(rebasing: bytes[start..<at])
    }

    /// An integer written without a fraction or an exponent, anywhere in `Int`'s range (a file's
    /// time in nanoseconds has 19 digits).
    package mutating func int() throws(Failure) -> Int {
        let digits = try number()
        var index = 0
        let negative = digits[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        // 19 digits always fit a UInt64; whether they fit an Int is checked after.
        guard index < digits.count, digits.count - index <= 19,
            digits[index] != UInt8(ascii: "0") || digits.count - index == 1
        else { throw failure("not an integer this reader takes") }
        var magnitude: UInt64 = 0
        while index < digits.count {
            let digit = digits[index] &- UInt8(ascii: "0")
            guard digit < 10 else { throw failure("not an integer this reader takes") }
            magnitude = magnitude * 10 + UInt64(digit)
            index += 1
        }
        guard magnitude <= UInt64(Int.max) + (negative ? 1 : 0) else { throw failure("an integer beyond Int") }
        return negative ? Int(truncatingIfNeeded: 0 &- magnitude) : Int(magnitude)
    }

    package mutating func double() throws(Failure) -> Double {
        let digits = try number()
        guard let value = Double(String(decoding: digits, as: UTF8.self)), value.isFinite else {
            throw failure("not a number this reader takes")
        }
        return value
    }

    package mutating func optionalInt() throws(Failure) -> Int? {
        try null() ? nil : try int()
    }

    package mutating func optionalDouble() throws(Failure) -> Double? {
        try null() ? nil : try double()
    }

    /// A string that is one of `Value`'s raw values.
    @inlinable public mutating func value<Value: RawRepresentable<String>>(_ type: Value.Type) throws(Failure) -> Value
    {
        guard let value = Value(rawValue: try string()) else { throw failure("not a \(Value.self)") }
        return value
    }

    /// Skips one value of any kind.
    package mutating func skipValue() throws(Failure) {
        switch try peek() {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "{"):
            try object { (reader: inout JSONReader, _: String) throws(Failure) in try reader.skipValue() }
        case UInt8(ascii: "["): try array { (reader: inout JSONReader) throws(Failure) in try reader.skipValue() }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let start = at
            while at < bytes.count, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[at]) { at += 1 }
            guard ["true", "false", "null"].contains(String(decoding: bytes[start..<at], as: UTF8.self)) else {
                throw failure("not a JSON literal")
            }
        default: _ = try number()
        }
    }

    /// Throws for a missing key of a value being read. Public and inlinable, as ``value(_:)``,
    /// ``elements(_:)`` and ``list(_:)``, so that other modules specialize it: this compiler
    /// specializes no `package` function across modules, inlinable or not, and unspecialized,
    /// each call looked up `Value?`'s metadata in the runtime's cache (`tmine lexicon report`
    /// of a 100 MB study 0.71 → 0.58 s).
    @inlinable public func required<Value>(_ value: Value?, _ key: String) throws(Failure) -> Value {
        guard let value else { throw failure("no \(key)") }
        return value
    }
}

/// A type read by ``JSONReader`` as its `Decodable` conformance reads it.
public protocol JSONReadable {
    init(reading reader: inout JSONReader) throws(JSONReader.Failure)
}

extension ScalarRange: JSONReadable {
    public init(reading reader: inout JSONReader) throws(JSONReader.Failure) {
        var start: Int?
        var end: Int?
        try reader.object { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
            switch key {
            case "start": start = try reader.int()
            case "end": end = try reader.int()
            default: try reader.skipValue()
            }
        }
        self.init(start: try reader.required(start, "start"), end: try reader.required(end, "end"))
    }
}

extension Speaker: JSONReadable {
    public init(reading reader: inout JSONReader) throws(JSONReader.Failure) {
        var label: String?
        var role: SpeakerRole?
        var participantID: String?
        try reader.object { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
            switch key {
            case "label": label = try reader.string()
            case "role": role = try reader.value(SpeakerRole.self)
            case "participantID": participantID = try reader.optionalString()
            default: try reader.skipValue()
            }
        }
        self.init(
            label: try reader.required(label, "label"), role: try reader.required(role, "role"),
            participantID: participantID)
    }
}

extension Segment: JSONReadable {
    public init(reading reader: inout JSONReader) throws(JSONReader.Failure) {
        var index: Int?
        var speaker: String?
        var role: SpeakerRole?
        var participantID: String?
        var text: String?
        var range: ScalarRange?
        var start: Double?
        var end: Double?
        try reader.object { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
            switch key {
            case "index": index = try reader.int()
            case "speaker": speaker = try reader.string()
            case "role": role = try reader.value(SpeakerRole.self)
            case "participantID": participantID = try reader.optionalString()
            case "text": text = try reader.string()
            case "range": range = try ScalarRange(reading: &reader)
            case "start": start = try reader.optionalDouble()
            case "end": end = try reader.optionalDouble()
            default: try reader.skipValue()
            }
        }
        self.init(
            index: try reader.required(index, "index"), speaker: try reader.required(speaker, "speaker"),
            role: try reader.required(role, "role"), participantID: participantID,
            text: try reader.required(text, "text"), range: try reader.required(range, "range"), start: start,
            end: end)
    }
}

extension Document: JSONReadable {
    public init(reading reader: inout JSONReader) throws(JSONReader.Failure) {
        var id: String?
        var source: String?
        var format: TranscriptFormat?
        var text: String?
        var segments: [Segment]?
        var speakers: [Speaker]?
        var notes: [String]?
        try reader.object { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
            switch key {
            case "id": id = try reader.string()
            case "source": source = try reader.string()
            case "format": format = try reader.value(TranscriptFormat.self)
            case "text": text = try reader.string()
            case "segments": segments = try reader.elements(Segment.self)
            case "speakers": speakers = try reader.elements(Speaker.self)
            case "notes": notes = try reader.strings()
            default: try reader.skipValue()
            }
        }
        self.init(
            id: try reader.required(id, "id"), source: try reader.required(source, "source"),
            format: try reader.required(format, "format"), text: try reader.required(text, "text"),
            segments: try reader.required(segments, "segments"), speakers: try reader.required(speakers, "speakers"),
            notes: try reader.required(notes, "notes"))
    }
}

extension JSONReader {
    /// An array of `Element`s.
    @inlinable public mutating func elements<Element: JSONReadable>(_ type: Element.Type) throws(Failure) -> [Element] {
        var values: [Element] = []
        try array { (reader: inout JSONReader) throws(Failure) in values.append(try Element(reading: &reader)) }
        return values
    }

    /// Elements separated by commas with no brackets around them (a run of an array's lines).
    @inlinable public mutating func list<Element: JSONReadable>(_ type: Element.Type) throws(Failure) -> [Element] {
        var values: [Element] = []
        guard !isAtEnd else { return values }
        while true {
            values.append(try Element(reading: &self))
            if isAtEnd { return values }
            try expect(UInt8(ascii: ","))
        }
    }
}
