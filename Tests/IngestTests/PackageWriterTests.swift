import Foundation
import Testing
import ZIPFoundation

@testable import Ingest

/// Zip packages written entry by entry, deflated on whichever core is free, read back by our
/// own reader and by ZIPFoundation's, which shares none of the writer's code.
struct PackageWriterTests {
    /// Every entry of `package` as ZIPFoundation reads it, in the directory's order: its bytes,
    /// whether it was deflated, and whether the directory's record holds: the checksum the one
    /// ZIPFoundation computes of those bytes, the size theirs, the size deflated smaller (or,
    /// stored, the same).
    static func readBack(_ package: Data) throws -> [(path: String, data: Data, deflated: Bool, recordHolds: Bool)] {
        let archive = try Archive(data: package, accessMode: .read)
        return try archive.map { entry in
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            let sizes =
                entry.uncompressedSize == UInt64(data.count)
                && (entry.isCompressed
                    ? entry.compressedSize < entry.uncompressedSize : entry.compressedSize == entry.uncompressedSize)
            return (entry.path, data, entry.isCompressed, sizes && entry.checksum == data.crc32(checksum: 0))
        }
    }

    /// Numbered lines of text, about `size` bytes: compressed, they stay under the reader's limit of 200:1.
    static func transcript(_ index: Int, size: Int) -> Data {
        var text = ""
        var line = 0
        while text.utf8.count < size {
            text += "Turn \(index).\(line * 7919 % 100_003): no protected time for research.\n"
            line += 1
        }
        return Data(text.utf8)
    }

    /// Entries handed over in the background, one larger than the writer's budget of bytes in
    /// flight among them, then one added directly: every entry's bytes read back, deflated, in
    /// the order they were handed over.
    @Test func entriesAddedInTheBackgroundKeepTheirOrderAndBytes() throws {
        let writer = PackageWriter()
        var entries: [(path: String, data: Data)] = []
        for index in 0..<40 {
            let size = index == 7 ? 40 << 20 : 1_000 * (index + 1)
            entries.append((String(format: "Sources/%03d.txt", index), Self.transcript(index, size: size)))
        }
        for (path, data) in entries { writer.addInBackground(path, data) }
        writer.add("project.qde", Data("<Project/>".utf8))
        entries.append(("project.qde", Data("<Project/>".utf8)))
        let package = writer.data()
        let directory = try package.withUnsafeBytes { try ZipPackage.directory($0).get() }
        #expect(directory.count == entries.count)
        let order = directory.sorted { $0.value.dataStart < $1.value.dataStart }.map(\.key)
        #expect(order == entries.map(\.path))
        #expect(directory["Sources/007.txt"].map { $0.method == 8 && $0.compressedSize < 20 << 20 } == true)
        for (path, data) in entries {
            #expect(try ZipPackage.entry(path, of: package, file: "test.qdpx") == data, "\(path)")
        }
        let again = try Self.readBack(package)
        #expect(again.map(\.path) == entries.map(\.path))
        #expect(again.map(\.data) == entries.map(\.data))
        #expect(again.allSatisfy { $0.recordHolds })
    }

    /// A name that is not ASCII, an empty entry, bytes that do not compress, an entry asked to
    /// be stored: each read back by ZIPFoundation as it went in, the ones deflation would not
    /// shrink stored, with the modification time given (to the two seconds a zip can say).
    @Test func entriesOfEveryKindReadBackByAnotherReader() throws {
        let modified = Calendar.current.date(
            from: DateComponents(year: 2026, month: 11, day: 29, hour: 14, minute: 7, second: 31))!
        let writer = PackageWriter(modified: modified)
        var generator = SystemRandomNumberGenerator()
        let noise = Data((0..<5_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let entries: [(path: String, data: Data, stored: Bool)] = [
            ("mimetype", Data("application/vnd.example".utf8), true),
            ("Sources/Zoë — café interview.txt", Self.transcript(1, size: 20_000), false),
            ("empty.txt", Data(), false),
            ("noise.bin", noise, false),
            ("Sources/Ω.txt", Self.transcript(2, size: 300), false),
        ]
        for (path, data, stored) in entries { writer.add(path, data, stored: stored) }
        let package = writer.data()
        let read = try Self.readBack(package)
        #expect(read.map(\.path) == entries.map(\.path))
        #expect(read.map(\.data) == entries.map(\.data))
        #expect(read.map(\.deflated) == [false, true, false, false, true])
        #expect(read.allSatisfy { $0.recordHolds })
        let archive = try Archive(data: package, accessMode: .read)
        let date = try #require(archive["empty.txt"]?.fileAttributes[.modificationDate] as? Date)
        #expect(abs(date.timeIntervalSince(modified)) <= 2)
    }

    /// With its Zip64 limits lowered to a few bytes and entries, the writer writes Zip64
    /// records (sizes, offsets and the entry count past what 32 and 16 bits hold, as a package
    /// past 4 GB or 65,535 transcripts would): ZIPFoundation reads every entry back.
    @Test func zip64RecordsReadBackByAnotherReader() throws {
        let writer = PackageWriter(modified: Date(), zip64Threshold: 600, entryLimit: 4)
        let entries = (0..<6).map { index in
            (path: "Sources/\(index).txt", data: Self.transcript(index, size: index.isMultiple(of: 2) ? 20_000 : 100))
        }
        for (path, data) in entries { writer.addInBackground(path, data) }
        let package = writer.data()
        let read = try Self.readBack(package)
        #expect(read.map(\.path) == entries.map(\.path))
        #expect(read.map(\.data) == entries.map(\.data))
        #expect(read.allSatisfy { $0.recordHolds })
        // The Zip64 end record and its locator are there, and the classic end record defers to them.
        let bytes = [UInt8](package)
        func has(_ signature: UInt32) -> Bool {
            let pattern = withUnsafeBytes(of: signature.littleEndian) { Array($0) }
            return bytes.indices.dropLast(3).contains { Array(bytes[$0..<$0 + 4]) == pattern }
        }
        #expect(has(0x0606_4b50) && has(0x0706_4b50))
        let end = Array(bytes.suffix(22))
        #expect(end[10..<12] == [0xFF, 0xFF])  // the entry count
        #expect(end[16..<20] == [0xFF, 0xFF, 0xFF, 0xFF])  // the directory's offset
    }
}
