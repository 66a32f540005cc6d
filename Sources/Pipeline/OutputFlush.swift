import CFileSystem
import Corpus
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A run's outputs are renamed into place without waiting for the disk; `tmine flush-outputs`,
/// started in the background when the run ends, forces them to disk a moment later and records
/// that it did (`.cache/flushed.json`, itself forced to disk).
///
/// Waiting for the disk was most of what a lexicon edit left on a slow disk: at 100 MB (157 MB of
/// suggestions.json copied), 0.44 → 0.28 s an edit, and ~0.3 s of each cold run. Readers still
/// see the old file or the new one, never a mix, and a killed run leaves the previous outputs as
/// they were. What changes is a power cut or a crash of the machine in the second or so before
/// the flush ends: outputs may then be damaged on disk. The manifest records the machine's boot
/// for every output written so, and a run on a later boot trusts such an output only when
/// `flushed.json` names it as it is; otherwise it rebuilds it, and copies nothing from it.
public enum OutputFlush {
    /// This boot of the machine (Linux's boot id); nil where there is none, and outputs are then
    /// forced to disk before they are renamed, as a run always did before.
    public static let boot: String? = {
        guard let data = FileManager.default.contents(atPath: "/proc/sys/kernel/random/boot_id") else { return nil }
        // Trimmed without `NSString`, which asked the runtime about protocols in every run (three
        // scans of every conformance record, 0.2 ms each).
        let id = String(decoding: data, as: UTF8.self).trimmingWhitespace()
        return id.isEmpty ? nil : id
    }()

    /// Whether outputs are renamed into place before they reach the disk.
    public static var deferred: Bool { boot != nil }

    /// An output as forced to disk: its name in the out folder, size and modification time.
    struct Stamp: Codable, Hashable {
        var name: String
        var size: Int64
        var modified: Int64
    }

    private struct Record: Codable {
        var outputs: [Stamp]
    }

    static func path(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/flushed.json")
    }

    /// The outputs `flushed.json` names (none when it is missing or damaged).
    static func flushed(in out: String) -> Set<Stamp> {
        guard let data = FileManager.default.contents(atPath: path(in: out)),
            let record = try? JSONDecoder().decode(Record.self, from: data)
        else { return [] }
        return Set(record.outputs)
    }

    /// Forces to disk every output the manifest records as written without waiting for it (when
    /// the file is still the one recorded), run-report.json and the folders, then records those
    /// outputs in `flushed.json`, also forced to disk. Flushes of one folder take turns.
    /// Returns the outputs recorded.
    ///
    /// It creates nothing: it writes over the `flushed.json` the run left (``prepare(in:)``), so
    /// that a folder deleted right after a run (`rm -rf`) is never filled again behind it.
    ///
    /// Then it deletes the files the run set aside (``removeSetAside(in:)``).
    @discardableResult
    public static func flush(in out: String) -> [String] {
        defer { removeSetAside(in: out) }
        let cache = (out as NSString).appendingPathComponent(".cache")
        let folder = open(cache, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { return [] }
        defer { close(folder) }
        flock(folder, LOCK_EX)
        defer { flock(folder, LOCK_UN) }
        let record = open(path(in: out), O_WRONLY | O_CLOEXEC)
        guard record >= 0 else { return [] }
        defer { close(record) }
        let manifest = RunManifest.load(from: out)
        var stamps: [Stamp] = []
        for (name, output) in manifest.outputs.sorted(by: { $0.key < $1.key }) where output.boot != nil {
            let descriptor = open((out as NSString).appendingPathComponent(name), O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            defer { close(descriptor) }
            guard let stamp = CacheFile.stamp(descriptor: descriptor), stamp.size == output.size,
                stamp.modified == output.modified, fsync(descriptor) == 0
            else { continue }
            stamps.append(Stamp(name: name, size: output.size, modified: output.modified))
        }
        forceToDisk((out as NSString).appendingPathComponent("run-report.json"))
        // The renames that put them in place.
        forceToDisk(out, flags: O_DIRECTORY)
        fsync(folder)
        // Written in place: torn by a crash, it fails to decode and vouches for nothing.
        guard let data = try? JSONEncoder().encode(Record(outputs: stamps)), ftruncate(record, 0) == 0,
            AtomicFile.write(Array(data), to: record, at: 0) == nil, fsync(record) == 0
        else { return [] }
        return stamps.map(\.name)
    }

    /// Has a run's replaced files in `out` and its cache set aside for ``flush(in:)`` (or
    /// ``removeSetAside(in:)``) to delete after it, see ``AtomicFile/setAsideReplacedFiles(in:)``.
    static func setAsideReplacedFiles(in out: String) {
        AtomicFile.setAsideReplacedFiles(in: setAsideFolders(out))
    }

    /// Deletes the files a run set aside in `out` and its cache: ``flush(in:)`` does, and a run
    /// that starts none does on its way out.
    public static func removeSetAside(in out: String) {
        for folder in setAsideFolders(out) { AtomicFile.removeSetAside(in: folder) }
    }

    /// The folders where a run sets replaced and deleted files aside: the out folder, its cache
    /// and the cache's document packs.
    private static func setAsideFolders(_ out: String) -> [String] {
        let cache = (out as NSString).appendingPathComponent(".cache")
        return [out, cache, (cache as NSString).appendingPathComponent("documents")]
    }

    /// `fsync` of the file or folder at `path`, if it can be opened.
    private static func forceToDisk(_ path: String, flags: Int32 = 0) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | flags)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    /// The bytes of the output `name` in `out`, for the commands that read a run's outputs back
    /// (review, decide, export). Throws ``PipelineError`` naming the file, with `missing` as the
    /// message when there is none, and when the run that wrote it was on an earlier boot and its
    /// flush did not record it: it may have been damaged by the crash or power cut.
    static func contents(of name: String, in out: String, missing: String) throws(PipelineError) -> Data {
        let path = try trusted(name, in: out)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError(file: path, message: missing)
        }
        return data
    }

