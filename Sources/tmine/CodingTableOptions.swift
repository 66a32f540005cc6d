import ArgumentParser
import Coding

/// Whose codes a table of codes is made from, and how it is printed: the options `tmine
/// cooccurrence` and `tmine lexicon words` share.
struct CodingTableOptions: ParsableArguments {
    @Option(name: .long, help: "One coder's codings only.")
    var coder: String?

    @Flag(name: .long, help: "The suggestions not rejected by a coder, instead of the codings.")
    var suggestions = false

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
