internal import CLibDeflate
import Foundation

/// Writes zip packages (a REFI-QDA `.qdpx`, an Excel `.xlsx`) in memory, their entries in the
/// order they are handed over; ``ZipPackage`` reads them. ``addInBackground(_:_:)`` deflates an
/// entry on whichever core is free while the caller makes the next one, and holds at most
/// ``budget`` bytes handed over and not yet in the package (beyond one entry), so that a caller
/// faster than the deflating waits rather than holding the corpus.
///
/// Written by hand, not with ZIPFoundation, which wrote them until session 82: its archive
/// deflates each entry itself, through zlib a chunk at a time on the one thread that adds it,
/// and takes no entry deflated elsewhere, and zlib was two thirds of a `.qdpx` export's samples
/// at 100 MB. Here libdeflate deflates each entry whole (2.5× zlib's speed on transcripts at the
/// same level, 6, and a smaller package) on both cores; what is left by hand is the container:
/// each entry's header, the central directory, and the Zip64 records a package past 4 GB or
/// 65,535 entries needs (APPNOTE 6.3.10, sections 4.3 and 4.5.3).
public final class PackageWriter: @unchecked Sendable {
    /// An entry as deflated, waiting for its turn in the package.
    private struct Deflated {
        var path: String
        var bytes: Data
        var method: UInt16
        var checksum: UInt32
        var size: Int
    }

    /// What the central directory says of an entry written.
    private struct Record {
        var path: [UInt8]
        var method: UInt16
        var checksum: UInt32
        var compressedSize: UInt64
        var size: UInt64
        var offset: UInt64
    }

    /// Guards everything below, and wakes a caller waiting for room or for the last entry.
    private let lock = NSCondition()
    private var package = Data()
    private var records: [Record] = []
    /// Entries handed over, numbered in order; those deflated out of turn wait in `ready`.
    private var handedOver = 0
    private var ready: [Int: Deflated] = [:]
    /// Bytes handed over and not yet in the package.
    private var pending = 0
    private var finished: Data?
    /// Compressors not in use: one is some hundreds of kilobytes, made once per thread at most.
    private var compressors: [OpaquePointer] = []

    /// At most this many bytes handed over wait to be deflated and written.
    static let budget = 32 << 20
    /// libdeflate's level: zlib's default, which ZIPFoundation used.
    static let level: Int32 = 6
    /// A size or offset from this one up is written in a Zip64 field; an entry count from
    /// `entryLimit` up in the Zip64 end record. Lower in tests, to write Zip64 packages small.
    let zip64Threshold: UInt64
    let entryLimit: Int
    /// The entries' modification time and date, in MS-DOS form (local time, 2-second steps).
    private let time: UInt16
    private let date: UInt16

    public convenience init() { self.init(modified: Date()) }

    init(modified: Date, zip64Threshold: UInt64 = 0xFFFF_FFFF, entryLimit: Int = 0xFFFF) {
        self.zip64Threshold = zip64Threshold
        self.entryLimit = entryLimit
        let parts = Calendar.current.dateComponents([.year, .month, .day, .hour, .minute, .second], from: modified)
        let year = min(max((parts.year ?? 1980) - 1980, 0), 127)
        date = UInt16(year << 9 | (parts.month ?? 1) << 5 | (parts.day ?? 1))
        time = UInt16((parts.hour ?? 0) << 11 | (parts.minute ?? 0) << 5 | (parts.second ?? 0) / 2)
    }

    deinit {
        for compressor in compressors { libdeflate_free_compressor(compressor) }
    }

    /// Adds an entry after those handed over before, deflated unless `stored` (an OpenDocument
    /// package's `mimetype`, which readers look for uncompressed) or unless deflating would not
    /// make it smaller.
    public func add(_ path: String, _ data: Data, stored: Bool = false) {
        let turn = takeTurn(data.count)
        finish(turn, deflate(path, data, stored: stored))
    }

