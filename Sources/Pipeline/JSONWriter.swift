import Coding
import Corpus
import Foundation
import TextAnalysis

/// Writes the outputs that hold one entry per hit, turn or term: laid out as `JSONEncoder` lays
/// out `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]` (two-space indent,
/// `"key" : value`), except that each entry (a *record*, see ``record(_:)``) sits on one line as
/// `JSONEncoder` writes it without `.prettyPrinted`.
///
/// One record per line keeps the files a quarter to two fifths smaller than fully indented
/// (suggestions.json is twice the corpus's text and is rewritten after every lexicon edit) and
/// lets a person or a script read them with `grep` or line by line; any JSON reader reads them.
/// Hand-written because Foundation's encoder builds a tree of boxed values first and cost a
/// third of a run; no package on this machine writes JSON faster. Callers emit keys in sorted
/// order; the tests compare every output with `JSONEncoder`'s bytes laid out this way.
///
/// Not copyable: its bytes are a ``ByteBuffer`` it owns.
struct JSONWriter: ~Copyable {
    private(set) var bytes: ByteBuffer
    private var depth: Int
    /// Whether the innermost open container has an element yet. A flag of its own, not the
    /// top of a stack: every field and element sets it, and setting an array's last element
    /// checked the array's uniqueness each time (`tmine freq --by participant --json`'s samples
    /// in `element()` and the check 8.1 → 6.3 %).
    private var started = false
    /// For each open container, innermost last: its parent's flag, restored when it closes,
    /// and its closing bracket. Empty at the top level, where nothing is separated or indented.
    private var outer: [(started: Bool, closer: UInt8)] = []

    /// Where a streamed output goes: bytes are handed on a megabyte at a time, between elements.
    private var sink: (any ByteSink)?
    private static let flushSize = 1 << 20

    init(depth: Int = 0, capacity: Int = 1 << 16) {
        self.depth = depth
        bytes = ByteBuffer(capacity: capacity)
    }

    /// A whole output in memory, with its final line break.
    static func data(capacity: Int, _ body: (inout JSONWriter) -> Void) -> Data {
        var writer = JSONWriter(capacity: capacity + 1)
        body(&writer)
        writer.bytes.append(0x0A)
        return writer.data()
    }

    /// The bytes written, taken over as `Data` (not copied).
    consuming func data() -> Data { bytes.data() }

    /// A whole output written to `sink` as it is made, with its final line break: memory holds a
    /// megabyte of it, not the file (suggestions.json is twice the corpus's text).
    static func stream(to sink: any ByteSink, _ body: (inout JSONWriter) -> Void) {
        var writer = streaming(to: sink)
        body(&writer)
        writer.finish()
    }

    /// An output written over many calls (document by document, as chunks of documents
    /// finish), handed to `sink` a megabyte at a time; ``finish()`` ends it.
    static func streaming(to sink: any ByteSink) -> JSONWriter {
        var writer = JSONWriter(capacity: flushSize + (flushSize >> 2))
        writer.sink = sink
        return writer
    }

    /// Elements of an array at `depth` whose brackets another writer writes: it places these
    /// bytes between them (pieces of elements joined by commas) with ``spliced(elements:)``.
    static func elements(depth: Int) -> JSONWriter {
        var writer = JSONWriter(depth: depth)
        // The array another writer opened: never closed here.
        writer.outer = [(started: false, closer: 0x5D)]
        return writer
    }

    /// Ends a streamed output: its final line break, and every byte handed to the sink.
    mutating func finish() {
        bytes.append(0x0A)
        flush()
    }

    /// Hands the bytes made so far to the sink (before splicing other bytes in after them).
    mutating func flush() {
        if let sink { bytes.withUnsafeBufferPointer { sink.append(UnsafeRawBufferPointer($0)) } }
        bytes.removeAll()
    }

    /// Starts an element of the open container: its separator and indentation, the element's
    /// bytes being the next value written (`followed`) or placed in the file by the caller.
    mutating func startElement(followed: Bool) {
        element()
        inline = followed
    }

    /// The open container got its elements from elsewhere (see ``elements(depth:)``).
    mutating func spliced(elements: Bool) {
        if elements, !outer.isEmpty { started = true }
    }

    private mutating func newline() {
        bytes.append(0x0A)
        bytes.append(repeating: 0x20, count: depth * 2)
    }

    /// Separator and indentation before an element of the current container.
    private mutating func element() {
        if compact > 0 {
            if started { bytes.append(0x2C) }
            started = true
            return
        }
        if sink != nil, bytes.count >= Self.flushSize { flush() }
        guard !outer.isEmpty else { return }
        if started { bytes.append(0x2C) }
        started = true
        newline()
    }

    /// After a key: the next value goes on the key's line, not as a new element.
    private var inline = false

