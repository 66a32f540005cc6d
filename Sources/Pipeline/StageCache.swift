import Corpus
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Per-document stage results on disk, under `out/<study>/.cache/documents/`: each document's
/// record (keyed by its ingest key) in three parts read independently: the document and its
/// analyses, its words (turn and token counts, distinct forms), its suggestions. Each part holds
/// one section per stage, each with the key it was computed under, and has a CRC-32 in the
/// record's header. A part is read only when one of its sections is asked for: a lexicon edit
/// reads a document's words, not its text (reading every record whole was a third of such a run).
///
/// Records go into pack files, one per run that writes any, found through an index
/// (`index.bin`) written when the run ends: a file per document cost a tenth of a cold run at
/// 100 MB (creating 2,000 files right after the previous run's were deleted makes this machine's
/// journal-less ext4 scan past every recently freed inode). A pack is never changed once
/// written, and the index is replaced whole, so a killed run leaves the previous index and its
/// packs as they were. A record whose header does not decode, a part whose checksum does not
/// match or that does not decode to its end, or a section under another key, is treated as
/// missing and recomputed, never trusted. Records of documents
/// not in a run are dropped; packs no record lives in are deleted, and packs mostly dead are
/// copied into the run's pack.
public final class StageCache: @unchecked Sendable {
    public let folder: String
    private let lock = NSLock()
    /// The documents (ingest keys) of this run.
    private var used: Set<String> = []
    private static let tag = "tmine-cache-\(BinaryWriter.formatVersion)"
    private static let indexTag = "tmine-cache-index-\(BinaryWriter.formatVersion)"
    private static let legacyStages = ["ingest", "tokenize", "kwic", "frequencies", "suggest"]

    /// Where a document's record lies: a pack (by name) and a byte range of it.
    struct Location: Sendable, Equatable {
        var pack: String
        var range: Range<Int64>
    }

    /// The index as the run found it (read when first needed) and the records this run wrote.
    private var found: [String: Location]?
    private var written: [String: Location] = [:]
    /// This run's pack, created by the first record written, and its length so far.
    private var pack: (name: String, descriptor: Int32)?
    private var packLength: Int64 = 0
    /// Packs opened for reading, by name.
    private var readers: [String: Int32] = [:]

    public init(folder: String) {
        self.folder = folder
    }

    deinit {
        writeback.sync {}
        if let pack { close(pack.descriptor) }
        for descriptor in readers.values { close(descriptor) }
    }

    /// The parts of a document's file, in file order.
    enum Part: Int, CaseIterable {
        case main, words, suggest

        /// Suggestions are a part of their own, so that a lexicon edit reads and decodes them
        /// only for documents it matches again; a document's words are another, which is all
        /// such an edit reads of the documents it does not.
        init(stage: String) {
            switch stage {
            case "suggest": self = .suggest
            case "tokenize", "forms": self = .words
            default: self = .main
            }
        }
    }

    typealias Sections = [String: (key: String, bytes: ArraySlice<UInt8>)]

    /// One document's cached sections; read with ``value(_:stage:key:)``, changed with
    /// ``set(_:stage:key:)``, written back with ``StageCache/store(_:)`` when changed.
    public struct Bundle: Sendable {
        public let key: String
        /// Where files are read from (nil when the cache is ignored).
        fileprivate let cache: StageCache?
        fileprivate var sections: Sections = [:]
        /// The parts read (or found missing) so far.
        fileprivate var loaded: Set<Part> = []
        fileprivate var changed = false

        /// Reads the parts not read yet among `parts`, the first time one of their sections is
        /// needed, through one open of the file.
        fileprivate mutating func load(_ parts: [Part]) {
            let wanted = parts.filter { !loaded.contains($0) }
            guard !wanted.isEmpty else { return }
            loaded.formUnion(wanted)
            guard let cache else { return }
            guard let found = cache.sections(of: key, parts: wanted) else {
                loaded = Set(Part.allCases)  // no file, or not a valid one
                return
            }
            // Sections set before their part was read are newer than the file's.
            sections.merge(found) { current, _ in current }
        }

