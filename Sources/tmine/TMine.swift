import ArgumentParser
import Corpus
import Pipeline

/// The `tmine` command line: parses arguments, calls the library, maps errors to exit codes.
@main
struct TMine: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tmine",
        abstract: "Explore interview transcripts: ingest, keyword in context, frequencies, suggested codes.",
        version: PipelineRunner.version,
        subcommands: [
            Init.self, Run.self, Validate.self, Extract.self, Tokens.self, Kwic.self, Freq.self, Decide.self,
            LexiconCommand.self, ReviewCommand.self, Export.self, AgreementCommand.self, FlushOutputs.self,
        ]
    )

    static func main() async {
        MemoryTuning.keepFreedMemory()
        await main(nil)
    }
}

/// Exit codes of DESIGN.md.
enum ExitStatus {
    static let someInputsFailed = ExitCode(1)
    static let usage = ExitCode(2)
    static let nothingProcessed = ExitCode(3)
}
