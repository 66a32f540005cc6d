import ArgumentParser
import Coding
import Corpus
import Foundation
import Ingest
import Pipeline

/// `tmine validate`: check a pipeline file without running it.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a pipeline file (keys, types, paths, queries, participants) without running it.")

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    func run() throws {
        let configuration = try readPipeline(pipeline)
        if let suggest = configuration.suggest {
            let failures = LexiconExamples.failures(of: suggest.lexicon, options: configuration.tokenize.options)
            for failure in failures {
                printError(
                    "\(suggest.lexiconFile):\(failure.line.map(String.init) ?? "?"): error: \(failure.code): \(failure)"
                )
            }
            if !failures.isEmpty {
                printError("\(failures.count.counted("lexicon example")) failed")
                throw ExitStatus.usage
            }
            let examples = suggest.lexicon.codes.reduce(0) { $0 + $1.examples.match.count + $1.examples.noMatch.count }
            print(
                "\(suggest.lexiconFile): ok: \(suggest.lexicon.codes.count.counted("code")), "
                    + "\(examples.counted("example")) \(examples == 1 ? "passes" : "pass")")
        }
        var table = ParticipantTable.empty
        if let file = configuration.participants {
            do {
                table = try configuration.readParticipants().table
            } catch let error as IngestError {
                printError(error.description)
                throw ExitStatus.usage
            } catch {
                printError("\(error)")
                throw ExitStatus.usage
            }
            // The column naming transcripts is no attribute to group by.
            let attributes = table.attributeNames.filter { $0 != table.documentColumn }
            print(
                "\(file): ok: \(table.participants.count.counted("participant")), "
                    + (attributes.isEmpty ? "no attributes" : "attributes " + attributes.joined(separator: ", "))
                    + (table.documentColumn.map { "; transcripts named in column \($0)" } ?? ""))
            for band in configuration.bands {
                print("\(file): \(band.source) banded as \(band.name): " + table.groupSizes(of: band.name))
            }
            var failures: [IngestError] = []
            if let nowhere = PipelineRunner.transcriptsNamedNowhere(
                table: table, files: configuration.transcriptFiles(&failures), file: file)
            {
                printError("warning: " + nowhere)
            }
        }
        if let problem = configuration.missingAttribute(in: table) {
            printError("\(pipeline): error: \(problem)")
            throw ExitStatus.usage
        }
        print(
            "\(pipeline): ok: study \(configuration.study), \(configuration.inputs.count.counted("input path")), stages "
                + configuration.stageOrder.joined(separator: " → ") + ", out \(configuration.outputFolder)")
    }
}

/// `tmine init`: start a study folder.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a starter pipeline, participants.csv, seed lexicon and two example transcripts into a folder.",
        discussion: "Existing files are never replaced.")

    @Argument(help: "The study folder (created if missing).")
    var folder: String

    func run() throws {
        do {
            let (written, kept) = try StudyTemplate.write(into: folder)
            for path in written { print("wrote \(path)") }
            for path in kept { print("kept \(path) (it exists)") }
            let pipeline = (folder as NSString).appendingPathComponent("pipeline.yaml")
            print("next: tmine run \(pipeline)")
            print("then: tmine review \(pipeline) --coder NAME (its suggested codes, to accept or reject)")
        } catch {
            printError(error.description)
            throw ExitStatus.usage
        }
    }
}
