import Corpus
import Testing

@testable import tmine

struct PlainArgumentsTests {
    /// ArgumentParser's reading of the arguments, from the root, as `tmine` parses them.
    private func parsed(_ arguments: [String]) -> RunRequest? {
        (try? TMine.parseAsRoot(arguments) as? Run)?.request
    }

    private func parsedExtract(_ arguments: [String]) -> ExtractRequest? {
        (try? TMine.parseAsRoot(arguments) as? Extract)?.request
    }

    private func parsedFlush(_ arguments: [String]) -> FlushRequest? {
        (try? TMine.parseAsRoot(arguments) as? FlushOutputs)?.request
    }

    /// The plain forms of `tmine run` are read without ArgumentParser, as it reads them.
    @Test func plainRunArgumentsAreReadAsArgumentParserReadsThem() throws {
        for arguments in [
            ["run", "study.yaml"],
            ["run", "study.yaml", "--quiet"],
            ["run", "--force", "Pipelines/a b.yaml", "--log-format", "json"],
            ["run", "p.yaml", "--only", "suggest", "--wait", "--watch", "--log-format", "text"],
            ["run", "--only", "bogus", "p.yaml"],  // refused by the command, not the parser
        ] {
            let plain = try #require(RunRequest(plain: arguments), "\(arguments)")
            #expect(plain == parsed(arguments), "\(arguments)")
        }
    }

    /// Everything else is left to ArgumentParser: help, errors, other commands, forms it may
    /// read otherwise.
    @Test func otherArgumentsAreLeftToArgumentParser() {
        for arguments in [
            [], ["--version"], ["validate", "p.yaml"], ["run"], ["run", "--help"], ["run", "-h"], ["run", "help"],
            ["run", "p.yaml", "--help"], ["run", "a.yaml", "b.yaml"], ["run", "p.yaml", "--quiet", "--quiet"],
            ["run", "p.yaml", "--log-format", "xml"], ["run", "p.yaml", "--log-format"],
            ["run", "--only=kwic", "p.yaml"],
            ["run", "p.yaml", "--only", "--quiet"], ["run", "--", "-p.yaml"], ["run", "p.yaml", "--bogus"],
            ["run", "p.yaml", "-q"],
        ] {
            #expect(RunRequest(plain: arguments) == nil, "\(arguments)")
        }
    }

    /// Random arguments: wherever the plain reading takes them, ArgumentParser reads them alike.
    @Test func randomArgumentsReadPlainlyAreReadAlikeByArgumentParser() {
        let tokens = [
            "p.yaml", "q.yaml", "--force", "--wait", "--quiet", "--watch", "--only", "kwic", "--log-format", "json",
            "text", "xml", "--", "-h", "help", "--only=kwic", "-", "--help", "--version",
        ]
        var random = SplitMixGenerator(seed: 20_261_203)
        var taken = 0
        for _ in 0..<3_000 {
            let arguments = ["run"] + (0..<Int.random(in: 0...6, using: &random)).map { _ in tokens.randomElement()! }
            guard let plain = RunRequest(plain: arguments) else { continue }
            taken += 1
            #expect(plain == parsed(arguments), "\(arguments)")
        }
        #expect(taken > 100, "\(taken)")
    }

    /// The plain forms of `tmine extract` likewise: inputs, `--format`, `--participants`,
    /// `--replace-invalid`; `--include` and the rest are left to ArgumentParser.
    @Test func plainExtractArgumentsAreReadAsArgumentParserReadsThem() throws {
        for arguments in [
            ["extract", "a.docx"],
            ["extract", "docx", "--format", "plain"],
            ["extract", "a.vtt", "--participants", "p.csv", "b.trs", "--replace-invalid", "--format", "json"],
            ["extract", "a.txt", "--fallback-encoding", "windows-1252"],
        ] {
            let plain = try #require(ExtractRequest(plain: arguments), "\(arguments)")
            #expect(plain == parsedExtract(arguments), "\(arguments)")
        }
        for arguments in [
            ["extract"], ["extract", "--format", "plain"], ["extract", "a.docx", "--include", "headers"],
            ["extract", "a.docx", "--format", "xml"], ["extract", "a.docx", "--format=json"], ["extract", "-h"],
            ["extract", "help"], ["run", "a.docx"],
        ] {
            #expect(ExtractRequest(plain: arguments) == nil, "\(arguments)")
        }
        let tokens = [
            "a.docx", "b.vtt", "--format", "json", "plain", "text", "xml", "--participants", "p.csv", "--include",
            "headers", "--replace-invalid", "--", "-h", "help", "--format=json", "--fallback-encoding", "cp1252",
        ]
        var random = SplitMixGenerator(seed: 20_261_204)
        var taken = 0
        for _ in 0..<3_000 {
            let arguments =
                ["extract"]
                + (0..<Int.random(in: 0...6, using: &random)).map { _ in tokens.randomElement(using: &random)! }
            guard let plain = ExtractRequest(plain: arguments) else { continue }
            taken += 1
            #expect(plain == parsedExtract(arguments), "\(arguments)")
        }
        #expect(taken > 100, "\(taken)")
    }

    /// The background flush each run starts (`flush-outputs OUT`) is read as ArgumentParser
    /// reads it; anything else is left to it.
    @Test func theFlushesArgumentsAreReadAsArgumentParserReadsThem() throws {
        for arguments in [["flush-outputs", "out/study"], ["flush-outputs", "/tmp/a b/out"]] {
            let plain = try #require(FlushRequest(plain: arguments), "\(arguments)")
            #expect(plain == parsedFlush(arguments), "\(arguments)")
        }
        for arguments in [
            ["flush-outputs"], ["flush-outputs", "a", "b"], ["flush-outputs", "-h"], ["flush-outputs", "help"],
            ["flush-outputs", "--", "-out"], ["flush-outputs", "out", "--quiet"], ["run", "out"],
        ] {
            #expect(FlushRequest(plain: arguments) == nil, "\(arguments)")
        }
    }
}
