import ArgumentParser
import Corpus
import Foundation
import Ingest
import Pipeline
import TextAnalysis

/// Options shared by the commands that read transcripts: inputs, participants, tokenising.
struct CorpusOptions: ParsableArguments {
    @OptionGroup var input: InputOptions
    @OptionGroup var tokenizer: TokenizerFlags

    /// ``InputOptions/study(tokenizer:stopwords:explicitStopwords:)`` with these tokeniser flags.
    func study(stopwords: Stopwords = .english, explicitStopwords: Bool = false) throws -> StudyStream {
        try input.study(tokenizer: tokenizer, stopwords: stopwords, explicitStopwords: explicitStopwords)
    }
}

/// How a command's tokens are made, beside what a pipeline says.
struct TokenizerFlags: ParsableArguments {
    @Option(name: .long, help: "Case handling: fold (default), lower or preserve.")
    var `case`: Tokenizer.Options.CaseMode = .fold

    @Flag(name: .long, help: "Fold diacritics (café = cafe).")
    var foldDiacritics = false

    @Flag(
        name: .long,
        help: "Tokenise transcribers' notes ([laughs], ((coughs)), (laughs), (0.5)) as words; skipped by default.")
    var keepAnnotations = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How far a phrase or an n-gram reaches: sentence (default; not across a full stop, ! or ?) or turn.",
            valueName: "sentence|turn"))
    var phrases: Tokenizer.Options.PhraseScope?
}

/// The transcripts a command reads: inputs and participants (`tmine notes` needs no tokeniser
/// flags, so it takes these alone).
struct InputOptions: ParsableArguments {
    @Argument(
        help:
            "Transcript files or folders (a folder's participants.csv is used unless --participants), or a pipeline file."
    )
    var inputs: [String]

    @Option(name: .long, help: "participants.csv: id column first, then attributes.")
    var participants: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A numeric attribute put into ranges starting at these bounds (years=5,10: 0-4, 5-9, 10+); repeatable.",
            valueName: "attr=bounds"))
    var band: [String] = []

    func validate() throws { _ = try bands() }

    /// The `--band` options as bands in place, or a usage error saying what is wrong.
    func bands() throws -> [AttributeBand] {
        try band.map { text in
            let parts = text.split(separator: "=", maxSplits: 1)
            let read =
                parts.count == 2 && !parts[0].isEmpty
                ? AttributeBand.bounds(parts[1].split(separator: ","))
                : .failure(.none)
            switch read {
            case .success(let bounds):
                return AttributeBand(name: String(parts[0]), source: String(parts[0]), bounds: bounds)
            case .failure(.notRising):
                throw ValidationError("--band \(text): the bounds must rise")
            case .failure:
                throw ValidationError("--band \(text): write an attribute and its bounds, as --band years=5,10")
            }
        }
    }

    /// `table` with the `--band` options applied; a usage error naming `file` when they fail.
    func banded(_ table: ParticipantTable, file: String?) throws -> ParticipantTable {
        let bands = try bands()
        guard !bands.isEmpty else { return table }
        do {
            return try table.banded(by: bands)
        } catch {
            printError("\(file ?? "participants"): error: \(error.message)")
            throw ExitStatus.usage
        }
    }

    /// The inputs as they are to be read: files, participants, tokeniser settings. A single
    /// `.yaml` input is a pipeline file: its inputs, participants, speaker labels, tokeniser
    /// settings and (when `stopwords` is not empty and not `explicitStopwords`, a list the command
    /// was given) stopwords are used. An unreadable pipeline or
    /// participants file is printed and a usage error; inputs that cannot be listed are printed
    /// with the failures of reading (``StudyStream/forEach(roles:stems:make:deliver:)``).
    func study(
        tokenizer flags: TokenizerFlags? = nil, stopwords: Stopwords = .english, explicitStopwords: Bool = false
    ) throws -> StudyStream {
        // Without flags (a parsed `TokenizerFlags` only has values), the defaults.
        let caseMode = flags?.case ?? .fold
        let foldDiacritics = flags?.foldDiacritics ?? false
        let keepAnnotations = flags?.keepAnnotations ?? false
        let phrases = flags?.phrases
        var options = Tokenizer.Options()
        if inputs.count == 1, isPipelinePath(inputs[0]) {
            let configuration = try readPipeline(inputs[0])
            var table: ParticipantTable
            do {
                table = try configuration.readParticipants().table
            } catch let error as IngestError {
                printError(error.description)
                throw ExitStatus.usage
            } catch {
                printError("\(error)")
                throw ExitStatus.usage
            }
            table = try banded(table, file: configuration.participants)
            var failures: [IngestError] = []
            let files = configuration.transcriptFiles(&failures)
            options = configuration.tokenize.options
            if caseMode != .fold { options.caseMode = caseMode }
            if foldDiacritics { options.foldDiacritics = true }
            if keepAnnotations { options.annotations = true }
            if let phrases { options.phrases = phrases }
            return StudyStream(
                files: files, failures: failures,
                ingestor: try Ingestor(options: configuration.ingest, participants: table), options: options,
                stopwords: explicitStopwords || stopwords.words.isEmpty
                    ? stopwords : try configuration.tokenize.stopwordList(),
                noTranscripts: configuration.noTranscripts)
        }
        var participants: (table: ParticipantTable, file: String?, warnings: [String])
        do {
            participants = try StudyInputs.participants(for: inputs, path: self.participants)
        } catch let error as IngestError {
            printError(error.description)
            throw ExitStatus.usage
        }
        for warning in participants.warnings { printError("warning: \(warning)") }
        participants.table = try banded(participants.table, file: participants.file)
        let listing = Ingestor.transcriptFiles(in: inputs)
        options.caseMode = caseMode
        options.foldDiacritics = foldDiacritics
        options.annotations = keepAnnotations
        options.phrases = phrases ?? .sentence
        return StudyStream(
            files: listing.files, failures: listing.failures, ingestor: try Ingestor(participants: participants.table),
            options: options, stopwords: stopwords, noTranscripts: Ingestor.noTranscripts(in: inputs))
    }
}

