import Corpus
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A lock file that keeps two runs from writing one out folder at once.
///
/// Created by `link(2)`, which fails if it exists; it holds the owner's process id and start time. A lock whose process
/// is gone is stale and taken over.
public final class RunLock {
    public let path: String
    private var held = false

    /// Who holds a lock: enough for a person to decide what to do.
    public struct Holder: Codable, Sendable {
        public var pid: Int32
        public var host: String
        public var started: String
    }

    /// This machine's name, as `gethostname(2)` gives it (what `ProcessInfo.hostName` reads
    /// too): setting up `ProcessInfo` to ask it was ~0.12 ms of every run's start.
    static var hostName: String {
        var name = [CChar](repeating: 0, count: 256)
        return name.withUnsafeMutableBufferPointer { buffer in
            guard let start = buffer.baseAddress, gethostname(start, buffer.count - 1) == 0 else { return "" }
            return String(cString: start)
        }
    }

    public init(folder: String) {
        path = (folder as NSString).appendingPathComponent(".lock")
    }

    /// Takes the lock, waiting for it when `wait` is set. Throws ``PipelineError`` naming the holder.
    public func acquire(wait: Bool = false) throws(PipelineError) {
        // The holder is written to a private file first and hard-linked into place, so the lock
        // appears with its holder in one step: a run killed at any moment never leaves an empty lock.
        let holder = Holder(
            pid: getpid(), host: Self.hostName,
            started: isoTimestamp(Date()))
        let draft = path + ".tmp-\(getpid())"
        // Not forced to disk (Foundation's `Data.write` would: 1.5–5.5 ms a run here, more while
        // the disk writes a previous run's outputs): a lock matters only while its process lives,
        // and one a machine crash leaves behind, empty or whole, is taken over as stale below.
        // Written by `JSONWriter`: `JSONEncoder`, at its first use in a run, had the runtime look
        // up the holder's coding keys (~0.25 ms of every run's start).
        let bytes = [UInt8](
            JSONWriter.data(capacity: 128) { writer in
                writer.object { writer in
                    writer.field("host", holder.host)
                    writer.field("pid", Int(holder.pid))
                    writer.field("started", holder.started)
                }
            })
        let descriptor = open(draft, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let failure =
            descriptor < 0
            ? String(cString: strerror(errno)) : AtomicFile.write(bytes, to: descriptor, at: 0)
        if descriptor >= 0 { close(descriptor) }
        defer { unlink(draft) }
        if let failure {
            throw PipelineError(file: path, message: "cannot create the lock file (\(failure))")
        }
        while true {
            if link(draft, path) == 0 {
                held = true
                return
            }
            guard errno == EEXIST else {
                throw PipelineError(
                    file: path, message: "cannot create the lock file (\(String(cString: strerror(errno))))")
            }
            let holder = (try? Data(contentsOf: URL(fileURLWithPath: path))).flatMap {
                try? JSONDecoder().decode(Holder.self, from: $0)
            }
            if let holder, holder.host == Self.hostName, kill(holder.pid, 0) != 0, errno == ESRCH {
                unlink(path)  // stale: its process is gone
                continue
            }
            if holder == nil,
                let age = try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date,
                Date().timeIntervalSince(age) > 5
            {
                unlink(path)  // unreadable and old: a crash between create and write
                continue
            }
            if wait {
                usleep(200_000)
                continue
            }
            let who = holder.map { "process \($0.pid) on \($0.host), started \($0.started)" } ?? "another run"
            throw PipelineError(
                file: path, message: "the out folder is in use by \(who); wait for it to finish or run with --wait")
        }
    }

    public func release() {
        guard held else { return }
        unlink(path)
        held = false
    }

    deinit { release() }
}
