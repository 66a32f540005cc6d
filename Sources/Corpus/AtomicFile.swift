internal import CFileSystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where a streamed output's bytes go, a piece at a time.
public protocol ByteSink: AnyObject {
    func append(_ bytes: [UInt8])
    /// Appends bytes in memory the caller keeps (by default copied into an array first).
    func append(_ buffer: UnsafeRawBufferPointer)
}

extension ByteSink {
    public func append(_ buffer: UnsafeRawBufferPointer) { append([UInt8](buffer)) }
}

/// Writes files so that a reader, or a crash, sees the old file or the new one, never a mix:
/// the bytes go to a temporary file in the same folder, are flushed to disk, then renamed over.
public enum AtomicFile {
    /// Throws ``FileWriteError`` naming the file when any step fails (a full disk, say); the
    /// temporary file is removed and the previous file stays as it was.
    ///
    /// With `durable: false` the bytes are not forced to disk before the rename: the file is still
    /// never seen half-written by a running reader, but after a power cut it may be empty or
    /// short. Only for data that is checked on reading and can be recomputed (the stage cache).
    ///
    /// With `removingFirst` the file at `path` is deleted just before the new one takes its
    /// place, for a file that may be missing for a moment (a cache, recomputed when it is):
    /// renaming over an existing file makes ext4 hand the new file's bytes to the disk first
    /// (`auto_da_alloc`) while it holds the folder's lock, and behind a run's outputs in the
    /// disk's queue that took 0.16–0.22 s for each of two small caches at the end of a run.
    ///
    /// Any contiguous bytes, written from where they are: a cache's `[UInt8]` made into `Data`
    /// first was copied into fresh pages (the word index's 8 MB at 100 MB of transcripts: ~0.05 s
    /// of CPU at a cold run's end, most of it the kernel clearing pages).
    public static func write(
        _ bytes: some ContiguousBytes, to path: String, durable: Bool = true, removingFirst: Bool = false
    ) throws(FileWriteError) {
        let writer = try Writer(path: path, durable: durable)
        bytes.withUnsafeBytes { writer.append($0) }
        try writer.commit(removingFirst: removingFirst)
    }

    /// Puts the file at `source` also at `path` (a hard link, renamed into place, as a write
    /// without `durable` would be): a copy kept of bytes just written, without writing them
    /// again. False, and nothing changed at `path`, where the file system links no files (or
    /// `source` is gone): the caller writes the bytes instead. Whoever reads the copy checks
    /// it, since a change made in place to either name is seen at both.
    public static func hardLink(_ source: String, to path: String) -> Bool {
        let temporary = temporaryName(for: path)
        guard link(source, temporary) == 0 else { return false }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }

