import ArgumentParser
import Corpus
import Foundation
import Ingest
import TextAnalysis

/// `tmine tokens`: what the tokeniser and stemmer make of a text.
struct Tokens: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Print one token per line: surface, normalised form and stem.",
        discussion: "Reads a transcript file, or text from standard input with '-'. Only spoken turns are tokenised.")

    @Argument(help: "A transcript file, or - for standard input.")
    var input: String

    @Flag(name: .long, help: "JSON with each token's range in its turn and in the document.")
    var json = false

    @Option(name: .long, help: "Case handling: fold (default), lower or preserve.")
    var `case`: Tokenizer.Options.CaseMode = .fold

    func run() throws {
        let document: Document
        do {
            document = try read()
        } catch {
            printError(error.description)
            throw error.code == .isDirectory ? ExitStatus.usage : ExitStatus.nothingProcessed
        }
        var options = Tokenizer.Options()
        options.caseMode = `case`
        let corpus = TokenizedCorpus(documents: [document], options: options)
        var rows: [TokenRow] = []
        for (segmentIndex, tokens) in corpus.tokens[0].enumerated() {
            let segment = document.segments[segmentIndex]
            for token in tokens {
                rows.append(
                    TokenRow(
                        surface: corpus.surface(token), form: corpus.forms[token.form],
                        stem: corpus.stems[corpus.stemOfForm[Int(token.form)]], segment: segmentIndex,
                        range: ScalarRange(start: Int(token.start), end: Int(token.end)),
                        documentRange: ScalarRange(
                            start: segment.range.start + Int(token.start), end: segment.range.start + Int(token.end))))
            }
        }
        if json {
            try emit(try jsonString(Versioned(payload: TokenList(document: document.id, tokens: rows))))
        } else {
            try emit(rows.map { "\($0.surface)\t\($0.form)\t\($0.stem)" }.joined(separator: "\n"))
        }
    }

    /// The one transcript asked for. A missing file or a folder is an ``IngestError`` naming it,
    /// as every other command's is, not Foundation's error domain and code.
    func read() throws(IngestError) -> Document {
        let source = input == "-" ? "(standard input)" : input
        do {
            if input == "-" {
                return try Ingestor().read(data: FileHandle.standardInput.readDataToEndOfFile(), source: source)
            }
            return try Ingestor().read(file: input)
        } catch let error as IngestError where error.code == .isDirectory {
            throw IngestError(
                .isDirectory, file: input, message: "this is a folder; tmine tokens reads one transcript file",
                hint: "name one file in it, or use tmine extract for a whole folder")
        } catch let error as IngestError {
            throw error
        } catch {
            throw IngestError(.unreadableFile, file: source, message: "\(error)")
        }
    }

    struct TokenRow: Encodable {
        var surface: String
        var form: String
        var stem: String
        var segment: Int
        var range: ScalarRange
        var documentRange: ScalarRange
    }

    struct TokenList: Encodable {
        var document: String
        var tokens: [TokenRow]
    }
}
