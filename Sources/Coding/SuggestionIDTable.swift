/// Suggestion ids mapped to their positions in a list, looked up by the number their 16 hex
/// digits make (``CodeSuggester/idNumber(_:)``): a coder's decided ids, and the review server's
/// suggestions.
///
/// Joining decisions asks, for every suggestion of a study (120,000 at 100 MB) and every coder,
/// whether the coder decided on its id. A `[String: Int]` of ids hashed each id with SipHash at
/// every question and compared it with each occupied slot its probe passed (every id 16 bytes
/// long, one byte past the standard library's inline strings, so each comparison was a `memcmp`
/// of a key stored elsewhere on the heap). A suggestion id is 16 hex digits of a SHA-256
/// (``CodeSuggester/id(document:segment:sentence:code:text:occurrence:)``): 64 well-mixed bits,
/// here the key itself, probed in place; the whole id is compared only when a slot's tag (the
/// number's low half) matches. Hand-written because no listed package keeps a table by a key
/// that is its own hash. Ids of another form (a hand-edited log's) go to an ordinary dictionary.
public struct SuggestionIDTable: Sendable {
    /// An id's position in `ids` (-1 marks an empty slot) and the low half of its number: 8
    /// bytes a slot, so that the table (probed at random, a cache miss each question)
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
    public init(_ ids: [String]) {
        self.ids = ids
        // At most half full: a miss (most questions) ends at the next empty slot.
        var bits: UInt64 = 4
        while 1 << bits < 2 * ids.count { bits += 1 }
        shift = 64 - bits
        slots = Array(repeating: Slot(tag: 0, position: -1), count: 1 << bits)
        for (position, id) in ids.enumerated() {
            guard let number = CodeSuggester.idNumber(id) else {
                if others[id] == nil { others[id] = position }
                continue
            }
            // To the end of the id's run of slots: an empty one takes it, unless it is there.
            let tag = UInt32(truncatingIfNeeded: number)
            var slot = self.slot(of: number)
            var listed = false
            while slots[slot].position >= 0, !listed {
                listed = slots[slot].tag == tag && ids[Int(slots[slot].position)] == id
                slot = (slot + 1) & (slots.count - 1)
            }
            if !listed { slots[slot] = Slot(tag: tag, position: Int32(position)) }
        }
    }

    /// The position of `id` in the list, if it is there.
    public func position(of id: String) -> Int? {
        guard let number = CodeSuggester.idNumber(id) else { return others[id] }
        return slots.withUnsafeBufferPointer { slots in
            let tag = UInt32(truncatingIfNeeded: number)
            var slot = self.slot(of: number)
            while slots[slot].position >= 0 {
                if slots[slot].tag == tag, ids[Int(slots[slot].position)] == id { return Int(slots[slot].position) }
                slot = (slot + 1) & (slots.count - 1)
            }
            return nil
        }
    }

    /// Spread by a multiplication (Fibonacci hashing), so that ids chosen by hand to share their
    /// low bits do not share a run of slots.
    private func slot(of number: UInt64) -> Int {
        Int(truncatingIfNeeded: (number &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }
}
