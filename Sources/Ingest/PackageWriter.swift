import Foundation
import ZIPFoundation

/// Writes zip packages (a REFI-QDA `.qdpx`) with ZIPFoundation; ``ZipPackage`` reads them.
public enum PackageWriter {
    /// The zip of the given entries, in order, deflated.
    public static func zip(_ entries: [(path: String, data: Data)]) throws -> Data {
        let archive = try Archive(accessMode: .create)
        for (path, data) in entries {
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let data = archive.data else { throw CocoaError(.fileWriteUnknown) }
        return data
    }
}
