import ArgumentParser
import Corpus
import Foundation
import Pipeline

/// `tmine run`: run a pipeline file.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline: ingest, tokenise, analyse; write the out folder.",
        discussion: "Only new or changed work is done: each document's results are cached by content and settings.")

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    @Flag(name: .long, help: "Ignore cached results.")
    var force = false

    @Option(name: .long, help: "Run and write only this stage: kwic, frequencies or suggest.")
    var only: String?

    @Flag(name: .long, help: "Wait for another run on the same out folder instead of failing.")
    var wait = false

    @Flag(name: .long, help: "No progress and no summary.")
    var quiet = false

    @Option(name: .long, help: "Log format on stderr: text (default) or json (one object per line).")
    var logFormat: LogFormat = .text

    enum LogFormat: String, ExpressibleByArgument { case text, json }

    func run() throws {
        let configuration = try readPipeline(pipeline)
        if let only, !["kwic", "frequencies", "suggest"].contains(only) {
            throw ValidationError("--only takes kwic, frequencies or suggest")
        }
        var options = PipelineRunner.Options()
        options.force = force
        options.only = only
        options.wait = wait
        options.endsWithProcess = true
        let reporter = ProgressReporter(enabled: !quiet, json: logFormat == .json)
        options.progress = { done, total in reporter.update(done: done, total: total) }
        let report: RunReport
        do {
            report = try PipelineRunner(configuration: configuration, options: options).run()
        } catch {
            reporter.finish()
            printError(error.description)
            throw ExitStatus.usage
        }
        reporter.finish()
        if report.outputs.contains(where: { $0 != "run-report.json" }) {
            OutputFlush.startInBackground(executable: executablePath, out: configuration.outputFolder)
        }
        for failure in report.failures { printError(failure.message) }
        if !quiet {
            if logFormat == .json {
                printError(
                    String(decoding: (try? Outputs.json(report, pretty: false)) ?? Data(), as: UTF8.self)
                        .trimmingCharacters(in: .newlines))
            } else {
                printError(summary(report, folder: configuration.outputFolder))
            }
        }
        if !report.failures.isEmpty {
            throw report.corpus.documents == 0 ? ExitStatus.nothingProcessed : ExitStatus.someInputsFailed
        }
        if report.corpus.documents == 0 { throw ExitStatus.nothingProcessed }
    }

    private func summary(_ report: RunReport, folder: String) -> String {
        var lines: [String] = []
        lines.append(
            "\(report.study): \(report.corpus.documents) documents, \(report.corpus.turns) turns, "
                + "\(report.corpus.participantTokens) participant tokens, \(report.failures.count) failed "
                + "(\(FixedPoint.string(report.seconds, digits: 2)) s)")
        for stage in report.stages where stage.wrote {
            lines.append("  \(stage.name): \(stage.ran.count) ran, \(stage.cached.count) cached")
        }
        if !report.stages.contains(where: \.wrote) {
            lines.append("  nothing changed since the last run: every output kept as it was")
        }
        lines.append("outputs in \(folder)/: " + report.outputs.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}

/// Reads a pipeline file, printing every problem and exiting 2 when there are any.
func readPipeline(_ path: String) throws -> PipelineConfiguration {
    do {
        if let prefetched = PipelinePrefetch.take(path) { return try prefetched.get() }
        return try PipelineReader.read(path)
    } catch {
        printError(error.description)
        throw ExitStatus.usage
    }
}

/// Progress on stderr: a line redrawn in place on a terminal, JSON lines for schedulers.
final class ProgressReporter: @unchecked Sendable {
    private let enabled: Bool
    private let json: Bool
    private let terminal = isatty(2) == 1
    private let start = Date()
    private var last = Date.distantPast
    private var drawn = false
    private let lock = NSLock()

    init(enabled: Bool, json: Bool) {
        self.enabled = enabled
        self.json = json
    }

    func update(done: Int, total: Int) {
        guard enabled, json || terminal else { return }
        lock.withLock {
            let now = Date()
            guard done == total || now.timeIntervalSince(last) > 0.2 else { return }
            last = now
            let elapsed = now.timeIntervalSince(start)
            let rate = elapsed > 0 ? Double(done) / elapsed : 0
            let left = rate > 0 ? Double(total - done) / rate : 0
            if json {
                printError(
                    "{\"event\":\"progress\",\"done\":\(done),\"total\":\(total),\"seconds\":\(FixedPoint.string(elapsed, digits: 2))}"
                )
            } else {
                let text =
                    "\(done)/\(total) documents, \(FixedPoint.string(rate, digits: 1))/s, \(FixedPoint.string(left, digits: 0)) s left"
                FileHandle.standardError.write(Data(("\r" + text + "\u{1B}[K").utf8))
                drawn = true
            }
        }
    }

    func finish() {
        lock.withLock {
            if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            drawn = false
        }
    }
}

/// `tmine flush-outputs`: forces a run's outputs to disk and records it (see
/// ``Pipeline/OutputFlush``). Started by `tmine run` in the background; not listed in the help.
struct FlushOutputs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flush-outputs", abstract: "Force a run's outputs to disk.", shouldDisplay: false)

    @Argument(help: "The out folder of the study (holding .cache/manifest.json).")
    var folder: String

    func run() throws {
        OutputFlush.flush(in: folder)
    }
}

/// This executable's path, to start it again (Linux names it under /proc; elsewhere the path it was started by).
private var executablePath: String {
    FileManager.default.fileExists(atPath: "/proc/self/exe") ? "/proc/self/exe" : CommandLine.arguments[0]
}
