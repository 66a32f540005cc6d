import Foundation
import Testing

@testable import Ingest

/// Zip packages written entry by entry, some deflated on the writer's own thread.
struct PackageWriterTests {
    /// Entries handed over in the background, one larger than the writer's budget of bytes in
    /// flight among them, then one added directly: every entry's bytes read back, deflated, in
    /// the order they were handed over.
    @Test func entriesAddedInTheBackgroundKeepTheirOrderAndBytes() throws {
        let writer = try PackageWriter()
        var entries: [(path: String, data: Data)] = []
        for index in 0..<40 {
            // Numbered lines: compressed, they stay under the reader's limit of 200:1.
            let size = index == 7 ? 40 << 20 : 1_000 * (index + 1)
            var text = ""
            var line = 0
            while text.utf8.count < size {
                text += "Turn \(index).\(line * 7919 % 100_003): no protected time for research.\n"
                line += 1
            }
            entries.append((String(format: "Sources/%03d.txt", index), Data(text.utf8)))
        }
        for (path, data) in entries { writer.addInBackground(path, data) }
        try writer.add("project.qde", Data("<Project/>".utf8))
        entries.append(("project.qde", Data("<Project/>".utf8)))
        let package = try writer.data()
        let directory = try package.withUnsafeBytes { try ZipPackage.directory($0).get() }
        #expect(directory.count == entries.count)
        let order = directory.sorted { $0.value.dataStart < $1.value.dataStart }.map(\.key)
        #expect(order == entries.map(\.path))
        #expect(directory["Sources/007.txt"].map { $0.method == 8 && $0.compressedSize < 20 << 20 } == true)
        for (path, data) in entries {
            #expect(try ZipPackage.entry(path, of: package, file: "test.qdpx") == data, "\(path)")
        }
    }
}
