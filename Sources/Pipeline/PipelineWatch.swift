import Foundation

/// `tmine run --watch`: a pipeline run, then run again each time something it reads changes
/// (``WatchedInputs``), in the same process: a researcher editing the lexicon sees every save's
/// suggestions and report without starting the tool again. Each run is an ordinary
/// ``PipelineRunner`` run, taking the out folder's lock, so what it keeps and rebuilds is
/// exactly what `tmine run` would.
public enum PipelineWatch {
    /// What happened in a round, for the command to print.
    public enum Event: Sendable {
        /// The pipeline (or its lexicon) could not be read; the files the errors name are watched.
        case unreadable(PipelineErrors)
        case ran(RunReport, PipelineConfiguration)
        case failed(PipelineError)
        /// Waiting for the next change.
        case waiting(WatchedInputs)
        /// A change was seen: these paths (the next round begins).
        case changed([String])
    }

    /// Reads and runs `pipeline`, then waits for a change and does it again, `rounds` times
    /// (forever when nil). `first` is the first reading, when the caller has it. `force` is for
    /// the first run only: the runs after it reuse what it made.
    public static func run(
        pipeline: String, options firstOptions: PipelineRunner.Options, watcher: InputWatcher = InputWatcher(),
        first: Result<PipelineConfiguration, PipelineErrors>? = nil, rounds: Int? = nil,
        report: (Event) -> Void
    ) {
        var reading = first ?? Result { () throws(PipelineErrors) in try PipelineReader.read(pipeline) }
        var lastRead: WatchedInputs?
        var options = firstOptions
        var round = 0
        while true {
            round += 1
            let watched: WatchedInputs
            switch reading {
            case .failure(let errors):
                watched = WatchedInputs(failedReading: pipeline, errors: errors, previous: lastRead)
                watcher.watch(watched)
                report(.unreadable(errors))
            case .success(let configuration):
                watched = WatchedInputs(configuration: configuration)
                lastRead = watched
                // Watched before the run: what changes while it runs starts the next one.
                watcher.watch(watched)
                do {
                    report(
                        .ran(try PipelineRunner(configuration: configuration, options: options).run(), configuration))
                } catch {
                    report(.failed(error))
                }
                options.force = false
            }
            if let rounds, round >= rounds { return }
            report(.waiting(watched))
            report(.changed(watcher.next()))
            reading = Result { () throws(PipelineErrors) in try PipelineReader.read(pipeline) }
        }
    }
}
