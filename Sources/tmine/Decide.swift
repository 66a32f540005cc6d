import ArgumentParser
import Coding
import Corpus
import Foundation
import Pipeline

/// `tmine decide`: a coder's decisions from the command line.
struct Decide: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Accept, reject or recode suggestions, add notes and manual codings.",
        discussion: """
            Decisions are appended to decisions/<coder>.json in the study's out folder, with who, when and \
            the previous status. Ids may be shortened to a unique prefix of 6 or more characters. \
            START and END of --manual count Unicode characters into the document's text (tmine extract \
            --format plain prints it).
            Example: tmine decide Pipelines/ai-doctors.yaml --coder alice --accept 51030c --recode 7f9a9a=Serendipity
            """)

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @Option(name: .long, help: "The coder's name (letters, digits, . _ -).")
    var coder: String

    @Option(name: .long, parsing: .upToNextOption, help: "Suggestion ids to accept.")
    var accept: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Suggestion ids to reject.")
    var reject: [String] = []

    @Option(
        name: .long, parsing: .upToNextOption,
        help: "ID=CODE: the suggestion is right about the text, wrong about the code.")
    var recode: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "ID=TEXT: a note on a suggestion.")
    var note: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Suggestion ids whose last decision to undo.")
    var undo: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "DOC:START-END=CODE: code text the lexicon missed.")
    var manual: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Ids of the coder's manual codings to withdraw.")
    var removeManual: [String] = []

    @Flag(
        name: .long,
        help:
            "List the suggestions with their ids, the coder's statuses and notes, then the coder's manual codings, instead."
    )
    var list = false

    func run() throws {
        let configuration = try readPipeline(pipeline)
        let decider = Decider(configuration: configuration)
        if list {
            guard accept.isEmpty, reject.isEmpty, recode.isEmpty, note.isEmpty, undo.isEmpty, manual.isEmpty,
                removeManual.isEmpty
            else {
                throw ValidationError("--list only lists: give the decisions without it, then list")
            }
            // Written a document at a time, as suggestions.json is read.
            var written: (any Error)?
            let end = try report {
                // The listing shows each suggestion's context, not its turn's text or attributes.
                try decider.forEachMergedDocument(omitting: [.text, .attributes]) { suggestions in
                    guard written == nil else { return }
                    var lines = ""
                    for suggestion in suggestions {
                        let mine = suggestion.decisions.first { $0.coder == coder }
                        // A recoded suggestion shows the code the coder chose beside the suggested one.
                        let code = mine?.code.map { "\(suggestion.code) → \($0)" } ?? suggestion.code
                        // The coder's note, if any, ends the line, on one line as the context is.
                        let note = mine?.note.map {
                            "\tnote: " + $0.split(whereSeparator: \.isNewline).joined(separator: " ")
                        }
                        lines +=
                            "\(suggestion.id)\t\(mine?.status.rawValue ?? "pending")\t\(code)\t\(suggestion.documentID)\t\(suggestion.context)\(note ?? "")\n"
                    }
                    do { try emit(lines, terminator: "") } catch { written = error }
                }
            }
            if let written { throw written }
            var lines = ""
            for coding in end.manual[coder] ?? [] {
                let text = coding.text.split(whereSeparator: \.isNewline).joined(separator: " ")
                lines +=
                    "\(coding.id)\tmanual\t\(coding.code)\t\(coding.documentID):\(coding.range.start)-\(coding.range.end)\t\(text)\n"
            }
            try emit(lines, terminator: "")
            return
        }
        var actions: [Decider.Action] = accept.map { .accept($0) } + reject.map { .reject($0) } + undo.map { .undo($0) }
        for pair in recode {
            let (id, code) = try split(pair, "--recode")
            actions.append(.recode(id, code: code))
        }
        for pair in note {
            let (id, text) = try split(pair, "--note")
            actions.append(.note(id, text: text))
        }
        for item in manual {
            let (place, code) = try split(item, "--manual")
            guard let colon = place.lastIndex(of: ":"),
                case let bounds = place[place.index(after: colon)...].split(separator: "-"), bounds.count == 2,
                let start = Int(bounds[0]), let end = Int(bounds[1])
            else {
                throw ValidationError("--manual takes DOC:START-END=CODE, not \"\(item)\"")
            }
            actions.append(
                .manual(document: String(place[..<colon]), range: ScalarRange(start: start, end: end), code: code))
        }
        actions += removeManual.map { .removeManual($0) }
        guard !actions.isEmpty else {
            throw ValidationError(
                "nothing to do: give --accept, --reject, --recode, --note, --undo, --manual or --remove-manual")
        }
        let log = try report { try decider.decide(coder: coder, actions) }
        print(
            "\(actions.count.counted("decision")) recorded for \(coder) in \(decider.decisionsPath(coder: coder)) (\(log.events.count) in all)"
        )
    }

    private func split(_ text: String, _ option: String) throws -> (String, String) {
        guard let equals = text.firstIndex(of: "=") else {
            throw ValidationError("\(option) takes KEY=VALUE, not \"\(text)\"")
        }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }
}

/// Runs a library call, printing a ``PipelineError`` and exiting 2 if it throws one.
func report<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as PipelineError {
        printError(error.description)
        throw ExitStatus.usage
    }
}