        public mutating func value<Value: BinaryCodable>(_ type: Value.Type, stage: String, key: String) -> Value? {
            guard let bytes = bytes(stage: stage, key: key) else { return nil }
            var reader = BinaryReader(bytes)
            guard let value = try? reader.read(Value.self), reader.isAtEnd else { return nil }
            return value
        }

        /// A section's bytes, as ``BinaryWriter`` wrote its value (nil when not under this key).
        public mutating func bytes(stage: String, key: String) -> ArraySlice<UInt8>? {
            load([Part(stage: stage)])
            guard let section = sections[stage], section.key == key else { return nil }
            return section.bytes
        }

        /// Whether a section is cached under this key (without decoding it).
        public mutating func has(stage: String, key: String) -> Bool {
            load([Part(stage: stage)])
            return sections[stage]?.key == key
        }

        public mutating func set<Value: BinaryCodable>(_ value: Value, stage: String, key: String) {
            var writer = BinaryWriter(capacity: 4096)
            writer.write(value)
            sections[stage] = (key, writer.bytes[...])
            changed = true
        }
    }

    private var documents: String { "\(folder)/documents" }
    private var indexPath: String { "\(documents)/index.bin" }

    /// The document's cached sections, each part read when first needed (none when
    /// `ignoringCache`).
    public func bundle(key: String, ignoringCache: Bool = false) -> Bundle {
        lock.withLock { _ = used.insert(key) }
        return Bundle(key: key, cache: ignoringCache ? nil : self)
    }

    /// Where a record's parts lie: the header after tag and key holds each part's offset from the
    /// record's start, length and checksum (fixed-width, so it is written before the parts are
    /// placed).
    static func header(key: String, parts: [[UInt8]]) -> [UInt8] {
        var writer = BinaryWriter(capacity: 256)
        writer.write(tag)
        writer.write(key)
        var offset = writer.bytes.count + 24 * Part.allCases.count
        for part in parts {
            writer.writeFixed(UInt64(offset))
            writer.writeFixed(UInt64(part.count))
            writer.writeFixed(Checksum.of(part[...]))
            offset += part.count
        }
        return writer.bytes
    }

    /// Where the document's record is: written by this run, or as the index the run found says.
    func location(of key: String) -> Location? {
        lock.withLock { written[key] ?? foundHoldingLock()[key] }
    }

    /// The documents (ingest keys) the index names, sorted.
    var indexedKeys: [String] {
        lock.withLock { foundHoldingLock().keys.sorted() }
    }

    /// The index as the run found it, read the first time it is needed (empty when there is
    /// none or it cannot be read).
    private func foundHoldingLock() -> [String: Location] {
        if let found { return found }
        let index = Self.readIndex(at: indexPath) ?? [:]
        found = index
        return index
    }

    /// The byte range in its pack and the checksum of each part of the record at `location`;
    /// nil when the record header is not this format's, this key's or consistent with the
    /// record's length.
    func parts(of key: String, at location: Location, in descriptor: Int32)
        -> [(range: Range<Int64>, checksum: UInt64)]?
    {
        let headerLength = Int64(Self.header(key: key, parts: Part.allCases.map { _ in [] }).count)
        let base = location.range.lowerBound
        guard location.range.count >= headerLength,
            let head = AtomicFile.read(descriptor, range: base..<base + headerLength)
        else { return nil }
        var reader = BinaryReader(head)
        do throws(BinaryReader.Error) {
            guard try reader.read(String.self) == Self.tag, try reader.read(String.self) == key else { return nil }
            var parts: [(range: Range<Int64>, checksum: UInt64)] = []
            var expected = headerLength
            for _ in Part.allCases {
                let offset = Int64(bitPattern: try reader.readFixed())
                let length = Int64(bitPattern: try reader.readFixed())
                let checksum = try reader.readFixed()
                guard offset == expected, length >= 0, length <= Int64(location.range.count) - offset else {
                    return nil
                }
                parts.append((base + offset..<base + offset + length, checksum))
                expected = offset + length
            }
            return expected == Int64(location.range.count) ? parts : nil
        } catch {
            return nil
        }
    }

    /// A pack open for reading (nil when it cannot be opened).
    func reader(of pack: String) -> Int32? {
        lock.withLock { readerHoldingLock(of: pack) }
    }

