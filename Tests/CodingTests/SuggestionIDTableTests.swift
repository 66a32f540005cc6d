import Corpus
import Testing

@testable import Coding

/// The table that finds a coder's decided ids among a study's suggestions.
@Suite struct SuggestionIDTableTests {
    /// 16 hex digits, as a suggestion's id, or `words` times as many.
    private func hexID(_ generator: inout SplitMixGenerator, words: Int = 1) -> String {
        (0..<words).map { _ in
            let word = String(generator.next(), radix: 16)
            return String(repeating: "0", count: 16 - word.count) + word
        }.joined()
    }

    /// Ids whose numbers share their low half (a slot's tag) and crowd the same slots are told
    /// apart by their whole text.
    @Test func idsWhoseTagsMatchAreToldApart() {
        let ids = (0..<40).map { String(format: "%08x", $0 * 7_919) + "0000abcd" }
        let table = SuggestionIDTable(ids)
        for (position, id) in ids.enumerated() { #expect(table.position(of: id) == position) }
        #expect(table.position(of: "ffffffff0000abcd") == nil)
        #expect(table.position(of: String(format: "%08x", 7_919) + "0000abce") == nil)
    }

    @Test func idsOfAnotherFormAreFoundByTheirWholeText() {
        let hex = String(repeating: "ab", count: 8)
        let table = SuggestionIDTable([
            "old-a-Time", "", String(repeating: "x", count: 16), "zz" + String(hex.dropFirst(2)), hex, "abc",
            hex.uppercased(), hex + "a",
        ])
        #expect(table.position(of: "old-a-Time") == 0)
        #expect(table.position(of: "") == 1)
        #expect(table.position(of: String(repeating: "x", count: 16)) == 2)
        #expect(table.position(of: "zz" + String(hex.dropFirst(2))) == 3)
        #expect(table.position(of: hex) == 4)
        #expect(table.position(of: "abc") == 5)
        // Found only as written: another case, or one digit more or less, is another id.
        #expect(table.position(of: hex.uppercased()) == 6)
        #expect(table.position(of: hex + "a") == 7)
        #expect(table.position(of: String(hex.dropLast())) == nil)
        #expect(table.position(of: hex + "b") == nil)
        #expect(table.position(of: "old-a-time") == nil)
    }

    @Test func anIDListedTwiceIsFoundWhereItFirstCame() {
        let id = String(repeating: "c", count: 16)
        let table = SuggestionIDTable(["a", id, "a", id])
        #expect(table.position(of: id) == 1)
        #expect(table.position(of: "a") == 0)
    }

    @Test func randomIDsAreFoundAsADictionaryFindsThem() {
        var generator = SplitMixGenerator(seed: 20_261_207)
        for count in [0, 1, 7, 64, 1_000, 5_000] {
            var ids = (0..<count).map { _ in hexID(&generator) }
            // Some sharing their number's low half with another, some longer, some in capitals,
            // some of another form.
            for index in stride(from: 0, to: count, by: 9) where index > 0 {
                ids[index] = String(hexID(&generator).prefix(8)) + String(ids[index - 1].suffix(8))
            }
            for index in stride(from: 3, to: count, by: 11) { ids[index] = ids[index] + hexID(&generator, words: 3) }
            for index in stride(from: 4, to: count, by: 13) { ids[index] = ids[index].uppercased() }
            for index in stride(from: 6, to: count, by: 17) { ids[index] = "manual-\(index)" }
            let table = SuggestionIDTable(ids)
            let expected = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            for id in ids { #expect(table.position(of: id) == expected[id]) }
            for _ in 0..<200 {
                let id = hexID(&generator)
                #expect(table.position(of: id) == nil)
                #expect(table.position(of: (ids.last ?? "") + id) == nil)
            }
        }
    }
}
