import Testing

@testable import Corpus

@Suite struct NaturalOrderTests {
    @Test func groupNamesSortNumbersByValue() {
        let names = ["P10", "P2", "P1", "P11", "(none)", "10+", "5-9", "0-4", "P01", "a", "P1b", "P1a"]
        #expect(
            names.sorted(by: naturalPrecedes) == [
                "(none)", "0-4", "5-9", "10+", "P1", "P01", "P1a", "P1b", "P2", "P10", "P11", "a",
            ])
        // A strict order: irreflexive, and exactly one of two different names comes first.
        for a in names {
            #expect(!naturalPrecedes(a, a))
            for b in names where a != b { #expect(naturalPrecedes(a, b) != naturalPrecedes(b, a), "\(a) \(b)") }
        }
        // Without digits it is the order of Unicode scalars.
        #expect(
            naturalPrecedes("Full-time tech", "Fulltime")
                == "Full-time tech".unicodeScalars.lexicographicallyPrecedes("Fulltime".unicodeScalars))
        #expect(naturalPrecedes("Zoë", "Zoz") == false)
    }

    /// Sorting any names gives a sequence where no later name precedes an earlier one: the order
    /// is consistent (transitive), as sorting needs, with zeros, digits and letters mixed.
    @Test func theOrderIsConsistentOverRandomNames() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["0", "1", "2", "9", "10", "00", "P", "a", "-", "+", " ", "é"]
        let names = Set(
            (0..<300).map { _ in
                (0..<Int.random(in: 0...5, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
                    .joined()
            })
        let sorted = names.sorted(by: naturalPrecedes)
        for i in sorted.indices {
            for j in sorted.indices where j > i {
                #expect(!naturalPrecedes(sorted[j], sorted[i]), "\(sorted[i]) \(sorted[j])")
            }
        }
    }
}