    /// How many records are open: inside one, nothing is indented or put on a line of its own.
    private var compact = 0

    private mutating func begin() {
        if inline { inline = false } else { element() }
    }

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        begin()
        open(0x7B, close: 0x7D, body)
    }

    mutating func array(_ body: (inout JSONWriter) -> Void) {
        begin()
        open(0x5B, close: 0x5D, body)
    }

    /// An object on one line of its own, written without spaces or line breaks inside: one
    /// entry of a long list (a hit, a suggestion, a turn, a row of counts).
    mutating func record(_ body: (inout JSONWriter) -> Void) {
        begin()
        compact += 1
        open(0x7B, close: 0x7D, body)
        compact -= 1
    }

    private mutating func open(_ opening: UInt8, close closing: UInt8, _ body: (inout JSONWriter) -> Void) {
        open(opening, close: closing)
        body(&self)
        end()
    }

    private mutating func open(_ opening: UInt8, close closing: UInt8) {
        bytes.append(opening)
        depth += 1
        outer.append((started, closing))
        started = false
    }

    /// Opens an object whose fields follow in later calls; ``end()`` closes it.
    mutating func beginObject() {
        begin()
        open(0x7B, close: 0x7D)
    }

    /// Opens an array whose elements follow in later calls; ``end()`` closes it.
    mutating func beginArray() {
        begin()
        open(0x5B, close: 0x5D)
    }

    /// Closes the innermost container opened.
    mutating func end() {
        let hadElements = started
        let container = outer.removeLast()
        started = container.started
        depth -= 1
        if compact > 0 {
            bytes.append(container.closer)
            return
        }
        if hadElements {
            newline()
        } else {
            bytes.append(0x0A)
            newline()
        }
        bytes.append(container.closer)
    }

    /// `"name" : ` inside an object, for a name the program spells (nothing in it to escape:
    /// its bytes are copied as they are, where escaping each key as a string was a third of
    /// writing the hot outputs); the value follows.
    mutating func key(_ name: StaticString) {
        element()
        bytes.append(0x22)
        bytes.append(name)
        bytes.append(0x22)
        separateValue()
    }

    /// `"name" : ` for a name from the data (a participant attribute), escaped.
    mutating func key(data name: String) {
        element()
        string(name)
        separateValue()
    }

    private mutating func separateValue() {
        if compact > 0 {
            bytes.append(0x3A)
        } else {
            bytes.append(" : ")
        }
        inline = true
    }

    mutating func value(_ value: String) {
        begin()
        string(value)
    }

    mutating func value(_ value: Int) {
        begin()
        FixedPoint.append(value, to: &bytes)
    }

    /// Set when a value JSON cannot hold (infinity, NaN) was written; the caller must not use
    /// the bytes (`JSONEncoder` throws for these).
    private(set) var invalid = false

    /// As `JSONEncoder`: the shortest representation that reads back, without a trailing `.0`.
    mutating func value(_ value: Double) {
        begin()
        number(value)
    }

    /// A number's digits as ``value(_:)-(Double)`` writes them, with nothing before them.
    private mutating func number(_ value: Double) {
        if !value.isFinite { invalid = true }
        // A whole number well inside the range where `description` writes every digit (and not
        // -0, which it writes with its sign) is its integer's digits.
        if value.rounded(.towardZero) == value, value.magnitude < 1e15, !(value == 0 && value.sign == .minus) {
            FixedPoint.append(Int(value), to: &bytes)
            return
        }
        guard value.isFinite else {
            bytes.append(utf8: value.description)
            return
        }
        // `description`'s digits, handed over from the standard library's stack buffer: a
        // `String` made for each rate was 3.5 % of `tmine freq --by participant --json`'s CPU.
        // Into a scratch array kept from number to number, then copied.
        numberScratch.bytes.removeAll(keepingCapacity: true)
        value.write(to: &numberScratch)
        numberScratch.bytes.withUnsafeBufferPointer { bytes.append($0) }
        if bytes.count >= 2, bytes[bytes.count - 2] == 0x2E, bytes[bytes.count - 1] == 0x30 { bytes.removeLast(2) }
    }

    private var numberScratch = ByteStream()

    /// Takes what `Double.write(to:)` writes, the same text as `description`: its digits come
    /// through `_writeASCII`, the stream requirement that takes ASCII without a `String`.
    private struct ByteStream: TextOutputStream {
        var bytes: [UInt8] = []
        mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }
        mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }
    }

    mutating func value(_ value: Bool) {
        begin()
        bytes.append(value ? "true" : "false")
    }

    /// Bytes already encoded elsewhere (by `JSONEncoder`, pretty-printed at depth 0), placed
    /// here at the current depth.
    mutating func value(encoded: Data) {
        precondition(compact == 0, "pretty-printed bytes inside a record")
        begin()
        let pad = depth * 2
        // Through the buffer, not `zip(body.indices, body)`: that made the runtime complete
        // `Zip2Sequence<Range<Int>, Data>.Iterator`'s metadata, three conformance scans (~0.6 ms
        // of every lexicon edit's setup).
        encoded.withUnsafeBytes { (body: UnsafeRawBufferPointer) in
            var end = body.count
            while end > 0, body[end - 1] == 0x0A { end -= 1 }
            for index in 0..<end {
                let byte = body[index]
                bytes.append(byte)
                // Blank lines (inside an empty container) stay blank.
                if byte == 0x0A, index + 1 < end, body[index + 1] != 0x0A {
                    bytes.append(repeating: 0x20, count: pad)
                }
            }
        }
    }

    mutating func field(_ name: StaticString, _ value: String) {
        key(name)
        self.value(value)
    }

    mutating func field(_ name: StaticString, _ value: Int) {
        key(name)
        self.value(value)
    }

    mutating func field(_ name: StaticString, _ value: Double) {
        key(name)
        self.value(value)
    }

    mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        self.value(value)
    }

    /// Omitted when nil, as the synthesised `Encodable` conformances do.
    mutating func field(_ name: StaticString, _ value: String?) {
        if let value { field(name, value) }
    }

    mutating func field(_ name: StaticString, _ value: Int?) {
        if let value { field(name, value) }
    }

    mutating func field(_ name: StaticString, _ value: Double?) {
        if let value { field(name, value) }
    }

    mutating func field(_ name: StaticString, object body: (inout JSONWriter) -> Void) {
        key(name)
        object(body)
    }

    mutating func field(_ name: StaticString, array body: (inout JSONWriter) -> Void) {
        key(name)
        array(body)
    }

    mutating func field(_ name: StaticString, encoded: Data) {
        key(name)
        value(encoded: encoded)
    }

    mutating func field(_ name: StaticString, strings: [String]) {
        field(
            name,
            array: { writer in
                for value in strings { writer.value(value) }
            })
    }

    /// A string-to-string object with its keys in `JSONEncoder`'s sorted order.
    mutating func field(_ name: StaticString, dictionary: [String: String]) {
        key(name)
        // Inside a record, the last object written is reused while the same one comes again:
        // every hit and suggestion carries its participant's attributes, and sorting their keys
        // for each was a tenth of writing them.
        if compact > 0, let last = lastDictionary, last.value == dictionary {
            begin()
            bytes.append(last.bytes)
            return
        }
        let start = bytes.count
        object { $0.entries(of: dictionary) }
        if compact > 0 { lastDictionary = (dictionary, bytes.array(from: start)) }
    }

    /// A string-to-string dictionary's entries, keys in `JSONEncoder`'s sorted order, as the
    /// fields of the object being written.
    mutating func entries(of dictionary: [String: String]) {
        for name in KeyOrder.shared.sorted(dictionary.keys) {
            key(data: name)
            value(dictionary[name] ?? "")
        }
    }

    /// The last string-to-string object written inside a record, and its bytes.
    private var lastDictionary: (value: [String: String], bytes: [UInt8])?

    mutating func field(_ name: StaticString, range: ScalarRange) {
        field(
            name,
            object: { writer in
                writer.field("end", range.end)
                writer.field("start", range.start)
            })
    }

    /// Frequency rows, a record each, as ``record(_:)`` and the fields in sorted order write
    /// them (`{"count":…,"documents":…,"group":…,"participants":…,"rate":…,"term":…}`): each
    /// record's keys and punctuation copied in five pieces, and its group escaped once for the
    /// rows of that group, where a record and its six fields went through the writer's state a
    /// byte or two at a time (the JSON rows were most of writing frequencies.json, the longest
    /// task of rerunning a study after a transcript is added).
    mutating func records(of rows: [FrequencyTable.Row]) {
        var group: String?
        var escapedGroup: [UInt8] = []
        for row in rows {
            begin()
            if row.group != group {
                group = row.group
                let start = bytes.count
                string(row.group)
                escapedGroup = bytes.array(from: start)
                bytes.removeLast(bytes.count - start)
            }
            raw("{\"count\":", row.count)
            raw(",\"documents\":", row.documents)
            raw(",\"group\":")
            bytes.append(escapedGroup)
            raw(",\"participants\":", row.participants)
            raw(",\"rate\":", row.rate)
            raw(",\"term\":")
            string(row.term)
            bytes.append(0x7D)
        }
    }

    /// Keyness rows, a record each, written in pieces as frequency rows are
    /// (``records(of:)-([FrequencyTable.Row])``): a comparison by split lists every term of the
    /// study, and frequencies.json writes it before any table, with the other core idle.
    mutating func records(of rows: [Keyness.Row]) {
        for row in rows {
            begin()
            raw("{\"logLikelihood\":", row.logLikelihood)
            raw(",\"logRatio\":", row.logRatio)
            raw(",\"pValue\":", row.pValue)
            raw(",\"referenceCount\":", row.referenceCount)
            raw(",\"referenceRate\":", row.referenceRate)
            raw(",\"targetCount\":", row.targetCount)
            raw(",\"targetRate\":", row.targetRate)
            raw(",\"term\":")
            string(row.term)
            bytes.append(0x7D)
        }
    }

    /// A record's punctuation and key (`,"name":`) as the program spells it, copied whole.
    @inline(__always)
    private mutating func raw(_ text: StaticString) {
        bytes.append(text)
    }

    /// A record's punctuation and key, then the number.
    @inline(__always)
    private mutating func raw(_ text: StaticString, _ value: Int) {
        raw(text)
        FixedPoint.append(value, to: &bytes)
    }

    @inline(__always)
    private mutating func raw(_ text: StaticString, _ value: Double) {
        raw(text)
        number(value)
    }

    private mutating func string(_ value: String) {
        bytes.append(0x22)
        var copy = value
        copy.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            while index < utf8.count {
                // 32 and then 8 bytes at a time while none needs escaping (nearly all text): four
                // words' tests joined before one branch scan long texts four times as fast as
                // one word's (corpus.json repeats every transcript's text).
                if let base = utf8.baseAddress {
                    let raw = UnsafeRawPointer(base)
                    if index + 32 <= utf8.count,
                        Self.escapes(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                            | Self.escapes(raw.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self))
                            | Self.escapes(raw.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self))
                            | Self.escapes(raw.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self)) == 0
                    {
                        index += 32
                        continue
                    }
                    if index + 8 <= utf8.count,
                        Self.escapes(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) == 0
                    {
                        index += 8
                        continue
                    }
                }
                let byte = utf8[index]
                index += 1
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                let escaped = index - 1
                bytes.append(UnsafeBufferPointer(rebasing: utf8[runStart..<escaped]))
                runStart = index
                switch byte {
                case 0x22: bytes.append("\\\"")
                case 0x5C: bytes.append("\\\\")
                case 0x0A: bytes.append("\\n")
                case 0x0D: bytes.append("\\r")
                case 0x09: bytes.append("\\t")
                case 0x08: bytes.append("\\b")
                case 0x0C: bytes.append("\\f")
                default:
                    let hex = ("0123456789abcdef" as StaticString).utf8Start
                    bytes.append("\\u00")
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0xF)])
                }
            }
            bytes.append(UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(0x22)
    }

    /// Nonzero when one of eight bytes is a control character, `"` or `\\` (exact as a yes or
    /// no: the classic has-zero-byte and has-byte-less-than tests, which bytes of 0x80 and above
    /// never set; the bits set need not mark which bytes).
    @inline(__always)
    private static func escapes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func zero(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & high }
        let control = (word &- ones &* 0x20) & ~word & high
        return control | zero(word ^ (ones &* 0x22)) | zero(word ^ (ones &* 0x5C))
    }
}

