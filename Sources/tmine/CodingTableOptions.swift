import ArgumentParser
import Coding
import Pipeline
import TextAnalysis

/// Whose codes a table of codes is made from, and how it is printed: the options `tmine
/// cooccurrence` and `tmine lexicon words` share.
struct CodingTableOptions: ParsableArguments {
    @Option(name: .long, help: "One coder's codings only.")
    var coder: String?

    @Flag(name: .long, help: "The suggestions not rejected by a coder, instead of the codings.")
    var suggestions = false

    @Option(name: .long, help: "Only the turns of these participants (repeatable).")
    var participant: [String] = []

    @Option(name: .customLong("where"), help: "Only turns whose participant has ATTRIBUTE=VALUE (repeatable).")
    var conditions: [String] = []

    @Option(name: .long, help: "How many rows the text lists (--json and --csv list every one).")
    var top = 30

    @Flag(name: .long, help: "JSON output.")
    var json = false

    @Flag(name: .long, help: "CSV output: one row per pair (or word).")
    var csv = false

    /// The codings, or the suggestions not rejected.
    var basis: CodeCooccurrence.Basis { suggestions ? .suggestions : .codings }

    func validate() throws {
        if json && csv { throw ValidationError("give --json or --csv, not both") }
        if suggestions && coder != nil {
            throw ValidationError("--coder reads a coder's codings; --suggestions reads no coder's")
        }
        if top < 1 { throw ValidationError("--top must be 1 or more") }
    }

    /// The turns `--participant` and `--where` name (the filters of kwic and freq, every role's
    /// turns read: codes count wherever applied), checked against the study's participants.
    func filter(of configuration: PipelineConfiguration) throws -> SegmentFilter {
        let filter = try FilterOptions.parse(
            ["--role", "all"] + participant.flatMap { ["--participant", $0] } + conditions.flatMap { ["--where", $0] })
        if !participant.isEmpty || !conditions.isEmpty {
            try filter.check(against: try report { try Outputs.corpusWithoutDocuments(of: configuration).participants })
        }
        return try filter.filter()
    }

    /// Prints `value` as JSON, as its CSV, or as its text cut at `--top`.
    func print(_ value: some Encodable, csv makeCSV: () -> String, text: (Int) -> String) throws {
        if json {
            Swift.print(try jsonString(value))
        } else if csv {
            Swift.print(makeCSV(), terminator: "")
        } else {
            Swift.print(text(top), terminator: "")
        }
    }
}
