import Coding
import Corpus
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the last runs wrote and under which keys, kept in `.cache/manifest.json`, so that a run
/// keeps an output whose inputs are unchanged instead of rebuilding it.
///
/// An output's key chains the build of the tool, the pipeline file and every document's key for
/// that output; the file's size and modification time are recorded as written, so an output
/// that someone edited, deleted or that a killed run replaced is rebuilt, never trusted. So is one
/// written on an earlier boot of the machine and not known to have reached the disk (see
/// ``OutputFlush``).
struct RunManifest: Codable {
    struct Output: Codable, Equatable {
        var key: String
        var size: Int64
        var modified: Int64
        /// The boot of the machine it was written on, when it was renamed into place before it
        /// was forced to disk (nil once it is known to be on disk).
        var boot: String?
    }

    var outputs: [String: Output] = [:]
    /// Outputs recorded by the last run that cannot be trusted: written on an earlier boot and
    /// not known to have reached the disk, so perhaps damaged by a crash. Not saved.
    private(set) var untrusted: [String] = []
    /// Whether the last run's outputs were written on an earlier boot. Not saved.
    private var fromEarlierBoot = false
    /// The SHA-256 of `.cache/last-report.json`, the report of the last full run, which a run that
    /// finds nothing to do reuses. Kept in a file of its own, read only by the runs that need it:
    /// decoding it with the manifest (hundreds of kilobytes for a large batch) was a twentieth of
    /// a lexicon edit.
    var reportHash: String?
    /// The report to save as the last full run's, encoded as run-report.json was, and the file
    /// that holds those bytes already (run-report.json), which the saved copy links to.
    private var newReport: (bytes: Data, writtenAt: String)?

    private enum CodingKeys: String, CodingKey { case outputs, reportHash }

    /// Every file under `.cache/` that describes an output's bytes (where each document's part
    /// lies, which suggestions it holds): never read for an output that is not trusted.
    static func describing(_ output: String, in out: String) -> [String] {
        switch output {
        case "corpus.json", "kwic.json": [OutputLayout.path(of: output, in: out)]
        case "suggestions.json": [SuggestionLayout.path(in: out), SuggestionIndex.path(in: out)]
        default: []
        }
    }

    /// The caches describing bytes that may not have reached the disk before a restart, which a
    /// run deletes before anything could copy from them: those of the ``untrusted`` outputs, and
    /// the kept suggestions.json's layout whenever the outputs are from an earlier boot (the copy
    /// a run kept of an output it replaced is not known to have been flushed either).
    func distrustedCaches(in out: String) -> [String] {
        untrusted.flatMap { Self.describing($0, in: out) }
            + (fromEarlierBoot
                ? [SuggestionLayout.retiredPath(in: (out as NSString).appendingPathComponent(".cache"))] : [])
    }

    static func path(in out: String) -> String { (out as NSString).appendingPathComponent(".cache/manifest.json") }
    static func reportPath(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/last-report.json")
    }

    /// The manifest, without the outputs it cannot trust on this boot, which are listed in
    /// ``untrusted``.
    static func load(from out: String) -> RunManifest {
        guard let bytes = AtomicFile.contents(of: path(in: out)), var manifest = decoded(Data(bytes)) else {
            return RunManifest()
        }
        let earlier = manifest.outputs.filter { $0.value.boot != nil && $0.value.boot != OutputFlush.boot }
        guard !earlier.isEmpty else { return manifest }
        manifest.fromEarlierBoot = true
        let flushed = OutputFlush.flushed(in: out)
        for (name, output) in earlier.sorted(by: { $0.key < $1.key }) {
            if flushed.contains(OutputFlush.Stamp(name: name, size: output.size, modified: output.modified)) {
                manifest.outputs[name]?.boot = nil
            } else {
                manifest.outputs[name] = nil
                manifest.untrusted.append(name)
            }
        }
        return manifest
    }

