import ArgumentParser
import Corpus
import Foundation
import Ingest

/// `tmine extract`: ingest transcripts and print their speaker turns.
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Read transcripts and print their speaker turns.",
        discussion: """
            text: one turn per line, SPEAKER<TAB>turn (line breaks in a turn become spaces).
            json: the documents with segments, roles, participants and character ranges.
            plain: each document's plain text, the string segment ranges (and decide --manual) count into, in code points; documents apart by a line holding a form feed.
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json, plain
    }

    @Argument(help: "Transcript files or folders (.docx, .odt, .rtf, TEI/.trs/.eaf XML, .vtt, .srt, .txt).")
    var inputs: [String]

    @Option(name: .long, help: "Output: text, json or plain.")
    var format: OutputFormat = .text

    @Option(name: .long, help: "participants.csv: id column first, then attributes.")
    var participants: String?

    @Option(
        name: .long, parsing: .upToNextOption,
        help: "Word parts to include besides the body: headers footers footnotes endnotes comments.")
    var include: [String] = []

    @Flag(name: .long, help: "Replace invalid UTF-8/UTF-16 with U+FFFD instead of failing.")
    var replaceInvalid = false

    @Option(
        name: .long,
        help:
            "Read text and participants files that are not UTF-8 in this encoding (windows-1252: Word and Excel on a Western Windows; windows-1250 … 1258, windows-874 for other languages)."
    )
    var fallbackEncoding: String?

    /// What the arguments ask for.
    var request: ExtractRequest {
        ExtractRequest(
            inputs: inputs, format: format, participants: participants, include: include,
            replaceInvalid: replaceInvalid, fallbackEncoding: fallbackEncoding)
    }

    func run() throws { try request.perform() }
}

/// What `tmine extract` was asked to do, and its doing: read by ArgumentParser (``Extract``) or,
/// in its plain forms, without it (``init(plain:)``).
struct ExtractRequest: Equatable {
    var inputs: [String]
    var format: Extract.OutputFormat = .text
    var participants: String?
    var include: [String] = []
    var replaceInvalid = false
    var fallbackEncoding: String?

    func perform() throws {
        let fallback = try fallbackEncoding.map { name in
            guard let encoding = FallbackEncoding(named: name) else {
                throw ValidationError(FallbackEncoding.unknown(name))
            }
            return encoding
        }
        var options = IngestOptions(replaceInvalidText: replaceInvalid, fallbackEncoding: fallback)
        for name in include {
            guard let part = DocxPart(rawValue: name) else {
                throw ValidationError(
                    "unknown Word part \"\(name)\"; use \(DocxPart.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            options.docxParts.insert(part)
        }
        var table = ParticipantTable.empty
        do {
            if let participants {
                let result = try ParticipantsReader(fallback: fallback).read(file: participants)
                table = result.table
                for warning in result.warnings { printError("warning: \(warning)") }
            }
        } catch let error as IngestError {
            printError(error.description)
            throw ExitStatus.usage
        }
        let ingestor = try Ingestor(options: options, participants: table)
        let listing = Ingestor.transcriptFiles(in: inputs)
        // Nothing to read is DESIGN.md's 3, as for the other commands (the wrong folder, a folder
        // of PDFs): a script writing the turns to a file is not left with an empty one and 0.
        if listing.files.isEmpty && listing.failures.isEmpty {
            printError("warning: " + Ingestor.noTranscripts(in: inputs))
            throw ExitStatus.nothingProcessed
        }
        var failures = listing.failures
        var read = 0
        let listed: ExtractListing.Format =
            switch format {
            case .text: .turns(withIDs: listing.files.count > 1)
            case .plain: .plain
            case .json: .json(single: listing.files.count == 1 && inputs.count == 1)
            }
        var output = ExtractListing(format: listed)
        let maker = output
        var bytes: [UInt8] = []
        var writeError: (any Error)?
        // Each document is made into its part of the listing on the core that read it, and
        // written as soon as it and those before it are.
        ingestor.readEach(listing.files, making: { document in Result { try maker.body(of: document) } }) { result in
            switch result {
            case .success(let body):
                read += 1
                guard writeError == nil else { return }
                do {
                    bytes.removeAll(keepingCapacity: true)
                    output.append(body: try body.get(), to: &bytes)
                    try OutputDescriptor.standardOutput.write(bytes)
                } catch {
                    writeError = error
                }
            case .failure(let error):
                failures.append(error)
            }
        }
        do {
            if let writeError { throw writeError }
            bytes.removeAll(keepingCapacity: true)
            output.end(to: &bytes)
            try OutputDescriptor.standardOutput.write(bytes)
        } catch {
            printError("\(error)")
            throw ExitStatus.nothingProcessed
        }
        for failure in failures { printError(failure.description) }
        if !failures.isEmpty {
            printError("\(read) read, \(failures.count) failed")
            throw read == 0 ? ExitStatus.nothingProcessed : ExitStatus.someInputsFailed
        }
    }
}

extension ExtractRequest: PlainRequest {
    /// `tmine extract` with its inputs, `--format`, `--participants`, `--fallback-encoding` and
    /// `--replace-invalid`
    /// (``PlainArguments``; `--include` is left to ArgumentParser, which reads values up to the
    /// next option): as ArgumentParser would read them.
    init?(plain arguments: [String]) {
        guard
            let plain = PlainArguments(
                arguments, command: "extract", flags: ["--replace-invalid"],
                options: ["--format", "--participants", "--fallback-encoding"]),
            !plain.positionals.isEmpty
        else { return nil }
        inputs = plain.positionals
        if let format = plain.values["--format"] {
            guard let format = Extract.OutputFormat(rawValue: format) else { return nil }
            self.format = format
        }
        participants = plain.values["--participants"]
        fallbackEncoding = plain.values["--fallback-encoding"]
        replaceInvalid = plain.has("--replace-invalid")
    }
}

/// Standard output (or another descriptor) written with `write(2)`: a failure, such as a full
/// disk under a redirect, is told in words (Foundation's `FileHandle` gave its error domain and
/// code, and its non-throwing `write` stopped the process).
struct OutputDescriptor {
    let descriptor: Int32
    let name: String

    static let standardOutput = OutputDescriptor(descriptor: STDOUT_FILENO, name: "(standard output)")
    static let standardError = OutputDescriptor(descriptor: STDERR_FILENO, name: "(standard error)")

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func write(_ bytes: [UInt8]) throws(Failure) {
        if let reason = bytes.withUnsafeBytes({ AtomicFile.write($0, to: descriptor) }) {
            throw Failure(description: "\(name): error: cannot write: \(reason)")
        }
    }
}

/// Standard output as a ``ByteSink``, for outputs streamed as they are made: the first failure
/// (a full disk, a closed pipe) is kept and the bytes after it dropped.
final class StandardOutputSink: ByteSink {
    private(set) var failure: OutputDescriptor.Failure?

    func append(_ bytes: [UInt8]) {
        guard failure == nil else { return }
        do {
            try OutputDescriptor.standardOutput.write(bytes)
        } catch {
            failure = error
        }
    }
}

/// A command's result streamed to standard output by `write`; a failure to (a full disk) is
/// printed and exits 3, where `print` would drop it and exit 0.
func streamOutput(_ write: (StandardOutputSink) throws -> Void) throws {
    let sink = StandardOutputSink()
    try write(sink)
    if let failure = sink.failure {
        printError(failure.description)
        throw ExitStatus.nothingProcessed
    }
}

/// Writes a command's result to standard output at once, as ``streamOutput(_:)`` does.
func emit(_ text: String, terminator: String = "\n") throws {
    try streamOutput { $0.append(Array(text.utf8) + Array(terminator.utf8)) }
}

func printError(_ message: String) { writeStandardError(message + "\n") }

/// Writes text to standard error as it is; a closed or full standard error fails nothing. Through
/// the descriptor: `FileHandle.write(Data(text.utf8))` made the runtime ask, once a process,
/// whether a string's UTF-8 view is contiguous bytes, a scan of every conformance record (~0.2 ms
/// of the main thread of every run that prints).
func writeStandardError(_ text: String) {
    try? OutputDescriptor.standardError.write(Array(text.utf8))
}