/// `tmine lexicon`: feedback on a lexicon, and conversion between formats.
struct LexiconCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lexicon", abstract: "Lexicon feedback and conversion.",
        subcommands: [Report.self, Words.self, Convert.self])

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract:
                "Per code and pattern: suggestions accepted, rejected and recoded, and manual codings the lexicon missed."
        )

        @Argument(help: "The pipeline file.")
        var pipeline: String

        @Flag(name: .long, help: "JSON output.")
        var json = false

        func run() throws {
            let configuration = try readPipeline(pipeline)
            guard let stage = configuration.suggest else { throw ValidationError("the pipeline has no suggest stage") }
            var tally = LexiconFeedback.Tally(lexicon: stage.lexicon)
            let merged = try report {
                try Decider(configuration: configuration).forEachMergedDocument(
                    omitting: [.text, .context, .attributes]
                ) { tally.add($0) }
            }
            tally.add(manual: merged.manual)
            let feedback = tally.feedback
            if json {
                print(try jsonString(feedback))
                return
            }
            func line(_ name: String, _ counts: LexiconFeedback.Counts, manual: Int?, recall: Double? = nil) -> String {
                let precision = counts.precision.map { FixedPoint.string($0, digits: 2) } ?? "–"
                return name.padding(toLength: 44, withPad: " ", startingAt: 0)
                    + [counts.suggested, counts.accepted, counts.rejected, counts.recoded, counts.conflict].map {
                        String($0).leftPadded(6)
                    }
                    .joined()
                    + precision.leftPadded(10) + (manual.map { String($0).leftPadded(8) } ?? "")
                    + (recall.map { FixedPoint.string($0, digits: 2).leftPadded(8) } ?? "")
            }
            print(
                "code / pattern".padding(toLength: 44, withPad: " ", startingAt: 0)
                    + "  sugg   acc   rej   rec  conf precision  manual  recall")
            for row in feedback.codes where row.counts.suggested > 0 || row.manual > 0 {
                print(line(row.code, row.counts, manual: row.manual, recall: row.recall))
                for (pattern, counts) in row.patterns.sorted(by: { $0.key < $1.key }) {
                    print(line("    " + pattern, counts, manual: nil))
                }
            }
            if feedback.codes.contains(where: { $0.counts.conflict > 0 }) {
                print("conf: suggestions the coders decided differently (tmine agreement compares them)")
            }
            if !merged.orphans.isEmpty {
                print("\(merged.orphans.count.counted("decision")) orphaned by lexicon edits")
            }
            // Where the lexicon missed what coders coded, the words to add are in their turns.
            if let missed = feedback.codes.filter({ $0.manual > 0 }).max(by: { $0.manual < $1.manual }) {
                print(
                    "manual: codings by hand the lexicon missed; tmine lexicon words \(pipeline) \"\(missed.code)\" "
                        + "lists the words of a code's turns its patterns do not look for yet")
            }
        }
    }

    struct Words: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "words",
            abstract:
                "The words that mark a code's turns against the other turns, and whether its patterns match them.",
            discussion:
                "From every coder's codings of the code (accepted, recoded, by hand; --coder for one coder's), or with "
                + "--suggestions from its suggestions not rejected. Words key to the code that no pattern of it "
                + "matches are candidates for the lexicon.")

        @Argument(help: "The pipeline file (run it first).")
        var pipeline: String

        @Argument(help: "The code, as the lexicon names it.")
        var code: String

        @OptionGroup var table: CodingTableOptions

        @Option(name: .long, help: "Only words said at least N times in the code's turns.")
        var minCount = 3

        @Option(name: .long, help: "Words (1) or two-word phrases (2), candidates for phrase patterns.")
        var ngram = 1

        func validate() throws {
            if minCount < 1 { throw ValidationError("--min-count must be 1 or more") }
            if ngram != 1 && ngram != 2 { throw ValidationError("--ngram is 1 (words) or 2 (two-word phrases)") }
        }

        func run() throws {
            let configuration = try readPipeline(pipeline)
            let filter = try table.filter(of: configuration)
            let words = try report {
                try Decider(configuration: configuration).codeWords(
                    code: code, basis: table.basis, coder: table.coder, filter: filter, ngram: ngram,
                    minimumCount: minCount)
            }
            try table.print(words, csv: words.csv, text: { words.text(limit: $0) })
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "convert",
            abstract: "Convert a LIWC .dic or quanteda YAML dictionary (or a lexicon) to the lexicon YAML format.")

        @Argument(help: "The dictionary or lexicon to read.")
        var input: String

        @Argument(help: "The YAML file to write (must not exist).")
        var output: String

        func run() throws {
            let lexicon: Lexicon
            do {
                lexicon = try LexiconReader.read(input)
            } catch {
                printError(error.description)
                throw ExitStatus.usage
            }
            guard !FileManager.default.fileExists(atPath: output) else {
                throw ValidationError("\(output) exists; choose a new file (lexicons are never overwritten)")
            }
            let yaml = try LexiconWriter.yaml(lexicon)
            do {
                try AtomicFile.write(Data(yaml.utf8), to: output)
            } catch {
                printError(error.description)
                throw ExitStatus.usage
            }
            print("wrote \(lexicon.codes.count.counted("code")) to \(output)")
        }
    }
}
