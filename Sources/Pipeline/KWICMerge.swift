import Corpus
import Foundation
import TextAnalysis

/// The KWIC stage's merge: kwic.json written line by line, in document order, as each chunk of
/// documents finishes, so a run never holds the corpus's lines. With a sort order the lines
/// must all be there before the first is written; they wait in memory then. One thread at a
/// time uses it (the run's, then the task that finishes it): hence `@unchecked`.
struct KWICMerge: @unchecked Sendable {
    let sink: AtomicFile.Writer
    private let concordancer: Concordancer
    private let byID: [String: Participant]
    private var stream: Outputs.KWICStream
    private var waiting: [ConcordanceLine]?

    init(stage: KWICStage, participants: ParticipantTable, path: String, recycling: String? = nil)
        throws(FileWriteError)
    {
        sink = try AtomicFile.Writer(path: path, recycling: recycling)
        concordancer = Concordancer(options: stage.options)
        byID = participants.byID
        stream = Outputs.KWICStream(to: sink)
        waiting = stage.options.sort.isEmpty ? nil : []
    }

    /// Adds one document's lines, in order.
    mutating func add(_ lines: [ConcordanceLine]) {
        for line in lines {
            guard let line = concordancer.accept(line, byID: byID) else { continue }
            if waiting != nil {
                waiting?.append(line)
            } else {
                stream.append(line)
            }
        }
    }

    /// Ends kwic.json with `file`'s fields (its lines are not read); the caller commits `sink`.
    mutating func finish(_ file: Outputs.KWICFile) {
        if let waiting {
            for line in concordancer.sorted(waiting) { stream.append(line) }
            self.waiting = []
        }
        stream.finish(file)
    }
}
