import ArgumentParser
import Corpus
import Foundation
import TextAnalysis

/// `tmine kwic`: keyword in context over transcripts.
struct Kwic: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kwic",
        abstract: "Show every occurrence of a word, wildcard or phrase with its context.",
        discussion: """
            QUERY is a word (hype), a wildcard (regulat*, *ology) or a phrase ("protected time").
            Example: tmine kwic "protected time" Corpora/ai-doctors
            """)

    @Argument(help: "The query; repeat with --query for more.")
    var query: String

    @Option(name: .long, help: "Further queries.")
    var also: [String] = []

    @OptionGroup var corpus: CorpusOptions
    @OptionGroup var filters: FilterOptions

    @Option(name: .long, help: "Context on each side, in tokens (or characters with --characters).")
    var window = 5

    @Flag(name: .long, help: "Count the window in characters, not tokens.")
    var characters = false

    @Option(name: .long, help: "Match on surface, lower (default) or stem.")
    var match: Query.MatchMode = .lower

    @Option(name: .long, help: "Sort by context words, e.g. R1,R2 or L1 (default: document order).")
    var sort: String?

    @Flag(name: .long, help: "JSON output.")
    var json = false

    @Flag(name: .long, help: "Tab-separated output.")
    var tsv = false

    func run() throws {
        let queries: [Query]
        do {
            queries = try ([query] + also).map { text throws(QueryError) in try Query(text) }
        } catch {
            printError("error: \(error)")
            throw ExitStatus.usage
        }
        var options = Concordancer.Options()
        options.window = window
        options.unit = characters ? .characters : .tokens
        options.mode = match
        options.filter = try filters.filter()
        if let sort {
            options.sort = try sort.split(separator: ",").map { key in
                guard let parsed = Concordancer.ContextKey(String(key)) else {
                    throw ValidationError("sort keys are L1…L9 and R1…R9, not \"\(key)\"")
                }
                return parsed
            }
        }
        let concordancer = Concordancer(options: options)
        let study = try corpus.study()
        try filters.check(against: study.participants)
        var lines: [ConcordanceLine] = []
        try study.forEach(
            roles: options.filter.roles, stems: match == .stem, make: { concordancer.lines(of: queries, in: $0) },
            deliver: { lines += $0 })
        let concordance = concordancer.merge(lines, queries: queries, participants: study.participants)
        if json {
            try emit(try jsonString(Versioned(payload: concordance)))
        } else if tsv {
            try emit(concordance.tsv, terminator: "")
        } else {
            try emit(concordance.aligned(width: 40), terminator: "")
            printError("\(concordance.lines.count) hits")
        }
        // No hit may mean the query is only in notes, which are not tokenised: say so.
        if concordance.lines.isEmpty, !study.options.annotations {
            // Merged as the hits were, so that the participant and attribute filters apply.
            var noted: [ConcordanceLine] = []
            try study.keepingNotes().forEach(
                roles: options.filter.roles, stems: match == .stem, quiet: true,
                make: { concordancer.lines(of: queries, in: $0) }, deliver: { noted += $0 })
            let inNotes = concordancer.merge(noted, queries: queries, participants: study.participants).lines.count
            if inNotes > 0 {
                printError(
                    "\(inNotes) hit\(inNotes == 1 ? "" : "s") inside transcribers' notes ([laughs], ((coughs)), (laughs)), "
                        + "which are not tokenised: --keep-annotations counts them, tmine notes lists them")
            }
        }
    }
}
