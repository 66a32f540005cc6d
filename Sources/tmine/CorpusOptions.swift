import ArgumentParser
import Corpus
import Foundation
import Ingest
import Pipeline
import TextAnalysis

/// Options shared by the commands that read transcripts: inputs, participants, tokenising.
struct CorpusOptions: ParsableArguments {
    @Argument(
        help:
            "Transcript files or folders (a folder's participants.csv is used unless --participants), or a pipeline file."
    )
    var inputs: [String]

    @Option(name: .long, help: "participants.csv: id column first, then attributes.")
    var participants: String?

    @Option(name: .long, help: "Case handling: fold (default), lower or preserve.")
    var `case`: Tokenizer.Options.CaseMode = .fold

    @Flag(name: .long, help: "Fold diacritics (café = cafe).")
    var foldDiacritics = false

    /// Reads the inputs and tokenises them; prints what failed and maps problems to exit codes.
    ///
    /// A single `.yaml` input is a pipeline file: its inputs, participants, speaker labels and
    /// tokeniser settings are used.
    func load(stopwords: Stopwords = .english) throws -> TokenizedCorpus {
        if inputs.count == 1, inputs[0].hasSuffix(".yaml") || inputs[0].hasSuffix(".yml") {
            return try loadPipeline(inputs[0], stopwords: stopwords)
        }
        let study: StudyInputs
        do {
            study = try StudyInputs.load(inputs, participants: participants)
        } catch let error as IngestError {
            printError(error.description)
            throw ExitStatus.usage
        }
        for warning in study.warnings { printError("warning: \(warning)") }
        for failure in study.batch.failures { printError(failure.description) }
        if study.batch.documents.isEmpty {
            printError("no transcript could be read")
            throw ExitStatus.nothingProcessed
        }
        var options = Tokenizer.Options()
        options.caseMode = `case`
        options.foldDiacritics = foldDiacritics
        return TokenizedCorpus(
            documents: study.batch.documents, participants: study.participants, options: options,
            stopwords: stopwords)
    }
}

extension CorpusOptions {
    private func loadPipeline(_ path: String, stopwords: Stopwords) throws -> TokenizedCorpus {
        let configuration = try readPipeline(path)
        var table = ParticipantTable.empty
        do {
            if let file = configuration.participants { table = try ParticipantsReader().read(file: file).table }
        } catch let error as IngestError {
            printError(error.description)
            throw ExitStatus.usage
        }
        var failures: [IngestError] = []
        let files = configuration.transcriptFiles(&failures)
        let batch = try Ingestor(options: configuration.ingest, participants: table).readAll(files)
        for failure in failures + batch.failures { printError(failure.description) }
        if batch.documents.isEmpty {
            printError("no transcript could be read")
            throw ExitStatus.nothingProcessed
        }
        var options = configuration.tokenize.options
        if `case` != .fold { options.caseMode = `case` }
        if foldDiacritics { options.foldDiacritics = true }
        let list = stopwords.words.isEmpty ? stopwords : try configuration.tokenize.stopwordList()
        return TokenizedCorpus(documents: batch.documents, participants: table, options: options, stopwords: list)
    }
}

extension Tokenizer.Options.CaseMode: ExpressibleByArgument {}
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
}

/// JSON with sorted keys and a schema version, the same bytes for the same input.
func jsonString(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// A JSON document: `schemaVersion` beside the payload's own keys.
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
