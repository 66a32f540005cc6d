import CZlib  // ZIPFoundation's module for the system zlib
import Foundation
import ZIPFoundation

/// Limits on what a zip package may inflate to, so a zip bomb fails fast and small.
public struct ZipLimits: Sendable, Hashable, Codable {
    /// The most bytes one entry may inflate to (default 256 MB).
    public var maximumEntrySize: UInt64
    /// The highest inflated-to-compressed ratio an entry may have (default 200; real Word XML
    /// stays well under 50).
    public var maximumCompressionRatio: UInt64

    public init(maximumEntrySize: UInt64 = 256 * 1024 * 1024, maximumCompressionRatio: UInt64 = 200) {
        self.maximumEntrySize = maximumEntrySize
        self.maximumCompressionRatio = maximumCompressionRatio
    }
}

/// A zip package (an OOXML `.docx`) opened in memory with ZIPFoundation; entries are inflated
/// into memory under ``ZipLimits``, never to disk.
struct ZipPackage {
    private let archive: Archive
    let file: String
    let limits: ZipLimits

    init(data: Data, file: String, limits: ZipLimits) throws {
        if let problem = Self.boundsProblem(data) {
            throw IngestError(
                .invalidZip, file: file, message: "the file is not a readable zip package (\(problem))",
                hint: "open it in Word or LibreOffice and save it again as .docx")
        }
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw IngestError(
                .invalidZip, file: file,
                message: "the file is not a readable zip package (truncated or damaged)",
                hint: "open it in Word or LibreOffice and save it again as .docx")
        }
        self.file = file
        self.limits = limits
    }

    func contains(_ path: String) -> Bool { archive[path] != nil }

    /// Checks that the zip directory and every entry it lists lie inside the bytes, before
    /// ZIPFoundation seeks to them: its in-memory reader traps on an offset past the end (found
    /// by fuzzing; regression fixture `fuzz-zip-offset-past-end.docx`). Returns what is wrong.
    static func boundsProblem(_ data: Data) -> String? {
        let bytes = [UInt8](data)
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        guard bytes.count >= 22 else { return "too short" }
        // The end-of-central-directory record: within the last 64 kB + 22 bytes.
        var end = -1
        var position = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65_535)
        while position >= lowest {
            if bytes[position] == 0x50 && bytes[position + 1] == 0x4B && bytes[position + 2] == 0x05
                && bytes[position + 3] == 0x06
            {
                end = position
                break
            }
            position -= 1
        }
        guard end >= 0 else { return "no zip directory" }
        let entries = u16(end + 10)
        let directorySize = u32(end + 12)
        let directoryOffset = u32(end + 16)
        if directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF || entries == 0xFFFF {
            return "a ZIP64 package, which Word documents never need"
        }
        guard directoryOffset + directorySize <= end else { return "the zip directory lies outside the file" }
        var cursor = directoryOffset
        for _ in 0..<entries {
            guard cursor + 46 <= end, u32(cursor) == 0x0201_4B50 else { return "a damaged zip directory" }
            let compressed = u32(cursor + 20)
            let nameLength = u16(cursor + 28)
            let extraLength = u16(cursor + 30)
            let commentLength = u16(cursor + 32)
            let local = u32(cursor + 42)
            guard compressed != 0xFFFF_FFFF, local != 0xFFFF_FFFF else { return "a ZIP64 entry" }
            guard local + 30 <= bytes.count, u32(local) == 0x0403_4B50 else { return "an entry outside the file" }
            let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
            guard dataStart + compressed <= bytes.count else { return "an entry that runs past the end of the file" }
            cursor += 46 + nameLength + extraLength + commentLength
        }
        return nil
    }

    /// The inflated bytes of one entry; throws if it is missing, too large or too compressed.
    func read(_ path: String) throws -> Data {
        guard let entry = archive[path] else {
            throw IngestError(.missingZipEntry, file: file, entry: path, message: "the package has no \(path)")
        }
        let declared = entry.uncompressedSize
        let compressed = max(entry.compressedSize, 1)
        if declared > limits.maximumEntrySize {
            throw IngestError(
                .zipLimitExceeded, file: file, entry: path,
                message: "entry inflates to \(declared) bytes, over the limit of \(limits.maximumEntrySize)",
                hint: "raise the zip size limit if the file is genuine")
        }
        if declared / compressed > limits.maximumCompressionRatio {
            throw IngestError(
                .zipLimitExceeded, file: file, entry: path,
                message: "entry compresses \(declared / compressed):1, over the limit of "
                    + "\(limits.maximumCompressionRatio):1 (a zip bomb?)")
        }
        // Declared sizes can lie: count what really comes out and stop at the limit.
        let cap = min(limits.maximumEntrySize, max(declared, 1) * 2 + 1_048_576)
        var data = Data()
        // One chunk for the usual entry: the chunk becomes the data, no copy into a second buffer.
        let chunkSize = Int(min(max(declared, 16 * 1024), 4 * 1024 * 1024))
        do {
            // ZIPFoundation's own checksum on Linux is a byte-at-a-time Swift table (its zlib
            // branch is never compiled there; it was 8 % of `tmine extract`) and `extract` with a
            // consumer returns it unchecked; zlib's `crc32` checks the inflated bytes instead.
            _ = try archive.extract(entry, bufferSize: chunkSize, skipCRC32: true) { chunk in
                if data.isEmpty { data = chunk } else { data.append(chunk) }
                if UInt64(data.count) > cap {
                    throw IngestError(
                        .zipLimitExceeded, file: file, entry: path,
                        message: "entry inflates past \(cap) bytes, more than it declares (a zip bomb?)")
                }
            }
        } catch let error as IngestError {
            throw error
        } catch {
            throw IngestError(
                .invalidZip, file: file, entry: path, message: "entry cannot be inflated: \(error)",
                hint: "the file is damaged; save it again from Word or LibreOffice")
        }
        let checksum = data.withUnsafeBytes { bytes in
            crc32_z(0, bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count)
        }
        if checksum != UInt(entry.checksum) {
            throw IngestError(
                .invalidZip, file: file, entry: path,
                message: "entry's checksum does not match its contents (the file is damaged)",
                hint: "save it again from Word or LibreOffice")
        }
        return data
    }
}