    /// The manifest in `data`, read by ``JSONReader``: `JSONDecoder`'s first use in a process
    /// was 2 % of a lexicon edit's CPU (a 10 MB study's). What the reader does not take is left
    /// to `JSONDecoder`; nil when neither reads it.
    static func decoded(_ data: Data) -> RunManifest? {
        let read = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> RunManifest? in
            var reader = JSONReader(raw.bindMemory(to: UInt8.self))
            guard let manifest = try? RunManifest(reading: &reader), reader.isAtEnd else { return nil }
            return manifest
        }
        return read ?? (try? JSONDecoder().decode(RunManifest.self, from: data))
    }

    /// The report of the last full run, if its file is the one this manifest recorded.
    func lastReport(in out: String) -> RunReport? {
        guard let reportHash, let data = FileManager.default.contents(atPath: Self.reportPath(in: out)),
            ContentHash.of(data) == reportHash
        else { return nil }
        return try? JSONDecoder().decode(RunReport.self, from: data)
    }

    /// Records `report` (its bytes as encoded, and the file they were just written to) as the
    /// last full run's, saved with the manifest.
    mutating func setReport(_ report: Data, writtenAt file: String) {
        newReport = (report, file)
        reportHash = ContentHash.of(report)
    }

    /// Whether the output in the out folder is the one written under this key.
    func isCurrent(_ name: String, key: String, in out: String) -> Bool {
        guard let recorded = outputs[name], recorded.key == key,
            let now = CacheFile.stamp(of: (out as NSString).appendingPathComponent(name))
        else { return false }
        return now.size == recorded.size && now.modified == recorded.modified
    }

    /// Records the output `name` as just written under `key` (on this boot, not yet on disk,
    /// when ``OutputFlush/deferred``).
    mutating func record(_ name: String, key: String, in out: String) {
        outputs[name] = CacheFile.stamp(of: (out as NSString).appendingPathComponent(name)).map {
            Output(key: key, size: $0.size, modified: $0.modified, boot: OutputFlush.boot)
        }
    }

    /// Written last and not fsynced: a lost or torn manifest only makes the next run rebuild.
    /// The report first: a manifest never names a report that was not written.
    func save(in out: String) {
        let data = encoded()
        try? FileManager.default.createDirectory(
            atPath: (out as NSString).appendingPathComponent(".cache"), withIntermediateDirectories: true)
        if let newReport {
            // A link to run-report.json, not a second 78 KB written on a 10 MB study's edit: a
            // change made in place to either is caught by ``lastReport(in:)``'s hash.
            let path = Self.reportPath(in: out)
            guard
                AtomicFile.hardLink(newReport.writtenAt, to: path)
                    || (try? AtomicFile.write(newReport.bytes, to: path, durable: false)) != nil
            else { return }
        }
        try? AtomicFile.write(data, to: Self.path(in: out), durable: false)
        if OutputFlush.deferred { OutputFlush.prepare(in: out) }
    }

    /// The manifest's JSON, for ``decoded(_:)`` to read back, written by ``JSONWriter``: with
    /// run-report.json's, the last of `JSONEncoder` on an edit's main thread (whose first use in
    /// a process is ~0.3 ms).
    func encoded() -> Data {
        JSONWriter.data(capacity: 256 + outputs.count * 192) { writer in
            writer.object { writer in
                writer.key("outputs")
                writer.object { writer in
                    for (name, output) in outputs.sorted(by: { $0.key < $1.key }) {
                        writer.key(data: name)
                        writer.object { writer in
                            writer.field("boot", output.boot)
                            writer.field("key", output.key)
                            writer.field("modified", Int(output.modified))
                            writer.field("size", Int(output.size))
                        }
                    }
                }
                writer.field("reportHash", reportHash)
            }
        }
    }

    /// The running build of the tool: its version and its executable's size and time, so that
    /// results of another build (which may compute differently) are never reused.
    static let build: String = {
        var info = stat()
        guard stat("/proc/self/exe", &info) == 0 else { return PipelineRunner.version + " unknown build" }
        return "\(PipelineRunner.version) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }()
}

extension RunManifest: JSONReadable {
    init(reading reader: inout JSONReader) throws(JSONReader.Failure) {
        var outputs: [String: Output] = [:]
        var reportHash: String?
        try reader.object { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
            switch key {
            case "outputs":
                try reader.object { (reader: inout JSONReader, name: String) throws(JSONReader.Failure) in
                    outputs[name] = try Output(reading: &reader)
                }
            case "reportHash": reportHash = try reader.optionalString()
            default: try reader.skipValue()
            }
        }
        self.init()
        self.outputs = outputs
        self.reportHash = reportHash
    }
}

extension RunManifest.Output: JSONReadable {
    init(reading reader: inout JSONReader) throws(JSONReader.Failure) {
        var key: String?
        var size: Int?
        var modified: Int?
        var boot: String?
        try reader.object { (reader: inout JSONReader, field: String) throws(JSONReader.Failure) in
            switch field {
            case "key": key = try reader.string()
            case "size": size = try reader.int()
            case "modified": modified = try reader.int()
            case "boot": boot = try reader.optionalString()
            default: try reader.skipValue()
            }
        }
        self.init(
            key: try reader.required(key, "key"), size: Int64(try reader.required(size, "size")),
            modified: Int64(try reader.required(modified, "modified")), boot: boot)
    }
}
