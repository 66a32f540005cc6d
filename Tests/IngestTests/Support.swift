import Corpus
import Foundation
import Testing

@testable import Ingest

/// Paths and builders shared by the ingest tests.
enum Fixture {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sampleStudy = repositoryRoot.appendingPathComponent("Corpora/ai-doctors")

    static func path(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil))
        return url.path
    }

    /// A minimal .docx package around a WordprocessingML body, built in memory.
    static func docx(body: String) throws -> Data {
        let document = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>\(body)</w:body></w:document>
            """
        return docxPackage(entries: [("word/document.xml", Data(document.utf8))])
    }

    /// A paragraph of plain runs; `bold` marks the first run bold.
    static func paragraph(_ runs: String..., boldFirst: Bool = false) -> String {
        var xml = "<w:p>"
        for (index, text) in runs.enumerated() {
            let properties = index == 0 && boldFirst ? "<w:rPr><w:b/></w:rPr>" : ""
            xml += "<w:r>\(properties)<w:t xml:space=\"preserve\">\(text)</w:t></w:r>"
        }
        return xml + "</w:p>"
    }
}

extension Document {
    /// Every segment's text is the document text at its range: the invariant exports rely on.
    func rangesAreExact() -> Bool {
        segments.allSatisfy { text(in: $0.range) == $0.text }
    }

    var turns: [(String, String)] { segments.map { ($0.speaker, $0.text) } }
}

func read(
    _ text: String, name: String = "test.txt", participants: ParticipantTable = .empty,
    labels: SpeakerLabels = SpeakerLabels()
) throws -> Document {
    try Ingestor(options: IngestOptions(labels: labels), participants: participants)
        .read(data: Data(text.utf8), source: name)
}

func ingestError(_ body: () throws -> Any) -> IngestError? {
    do {
        _ = try body()
        return nil
    } catch let error as IngestError {
        return error
    } catch {
        return nil
    }
}

extension Fixture {
    /// A zip package with the given entries, built in memory.
    static func docxPackage(entries: [(String, Data)]) -> Data {
        PackageWriter.zip(entries.map { (path: $0.0, data: $0.1) })
    }

    /// An OpenDocument package: `mimetype` stored, as the standard asks, the rest deflated.
    static func odtPackage(entries: [(String, Data)]) -> Data {
        let writer = PackageWriter()
        for (path, data) in entries { writer.add(path, data, stored: path == "mimetype") }
        return writer.data()
    }
}

/// Runs code as a user without privileges over files, for tests of files the user may not read.
/// The tests run as root in CI, and root reads a file whatever its mode; a thread whose
/// file-system uid is not 0 loses that override. Linux's `setfsuid` changes it for the calling
/// thread alone (glibc does not pass it to the process's other threads, as it does `setuid`), so
/// tests running meanwhile on other threads keep root's.
enum Unprivileged {
    static let nobody: uid_t = 65_534

    static func run<Result>(_ body: () throws -> Result) throws -> Result {
        guard geteuid() == 0 else { return try body() }
        // Not in Swift's Glibc module: looked up in the C library.
        typealias SetFSUID = @convention(c) (uid_t) -> Int32
        let symbol = try #require(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setfsuid"))
        let setfsuid = unsafeBitCast(symbol, to: SetFSUID.self)
        _ = setfsuid(nobody)
        defer { _ = setfsuid(0) }
        // An invalid uid changes nothing and returns the thread's current one.
        try #require(setfsuid(uid_t.max) == Int32(nobody), "the thread's file-system uid did not change")
        return try body()
    }
}
