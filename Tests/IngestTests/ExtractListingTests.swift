import Corpus
import Foundation
import Testing

@testable import Ingest

struct ExtractListingTests {
    private func document(_ text: String, source: String) throws -> Document {
        try Ingestor().read(data: Data(text.utf8), source: source)
    }

    private func listing(_ documents: [Document], _ format: ExtractListing.Format) throws -> String {
        var listing = ExtractListing(format: format)
        var bytes: [UInt8] = []
        for document in documents { listing.append(body: try listing.body(of: document), to: &bytes) }
        listing.end(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func turnsAreOneLineEachWithBreaksAndTabsMadeSpaces() throws {
        let first = try document(
            "Some preamble\n\nInterviewer: So,\ttell me\nabout it.\n\nP1: Well, I think\nit helps.\n", source: "a.txt")
        #expect(
            try listing([first], .turns(withIDs: false))
                == "(other)\tSome preamble\nInterviewer\tSo, tell me about it.\nP1\tWell, I think it helps.\n")
        let second = try document("P2: Yes.\n", source: "b.txt")
        #expect(
            try listing([first, second], .turns(withIDs: true)).split(separator: "\n").map(String.init) == [
                "a\t(other)\tSome preamble", "a\tInterviewer\tSo, tell me about it.", "a\tP1\tWell, I think it helps.",
                "b\tP2\tYes.",
            ])
    }

    @Test func carriageReturnsInATurnBecomeOneSpacePerLineBreak() {
        var bytes: [UInt8] = []
        ExtractListing.appendOnOneLine("one\r\ntwo\rthree\n\nfour\tfive é", to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "one two three  four five é")
        for (text, line) in [("\r\nx\t", " x "), ("", ""), ("\r", " "), ("\u{0B}\u{0C}é\n", "\u{0B}\u{0C}é ")] {
            var bytes: [UInt8] = []
            ExtractListing.appendOnOneLine(text, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == line)
        }
    }

    @Test func plainTextsAreSeparatedByFormFeedLines() throws {
        let documents = try [document("P1: One.\n", source: "a.txt"), document("P2: Two.\n", source: "b.txt")]
        #expect(try listing(documents, .plain) == documents[0].text + "\n\u{0C}\n" + documents[1].text + "\n")
        #expect(try listing([], .plain).isEmpty)
    }

    /// Written one document at a time, the JSON is byte for byte what `JSONEncoder` makes of the
    /// whole array, empty arrays (a document's `notes`) included.
    @Test func jsonWrittenPerDocumentIsTheWholeArraysEncoding() throws {
        let documents = try [
            document("Interviewer: Why?\nP1: Because \"data\" / hype.\n", source: "a.txt"),
            document("P2: Ça va.\n\nP1: Oui.\n", source: "b.txt"),
            document("P3: Three.\n", source: "c.txt"),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        #expect(try documents.allSatisfy { try encoder.encode($0).contains(Array("[\n\n".utf8)) })
        let whole = try String(decoding: encoder.encode(documents), as: UTF8.self) + "\n"
        #expect(try listing(documents, .json(single: false)) == whole)
        let one = try String(decoding: encoder.encode(documents[0]), as: UTF8.self) + "\n"
        #expect(try listing([documents[0]], .json(single: true)) == one)
        #expect(try listing([], .json(single: false)).isEmpty)
    }

    /// A slow consumer (a terminal, a pipe) holds up reading: no more than the read-ahead of
    /// files is read beyond the last document handed over, and they still come in file order.
    @Test func readingRunsNoFurtherAheadThanTheReadAheadOfASlowConsumer() throws {
        let files = (0..<40).map { "t\($0).txt" }
        let counter = ReadCounter()
        var delivered: [String] = []
        var furthestAhead = 0
        try Ingestor().readEach(
            files, ahead: 3,
            read: { file in
                counter.started()
                return try Ingestor().read(data: Data("P1: Words of \(file).\n".utf8), source: file)
            },
            making: { $0 },
            deliver: { result in
                furthestAhead = max(furthestAhead, counter.count - delivered.count)
                if case .success(let document) = result { delivered.append(document.id) }
                Thread.sleep(forTimeInterval: 0.002)
            })
        #expect(delivered == files.map { String($0.dropLast(4)) })
        #expect(furthestAhead <= 3)
    }
}

private final class ReadCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var reads = 0
    func started() { lock.withLock { reads += 1 } }
    var count: Int { lock.withLock { reads } }
}
