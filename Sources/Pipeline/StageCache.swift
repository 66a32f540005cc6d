import Corpus
import Foundation

/// Per-document stage results on disk: binary files under `out/<study>/.cache/documents/`, named
/// by the document's ingest key, holding one section per stage, each with the key it was
/// computed under: one file for the document and its analyses, one for its words (its turn and
/// token counts and its distinct forms), one for its suggestions. A file is read
/// only when one of its sections is asked for: a lexicon edit reads a document's words, not its
/// text (reading every file of every document was a third of such a run).
///
/// Few files per document, not one per stage, because creating files was a tenth of a cold run. A
/// file that does not decode to its end, or a section under another key, is treated as missing
/// and recomputed, never trusted. Files of documents not in a run are pruned.
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

    /// One document's cached sections; read with ``value(_:stage:key:)``, changed with
    /// ``set(_:stage:key:)``, written back with ``StageCache/store(_:)`` when changed.
    public struct Bundle: Sendable {
        public let key: String
        /// Where files are read from (nil when the cache is ignored).
        fileprivate let cache: StageCache?
        fileprivate var sections: [String: (key: String, bytes: ArraySlice<UInt8>)] = [:]
        /// The files read (or found missing) so far.
        fileprivate var loaded: Set<String> = []
        /// The files (``StageCache/file(of:)``) whose sections changed.
        fileprivate var changedFiles: Set<String> = []

        /// Reads the file holding `stage`'s section, the first time one of its sections is needed.
        private mutating func load(_ stage: String) {
            let file = StageCache.file(of: stage)
            guard loaded.insert(file).inserted, let cache else { return }
            sections.merge(cache.sections(of: key, file: file)) { _, new in new }
        }

        public mutating func value<Value: BinaryCodable>(_ type: Value.Type, stage: String, key: String) -> Value? {
            guard let bytes = bytes(stage: stage, key: key) else { return nil }
            var reader = BinaryReader(bytes)
            guard let value = try? reader.read(Value.self), reader.isAtEnd else { return nil }
            return value
        }

        /// A section's bytes, as ``BinaryWriter`` wrote its value (nil when not under this key).
        public mutating func bytes(stage: String, key: String) -> ArraySlice<UInt8>? {
            load(stage)
            guard let section = sections[stage], section.key == key else { return nil }
            return section.bytes
        }

        /// Whether a section is cached under this key (without decoding it).
        public mutating func has(stage: String, key: String) -> Bool {
            load(stage)
            return sections[stage]?.key == key
        }

        public mutating func set<Value: BinaryCodable>(_ value: Value, stage: String, key: String) {
            // The file is written whole: its other sections must be in hand.
            load(stage)
            var writer = BinaryWriter(capacity: 4096)
            writer.write(value)
            sections[stage] = (key, writer.bytes[...])
            changedFiles.insert(StageCache.file(of: stage))
        }
    }

    private var documents: String { "\(folder)/documents" }

    /// Suggestions live in a file of their own: a lexicon edit rewrites them, not the document
    /// and its other results (rewriting those was a third of a lexicon-edit run); a document's
    /// words in another, which is all a lexicon edit reads of documents it does not match again.
    fileprivate static func file(of stage: String) -> String {
        switch stage {
        case "suggest": "suggest"
        case "tokenize", "forms": "words"
        default: "main"
        }
    }

    private func path(_ key: String, file: String) -> String {
        file == "main" ? "\(documents)/\(key).bin" : "\(documents)/\(key).\(file).bin"
    }

    /// The document's cached sections, each file read when first needed (none when
    /// `ignoringCache`).
    public func bundle(key: String, ignoringCache: Bool = false) -> Bundle {
        lock.withLock { _ = used.insert(key) }
        return Bundle(key: key, cache: ignoringCache ? nil : self)
    }

    /// The sections of one of a document's files (none when it is missing or invalid).
    private func sections(of key: String, file: String) -> [String: (key: String, bytes: ArraySlice<UInt8>)] {
        guard var reader = CacheFile.reader(at: path(key, file: file), tag: Self.tag, key: key) else { return [:] }
        do throws(BinaryReader.Error) {
            var sections: [String: (key: String, bytes: ArraySlice<UInt8>)] = [:]
            for _ in 0..<(try reader.readCount()) {
                let stage = try reader.read(String.self)
                sections[stage] = (try reader.read(String.self), try reader.readBytes())
            }
            guard reader.isAtEnd, sections.keys.allSatisfy({ Self.file(of: $0) == file }) else { return [:] }
            return sections
        } catch {
            return [:]
        }
    }

    /// Writes the changed files of a bundle; a failure to write only costs the next run some
    /// time, so it is not fatal.
    public func store(_ bundle: Bundle) {
        for file in bundle.changedFiles {
            let sections = bundle.sections.filter { Self.file(of: $0.key) == file }
            CacheFile.write(
                at: path(bundle.key, file: file), tag: Self.tag, key: bundle.key,
                capacity: sections.values.reduce(64) { $0 + $1.bytes.count + 80 }
            ) { writer in
                writer.writeVarint(UInt64(sections.count))
                for (stage, section) in sections {
                    writer.write(stage)
                    writer.write(section.key)
                    section.bytes.withUnsafeBytes { writer.writeBytes($0) }
                }
            }
        }
    }

    /// Removes the files of documents not in this run, and caches of earlier versions.
    public func prune() {
        let keep = lock.withLock { used }
        if let names = try? FileManager.default.contentsOfDirectory(atPath: documents) {
            for name in names where !keep.contains(String(name.prefix { $0 != "." })) {
                try? FileManager.default.removeItem(atPath: "\(documents)/\(name)")
            }
        }
        for stage in Self.legacyStages {
            try? FileManager.default.removeItem(atPath: "\(folder)/\(stage)")
        }
    }
}
