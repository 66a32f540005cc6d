internal import CLibDeflate
import Foundation

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

/// A zip package (an OOXML `.docx`) read in memory: its directory walked and bounds-checked
/// here, each entry inflated by libdeflate in one call into a buffer of the size the directory
/// declares, under ``ZipLimits``, never to disk.
///
/// The directory is read by hand, not by ZIPFoundation (which the tests use to read back what
/// ``PackageWriter`` writes): its in-memory reader traps on an entry offset past the end (found
/// by fuzzing), so every entry had to be walked and checked here first anyway, and it inflates
/// through zlib a chunk at a time, 2.3× slower than libdeflate's whole-buffer inflate on Word
/// bodies (200 `document.xml`: 42.6 against 18.2 ms, a fifth of `tmine extract`'s work). A Word
/// part is always whole in memory, which is the case libdeflate is made for.
public struct ZipPackage {
    /// Where one entry's bytes lie and what they should inflate to, from the central directory.
    struct Entry {
        var dataStart: Int
        var compressedSize: Int
        var uncompressedSize: Int
        var checksum: UInt32
        var method: UInt16
        var isEncrypted: Bool
    }

    private let data: Data
    private let entries: [String: Entry]
    let file: String
    let limits: ZipLimits

    init(data: Data, file: String, limits: ZipLimits) throws {
        switch data.withUnsafeBytes({ Self.directory(UnsafeRawBufferPointer($0)) }) {
        case .success(let entries): self.entries = entries
        case .failure(let problem):
            throw IngestError(
                .invalidZip, file: file, message: "the file is not a readable zip package (\(problem.reason))",
                hint: "open it in Word or LibreOffice and save it again as .docx")
        }
        self.data = data
        self.file = file
        self.limits = limits
    }

    func contains(_ path: String) -> Bool { entries[path] != nil }

    /// One entry of the zip package in `data`, inflated under the default ``ZipLimits`` (an
    /// export telling its own earlier files by a part of them).
    public static func entry(_ path: String, of data: Data, file: String) throws -> Data {
        try ZipPackage(data: data, file: file, limits: ZipLimits()).read(path)
    }

    struct Problem: Error {
        var reason: String
    }

