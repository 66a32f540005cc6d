import Foundation
import ZIPFoundation

/// Writes zip packages (a REFI-QDA `.qdpx`) with ZIPFoundation; ``ZipPackage`` reads them.
/// Entries are deflated as they are added, so a caller can hand over one document at a time
/// and let it go, and only the package is held.
public final class PackageWriter {
    private let archive: Archive

    public init() throws { archive = try Archive(accessMode: .create) }

    /// Adds an entry after those added before, deflated unless `stored` (an OpenDocument
    /// package's `mimetype`, which readers look for uncompressed).
    public func add(_ path: String, _ data: Data, stored: Bool = false) throws {
        try archive.addEntry(
            with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: stored ? .none : .deflate
        ) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
    }

    /// The package's bytes.
    public func data() throws -> Data {
        guard let data = archive.data else { throw CocoaError(.fileWriteUnknown) }
        return data
    }

    /// The zip of the given entries, in order, deflated.
    public static func zip(_ entries: [(path: String, data: Data)]) throws -> Data {
        let writer = try PackageWriter()
        for (path, data) in entries { try writer.add(path, data) }
        return try writer.data()
    }
}
