import Foundation

/// The previous suggestions.json, kept under `.cache/` when a run replaces it. The next run that
/// writes suggestions.json writes it over this file's blocks when it can (see
/// ``Corpus/AtomicFile/Writer``); otherwise the file is deleted beside that run's work. Deleting
/// a 200 MB file here waits for the disk (`discard` on this machine's file system) and frees its
/// pages: 0.03–0.04 s that otherwise ended every lexicon edit.
struct RetiredOutput: Sendable {
    /// Where the file is kept.
    let path: String
    private var removing: Deferred<Void>?

    init(in cacheFolder: String) {
        path = (cacheFolder as NSString).appendingPathComponent("retired-output")
    }

    /// Starts deleting the file, if no writer took it.
    mutating func discard() {
        removing = Deferred { [path] in _ = unlink(path) }
    }

    /// Links the output at `output` under `.cache/` before it is replaced, so that replacing it
    /// frees nothing (nothing happens when the link cannot be made: it is then freed as before).
    func keep(_ output: String) {
        _ = removing?.value
        _ = link(output, path)
    }
}