/// `JSONEncoder`'s order of sorted keys, learnt from `JSONEncoder` itself once per set of keys
/// (its comparison is locale- and number-aware, not plain `<`). Attribute dictionaries share
/// one set of keys: the participants file's columns.
final class KeyOrder: @unchecked Sendable {
    static let shared = KeyOrder()
    private var known: [[String]: [String]] = [:]
    private let lock = NSLock()

    func sorted(_ keys: Dictionary<String, String>.Keys) -> [String] {
        let plain = keys.sorted()
        if let order = lock.withLock({ known[plain] }) { return order }
        var order = plain
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let data = try? encoder.encode(Dictionary(uniqueKeysWithValues: plain.enumerated().map { ($1, $0) })) {
            // Values are the keys' indices in `plain`: read them back in the order written,
            // skipping over the (escaped) keys.
            var positions: [Int] = []
            var inString = false
            var escaped = false
            var number: Int?
            for byte in data {
                if inString {
                    if escaped {
                        escaped = false
                    } else if byte == 0x5C {
                        escaped = true
                    } else if byte == 0x22 {
                        inString = false
                    }
                } else if byte == 0x22 {
                    inString = true
                } else if (0x30...0x39).contains(byte) {
                    number = (number ?? 0) * 10 + Int(byte - 0x30)
                } else if let value = number {
                    positions.append(value)
                    number = nil
                }
            }
            if positions.count == plain.count, Set(positions) == Set(plain.indices) {
                order = positions.map { plain[$0] }
            }
        }
        lock.withLock { known[plain] = order }
        return order
    }
}
