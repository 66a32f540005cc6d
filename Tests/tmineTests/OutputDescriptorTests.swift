import Foundation
import Testing

@testable import tmine

struct OutputDescriptorTests {
    /// A full disk under a redirect is an error in words, naming the output, not a stopped
    /// process; what is written otherwise arrives whole.
    @Test func aFullDiskIsToldInWordsAndOtherwiseEveryByteIsWritten() throws {
        let full = open("/dev/full", O_WRONLY)
        try #require(full >= 0)
        defer { close(full) }
        #expect(throws: OutputDescriptor.Failure.self) {
            try OutputDescriptor(descriptor: full, name: "(standard output)").write(Array("turns\n".utf8))
        }
        do throws(OutputDescriptor.Failure) {
            try OutputDescriptor(descriptor: full, name: "(standard output)").write([1])
        } catch {
            #expect(error.description == "(standard output): error: cannot write: No space left on device")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID())").path
        let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(file >= 0)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try OutputDescriptor(descriptor: file, name: "out").write(bytes)
        close(file)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
    }
}
