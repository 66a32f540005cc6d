import Foundation
import Testing

@testable import Corpus

/// Writes the file at `path` to disk and lets its pages go from memory, as this machine's kernel
/// does to files left alone for a minute.
private func dropFromMemory(_ path: String) {
    let descriptor = open(path, O_RDONLY)
    defer { close(descriptor) }
    fsync(descriptor)
    posix_fadvise(descriptor, 0, 0, Int32(POSIX_FADV_DONTNEED))
}

@Suite struct CorpusTests {
    /// A table's participants by id are made once and shared by its copies, and follow every
    /// change to its participants; a table is equal to its copy whether or not either made them.
    @Test func participantsByIDFollowTheTablesParticipants() {
        var table = ParticipantTable(
            attributeNames: ["role"],
            participants: [
                Participant(id: "P1", attributes: ["role": "GP"]),
                Participant(id: "P2", attributes: ["role": "Surgeon"]),
                Participant(id: "P1", attributes: ["role": "repeated"]),
            ])
        let untouched = table
        #expect(table.byID["P1"]?.attributes["role"] == "GP" && table.byID.count == 2)
        #expect(table == untouched && table.hashValue == untouched.hashValue)
        let before = table
        table.participants[0].attributes["role"] = "Registrar"
        table.participants.append(Participant(id: "P3", attributes: ["role": "GP"]))
        #expect(table.byID["P1"]?.attributes["role"] == "Registrar" && table.byID["P3"] != nil)
        #expect(before.byID["P1"]?.attributes["role"] == "GP" && before.byID["P3"] == nil)
        #expect(table != before)
    }

    /// Lines found by `memchr` are those of a split on line feeds that keeps empty lines.
    @Test func lineRangesAreTheLinesOfASplitThatKeepsEmptyOnes() {
        var generator = SplitMixGenerator(seed: 7)
        let alphabet: [UInt8] = [0x0A, 0x0A, 0x61, 0x20, 0x2C, 0xC3, 0xA9]
        var texts: [[UInt8]] = [[], [0x0A], [0x0A, 0x0A], [0x61], [0x61, 0x0A], [0x0A, 0x61]]
        for _ in 0..<500 {
            texts.append((0..<Int(generator.next() % 40)).map { _ in alphabet[Int(generator.next() % 7)] })
        }
        for text in texts {
            let found = text.withUnsafeBufferPointer { $0.lineRanges }.map { Array(text[$0]) }
            let split = text.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
            #expect(found == split, "\(text)")
        }
    }