    /// The entries the central directory lists, by name (the first of a repeated name), each
    /// checked to lie inside the bytes; or what is wrong with the package.
    static func directory(_ bytes: UnsafeRawBufferPointer) -> Result<[String: Entry], Problem> {
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        guard bytes.count >= 22 else { return .failure(Problem(reason: "too short")) }
        // The end-of-central-directory record: within the last 64 kB + 22 bytes.
        var end = -1
        var position = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65_535)
        while position >= lowest {
            if u32(position) == 0x0605_4B50 {
                end = position
                break
            }
            position -= 1
        }
        guard end >= 0 else { return .failure(Problem(reason: "no zip directory")) }
        let count = u16(end + 10)
        let directorySize = u32(end + 12)
        let directoryOffset = u32(end + 16)
        if directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF || count == 0xFFFF {
            return .failure(Problem(reason: "a ZIP64 package, which Word documents never need"))
        }
        guard directoryOffset + directorySize <= end else {
            return .failure(Problem(reason: "the zip directory lies outside the file"))
        }
        var entries: [String: Entry] = [:]
        entries.reserveCapacity(count)
        var cursor = directoryOffset
        for _ in 0..<count {
            guard cursor + 46 <= end, u32(cursor) == 0x0201_4B50 else {
                return .failure(Problem(reason: "a damaged zip directory"))
            }
            let compressed = u32(cursor + 20)
            let uncompressed = u32(cursor + 24)
            let nameLength = u16(cursor + 28)
            let extraLength = u16(cursor + 30)
            let commentLength = u16(cursor + 32)
            let local = u32(cursor + 42)
            guard compressed != 0xFFFF_FFFF, uncompressed != 0xFFFF_FFFF, local != 0xFFFF_FFFF else {
                return .failure(Problem(reason: "a ZIP64 entry"))
            }
            guard cursor + 46 + nameLength <= end else { return .failure(Problem(reason: "a damaged zip directory")) }
            guard local + 30 <= bytes.count, u32(local) == 0x0403_4B50 else {
                return .failure(Problem(reason: "an entry outside the file"))
            }
            let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
            guard dataStart + compressed <= bytes.count else {
                return .failure(Problem(reason: "an entry that runs past the end of the file"))
            }
            // Names are UTF-8 (flag bit 11) or, by the zip format, CP437; Word writes ASCII part
            // names, which read the same either way.
            let name = String(
                decoding: UnsafeRawBufferPointer(rebasing: bytes[(cursor + 46)..<(cursor + 46 + nameLength)]),
                as: UTF8.self)
            if entries[name] == nil {
                entries[name] = Entry(
                    dataStart: dataStart, compressedSize: compressed, uncompressedSize: uncompressed,
                    checksum: UInt32(u32(cursor + 16)), method: UInt16(u16(cursor + 10)),
                    isEncrypted: u16(cursor + 8) & 1 != 0)
            }
            cursor += 46 + nameLength + extraLength + commentLength
        }
        return .success(entries)
    }

    /// The inflated bytes of one entry; throws if it is missing, too large or too compressed,
    /// inflates past the size it declares, or does not match its checksum.
    func read(_ path: String) throws -> Data {
        guard let entry = entries[path] else {
            throw IngestError(.missingZipEntry, file: file, entry: path, message: "the package has no \(path)")
        }
        func damaged(_ message: String) -> IngestError {
            IngestError(
                .invalidZip, file: file, entry: path, message: message,
                hint: "the file is damaged; save it again from Word or LibreOffice")
        }
        let declared = UInt64(entry.uncompressedSize)
        let compressed = UInt64(max(entry.compressedSize, 1))
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
        if entry.isEncrypted { throw damaged("entry is encrypted, which Word packages never are") }
        let source = entry.dataStart..<(entry.dataStart + entry.compressedSize)
        let output: Data
        switch entry.method {
        case 0:  // stored
            guard entry.compressedSize == entry.uncompressedSize else {
                throw damaged("stored entry's sizes disagree (\(entry.compressedSize) and \(entry.uncompressedSize))")
            }
            output = data.subdata(in: data.startIndex + source.lowerBound..<data.startIndex + source.upperBound)
        case 8:  // deflate
            output = try inflate(source, into: entry.uncompressedSize, path: path, damaged: damaged)
        default:
            throw damaged("entry is compressed with method \(entry.method); Word packages use deflate (8)")
        }
        let checksum = output.withUnsafeBytes { UInt32(libdeflate_crc32(0, $0.baseAddress, $0.count)) }
        if checksum != entry.checksum {
            throw damaged("entry's checksum does not match its contents (the file is damaged)")
        }
        return output
    }

    /// Inflates `source` into a buffer of the declared size: a stream that would write past it
    /// fails (declared sizes can lie, and the limits are checked against them).
    private func inflate(
        _ source: Range<Int>, into declared: Int, path: String, damaged: (String) -> IngestError
    ) throws -> Data {
        guard let decompressor = libdeflate_alloc_decompressor() else {
            throw IngestError(.zipLimitExceeded, file: file, entry: path, message: "out of memory inflating the entry")
        }
        defer { libdeflate_free_decompressor(decompressor) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(declared, 1), alignment: 16)
        var written = 0
        let result = data.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return LIBDEFLATE_BAD_DATA }
            return libdeflate_deflate_decompress(
                decompressor, base + source.lowerBound, source.count, buffer, declared, &written)
        }
        switch result {
        case LIBDEFLATE_SUCCESS:
            return Data(
                bytesNoCopy: buffer, count: written, deallocator: .custom { pointer, _ in pointer.deallocate() })
        case LIBDEFLATE_INSUFFICIENT_SPACE:
            buffer.deallocate()
            throw IngestError(
                .zipLimitExceeded, file: file, entry: path,
                message: "entry inflates past the \(declared) bytes it declares (a zip bomb?)")
        default:
            buffer.deallocate()
            throw damaged("entry cannot be inflated (its compressed data is damaged)")
        }
    }
}
