import ArgumentParser
import Corpus
import TextAnalysis

/// `tmine notes`: the transcribers' notes that tokenising leaves out, by kind.
struct Notes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notes",
        abstract: "Count transcribers' notes ([inaudible], ((laughs)), (0.5)) by kind, in every turn.",
        discussion: """
            These are the stretches that tokenising skips unless a pipeline's tokenize stage has \
            annotations: true: not counted as words, not KWIC hits, matching no code.
            Example: tmine notes Corpora/ai-doctors
            """)

    @OptionGroup var input: InputOptions

    @Flag(name: .long, help: "JSON output.")
    var json = false

    func run() throws {
        let study = try input.study(stopwords: .none)
        var tally = NoteTally()
        try study.forEach(
            roles: [], stems: false, make: { NoteTally(document: $0.documents[0]) }, deliver: { tally.add($0) })
        let rows = tally.rows
        if json {
            try emit(try jsonString(Versioned(payload: Output(documents: tally.documents, notes: rows))))
            return
        }
        guard !rows.isEmpty else {
            try emit("no transcribers' notes in \(tally.documents.counted("document"))")
            return
        }
        let total = rows.reduce(0) { $0 + $1.count }
        var lines = ["count\tdocuments\tnote\texample"]
        lines += rows.map { "\($0.count)\t\($0.documents)\t\($0.note)\t\($0.example)" }
        lines.append(
            "\(total.counted("note")) of \(rows.count.counted("kind")) in \(tally.documents.counted("document"))")
        try emit(lines.joined(separator: "\n"))
    }

    struct Output: Encodable {
        var documents: Int
        var notes: [NoteTally.Row]
    }
}
