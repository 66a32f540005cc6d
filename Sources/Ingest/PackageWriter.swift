import Foundation
import ZIPFoundation

/// Writes zip packages (a REFI-QDA `.qdpx`) with ZIPFoundation; ``ZipPackage`` reads them.
/// Entries are deflated as they are added, so a caller can hand over one document at a time
/// and let it go, and only the package is held. ``addInBackground(_:_:)`` deflates on a thread
/// of the writer's own while the caller reads the next document: zlib was 43 % of a `.qdpx`
/// export's samples at 100 MB, on the one core that also read corpus.json and the codings.
public final class PackageWriter: @unchecked Sendable {
    /// Touched only on `queue` (ZIPFoundation's archive is not made for threads).
    private let archive: Archive
    private let queue = DispatchQueue(label: "TranscriptMiner.package")
    /// Bytes handed over and not yet deflated, at most ``budget`` (beyond one entry), so that a
    /// caller faster than zlib waits rather than holding the corpus.
    private let room = NSCondition()
    private var pending = 0
    private static let budget = 32 << 20
    /// The first error of an entry added in the background; later entries are not added.
    private var failure: (any Error)?

    public init() throws { archive = try Archive(accessMode: .create) }

    /// Adds an entry after those added before, deflated unless `stored` (an OpenDocument
    /// package's `mimetype`, which readers look for uncompressed).
    public func add(_ path: String, _ data: Data, stored: Bool = false) throws {
        try queue.sync {
            if let failure { throw failure }
            try write(path, data, stored: stored)
        }
    }

    /// ``add(_:_:stored:)`` on the writer's thread, after the entries handed over before; an
    /// error is thrown by the next ``add(_:_:stored:)`` or ``data()``.
    public func addInBackground(_ path: String, _ data: Data) {
        room.withLock {
            while pending > 0, pending + data.count > Self.budget { room.wait() }
            pending += data.count
        }
        queue.async { [self] in
            defer {
                room.withLock {
                    pending -= data.count
                    room.signal()
                }
            }
            guard failure == nil else { return }
            do { try write(path, data, stored: false) } catch { failure = error }
        }
    }

    private func write(_ path: String, _ data: Data, stored: Bool) throws {
        try archive.addEntry(
            with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: stored ? .none : .deflate
        ) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
    }

    /// The package's bytes, once every entry handed over is in.
    public func data() throws -> Data {
        try queue.sync {
            if let failure { throw failure }
            guard let data = archive.data else { throw CocoaError(.fileWriteUnknown) }
            return data
        }
    }

    /// The zip of the given entries, in order, deflated.
    public static func zip(_ entries: [(path: String, data: Data)]) throws -> Data {
        let writer = try PackageWriter()
        for (path, data) in entries { try writer.add(path, data) }
        return try writer.data()
    }
}
