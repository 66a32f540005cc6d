import Coding
import Corpus
import Foundation
import Ingest

#if canImport(Glibc)
    import Glibc
#endif

/// The content hash of every transcript of the last run, with the file's identity when it was
/// read (`.cache/transcripts.bin`): a file whose identity is unchanged is not read and hashed
/// again, which was most of a run that found nothing to do (100 MB of transcripts).
///
/// The identity is what git's index trusts: size, inode, modification time and change time
/// (nanoseconds). Tools that keep modification times (`cp -p`, `rsync -t`, `touch -d`) still
/// set the change time, which no user tool can set back, so an edited file is always read.
struct TranscriptHashes: Sendable {
    struct Identity: Sendable, Hashable, BinaryCodable {
        var size: Int64
        var inode: UInt64
        var modified: Int64
        var changed: Int64

        init?(of path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            self.init(info)
        }

        /// The identity of a file already open.
        init?(descriptor: Int32) {
            var info = stat()
            guard fstat(descriptor, &info) == 0 else { return nil }
            self.init(info)
        }

        private init(_ info: stat) {
            let file = AtomicFile.FileStamp(info)
            (size, inode, modified) = (file.size, file.inode, file.modified)
            changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        }

        /// The identity as a cache file's key: a layout stored under it describes this very file.
        var stamp: String { "\(size) \(inode) \(modified) \(changed)" }

        /// The identity a ``stamp`` was made of.
        init?(stamp: String) {
            let fields = stamp.split(separator: " ")
            guard fields.count == 4, let size = Int64(fields[0]), let inode = UInt64(fields[1]),
                let modified = Int64(fields[2]), let changed = Int64(fields[3])
            else { return nil }
            (self.size, self.inode, self.modified, self.changed) = (size, inode, modified, changed)
        }

        /// All but the change time, which linking or renaming the file moves.
        var file: AtomicFile.FileStamp { AtomicFile.FileStamp(size: size, inode: inode, modified: modified) }

        func write(to writer: inout BinaryWriter) {
            for value in [Int(size), Int(bitPattern: UInt(inode)), Int(modified), Int(changed)] { writer.write(value) }
        }

        init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
            size = Int64(try reader.read(Int.self))
            inode = UInt64(UInt(bitPattern: try reader.read(Int.self)))
            modified = Int64(try reader.read(Int.self))
            changed = Int64(try reader.read(Int.self))
        }
    }

    struct Entry: Sendable, Hashable, BinaryCodable {
        var identity: Identity
        var hash: String

        func write(to writer: inout BinaryWriter) {
            writer.write(identity)
            writer.write(hash)
        }

        init(identity: Identity, hash: String) {
            self.identity = identity
            self.hash = hash
        }

        init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
            identity = try reader.read()
            hash = try reader.read()
        }
    }

    private(set) var entries: [String: Entry]

    private static let tag = "tmine-transcripts-\(BinaryWriter.formatVersion)"

    private static func path(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/transcripts.bin")
    }

    static func load(from out: String) -> TranscriptHashes {
        TranscriptHashes(
            entries: CacheFile.read([String: Entry].self, at: path(in: out), tag: tag, key: "") ?? [:])
    }

    /// The content hashes of `files` (nil for a file that cannot be read), reading only those
    /// whose identity changed (every one unless `trusting`); the entries become this run's.
    mutating func hashes(of files: [String], trusting: Bool = true) -> [String?] {
        let known = trusting ? entries : [:]
        let found = ConcurrentSlots<Entry>(count: files.count)
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            // The identity is taken before reading: a file changed meanwhile is read again next time.
            guard let identity = Identity(of: files[index]) else { return }
            if let entry = known[files[index]], entry.identity == identity {
                found[index] = entry
            } else if let data = try? Ingestor.contents(of: files[index]) {
                found[index] = Entry(identity: identity, hash: ContentHash.of(data))
            }
        }
        var current: [String: Entry] = [:]
        for (file, entry) in zip(files, found.values) { current[file] = entry }
        entries = current
        return found.values.map { $0?.hash }
    }

    /// Keeps this run's entries for the next run (not fatal when it cannot).
    func save(in out: String, unless previous: TranscriptHashes) {
        guard entries != previous.entries else { return }
        CacheFile.write(at: Self.path(in: out), tag: Self.tag, key: "", capacity: entries.count * 128) {
            $0.write(entries)
        }
    }
}
