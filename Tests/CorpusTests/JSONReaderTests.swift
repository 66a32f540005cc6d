import Foundation
import Testing

@testable import Corpus

/// ``JSONReader`` reads what `JSONDecoder` reads, and refuses (for `JSONDecoder` to decide) what
/// it does not take.
@Suite struct JSONReaderTests {
    func read<Value: JSONReadable>(_ type: Value.Type, _ json: String) throws -> Value {
        var bytes = Array(json.utf8)
        return try bytes.withUnsafeMutableBufferPointer { buffer in
            var reader = JSONReader(UnsafeBufferPointer(buffer))
            return try Value(reading: &reader)
        }
    }

    func readsLikeJSONDecoder<Value: JSONReadable & Decodable & Equatable>(_ type: Value.Type, _ json: String) throws {
        let expected = try JSONDecoder().decode(Value.self, from: Data(json.utf8))
        #expect(try read(Value.self, json) == expected, "\(json)")
    }

    /// Every escape, characters beyond the BMP, keys in any order, unknown keys of every kind,
    /// `null` and a missing key for an optional.
    @Test func segmentsAndDocumentsAreReadAsJSONDecoderReadsThem() throws {
        let texts = [
            #"plain"#, #"\"quoted\" \\ back\/slash"#, #"\b\f\n\r\t"#, #"caf\u00e9 \u00E9"#, #"\ud83d\ude00 and 😀"#,
            #"\u0000 nul"#, "Straße – “curly” ‘quotes’ 日本語", "",
        ]
        for text in texts {
            try readsLikeJSONDecoder(
                Segment.self,
                #"{"text":"\#(text)","index":3,"role":"participant","speaker":"P1","range":{"end":9,"start":2}}"#)
        }
        try readsLikeJSONDecoder(
            Segment.self,
            #"""
            { "unknown" : {"a":[1,2.5e3,true,false,null,{"b":"]}"}]}, "end" : 12.25, "index" : 0,
              "participantID" : null, "range" : {"start":0,"end":4}, "role" : "other",
              "speaker" : "R", "start" : -1.5, "text" : "x" }
            """#)
        try readsLikeJSONDecoder(
            Document.self,
            #"{"format":"vtt","id":"a \"b\"","notes":[],"segments":[{"index":0,"range":{"end":1,"start":0},"role":"interviewer","speaker":"I","text":"Q"}],"source":"a.vtt","speakers":[{"label":"I","role":"interviewer"},{"label":"P","participantID":"P1","role":"participant"}],"text":"Q"}"#
        )
    }

    /// Integers across `Int`'s whole range (a file's time in nanoseconds has 19 digits), and
    /// none beyond it.
    @Test func integersAreReadAcrossIntsWholeRange() throws {
        for (start, end) in [
            (0, 9), (-1, 10), (Int.min, Int.max), (-999_999_999_999_999_999, 1_764_000_000_123_456_789),
        ] {
            try readsLikeJSONDecoder(ScalarRange.self, #"{"start":\#(start),"end":\#(end)}"#)
        }
        for beyond in ["9223372036854775808", "-9223372036854775809", "10000000000000000000", "-0000000000000000001"] {
            #expect(throws: JSONReader.Failure.self, "\(beyond)") {
                try read(ScalarRange.self, #"{"start":0,"end":\#(beyond)}"#)
            }
        }
    }

    /// What the reader does not take throws; the callers then decode with `JSONDecoder`.
    @Test func whatItDoesNotTakeThrows() throws {
        let segment = #"{"index":0,"range":{"end":1,"start":0},"role":"other","speaker":"S","text":"#
        for bad in [
            segment + #""a\ud800b"}"#,  // a lone surrogate
            segment + #""a\udc00"}"#,
            segment + #""a\ud800\u0041"}"#,  // a high surrogate not followed by a low one
            segment + "\"a\u{1}b\"}",  // a control character
            segment + #""a\x"}"#,  // an unknown escape
            segment + #""a"#,  // unterminated
            #"{"index":0,"range":{"end":1,"start":0},"role":"other","speaker":"S"}"#,  // no text
            #"{"index":"0","range":{"end":1,"start":0},"role":"other","speaker":"S","text":""}"#,
            #"{"index":1.0,"range":{"end":1,"start":0},"role":"other","speaker":"S","text":""}"#,
            #"{"index":01,"range":{"end":1,"start":0},"role":"other","speaker":"S","text":""}"#,
            #"{"index":0,"range":{"end":1,"start":0},"role":"boss","speaker":"S","text":""}"#,
            #"{"index":0,"range":{"end":1,"start":0},"role":"other","speaker":"S","text":"",}"#,
            #"{"index":0,"range":{"end":1,"start":0},"role":"other","speaker":"S","text":"","x":tru}"#,
            #"{"index":0,"range":{"end":1,"start":0},"role":"other","speaker":"S","text":"","start":+1.5}"#,
            #"{"index":0,"range":{"end":1,"start":0},"role":"other","speaker":"S","text":"","start":.5}"#,
            #"{"index":0,"range":{"end":1,"start":0},"role":"other","speaker":"S","text":"","end":1.}"#,
        ] {
            #expect(throws: JSONReader.Failure.self, "\(bad)") { try read(Segment.self, bad) }
        }
        // Strings the reader does not take are not taken when skipped either.
        for value in [#""a\ud800b""#, #""a\udc00""#, #""a\ud800\u0041""#, "\"a\u{1}b\"", #""a\x""#, #""a"#, #""\u12"#] {
            let json = #"{"label":"a","role":"other","unknown":{"k":"# + value + "}}"
            #expect(throws: JSONReader.Failure.self, "\(json)") { try read(Speaker.self, json) }
        }
        #expect(try read(Speaker.self, #"{"label":"a","role":"other","x":"\ud83d\ude00 \u00e9\/\b\"é’"}"#).label == "a")
        var invalid = Array(#"{"label":"a"#.utf8) + [0xC3, 0x28] + Array(#"","role":"other"}"#.utf8)
        let result = invalid.withUnsafeMutableBufferPointer { buffer in
            var reader = JSONReader(UnsafeBufferPointer(buffer))
            return Result { () throws(JSONReader.Failure) in try Speaker(reading: &reader) }
        }
        #expect(throws: JSONReader.Failure.self) { try result.get() }
    }

    /// A string's bytes are taken exactly when they are UTF-8, with or without an escape among
    /// them, whether read or skipped: 3,000 random strings of valid characters, stray and
    /// truncated sequences (a 4-byte one cut to 3, which a repairing decoder turns into one 3-byte
    /// U+FFFD), overlong forms and encoded surrogates, against `String(validating:)`; and
    /// ``UTF8Scalars/firstInvalid(_:)`` finds where the first invalid sequence begins.
    @Test func stringsAreTakenExactlyWhenTheyAreUTF8() {
        let pieces: [[UInt8]] = [
            Array("a".utf8), Array("é".utf8), Array("’".utf8), Array("😀".utf8), Array("\u{FFFD}".utf8),
            [0x80], [0xC3], [0xE2, 0x80], [0xF0, 0x9F, 0x98], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80],
            [0xF4, 0x90, 0x80, 0x80], [0xFF], [0xEF, 0xBF, 0xBD],
        ]
        var generator = SplitMixGenerator(seed: 19)
        var accepted = 0
        for trial in 0..<3_000 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                text += pieces.randomElement(using: &generator)!
            }
            let escaped = trial % 2 == 1
            let json =
                Array(#"{"label":""#.utf8) + text + (escaped ? Array(#"\n"#.utf8) : [])
                + Array(#"","role":"other"}"#.utf8)
            let expected = String(validating: text + (escaped ? [0x0A] : []), as: UTF8.self)
            var bytes = json
            let read = bytes.withUnsafeMutableBufferPointer { buffer in
                var reader = JSONReader(UnsafeBufferPointer(buffer))
                return try? Speaker(reading: &reader)
            }
            #expect(read?.label == expected, "\(text)")
            if expected != nil { accepted += 1 }
            // The same bytes as a value the reader skips: taken exactly when it would read them.
            var skipped =
                Array(#"{"label":"L","unknown":[""#.utf8) + text + (escaped ? Array(#"\ud83d\ude00"#.utf8) : [])
                + Array(#""],"role":"other"}"#.utf8)
            let skippedRead = skipped.withUnsafeMutableBufferPointer { buffer in
                var reader = JSONReader(UnsafeBufferPointer(buffer))
                return try? Speaker(reading: &reader)
            }
            #expect((skippedRead?.label == "L") == (expected != nil), "skipped \(text)")
            // And where in a run of bytes the first invalid sequence begins: none begins sooner,
            // and none that is valid begins there.
            let padded = Array("0123456789".utf8.prefix(trial % 9)) + text + Array("abcdefgh".utf8)
            let invalid = padded.withUnsafeBufferPointer(UTF8Scalars.firstInvalid)
            #expect((invalid == nil) == (String(validating: padded, as: UTF8.self) != nil), "\(padded)")
            if let invalid {
                #expect(String(validating: padded[..<invalid], as: UTF8.self) != nil)
                for length in 1...4 where invalid + length <= padded.count {
                    #expect(String(validating: padded[invalid..<invalid + length], as: UTF8.self) == nil)
                }
            }
        }
        // Both kinds came up often enough to mean something.
        #expect(accepted > 300 && accepted < 2_700)
    }

    /// Strings are scanned eight bytes at a time until a byte that ends the run (`"`, `\\`, a
    /// control character): one at every place of strings up to 40 bytes long, among plain,
    /// accented and high bytes, is read or refused, and skipped or refused, as `JSONDecoder` does.
    @Test func stringEndsEscapesAndControlCharactersAreFoundAtEveryPlace() throws {
        let breaks: [[UInt8]] = [
            Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\n"#.utf8), Array(#"\u00e9"#.utf8), [0x01], [0x1F], [0x0A],
            [0x7F], [0x20], Array("é".utf8), [0xFF], Array("😀".utf8),
        ]
        let fillers: [UInt8] = Array("ab~!#[]{}, 09AZ".utf8)
        var generator = SplitMixGenerator(seed: 0x5A4)
        for length in 0...40 {
            for place in 0...length {
                for piece in breaks {
                    let before = (0..<place).map { _ in fillers.randomElement(using: &generator)! }
                    let after = (place..<length).map { _ in fillers.randomElement(using: &generator)! }
                    let text = before + piece + after
                    let json = Array(#"{"label":""#.utf8) + text + Array(#"","role":"other"}"#.utf8)
                    let expected = try? JSONDecoder().decode(Speaker.self, from: Data(json))
                    var bytes = json
                    let read = bytes.withUnsafeMutableBufferPointer { buffer in
                        var reader = JSONReader(UnsafeBufferPointer(buffer))
                        return try? Speaker(reading: &reader)
                    }
                    #expect(read == expected, "\(text)")
                    var skipped = Array(#"{"label":"L","unknown":""#.utf8) + text + Array(#"","role":"other"}"#.utf8)
                    let skippedRead = skipped.withUnsafeMutableBufferPointer { buffer in
                        var reader = JSONReader(UnsafeBufferPointer(buffer))
                        return try? Speaker(reading: &reader)
                    }
                    #expect((skippedRead?.label == "L") == (expected != nil), "skipped \(text)")
                }
            }
        }
    }

    /// A run of an array's lines: elements separated by commas, no brackets, no trailing comma.
    @Test func aRunOfElementsIsReadWhole() throws {
        func list(_ json: String) throws -> [ScalarRange] {
            var bytes = Array(json.utf8)
            return try bytes.withUnsafeMutableBufferPointer { buffer in
                var reader = JSONReader(UnsafeBufferPointer(buffer))
                return try reader.list(ScalarRange.self)
            }
        }
        #expect(try list("\n    ") == [])
        #expect(try list(#"{"end":2,"start":1},"# + "\n    " + #"{"end":4,"start":3}"#).map(\.end) == [2, 4])
        #expect(throws: JSONReader.Failure.self) { try list(#"{"end":2,"start":1},"#) }
        #expect(throws: JSONReader.Failure.self) { try list(#"{"end":2,"start":1}{"end":2,"start":1}"#) }
    }
}
