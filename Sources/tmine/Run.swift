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

    @Flag(
        name: .long,
        help: """
            Stay running: run again whenever the pipeline, its lexicon, participants, stopwords, \
            transcripts or coders' decisions change (Ctrl-C to stop). Implies --wait; --force is for the first run only.
            """)
    var watch = false

    /// What the arguments ask for.
    var request: RunRequest {
        RunRequest(
            pipeline: pipeline, force: force, only: only, wait: wait, quiet: quiet, logFormat: logFormat, watch: watch)
    }

    func run() throws { try request.perform() }
}

/// What `tmine run` was asked to do, and its doing: read by ArgumentParser (``Run``) or, in its
/// plain forms, without it (``init(plain:)``).
struct RunRequest: Equatable {
    var pipeline: String
    var force = false
    var only: String?
    var wait = false
    var quiet = false
    var logFormat: Run.LogFormat = .text
    var watch = false

    func perform() throws {
        // A misspelt argument first: nothing to read for it.
        let stages = ["kwic", "frequencies", "suggest"]
        if let only, !stages.contains(only) {
            // `suggestions`, `freq`: a stage's name with more or less of it.
            let near =
                (stages.first { only.hasPrefix($0) || $0.hasPrefix(only) } ?? Spelling.closest(to: only, in: stages))
                .map { ", not \"\(only)\"; did you mean \"\($0)\"?" }
            throw ValidationError("--only takes kwic, frequencies or suggest" + (near ?? ""))
        }
        // Then the pipeline's problems (not for --watch, which reports them and waits for them
        // to be fixed).
        let configuration = watch ? nil : try readPipeline(pipeline)
        var options = PipelineRunner.Options()
        options.force = force
        options.only = only
        options.wait = wait || watch
        // Replaced files are left for the flush started when a run ends (see `finish`).
        options.setAsideReplacedFiles = OutputFlush.deferred
        let reporter = ProgressReporter(enabled: !quiet, json: logFormat == .json)
        options.progress = { done, total in reporter.update(done: done, total: total) }
        guard let configuration else {
            // Each round's state is freed before the next: the process does not end with the run.
            watchPipeline(options: options, reporter: reporter)
            return
        }
        options.endsWithProcess = true
        let report: RunReport
        do {
            report = try PipelineRunner(configuration: configuration, options: options).run()
        } catch {
            reporter.finish()
            OutputFlush.removeSetAside(in: configuration.outputFolder)
            printError(error.description)
            throw ExitStatus.usage
        }
        finish(report, configuration: configuration, reporter: reporter)
        if !report.failures.isEmpty {
            throw report.corpus.documents == 0 ? ExitStatus.nothingProcessed : ExitStatus.someInputsFailed
        }
        if report.corpus.documents == 0 { throw ExitStatus.nothingProcessed }
    }

