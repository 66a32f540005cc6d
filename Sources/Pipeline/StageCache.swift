import Corpus
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Per-document stage results on disk, under `out/<study>/.cache/documents/`: each document's
/// record (keyed by its ingest key) in three parts read and written independently: the document
/// and its analyses, its words (turn and token counts, distinct forms), its suggestions. Each
/// part holds one section per stage, each with the key it was computed under. A part is read
/// only when one of its sections is asked for: a lexicon edit reads a document's words, not its
/// text (reading every record whole was a third of such a run). A part is written only when one
/// of its sections changed: a lexicon edit that matches a document again rewrites its
/// suggestions, not its text and analyses (rewriting them was 15 MB of a 100 MB corpus's edit).
///
/// Parts go into pack files, one per run that writes any, found through an index (`index.bin`,
/// where each part lies and its checksum) written when the run ends: a file per document cost a
/// tenth of a cold run at 100 MB (creating 2,000 files right after the previous run's were
/// deleted makes this machine's journal-less ext4 scan past every recently freed inode). A pack
/// is never changed once written, and the index is replaced whole, so a killed run leaves the
/// previous index and its packs as they were. A part whose checksum does not match, that is not
/// this document's, or that does not decode to its end, or a section under another key, is
/// treated as missing and recomputed, never trusted. Records of documents not in a run are
/// dropped; packs no part lives in are deleted, and packs mostly dead are copied into the run's
/// pack.
public final class StageCache: @unchecked Sendable {
    public let folder: String
    private let lock = NSLock()
    /// The documents (ingest keys) of this run.
    private var used: Set<String> = []
    private static let tag = "tmine-cache-part-\(BinaryWriter.formatVersion)"
    private static let indexTag = "tmine-cache-index-parts-\(BinaryWriter.formatVersion)"
    private static let legacyStages = ["ingest", "tokenize", "kwic", "frequencies", "suggest"]

    /// Where one part of a document's record lies: a pack (by name), a byte range of it, and the
    /// checksum of those bytes.
    struct Location: Sendable, Equatable {
        var pack: String
        var range: Range<Int64>
        var checksum: UInt64
    }

    /// Where each part of a record lies, in ``Part`` order.
    typealias Record = [Location]

    /// The index as the run found it (read when first needed) and the records this run wrote.
    private var found: [String: Record]?
    /// The index being read ahead of its first use (``readIndexAhead()``).
    private var ahead: Deferred<[String: Record]>?
    private var written: [String: Record] = [:]
    /// This run's pack, created by the first record written, and its length so far.
    private var pack: (name: String, descriptor: Int32)?
    private var packLength: Int64 = 0
    /// Blocks allocated ahead of the pack's records; cut off when the run finishes.
    private var packBlocks = AtomicFile.BlockReservation()
    /// Packs opened for reading, by name.
    private var readers: [String: Int32] = [:]

    public init(folder: String) {
        self.folder = folder
    }