/// Transcripts read and tokenised one document at a time, each alone, on whichever core is
/// free: an ad-hoc query over a 100 MB folder held the whole tokenised corpus (580–680 MB) on one
/// core. A document's lines and counts are what they are in the whole corpus (the pipeline
/// relies on the same).
struct StudyStream {
    let files: [String]
    let failures: [IngestError]
    let ingestor: Ingestor
    let options: Tokenizer.Options
    let stopwords: Stopwords
    /// What to say when the inputs hold no transcript at all.
    let noTranscripts: String
    var participants: ParticipantTable { ingestor.participants }

    /// The same study with transcribers' notes tokenised as words.
    func keepingNotes() -> StudyStream {
        var options = options
        options.annotations = true
        return with(options: options, stopwords: stopwords)
    }

    /// The same study with these tokeniser options and stopwords.
    func with(options: Tokenizer.Options, stopwords: Stopwords) -> StudyStream {
        StudyStream(
            files: files, failures: failures, ingestor: ingestor, options: options, stopwords: stopwords,
            noTranscripts: noTranscripts)
    }

    /// Hands what `make` makes of each tokenised document to `deliver`, in file order; then
    /// prints what failed (unless `quiet`: a second pass over the same files), and throws when
    /// nothing could be read. Only the turns of `roles` are tokenised; stems only when asked for.
    func forEach<Value>(
        roles: Set<SpeakerRole>, stems: Bool, quiet: Bool = false, make: @escaping @Sendable (TokenizedCorpus) -> Value,
        deliver: (Value) -> Void
    ) throws {
        var failures = self.failures
        var read = 0
        // How documents were read (speakers without an id, an interviewer guessed): whose words
        // are in which group depends on it, as a run's warnings say.
        var notes: [(id: String, notes: [String])] = []
        let (participants, options, stopwords) = (participants, options, stopwords)
        ingestor.readEach(
            files,
            making: { document in
                (
                    make(
                        TokenizedCorpus(
                            documents: [document], participants: participants, options: options,
                            stopwords: stopwords, computeStems: stems, roles: roles)),
                    document.id, document.notes
                )
            },
            deliver: { result in
                switch result {
                case .success(let (value, id, documentNotes)):
                    read += 1
                    if !documentNotes.isEmpty { notes.append((id, documentNotes)) }
                    deliver(value)
                case .failure(let error): failures.append(error)
                }
            })
        if !quiet {
            for failure in failures { printError(failure.description) }
            if !failures.isEmpty { InputFailures.seen = true }
            for note in PipelineRunner.readingNotes(notes) { printError("warning: " + note) }
        }
        if read == 0 {
            printError(files.isEmpty && failures.isEmpty ? noTranscripts : "no transcript could be read")
            throw ExitStatus.nothingProcessed
        }
    }
}

