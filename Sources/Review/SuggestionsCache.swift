import Coding
import Foundation
import Pipeline

/// The last run's suggestions as the review server holds them: suggestions.json decoded once,
/// and again only when a run has replaced it (another inode, size or modification time). Every
/// request decoded the whole file before: 8 s a page load at 100 MB of transcripts, and the
/// page loaded again after every decision.
final class SuggestionsCache: @unchecked Sendable {
    struct Loaded: Sendable {
        /// Every suggestion pending, without decisions (``Decider/lastSuggestions()``).
        let file: Outputs.SuggestionsFile
        /// Each document's suggestions, by position in `file.suggestions`.
        let byDocument: [String: [Int]]
        /// Each suggestion's position in `file.suggestions`, by id (the first, if an id repeats).
        let positions: SuggestionIDTable
        /// Names the file read: a page whose state came from another must load it again.
        let run: String

        init(_ file: Outputs.SuggestionsFile, run: String) {
            self.file = file
            self.run = run
            var byDocument: [String: [Int]] = [:]
            // By position: a loop over the suggestions copied each whole (a dozen fields retained).
            for position in file.suggestions.indices {
                byDocument[file.suggestions[position].documentID, default: []].append(position)
            }
            self.byDocument = byDocument
            positions = SuggestionIDTable(file.suggestions.map(\.id))
        }

        /// `documents`' suggestions merged with the decisions as they are now: what a decision
        /// on one of them can change (decisions join suggestions document by document).
        func merged(documents: [String], states: [CoderState]) -> [Suggestion] {
            let session = DecisionMerger.Session(states: states, documents: Set(documents))
            var merged: [Suggestion] = []
            for document in documents {
                var part = (byDocument[document] ?? []).map { file.suggestions[$0] }
                _ = session.join(document: &part)
                merged += part
            }
            return merged
        }

        /// The suggestions named by `ids` merged as ``merged(documents:states:)`` merges them, in
        /// the order named; an id no suggestion has is left out.
        func merged(ids: [String], states: [CoderState]) -> [Suggestion] {
            var documents: [String] = []
            var seen: Set<String> = []
            for id in ids {
                guard let position = positions.position(of: id) else { continue }
                let document = file.suggestions[position].documentID
                if seen.insert(document).inserted { documents.append(document) }
            }
            let merged = merged(documents: documents, states: states)
            let byID = Dictionary(merged.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            return ids.compactMap { byID[$0] }
        }
    }

    private struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: timespec

        static func == (a: Self, b: Self) -> Bool {
            (a.device, a.inode, a.size, a.modified.tv_sec, a.modified.tv_nsec)
                == (b.device, b.inode, b.size, b.modified.tv_sec, b.modified.tv_nsec)
        }
    }

    private let decider: Decider
    private let lock = NSLock()
    private var held: (identity: Identity, loaded: Loaded)?

    init(decider: Decider) { self.decider = decider }

    /// The suggestions as suggestions.json now holds them. Read under the lock: requests that
    /// come while a new file is read wait for it rather than read it too.
    func current() throws(PipelineError) -> Loaded {
        lock.lock()
        defer { lock.unlock() }
        // Taken before reading: if a run replaces the file in between, the next request sees
        // another identity and reads it again.
        var status = stat()
        let identity =
            stat(decider.suggestionsPath, &status) == 0
            ? Identity(
                device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
                modified: status.st_mtim) : nil
        if let identity, let held, held.identity == identity { return held.loaded }
        let run = identity.map { "\($0.inode)-\($0.size)-\($0.modified.tv_sec).\($0.modified.tv_nsec)" } ?? ""
        let loaded = Loaded(try decider.lastSuggestions(), run: run)
        held = identity.map { ($0, loaded) }
        return loaded
    }
}
