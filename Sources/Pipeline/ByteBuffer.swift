import Corpus
import Foundation

/// Bytes appended to memory this value owns, for the writers of the hot outputs (kwic.json,
/// suggestions.json, corpus.json, frequencies.json): they append tens of millions of small pieces
/// (keys, commas, digits), and each `[UInt8].append` checked the array's uniqueness with a call
/// into the runtime and copied through the standard library's generic path (half the time of
/// appending: 0.8 against 0.4 ns a byte for records of keys and short text). Hand-written: no
/// package on this machine has such a buffer. Not copyable, so no copy can share the memory.
///
/// In the writers' module: from `Corpus` as a `package` type its `@inlinable` appends stayed
/// calls (2 % of a cold run's samples; Swift 6.3 does not inline a `package` non-copyable type's
/// methods across modules, a `public` one's it does).
struct ByteBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// How many bytes have been appended (and not removed).
    private(set) var count = 0

    /// An empty buffer with room for `capacity` bytes before it grows.
    init(capacity: Int = 1 << 12) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count += 1
    }

    /// Appends `bytes`; a short piece a byte at a time, where a call to `memmove` cost more
    /// than the copy.
    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let length = bytes.count
        guard length > 0, let source = bytes.baseAddress else { return }
        if count + length > capacity { grow(to: count + length) }
        let target = base + count
        if length <= 16 {
            for index in 0..<length { target[index] = source[index] }
        } else {
            target.update(from: source, count: length)
        }
        count += length
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends the bytes of a string the program spells.
    @inline(__always)
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    /// Appends a string's UTF-8 bytes.
    mutating func append(utf8 text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// Appends `byte` `count` times.
    mutating func append(repeating byte: UInt8, count repeats: Int) {
        guard repeats > 0 else { return }
        if count + repeats > capacity { grow(to: count + repeats) }
        (base + count).update(repeating: byte, count: repeats)
        count += repeats
    }

    /// Twice the room or `needed`, whichever is more: appending stays linear.
    @inline(never)
    private mutating func grow(to needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        larger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = larger
        capacity = size
    }

    /// Empties the buffer and keeps its room.
    mutating func removeAll() { count = 0 }

    /// Drops the last `k` bytes.
    mutating func removeLast(_ k: Int) {
        precondition(k >= 0 && k <= count, "removing more bytes than the buffer has")
        count -= k
    }

    /// The byte at `index` (below ``count``).
    subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < count, "index \(index) outside \(count) bytes")
        return base[index]
    }

    /// The bytes appended, from `start` on.
    func withUnsafeBufferPointer<Result, Failure: Error>(
        from start: Int = 0, _ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        precondition(start >= 0 && start <= count, "start \(start) outside \(count) bytes")
        return try body(UnsafeBufferPointer(start: base + start, count: count - start))
    }

    /// The bytes as `Data` that takes this buffer's memory over, without copying it.
    consuming func data() -> Data {
        // An empty `Data` still frees the memory it was handed.
        let data = Data(bytesNoCopy: base, count: count, deallocator: .custom { memory, _ in memory.deallocate() })
        discard self
        return data
    }

    /// A copy of the bytes from `start` on.
    func array(from start: Int = 0) -> [UInt8] {
        withUnsafeBufferPointer(from: start) { Array($0) }
    }
}

extension FixedPoint {
    /// ``FixedPoint/append(_:to:)-([UInt8])`` for a ``ByteBuffer``.
    static func append(_ value: Int, to bytes: inout ByteBuffer) {
        if value >= 0, value < 10 {
            bytes.append(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        withDigits(of: value) { bytes.append($0) }
    }
}
