import Corpus
import Foundation

/// Per-document stage results on disk under `out/<study>/.cache/<stage>/`, one file per key.
///
/// An entry records its own key; an entry that does not decode, or holds another key, is
/// treated as missing and recomputed, never trusted. Entries not used by a run are pruned.
public final class StageCache: @unchecked Sendable {
    public let folder: String
    private let lock = NSLock()
    private var used: Set<String> = []

    public init(folder: String) {
        self.folder = folder
    }

    struct Entry<Value: Codable>: Codable {
        var key: String
        var value: Value
    }

    private func path(stage: String, key: String) -> String {
        "\(folder)/\(stage)/\(key).json"
    }

    /// The cached value of a stage for a key, or nil.
    public func value<Value: Codable>(_ type: Value.Type, stage: String, key: String) -> Value? {
        let file = path(stage: stage, key: key)
        guard let data = FileManager.default.contents(atPath: file),
            let entry = try? JSONDecoder().decode(Entry<Value>.self, from: data), entry.key == key
        else { return nil }
        lock.withLock { _ = used.insert(file) }
        return entry.value
    }

    /// Stores a value; a failure to write only costs the next run some time, so it is not fatal.
    public func store<Value: Codable>(_ value: Value, stage: String, key: String) {
        let file = path(stage: stage, key: key)
        try? FileManager.default.createDirectory(
            atPath: "\(folder)/\(stage)", withIntermediateDirectories: true)
        guard let data = try? JSONEncoder().encode(Entry(key: key, value: value)) else { return }
        // Not fsynced: an entry is checked on reading, and a torn one is simply recomputed.
        if (try? AtomicFile.write(data, to: file, durable: false)) != nil {
            lock.withLock { _ = used.insert(file) }
        }
    }

    /// Removes entries of the given stages that this run did not use.
    public func prune(stages: [String]) {
        let keep = lock.withLock { used }
        for stage in stages {
            let directory = "\(folder)/\(stage)"
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for name in names where !keep.contains("\(directory)/\(name)") {
                try? FileManager.default.removeItem(atPath: "\(directory)/\(name)")
            }
        }
    }
}
