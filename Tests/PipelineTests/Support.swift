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

    func run(force: Bool = false, endsWithProcess: Bool = false) throws -> RunReport {
        var options = PipelineRunner.Options()
        options.force = force
        options.endsWithProcess = endsWithProcess
        return try PipelineRunner(configuration: PipelineReader.read(pipeline), options: options).run()
    }

    func output(_ name: String) throws -> Data {
        try Data(contentsOf: out.appendingPathComponent(name))
    }

    /// Deletes the workspace. A command-line run's background flush (`tmine flush-outputs`) may
    /// still be writing in its out folder, and a removal that meets a file it has just written
    /// stops part way: so it tries again, for up to five seconds, until nothing is left.
    func remove() {
        let deadline = Date().addingTimeInterval(5)
        while (try? FileManager.default.removeItem(at: root)) == nil,
            FileManager.default.fileExists(atPath: root.path), Date() < deadline
        {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Runs from scratch and expects each output in `names` as the run before left it.
    func expectAFreshRunWritesTheSame(_ names: [String] = ["suggestions.json", "report.html"]) throws {
        let pieced = try names.map(output)
        _ = try run(force: true)
        for (name, bytes) in zip(names, pieced) {
            #expect(try output(name) == bytes, "\(name)")
        }
    }

    /// Alters `output` (corpus.json, kwic.json) in document `id`'s part: the byte right after the
    /// first `marker` there becomes `byte`. With `saving`, the output's layout is saved for the
    /// altered file, so that a run may copy from it. Returns bytes around the change.
    func alter(_ output: String, document id: String, after marker: String, to byte: UInt8, saving: Bool) throws
        -> Data
    {
        let (layout, _) = try #require(OutputLayout.load(output, in: out.path, context: nil))
        let range = try #require(layout.entry(id)?.range)
        let file = out.appendingPathComponent(output)
        var bytes = try Data(contentsOf: file)
        let found = try #require(
            bytes.range(of: Data(marker.utf8), in: Int(range.lowerBound)..<Int(range.upperBound)))
        bytes[found.upperBound] = byte
        try bytes.write(to: file)
        if saving { layout.save(in: out.path) }
        return bytes[found.lowerBound - 40..<found.upperBound + 20]
    }

    /// Overwrites a part of a cached record with bytes no decoder takes.
    func wipe(_ location: StageCache.Location) {
        let path = out.appendingPathComponent(".cache/documents").appendingPathComponent(location.pack).path
        let descriptor = open(path, O_RDWR)
        defer { close(descriptor) }
        let garbage = [UInt8](repeating: 0xFF, count: Int(location.range.count))
        #expect(pwrite(descriptor, garbage, garbage.count, off_t(location.range.lowerBound)) == garbage.count)
    }

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
func runProcess(
    _ executable: String, _ arguments: [String], currentDirectory: URL? = nil, environment: [String: String] = [:]
) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// What the hot outputs must hold for `value`, built independently of `JSONWriter`: the bytes of
/// `JSONEncoder` without `.prettyPrinted`, laid out as `.prettyPrinted` lays them out (two-space
/// indent, `"key" : value`, an empty container as an opening, a blank line and its closing),
/// except that an object inside an array named in `records` stays on one line, as it was.
func laidOut(
    _ value: some Encodable, records: Set<String> = ["lines", "suggestions", "segments", "speakers", "rows", "groups"]
) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let bytes = [UInt8](try encoder.encode(value))
    var out: [UInt8] = []
    // Open containers: array or object, its name (an array's key), whether it is on one line.
    var open: [(array: Bool, name: String?, oneLine: Bool)] = []
    var lastString = ""
    var key: String?
    func newline(_ level: Int) {
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: level * 2))
    }
    var index = 0
    while index < bytes.count {
        let byte = bytes[index]
        let oneLine = open.last?.oneLine ?? false
        switch byte {
        case 0x22:
            var end = index + 1
            while bytes[end] != 0x22 { end += bytes[end] == 0x5C ? 2 : 1 }
            out.append(contentsOf: bytes[index...end])
            lastString = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
            index = end
        case 0x7B, 0x5B:
            let parent = open.last
            let isRecord = byte == 0x7B && parent?.array == true && records.contains(parent?.name ?? "")
            open.append((byte == 0x5B, parent?.array == false ? key : nil, oneLine || isRecord))
            out.append(byte)
            if !(oneLine || isRecord) {
                if bytes[index + 1] == 0x5D || bytes[index + 1] == 0x7D {
                    out.append(0x0A)
                    newline(open.count - 1)
                    out.append(bytes[index + 1])
                    open.removeLast()
                    index += 1
                } else {
                    newline(open.count)
                }
            }
        case 0x7D, 0x5D:
            let closed = open.removeLast()
            if !closed.oneLine { newline(open.count) }
            out.append(byte)
        case 0x2C:
            out.append(byte)
            if !oneLine { newline(open.count) }
        case 0x3A:
            key = lastString
            out.append(contentsOf: oneLine ? [0x3A] : [0x20, 0x3A, 0x20])
        default:
            out.append(byte)
        }
        index += 1
    }
    out.append(0x0A)
    return Data(out)
}
