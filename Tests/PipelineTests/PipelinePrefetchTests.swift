import Foundation
import Testing

@testable import Pipeline

/// Serialized: the prefetch is one process-wide slot, and a test's `start` between another's
/// `start` and `take` took that one's reading away (a test failed so under load).
@Suite(.serialized) struct PipelinePrefetchTests {
    /// The reading started for a path is given to the command asking for that path, once, and
    /// is the reader's own reading of it; a command asking for another path gets none.
    @Test func aPrefetchedPipelineIsGivenOnceAndOnlyForItsPath() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        PipelinePrefetch.start(workspace.pipeline)
        #expect(PipelinePrefetch.take(workspace.pipeline + ".other") == nil)
        let prefetched = try #require(PipelinePrefetch.take(workspace.pipeline))
        #expect(try prefetched.get() == PipelineReader.read(workspace.pipeline))
        #expect(try prefetched.get().suggest?.lexicon.codes.isEmpty == false)
        #expect(PipelinePrefetch.take(workspace.pipeline) == nil, "a reading is given once")
    }

    /// A pipeline that cannot be read fails in the prefetch as it fails when read at once.
    @Test func aPrefetchedPipelineFailsAsTheReaderFails() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let broken = workspace.root.appendingPathComponent("broken.yaml").path
        try "study: x\nstages:\n  - suggest: {lexicon: missing.yaml}\n  - nonsense: 1\n".write(
            toFile: broken, atomically: true, encoding: .utf8)
        for path in [broken, workspace.root.appendingPathComponent("absent.yaml").path] {
            PipelinePrefetch.start(path)
            let prefetched = try #require(PipelinePrefetch.take(path))
            var direct = ""
            do { _ = try PipelineReader.read(path) } catch { direct = error.description }
            #expect(!direct.isEmpty)
            #expect(throws: PipelineErrors.self) { try prefetched.get() }
            if case .failure(let error) = prefetched { #expect(error.description == direct) }
        }
    }

    /// The path is guessed from the raw arguments as ArgumentParser reads `run`'s: its one
    /// positional, past options and the values of those that take one.
    @Test func runsPipelineArgumentIsItsPositionalPastOptions() {
        let cases: [([String], String?)] = [
            (["run", "p.yaml"], "p.yaml"),
            (["run", "--force", "p.yaml"], "p.yaml"),
            (["run", "p.yaml", "--only", "kwic"], "p.yaml"),
            (["run", "--only", "kwic", "p.yaml"], "p.yaml"),
            (["run", "--only=kwic", "p.yaml"], "p.yaml"),
            (["run", "--log-format", "json", "--quiet", "--wait", "p.yaml"], "p.yaml"),
            (["run", "--", "-dash.yaml"], "-dash.yaml"),
            (["run"], nil), (["run", "--only"], nil), (["run", "--force"], nil),
            (["validate", "p.yaml"], nil), (["kwic", "run", "p.yaml"], nil), ([], nil),
        ]
        for (arguments, expected) in cases {
            #expect(PipelinePrefetch.runPipelineArgument(arguments) == expected, "\(arguments)")
        }
    }

    /// The options the guess skips a value after are the ones `tmine run --help` lists with a
    /// value: an option added to `run` and not to the guess fails here.
    @Test func theGuessKnowsEveryOptionOfRunThatTakesAValue() throws {
        let (status, help) = try runProcess(try tmineExecutable().path, ["run", "--help"])
        #expect(status == 0, "\(help)")
        let options = help.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ")
            guard let first = words.first, first.hasPrefix("--"), words.count > 1, words[1].hasPrefix("<") else {
                return nil
            }
            return String(first)
        }
        #expect(!options.isEmpty, "no option with a value in: \(help)")
        #expect(Set(options) == PipelinePrefetch.runOptionsTakingValues)
    }
}
