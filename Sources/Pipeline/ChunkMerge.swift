import Corpus
import Foundation

/// Where each chunk of finished documents goes, in document order: corpus.json, the KWIC,
/// frequency and suggestion merges. Each output's merge works on a serial queue of its own (the
/// frequencies on one, the KWIC lines on another, corpus.json and the suggestions on a third)
/// while the workers process the documents after it, and when the documents come from the cache
/// (a transcript added to a cached study) the merges run side by side instead of one after
/// another. Each chunk tells its caller when it is merged and let go, so memory stays bounded
/// (``inOrderBatches(_:batch:window:budget:size:make:deliver:)``). Each merge's state is touched
/// only on its queue until ``finish()``: hence `@unchecked`.
final class ChunkMerge: @unchecked Sendable {
    var corpus: CorpusWriter?
    var frequencies: FrequencyMerge?
    var kwic: KWICMerge?
    var suggestions: SuggestionMerge?
    /// Where the documents' word filters go, when the run builds the word index.
    var wordIndex: WordIndex.Writer?
    /// Every document's result without its texts, lines, counts, suggestions and word filter.
    private(set) var collected: [PipelineRunner.DocumentResult] = []

    private let queue = DispatchQueue(label: "TranscriptMiner.merge")
    private let frequencyQueue = DispatchQueue(label: "TranscriptMiner.merge.frequencies")
    private let kwicQueue = DispatchQueue(label: "TranscriptMiner.merge.kwic")
    /// Where each chunk's `merged` is called, which the workers may be waiting for: a queue of its
    /// own, which libdispatch always gives a thread, not the global queue, whose threads are as
    /// many as the cores and may all be taken.
    private let mergedQueue = DispatchQueue(label: "TranscriptMiner.merge.merged")
    private let timer: StageTimer

    init(documents: Int, timer: StageTimer) {
        collected.reserveCapacity(documents)
        self.timer = timer
    }

    /// Queues a chunk's results (in document order) behind the chunks before it; `merged` is
    /// called once every merge is done with them.
    func add(_ results: [PipelineRunner.DocumentResult], merged: @escaping @Sendable () -> Void) {
        let chunk = DispatchGroup()
        if frequencies != nil {
            let counts = results.map(\.counts)
            frequencyQueue.async(group: chunk) { [self] in
                timer.measure("merge frequencies") { frequencies?.add(chunk: counts) }
            }
        }
        if kwic != nil {
            let lines = results.map { ($0.documentID, $0.kwicKey, $0.lines, $0.previousKWICRange) }
            kwicQueue.async(group: chunk) { [self] in
                timer.measure("merge kwic") {
                    for (id, key, lines, previous) in lines {
                        if let id, let key, let previous {
                            kwic?.add(id: id, key: key, previous: previous)
                        } else {
                            kwic?.add(lines, id: id, key: key)
                        }
                    }
                }
            }
        }
        queue.async(group: chunk) { [self] in
            for var result in results {
                if let document = result.document {
                    corpus?.append(document, ingestKey: result.ingestKey)
                    result.document = nil
                } else if let range = result.previousCorpusRange, let id = result.documentID {
                    corpus?.append(id: id, ingestKey: result.ingestKey, previous: range)
                }
                result.counts = []
                result.lines = []
                if suggestions != nil {
                    timer.measure("merge suggestions") { suggestions?.add(result.suggestions) }
                    result.suggestions = SuggestionMerge.Prepared()
                }
                if let filter = result.filter {
                    wordIndex?.add(filter)
                    result.filter = nil
                }
                collected.append(result)
            }
        }
        chunk.notify(queue: mergedQueue, execute: merged)
    }

    /// Waits for every chunk queued; the state can be read after.
    func finish() {
        // First, so that the suggestions' last copy starts as soon as their last chunk is merged.
        queue.sync { suggestions?.documentsEnded() }
        frequencyQueue.sync {}
        kwicQueue.sync {}
    }

    /// The word index's writer, handed over (after ``finish()``): one not committed by the taker
    /// removes its files as it goes, even where the merge is kept to the process's exit.
    func takeWordIndex() -> WordIndex.Writer? {
        defer { wordIndex = nil }
        return wordIndex
    }

    /// The frequency merge, handed over (after ``finish()``) so that its tables are freed as
    /// they are written.
    func takeFrequencies() -> FrequencyMerge? {
        defer { frequencies = nil }
        return frequencies
    }
}
