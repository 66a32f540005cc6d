import ArgumentParser
import Corpus
import Foundation
import Ingest

/// `tmine extract`: ingest transcripts and print their speaker turns.
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read transcripts and print their speaker turns.",
        discussion: """
            text: one turn per line, SPEAKER<TAB>turn (line breaks in a turn become spaces).
            json: the documents with segments, roles, participants and character ranges.
            plain: each document's plain text, the string segment ranges count into (in code points).
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json, plain
    }

    @Argument(help: "Transcript files or folders (.docx, TEI/.trs/.eaf XML, .vtt, .txt).")
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

    func run() throws {
        var options = IngestOptions(replaceInvalidText: replaceInvalid)
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
                let result = try ParticipantsReader().read(file: participants)
                table = result.table
                for warning in result.warnings { printError("warning: \(warning)") }
            }
        } catch let error as IngestError {
            printError(error.description)
            throw ExitStatus.usage
        }
        let ingestor = try Ingestor(options: options, participants: table)
        let batch = ingestor.readAll(inputs)
        if !batch.documents.isEmpty { try print(render(batch.documents)) }
        for failure in batch.failures { printError(failure.description) }
        if !batch.failures.isEmpty {
            printError("\(batch.documents.count) read, \(batch.failures.count) failed")
            throw batch.documents.isEmpty ? ExitStatus.nothingProcessed : ExitStatus.someInputsFailed
        }
    }

    private func render(_ documents: [Document]) throws -> String {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(
                documents.count == 1 && inputs.count == 1
                    ? AnyEncodable(documents[0])
                    : AnyEncodable(documents))
            return String(decoding: data, as: UTF8.self)
        case .plain:
            return documents.map(\.text).joined(separator: "\n\u{0C}\n")
        case .text:
            let multiple = documents.count > 1
            return documents.flatMap { document in
                document.segments.map { segment in
                    let text = segment.text.replacingOccurrences(of: "\n", with: " ")
                        .replacingOccurrences(of: "\t", with: " ")
                    let speaker = segment.speaker.isEmpty ? "(\(segment.role.rawValue))" : segment.speaker
                    return (multiple ? document.id + "\t" : "") + speaker + "\t" + text
                }
            }.joined(separator: "\n")
        }
    }
}

private struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