    /// The path of the output `name` in `out`, once it is known not to be one a crash or power
    /// cut may have damaged (see ``contents(of:in:missing:)``); checked before anything of it
    /// is read (a refused suggestions.json is 157 MB at 100 MB of transcripts).
    static func trusted(_ name: String, in out: String) throws(PipelineError) -> String {
        let path = (out as NSString).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: path), RunManifest.load(from: out).untrusted.contains(name) {
            throw PipelineError(
                file: path,
                message: "the machine restarted before this file was known to be on disk, so it may be damaged; "
                    + "run the pipeline again (tmine run) to rebuild it")
        }
        return path
    }

    /// Leaves an empty `flushed.json` for ``flush(in:)`` to write over, when there is none.
    static func prepare(in out: String) {
        let descriptor = open(path(in: out), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if descriptor >= 0 { close(descriptor) }
    }

    /// What a run leaves behind when it ends: the background flush (``startInBackground(executable:out:)``)
    /// when it wrote outputs besides run-report.json; otherwise, with nothing to flush, no process
    /// started, and the files it set aside deleted here.
    public static func afterRun(wrote outputs: [String], executable: String, out: String) {
        if outputs.contains(where: { $0 != "run-report.json" }) {
            startInBackground(executable: executable, out: out)
        } else {
            removeSetAside(in: out)
        }
    }

    /// Starts `executable flush-outputs out` in the background, its output discarded and none of
    /// this process's descriptors open in it, and does not wait for it: the run is about to exit.
    /// Nothing happens where outputs are flushed before they are renamed.
    ///
    /// Spawned directly (`cfilesystem_spawn_detached`): Foundation's `Process` listed
    /// /proc/self/fd to close each descriptor and set up the watch of a child never waited for,
    /// about a millisecond of every run that wrote an output.
    ///
    /// A thread of its own waits for each flush, so a process that lives on (`tmine run --watch`)
    /// leaves none a zombie, however the flushes and rounds overlap; a run that exits does not
    /// wait for it.
    public static func startInBackground(executable: String, out: String) {
        guard deferred else { return }
        let words: [String] = [executable, "flush-outputs", out]
        let arguments = words.map { strdup($0) }
        defer { arguments.forEach { free($0) } }
        var child: pid_t = 0
        let error = cfilesystem_spawn_detached(executable, arguments + [nil], &child)
        if error == 0 { reapWhenItEnds(child) }
        guard error == ENOSYS else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(words.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }

    /// Waits for `child` on a thread of its own, which ends when the child does.
    private static func reapWhenItEnds(_ child: pid_t) {
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0, errno == EINTR {}
        }
    }
}
