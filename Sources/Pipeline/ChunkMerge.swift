import Corpus
import Foundation

/// Where each chunk of finished documents goes, in document order: corpus.json, the KWIC,
/// frequency and suggestion merges. It works on its own serial queue while the workers process
/// the next chunk, so the merge and its writing fill the time a chunk's slowest document leaves
/// a core idle instead of stopping both; at most two chunks wait for it, so memory stays
/// bounded. Its state is touched only on that queue until ``finish()``: hence `@unchecked`.
final class ChunkMerge: @unchecked Sendable {
    var corpus: CorpusWriter?
    var frequencies: FrequencyMerge?
    var kwic: KWICMerge?
    var suggestions: SuggestionMerge?
    /// Every document's result without its texts, lines, counts and suggestions.
    private(set) var collected: [PipelineRunner.DocumentResult] = []

    private let queue = DispatchQueue(label: "TranscriptMiner.merge")
    private let room = DispatchSemaphore(value: 2)
    private let timer: StageTimer

    init(documents: Int, timer: StageTimer) {
        collected.reserveCapacity(documents)
        self.timer = timer
    }

    /// Queues a chunk's results (in document order) behind the chunks before it.
    func add(_ results: [PipelineRunner.DocumentResult]) {
        room.wait()
        queue.async { [self] in
            for var result in results {
                if let document = result.document {
                    corpus?.append(document, ingestKey: result.ingestKey)
                    result.document = nil
                } else if let range = result.previousCorpusRange, let id = result.documentID {
                    corpus?.append(id: id, ingestKey: result.ingestKey, previous: range)
                }
                if frequencies != nil {
                    timer.measure("merge frequencies") { frequencies?.add(result.counts) }
                    result.counts = []
                }
                if kwic != nil {
                    timer.measure("merge kwic") { kwic?.add(result.lines) }
                    result.lines = []
                }
                if suggestions != nil {
                    timer.measure("merge suggestions") { suggestions?.add(result.suggestions) }
                    result.suggestions = SuggestionMerge.Prepared()
                }
                collected.append(result)
            }
            room.signal()
        }
    }

    /// Waits for every chunk queued; the state can be read after.
    func finish() {
        queue.sync {}
    }

    /// The frequency merge, handed over (after ``finish()``) so that its tables are freed as
    /// they are written.
    func takeFrequencies() -> FrequencyMerge? {
        defer { frequencies = nil }
        return frequencies
    }
}
