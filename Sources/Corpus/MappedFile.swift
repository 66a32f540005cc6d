import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A file's bytes mapped read-only into memory, for large cache data used in place: read into a
/// buffer, each megabyte cost ~1 ms of this machine's time clearing fresh pages and copying
/// (the 12 MB of a 100 MB study's word and head filters: 10–24 ms read, ~1.5 ms mapped and
/// checked). Only for files replaced whole by renaming (``AtomicFile``), never written in place:
/// a mapped file cut short would fault on the bytes it lost.
public final class MappedFile: @unchecked Sendable {
    /// Valid while this object lives: handed out only inside ``withBytes(_:)``, which keeps it
    /// alive (a pointer taken from an object the caller no longer uses may outlive its mapping).
    private let bytes: UnsafeRawBufferPointer

    public var count: Int { bytes.count }

    /// `body` given the file's bytes, the mapping kept until it returns.
    public func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try withExtendedLifetime(self) { try body(bytes) }
    }

    /// The file at `path` mapped whole; nil when it cannot be opened or mapped.
    public init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        let count = Int(status.st_size)
        guard count > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, count, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED else {
            return nil
        }
        bytes = UnsafeRawBufferPointer(start: base, count: count)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
