/// Interns token forms to dense integer ids, each distinct form stored once.
///
/// Hand-written rather than a `Dictionary<String, Int32>`: the tokeniser looks up every token's
/// bytes straight from its scratch buffer, and this open-addressing table over one byte arena
/// does that without creating a `String` or allocating per token.
public struct Vocabulary: Sendable {
    private var arena: [UInt8] = []
    private var starts: [Int32] = [0]
    private var hashes: [UInt32] = []
    private var slots: [Int32]
    private var mask: Int

    public init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        mask = size - 1
    }

    /// Number of distinct forms.
    public var count: Int { hashes.count }

    /// The id of the form spelt by `bytes` (UTF-8), adding it if new.
    public mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let hash = Self.hash(bytes)
        var slot = Int(hash) & mask
        while true {
            let id = slots[slot]
            if id < 0 { break }
            if hashes[Int(id)] == hash && equals(Int(id), bytes) { return id }
            slot = (slot + 1) & mask
        }
        let id = Int32(hashes.count)
        arena.append(contentsOf: bytes)
        starts.append(Int32(arena.count))
        hashes.append(hash)
        slots[slot] = id
        if hashes.count * 2 > slots.count { grow() }
        return id
    }

    public mutating func intern(_ string: String) -> Int32 {
        var copy = string
        return copy.withUTF8 { intern($0) }
    }

    /// The id of a form, or nil when the corpus never had it.
    public func id(of string: String) -> Int32? {
        var copy = string
        return copy.withUTF8 { bytes -> Int32? in
            let hash = Self.hash(bytes)
            var slot = Int(hash) & mask
            while true {
                let id = slots[slot]
                if id < 0 { return nil }
                if hashes[Int(id)] == hash && equals(Int(id), bytes) { return id }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The form with this id.
    public subscript(id: Int32) -> String {
        withBytes(of: id) { String(decoding: $0, as: UTF8.self) }
    }

    /// The UTF-8 bytes of the form with this id, without making a `String`.
    public func withBytes<Result>(of id: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let range = Int(starts[Int(id)])..<Int(starts[Int(id) + 1])
        return arena.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// Every form in id order.
    public var forms: [String] { (0..<Int32(count)).map { self[$0] } }

    func equals(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(starts[id])
        let length = Int(starts[id + 1]) - start
        guard length == bytes.count else { return false }
        return arena.withUnsafeBufferPointer { stored in
            for index in 0..<length where stored[start + index] != bytes[index] { return false }
            return true
        }
    }

    /// FNV-1a over the form's bytes.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return hash
    }

    private mutating func grow() {
        let size = slots.count * 2
        var fresh = [Int32](repeating: -1, count: size)
        let newMask = size - 1
        for (id, hash) in hashes.enumerated() {
            var slot = Int(hash) & newMask
            while fresh[slot] >= 0 { slot = (slot + 1) & newMask }
            fresh[slot] = Int32(id)
        }
        slots = fresh
        mask = newMask
    }
}