/// Whether a path names a pipeline file rather than transcripts or decisions: by its extension.
func isPipelinePath(_ path: String) -> Bool { path.hasSuffix(".yaml") || path.hasSuffix(".yml") }

/// Whether a command that went on past transcripts it could not read met any: it ends with
/// exit code 1 (DESIGN.md), after its output, where it ended 0 as if every file had been read.
enum InputFailures {
    /// Set on the main thread by ``StudyStream/forEach(roles:stems:quiet:make:deliver:)``, read by `main` after the command.
    nonisolated(unsafe) static var seen = false
}

extension Tokenizer.Options.CaseMode: ExpressibleByArgument {}
extension Tokenizer.Options.PhraseScope: ExpressibleByArgument {}
extension Query.MatchMode: ExpressibleByArgument {}

/// Filters on turns: role, participant, attribute values (`--where split=Full-time tech`).
struct FilterOptions: ParsableArguments {
    @Option(name: .long, help: "Speaker roles to include: participant (default), interviewer, other, all.")
    var role: [String] = ["participant"]

    @Option(name: .long, help: "Only these participants (repeatable).")
    var participant: [String] = []

    @Option(name: .customLong("where"), help: "Only turns whose participant has ATTRIBUTE=VALUE (repeatable).")
    var conditions: [String] = []

    func filter() throws -> SegmentFilter {
        var roles = Set<SpeakerRole>()
        for role in role {
            if role == "all" {
                roles.formUnion(SpeakerRole.allCases)
            } else if let value = SpeakerRole(rawValue: role) {
                roles.insert(value)
            } else {
                throw ValidationError("unknown role \"\(role)\"; use participant, interviewer, other or all")
            }
        }
        var attributes: [String: Set<String>] = [:]
        for condition in conditions {
            guard let equals = condition.firstIndex(of: "=") else {
                throw ValidationError("--where takes ATTRIBUTE=VALUE, not \"\(condition)\"")
            }
            attributes[String(condition[..<equals]), default: []].insert(
                String(condition[condition.index(after: equals)...]))
        }
        return SegmentFilter(
            roles: roles, participantIDs: participant.isEmpty ? nil : Set(participant), attributes: attributes)
    }

    /// A usage error when `--where` names an attribute the participants file does not have, or
    /// a value no participant has (`role=gp` for `GP`), or `--participant` an id the file does not
    /// list (`P03` for its `P3`): each left every turn out without a word.
    func check(against participants: ParticipantTable) throws {
        if !participants.participants.isEmpty {
            let ids = Set(participants.participants.map(\.id))
            for id in participant where !ids.contains(id) {
                let spelt = participants.canonicalID(for: id).map { "; did you mean \"\($0)\"?" } ?? ""
                throw ValidationError("--participant: no participant \"\(id)\" in the participants file\(spelt)")
            }
        }
        let wanted = try filter().attributes
        if let problem = participants.missingAttribute(among: wanted.keys.sorted()) {
            throw ValidationError("--where: " + problem)
        }
        for (name, values) in wanted.sorted(by: { $0.key < $1.key }) {
            let held = Set(participants.participants.compactMap { $0.attributes[name] }.filter { !$0.isEmpty })
            guard let value = values.sorted().first(where: { !held.contains($0) }) else { continue }
            let listed = held.sorted().prefix(12).map { "\"\($0)\"" }.joined(separator: ", ")
            throw ValidationError(
                "--where: no participant has \(name)=\(value)"
                    + ParticipantTable.didYouMean(value, among: held.sorted())
                    + " (\(name) is " + listed + (held.count > 12 ? ", …" : "") + ")")
        }
    }
}

/// JSON with sorted keys and a schema version, the same bytes for the same input.
func jsonString(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// A JSON document: `schemaVersion` beside the payload's own keys. The payload must encode as
/// an object (keyed): an array has no keys to stand beside, and `JSONEncoder` traps.
struct Versioned<Payload: Encodable>: Encodable {
    let schemaVersion = 1
    let payload: Payload

    func encode(to encoder: any Encoder) throws {
        try payload.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(schemaVersion, forKey: Key(stringValue: "schemaVersion"))
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