    /// A hidden name beside `path`, unique to this process and call, that a killed writer's
    /// leftovers are known by (``removeLeftovers(in:)``).
    fileprivate static func temporaryName(for path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        return (folder.isEmpty ? "." : folder) + "/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// A file written in pieces, appearing at its path only when complete (`commit`); abandoned
    /// (the temporary file removed) if never committed. One thread at a time writes it (it may
    /// be handed to another between pieces): hence `@unchecked`.
    public final class Writer: ByteSink, @unchecked Sendable {
        public let path: String
        private let temporary: String
        private let durable: Bool
        private var descriptor: Int32
        private var failed: String?
        /// Bytes appended so far.
        public private(set) var size: Int64 = 0
        /// Bytes handed to the disk so far (see ``startWriteback()``).
        private var writtenBack: Int64 = 0
        /// Whether the file is an old one taken for its blocks (see ``init(path:durable:recycling:)``),
        /// whose bytes past ours are cut off before it is flushed.
        private var recycled = false
        /// The recycled file as it was taken (before any byte was written), for ``skip(_:)``'s
        /// callers to tell whether it holds bytes they know.
        public private(set) var recycledFile: FileStamp?
        /// Whether bytes may lie past ours because ``reposition(to:)`` went back over them.
        private var repositioned = false
        /// Blocks allocated ahead of the bytes appended (see ``BlockReservation``).
        private var reservation = BlockReservation()

        /// A writer of the file at `path`. With `recycling`, the file at that path (an old output no
        /// one needs any more, about to be deleted) becomes the temporary file and is written over:
        /// blocks already allocated cost the kernel far less to write than new ones, and nothing is
        /// freed (copying 157 MB into a new file took 0.097 s, over an old one 0.060 s, and
        /// deleting the old one took 0.03–0.04 s more). Taken only when it is a regular file with
        /// no other name (never a live output), whether or not its pages are still in memory:
        /// appends are written in whole pages (see ``held``), so the kernel need not read a page
        /// first, except where bytes copied in or written at an offset leave one part-written
        /// (157 MB over an old file paged out: 0.16 s; into a new file while the old one is
        /// deleted: 0.37 s).
        public init(path: String, durable: Bool = true, recycling old: String? = nil) throws(FileWriteError) {
            self.path = path
            self.durable = durable
            temporary = AtomicFile.temporaryName(for: path)
            // Readable too: a writer's bytes can be copied into another (``append(contentsOf:range:)``).
            if let old, let taken = Self.take(old, as: temporary) {
                descriptor = taken.descriptor
                recycled = true
                recycledFile = taken.stamp
                reservation = BlockReservation(end: taken.stamp.size)
            } else {
                descriptor = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            }
            guard descriptor >= 0 else {
                throw failure(
                    path, "cannot create a temporary file beside it: " + AtomicFile.describe(writeError: errno))
            }
        }

        /// The file at `old`, open and renamed to `temporary`, and its size, when it may be
        /// written over.
        private static func take(_ old: String, as temporary: String) -> (descriptor: Int32, stamp: FileStamp)? {
            let descriptor = open(old, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
            var status = stat()
            guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_nlink == 1,
                rename(old, temporary) == 0
            else {
                close(descriptor)
                return nil
            }
            return (descriptor, FileStamp(status))
        }

        /// Moves past the next `count` bytes of the recycled file, which the caller knows to be
        /// the ones it would append (from ``recycledFile``'s identity and what it recorded of
        /// that file), without writing them: false, and nothing done, when the file is not a
        /// recycled one or ends before them.
        public func skip(_ count: Int64) -> Bool {
            guard let recycledFile, count >= 0, size + count <= recycledFile.size else { return false }
            writeHeld()
            guard failed == nil, descriptor >= 0 else { return false }
            if lseek(descriptor, off_t(count), SEEK_CUR) < 0 {
                failed = String(cString: strerror(errno))
                return false
            }
            size += count
            // Nothing of them to hand the disk: they are its already, or waiting in the file's pages.
            writtenBack = max(writtenBack, size)
            synced = false
            return true
        }

        /// Cuts off what lies past our bytes: a recycled file's old bytes, blocks reserved ahead.
        private func cutExcess() {
            writeHeld()
            guard recycled || repositioned || reservation.end > size, failed == nil else { return }
            if ftruncate(descriptor, off_t(size)) != 0 { failed = String(cString: strerror(errno)) }
        }

        /// Appended bytes not written yet, at the end of a recycled file: there each write ends
        /// on a page boundary, so that the next does not begin inside a page that the old bytes
        /// fill on disk but memory no longer holds, which the kernel would first read, the
        /// writer waiting (a 1 MB write at a time, at 100 MB of transcripts: 1.4 s of a cold
        /// run's merge threads blocked on a disk busy writing).
        private var held: [UInt8] = []
        private static let page = Int(getpagesize())

        /// Writes what ``held`` holds (before anything is written or read elsewhere in the file).
        private func writeHeld() {
            guard !held.isEmpty else { return }
            if failed == nil, descriptor >= 0 { failed = held.withUnsafeBytes { AtomicFile.write($0, to: descriptor) } }
            held.removeAll(keepingCapacity: true)
        }

        public func append(_ data: Data) {
            data.withUnsafeBytes { append($0) }
        }

        public func append(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { append($0) }
        }

        /// Appends bytes; a failure (a full disk) is kept and thrown by ``commit()``.
        public func append(_ buffer: UnsafeRawBufferPointer) {
            guard failed == nil, descriptor >= 0 else { return }
            synced = false
            reservation.cover(descriptor, through: size + Int64(buffer.count))
            guard recycled else {
                failed = AtomicFile.write(buffer, to: descriptor)
                size += Int64(buffer.count)
                startWriteback()
                return
            }
            // Written up to the last page boundary the bytes reach; the rest held for later.
            let page = Int64(Self.page)
            let before = size
            size += Int64(buffer.count)
            let boundary = size / page * page
            guard boundary > before else {
                held.append(contentsOf: buffer)
                return
            }
            var rest = buffer[...]
            if !held.isEmpty {
                // The held bytes and the new ones up to the first boundary after them (no later
                // than `boundary`), in one write.
                let fill = Int((before + page - 1) / page * page - before)
                held.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest.prefix(fill)))
                rest = rest.dropFirst(fill)
                writeHeld()
            }
            let whole = Int(boundary - (size - Int64(rest.count)))
            if whole > 0, failed == nil {
                failed = AtomicFile.write(UnsafeRawBufferPointer(rebasing: rest.prefix(whole)), to: descriptor)
                rest = rest.dropFirst(whole)
            }
            held.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest))
            startWriteback()
        }

        /// A durable file's bytes are handed to the disk every few megabytes as they are written,
        /// so that the flush before the rename finds little left to write: copying a 200 MB output
        /// and then flushing it took a third longer than copying it while the disk wrote it.
        private func startWriteback() {
            guard durable, size - writtenBack >= AtomicFile.writebackStep else { return }
            _ = cfilesystem_start_writeback(descriptor, writtenBack, size - writtenBack)
            writtenBack = size
        }

        private var synced = false

        /// Hands the disk what it has not been handed yet, without waiting: the file is complete,
        /// and the flush in ``commit()``, after other work, finds its bytes written or on their way.
        public func handOver() {
            writeHeld()
            guard durable, failed == nil, descriptor >= 0, size > writtenBack else { return }
            _ = cfilesystem_start_writeback(descriptor, writtenBack, size - writtenBack)
            writtenBack = size
        }

        /// Forces the bytes so far to disk now (on the thread that wrote them) rather than in
        /// ``commit()``: outputs committed one after another are flushed in parallel before.
        public func sync() {
            guard durable, failed == nil, descriptor >= 0, !synced else { return }
            cutExcess()
            guard failed == nil else { return }
            if fsync(descriptor) == 0 {
                synced = true
            } else {
                failed = String(cString: strerror(errno))
            }
        }

        /// Leaves the file's first `count` bytes to be written later (``write(_:at:)``), once they
        /// are known: what follows them is appended from here on. Only before anything is appended.
        public func reserve(_ count: Int64) {
            precondition(size == 0, "reserve before appending")
            guard failed == nil, descriptor >= 0, count > 0 else { return }
            if lseek(descriptor, off_t(count), SEEK_SET) < 0 {
                failed = String(cString: strerror(errno))
                return
            }
            size = count
            writtenBack = count
        }

        /// Appends from `offset` on, as if the file were that long: what was appended past it is
        /// written over or cut off at the end, and bytes not yet written before it are left for
        /// ``write(_:at:)`` (a speculative copy of a previous file going further than it should).
        public func reposition(to offset: Int64) {
            writeHeld()
            guard failed == nil, descriptor >= 0 else { return }
            precondition(offset >= 0, "a position in the file")
            if lseek(descriptor, off_t(offset), SEEK_SET) < 0 {
                failed = String(cString: strerror(errno))
                return
            }
            repositioned = true
            synced = false
            size = offset
            writtenBack = min(writtenBack, offset)
        }

        /// Writes `bytes` at `offset`, within what was reserved or appended before.
        public func write(_ bytes: [UInt8], at offset: Int64) {
            writeHeld()
            guard failed == nil, descriptor >= 0 else { return }
            precondition(offset >= 0 && offset + Int64(bytes.count) <= size, "write within the file")
            synced = false
            failed = AtomicFile.write(bytes, to: descriptor, at: offset)
        }

        /// Appends `range` of what `other` has written so far, copied by the kernel (a writer
        /// whose head turned out longer than it reserved is copied into one that fits it).
        public func append(contentsOf other: Writer, range: Range<Int64>) {
            other.writeHeld()
            if let reason = other.failed {
                failed = failed ?? reason
                return
            }
            append(from: other.descriptor, range: range)
        }

        /// Appends `range` of the file open as `source`, copied from page cache to page cache by
        /// the kernel (`sendfile`; the bytes never pass through a buffer of ours, nor are mapped:
        /// mapped pages would count as this process's memory), or read and written a piece at a
        /// time where the kernel cannot. Fails (and so will ``commit()``) when the file is shorter.
        public func append(from source: Int32, range: Range<Int64>) {
            guard failed == nil, descriptor >= 0 else { return }
            guard recycled else {
                copy(from: source, range: range)
                return
            }
            // Whole pages copied by the kernel; the bytes before the first page boundary and
            // after the last go through ``held`` (a lexicon edit copies a stretch of unchanged
            // suggestions between each pair of documents it renders again).
            let page = Int64(Self.page)
            let head = min(Int64(range.count), (page - size % page) % page)
            let middle = range.lowerBound + head..<range.upperBound - (Int64(range.count) - head) % page
            guard appendRead(from: source, range: range.lowerBound..<middle.lowerBound) else { return }
            copy(from: source, range: middle, inWholePages: true)
            _ = appendRead(from: source, range: middle.upperBound..<range.upperBound)
        }

        /// Appends `range` of `source` read through memory (less than a page); false when it
        /// cannot all be read.
        private func appendRead(from source: Int32, range: Range<Int64>) -> Bool {
            guard !range.isEmpty, failed == nil else { return failed == nil }
            guard let bytes = AtomicFile.read(source, range: range) else {
                failed = "the file to copy from is shorter than recorded"
                return false
            }
            append(bytes)
            return true
        }

        /// ``append(from:range:)``'s copy by the kernel, at the end of the bytes written so far.
        /// `inWholePages` (a recycled file, from a page boundary here, a whole number of pages)
        /// copies in pieces that each end on a page boundary here: see `cfilesystem_splice_pages`
        /// for why.
        private func copy(from source: Int32, range: Range<Int64>, inWholePages: Bool = false) {
            writeHeld()
            guard failed == nil, descriptor >= 0, !range.isEmpty else { return }
            var offset = off_t(range.lowerBound)
            while offset < off_t(range.upperBound), failed == nil {
                let step = min(off_t(range.upperBound) - offset, off_t(AtomicFile.writebackStep))
                // Copied into blocks already allocated, the pages cost the kernel less than when it
                // reserves a block for each (a lexicon edit's copy of 157 MB of unchanged
                // suggestions 7–12 % faster).
                reservation.cover(descriptor, through: size + Int64(step))
                // What was copied, and 0, errno, or -1 when the source ended first.
                var error: Int32 = 0
                let count: Int64
                if inWholePages {
                    count = cfilesystem_splice_pages(descriptor, source, Int64(offset), Int64(step), &error)
                    offset += off_t(count)
                } else {
                    let sent = sendfile(descriptor, source, &offset, Int(step))
                    count = Int64(max(sent, 0))
                    error = sent < 0 ? errno : sent == 0 ? -1 : 0
                }
                if count > 0 {
                    size += count
                    startWriteback()
                }
                if error == 0 || error == EINTR || error == EAGAIN { continue }
                guard [EINVAL, ENOSYS, EXDEV].contains(error) else {
                    failed =
                        error == -1
                        ? "the file to copy from is shorter than recorded" : String(cString: strerror(error))
                    return
                }
                // No kernel copy here: a piece at a time through a buffer.
                while offset < off_t(range.upperBound), failed == nil {
                    let end = min(off_t(range.upperBound), offset + (8 << 20))
                    guard let piece = AtomicFile.read(source, range: Int64(offset)..<Int64(end)) else {
                        failed = "the file to copy from is shorter than recorded"
                        return
                    }
                    append(piece)
                    offset = end
                }
            }
            synced = false
        }

        /// Flushes, closes and renames over the path (after deleting what is there, with
        /// `removingFirst`: see ``AtomicFile/write(_:to:durable:removingFirst:)``). Throws if any
        /// write failed (a full disk).
        public func commit(removingFirst: Bool = false) throws(FileWriteError) {
            if !synced, descriptor >= 0 { cutExcess() }
            checkLength()
            let synced = failed == nil && (!durable || self.synced || fsync(descriptor) == 0)
            let reason = failed ?? String(cString: strerror(errno))
            close(descriptor)
            descriptor = -1
            guard synced else {
                unlink(temporary)
                throw failure(path, "cannot write it (\(reason)); the previous version is unchanged")
            }
            let setAside = AtomicFile.setAside(path)
            if removingFirst { unlink(path) }
            guard rename(temporary, path) == 0 else {
                if let setAside { unlink(setAside) }
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw failure(path, "cannot replace it (\(reason)); the previous version is unchanged")
            }
            if durable {
                // The rename itself is durable once the folder is synced.
                let folder = (path as NSString).deletingLastPathComponent
                let folderDescriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY)
                if folderDescriptor >= 0 {
                    fsync(folderDescriptor)
                    close(folderDescriptor)
                }
            }
        }

        /// The file must hold exactly the bytes appended: one that does not (bytes lost between
        /// the writer and the file, or a reserved head never written) is not put in place. A
        /// test's report.html once came out 8,192 bytes short inside what was one append, never
        /// seen again; this tells, should it recur, whether the file or the bytes handed to it
        /// were short, and keeps a short output from replacing a good one.
        private func checkLength() {
            guard failed == nil, descriptor >= 0 else { return }
            var status = stat()
            guard fstat(descriptor, &status) == 0 else {
                failed = String(cString: strerror(errno))
                return
            }
            if Int64(status.st_size) != size {
                failed = "the file holds \(status.st_size) bytes where \(size) were written"
            }
        }

        private func failure(_ path: String, _ message: String) -> FileWriteError {
            FileWriteError(file: path, message: message)
        }

        deinit {
            if descriptor >= 0 {
                close(descriptor)
                unlink(temporary)
            }
        }
    }

    /// Writes all of `bytes` at `offset` of the file open as `descriptor` (positioned writes:
    /// threads may write disjoint ranges of one file at once); the reason when it cannot (a full
    /// disk). One piece of the pieces' writer below.
    public static func write(_ bytes: [UInt8], to descriptor: Int32, at offset: Int64) -> String? {
        write([bytes[...]], to: descriptor, at: offset)
    }

    /// Writes `pieces` one after another at `offset` of the file open as `descriptor`, up to
    /// 1,024 to a call (`pwritev`): a record made of pieces kept elsewhere is written without
    /// joining them first. The reason when it cannot, as ``write(_:to:at:)``.
    public static func write(_ pieces: [ArraySlice<UInt8>], to descriptor: Int32, at offset: Int64) -> String? {
        var buffers: [UnsafeRawBufferPointer] = []
        return withBuffers(of: pieces.filter { !$0.isEmpty }[...], &buffers) { buffers in
            var vectors = buffers.map {
                iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count)
            }
            var next = 0
            var position = offset
            while next < vectors.count {
                let count = vectors.withUnsafeBufferPointer { all in
                    pwritev(
                        descriptor, all.baseAddress.map { $0 + next }, Int32(min(all.count - next, maxVectors)),
                        off_t(position))
                }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else {
                    return count < 0 ? String(cString: strerror(errno)) : "nothing could be written"
                }
                position += Int64(count)
                // Past the vectors written whole, into the one written in part.
                var left = count
                while left > 0 {
                    if left >= vectors[next].iov_len {
                        left -= vectors[next].iov_len
                        next += 1
                    } else {
                        vectors[next].iov_base += left
                        vectors[next].iov_len -= left
                        left = 0
                    }
                }
            }
            return nil
        }
    }

    /// Linux's limit on the vectors of one call (`UIO_MAXIOV`).
    private static let maxVectors = 1024

    /// Calls `body` with the bytes of every piece in place, each piece's pointer valid for the
    /// call.
    private static func withBuffers<Result>(
        of pieces: ArraySlice<ArraySlice<UInt8>>, _ buffers: inout [UnsafeRawBufferPointer],
        _ body: ([UnsafeRawBufferPointer]) -> Result
    ) -> Result {
        guard let first = pieces.first else { return body(buffers) }
        return first.withUnsafeBytes { bytes in
            buffers.append(bytes)
            return withBuffers(of: pieces.dropFirst(), &buffers, body)
        }
    }

    /// How much of a growing file is handed to the disk (or copied by the kernel) at a time: big
    /// enough that the calls cost nothing, small enough that the disk writes while the file grows.
    public static let writebackStep: Int64 = 8 << 20

    /// What tells one file from another without reading it: its size, inode and modification
    /// time. Not its change time, which a hard link or a rename moves.
    public struct FileStamp: Sendable, Hashable {
        public var size: Int64
        public var inode: UInt64
        /// Nanoseconds since 1970.
        public var modified: Int64

        public init(size: Int64, inode: UInt64, modified: Int64) {
            (self.size, self.inode, self.modified) = (size, inode, modified)
        }

        public init(_ status: stat) {
            self.init(
                size: Int64(status.st_size), inode: UInt64(status.st_ino),
                modified: Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec))
        }

        /// The stamp of the file at `path`; nil when there is none.
        public init?(of path: String) {
            var status = stat()
            guard stat(path, &status) == 0 else { return nil }
            self.init(status)
        }
    }

    /// Disk blocks allocated a step ahead of a growing file's writes (`fallocate` keeping the
    /// size): ext4 then maps each page written to a block already there instead of reserving one
    /// per page (720 MB written into new files here: 1.0–1.6 s of system time, 0.55–0.63 s with
    /// the blocks allocated first). What is left past the file's end when it is complete is cut
    /// off (``end`` tells whether there is any).
    public struct BlockReservation: Sendable {
        /// Bytes from the file's start whose blocks are allocated.
        public private(set) var end: Int64
        /// Set once the file system refuses (or lacks) it: writing allocates as before.
        public private(set) var refused = false

        public init(end: Int64 = 0) { self.end = end }

        /// Smaller files are left to the kernel: their step of blocks would only be cut off.
        static let smallest: Int64 = 1 << 20

        /// Allocates blocks, a whole ``AtomicFile/writebackStep`` past `needed`, when the file is
        /// about to grow past those it has.
        public mutating func cover(_ descriptor: Int32, through needed: Int64) {
            guard needed > end, needed > Self.smallest, !refused else { return }
            let next = (needed / AtomicFile.writebackStep + 1) * AtomicFile.writebackStep
            // Where it fails part may be allocated all the same: counted, so that it is cut off.
            refused = cfilesystem_preallocate(descriptor, end, next - end) != 0
            end = next
        }
    }

    /// Asks the kernel to start writing `range` of the file open as `descriptor` to disk, without
    /// waiting for it: bytes written early in a run are then on disk before later writes, and
    /// later runs, queue behind them.
    public static func startWriteback(_ descriptor: Int32, range: Range<Int64>) {
        _ = cfilesystem_start_writeback(descriptor, range.lowerBound, Int64(range.count))
    }

    /// `range` of the file open as `descriptor`; nil when it cannot all be read.
    public static func read(_ descriptor: Int32, range: Range<Int64>) -> [UInt8]? {
        guard range.lowerBound >= 0, range.count <= Int.max else { return nil }
        var complete = true
        let buffer = [UInt8](unsafeUninitializedCapacity: Int(range.count)) { bytes, initialized in
            initialized = bytes.count
            guard let base = bytes.baseAddress else { return }
            let done = read(descriptor, at: range.lowerBound, into: UnsafeMutableRawBufferPointer(bytes))
            if done < bytes.count {
                // Never handed out: zeroed only so that every byte is initialised.
                (base + done).initialize(repeating: 0, count: bytes.count - done)
                complete = false
            }
        }
        return complete ? buffer : nil
    }

    /// Reads the file open as `descriptor` from `offset` into `buffer` until it is full or the
    /// file ends; how many bytes were read.
    public static func read(_ descriptor: Int32, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress, offset >= 0 else { return 0 }
        var done = 0
        while done < buffer.count {
            let count = pread(descriptor, base + done, buffer.count - done, off_t(offset) + off_t(done))
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            done += count
        }
        return done
    }

    /// A whole file's bytes, read straight into the array (no `Data` to copy from); nil when it
    /// cannot be read.
    public static func contents(of path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        return read(descriptor, range: 0..<Int64(status.st_size))
    }

    /// Why a file or folder could not be opened, from the `errno` of its `open` or `opendir`, in
    /// words a person can act on.
    public static func describe(openError code: Int32, folder: Bool = false) -> String {
        let what = folder ? "folder" : "file"
        return switch code {
        case EACCES, EPERM: "permission denied: this user may not read the \(what) (check its permissions)"
        case ENOENT: "no such \(what)"
        case ELOOP: "too many symbolic links (a loop) on the way to this \(what)"
        case EISDIR: "this is a folder, not a file"
        case ENOTDIR: folder ? "this is a file, not a folder" : "a part of the path is a file, not a folder"
        default: "cannot read the \(what) (\(String(cString: strerror(code))))"
        }
    }

    /// Why a file could not be made in a folder, from the `errno` of its `open`, in words a
    /// person can act on: an export or output path in a folder this user may not write, or
    /// one that is not there, said no more than that the file could not be made.
    public static func describe(writeError code: Int32) -> String {
        switch code {
        case EACCES, EPERM: "permission denied: this user may not write in the folder (check its permissions)"
        case ENOENT: "the folder does not exist"
        case ENOTDIR: "a part of the path is a file, not a folder"
        case ENOSPC, EDQUOT: "the disk is full"
        case EROFS: "the file system is read-only"
        default: String(cString: strerror(code))
        }
    }

    /// "cannot read the `what`" and, when opening `path` now says why, the reason: a study's
    /// pipeline, lexicon or participants file that cannot be read gets an error a person can act
    /// on (its permissions, a missing file) rather than the bare fact.
    public static func cannotRead(_ what: String, at path: String) -> String {
        let message = "cannot read the \(what)"
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            return message + ": " + describe(openError: EISDIR)
        }
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor < 0 else {
            close(descriptor)
            return message
        }
        return message + ": " + describe(openError: errno)
    }

    /// Writes all of `buffer`; the reason when it cannot (a full disk).
    package static func write(_ buffer: UnsafeRawBufferPointer, to descriptor: Int32) -> String? {
        guard let base = buffer.baseAddress else { return nil }
        var written = 0
        while written < buffer.count {
            let result = Glibc.write(descriptor, base + written, buffer.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            written += result
        }
        return nil
    }

    /// The names in a folder ("." and ".." left out), in the order the file system gives them;
    /// nil when it cannot be listed (as when it does not exist). Read with `readdir`:
    /// `FileManager.contentsOfDirectory` built an `NSError` for a folder a run looks for and
    /// seldom finds (a study without decisions), a tenth of a millisecond of every run.
    public static func names(in folder: String) -> [String]? {
        guard let directory = opendir(folder) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = entryName(entry)
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// Why a folder that is there cannot be listed now: nil when it can be, or when it is not
    /// there (a study without decisions yet). For the rare folder ``names(in:)`` gives nil for.
    public static func whyUnlistable(_ folder: String) -> String? {
        guard let directory = opendir(folder) else {
            let code = errno
            return code == ENOENT ? nil : describe(openError: code, folder: true)
        }
        closedir(directory)
        return nil
    }

    /// An entry's name, read in place: never by copying the whole `dirent` (whose 256-byte name
    /// field can run past the end of the buffer, an entry being only as long as its name).
    package static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
        return String(cString: UnsafeRawPointer(entry).advanced(by: nameOffset).assumingMemoryBound(to: CChar.self))
    }

    // MARK: Replaced files set aside

    /// Folders in which a file replaced by a commit is set aside (see ``setAsideReplacedFiles(in:)``).
    nonisolated(unsafe) private static var setAsideFolders: Set<String> = []
    private static let setAsideLock = NSLock()
    private static let setAsideSuffix = ".old"

    /// From now on, in this process, a file that a commit replaces in one of `folders` is not
    /// deleted by the commit: it is given a hidden name beside it first (a hard link, so that the
    /// rename that replaces it leaves it a name), for ``removeSetAside(in:)`` to delete later,
    /// from another process. Deleting the last name of a file with blocks took ~0.5 ms on this
    /// machine (ext4 mounted with `discard` hands each freed range to the disk and waits), four
    /// of them at the very end of every run, with the run's result already written. What a
    /// reader sees does not change: the file is replaced by the same rename. Names set aside and
    /// not yet deleted are leftovers too (``removeLeftovers(in:)``).
    public static func setAsideReplacedFiles(in folders: [String]) {
        let named = folders.map(folderName)
        setAsideLock.withLock { setAsideFolders.formUnion(named) }
    }

    /// A folder's path as commits compare it: as `deletingLastPathComponent` leaves a file's
    /// (no trailing or doubled slash; "." for none). Not `standardizingPath`, which may look at
    /// the file system for links.
    private static func folderName(_ folder: String) -> String {
        let name = (folder as NSString).appendingPathComponent("x")
        let parent = (name as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    /// The name `path`'s file was given before a commit replaces it, when its folder sets
    /// replaced files aside and there is a file there; nil otherwise.
    fileprivate static func setAside(_ path: String) -> String? {
        guard let aside = setAsideName(for: path) else { return nil }
        return link(path, aside) == 0 ? aside : nil
    }

    /// A name to set the file at `path` aside under, when its folder sets replaced files aside.
    private static func setAsideName(for path: String) -> String? {
        let folders = setAsideLock.withLock { setAsideFolders }
        guard !folders.isEmpty else { return nil }
        let parent = (path as NSString).deletingLastPathComponent
        let folder = parent.isEmpty ? "." : parent
        guard folders.contains(folder) else { return nil }
        let name = (path as NSString).lastPathComponent
        return folder + "/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))\(setAsideSuffix)"
    }

    /// Deletes the file at `path` (true when there was one); in a folder that sets replaced files
    /// aside, renames it to a name set aside instead, so that its blocks are freed later, by
    /// ``removeSetAside(in:)``, as a replaced file's are.
    @discardableResult
    public static func remove(_ path: String) -> Bool {
        if let aside = setAsideName(for: path) {
            if rename(path, aside) == 0 { return true }
            if errno == ENOENT { return false }
        }
        return unlink(path) == 0
    }

    /// Deletes the files set aside in `folder` (not its subfolders) by any process. Any moment
    /// will do: a name set aside is never read, and a commit whose old file loses it too early
    /// only deletes that file itself, as it would have without it.
    public static func removeSetAside(in folder: String) {
        for name in names(in: folder) ?? []
        where name.hasPrefix(".") && name.hasSuffix(setAsideSuffix) && name.contains(".tmp-") {
            unlink((folder as NSString).appendingPathComponent(name))
        }
    }

    /// Removes temporary files a killed writer left in a folder and its subfolders. Call it only
    /// while holding the folder's ``RunLock``, when no other writer can be at work.
    public static func removeLeftovers(in folder: String) {
        // Read with readdir and the entry types it gives: FileManager's walk stats every file,
        // and a study's cache holds two files per transcript.
        guard let directory = opendir(folder) else { return }
        defer { closedir(directory) }
        var folders: [String] = []
        // Fields read in place, as ``entryName(_:)`` reads the name.
        let typeOffset = MemoryLayout<dirent>.offset(of: \dirent.d_type) ?? 18
        while let entry = readdir(directory) {
            let name = entryName(entry)
            let type = UnsafeRawPointer(entry).load(fromByteOffset: typeOffset, as: UInt8.self)
            guard name != ".", name != ".." else { continue }
            let path = (folder as NSString).appendingPathComponent(name)
            var isFolder = Int32(type) == Int32(DT_DIR)
            if Int32(type) == Int32(DT_UNKNOWN) {
                // Some file systems leave the type to a stat (never following a link).
                var info = stat()
                isFolder = lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
            }
            if isFolder {
                folders.append(path)
            } else if name.hasPrefix("."), name.contains(".tmp-") {
                unlink(path)
            }
        }
        for path in folders { removeLeftovers(in: path) }
    }
}

/// A file that could not be written, and why; the previous version, if any, is unchanged.
public struct FileWriteError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var description: String { "\(file): error: \(message)" }
}
