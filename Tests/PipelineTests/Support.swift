import Foundation
import Testing

@testable import Pipeline

/// A scratch study: a copy of the sample corpus and a pipeline file in a temporary folder.
struct Workspace {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let root: URL

    init(kwicQueries: [String] = ["protected time", "hype"]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tmine-\(UUID().uuidString)")
        let corpus = root.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let sample = Self.repository.appendingPathComponent("Corpora/ai-doctors")
        for name in try FileManager.default.contentsOfDirectory(atPath: sample.path)
        where name.hasPrefix("interview-")
            || name == "participants.csv"
        {
            try FileManager.default.copyItem(
                at: sample.appendingPathComponent(name), to: corpus.appendingPathComponent(name))
        }
        try FileManager.default.copyItem(
            at: Self.repository.appendingPathComponent("Pipelines/lexicons/ai-doctors.yaml"),
            to: root.appendingPathComponent("lexicon.yaml"))
        try writePipeline(kwicQueries: kwicQueries)
    }

    var pipeline: String { root.appendingPathComponent("study.yaml").path }
    var lexicon: String { root.appendingPathComponent("lexicon.yaml").path }

    /// Rewrites the lexicon file with `edit` applied to its text.
    func editLexicon(_ edit: (String) -> String) throws {
        let text = try String(contentsOfFile: lexicon, encoding: .utf8)
        let edited = edit(text)
        #expect(edited != text, "the lexicon edit changed nothing")
        try edited.write(toFile: lexicon, atomically: true, encoding: .utf8)
    }

    var out: URL { root.appendingPathComponent("out/sample") }
    func corpus(_ name: String) -> URL { root.appendingPathComponent("corpus").appendingPathComponent(name) }

    func writePipeline(kwicQueries: [String]) throws {
        let queries = kwicQueries.map { "\"\($0)\"" }.joined(separator: ", ")
        try """
        study: sample
        inputs:
          paths: [corpus]
          speakers:
            roles: {"Helen Carter": interviewer}
        participants: corpus/participants.csv
        stages:
          - tokenize:
              case: fold
          - kwic:
              queries: [\(queries)]
          - frequencies:
              groupings: [clinical_tech_split, participant]
              ngrams: [1, 2]
              keyness:
                - grouping: clinical_tech_split
                  group: Full-time tech
          - suggest:
              lexicon: lexicon.yaml
        out: out
        """.write(toFile: pipeline, atomically: true, encoding: .utf8)
    }

    func run(force: Bool = false) throws -> RunReport {
        var options = PipelineRunner.Options()
        options.force = force
        return try PipelineRunner(configuration: PipelineReader.read(pipeline), options: options).run()
    }

    func output(_ name: String) throws -> Data {
        try Data(contentsOf: out.appendingPathComponent(name))
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// Runs the sample and has alice accept its first suggestion (the run after rebuilds only
    /// suggestions.json and the report).
    func runAndAcceptTheFirstSuggestion() throws {
        _ = try run()
        let decider = Decider(configuration: try PipelineReader.read(pipeline))
        let first = try #require(try decider.currentSuggestions().file.suggestions.first)
        try decider.decide(coder: "alice", [.accept(first.id)])
    }

    /// Runs the sample, has alice recode its first suggestion with `note` and bob reject it, and
    /// runs again: suggestions.json then holds decisions, a note and a conflict.
    func runWithDecisionsOnTheFirstSuggestion(note: String) throws {
        _ = try run()
        let decider = Decider(configuration: try PipelineReader.read(pipeline))
        let first = try #require(try decider.currentSuggestions().file.suggestions.first)
        try decider.decide(
            coder: "alice", [.recode(first.id, code: "Hype and misinformation"), .note(first.id, text: note)])
        try decider.decide(coder: "bob", [.reject(first.id)])
        _ = try run()
    }
}

extension RunReport {
    func stage(_ name: String) -> Stage? { stages.first { $0.name == name } }
}

/// The built `tmine` executable, beside the test bundle.
func tmineExecutable() throws -> URL {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("tmine") }
    return try #require(
        candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
        "build the tmine executable first (swift build)")
}

@discardableResult
func runProcess(_ executable: String, _ arguments: [String], currentDirectory: URL? = nil) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
