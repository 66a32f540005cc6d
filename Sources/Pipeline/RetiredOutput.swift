import Foundation

/// The previous suggestions.json, kept under `.cache/` when a run replaces it and deleted at the
/// start of the next run, beside that run's work. Deleting a 200 MB file here waits for the disk
/// (`discard` on this machine's file system) and frees its pages: 0.03–0.04 s that otherwise
/// ended every lexicon edit.
struct RetiredOutput: Sendable {
    private let path: String
    private let removing: Deferred<Void>

    /// Starts deleting the output retired by the previous run, if any.
    init(in cacheFolder: String) {
        let path = (cacheFolder as NSString).appendingPathComponent("retired-output")
        self.path = path
        removing = Deferred { _ = unlink(path) }
    }

    /// Links the output at `output` under `.cache/` before it is replaced, so that replacing it
    /// frees nothing (nothing happens when the link cannot be made: it is then freed as before).
    func keep(_ output: String) {
        _ = removing.value
        _ = link(output, path)
    }
}
