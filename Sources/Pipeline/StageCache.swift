import Corpus
import Foundation

/// Per-document stage results on disk: one binary file per document under
/// `out/<study>/.cache/documents/`, named by the document's ingest key, in three parts read
/// independently: the document and its analyses, its words (turn and token counts, distinct
/// forms), its suggestions. Each part holds one section per stage, each with the key it was
/// computed under. A part is read only when one of its sections is asked for: a lexicon edit
/// reads a document's words, not its text (reading every file whole was a third of such a run).
///
/// One file per document, not one per stage or per part: creating files was a tenth of a cold
/// run, and on this machine's ext4 three files per document cost a second of a 100 MB run more
/// than one. A file whose header or a part that does not decode to its end, or a section under
/// another key, is treated as missing and recomputed, never trusted. Files of documents not in a
/// run are pruned.
public final class StageCache: @unchecked Sendable {
    public let folder: String
    private let lock = NSLock()
    /// The documents (ingest keys) of this run.
    private var used: Set<String> = []
    private static let tag = "tmine-cache-\(BinaryWriter.formatVersion)"
    private static let legacyStages = ["ingest", "tokenize", "kwic", "frequencies", "suggest"]

    public init(folder: String) {
        self.folder = folder
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

    func path(_ key: String) -> String { "\(documents)/\(key).bin" }

    /// The document's cached sections, each part read when first needed (none when
    /// `ignoringCache`).
    public func bundle(key: String, ignoringCache: Bool = false) -> Bundle {
        lock.withLock { _ = used.insert(key) }
        return Bundle(key: key, cache: ignoringCache ? nil : self)
    }

    /// Where each part of a document's file lies: the header after tag and key holds each part's
    /// offset and length (fixed-width, so it is written before the parts are placed).
    static func header(key: String, lengths: [Int]) -> [UInt8] {
        var writer = BinaryWriter(capacity: 256)
        writer.write(tag)
        writer.write(key)
        var offset = writer.bytes.count + 16 * Part.allCases.count
        for length in lengths {
            writer.writeFixed(UInt64(offset))
            writer.writeFixed(UInt64(length))
            offset += length
        }
        return writer.bytes
    }

    /// The byte range of each part of a document's file; nil when the file is missing or its
    /// header is not this format's, this key's or consistent with the file's size.
    func partRanges(of key: String, in descriptor: Int32) -> [Range<Int64>]? {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        let size = Int64(status.st_size)
        let headerLength = Self.header(key: key, lengths: [0, 0, 0]).count
        guard size >= headerLength, let head = AtomicFile.read(descriptor, range: 0..<Int64(headerLength)) else {
            return nil
        }
        var reader = BinaryReader(head)
        do throws(BinaryReader.Error) {
            guard try reader.read(String.self) == Self.tag, try reader.read(String.self) == key else { return nil }
            var ranges: [Range<Int64>] = []
            var expected = Int64(headerLength)
            for _ in Part.allCases {
                let offset = Int64(bitPattern: try reader.readFixed())
                let length = Int64(bitPattern: try reader.readFixed())
                guard offset == expected, length >= 0, offset + length <= size else { return nil }
                ranges.append(offset..<(offset + length))
                expected = offset + length
            }
            return expected == size ? ranges : nil
        } catch {
            return nil
        }
    }

    /// The sections of some parts of a document's file, read through one open: nil when the file
    /// is missing or invalid; a part that does not decode, or holds another part's stages, adds
    /// none (it is missing).
    private func sections(of key: String, parts: [Part]) -> Sections? {
        let descriptor = open(path(key), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard let ranges = partRanges(of: key, in: descriptor) else { return nil }
        var sections: Sections = [:]
        for part in parts {
            guard let bytes = AtomicFile.read(descriptor, range: ranges[part.rawValue]) else { continue }
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

    /// Writes a changed bundle's file whole (its parts not yet read are read first); a failure to
    /// write only costs the next run some time, so it is not fatal.
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
        // Header and parts straight to the file: joining them first copied every entry twice.
        try? FileManager.default.createDirectory(atPath: documents, withIntermediateDirectories: true)
        guard let file = try? AtomicFile.Writer(path: path(bundle.key), durable: false) else { return }
        file.append(Self.header(key: bundle.key, lengths: parts.map(\.count)))
        for part in parts { file.append(part) }
        try? file.commit()
    }

    /// Removes the files of documents not in this run (and any other file there, such as the
    /// per-part files of earlier versions), and caches of earlier versions.
    public func prune() {
        let keep = lock.withLock { Set(used.map { "\($0).bin" }) }
        if let names = try? FileManager.default.contentsOfDirectory(atPath: documents) {
            for name in names where !keep.contains(name) {
                try? FileManager.default.removeItem(atPath: "\(documents)/\(name)")
            }
        }
        for stage in Self.legacyStages {
            try? FileManager.default.removeItem(atPath: "\(folder)/\(stage)")
        }
    }
}
