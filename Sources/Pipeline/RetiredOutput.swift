import Corpus
import Foundation

/// The large outputs a run replaces whole (corpus.json, kwic.json, suggestions.json), each kept
/// under `.cache/` as `retired-<name>` when a run replaces it. The next run that writes that
/// output writes it over the kept file's blocks when it can (see ``Corpus/AtomicFile/Writer``).
/// Replacing an output would otherwise free its blocks in the run, and on a file system mounted
/// with `discard` that waits for the disk: closing a replaced 240 MB corpus.json took 0.25 s at
/// the end of a run that added one transcript to 2,000, and such a disk writes new blocks more
/// slowly than old ones (`dd` here: 300 against 660 MB/s). The price is a second copy of each
/// of these outputs under `.cache/`.
struct RetiredOutputs: Sendable {
    /// The outputs kept when replaced.
    static let names: Set<String> = ["corpus.json", "kwic.json", "suggestions.json"]
    let folder: String
    private var removing: Deferred<Void>?

    init(in cacheFolder: String) {
        folder = cacheFolder
    }

    /// Where the replaced `output` (a file name) is kept.
    func path(of output: String) -> String {
        (folder as NSString).appendingPathComponent("retired-\(output)")
    }

    /// Starts deleting the kept copies that will serve no writer: of the outputs `written` (their
    /// writers have taken what they could) and of those the pipeline no longer makes. A copy of
    /// an output the pipeline makes but this run leaves as it is stays for a later run.
    mutating func discard(written: Set<String>, made: Set<String>) {
        let paths =
            Self.names.filter { written.contains($0) || !made.contains($0) }.sorted().map(path(of:))
            // Where builds before session 21 kept the replaced suggestions.json.
            + [(folder as NSString).appendingPathComponent("retired-output")]
        let layouts = paths.contains(path(of: "suggestions.json")) ? [SuggestionLayout.retiredPath(in: folder)] : []
        removing = Deferred { for path in paths + layouts { AtomicFile.remove(path) } }
    }

    /// Links the output at `output` under `.cache/` before it is replaced, so that replacing it
    /// frees nothing (nothing happens when the link cannot be made: it is then freed as before).
    func keep(_ output: String) {
        _ = removing?.value
        let name = (output as NSString).lastPathComponent
        guard Self.names.contains(name) else { return }
        guard link(output, path(of: name)) == 0, name == "suggestions.json" else { return }
        // suggestions.json's layout as it stands, which describes the file kept when it describes
        // any: a later run that writes over the kept file learns from it which bytes are there
        // (see ``SuggestionSpeculation``). Replaced, not kept, by the next layout saved.
        let layout = SuggestionLayout.retiredPath(in: folder)
        AtomicFile.remove(layout)
        _ = link(SuggestionLayout.path(in: (folder as NSString).deletingLastPathComponent), layout)
    }
}
