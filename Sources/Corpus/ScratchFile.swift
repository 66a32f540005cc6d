import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Bytes set aside on disk for the rest of a run, appended once and read back any number of
/// times from any thread: a frequency table of thousands of groups puts the groups no document
/// adds to any more here rather than in memory to the run's end.
///
/// The file is unlinked as soon as it is made, so nothing of it is left in the folder whatever
/// becomes of the run (the bytes are transcripts' words), and its space is freed when the last
/// reference to it goes.
public final class ScratchFile: @unchecked Sendable {
    private let descriptor: Int32
    private let lock = NSLock()
    private var size: Int64 = 0

    /// A new scratch file in `folder` (made if missing), or nil when none can be made there: the
    /// caller keeps its bytes in memory.
    public init?(in folder: String) {
        mkdir(folder, 0o755)
        var made: Int32 = -1
        for _ in 0..<8 {
            let name = ".scratch-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
            let path = (folder as NSString).appendingPathComponent(name)
            made = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if made >= 0 {
                unlink(path)
                break
            }
            guard errno == EEXIST else { return nil }
        }
        guard made >= 0 else { return nil }
        descriptor = made
    }

    deinit { close(descriptor) }

    /// Appends `bytes`; where they are, or nil when they cannot be written (a full disk).
    public func append(_ bytes: [UInt8]) -> Range<Int64>? {
        let start = lock.withLock {
            defer { size += Int64(bytes.count) }
            return size
        }
        guard AtomicFile.write(bytes, to: descriptor, at: start) == nil else { return nil }
        return start..<start + Int64(bytes.count)
    }

    /// Bytes appended before, or nil when they cannot be read back.
    public func read(_ range: Range<Int64>) -> [UInt8]? {
        AtomicFile.read(descriptor, range: range)
    }
}