    @Test func everyCRLFAndLoneCRBecomesALineFeed() {
        // Texts of line ends in every order among accents, combining marks, emoji, NULs and long
        // runs, against the rule scalar by scalar; and against Foundation replacing CRLF, then
        // CR (the way before), except where a combining mark follows a CR or CRLF: Foundation's
        // search took it and the mark as one character and left that CR in the text.
        var generator = SystemRandomNumberGenerator()
        let pieces = ["\r", "\n", "\r\n", "\n\r", "a", "é", "e\u{0301}", "\u{0301}", "👩‍⚕️", "\u{0}", "\t", " "]
        var texts = ["", "\r", "\r\r\n", "\r\n\r\n\r", "no line end", String(repeating: "x", count: 5_000) + "\r"]
        for _ in 0..<2_000 {
            texts.append(
                (0..<Int.random(in: 1...40, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
                    .joined())
        }
        var likeFoundation = 0
        for text in texts {
            let scalars = Array(text.unicodeScalars)
            var rule = String.UnicodeScalarView()
            var index = 0
            while index < scalars.count {
                if scalars[index] == "\r" {
                    rule.append("\n")
                    index += index + 1 < scalars.count && scalars[index + 1] == "\n" ? 2 : 1
                } else {
                    rule.append(scalars[index])
                    index += 1
                }
            }
            #expect(Array(text.withLineFeeds().utf8) == Array(String(rule).utf8), "\(Array(text.utf8))")
            let markAfterCR = scalars.indices.contains { index in
                scalars[index] == "\r"
                    && (scalars.dropFirst(index + 1).first == "\u{0301}"
                        || scalars.dropFirst(index + 1).prefix(2) == ["\n", "\u{0301}"])
            }
            if !markAfterCR {
                let replaced = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(
                    of: "\r", with: "\n")
                #expect(text.withLineFeeds() == replaced)
                likeFoundation += 1
            }
        }
        #expect(likeFoundation > 1_000)
        #expect("one\r\ntwo\rthree\r\u{0301}".withLineFeeds() == "one\ntwo\nthree\n\u{0301}")
    }

    @Test func leftoversOfKilledWritersAreRemovedAtAnyDepthAndNothingElse() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("leftovers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let deep = root.appendingPathComponent(".cache/documents")
        let outside = root.appendingPathComponent("../outside-\(UUID().uuidString)").standardizedFileURL
        defer { try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let leftovers = [
            root.appendingPathComponent(".kwic.json.tmp-12-34"), deep.appendingPathComponent(".abc.bin.tmp-5-6"),
        ]
        let kept = [
            root.appendingPathComponent("kwic.json"), deep.appendingPathComponent("abc.bin"),
            root.appendingPathComponent("notes.tmp-1"), outside.appendingPathComponent(".x.tmp-1-2"),
        ]
        for file in leftovers + kept { try Data("x".utf8).write(to: file) }
        // A link to a folder elsewhere is not followed.
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("link"), withDestinationURL: outside)
        AtomicFile.removeLeftovers(in: root.path)
        for file in leftovers { #expect(!FileManager.default.fileExists(atPath: file.path), "\(file.path)") }
        for file in kept { #expect(FileManager.default.fileExists(atPath: file.path), "\(file.path)") }
    }

    /// A file that cannot be made says why: its folder is not there, or a part of its path is a
    /// file (an export's path mistyped), not only that it could not be made.
    @Test func aFileThatCannotBeMadeSaysWhy() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("made-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("x".utf8).write(to: root.appendingPathComponent("a.json"))
        func failure(_ path: String) -> String? {
            do {
                _ = try AtomicFile.Writer(path: path)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(
            failure(root.appendingPathComponent("missing/x.csv").path)
                == "cannot create a temporary file beside it: the folder does not exist")
        #expect(
            failure(root.appendingPathComponent("a.json/x.csv").path)
                == "cannot create a temporary file beside it: a part of the path is a file, not a folder")
        #expect(failure(root.appendingPathComponent("x.csv").path) == nil)
    }

    /// A folder's names as `FileManager` lists them (hidden ones, folders, links, a name of
    /// 255 bytes, names beyond ASCII), and nil for a folder that is not there or is a file.
    @Test func aFoldersNamesAreListedAsFileManagerListsThem() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
        #expect(AtomicFile.names(in: root.appendingPathComponent("sub").path) == [])
        let files = [".hidden", "a.json", "Ärztin 1.json", String(repeating: "n", count: 251) + ".txt", "~$lock.docx"]
        for name in files { try Data("x".utf8).write(to: root.appendingPathComponent(name)) }
        try FileManager.default.createSymbolicLink(
            at: root.appendingPathComponent("link"), withDestinationURL: root.appendingPathComponent("sub"))
        let listed = try #require(AtomicFile.names(in: root.path))
        #expect(listed.sorted() == (files + ["sub", "link"]).sorted())
        let byFoundation = try FileManager.default.contentsOfDirectory(atPath: root.path)
        #expect(listed.sorted() == byFoundation.sorted())
        #expect(AtomicFile.names(in: root.appendingPathComponent("missing").path) == nil)
        #expect(AtomicFile.names(in: root.appendingPathComponent("a.json").path) == nil)
    }

    @Test func aReservedHeadIsWrittenInPlaceAndWritersAreCopiedByteForByte() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("reserve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let path = root.appendingPathComponent("out.json").path
        // Room for a head of 5 bytes, then 20 MB and a bit, in uneven pieces, handed to the disk
        // as they come (durable).
        let reserving = try AtomicFile.Writer(path: path, durable: true)
        reserving.reserve(5)
        var spooled: [UInt8] = []
        while spooled.count < 20 << 20 {
            // Bytes that differ with their position, so a piece copied twice or out of place shows.
            let start = spooled.count
            let piece = [UInt8](unsafeUninitializedCapacity: Int.random(in: 1...(1 << 20))) { buffer, count in
                for index in buffer.indices { buffer[index] = UInt8(truncatingIfNeeded: (start + index) &* 40503 >> 7) }
                count = buffer.count
            }
            reserving.append(piece)
            spooled += piece
        }
        // Nothing at the path until the commit.
        #expect(!FileManager.default.fileExists(atPath: path))
        reserving.append(Array(" tail".utf8))
        // A head longer than reserved: copied behind it into another writer, the first abandoned.
        let spool = try AtomicFile.Writer(path: path, durable: false)
        spool.append(Array("a longer head ".utf8))
        spool.append(contentsOf: reserving, range: 5..<reserving.size)
        reserving.write(Array("head ".utf8), at: 0)
        #expect(reserving.size == Int64(spooled.count + 10))
        try reserving.commit()
        let expected = Array("head ".utf8) + spooled + Array(" tail".utf8)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected))
        try spool.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(Array("a longer head ".utf8) + expected[5...]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["out.json"])
        // A writer never committed leaves nothing behind.
        do {
            let abandoned = try AtomicFile.Writer(path: root.appendingPathComponent("gone.json").path)
            abandoned.reserve(3)
            abandoned.append(Array("x".utf8))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["out.json"])
        let written = Array("a longer head ".utf8) + expected[5...]

        // Stretches of a writer and of the file just written, as a lexicon edit copies them: a
        // durable file, copied in steps with its bytes handed to the disk as it grows.
        let source = open(path, O_RDONLY)
        defer { close(source) }
        let stretch = try AtomicFile.Writer(path: root.appendingPathComponent("stretch.json").path, durable: false)
        stretch.append(spooled)
        let copy = root.appendingPathComponent("copy.json").path
        let copier = try AtomicFile.Writer(path: copy, durable: true)
        copier.append(contentsOf: stretch, range: 7..<(9 << 20))
        copier.append(from: source, range: 3..<Int64(written.count))
        try copier.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == Data(spooled[7..<(9 << 20)] + written[3...]))
        // A file shorter than the stretch asked for: nothing is replaced.
        let short = try AtomicFile.Writer(path: copy, durable: false)
        short.append(from: source, range: 0..<Int64(written.count + 1))
        #expect(throws: FileWriteError.self) { try short.commit() }
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)).count == (9 << 20) - 7 + written.count - 3)
    }

    @Test func aCopiedStretchHasBlocksOnlyWhereItsBytesAre() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("copied-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        func allocated(_ path: String) -> Int64 {
            var status = stat()
            return stat(path, &status) == 0 ? Int64(status.st_blocks) * 512 : -1
        }
        let path = root.appendingPathComponent("previous.json").path
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 40503 >> 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let source = open(path, O_RDONLY)
        defer { close(source) }
        // Blocks are allocated for each copied step before it is copied: where the copy goes,
        // not where it comes from, and no further.
        for durable in [true, false] {
            let copy = root.appendingPathComponent("copy-\(durable).json").path
            let copier = try AtomicFile.Writer(path: copy, durable: durable)
            copier.append(Array("[".utf8))
            copier.append(from: source, range: 200_000..<250_000)
            copier.append(Array("]".utf8))
            try copier.commit()
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: copy))
                    == Data(Array("[".utf8) + bytes[200_000..<250_000] + Array("]".utf8)))
            #expect(allocated(copy) <= 50_002 + 16_384, "\(allocated(copy)) bytes allocated")
        }
    }

    /// A file that grows past a megabyte gets its blocks a step ahead of its bytes; once it is
    /// complete it keeps none past them, whether new, written over an old one shorter than it,
    /// flushed before the last bytes, or given a head written last.
    @Test func blocksAllocatedAheadOfAGrowingFileAreCutOffWhenItIsComplete() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ahead-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        func path(_ name: String) -> String { root.appendingPathComponent(name).path }
        func allocated(_ path: String) -> Int64 {
            var status = stat()
            return stat(path, &status) == 0 ? Int64(status.st_blocks) * 512 : -1
        }
        let piece = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 40503 >> 7) }
        let count = 3 * 1_048_576 + 12_345
        let expected = (0..<count).map { piece[$0 % piece.count] }
        try Data(piece).write(to: URL(fileURLWithPath: path("old")))

        // While it grows, the step ahead is allocated, where the file system can (ext4 can).
        let scratch = open(path("scratch"), O_RDWR | O_CREAT, 0o644)
        var reservation = AtomicFile.BlockReservation()
        reservation.cover(scratch, through: 1_100_000)
        close(scratch)
        if !reservation.refused {
            #expect(allocated(path("scratch")) >= AtomicFile.writebackStep)
            let probe = try AtomicFile.Writer(path: path("probe"), durable: false)
            probe.append(Array(expected.prefix(1_100_000)))
            let folder = try FileManager.default.contentsOfDirectory(atPath: root.path)
            let temporary = try #require(folder.first { $0.hasPrefix(".probe.tmp-") })
            #expect(allocated(path(temporary)) >= AtomicFile.writebackStep)
        }

        for (name, durable, recycling, syncFirst) in [
            ("new", true, nil, false), ("fast", false, nil, false), ("over-old", true, "old", false),
            ("synced", true, nil, true),
        ] {
            let writer = try AtomicFile.Writer(
                path: path(name), durable: durable, recycling: recycling.map { path($0) })
            writer.reserve(10)
            var at = 10
            while at < count {
                let end = min(count, at + 100_000)
                writer.append(Array(expected[at..<end]))
                at = end
            }
            if syncFirst { writer.sync() }
            writer.write(Array(expected[..<10]), at: 0)
            try writer.commit()
            #expect(try Data(contentsOf: URL(fileURLWithPath: path(name))) == Data(expected))
            #expect(allocated(path(name)) <= Int64(count) + 16_384, "\(name): \(allocated(path(name))) bytes allocated")
        }
    }

    /// Pieces, empty ones among them and more than one call takes, land one after another at
    /// the offset; a descriptor that cannot be written says why.
    @Test func piecesAreWrittenOneAfterAnotherAtTheOffsetHoweverMany() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pieces-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("pack.bin").path
        let head = [UInt8](repeating: 0xEE, count: 100)
        try AtomicFile.write(Data(head), to: path, durable: false)
        var generator = SystemRandomNumberGenerator()
        let source = (0..<40_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var pieces: [ArraySlice<UInt8>] = []
        for _ in 0..<2_500 {
            let start = Int.random(in: 0..<source.count, using: &generator)
            let length = Int.random(in: 0...min(40, source.count - start), using: &generator)
            pieces.append(source[start..<start + length])
        }
        let descriptor = open(path, O_RDWR)
        #expect(descriptor >= 0)
        #expect(AtomicFile.write(pieces, to: descriptor, at: Int64(head.count)) == nil)
        close(descriptor)
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written == head + pieces.flatMap { $0 })
        let readOnly = open(path, O_RDONLY)
        defer { close(readOnly) }
        #expect(AtomicFile.write([source[0..<8]], to: readOnly, at: 0) != nil)
    }

    @Test func anOldFileIsWrittenOverOnlyWhenItIsAloneAndRegular() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("recycle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        func path(_ name: String) -> String { root.appendingPathComponent(name).path }
        func inode(_ path: String) -> UInt64? {
            var status = stat()
            return lstat(path, &status) == 0 ? UInt64(status.st_ino) : nil
        }
        let old = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 40503 >> 7) }
        let new = [UInt8](repeating: 0x6E, count: 100_000)
        func writeOld(_ name: String) throws -> UInt64 {
            try Data(old).write(to: URL(fileURLWithPath: path(name)))
            return try #require(inode(path(name)))
        }
        // Writes `new` in two pieces (synced between them when durable) over `old`, if taken.
        func write(_ name: String, durable: Bool, recycling: String) throws {
            let writer = try AtomicFile.Writer(path: path(name), durable: durable, recycling: recycling)
            writer.append(Array(new[..<60_000]))
            writer.sync()
            writer.append(Array(new[60_000...]))
            try writer.commit()
            #expect(try Data(contentsOf: URL(fileURLWithPath: path(name))) == Data(new))
        }

        // Alone and regular: taken, and what lay past the new bytes cut off.
        for durable in [true, false] {
            let taken = try writeOld("old-\(durable)")
            try write("out-\(durable).json", durable: durable, recycling: path("old-\(durable)"))
            #expect(inode(path("out-\(durable).json")) == taken)
            #expect(inode(path("old-\(durable)")) == nil)
        }
        // Another name for it (a live output): never written over.
        let linked = try writeOld("linked")
        #expect(link(path("linked"), path("live.json")) == 0)
        try write("out-linked.json", durable: true, recycling: path("linked"))
        #expect(inode(path("out-linked.json")) != linked)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("live.json"))) == Data(old))
        // A link to a file elsewhere: not followed.
        _ = try writeOld("target")
        try FileManager.default.createSymbolicLink(atPath: path("symlink"), withDestinationPath: path("target"))
        try write("out-symlink.json", durable: true, recycling: path("symlink"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("target"))) == Data(old))
        #expect(inode(path("symlink")) != nil)
        // Nothing there: a new file.
        try write("out-none.json", durable: true, recycling: path("none"))

        // Its pages no longer in memory (as this machine's kernel pages out files left alone for
        // a minute): taken all the same, and written over whole.
        let evicted = try writeOld("evicted")
        dropFromMemory(path("evicted"))
        try write("out-evicted.json", durable: true, recycling: path("evicted"))
        #expect(inode(path("out-evicted.json")) == evicted)
        #expect(inode(path("evicted")) == nil)
    }

    /// A mapped file holds the file's bytes as they are; an empty file maps to no bytes, and a
    /// missing file or a folder maps to nothing.
    @Test func aMappedFileHoldsTheFilesBytes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let bytes = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let path = root.appendingPathComponent("bits.bin").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let mapped = try #require(MappedFile(path: path))
        #expect(mapped.withBytes { Array($0) } == bytes)
        // Replaced by renaming, as every cache file is: the mapping keeps the bytes it had.
        try AtomicFile.write(Data([1, 2, 3]), to: path)
        #expect(mapped.withBytes { Array($0) } == bytes)
        #expect(try #require(MappedFile(path: path)).withBytes { Array($0) } == [1, 2, 3])
        try Data().write(to: URL(fileURLWithPath: path))
        #expect(try #require(MappedFile(path: path)).count == 0)
        #expect(MappedFile(path: root.appendingPathComponent("none").path) == nil)
        #expect(MappedFile(path: root.path) == nil)
    }

    /// Bytes a recycled file already holds are moved past, not written: what follows lands after
    /// them, and the old bytes stay. Only in a recycled file, and only as far as it goes; the
    /// file it was is told by its size, inode and modification time as taken.
    @Test func bytesARecycledFileHoldsAreSkippedNotWritten() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("skip-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        func path(_ name: String) -> String { root.appendingPathComponent(name).path }
        let old = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 40503 >> 7) }
        try Data(old).write(to: URL(fileURLWithPath: path("old")))
        var status = stat()
        #expect(stat(path("old"), &status) == 0)
        let writer = try AtomicFile.Writer(path: path("new.json"), recycling: path("old"))
        #expect(
            writer.recycledFile
                == AtomicFile.FileStamp(
                    size: 50_000, inode: UInt64(status.st_ino),
                    modified: Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)))
        writer.reserve(100)
        writer.append([UInt8](repeating: 0x61, count: 5_000))
        #expect(writer.skip(20_000))
        #expect(writer.size == 25_100)
        writer.append([UInt8](repeating: 0x62, count: 3))
        #expect(!writer.skip(25_000), "past the old file's end")
        #expect(writer.skip(0))
        writer.write(Array(old[..<100]).map { $0 ^ 0xFF }, at: 0)
        try writer.commit()
        let expected =
            Array(old[..<100]).map { $0 ^ 0xFF } + [UInt8](repeating: 0x61, count: 5_000) + Array(old[5_100..<25_100])
            + [0x62, 0x62, 0x62]
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("new.json"))) == Data(expected))

        // A new file holds nothing to skip.
        let fresh = try AtomicFile.Writer(path: path("fresh.json"), recycling: path("none"))
        #expect(fresh.recycledFile == nil)
        #expect(!fresh.skip(10))
        fresh.append([1, 2, 3])
        try fresh.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("fresh.json"))) == Data([1, 2, 3]))
    }

    /// Over an old file whose pages memory no longer holds, appends of any size (and bytes
    /// copied in, written at a reserved offset, or copied out to another file between them)
    /// give the bytes in order; and since each write, and each piece of a copy, ends on a page
    /// boundary, the next does not begin inside a page the kernel must first read from disk, so
    /// next to nothing is read.
    @Test func aRecycledFileGetsEveryByteAndReadsNothingFirst() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("held-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        func path(_ name: String) -> String { root.appendingPathComponent(name).path }
        func evictedOld(_ name: String, count: Int) throws {
            try Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 40503 >> 7) }).write(
                to: URL(fileURLWithPath: path(name)))
            dropFromMemory(path(name))
        }
        /// Bytes this thread had read from the disk so far.
        func readFromDisk() throws -> Int {
            let text = try String(contentsOfFile: "/proc/thread-self/io", encoding: .utf8)
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("read_bytes:") })
            return try #require(Int(line.split(separator: " ").last ?? ""))
        }
        /// The bytes read from disk by `write` over an old file of 12 MB paged out anew: the
        /// fewest of up to three tries. Among the whole suite's tests, 2 runs in 5 counted 0.3 or
        /// 1.8 MB on this thread's account in one try (never in 10 runs of this test alone, nor
        /// process-wide there); a write that ends inside a page reads on every try.
        func fewestBytesRead(_ write: () throws -> Void) throws -> Int {
            var fewest = Int.max
            for _ in 0..<3 where fewest > 4 * Int(getpagesize()) {
                try evictedOld("old", count: 12 << 20)
                let before = try readFromDisk()
                try write()
                fewest = min(fewest, try readFromDisk() - before)
            }
            return fewest
        }
        var random = SystemRandomNumberGenerator()
        let source = (0..<375_000).flatMap { _ in withUnsafeBytes(of: random.next() as UInt64) { Array($0) } }
        try Data(source).write(to: URL(fileURLWithPath: path("source")))
        let sourceDescriptor = open(path("source"), O_RDONLY)
        defer { close(sourceDescriptor) }

        // Every kind of write between appends of awkward sizes.
        try evictedOld("old", count: 600_000)
        let writer = try AtomicFile.Writer(path: path("out"), durable: false, recycling: path("old"))
        writer.reserve(10)
        var expected = [UInt8](repeating: 0, count: 10)
        for (step, size) in [1, 4095, 4096, 4097, 3, 70_000, 12_345, 8191, 2, 100_000, 5].enumerated() {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ step &* 7) }
            writer.append(bytes)
            expected += bytes
            switch step {
            case 3:
                writer.append(from: sourceDescriptor, range: 1_000..<20_000)
                expected += source[1_000..<20_000]
            case 6:
                let head = Array("0123456789".utf8)
                writer.write(head, at: 0)
                expected.replaceSubrange(0..<10, with: head)
            case 8:
                // Another file copies what this one has so far, its held bytes included.
                let copy = try AtomicFile.Writer(path: path("copy"), durable: false)
                copy.append(contentsOf: writer, range: 0..<Int64(expected.count))
                try copy.commit()
                #expect(try Data(contentsOf: URL(fileURLWithPath: path("copy"))) == Data(expected))
            default: break
            }
        }
        #expect(writer.size == Int64(expected.count))
        try writer.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("out"))) == Data(expected))

        // Appends of half a megabyte and a bit, as the outputs' writers make them, then rendered
        // bytes and copied stretches in turn, as a lexicon edit makes them: at most the page the
        // last write ends in is read (each write ending inside a page read 20 or 40).
        for copying in [false, true] {
            var expected: [UInt8] = []
            let read = try fewestBytesRead {
                let long = try AtomicFile.Writer(path: path("long"), durable: false, recycling: path("old"))
                let piece = [UInt8](repeating: 0x61, count: (1 << 19) + 1_234)
                expected = []
                for step in 0..<20 {
                    long.append(piece)
                    expected += piece
                    if copying {
                        let stretch = Int64(step * 997)..<Int64(step * 997 + 20_000 + step * 13)
                        long.append(from: sourceDescriptor, range: stretch)
                        expected += source[Int(stretch.lowerBound)..<Int(stretch.upperBound)]
                    }
                }
                try long.commit()
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path("long"))) == Data(expected))
            #expect(read <= 4 * Int(getpagesize()), "\(read) bytes read from disk to write over the old file")
        }

        // Megabytes copied in from places not on a page boundary (a lexicon edit copies the
        // unchanged suggestions between the documents it renders again): `sendfile` moved 64 KB
        // at a time, each ending inside a page here, 44 pages read for these 2.9 MB.
        let head = [UInt8](repeating: 0x61, count: 1_234)
        let read = try fewestBytesRead {
            let stretches = try AtomicFile.Writer(path: path("stretches"), durable: false, recycling: path("old"))
            stretches.append(head)
            stretches.append(from: sourceDescriptor, range: 997..<2_600_000)
            stretches.append(from: sourceDescriptor, range: 5..<300_001)
            stretches.append(Array("]".utf8))
            try stretches.commit()
        }
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: path("stretches")))
                == Data(head + source[997..<2_600_000] + source[5..<300_001] + Array("]".utf8)))
        #expect(read <= 4 * Int(getpagesize()), "\(read) bytes read from disk to write over the old file")
    }

    /// A file written removing the old one first (a cache) ends as the new bytes under a new
    /// inode, with no temporary file left, while a reader of the old one still reads it whole.
    @Test func aFileWrittenRemovingTheOldOneFirstHoldsTheNewBytes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tmine-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let path = root.appendingPathComponent("cache.bin").path
        func inode() -> UInt64? {
            var status = stat()
            return stat(path, &status) == 0 ? UInt64(status.st_ino) : nil
        }
        try AtomicFile.write(Data("old".utf8), to: path, durable: false)
        let old = try #require(inode())
        // Kept open, so that the old inode cannot be reused for the new file.
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        try AtomicFile.write(Data("new bytes".utf8), to: path, durable: false, removingFirst: true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("new bytes".utf8))
        #expect(inode() != old)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["cache.bin"])
        #expect(try handle.readToEnd() == Data("old".utf8))

    }

    /// A copy kept by a hard link replaces the file at its path with the source's inode, leaving
    /// no temporary file; with no source there is nothing to link, and the old copy stays.
    @Test func aCopyKeptByALinkIsTheSourceAndAMissingSourceLeavesTheOldCopy() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tmine-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent(".cache"), withIntermediateDirectories: true)
        let source = root.appendingPathComponent("run-report.json").path
        let copy = root.appendingPathComponent(".cache/last-report.json").path
        func inode(_ path: String) -> UInt64? {
            var status = stat()
            return stat(path, &status) == 0 ? UInt64(status.st_ino) : nil
        }
        try AtomicFile.write(Data("old copy".utf8), to: copy, durable: false)
        try AtomicFile.write(Data("report".utf8), to: source, durable: false)
        #expect(AtomicFile.hardLink(source, to: copy))
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == Data("report".utf8))
        #expect(inode(copy) == inode(source))
        // The source replaced (as the next run writes it): the copy keeps the bytes it had.
        try AtomicFile.write(Data("next report".utf8), to: source, durable: false)
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == Data("report".utf8))
        try FileManager.default.removeItem(atPath: source)
        #expect(!AtomicFile.hardLink(source, to: copy))
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == Data("report".utf8))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(".cache").path) == [
                "last-report.json"
            ])
    }

    /// A file shorter than the bytes its writer counts (here a head reserved and never
    /// written, nothing after it) is not put in place: the commit says so and the previous
    /// version stays. A head written in place commits as always.
    @Test func aFileShorterThanWhatWasWrittenIsNotCommitted() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tmine-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let path = root.appendingPathComponent("suggestions.json").path
        try AtomicFile.write(Data("previous".utf8), to: path, durable: false)
        let short = try AtomicFile.Writer(path: path, durable: false)
        short.reserve(30)
        #expect(throws: FileWriteError.self) { try short.commit() }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("previous".utf8))
        let whole = try AtomicFile.Writer(path: path, durable: false)
        whole.reserve(10)
        whole.append(Data("elements".utf8))
        whole.write(Array("0123456789".utf8), at: 0)
        try whole.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("0123456789elements".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["suggestions.json"])
    }

    /// In a folder that sets replaced files aside, a commit leaves the old file under a hidden
    /// name (its bytes intact, for another process to delete) and puts the new one in place as
    /// always; elsewhere the old file is gone at once. A file removed there is set aside too.
    /// `removeSetAside` and `removeLeftovers` delete what was set aside, and nothing else.
    @Test func replacedFilesAreSetAsideOnlyWhereAsked() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("aside-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let aside = root.appendingPathComponent("out")
        let plain = root.appendingPathComponent("other")
        for folder in [aside, plain] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        // Given with a trailing slash: folders are compared as commits name them.
        AtomicFile.setAsideReplacedFiles(in: [aside.path + "/"])
        func names(_ folder: URL) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        }
        for folder in [aside, plain] {
            let report = folder.appendingPathComponent("report.json").path
            let cache = folder.appendingPathComponent("cache.bin").path
            try AtomicFile.write(Data("first report".utf8), to: report)
            try AtomicFile.write(Data("first cache".utf8), to: cache, durable: false, removingFirst: true)
            // Written the first time: nothing was replaced.
            #expect(try names(folder) == ["cache.bin", "report.json"])
            try AtomicFile.write(Data("second report".utf8), to: report)
            try AtomicFile.write(Data("second cache".utf8), to: cache, durable: false, removingFirst: true)
            #expect(try Data(contentsOf: URL(fileURLWithPath: report)) == Data("second report".utf8))
            #expect(try Data(contentsOf: URL(fileURLWithPath: cache)) == Data("second cache".utf8))
        }
        #expect(try names(plain) == ["cache.bin", "report.json"])
        let setAside = try names(aside).filter { $0.hasPrefix(".") }
        #expect(setAside.count == 2)
        #expect(setAside.allSatisfy { $0.contains(".tmp-\(getpid())-") && $0.hasSuffix(".old") })
        let kept = try setAside.map { try String(contentsOf: aside.appendingPathComponent($0), encoding: .utf8) }
        #expect(kept.sorted() == ["first cache", "first report"])
        // Swept from another folder, nothing; from its own, only what was set aside.
        AtomicFile.removeSetAside(in: plain.path)
        #expect(try names(plain) == ["cache.bin", "report.json"])
        // A writer at work in the folder keeps its temporary file.
        let working = try AtomicFile.Writer(path: aside.appendingPathComponent("late.json").path)
        working.append(Array("late".utf8))
        AtomicFile.removeSetAside(in: aside.path)
        #expect(try names(aside).filter { !$0.hasPrefix(".") } == ["cache.bin", "report.json"])
        #expect(try names(aside).filter { $0.hasPrefix(".") }.count == 1)
        try working.commit()
        #expect(try names(aside) == ["cache.bin", "late.json", "report.json"])
        // Removed, in a folder that sets files aside: set aside; elsewhere deleted.
        #expect(AtomicFile.remove(aside.appendingPathComponent("late.json").path))
        #expect(AtomicFile.remove(plain.appendingPathComponent("cache.bin").path))
        #expect(!AtomicFile.remove(plain.appendingPathComponent("cache.bin").path))
        #expect(!AtomicFile.remove(aside.appendingPathComponent("never.json").path))
        #expect(try names(plain) == ["report.json"])
        let removed = try names(aside).filter { $0.hasPrefix(".late.json.tmp-") && $0.hasSuffix(".old") }
        #expect(removed.count == 1)
        #expect(try names(aside).filter { !$0.hasPrefix(".") } == ["cache.bin", "report.json"])
        AtomicFile.removeSetAside(in: aside.path)
        #expect(try names(aside) == ["cache.bin", "report.json"])
        // Set aside and never swept (a flush that did not run): the next run's leftovers.
        try AtomicFile.write(Data("third report".utf8), to: aside.appendingPathComponent("report.json").path)
        #expect(try names(aside).count == 3)
        AtomicFile.removeLeftovers(in: root.path)
        #expect(try names(aside) == ["cache.bin", "report.json"])
    }

    /// Run reports, locks and decisions are stamped through the C library, in the very format
    /// of Foundation's default ISO 8601 formatter.
    @Test func timestampsMatchFoundationsISO8601Formatter() {
        let formatter = ISO8601DateFormatter()
        for seconds in [0, 1_764_480_000, 1_764_480_000.999, 4_102_444_799, 951_782_400] as [Double] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(isoTimestamp(date) == formatter.string(from: date))
        }
    }

    @Test func pathsSortByTheirUTF8BytesAsTheGenericComparisonDoes() {
        // Short ones stored in the string itself, long ones in storage of their own.
        let strings = [
            "", "a", "ab", "a/b", "a-b", "B", "b", "é", "e\u{301}", "z", "ä/x", "ä", "日本", "😀", "a\u{0}",
            "/study/transcripts/interview-01.txt", "/study/transcripts/interview-01.txt/é", "/study/transcripts/ä.txt",
        ]
        for a in strings {
            for b in strings {
                #expect(utf8Precedes(a, b) == a.utf8.lexicographicallyPrecedes(b.utf8), "\(a) < \(b)")
            }
        }
    }

    @Test func whitespaceRunsCollapseToOneSpaceWhateverTheirScalars() {
        // Against the definition, scalar by scalar: blank runs (any Unicode whitespace) become
        // one space, the ends are trimmed, everything else is kept as it was.
        func reference(_ text: String) -> String {
            var words: [String] = [""]
            for scalar in text.unicodeScalars {
                if scalar.properties.isWhitespace {
                    if words.last != "" { words.append("") }
                } else {
                    words[words.count - 1].unicodeScalars.append(scalar)
                }
            }
            return words.filter { !$0.isEmpty }.joined(separator: " ")
        }
        let pieces = [
            "a", "é", "👍🏽", "—", "’", " ", "  ", "\t", "\n", "\r\n", "\u{A0}", "\u{85}", "\u{3000}", "\u{2028}",
            "\u{200B}", "\u{FEFF}", "Zeit", "\u{1680}",
        ]
        var generator = SystemRandomNumberGenerator()
        var samples = pieces + ["", "plain ascii text", " lead", "trail ", "a\u{A0}\u{A0}b", "x \u{3000} y"]
        for _ in 0..<500 {
            samples.append(
                (0..<Int.random(in: 1...12, using: &generator)).map { _ in
                    pieces[Int.random(in: pieces.indices, using: &generator)]
                }.joined())
        }
        for sample in samples {
            #expect(
                sample.collapsingWhitespace() == reference(sample),
                "\(sample.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test func blanksAreExactlyTheScalarsWithTheWhiteSpaceProperty() {
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if scalar.isBlank != scalar.properties.isWhitespace {
                Issue.record("U+\(String(value, radix: 16)): isBlank \(scalar.isBlank)")
            }
        }
    }

    @Test func textInRangeCountsUnicodeScalars() {
        let document = Document(
            id: "d", source: "d.txt", format: .text, text: "P1: é👍🏽 ok", segments: [], speakers: [])
        // "é" precomposed is one scalar; "👍🏽" is two.
        #expect(document.text(in: ScalarRange(start: 4, end: 7)) == "é👍🏽")
        #expect(document.text(in: ScalarRange(start: 8, end: 10)) == "ok")
        #expect(document.text(in: ScalarRange(start: 8, end: 99)) == "")
    }

    @Test func documentsRoundTripThroughJSON() throws {
        let segment = Segment(
            index: 0, speaker: "P3", role: .participant, participantID: "P3", text: "Hi.",
            range: ScalarRange(start: 4, end: 7), start: 1.5)
        let document = Document(
            id: "d", source: "d.txt", format: .webvtt, text: "P3: Hi.", segments: [segment],
            speakers: [Speaker(label: "P3", role: .participant, participantID: "P3")], notes: ["n"])
        let data = try JSONEncoder().encode(document)
        #expect(try JSONDecoder().decode(Document.self, from: data) == document)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"format\":\"vtt\""))
        #expect(json.contains("\"role\":\"participant\""))
    }

    @Test func documentsRoundTripThroughTheBinaryCacheFormat() throws {
        let segments = [
            Segment(
                index: 0, speaker: "Interviewer", role: .interviewer, participantID: nil, text: "Zeit? é👍🏽",
                range: ScalarRange(start: 13, end: 22), start: 0.25, end: 3),
            Segment(
                index: 1, speaker: "P3", role: .participant, participantID: "P3", text: "Ja.",
                range: ScalarRange(start: 27, end: 30)),
        ]
        let document = Document(
            id: "d", source: "a/d.vtt", format: .webvtt, text: "Interviewer: Zeit? é👍🏽\nP3: Ja.",
            segments: segments,
            speakers: [
                Speaker(label: "Interviewer", role: .interviewer, participantID: nil),
                Speaker(label: "P3", role: .participant, participantID: "P3"),
            ], notes: ["interviewer guessed"])
        var writer = BinaryWriter()
        writer.write(document)
        writer.write(-1)
        writer.write(Int.min)
        writer.write(["b": 2, "a": -300])
        var reader = BinaryReader(writer.bytes)
        #expect(try reader.read(Document.self) == document)
        #expect(try reader.read(Int.self) == -1)
        #expect(try reader.read(Int.self) == Int.min)
        #expect(try reader.read([String: Int].self) == ["b": 2, "a": -300])
        #expect(reader.isAtEnd)
    }

    /// Strings written packed give the bytes of the same strings written one by one: empty ones,
    /// one-byte and two- and three-byte length prefixes, and text that is not ASCII.
    @Test func packedStringsAreWrittenAsAnArrayOfStrings() throws {
        let cases: [[String]] = [
            [], [""], ["", "", ""], ["a", "", "bc"], ["é👍🏽", "Zeit"],
            [String(repeating: "x", count: 127), String(repeating: "y", count: 128), ""],
            [String(repeating: "z", count: 16_384), "w", String(repeating: "ü", count: 9_000)],
        ]
        // Lists of short words of every length around the 16 bytes copied at once, ending at
        // any distance from the end of the bytes.
        var generator = SplitMixGenerator(seed: 88)
        let letters = Array("abcdefghijklmnopqrstuvwxyzéü东👍")
        let random = (0..<200).map { _ in
            (0..<Int(generator.next() % 40)).map { _ in
                String(
                    (0..<Int(generator.next() % 21)).map { _ in letters[Int(generator.next() % UInt64(letters.count))] }
                )
            }
        }
        for strings in cases + random {
            var packed: [UInt8] = []
            var ends: [Int32] = []
            for string in strings {
                packed.append(contentsOf: string.utf8)
                ends.append(Int32(packed.count))
            }
            var writer = BinaryWriter()
            packed.withUnsafeBufferPointer { bytes in
                ends.withUnsafeBufferPointer { writer.writeStrings(bytes: bytes, ends: $0) }
            }
            var expected = BinaryWriter()
            expected.write(strings)
            #expect(writer.bytes == expected.bytes, "\(strings.map(\.count))")
            var reader = BinaryReader(writer.bytes)
            #expect(try reader.read([String].self) == strings)
        }
    }

    @Test func aTurnsTextIsCachedOnceAsPartOfItsDocument() throws {
        let text = "Interviewer: Zeit? é👍🏽\nP3: Ja, Zeit."
        func document(_ segments: [Segment]) -> Document {
            Document(
                id: "d", source: "d.txt", format: .text, text: text, segments: segments,
                speakers: [Speaker(label: "P3", role: .participant, participantID: "P3")])
        }
        func bytes(_ document: Document) -> [UInt8] {
            var writer = BinaryWriter()
            writer.write(document)
            return writer.bytes
        }
        let sliced = Segment(
            index: 0, speaker: "P3", role: .participant, participantID: "P3", text: "Ja, Zeit.",
            range: ScalarRange(start: 27, end: 36))
        var reader = BinaryReader(bytes(document([sliced])))
        #expect(try reader.read(Document.self) == document([sliced]))
        // The turn's text is not written again: only its range is.
        func occurrences(of needle: String, in bytes: [UInt8]) -> Int {
            let needle = Array(needle.utf8)
            return (0...(bytes.count - needle.count)).filter { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
                .count
        }
        #expect(occurrences(of: "Ja, Zeit.", in: bytes(document([sliced]))) == 1)
        // A turn whose text is not the document's at its range keeps its own text.
        var differing = sliced
        differing.text = "Ja, Zeit!"
        #expect(occurrences(of: "Ja, Zeit!", in: bytes(document([differing]))) == 1)
        reader = BinaryReader(bytes(document([differing])))
        #expect(try reader.read(Document.self) == document([differing]))
        // A range past the text's end (a foreign or torn record) is refused, not sliced.
        var written = bytes(document([sliced]))
        // The sliced turn's range is written as zigzag varints 54 (27) and 72 (36) before its flag 0.
        let at = try #require(
            written.indices.first { written[$0] == 54 && written[$0 + 1] == 72 && written[$0 + 2] == 0 })
        written[at + 1] = 74
        reader = BinaryReader(written)
        #expect(throws: BinaryReader.Error.self) { try reader.read(Document.self) }
    }

    /// Turns listed out of the text's order (no reader makes them so) are still found at their
    /// ranges and written once, as part of the document.
    @Test func turnsOutOfTheTextsOrderAreStillCutFromTheDocument() throws {
        let text = "I: Zeit? é👍🏽\nP3: Ja, Zeit.\nI: Gut."
        let turns = [
            Segment(
                index: 1, speaker: "P3", role: .participant, participantID: "P3", text: "Ja, Zeit.",
                range: ScalarRange(start: 17, end: 26)),
            Segment(
                index: 0, speaker: "I", role: .interviewer, participantID: nil, text: "Zeit? é👍🏽",
                range: ScalarRange(start: 3, end: 12)),
            Segment(
                index: 2, speaker: "I", role: .interviewer, participantID: nil, text: "Gut.",
                range: ScalarRange(start: 30, end: 34)),
        ]
        let document = Document(id: "d", source: "d.txt", format: .text, text: text, segments: turns, speakers: [])
        var writer = BinaryWriter()
        writer.write(document)
        for turn in turns {
            let needle = Array(turn.text.utf8)
            let found = (0...(writer.bytes.count - needle.count)).filter {
                writer.bytes[$0..<$0 + needle.count].elementsEqual(needle)
            }
            #expect(found.count == 1, "\(turn.text)")
        }
        var reader = BinaryReader(writer.bytes)
        #expect(try reader.read(Document.self) == document)
    }

    /// A cursor's byte offsets are the scalars' own, asked in increasing order (a document's turns)
    /// or not, at every alignment in the eight-byte words it steps over; past the end it has none.
    @Test func aCursorFindsEachScalarsByteOffsetInAnyOrderOfAsking() {
        var generator = SystemRandomNumberGenerator()
        let alphabets: [[Unicode.Scalar]] = [["a", " ", "\n"], ["é", "ß"], ["€", "’"], ["👍", "🏽"]]
        for _ in 0..<300 {
            let scalars = randomRuns(of: alphabets, upTo: 300, using: &generator)
            var offsets = [0]
            for scalar in scalars { offsets.append(offsets.last! + UTF8.width(scalar)) }
            var text = String(String.UnicodeScalarView(scalars))
            text.withUTF8 { bytes in
                var cursor = ScalarCursor()
                var target = 0
                for _ in 0..<40 {
                    // Mostly forward, as turns come; now and then back, or past the end.
                    switch Int.random(in: 0..<10, using: &generator) {
                    case 0: target = Int.random(in: 0...scalars.count, using: &generator)
                    case 1: target = scalars.count + Int.random(in: 1...3, using: &generator)
                    default: target = min(scalars.count, target + Int.random(in: 0...40, using: &generator))
                    }
                    let expected = target < offsets.count ? offsets[target] : nil
                    #expect(
                        cursor.byteOffset(of: target, in: bytes) == expected, "scalar \(target) of \(scalars.count)")
                }
                #expect(cursor.utf8Range(1, 0, in: bytes) == nil)
                #expect(cursor.byteOffset(of: -1, in: bytes) == nil)
            }
        }
    }

    @Test func aTornOrForeignBinaryEntryThrowsInsteadOfBeingMisread() {
        var writer = BinaryWriter()
        writer.write(["one", "two", "three"])
        for length in 0..<writer.bytes.count {
            var reader = BinaryReader(Array(writer.bytes[..<length]))
            #expect(throws: BinaryReader.Error.self) { try reader.read([String].self) }
        }
        // A count larger than the bytes left is refused before anything is allocated.
        var huge = BinaryReader([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x61])
        #expect(throws: BinaryReader.Error.self) { try huge.read([String].self) }
        var role = BinaryWriter()
        role.write("moderator")
        var roleReader = BinaryReader(role.bytes)
        #expect(throws: BinaryReader.Error.self) { try roleReader.read(SpeakerRole.self) }
    }

    @Test func slicesByScalarOffsetEqualTheScalarViewsOwn() {
        // Past several checkpoints of 64 scalars, with one-, two-, three- and four-byte scalars.
        let text = String(repeating: "aé€👍🏽 Zeit ", count: 40) + "end"
        let scalars = Array(text.unicodeScalars)
        let slicer = ScalarSlicer(text)
        #expect(slicer.count == scalars.count)
        for (start, end) in [(0, 0), (0, 1), (3, 70), (63, 64), (64, 200), (129, scalars.count), (0, scalars.count)] {
            #expect(
                slicer.string(start, end) == String(String.UnicodeScalarView(scalars[start..<end])), "\(start)..<\(end)"
            )
        }
        let ascii = ScalarSlicer("plain text")
        #expect(ascii.count == 10 && ascii.string(6, 10) == "text")
    }

    @Test func scalarCountsCutsAndDecodingAgreeWithTheStandardLibraryAtEveryAlignment() {
        // Runs of ASCII and of two-, three- and four-byte scalars in random lengths put scalar
        // starts and checkpoints at every place in the eight-byte words counted at once.
        var generator = SystemRandomNumberGenerator()
        let alphabets: [[Unicode.Scalar]] = [
            ["a", "b", " "], ["é", "ß"], ["€", "’"], ["👍", "🏽"],
            ["\u{7F}", "\u{80}", "\u{7FF}", "\u{800}", "\u{FFFF}", "\u{10000}", "\u{10FFFF}"],
        ]
        for _ in 0..<300 {
            let scalars = randomRuns(of: alphabets, upTo: 400, using: &generator)
            let text = String(String.UnicodeScalarView(scalars))
            #expect(text.scalarCount == scalars.count)
            #expect(Substring(text.unicodeScalars.dropFirst()).scalarCount == max(0, scalars.count - 1))
            let slicer = ScalarSlicer(text)
            #expect(slicer.count == scalars.count)
            for start in stride(from: 0, through: scalars.count, by: 7) {
                let end = Int.random(in: start...scalars.count, using: &generator)
                #expect(slicer.string(start, end) == String(String.UnicodeScalarView(scalars[start..<end])))
            }
        }
    }

    @Test func participantsAreFoundByDocumentNameOrStem() {
        let table = ParticipantTable(
            attributeNames: ["transcript"],
            participants: [
                Participant(id: "P1", attributes: ["transcript": "interview-01.docx"]),
                Participant(id: "P2", attributes: ["transcript": "a.vtt; a-part2.vtt"]),
            ],
            documentColumn: "transcript")
        #expect(table.participant(forDocument: "interview-01.docx")?.id == "P1")
        #expect(table.participant(forDocument: "interview-01.txt")?.id == "P1")
        #expect(table.participant(forDocument: "a-part2.vtt")?.id == "P2")
        #expect(table.participant(forDocument: "interview-02.docx") == nil)
    }

    @Test(arguments: [
        ("P3", "p03", true), ("P3", "P 3", true), ("P3", "P30", false), ("S-01", "s1", true), ("Jane", "jane", true),
    ])
    func participantIdsCompareIgnoringCaseAndLeadingZeros(_ id: String, _ written: String, _ same: Bool) {
        let table = ParticipantTable(attributeNames: [], participants: [Participant(id: id, attributes: [:])])
        #expect((table.canonicalID(for: written) == id) == same)
    }
}

/// Runs of 1–20 scalars, each run from one of `alphabets`, until there are at least a random
/// number of them up to `limit`: scalar starts at every place in an eight-byte word.
private func randomRuns(
    of alphabets: [[Unicode.Scalar]], upTo limit: Int, using generator: inout SystemRandomNumberGenerator
) -> [Unicode.Scalar] {
    var scalars: [Unicode.Scalar] = []
    while scalars.count < Int.random(in: 0...limit, using: &generator) {
        let alphabet = alphabets[Int.random(in: alphabets.indices, using: &generator)]
        for _ in 0..<Int.random(in: 1...20, using: &generator) {
            scalars.append(alphabet[Int.random(in: alphabet.indices, using: &generator)])
        }
    }
    return scalars
}