    /// `--watch`: runs until the process is stopped; a round that fails is reported and waited past.
    private func watchPipeline(options: PipelineRunner.Options, reporter: ProgressReporter) {
        // Stopped by a signal: a parent that blocked them (a test runner's thread) passes its
        // mask on, and a watch that ignores Ctrl-C would have to be killed.
        var stops = sigset_t()
        sigemptyset(&stops)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&stops, signal) }
        pthread_sigmask(SIG_UNBLOCK, &stops, nil)
        var announced = false
        PipelineWatch.run(pipeline: pipeline, options: options, first: PipelinePrefetch.take(pipeline)) { event in
            switch event {
            case .unreadable(let errors):
                printError(errors.description)
            case .ran(let report, let configuration):
                finish(report, configuration: configuration, reporter: reporter)
            case .failed(let error):
                reporter.finish()
                printError(error.description)
            case .waiting(let watched):
                if !quiet, !announced, logFormat == .text {
                    printError("watching \(watched.folders.count) folders for changes (Ctrl-C to stop)")
                    announced = true
                }
            case .changed:
                reporter.restart()
            }
        }
    }

    /// After a run: its failures and summary printed, then its outputs flushed in the background
    /// (printed first: the summary is what a researcher watching waits for).
    private func finish(_ report: RunReport, configuration: PipelineConfiguration, reporter: ProgressReporter) {
        reporter.finish()
        for failure in report.failures { printError(failure.message) }
        for warning in report.warnings { printError("warning: " + warning) }
        if !quiet {
            if logFormat == .json {
                printError(
                    String(decoding: (try? Outputs.json(report, pretty: false)) ?? Data(), as: UTF8.self)
                        .trimmingCharacters(in: .newlines))
            } else {
                printError(summary(report, folder: configuration.outputFolder))
            }
        }
        OutputFlush.afterRun(wrote: report.outputs, executable: executablePath, out: configuration.outputFolder)
    }

    private func summary(_ report: RunReport, folder: String) -> String {
        var lines: [String] = []
        lines.append(
            "\(report.study): \(report.corpus.documents.counted("document")), \(report.corpus.turns.counted("turn")), "
                + "\(report.corpus.participantTokens.counted("participant token")), \(report.failures.count) failed "
                + "(\(FixedPoint.string(report.seconds, digits: 2)) s)")
        for stage in report.stages where stage.wrote {
            var line = "  \(stage.name): \(stage.ran.count) ran, \(stage.cached.count) cached"
            if stage.name == "kwic", let queries = report.kwic {
                let hits = queries.reduce(0) { $0 + $1.hits }
                line +=
                    "; \(hits.counted("hit")) of \(queries.count.counted("query", plural: "queries"))"
            }
            if stage.name == "suggest", let suggestions = report.suggestions {
                line += "; " + suggestions.changeSummary
            }
            lines.append(line)
        }
        if !report.stages.contains(where: \.wrote) {
            lines.append("  nothing changed since the last run: every output kept as it was")
        }
        lines.append("outputs in \(folder)/: " + joined(report.outputs, separator: ", "))
        return joined(lines, separator: "\n")
    }
}

extension RunRequest: PlainRequest {
    /// `tmine run` with one pipeline and any of its flags and options (``PlainArguments``): the
    /// request as ArgumentParser would read it (a test holds it to that), read without it.
    init?(plain arguments: [String]) {
        guard
            let plain = PlainArguments(
                arguments, command: "run", flags: ["--force", "--wait", "--quiet", "--watch"],
                options: ["--only", "--log-format"]),
            plain.positionals.count == 1
        else { return nil }
        self.init(pipeline: plain.positionals[0])
        (force, wait, quiet, watch) = (
            plain.has("--force"), plain.has("--wait"), plain.has("--quiet"), plain.has("--watch")
        )
        only = plain.values["--only"]
        if let format = plain.values["--log-format"] {
            guard let format = Run.LogFormat(rawValue: format) else { return nil }
            logFormat = format
        }
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
    private var start = Date()
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
                writeStandardError("\r" + text + "\u{1B}[K")
                drawn = true
            }
        }
    }

    /// Rates from now on (the next run of `--watch`).
    func restart() {
        lock.withLock {
            start = Date()
            last = .distantPast
        }
    }

    func finish() {
        lock.withLock {
            if drawn { writeStandardError("\r\u{1B}[K") }
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

    func run() throws { try request.perform() }

    var request: FlushRequest { FlushRequest(folder: folder) }
}

/// What `tmine flush-outputs` does. Each run starts it in the background with exactly one out
/// folder, read plainly: through ArgumentParser it spent ~2.5 ms of CPU (of ~9) parsing, beside
/// the next run.
struct FlushRequest: PlainRequest, Equatable {
    var folder: String

    init(folder: String) { self.folder = folder }

    init?(plain arguments: [String]) {
        guard let plain = PlainArguments(arguments, command: "flush-outputs", flags: [], options: []),
            plain.positionals.count == 1
        else { return nil }
        folder = plain.positionals[0]
    }

    func perform() throws { OutputFlush.flush(in: folder) }
}

/// This executable's path, to start it again (Linux names it under /proc; elsewhere the path it was started by).
private var executablePath: String {
    FileManager.default.fileExists(atPath: "/proc/self/exe") ? "/proc/self/exe" : CommandLine.arguments[0]
}