    deinit {
        writeback.sync {}
        cutPackBlocksHoldingLock()
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
        /// The parts one of whose sections was set.
        fileprivate var changed: Set<Part> = []

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
            changed.insert(Part(stage: stage))
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

    /// The parts as stored, each as its pieces: tag, key and part number (so that bytes of
    /// another document or part are never taken for it), then its sections, each after its
    /// stage, key and length. The sections' bytes are pieces as they are: joining them into one
    /// array copied every record once more (half a per cent of a cold run).
    static func layout(key: String, parts: [Part], sections: Sections) -> [[ArraySlice<UInt8>]] {
        /// A range of the framing (tag, key, part, each section's stage, key and length), or a
        /// section's bytes.
        enum Piece {
            case framing(Range<Int>)
            case section(ArraySlice<UInt8>)
        }
        var framing = BinaryWriter(capacity: parts.count * (64 + 2 * key.utf8.count))
        var laid: [[Piece]] = []
        for part in parts {
            let own = sections.filter { Part(stage: $0.key) == part }
            var start = framing.count
            framing.write(tag)
            framing.write(key)
            framing.writeVarint(UInt64(part.rawValue))
            framing.writeVarint(UInt64(own.count))
            var pieces: [Piece] = []
            for (stage, section) in own {
                framing.write(stage)
                framing.write(section.key)
                framing.writeVarint(UInt64(section.bytes.count))
                pieces += [.framing(start..<framing.count), .section(section.bytes)]
                start = framing.count
            }
            pieces.append(.framing(start..<framing.count))
            laid.append(pieces)
        }
        let bytes = framing.bytes
        return laid.map { pieces in
            pieces.compactMap { piece in
                switch piece {
                case .framing(let range): range.isEmpty ? nil : bytes[range]
                case .section(let section): section.isEmpty ? nil : section
                }
            }
        }
    }

    /// Where the document's record is: written by this run, or as the index the run found says.
    func record(of key: String) -> Record? {
        lock.withLock { written[key] ?? foundHoldingLock()[key] }
    }

    /// The documents (ingest keys) the index names, sorted.
    var indexedKeys: [String] {
        lock.withLock { foundHoldingLock().keys.sorted() }
    }

    /// The index as the run found it, read the first time it is needed (empty when there is
    /// none or it cannot be read).
    private func foundHoldingLock() -> [String: Record] {
        if let found { return found }
        let index = ahead?.value ?? Self.readIndex(at: indexPath) ?? [:]
        ahead = nil
        found = index
        return index
    }

    /// Starts reading the index on a thread of its own, while the run sets up: read by the first
    /// document that needed it, it held the lock the other workers waited for (4 ms of a
    /// lexicon edit at 100 MB, on one core).
    func readIndexAhead() {
        lock.withLock {
            guard found == nil, ahead == nil else { return }
            ahead = Deferred { [indexPath] in Self.readIndex(at: indexPath) ?? [:] }
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

    /// The sections of some parts of a document's record: nil when it has none; a part that is
    /// damaged, not this document's, does not decode, or holds another part's stages, adds none
    /// (it is missing).
    private func sections(of key: String, parts wanted: [Part]) -> Sections? {
        guard let record = record(of: key) else { return nil }
        var sections: Sections = [:]
        for part in wanted {
            let location = record[part.rawValue]
            guard let descriptor = reader(of: location.pack),
                let bytes = AtomicFile.read(descriptor, range: location.range),
                Checksum.of(bytes[...]) == location.checksum
            else { continue }
            var reader = BinaryReader(bytes)
            do throws(BinaryReader.Error) {
                guard try reader.read(String.self) == Self.tag, try reader.read(String.self) == key,
                    try reader.readVarint() == UInt64(part.rawValue)
                else { continue }
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

    /// Writes the parts of a bundle that changed (read first, when they were not) into this run's
    /// pack; a record not in the index, or of a run that ignored the cache, is written whole. A
    /// failure to write only costs the next run some time, so it is not fatal.
    public func store(_ bundle: Bundle) {
        guard !bundle.changed.isEmpty else { return }
        var bundle = bundle
        let previous = bundle.cache == nil ? nil : record(of: bundle.key)
        let parts = previous == nil ? Part.allCases : Part.allCases.filter { bundle.changed.contains($0) }
        bundle.load(parts)
        let laid = Self.layout(key: bundle.key, parts: parts, sections: bundle.sections)
        let lengths = laid.map { pieces in pieces.reduce(0) { $0 + Int64($1.count) } }
        // The parts' place is taken under the lock; their pieces are written outside it, in one
        // call, straight to the file.
        guard let (pack, start) = reserve(lengths.reduce(0, +)),
            AtomicFile.write(Array(laid.joined()), to: pack.descriptor, at: start) == nil
        else { return }
        var record = previous ?? []
        var offset = start
        for (part, (pieces, length)) in zip(parts, zip(laid, lengths)) {
            var checksum: UInt64 = 0
            for piece in pieces { checksum = piece.withUnsafeBytes { Checksum.continuing(checksum, with: $0) } }
            let location = Location(pack: pack.name, range: offset..<offset + length, checksum: checksum)
            if previous == nil { record.append(location) } else { record[part.rawValue] = location }
            offset += length
        }
        let flush: Range<Int64>? = lock.withLock {
            written[bundle.key] = record
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
        packBlocks.cover(pack.descriptor, through: packLength + length)
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
            cutPackBlocksHoldingLock()
            if index != before || !FileManager.default.fileExists(atPath: indexPath) {
                guard Self.writeIndex(index, at: indexPath) else { return }
            }
            let live = Set(index.values.flatMap { $0.map(\.pack) })
            for name in AtomicFile.names(in: documents) ?? []
            where name != "index.bin" && !live.contains(name) && !name.hasPrefix(".") {
                AtomicFile.remove((documents as NSString).appendingPathComponent(name))
            }
            // Looked for first: removing what is not there made FileManager build an error each.
            for stage in Self.legacyStages where access("\(folder)/\(stage)", F_OK) == 0 {
                try? FileManager.default.removeItem(atPath: "\(folder)/\(stage)")
            }
        }
    }

    /// Cuts off the blocks allocated past the pack's records (its length is theirs: a record
    /// still being written lies below it). With the lock held, or from `deinit`.
    private func cutPackBlocksHoldingLock() {
        guard let pack, packBlocks.end > packLength else { return }
        _ = ftruncate(pack.descriptor, off_t(packLength))
        packBlocks = AtomicFile.BlockReservation(end: packLength)
    }

    /// Packs of earlier runs that are mostly dead (less than half their bytes in parts still
    /// named) have their live parts copied into this run's pack, so that edits do not leave a
    /// study's cache growing without bound. Called with the lock held.
    private func compact(_ index: inout [String: Record]) {
        var liveBytes: [String: Int64] = [:]
        for record in index.values {
            for location in record { liveBytes[location.pack, default: 0] += Int64(location.range.count) }
        }
        for (name, live) in liveBytes where name != pack?.name {
            var status = stat()
            guard let source = readerHoldingLock(of: name), fstat(source, &status) == 0,
                live * 2 < Int64(status.st_size)
            else { continue }
            for (key, record) in index {
                var moved = record
                for (part, location) in record.enumerated() where location.pack == name {
                    guard let bytes = AtomicFile.read(source, range: location.range),
                        let target = reserveHoldingLock(Int64(bytes.count)),
                        AtomicFile.write(bytes, to: target.pack.descriptor, at: target.start) == nil
                    else {
                        moved = []
                        break
                    }
                    moved[part].pack = target.pack.name
                    moved[part].range = target.start..<target.start + Int64(bytes.count)
                }
                index[key] = moved.isEmpty ? nil : moved
            }
        }
    }

    private static func readIndex(at path: String) -> [String: Record]? {
        guard var reader = CacheFile.reader(at: path, tag: indexTag, key: "") else { return nil }
        do throws(BinaryReader.Error) {
            let packs = try reader.read([String].self)
            // Only packs of this folder.
            guard packs.allSatisfy({ $0.hasPrefix("pack-") && !$0.contains("/") }) else { return nil }
            var index: [String: Record] = [:]
            for _ in 0..<(try reader.readCount()) {
                let key = try reader.read(String.self)
                var record: Record = []
                for _ in Part.allCases {
                    // Numbers a torn file may hold are refused, never trapped on.
                    guard let pack = Int(exactly: try reader.readVarint()), packs.indices.contains(pack),
                        let start = Int64(exactly: try reader.readVarint()),
                        let length = Int64(exactly: try reader.readVarint()), length <= Int64.max - start
                    else { return nil }
                    record.append(
                        Location(pack: packs[pack], range: start..<start + length, checksum: try reader.readFixed()))
                }
                index[key] = record
            }
            return reader.isAtEnd ? index : nil
        } catch {
            return nil
        }
    }

    private static func writeIndex(_ index: [String: Record], at path: String) -> Bool {
        let packs = Array(Set(index.values.flatMap { $0.map(\.pack) })).sorted()
        let numbers = Dictionary(uniqueKeysWithValues: packs.enumerated().map { ($1, $0) })
        return CacheFile.write(at: path, tag: indexTag, key: "", capacity: index.count * 160 + 1024) { writer in
            writer.write(packs)
            writer.writeVarint(UInt64(index.count))
            for (key, record) in index.sorted(by: { $0.key < $1.key }) {
                writer.write(key)
                for location in record {
                    writer.writeVarint(UInt64(numbers[location.pack] ?? 0))
                    writer.writeVarint(UInt64(location.range.lowerBound))
                    writer.writeVarint(UInt64(location.range.count))
                    writer.writeFixed(location.checksum)
                }
            }
        }
    }
}
