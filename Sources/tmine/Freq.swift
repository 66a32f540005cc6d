import ArgumentParser
import Corpus
import Foundation
import Pipeline
import TextAnalysis

/// `tmine freq`: term frequencies by participant group, with keyness.
struct Freq: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freq",
        abstract: "Count terms by participant group, with rates and keyness.",
        discussion: """
            Example: tmine freq Corpora/ai-doctors --by clinical_tech_split --keyness "Full-time tech"
            """)

    @OptionGroup var corpus: CorpusOptions
    @OptionGroup var filters: FilterOptions

    @Option(name: .long, help: "Group by an attribute, a,b (combination), participant, document or corpus.")
    var by = "corpus"

    @Option(name: .long, help: "Words (1) or n-grams (2, 3).")
    var ngram = 1

    @Option(name: .long, help: "Only terms counted at least this often.")
    var minCount = 1

    @Option(name: .long, help: "Only the N most frequent terms of each group.")
    var top: Int?

    @Flag(name: .long, help: "Count Porter2 stems instead of words.")
    var stem = false

    @Option(
        name: .long,
        help: "Stopwords: english, none, or a file with one word per line (default: english, or a pipeline's own).")
    var stopwords: String?

    @Option(name: .long, help: "Keyness of this group against the rest (or --reference).")
    var keyness: String?

    @Option(name: .long, help: "Reference group for --keyness (default: all other groups).")
    var reference: String?

    @Flag(name: .long, help: "JSON output.")
    var json = false

    @Flag(
        name: .long,
        help:
            "CSV output (long format: term, group, count, rate, participants, documents; with --keyness, the keyness rows)."
    )
    var csv = false

    func run() throws {
        guard (1...3).contains(ngram) else { throw ValidationError("--ngram is 1 (words), 2 or 3, not \(ngram)") }
        guard minCount >= 1 else { throw ValidationError("--min-count is 1 or more") }
        if let top, top < 1 { throw ValidationError("--top is 1 or more") }
        if reference != nil, keyness == nil {
            throw ValidationError("--reference is the other side of --keyness GROUP")
        }
        if let reference, reference == keyness {
            throw ValidationError("--reference \"\(reference)\" is the --keyness group itself: compare it with another")
        }
        var options = FrequencyCounter.Options()
        options.grouping = Grouping(by)
        if let problem = options.grouping.problem { throw ValidationError("--by: " + problem) }
        options.ngram = ngram
        options.filter = try filters.filter()
        options.stem = stem
        options.minimumCount = minCount
        // The terminal shows each group's top 15 unless told: only those rows are made and sorted.
        options.top = top ?? (json || csv ? nil : 15)
        // A list given (a file, say) is used with a pipeline's corpus too, where it was replaced
        // by the pipeline's own in silence.
        var study = try corpus.study(
            stopwords: stopwords == "none" ? .none : .english, explicitStopwords: stopwords != nil)
        if let file = stopwords, !["english", "none"].contains(file) {
            // Normalised as the study's tokens are (a file of "Déjà" where diacritics are folded).
            do {
                study = study.with(
                    options: study.options,
                    stopwords: try Stopwords.read(contentsOf: URL(fileURLWithPath: file), options: study.options))
            } catch {
                printError("\(file): error: " + AtomicFile.cannotRead("stopword file", at: file))
                throw ExitStatus.usage
            }
        }
        options.removeStopwords = !study.stopwords.words.isEmpty
        try filters.check(against: study.participants)
        if let problem = study.participants.missingAttribute(among: options.grouping.attributeNames) {
            throw ValidationError("--by: " + problem)
        }
        let table = try Self.table(
            of: study, options: options, stems: stem, scratchFolder: FileManager.default.temporaryDirectory.path)
        if !options.grouping.attributeNames.isEmpty,
            let unplaced = table.groups.first(where: { $0.name == "(none)" && $0.participants > 0 })
        {
            printError(
                "warning: \(unplaced.words.counted("word")) of \(unplaced.participants.counted("participant")) "
                    + "\(unplaced.participants == 1 ? "is" : "are") in \"(none)\": "
                    + "no row in the participants file, or an empty \(options.grouping.description)")
        }
        var keynessResult: Keyness?
        if let keyness {
            do {
                keynessResult = try table.keyness(of: keyness, against: reference, minimumCount: minCount)
            } catch {
                printError("error: \(error)")
                throw ExitStatus.usage
            }
        }
        if json || csv {
            // Keyness is made: the table is handed over and its rows made a piece at a time, each
            // group let go once its rows are, and streamed to standard output a megabyte at a
            // time, as the pipeline writes its files.
            let groups = table.groups
            var pieces = FrequencyRowPieces(table: consume table)
            try streamOutput { sink in
                if json {
                    do {
                        try Outputs.writeFrequencyTable(
                            grouping: options.grouping.description, groups: groups, keyness: keynessResult,
                            schemaVersion: 1, to: sink,
                            rows: { deliver in
                                while case let piece = pieces.next(), !piece.isEmpty { deliver(piece) }
                            })
                    } catch {
                        printError("error: \(error)")
                        throw ExitStatus.nothingProcessed
                    }
                } else if let keynessResult {
                    // Asked for keyness, given it: the frequency rows alone dropped the comparison.
                    var csv = Array(
                        "term,target_count,reference_count,target_rate,reference_rate,g2,p,log_ratio\n".utf8)
                    var start = 0
                    while start < keynessResult.count {
                        let end = min(start + 65_536, keynessResult.count)
                        Outputs.appendKeynessRows(keynessResult.rows(start..<end), to: &csv)
                        sink.append(csv)
                        csv.removeAll(keepingCapacity: true)
                        start = end
                    }
                    sink.append(csv)
                } else {
                    var csv = Array("term,group,count,rate,participants,documents\n".utf8)
                    while case let piece = pieces.next(), !piece.isEmpty {
                        Outputs.appendFrequencyRows(piece, prefix: [], to: &csv) { bytes in
                            sink.append(bytes)
                            bytes.removeAll(keepingCapacity: true)
                        }
                    }
                    sink.append(csv)
                }
            }
        } else {
            var text = table.terminalTable(top: options.top ?? 15)
            if let keynessResult { text += "\n" + keynessResult.terminalTable(top: top ?? 20) }
            try emit(text, terminator: "")
        }
    }

    /// `study`'s counts under `options` in one table. Groups no document adds to any more (most
    /// of a grouping by participant or by document), and with a minimum count of 2 or more the
    /// terms heard once so far (``FrequencyTable/OneTableBuilder``), go to a scratch file in
    /// `scratchFolder`, unlinked as it is made, as a pipeline's go to its cache: held in memory,
    /// they were most of the command's peak (121 against 35 MB by participant at 100 MB; 186
    /// against 65 MB for bigrams by `split` with `--min-count 2`).
    static func table(
        of study: StudyStream, options: FrequencyCounter.Options, stems: Bool, scratchFolder: String
    ) throws -> FrequencyTable {
        let counter = FrequencyCounter(options: options)
        var builder = FrequencyTable.OneTableBuilder(
            participants: study.participants, options: options, scratchFolder: scratchFolder)
        try study.forEach(
            roles: options.filter.roles, stems: stems, make: { counter.counts(ofDocument: 0, in: $0) },
            deliver: { builder.add($0) })
        return builder.takeTable()
    }

}
