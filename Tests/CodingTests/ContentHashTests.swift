import Foundation
import Testing

@testable import Coding

@Suite struct ContentHashTests {
    /// A list of parts hashes as SHA-256 of each part's UTF-8 length, a colon and its bytes, so
    /// that no two lists collide (expected values from Python's hashlib, not from this code).
    @Test func combiningHashesEachPartAfterItsByteLength() {
        #expect(
            ContentHash.combining(["abc", ""]) == "bdf1004d3099a7a3712d12c456e15ebb2b81d43740868f77760be8f639855aad")
        #expect(
            ContentHash.combining(["é", String(repeating: "x", count: 1234)])
                == "a5ae15e9da3efdfcd0643c54d22cbf88e484ea1c5c094b680f20262f99a1abc6")
    }

    /// A batch's output keys feed each document's part in two pieces rather than making it.
    @Test func aPartFedInTwoPiecesHashesAsTheirConcatenation() {
        let pieces: [(String, String)] = [
            ("", ""), ("abc", ""), ("", "def"), ("0123456789abcdef", "doc-7"), ("é", "ü"),
            (String(repeating: "long", count: 40), "x"),
        ]
        var combiner = ContentHash.Combiner()
        combiner.add("head")
        for (first, second) in pieces { combiner.add(first, second) }
        #expect(combiner.hash == ContentHash.combining(["head"] + pieces.map { $0.0 + $0.1 }))
        // Not the same as the pieces as parts of their own.
        #expect(combiner.hash != ContentHash.combining(["head"] + pieces.flatMap { [$0.0, $0.1] }))
    }

    /// A long list (87 KB, one part of 20,000 bytes) hashes as the whole stream of its
    /// length-prefixed parts would: expected value from Python's hashlib.
    @Test func aLongListHashesAsOneStreamOfItsParts() {
        let parts =
            (0..<400).map { index in
                "part-\(index)-" + String(repeating: "é", count: index % 7)
                    + String(repeating: "x", count: index * 37 % 300)
            } + [String(repeating: "y", count: 20000), "z"]
        var combiner = ContentHash.Combiner()
        for part in parts { combiner.add(part) }
        #expect(combiner.hash == "15812a3ac9add52569bc9fb681365e40f0a924ede900cb92bed144e7a6490500")
        #expect(combiner.hash == ContentHash.combining(parts))
    }

    /// Laid out at once or streamed, a list hashes the same: lengths across every change in the
    /// number of their digits, no parts, empty parts, and text of several bytes a character.
    @Test func combiningLaysOutPartsAsTheCombinerStreamsThem() {
        let lengths = [0, 1, 9, 10, 11, 99, 100, 999, 1000, 9999, 10000, 16383, 16384, 16385, 100_000]
        let lists: [[String]] =
            [[], [""], ["", ""], ["é", "", "ü€𝄞"]] + lengths.map { [String(repeating: "a", count: $0)] }
            + [lengths.map { String(repeating: "é", count: $0 / 2) }]
        for parts in lists {
            var combiner = ContentHash.Combiner()
            for part in parts { combiner.add(part) }
            #expect(ContentHash.combining(parts) == combiner.hash, "\(parts.map(\.utf8.count))")
        }
        #expect(ContentHash.combining([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
