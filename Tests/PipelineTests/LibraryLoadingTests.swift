import Foundation
import Testing

/// libxml2 as the process sees it: linked in, so that no parse waits on the dynamic loader; the
/// ICU its converters need loaded only by a document in an encoding only ICU reads, never at every
/// start; and heard only through the tool's own errors.
@Suite struct LibraryLoadingTests {
    #if os(Linux)
        /// The dynamic loader's own account of the files it loads (glibc's `LD_DEBUG=files`).
        private func loadedFiles(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try runProcess(tmineExecutable().path, arguments, environment: ["LD_DEBUG": "files"])
        }

        @Test func noCommandLoadsALibraryToParseXML() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            for arguments in [
                ["--version"], ["extract", "--format", "plain", workspace.corpus("interview-11.txt").path],
                ["extract", "--format", "plain", workspace.corpus("interview-07.xml").path],
            ] {
                let run = try loadedFiles(arguments)
                #expect(run.status == 0, "\(run.output)")
                #expect(run.output.contains("file=libc.so.6"), "LD_DEBUG reported nothing: \(run.output)")
                for library in ["libxml2", "libicu", "liblzma"] {
                    #expect(!run.output.contains(library), "\(arguments) loaded \(library): \(run.output)")
                }
                #expect(!run.output.contains("dynamically loaded"), "\(arguments): \(run.output)")
            }
            let xml = try loadedFiles(["extract", "--format", "plain", workspace.corpus("interview-07.xml").path])
            #expect(xml.output.contains("P7: I was a GP partner"), "no turns extracted: \(xml.output)")
        }

        /// SCSU, a compressed Unicode that glibc's iconv does not know: libxml2 reads it through
        /// ICU, which the tool loads at that moment (OnDemand.c) and not before.
        @Test func anEncodingOnlyICUReadsLoadsICUAtItsFirstUse() throws {
            let workspace = try Workspace()
            defer { workspace.remove() }
            // In SCSU's initial state bytes below 0x80 are ASCII and 0xE9 is U+00E9 (é).
            let file = try teiFile(
                in: workspace, encoding: "SCSU", turn: Data("a caf".utf8) + Data([0xE9]) + Data(" visit".utf8))
            let run = try loadedFiles(["extract", "--format", "plain", file.path])
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("P1: a café visit"), "\(run.output)")
            #expect(run.output.contains("file=libicuuc.so"), "\(run.output)")
            #expect(run.output.contains("dynamically loaded"), "\(run.output)")
        }
    #endif

    /// What libxml2 would print on stderr by itself (a failed encoding conversion says so on its
    /// generic channel) is kept for the file's error instead: the command prints that one line.
    @Test func libxml2PrintsNothingOfItsOwn() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let file = try teiFile(in: workspace, encoding: "Shift_JIS", turn: Data("x".utf8) + Data([0xFF, 0xFE]))
        let (status, output) = try runProcess(tmineExecutable().path, ["extract", file.path])
        #expect(status != 0)
        let lines = output.split(separator: "\n")
        #expect(lines.count == 2, "\(output)")
        #expect(lines.first?.hasPrefix(file.path + ":2:") == true, "\(output)")
        #expect(lines.first?.contains("Shift_JIS") == true, "\(output)")
        #expect(!output.contains("encoding error :") && !output.contains("encoder error"), "\(output)")
    }

    /// A TEI transcript of one turn by P1 whose XML declaration names `encoding`, the turn's bytes
    /// as given.
    private func teiFile(in workspace: Workspace, encoding: String, turn: Data) throws -> URL {
        let file = workspace.root.appendingPathComponent("\(encoding).xml")
        let head = "<?xml version=\"1.0\" encoding=\"\(encoding)\"?>\n<TEI><text><body><u who=\"#P1\">"
        try (Data(head.utf8) + turn + Data("</u></body></text></TEI>\n".utf8)).write(to: file)
        return file
    }
}
