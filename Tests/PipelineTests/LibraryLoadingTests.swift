import Foundation
import Testing

/// libxml2 as the process sees it: loaded (with the ICU it links) by the first XML parse, not at
/// every start, and heard only through the tool's own errors.
@Suite struct LibraryLoadingTests {
    #if os(Linux)
        /// The dynamic loader's own account of the files it loads (glibc's `LD_DEBUG=files`).
        private func loadedFiles(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try runProcess(tmineExecutable().path, arguments, environment: ["LD_DEBUG": "files"])
        }

        @Test func libxml2IsLoadedOnlyByCommandsThatParseXML() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            let version = try loadedFiles(["--version"])
            #expect(version.status == 0, "\(version.output)")
            #expect(version.output.contains("file=libc.so.6"), "LD_DEBUG reported nothing: \(version.output)")
            #expect(!version.output.contains("libxml2"))

            let text = try loadedFiles(["extract", "--format", "plain", workspace.corpus("interview-11.txt").path])
            #expect(text.status == 0, "\(text.output)")
            #expect(!text.output.contains("libxml2"))

            let xml = try loadedFiles(["extract", "--format", "plain", workspace.corpus("interview-07.xml").path])
            #expect(xml.status == 0, "\(xml.output)")
            #expect(xml.output.contains("file=libxml2.so.2"))
            #expect(xml.output.contains("P7: I was a GP partner"), "no turns extracted: \(xml.output)")
        }
    #endif

    /// What libxml2 would print on stderr by itself (a failed encoding conversion says so on its
    /// generic channel) is kept for the file's error instead: the command prints that one line.
    @Test func libxml2PrintsNothingOfItsOwn() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let file = workspace.root.appendingPathComponent("sjis.xml")
        try
            (Data("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n<TEI><text><body><u who=\"#P1\">x".utf8)
            + Data([0xFF, 0xFE]) + Data("</u></body></text></TEI>\n".utf8)).write(to: file)
        let (status, output) = try runProcess(tmineExecutable().path, ["extract", file.path])
        #expect(status != 0)
        let lines = output.split(separator: "\n")
        #expect(lines.count == 2, "\(output)")
        #expect(lines.first?.hasPrefix(file.path + ":2:") == true, "\(output)")
        #expect(lines.first?.contains("Shift_JIS") == true, "\(output)")
        #expect(!output.contains("encoding error :") && !output.contains("encoder error"), "\(output)")
    }
}
