internal import CFileSystem

/// Interns token forms to dense integer ids, each distinct form stored once.
///
/// Hand-written rather than a `Dictionary<String, Int32>`: the tokeniser looks up every token's
/// bytes straight from its scratch buffer, and this open-addressing table over one byte arena
/// does that without creating a `String` or allocating per token.
public struct Vocabulary: Sendable {
    private var arena: [UInt8] = []
    private var starts: [Int32] = [0]
    /// Open addressing over 32-bit slots: a slot's bits under `mask` hold its form's id + 1
    /// (0: empty), the bits above it the same bits of the form's hash, so that a probe compares
    /// most of the hash without reading another array. The table is always larger than the
    /// count of forms, so the id fits under the mask; the hash's bits under it are the slot's own
    /// position. Half the size of a slot holding hash and id whole, which kept a document's
    /// spelling table (~3,000 forms) out of the first-level cache.
    private var slots: [UInt32]
    private var mask: Int

    /// A table for about `capacity` forms, filled to between 1/3 and 2/3 at that count: one
    /// twice as large (filled to 1/4–1/2) left the slots of a document's spellings out of the
    /// first-level cache and made tokenising ~3 % slower.
    public init(capacity: Int = 1024) {
        let size = Self.tableSize(for: capacity)
        slots = [UInt32](repeating: 0, count: size)
        mask = size - 1
    }

    /// An index of `terms`, which must be distinct, each keeping its position as its id; their
    /// bytes are shared, not copied (until a form is added). For looking up another list's terms
    /// in a table's group, where interning both into a fresh vocabulary copied every term.
    init(indexing terms: TermList) {
        self.init(capacity: 0)
        (arena, starts) = terms.withStorage { bytes, ends in (bytes, [0] + ends) }
        grow(to: Self.tableSize(for: terms.count))
    }

    /// Slots for `capacity` forms, filled to between 1/3 and 2/3 at that count (see ``init(capacity:)``).
    private static func tableSize(for capacity: Int) -> Int {
        var size = 16
        while size < capacity + capacity / 2 { size <<= 1 }
        return size
    }

    /// Number of distinct forms.
    public var count: Int { starts.count - 1 }

