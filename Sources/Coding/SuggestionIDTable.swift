/// Suggestion ids mapped to their positions in a list, looked up by the number their first 16
/// hex digits make.
///
/// Joining decisions asks, for every suggestion of a study (120,000 at 100 MB) and every coder,
/// whether the coder decided on its id. A `[String: Int]` of ids hashed each id with SipHash at
/// every question and compared it with each occupied slot its probe passed (every id 16 bytes
/// long, one byte past the standard library's inline strings, so each comparison was a `memcmp`
/// of a key stored elsewhere on the heap). A suggestion id is 16 hex digits of a SHA-256
/// (``CodeSuggester/id(document:segment:sentence:code:text:occurrence:)``): 64 well-mixed bits,
/// here the key itself, probed in place; the whole id is compared only when a slot's tag (half
/// of them) matches.
/// Hand-written because no listed package keeps a table by a key that is its own hash. Ids of
/// another form (a hand-edited log) go to an ordinary dictionary.
struct SuggestionIDTable: Sendable {
    /// An id's position in `ids` (-1 marks an empty slot) and the low half of its leading
    /// number: 8 bytes a slot, so that the table (probed at random, a cache miss each question)
    /// is half what the whole number would make it.
    private struct Slot {
        var tag: UInt32
        var position: Int32
    }

    private let ids: [String]
    private var slots: [Slot]
    private let shift: UInt64
    private var others: [String: Int] = [:]

    /// `ids` in order; an id listed twice is found at its first position.
    init(_ ids: [String]) {
        self.ids = ids
        // At most half full: a miss (most questions) ends at the next empty slot.
        var bits: UInt64 = 4
        while 1 << bits < 2 * ids.count { bits += 1 }
        shift = 64 - bits
        slots = Array(repeating: Slot(tag: 0, position: -1), count: 1 << bits)
        for (position, id) in ids.enumerated() where self.position(of: id) == nil {
            guard let prefix = Self.prefix(of: id) else {
                others[id] = position
                continue
            }
            var slot = self.slot(of: prefix)
            while slots[slot].position >= 0 { slot = (slot + 1) & (slots.count - 1) }
            slots[slot] = Slot(tag: UInt32(truncatingIfNeeded: prefix), position: Int32(position))
        }
    }

    /// The position of `id` in the list, if it is there.
    func position(of id: String) -> Int? {
        guard let prefix = Self.prefix(of: id) else { return others[id] }
        return slots.withUnsafeBufferPointer { slots in
            let tag = UInt32(truncatingIfNeeded: prefix)
            var slot = self.slot(of: prefix)
            while slots[slot].position >= 0 {
                if slots[slot].tag == tag, ids[Int(slots[slot].position)] == id { return Int(slots[slot].position) }
                slot = (slot + 1) & (slots.count - 1)
            }
            return nil
        }
    }

    /// Spread by a multiplication (Fibonacci hashing), so that ids chosen by hand to share their
    /// low bits do not share a run of slots.
    private func slot(of prefix: UInt64) -> Int {
        Int(truncatingIfNeeded: (prefix &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The number of an id's first 16 hex digits (either case), when it begins with 16 of them
    /// (anything after is compared only as part of the whole id).
    static func prefix(of id: String) -> UInt64? {
        var id = id
        return id.withUTF8 { bytes -> UInt64? in
            guard bytes.count >= 16 else { return nil }
            var prefix: UInt64 = 0
            for byte in bytes[..<16] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
                default: return nil
                }
                prefix = prefix << 4 | UInt64(digit)
            }
            return prefix
        }
    }
}
