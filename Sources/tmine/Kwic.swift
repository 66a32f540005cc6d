import ArgumentParser
import Corpus
import Foundation
import Ingest
import Pipeline
import TextAnalysis

/// `tmine kwic`: keyword in context over transcripts.
struct Kwic: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kwic",
        abstract: "Show every occurrence of a word, wildcard or phrase with its context.",
        discussion: """
            QUERY is a word (hype), a wildcard (regulat*, *ology) or a phrase ("protected time").
            With --by, each query's hits by the groups of a participant attribute instead: hits, \
            participants, the group's words and hits per 1,000 of them.
            Example: tmine kwic "protected time" Corpora/ai-doctors
            Example: tmine kwic hype --also "protected time" Corpora/ai-doctors --by clinical_tech_split
            With --collocates, the words near each query's hits more often than elsewhere in the turns \
            searched, by log-likelihood, with MI.
            Example: tmine kwic hype Corpora/ai-doctors --collocates
            """)

    @Argument(help: "The query; more with --also Q2 --also Q3.")
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

    @Option(
        name: .long,
        help:
            "Count each query's hits by the groups of this participant attribute (or participant, or attributes a,b), per 1,000 words."
    )
    var by: String?

    @Flag(
        name: .long,
        help: "List each query's collocates instead of its lines: words near its hits more often than elsewhere.")
    var collocates = false

    @Option(name: .long, help: "With --collocates: leave out words near fewer hits than this (default 2).")
    var minCount: Int?

    @Flag(name: .long, help: "JSON output.")
    var json = false

    @Flag(name: .long, help: "Tab-separated output.")
    var tsv = false

    func validate() throws {
        if minCount != nil, !collocates { throw ValidationError("--min-count goes with --collocates") }
        if collocates, characters || by != nil || tsv || sort != nil {
            throw ValidationError(
                "--collocates counts words in a window of tokens: not with --characters, --by, --sort or --tsv")
        }
    }

    func run() throws {
        // `tmine kwic study.yaml hype` read "hype" as a missing transcript: the query comes first.
        var folder: ObjCBool = false
        let studyPath =
            FileManager.default.fileExists(atPath: query, isDirectory: &folder)
            && (folder.boolValue || isPipelinePath(query)
                || Ingestor.transcriptExtensions.contains((query as NSString).pathExtension.lowercased()))
        if studyPath, let missing = corpus.input.inputs.first(where: { !FileManager.default.fileExists(atPath: $0) }) {
            throw ValidationError(
                "\"\(missing)\" is no file or folder, and the query comes first: "
                    + "tmine kwic \(Self.shellWord(missing)) \(Self.shellWord(query)) …")
        }
        let queries: [Query]
        do {
            queries = try ([query] + also).map { text throws(QueryError) in try Query(text) }
        } catch {
            printError("error: \(error)")
            throw ExitStatus.usage
        }
        // A query given twice (or a phrase with and without its quotation marks) listed every
        // one of its hits twice, as the pipeline's kwic stage refuses it for.
        var repeats = Query.Repeats()
        for query in queries {
            if let first = repeats.earlier(query) {
                throw ValidationError(
                    "\"\(first)\" is given twice" + (first == query.text ? "" : " (as \"\(query.text)\")"))
            }
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
        if let by {
            let grouping = Grouping(by)
            if grouping == .document || grouping == .corpus {
                throw ValidationError("--by: hits are grouped by who spoke them: an attribute, or participant")
            }
            if let problem = grouping.problem ?? study.participants.missingAttribute(among: grouping.attributeNames) {
                throw ValidationError("--by: " + problem)
            }
        }
        var lines: [ConcordanceLine] = []
        var words: [String: Int] = [:]
        var forms: [String: Int] = [:]
        var searched = 0
        let (roles, counting, filter) = (options.filter.roles, by != nil, options.filter)
        try study.forEach(
            roles: roles, stems: match == .stem,
            make: { [collocates] corpus in
                (
                    concordancer.lines(of: queries, in: corpus), counting ? corpus.wordsBySpeaker(roles: roles) : [:],
                    collocates ? corpus.formCounts(filter: filter) : ([:], 0)
                )
            },
            deliver: { found, spoken, counted in
                lines += found
                words.merge(spoken, uniquingKeysWith: +)
                forms.merge(counted.counts, uniquingKeysWith: +)
                searched += counted.words
            })
        let concordance = concordancer.merge(lines, queries: queries, participants: study.participants)
        if collocates {
            let tables = queries.map { query in
                Collocates(
                    query: query.text, lines: concordance.lines, window: window, counts: forms, words: searched,
                    minimumCount: minCount ?? 2, stopwords: study.stopwords)
            }
            try emit(
                json
                    ? try jsonString(Versioned(payload: QueryCollocates(queries: tables)))
                    : Self.collocateTables(tables))
            return
        }
        if let by {
            let hits = RunReport.QueryHits.byGroup(
                concordance.lines, queries: queries.map(\.text), attribute: by, participants: study.participants,
                words: words, filter: options.filter)
            try emit(
                json
                    ? try jsonString(Versioned(payload: GroupedHits(attribute: by, queries: hits)))
                    : Self.groupTable(hits, attribute: by))
            return
        }
        if json {
            try streamOutput { Outputs.writeConcordance(concordance, schemaVersion: 1, to: $0) }
        } else if tsv {
            try emit(concordance.tsv, terminator: "")
        } else {
            try emit(concordance.aligned(width: 40), terminator: "")
            printError(concordance.lines.count.counted("hit"))
        }
        try sayWhereElseFound(concordance, queries: queries, concordancer: concordancer, study: study)
    }

    /// A word as a shell reads it back: as it is when it is plain, else in double quotes.
    static func shellWord(_ word: String) -> String {
        let plain =
            !word.isEmpty
            && word.unicodeScalars.allSatisfy {
                $0.properties.isAlphabetic || "0123456789._/-+,:".unicodeScalars.contains($0)
            }
        guard !plain else { return word }
        return "\""
            + word.reduce(into: "") { quoted, character in
                if "\"\\$`".contains(character) { quoted.append("\\") }
                quoted.append(character)
            } + "\""
    }

    /// The most collocates a table shows; `--json` lists every one.
    static let collocatesShown = 25

    /// Each query's collocates as a table, strongest first.
    static func collocateTables(_ tables: [Collocates]) -> String {
        var lines: [String] = []
        for table in tables {
            if !lines.isEmpty { lines.append("") }
            lines.append(
                "collocates of \(table.query): \(table.hits.counted("hit")), \(table.window) words each side "
                    + "(\(table.windowWords.counted("word")) in the windows, \(table.words.counted("word")) in the turns "
                    + "searched)")
            guard !table.rows.isEmpty else {
                lines.append("  no word is near its hits more often than elsewhere")
                continue
            }
            lines.append("  term                   near  left right  total      G²     MI")
            for row in table.rows.prefix(collocatesShown) {
                let term = row.term.count > 20 ? String(row.term.prefix(19)) + "…" : row.term
                lines.append(
                    "  " + term.padding(toLength: 20, withPad: " ", startingAt: 0)
                        + [row.near, row.left, row.right, row.total].map { String($0).leftPadded(6) }.joined()
                        + FixedPoint.string(row.logLikelihood, digits: 2).leftPadded(8)
                        + FixedPoint.string(row.mutualInformation, digits: 2).leftPadded(7))
            }
            if table.rows.count > collocatesShown {
                lines.append("  … \((table.rows.count - collocatesShown).counted("more word")) (--json lists them all)")
            }
        }
        lines.append(
            "G² (log-likelihood) orders the words, near the hits against the rest of the turns; MI is log2 of "
                + "observed over expected. Stopwords are left out.")
        return lines.joined(separator: "\n")
    }

    /// Each query's groups, a line each: hits, participants, words, hits per 1,000 words.
    static func groupTable(_ hits: [RunReport.QueryHits], attribute: String) -> String {
        var lines = ["query\t\(attribute)\thits\tparticipants\twords\tper 1,000 words"]
        for query in hits {
            for group in query.groups {
                lines.append(
                    "\(query.query)\t\(group.value)\t\(group.hits)\t\(group.participants)\t\(group.words ?? 0)\t"
                        + (group.rate.map { FixedPoint.string($0, digits: 2) } ?? "–"))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// No hit may mean the query is only in notes, which are not tokenised, or a phrase only
    /// across a sentence's end, which phrases do not cross: say so.
    private func sayWhereElseFound(
        _ concordance: Concordance, queries: [Query], concordancer: Concordancer, study: StudyStream
    ) throws {
        let options = concordancer.options
        guard concordance.lines.isEmpty else { return }
        // Merged as the hits were, so that the participant and attribute filters apply.
        func hits(in other: StudyStream) throws -> Int {
            var found: [ConcordanceLine] = []
            try other.forEach(
                roles: options.filter.roles, stems: match == .stem, quiet: true,
                make: { concordancer.lines(of: queries, in: $0) }, deliver: { found += $0 })
            return concordancer.merge(found, queries: queries, participants: study.participants).lines.count
        }
        if !study.options.annotations {
            let inNotes = try hits(in: study.keepingNotes())
            if inNotes > 0 {
                printError(
                    "\(inNotes.counted("hit")) inside transcribers' notes ([laughs], ((coughs)), (laughs)), "
                        + "which are not tokenised: --keep-annotations counts them, tmine notes lists them")
            }
        }
        if study.options.phrases == .sentence, queries.contains(where: \.isPhrase) {
            var across = study.options
            across.phrases = .turn
            let found = try hits(in: study.with(options: across, stopwords: study.stopwords))
            if found > 0 {
                printError(
                    "\(found.counted("hit")) across a sentence's end (\"… protected. Time …\"), which a phrase does "
                        + "not cross: --phrases turn counts them")
            }
        }
    }
}

/// `tmine kwic --collocates --json`: each query's collocates, an object (see ``GroupedHits``).
struct QueryCollocates: Encodable {
    let queries: [Collocates]
}

/// `tmine kwic --by ATTRIBUTE --json`: each query's hits by the attribute's groups, an object (the
/// bare list could not take its schema version beside it, and the encoder trapped).
struct GroupedHits: Encodable {
    let attribute: String
    let queries: [RunReport.QueryHits]
}
