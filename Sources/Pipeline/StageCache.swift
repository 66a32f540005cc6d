import Corpus
import Foundation

/// Per-document stage results on disk: binary files under `out/<study>/.cache/documents/`, named
/// by the document's ingest key, holding one section per stage, each with the key it was
/// computed under: one file for the document and its analyses, one for its suggestions.
///
/// Few files per document, not one per stage, because creating files was a tenth of a cold run. A
/// file that does not decode to its end, or a section under another key, is treated as missing
/// and recomputed, never trusted. Files not used by a run are pruned.
public final class StageCache: @unchecked Sendable {
    public let folder: String
    private let lock = NSLock()
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
        fileprivate var sections: [String: (key: String, bytes: ArraySlice<UInt8>)] = [:]
        /// The files (``StageCache/file(of:)``) whose sections changed.
        fileprivate var changedFiles: Set<String> = []

        public func value<Value: BinaryCodable>(_ type: Value.Type, stage: String, key: String) -> Value? {
            guard let section = sections[stage], section.key == key else { return nil }
            var reader = BinaryReader(section.bytes)
            guard let value = try? reader.read(Value.self), reader.isAtEnd else { return nil }
            return value
        }

        /// Whether a section is cached under this key (without decoding it).
        public func has(stage: String, key: String) -> Bool { sections[stage]?.key == key }

        public mutating func set<Value: BinaryCodable>(_ value: Value, stage: String, key: String) {
            var writer = BinaryWriter(capacity: 4096)
            writer.write(value)
            sections[stage] = (key, writer.bytes[...])
            changedFiles.insert(StageCache.file(of: stage))
        }
    }

    private var documents: String { "\(folder)/documents" }

    /// Suggestions live in a file of their own: a lexicon edit rewrites them, not the document
    /// and its other results (rewriting those was a third of a lexicon-edit run).
    fileprivate static func file(of stage: String) -> String { stage == "suggest" ? "suggest" : "main" }

    private func path(_ key: String, file: String) -> String {
        file == "main" ? "\(documents)/\(key).bin" : "\(documents)/\(key).\(file).bin"
    }

    /// The document's cached sections (none when there is no valid file, or `ignoringCache`).
    public func bundle(key: String, ignoringCache: Bool = false) -> Bundle {
        var bundle = Bundle(key: key)
        guard !ignoringCache else { return bundle }
        for file in ["main", "suggest"] {
            let path = path(key, file: file)
            guard var reader = CacheFile.reader(at: path, tag: Self.tag, key: key) else { continue }
            do throws(BinaryReader.Error) {
                var sections: [String: (key: String, bytes: ArraySlice<UInt8>)] = [:]
                for _ in 0..<(try reader.readCount()) {
                    let stage = try reader.read(String.self)
                    sections[stage] = (try reader.read(String.self), try reader.readBytes())
                }
                guard reader.isAtEnd, sections.keys.allSatisfy({ Self.file(of: $0) == file }) else { continue }
                bundle.sections.merge(sections) { _, new in new }
            } catch {
                continue
            }
            lock.withLock { _ = used.insert(path) }
        }
        return bundle
    }

    /// Writes the changed files of a bundle; a failure to write only costs the next run some
    /// time, so it is not fatal.
    public func store(_ bundle: Bundle) {
        for file in bundle.changedFiles {
            let sections = bundle.sections.filter { Self.file(of: $0.key) == file }
            let path = path(bundle.key, file: file)
            let written = CacheFile.write(
                at: path, tag: Self.tag, key: bundle.key,
                capacity: sections.values.reduce(64) { $0 + $1.bytes.count + 80 }
            ) { writer in
                writer.writeVarint(UInt64(sections.count))
                for (stage, section) in sections {
                    writer.write(stage)
                    writer.write(section.key)
                    section.bytes.withUnsafeBytes { writer.writeBytes($0) }
                }
            }
            if written { lock.withLock { _ = used.insert(path) } }
        }
    }

    /// Removes the documents' files this run did not use, and caches of earlier versions.
    public func prune() {
        let keep = lock.withLock { used }
        if let names = try? FileManager.default.contentsOfDirectory(atPath: documents) {
            for name in names where !keep.contains("\(documents)/\(name)") {
                try? FileManager.default.removeItem(atPath: "\(documents)/\(name)")
            }
        }
        for stage in Self.legacyStages {
            try? FileManager.default.removeItem(atPath: "\(folder)/\(stage)")
        }
    }
}
