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
/// that someone edited, deleted or that a killed run replaced is rebuilt, never trusted.
struct RunManifest: Codable {
    struct Output: Codable, Equatable {
        var key: String
        var size: Int64
        var modified: Int64
    }

    var outputs: [String: Output] = [:]
    /// The SHA-256 of `.cache/last-report.json`, the report of the last full run, which a run that
    /// finds nothing to do reuses. Kept in a file of its own, read only by the runs that need it:
    /// decoding it with the manifest (hundreds of kilobytes for a large batch) was a twentieth of
    /// a lexicon edit.
    var reportHash: String?
    /// The report to save as the last full run's, encoded as run-report.json was.
    private var newReport: Data?

    private enum CodingKeys: String, CodingKey { case outputs, reportHash }

    static func path(in out: String) -> String { (out as NSString).appendingPathComponent(".cache/manifest.json") }
    static func reportPath(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/last-report.json")
    }

    static func load(from out: String) -> RunManifest {
        guard let data = FileManager.default.contents(atPath: path(in: out)),
            let manifest = try? JSONDecoder().decode(RunManifest.self, from: data)
        else { return RunManifest() }
        return manifest
    }

    /// The report of the last full run, if its file is the one this manifest recorded.
    func lastReport(in out: String) -> RunReport? {
        guard let reportHash, let data = FileManager.default.contents(atPath: Self.reportPath(in: out)),
            ContentHash.of(data) == reportHash
        else { return nil }
        return try? JSONDecoder().decode(RunReport.self, from: data)
    }

    /// Records `report` (its bytes as encoded) as the last full run's, saved with the manifest.
    mutating func setReport(_ report: Data) {
        newReport = report
        reportHash = ContentHash.of(report)
    }

    /// Whether the output in the out folder is the one written under this key.
    func isCurrent(_ name: String, key: String, in out: String) -> Bool {
        guard let recorded = outputs[name], recorded.key == key,
            let now = Self.stamp(of: (out as NSString).appendingPathComponent(name), key: key)
        else { return false }
        return now == recorded
    }

    mutating func record(_ name: String, key: String, in out: String) {
        outputs[name] = Self.stamp(of: (out as NSString).appendingPathComponent(name), key: key)
    }

    /// Written last and not fsynced: a lost or torn manifest only makes the next run rebuild.
    /// The report first: a manifest never names a report that was not written.
    func save(in out: String) {
        guard let data = try? JSONEncoder().encode(self) else { return }
        try? FileManager.default.createDirectory(
            atPath: (out as NSString).appendingPathComponent(".cache"), withIntermediateDirectories: true)
        if let newReport {
            guard (try? AtomicFile.write(newReport, to: Self.reportPath(in: out), durable: false)) != nil else {
                return
            }
        }
        try? AtomicFile.write(data, to: Self.path(in: out), durable: false)
    }

    private static func stamp(of path: String, key: String) -> Output? {
        CacheFile.stamp(of: path).map { Output(key: key, size: $0.size, modified: $0.modified) }
    }

    /// The running build of the tool: its version and its executable's size and time, so that
    /// results of another build (which may compute differently) are never reused.
    static let build: String = {
        var info = stat()
        guard stat("/proc/self/exe", &info) == 0 else { return PipelineRunner.version + " unknown build" }
        return "\(PipelineRunner.version) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }()
}
