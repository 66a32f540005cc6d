import Corpus
import Foundation

/// Per-document stage results on disk: one binary file per document under
/// `out/<study>/.cache/documents/`, named by the document's ingest key, holding one section per
/// stage, each with the key it was computed under.
///
/// One file per document, not per stage, because creating files was a tenth of a cold run. A
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
        public private(set) var changed = false

        public func value<Value: BinaryCodable>(_ type: Value.Type, stage: String, key: String) -> Value? {
            guard let section = sections[stage], section.key == key else { return nil }
            var reader = BinaryReader(section.bytes)
            guard let value = try? reader.read(Value.self), reader.isAtEnd else { return nil }
            return value
        }

        public mutating func set<Value: BinaryCodable>(_ value: Value, stage: String, key: String) {
            var writer = BinaryWriter(capacity: 4096)
            writer.write(value)
            sections[stage] = (key, writer.bytes[...])
            changed = true
        }
    }

    private var documents: String { "\(folder)/documents" }

    private func path(_ key: String) -> String { "\(documents)/\(key).bin" }

    /// The document's cached sections (none when there is no valid file, or `ignoringCache`).
    public func bundle(key: String, ignoringCache: Bool = false) -> Bundle {
        var bundle = Bundle(key: key)
        let file = path(key)
        guard !ignoringCache, let data = FileManager.default.contents(atPath: file) else { return bundle }
        var reader = BinaryReader([UInt8](data))
        do throws(BinaryReader.Error) {
            guard try reader.read(String.self) == Self.tag, try reader.read(String.self) == key else { return bundle }
            var sections: [String: (key: String, bytes: ArraySlice<UInt8>)] = [:]
            for _ in 0..<(try reader.readCount()) {
                let stage = try reader.read(String.self)
                sections[stage] = (try reader.read(String.self), try reader.readBytes())
            }
            guard reader.isAtEnd else { return bundle }
            bundle.sections = sections
        } catch {
            return bundle
        }
        lock.withLock { _ = used.insert(file) }
        return bundle
    }

    /// Writes a changed bundle; a failure to write only costs the next run some time, so it is
    /// not fatal.
    public func store(_ bundle: Bundle) {
        let file = path(bundle.key)
        guard bundle.changed else { return }
        try? FileManager.default.createDirectory(atPath: documents, withIntermediateDirectories: true)
        var writer = BinaryWriter(capacity: bundle.sections.values.reduce(64) { $0 + $1.bytes.count + 80 })
        writer.write(Self.tag)
        writer.write(bundle.key)
        writer.writeVarint(UInt64(bundle.sections.count))
        for (stage, section) in bundle.sections {
            writer.write(stage)
            writer.write(section.key)
            section.bytes.withUnsafeBytes { writer.writeBytes($0) }
        }
        // Not fsynced: a file is checked on reading, and a torn one is simply recomputed.
        if (try? AtomicFile.write(Data(writer.bytes), to: file, durable: false)) != nil {
            lock.withLock { _ = used.insert(file) }
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
