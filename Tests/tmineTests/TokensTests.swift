import Foundation
import Ingest
import Testing

@testable import tmine

struct TokensTests {
    /// A missing file or a folder is an error naming it, as every other command's is, not
    /// Foundation's error domain and code.
    @Test func tokensNamesAMissingFileOrAFolderInItsError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("missing.txt").path
        let missingFile = try Tokens.parse([missing])
        #expect(throws: IngestError(.unreadableFile, file: missing, message: "no such file")) { try missingFile.read() }
        let aFolder = try Tokens.parse([folder.path])
        do throws(IngestError) {
            _ = try aFolder.read()
            Issue.record("a folder was read")
        } catch {
            #expect(error.code == .isDirectory && error.file == folder.path)
            #expect(error.description.contains("tmine tokens reads one transcript file"))
        }
        let file = folder.appendingPathComponent("t.txt")
        try "P1: Hype, mostly.\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try Tokens.parse([file.path]).read().segments.map(\.text) == ["Hype, mostly."])
    }
}