    /// The id of the form spelt by `bytes` (UTF-8), adding it if new.
    public mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        intern(bytes, hash: Self.hash(bytes))
    }

    /// ``intern(_:)`` with the bytes' ``hash(_:)`` computed before (see ``prefetch(hash:)``).
    mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt32) -> Int32 {
        let (found, slot) = find(bytes, hash: hash)
        if found >= 0 { return found }
        let id = Int32(count)
        arena.append(contentsOf: bytes)
        starts.append(Int32(arena.count))
        slots[slot] = Self.entry(hash: hash, id: Int(id), mask: mask)
        if count * 4 > slots.count * 3 { grow() }
        return id
    }

    public mutating func intern(_ string: String) -> Int32 {
        var copy = string
        return copy.withUTF8 { intern($0) }
    }

    /// The id of a form, or nil when the corpus never had it.
    public func id(of string: String) -> Int32? {
        var copy = string
        return copy.withUTF8 { id(of: $0) }
    }

    /// The id of the form spelt by `bytes` (UTF-8), or nil when the corpus never had it.
    public func id(of bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        id(of: bytes, hash: Self.hash(bytes))
    }

    /// ``id(of:)`` with the bytes' ``hash(_:)`` computed before (one hash for two vocabularies).
    func id(of bytes: UnsafeBufferPointer<UInt8>, hash: UInt32) -> Int32? {
        let found = find(bytes, hash: hash).id
        return found >= 0 ? found : nil
    }

    /// The form's id (-1 when absent) and the slot where it is or belongs, one probe for interning
    /// and lookup. On buffers, not arrays: it is the tokeniser's hottest loop, and the arrays'
    /// checks cost about 3 % of tokenise + count.
    @inline(__always)
    private func find(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt32) -> (id: Int32, slot: Int) {
        slots.withUnsafeBufferPointer { slots in
            starts.withUnsafeBufferPointer { starts in
                arena.withUnsafeBufferPointer { arena in
                    var slot = Int(hash) & mask
                    while true {
                        let entry = slots[slot]
                        if entry == 0 { return (-1, slot) }
                        if let id = Self.id(in: entry, hash: hash, mask: mask) {
                            let start = Int(starts[id])
                            if Int(starts[id + 1]) - start == bytes.count, Self.same(arena, at: start, bytes) {
                                return (Int32(id), slot)
                            }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    /// Whether the arena's bytes from `start` begin with `bytes` (the caller knows the arena's
    /// form there is as long), compared as words: eight at a time and the last eight, or the
    /// first and last four (overlapping), or for one to three bytes the first, middle and last.
    /// Nothing is read past either form. A byte at a time, the loop's exit (at another length
    /// each form) was mispredicted at most forms.
    @inline(__always)
    static func same(_ arena: UnsafeBufferPointer<UInt8>, at start: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Both have an address where the form is not empty.
        guard let base = arena.baseAddress, let asked = bytes.baseAddress else { return bytes.isEmpty }
        let stored = base + start
        let count = bytes.count
        let one = UnsafeRawPointer(stored)
        let other = UnsafeRawPointer(asked)
        if count >= 8 {
            var offset = 0
            while offset + 8 < count {
                guard
                    one.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                        == other.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                else { return false }
                offset += 8
            }
            return one.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                == other.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        if count >= 4 {
            let head = one.loadUnaligned(as: UInt32.self) ^ other.loadUnaligned(as: UInt32.self)
            let tail =
                one.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
                ^ other.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
            return head | tail == 0
        }
        guard count > 0 else { return true }
        return (stored[0] ^ asked[0]) | (stored[count >> 1] ^ asked[count >> 1])
            | (stored[count - 1] ^ asked[count - 1]) == 0
    }

    /// Starts fetching the slot a form with this hash is looked up at (``prefetchForm(hash:bytes:)``
    /// then fetches the form the slot holds): interning many forms into a table larger than the
    /// processor's cache waits on three dependent loads each, so a caller hashing a few forms
    /// ahead overlaps them.
    @inline(__always)
    func prefetch(hash: UInt32) {
        slots.withUnsafeBufferPointer { slots in
            cfilesystem_prefetch(slots.baseAddress.map { UnsafeRawPointer($0 + (Int(hash) & mask)) })
        }
    }

    /// The next step of ``prefetch(hash:)``, a few forms later: the start of the form in the
    /// slot (`bytes: false`), or, later still, its bytes. Returns the id the slot probably holds
    /// (its hash bits agree), for the caller to fetch what it keeps by id.
    @inline(__always)
    @discardableResult
    func prefetchForm(hash: UInt32, bytes: Bool) -> Int? {
        let entry = slots.withUnsafeBufferPointer { $0[Int(hash) & mask] }
        guard let id = Self.id(in: entry, hash: hash, mask: mask) else { return nil }
        starts.withUnsafeBufferPointer { starts in
            if !bytes {
                cfilesystem_prefetch(starts.baseAddress.map { UnsafeRawPointer($0 + id) })
                return
            }
            let start = Int(starts[id])
            arena.withUnsafeBufferPointer { arena in
                cfilesystem_prefetch(arena.baseAddress.map { UnsafeRawPointer($0 + start) })
            }
        }
        return id
    }

    /// Interns each of `terms` in order, calling `body` with its position and id. The forms are
    /// hashed first (into `hashes`, the caller's scratch) and each one's slot, start and bytes
    /// fetched a few terms before it is probed: interning into a table larger than the
    /// processor's cache waits on three dependent loads a term. `ahead` gets the id a term four
    /// places on probably has, for the caller to fetch what it keeps by id.
    @inline(__always)
    mutating func internEach(
        _ terms: TermList, hashes: inout [UInt32], ahead: (Int) -> Void, _ body: (Int, Int32) -> Void
    ) {
        hashes.removeAll(keepingCapacity: true)
        hashes.append(contentsOf: repeatElement(0, count: terms.count))
        hashes.withUnsafeMutableBufferPointer { hashes in
            for index in terms.indices { hashes[index] = terms.withBytes(at: index) { Self.hash($0) } }
        }
        let distance = 8
        for index in hashes.indices.prefix(distance) { prefetch(hash: hashes[index]) }
        for index in hashes.indices {
            if index + distance < hashes.count { prefetch(hash: hashes[index + distance]) }
            if index + 4 < hashes.count, let id = prefetchForm(hash: hashes[index + 4], bytes: false) { ahead(id) }
            if index + 2 < hashes.count { prefetchForm(hash: hashes[index + 2], bytes: true) }
            body(index, terms.withBytes(at: index) { intern($0, hash: hashes[index]) })
        }
    }

    /// Asks the processor to fetch `buffer[index]` ahead of its use (`buffer` indexed by form id).
    @inline(__always)
    static func prefetch<Element>(_ buffer: UnsafeBufferPointer<Element>, at index: Int) {
        guard index < buffer.count else { return }
        cfilesystem_prefetch(buffer.baseAddress.map { UnsafeRawPointer($0 + index) })
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

    /// Calls `body` with the bytes of every form, in id order, in one pass over the arena.
    public func forEachForm(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        arena.withUnsafeBufferPointer { arena in
            starts.withUnsafeBufferPointer { starts in
                for index in 0..<starts.count - 1 {
                    body(UnsafeBufferPointer(rebasing: arena[Int(starts[index])..<Int(starts[index + 1])]))
                }
            }
        }
    }

    /// The forms with these ids, in this order, copied in one pass. A form of 8 bytes or fewer
    /// (most words) is copied as one 8-byte load and store, into a buffer 8 bytes longer than the
    /// forms: copied a byte at a time, with the ends appended one by one, this was a fifth of
    /// counting a document's words.
    func termList(_ ids: [Int32]) -> TermList {
        starts.withUnsafeBufferPointer { starts in
            var total = 0
            for id in ids { total += Int(starts[Int(id) + 1] - starts[Int(id)]) }
            guard total > 0 else { return TermList(bytes: [], ends: [Int32](repeating: 0, count: ids.count)) }
            let slack = 8
            var ends: [Int32] = []
            let bytes = arena.withUnsafeBytes { arena in
                [UInt8](unsafeUninitializedCapacity: total + slack) { copy, count in
                    // Neither is empty: the forms have `total` bytes.
                    guard let target = copy.baseAddress.map(UnsafeMutableRawPointer.init),
                        let source = arena.baseAddress
                    else { return }
                    ends = [Int32](unsafeUninitializedCapacity: ids.count) { written, made in
                        for (index, id) in ids.enumerated() {
                            let start = Int(starts[Int(id)])
                            let length = Int(starts[Int(id) + 1]) - start
                            if length <= slack && start + slack <= arena.count {
                                target.storeBytes(
                                    of: arena.loadUnaligned(fromByteOffset: start, as: UInt64.self),
                                    toByteOffset: count, as: UInt64.self)
                            } else {
                                (target + count).copyMemory(from: source + start, byteCount: length)
                            }
                            count += length
                            written[index] = Int32(count)
                        }
                        made = ids.count
                    }
                }
            }
            return TermList(bytes: bytes, ends: ends)
        }
    }

    /// Every form in id order.
    public var forms: [String] { (0..<Int32(count)).map { self[$0] } }

    /// Every form in id order as one packed list, sharing this vocabulary's bytes: it is cached
    /// as `[String]` is, without making a `String` of each form.
    public var termList: TermList { TermList(bytes: arena, ends: Array(starts.dropFirst())) }

    /// The table's hash of the form's bytes: ``wordHash(_:)`` folded to 32 bits.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let mixed = wordHash(bytes)
        return UInt32(truncatingIfNeeded: mixed ^ mixed >> 32)
    }

    /// A multiply-fold hash of a word's bytes, read four or eight at a time (wyhash's scheme,
    /// written here for words: most are under 16 bytes, hashed with two 64×64→128-bit
    /// multiplies). Hand-written: the standard library's `Hasher` is seeded per process and slower
    /// on keys this short, and FNV-1a's multiply per byte made a chain as long as the word.
    /// Stored: the word filters of `.cache/words.bin` are built from it, so a change to it must
    /// change their tag.
    @inline(__always)
    public static func wordHash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let count = bytes.count
        // An empty buffer may have no address; every empty one hashes alike.
        guard count > 0, let base = bytes.baseAddress.map(UnsafeRawPointer.init) else { return 0 }
        func load32(_ offset: Int) -> UInt64 { UInt64(base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
        func load64(_ offset: Int) -> UInt64 { base.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        var seed = hashSeed ^ UInt64(count)
        let first: UInt64
        let second: UInt64
        if count <= 16 {
            if count >= 4 {
                // 4–7 bytes: the first and last four (overlapping); 8–16: four words of four.
                let step = (count >> 3) << 2
                first = load32(0) << 32 | load32(step)
                second = load32(count - 4) << 32 | load32(count - 4 - step)
            } else {
                let bytes = base.assumingMemoryBound(to: UInt8.self)
                first = UInt64(bytes[0]) << 16 | UInt64(bytes[count >> 1]) << 8 | UInt64(bytes[count - 1])
                second = 0
            }
        } else {
            var offset = 0
            while count - offset > 16 {
                seed = mix(load64(offset) ^ hashFactor, load64(offset + 8) ^ seed)
                offset += 16
            }
            first = load64(count - 16)
            second = load64(count - 8)
        }
        return mix(hashFactor ^ UInt64(count), mix(first ^ hashFactor, second ^ seed))
    }

    private static let hashSeed: UInt64 = 0xA076_1D64_78BD_642F
    private static let hashFactor: UInt64 = 0xE703_7ED1_A0B4_28DB

    /// The two halves of the 128-bit product, folded: every bit of either input reaches many bits.
    @inline(__always)
    private static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// A slot's content for the form with this hash and id (see `slots`).
    @inline(__always)
    private static func entry(hash: UInt32, id: Int, mask: Int) -> UInt32 {
        hash & ~UInt32(truncatingIfNeeded: mask) | UInt32(id + 1)
    }

    /// The id a non-empty slot holds when its bits of the hash are those of `hash`, else nil.
    @inline(__always)
    private static func id(in entry: UInt32, hash: UInt32, mask: Int) -> Int? {
        let low = UInt32(truncatingIfNeeded: mask)
        guard entry != 0, entry & ~low == hash & ~low else { return nil }
        return Int(entry & low) - 1
    }

    /// Room for `extra` more forms without growing on the way: a table about to take a list of
    /// new forms grows once, not once per doubling (each hashes every form again).
    mutating func reserve(_ extra: Int) {
        var size = slots.count
        while (count + extra) * 4 > size * 3 { size <<= 1 }
        if size > slots.count { grow(to: size) }
    }

    /// Doubles the table (or makes it `size` slots), hashing every form again: a slot keeps
    /// only the hash's bits above the mask, and a larger mask needs more of them.
    private mutating func grow(to size: Int? = nil) {
        let size = size ?? slots.count * 2
        var fresh = [UInt32](repeating: 0, count: size)
        let newMask = size - 1
        for id in 0..<count {
            let hash = withBytes(of: Int32(id), Self.hash)
            var slot = Int(hash) & newMask
            while fresh[slot] != 0 { slot = (slot + 1) & newMask }
            fresh[slot] = Self.entry(hash: hash, id: id, mask: newMask)
        }
        slots = fresh
        mask = newMask
    }
}
