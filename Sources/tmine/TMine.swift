import ArgumentParser
import Corpus
import Foundation
import Pipeline

/// The `tmine` command line: parses arguments, calls the library, maps errors to exit codes.
@main
struct TMine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tmine",
        abstract: "Explore interview transcripts: ingest, keyword in context, frequencies, suggested codes.",
        version: PipelineRunner.version,
        subcommands: [
            Init.self, Run.self, Validate.self, Extract.self, Tokens.self, Kwic.self, Freq.self, Notes.self,
            Decide.self,
            LexiconCommand.self, ReviewCommand.self, Export.self, AgreementCommand.self, CooccurrenceCommand.self,
            FlushOutputs.self,
        ]
    )

    /// Runs every command but `review` on the main thread, as a plain function call: an async
    /// `main` moved the whole run onto a dispatch worker thread (with the executor's threads
    /// started first and a malloc arena of its own), which a batch run does not need.
    static func main() {
        MemoryTuning.tuneAllocator()
        let arguments = Array(CommandLine.arguments.dropFirst())
        // Read plainly, `run` needs its pipeline at once; parsed by ArgumentParser, it is read
        // meanwhile.
        let plain = ([RunRequest.self, ExtractRequest.self, FlushRequest.self] as [any PlainRequest.Type]).lazy
            .compactMap {
                $0.init(plain: arguments)
            }.first
        if plain == nil, let pipeline = PipelinePrefetch.runPipelineArgument(arguments) {
            PipelinePrefetch.start(pipeline)
        }
        // A usage error found by the command, not the parser: the root's usage ("tmine
        // <subcommand>") would follow the message, so the command's own help is named instead.
        func usage(_ error: ValidationError, of command: [String]) -> Never {
            let name = (["tmine"] + command).joined(separator: " ")
            FileHandle.standardError.write(
                Data("Error: \(error.message)\n  See '\(name) --help' for more information.\n".utf8))
            end(ExitStatus.usage)
        }
        do {
            if let plain {
                do { return try plain.perform() } catch let error as ValidationError {
                    usage(error, of: Array(arguments.prefix(1)))
                }
            }
            var command = try parseAsRoot()
            do {
                // The one async command, by its type: a cast to `AsyncParsableCommand` had the
                // runtime scan every conformance record for `Run` (~0.1 ms).
                if let review = command as? ReviewCommand {
                    try AsyncCommand(review).runToEnd()
                } else {
                    try command.run()
                }
                if InputFailures.seen { end(ExitStatus.someInputsFailed) }
            } catch let error as ValidationError {
                usage(error, of: commandPath(to: type(of: command)) ?? [])
            }
        } catch let code as ExitCode {
            end(code)
        } catch {
            // ArgumentParser ends a usage error (an unknown option, a `ValidationError`) with
            // 64, EX_USAGE; DESIGN.md's code for one is 2.
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                end(ExitStatus.usage)
            }
            exit(withError: error)
        }
    }

    /// Ends the process with `code`, what has been printed flushed. Not `exit(withError:)`, which
    /// prints nothing for an exit code but first renders the root command's usage (ArgumentParser's
    /// reflection of every command): ~1.3 ms of every command that ended with 1, 2 or 3, twice
    /// over when `exitCode(for:)` had asked before it.
    private static func end(_ code: ExitCode) -> Never {
        Foundation.exit(code.rawValue)
    }
}

/// The names of the subcommands from `root` down to `command` (`lexicon convert`), nil when it
/// is not among them.
private func commandPath(to command: any ParsableCommand.Type, from root: any ParsableCommand.Type = TMine.self)
    -> [String]?
{
    if ObjectIdentifier(command) == ObjectIdentifier(root) { return [] }
    for sub in root.configuration.subcommands {
        if let path = commandPath(to: command, from: sub) {
            return [sub.configuration.commandName ?? String(describing: sub).lowercased()] + path
        }
    }
    return nil
}

/// An async command (`review`) run from the synchronous `main`, which waits for it to end.
private final class AsyncCommand: @unchecked Sendable {
    // Only the task reads and writes these while `main` waits on `finished`.
    private var command: any AsyncParsableCommand
    private var failure: Error?
    private let finished = DispatchSemaphore(value: 0)

    init(_ command: any AsyncParsableCommand) { self.command = command }

    func runToEnd() throws {
        Task.detached { [self] in
            do { try await command.run() } catch { failure = error }
            finished.signal()
        }
        finished.wait()
        if let failure { throw failure }
    }
}

/// Exit codes of DESIGN.md.
enum ExitStatus {
    static let someInputsFailed = ExitCode(1)
    static let usage = ExitCode(2)
    static let nothingProcessed = ExitCode(3)
}