    /// ``add(_:_:stored:)`` on another thread, after the entries handed over before.
    public func addInBackground(_ path: String, _ data: Data) {
        let turn = takeTurn(data.count)
        DispatchQueue.global().async { [self] in finish(turn, deflate(path, data, stored: false)) }
    }

    /// The package's bytes, once every entry handed over is in; no entry may follow.
    public func data() -> Data {
        lock.withLock {
            while records.count < handedOver { lock.wait() }
            if let finished { return finished }
            appendDirectory()
            let whole = package
            finished = whole
            package = Data()
            return whole
        }
    }

    /// The zip of the given entries, in order, deflated.
    public static func zip(_ entries: [(path: String, data: Data)]) -> Data {
        let writer = PackageWriter()
        for (path, data) in entries { writer.addInBackground(path, data) }
        return writer.data()
    }

    /// The next entry's number, once there is room for its bytes.
    private func takeTurn(_ size: Int) -> Int {
        lock.withLock {
            precondition(finished == nil, "an entry handed over after the package was finished")
            while pending > 0, pending + size > Self.budget { lock.wait() }
            pending += size
            handedOver += 1
            return handedOver - 1
        }
    }

    /// Writes the entry deflated as `turn`, and every one after it that waited for it.
    private func finish(_ turn: Int, _ entry: Deflated) {
        lock.withLock {
            ready[turn] = entry
            while let next = ready.removeValue(forKey: records.count) {
                append(next)
                pending -= next.size
            }
            lock.broadcast()
        }
    }

    private func deflate(_ path: String, _ data: Data, stored: Bool) -> Deflated {
        data.withUnsafeBytes { input in
            let checksum = UInt32(libdeflate_crc32(0, input.baseAddress, input.count))
            let plain = Deflated(path: path, bytes: data, method: 0, checksum: checksum, size: data.count)
            guard !stored, !input.isEmpty, let compressor = borrowCompressor() else { return plain }
            defer { lock.withLock { compressors.append(compressor) } }
            let bound = libdeflate_deflate_compress_bound(compressor, input.count)
            var output = Data(count: bound)
            let size = output.withUnsafeMutableBytes { output in
                libdeflate_deflate_compress(compressor, input.baseAddress, input.count, output.baseAddress, bound)
            }
            // 0: it did not fit the bound (never, by libdeflate's word); stored, then.
            guard size > 0, size < input.count else { return plain }
            output.count = size
            return Deflated(path: path, bytes: output, method: 8, checksum: checksum, size: data.count)
        }
    }

    private func borrowCompressor() -> OpaquePointer? {
        if let compressor = lock.withLock({ compressors.popLast() }) { return compressor }
        return libdeflate_alloc_compressor(Self.level)
    }

    /// The entry's local header and bytes (called with the lock held).
    private func append(_ entry: Deflated) {
        let record = Record(
            path: Array(entry.path.utf8), method: entry.method, checksum: entry.checksum,
            compressedSize: UInt64(entry.bytes.count), size: UInt64(entry.size), offset: UInt64(package.count))
        let large = record.size >= zip64Threshold || record.compressedSize >= zip64Threshold
        var header = Data()
        header.appendLittleEndian(UInt32(0x0403_4b50))
        header.appendLittleEndian(UInt16(large ? 45 : 20))
        header.appendLittleEndian(Self.flags(record.path))
        header.appendLittleEndian(record.method)
        header.appendLittleEndian(time)
        header.appendLittleEndian(date)
        header.appendLittleEndian(record.checksum)
        header.appendLittleEndian(large ? UInt32.max : UInt32(record.compressedSize))
        header.appendLittleEndian(large ? UInt32.max : UInt32(record.size))
        header.appendLittleEndian(UInt16(record.path.count))
        header.appendLittleEndian(UInt16(large ? 20 : 0))
        header.append(contentsOf: record.path)
        if large {
            // The Zip64 extra field: both sizes, in this order, in the local header.
            header.appendLittleEndian(UInt16(1))
            header.appendLittleEndian(UInt16(16))
            header.appendLittleEndian(record.size)
            header.appendLittleEndian(record.compressedSize)
        }
        package.append(header)
        package.append(entry.bytes)
        records.append(record)
    }