    private func readerHoldingLock(of pack: String) -> Int32? {
        if let descriptor = readers[pack] { return descriptor }
        let descriptor = open("\(documents)/\(pack)", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        readers[pack] = descriptor
        return descriptor
    }

    /// The sections of some parts of a document's record: nil when it is missing or invalid; a
    /// part that is damaged, does not decode, or holds another part's stages, adds none (it is
    /// missing).
    private func sections(of key: String, parts wanted: [Part]) -> Sections? {
        guard let location = location(of: key), let descriptor = reader(of: location.pack),
            let parts = parts(of: key, at: location, in: descriptor)
        else { return nil }
        var sections: Sections = [:]
        for part in wanted {
            let (range, checksum) = parts[part.rawValue]
            guard let bytes = AtomicFile.read(descriptor, range: range), Checksum.of(bytes[...]) == checksum
            else { continue }
            var reader = BinaryReader(bytes)
            do throws(BinaryReader.Error) {
                var found: Sections = [:]
                for _ in 0..<(try reader.readCount()) {
                    let stage = try reader.read(String.self)
                    found[stage] = (try reader.read(String.self), try reader.readBytes())
                }
                guard reader.isAtEnd, found.keys.allSatisfy({ Part(stage: $0) == part }) else { continue }
                sections.merge(found) { first, _ in first }
            } catch {
                continue
            }
        }
        return sections
    }

    /// Writes a changed bundle's record whole (its parts not yet read are read first) into this
    /// run's pack; a failure to write only costs the next run some time, so it is not fatal.
    public func store(_ bundle: Bundle) {
        guard bundle.changed else { return }
        var bundle = bundle
        bundle.load(Part.allCases)
        let parts = Part.allCases.map { part -> [UInt8] in
            let sections = bundle.sections.filter { Part(stage: $0.key) == part }
            var writer = BinaryWriter(capacity: sections.values.reduce(16) { $0 + $1.bytes.count + 80 })
            writer.writeVarint(UInt64(sections.count))
            for (stage, section) in sections {
                writer.write(stage)
                writer.write(section.key)
                section.bytes.withUnsafeBytes { writer.writeBytes($0) }
            }
            return writer.bytes
        }
        let header = Self.header(key: bundle.key, parts: parts)
        let length = Int64(header.count + parts.reduce(0) { $0 + $1.count })
        // The record's place is taken under the lock; its bytes are written outside it (header
        // and parts straight to the file: joining them first copied every record twice).
        guard let (pack, start) = reserve(length) else { return }
        var offset = start
        for piece in [header] + parts {
            guard AtomicFile.write(piece, to: pack.descriptor, at: offset) == nil else { return }
            offset += Int64(piece.count)
        }
        let flush: Range<Int64>? = lock.withLock {
            written[bundle.key] = Location(pack: pack.name, range: start..<start + length)
            guard packLength - writtenBack >= AtomicFile.writebackStep else { return nil }
            defer { writtenBack = packLength }
            return writtenBack..<packLength
        }
        // Not flushed (a lost record is recomputed), but handed to the disk as the pack grows:
        // left to the kernel, half a gigabyte of it at 100 MB of transcripts was still being
        // written when the next run (a lexicon edit a moment later) flushed its outputs.
        // On a queue of its own: the call waits when the disk's queue is full, and the workers
        // that store records need not wait with it.
        if let flush {
            let descriptor = pack.descriptor
            writeback.async { AtomicFile.startWriteback(descriptor, range: flush) }
        }
    }

    private let writeback = DispatchQueue(label: "stage cache writeback", qos: .utility)

    /// Bytes of this run's pack handed to the disk so far, a step at a time.
    private var writtenBack: Int64 = 0

    /// `length` bytes of this run's pack (created the first time), and where they begin.
    private func reserve(_ length: Int64) -> (pack: (name: String, descriptor: Int32), start: Int64)? {
        lock.withLock { reserveHoldingLock(length) }
    }

    private func reserveHoldingLock(_ length: Int64) -> (pack: (name: String, descriptor: Int32), start: Int64)? {
        if pack == nil {
            try? FileManager.default.createDirectory(atPath: documents, withIntermediateDirectories: true)
            let name = "pack-\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).bin"
            let descriptor = open("\(documents)/\(name)", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { return nil }
            pack = (name, descriptor)
        }
        guard let pack else { return nil }
        defer { packLength += length }
        return (pack, packLength)
    }

    /// At the end of a run: writes the index of every record (this run's, and the earlier ones of
    /// documents not rewritten), then deletes what it no longer names. With `pruning`, records of
    /// documents not in this run are dropped (a run that skipped some documents keeps them).
    public func finish(pruning: Bool) {
        lock.withLock {
            let before = foundHoldingLock()
            var index = before
            if pruning { index = index.filter { used.contains($0.key) } }
            index.merge(written) { _, new in new }
            compact(&index)
            if index != before || !FileManager.default.fileExists(atPath: indexPath) {
                guard Self.writeIndex(index, at: indexPath) else { return }
            }
            let live = Set(index.values.map(\.pack))
            if let names = try? FileManager.default.contentsOfDirectory(atPath: documents) {
                for name in names where name != "index.bin" && !live.contains(name) {
                    try? FileManager.default.removeItem(atPath: "\(documents)/\(name)")
                }
            }
            for stage in Self.legacyStages {
                try? FileManager.default.removeItem(atPath: "\(folder)/\(stage)")
            }
        }
    }

    /// Packs of earlier runs that are mostly dead (less than half their bytes in records still
    /// named) have their live records copied into this run's pack, so that edits do not leave
    /// a study's cache growing without bound. Called with the lock held.
    private func compact(_ index: inout [String: Location]) {
        var liveBytes: [String: Int64] = [:]
        for location in index.values { liveBytes[location.pack, default: 0] += Int64(location.range.count) }
        for (name, live) in liveBytes where name != pack?.name {
            var status = stat()
            guard let source = readerHoldingLock(of: name), fstat(source, &status) == 0,
                live * 2 < Int64(status.st_size)
            else { continue }
            for (key, location) in index where location.pack == name {
                guard let bytes = AtomicFile.read(source, range: location.range) else {
                    index[key] = nil
                    continue
                }
                let target = reserveHoldingLock(Int64(bytes.count))
                guard let target, AtomicFile.write(bytes, to: target.pack.descriptor, at: target.start) == nil else {
                    index[key] = nil
                    continue
                }
                index[key] = Location(pack: target.pack.name, range: target.start..<target.start + Int64(bytes.count))
            }
        }
    }

    private static func readIndex(at path: String) -> [String: Location]? {
        guard var reader = CacheFile.reader(at: path, tag: indexTag, key: "") else { return nil }
        do throws(BinaryReader.Error) {
            let packs = try reader.read([String].self)
            // Only packs of this folder.
            guard packs.allSatisfy({ $0.hasPrefix("pack-") && !$0.contains("/") }) else { return nil }
            var index: [String: Location] = [:]
            for _ in 0..<(try reader.readCount()) {
                let key = try reader.read(String.self)
                // Numbers a torn file may hold are refused, never trapped on.
                guard let pack = Int(exactly: try reader.readVarint()), packs.indices.contains(pack),
                    let start = Int64(exactly: try reader.readVarint()),
                    let length = Int64(exactly: try reader.readVarint()), length <= Int64.max - start
                else { return nil }
                index[key] = Location(pack: packs[pack], range: start..<start + length)
            }
            return reader.isAtEnd ? index : nil
        } catch {
            return nil
        }
    }

    private static func writeIndex(_ index: [String: Location], at path: String) -> Bool {
        let packs = Array(Set(index.values.map(\.pack))).sorted()
        let numbers = Dictionary(uniqueKeysWithValues: packs.enumerated().map { ($1, $0) })
        return CacheFile.write(at: path, tag: indexTag, key: "", capacity: index.count * 96 + 1024) { writer in
            writer.write(packs)
            writer.writeVarint(UInt64(index.count))
            for (key, location) in index.sorted(by: { $0.key < $1.key }) {
                writer.write(key)
                writer.writeVarint(UInt64(numbers[location.pack] ?? 0))
                writer.writeVarint(UInt64(location.range.lowerBound))
                writer.writeVarint(UInt64(location.range.count))
            }
        }
    }
}
