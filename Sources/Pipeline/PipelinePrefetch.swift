import Foundation

/// A pipeline file read on another thread while ArgumentParser is still parsing the command line
/// (the plain forms of `tmine run` are read without it, and need no prefetch): parsing keeps the
/// main thread ~3 ms (its reflection, most of it the runtime's first conformance lookups), and
/// reading the pipeline and its lexicon ~2.5 ms, so a run does not wait for both one after the
/// other. (The reading begins 1–2 ms after
/// it is started, on a thread of its own as on a dispatch queue: the other core wakes slowly.)
///
/// Nothing is shared but the result: the command asks for the path it parsed, and takes the
/// prefetched reading only when it is of that very path (else, or when none was started, it reads
/// the file itself). A reading is taken once, so a later read of the same file reads it again.
public enum PipelinePrefetch {
    private final class Slot: @unchecked Sendable {
        let lock = NSLock()
        var pending: (path: String, reading: Deferred<Result<PipelineConfiguration, PipelineErrors>>)?
    }
    private static let slot = Slot()

    /// Starts reading the pipeline at `path` (and what it names: lexicon, stopwords) on another thread.
    public static func start(_ path: String) {
        let reading = Deferred { Result { () throws(PipelineErrors) in try PipelineReader.read(path) } }
        slot.lock.withLock { slot.pending = (path, reading) }
    }

    /// The reading of `path` that `start` began, waited for and given once; nil when none was
    /// started for that path.
    public static func take(_ path: String) -> Result<PipelineConfiguration, PipelineErrors>? {
        let reading = slot.lock.withLock { () -> Deferred<Result<PipelineConfiguration, PipelineErrors>>? in
            guard let pending = slot.pending, pending.path == path else { return nil }
            slot.pending = nil
            return pending.reading
        }
        return reading?.value
    }

    /// `tmine run`'s options that take a value (`--only kwic`; `--only=kwic` is one argument).
    static let runOptionsTakingValues: Set<String> = ["--only", "--log-format"]

    /// The pipeline path of `run PIPELINE [options]` as ArgumentParser will parse it, from the
    /// raw arguments (without the executable), or nil for any other command. A guess that is
    /// wrong costs only the prefetch: the command reads the path it parsed.
    public static func runPipelineArgument(_ arguments: some Collection<String>) -> String? {
        guard arguments.first == "run" else { return nil }
        var rest = arguments.dropFirst()[...]
        while let argument = rest.popFirst() {
            if argument == "--" { return rest.first }
            if argument.hasPrefix("-") {
                if runOptionsTakingValues.contains(argument) { _ = rest.popFirst() }
                continue
            }
            return argument
        }
        return nil
    }
}
