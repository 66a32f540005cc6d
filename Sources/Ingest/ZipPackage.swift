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
        data.reserveCapacity(Int(min(declared, limits.maximumEntrySize)))
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                data.append(chunk)
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
        return data
    }
}