    /// The central directory and its end records (called with the lock held).
    private func appendDirectory() {
        let start = UInt64(package.count)
        var directory = Data()
        for record in records {
            // In the Zip64 extra field, only the fields written as all ones, in this order.
            var extra: [UInt64] = []
            func field(_ value: UInt64) -> UInt32 {
                guard value >= zip64Threshold else { return UInt32(value) }
                extra.append(value)
                return .max
            }
            let size = field(record.size)
            let compressedSize = field(record.compressedSize)
            let offset = field(record.offset)
            let version = UInt16(extra.isEmpty ? 20 : 45)
            directory.appendLittleEndian(UInt32(0x0201_4b50))
            directory.appendLittleEndian(3 << 8 | version)  // made by Unix
            directory.appendLittleEndian(version)
            directory.appendLittleEndian(Self.flags(record.path))
            directory.appendLittleEndian(record.method)
            directory.appendLittleEndian(time)
            directory.appendLittleEndian(date)
            directory.appendLittleEndian(record.checksum)
            directory.appendLittleEndian(compressedSize)
            directory.appendLittleEndian(size)
            directory.appendLittleEndian(UInt16(record.path.count))
            directory.appendLittleEndian(UInt16(extra.isEmpty ? 0 : 4 + 8 * extra.count))
            directory.appendLittleEndian(UInt16(0))  // comment
            directory.appendLittleEndian(UInt16(0))  // disk
            directory.appendLittleEndian(UInt16(0))  // internal attributes
            directory.appendLittleEndian(UInt32(0o100644) << 16)  // a regular file, rw-r--r--
            directory.appendLittleEndian(offset)
            directory.append(contentsOf: record.path)
            if !extra.isEmpty {
                directory.appendLittleEndian(UInt16(1))
                directory.appendLittleEndian(UInt16(8 * extra.count))
                for value in extra { directory.appendLittleEndian(value) }
            }
        }
        package.append(directory)
        let size = UInt64(directory.count)
        let count = UInt64(records.count)
        var end = Data()
        if records.count >= entryLimit || start >= zip64Threshold || size >= zip64Threshold {
            let record = UInt64(package.count)
            end.appendLittleEndian(UInt32(0x0606_4b50))
            end.appendLittleEndian(UInt64(44))  // the record's size after this field
            end.appendLittleEndian(UInt16(3 << 8 | 45))
            end.appendLittleEndian(UInt16(45))
            end.appendLittleEndian(UInt32(0))  // this disk
            end.appendLittleEndian(UInt32(0))  // the directory's disk
            end.appendLittleEndian(count)
            end.appendLittleEndian(count)
            end.appendLittleEndian(size)
            end.appendLittleEndian(start)
            end.appendLittleEndian(UInt32(0x0706_4b50))  // the locator
            end.appendLittleEndian(UInt32(0))
            end.appendLittleEndian(record)
            end.appendLittleEndian(UInt32(1))  // disks
        }
        let entries = records.count >= entryLimit ? UInt16.max : UInt16(count)
        end.appendLittleEndian(UInt32(0x0605_4b50))
        end.appendLittleEndian(UInt16(0))
        end.appendLittleEndian(UInt16(0))
        end.appendLittleEndian(entries)
        end.appendLittleEndian(entries)
        end.appendLittleEndian(size >= zip64Threshold ? UInt32.max : UInt32(size))
        end.appendLittleEndian(start >= zip64Threshold ? UInt32.max : UInt32(start))
        end.appendLittleEndian(UInt16(0))  // comment
        package.append(end)
    }

    /// Bit 11, the name is UTF-8, for a name that is not ASCII.
    private static func flags(_ path: [UInt8]) -> UInt16 {
        path.allSatisfy { $0 < 0x80 } ? 0 : 1 << 11
    }
}

extension Data {
    fileprivate mutating func appendLittleEndian<Value: FixedWidthInteger>(_ value: Value) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
