import Foundation
import Testing

@testable import Pipeline

/// `tmine run --watch`: what wakes the watcher, what does not, and the runs it makes.
@Suite struct WatchTests {
    /// The watcher of a scratch study, watching what its pipeline reads.
    private func watching(_ workspace: Workspace, polling: Bool) throws -> InputWatcher {
        let watcher = InputWatcher(polling: polling, interval: 0.05)
        watcher.watch(WatchedInputs(configuration: try PipelineReader.read(workspace.pipeline)))
        return watcher
    }

    @Test(arguments: [false, true])
    func aLexiconSavedByRenamingANewFileOverItIsSeen(polling: Bool) throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let watcher = try watching(workspace, polling: polling)
        try workspace.editLexicon { $0.replacingOccurrences(of: "patterns: [hype,", with: "patterns: [hype, zqxjv,") }
        #expect(watcher.next(timeout: 5).contains(standardizedPath(workspace.lexicon)))
    }

    /// The loop reads the pipeline again, then watches what it names: a save in between is
    /// reported by the next wait, not lost.
    @Test(arguments: [false, true])
    func aSaveBeforeTheWatchIsRenewedIsStillSeen(polling: Bool) throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let watcher = try watching(workspace, polling: polling)
        try workspace.editLexicon { $0.replacingOccurrences(of: "patterns: [hype,", with: "patterns: [hype, zqxjv,") }
        watcher.watch(WatchedInputs(configuration: try PipelineReader.read(workspace.pipeline)))
        #expect(watcher.next(timeout: 5).contains(standardizedPath(workspace.lexicon)))
    }

    /// A linked folder the run lists (see `Ingestor.walk`) is watched too: a transcript saved
    /// in it is seen.
    @Test(arguments: [false, true])
    func aNewTranscriptInALinkedFolderIsSeen(polling: Bool) throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let shared = workspace.root.appendingPathComponent("shared drive")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: workspace.corpus("site B").path, withDestinationPath: shared.path)
        let linked = standardizedPath(workspace.corpus("site B").path)
        #expect(
            WatchedInputs(configuration: try PipelineReader.read(workspace.pipeline)).transcriptFolders.contains(linked)
        )
        let watcher = try watching(workspace, polling: polling)
        try FileManager.default.copyItem(
            at: workspace.corpus("interview-11.txt"), to: shared.appendingPathComponent("interview-12.txt"))
        // Polling also sees the link's entry change (its folder's times, through the link).
        #expect(watcher.next(timeout: 5).contains(linked + "/interview-12.txt"))
    }

    /// A subfolder made readable (or unreadable) is a change: the run then reads its transcripts
    /// (or says it cannot). A transcript's mode alone is not (`cp` sets the mode of what it wrote).
    @Test(arguments: [false, true])
    func aSubfoldersChangeOfModeIsSeen(polling: Bool) throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let folder = workspace.corpus("site C")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let watcher = try watching(workspace, polling: polling)
        if !polling {
            #expect(chmod(workspace.corpus("interview-11.txt").path, 0o600) == 0)
            #expect(watcher.next(timeout: 0.5) == [])
        }
        #expect(chmod(folder.path, 0o700) == 0)
        #expect(watcher.next(timeout: 5).contains(standardizedPath(folder.path)))
    }

    /// The pipeline's input folder itself, whose parent is not watched, made unreadable and
    /// readable again: each is a change (through inotify; polling compares what a folder lists,
    /// which its mode changes only for a user it locks out). Its times alone are none.
    @Test func anInputFoldersOwnChangeOfModeIsSeen() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let root = workspace.root.appendingPathComponent("corpus")
        let watcher = try watching(workspace, polling: false)
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: 0)], ofItemAtPath: root.path)
        #expect(watcher.next(timeout: 0.5) == [])
        #expect(chmod(root.path, 0o311) == 0)
        #expect(watcher.next(timeout: 5) == [standardizedPath(root.path)])
        #expect(chmod(root.path, 0o755) == 0)
        #expect(watcher.next(timeout: 5) == [standardizedPath(root.path)])
    }

    @Test(arguments: [false, true])
    func aNewTranscriptIsSeenButNotOtherFilesBesideIt(polling: Bool) throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let watcher = try watching(workspace, polling: polling)
        for name in ["notes.md", ".interview-11.txt.swp", "~$interview-12.docx"] {
            try Data("x".utf8).write(to: workspace.corpus(name))
        }
        #expect(watcher.next(timeout: 0.5) == [])
        try FileManager.default.copyItem(
            at: workspace.corpus("interview-11.txt"), to: workspace.corpus("interview-12.txt"))
        #expect(watcher.next(timeout: 5) == [standardizedPath(workspace.corpus("interview-12.txt").path)])
    }

    @Test(arguments: [false, true])
    func aRunsOwnWritesWakeNothing(polling: Bool) throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let watcher = try watching(workspace, polling: polling)
        try workspace.editLexicon { $0.replacingOccurrences(of: "patterns: [hype,", with: "patterns: [hype, zqxjv,") }
        #expect(!watcher.next(timeout: 5).isEmpty)
        let report = try workspace.run()
        #expect(report.stage("suggest")?.wrote == true)
        #expect(watcher.next(timeout: 0.5) == [])
    }

    @Test(arguments: [false, true])
    func aDecisionLogInAFolderMadeAfterWatchingBeganIsSeen(polling: Bool) throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let decisions = workspace.out.appendingPathComponent("decisions")
        #expect(!FileManager.default.fileExists(atPath: decisions.path))
        let watcher = try watching(workspace, polling: polling)
        try FileManager.default.createDirectory(at: decisions, withIntermediateDirectories: true)
        #expect(!watcher.next(timeout: 5).isEmpty)
        // Watched for again, as a run after the change does.
        watcher.watch(WatchedInputs(configuration: try PipelineReader.read(workspace.pipeline)))
        try Data("[]".utf8).write(to: decisions.appendingPathComponent("alice.json"))
        #expect(watcher.next(timeout: 5) == [standardizedPath(decisions.appendingPathComponent("alice.json").path)])
    }

    @Test func aTranscriptStillBeingWrittenIsSeenOnceClosed() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let watcher = try watching(workspace, polling: false)
        let path = workspace.corpus("interview-12.txt").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(descriptor >= 0)
        let half = Array("Helen Carter: How did you".utf8)
        #expect(write(descriptor, half, half.count) == half.count)
        #expect(watcher.next(timeout: 0.5) == [])
        close(descriptor)
        #expect(watcher.next(timeout: 5) == [standardizedPath(path)])
    }

    /// A file's mode or times changed alone changes nothing a run reads: `cp` sets the mode of
    /// the file it has just written, which started a second run with nothing to do.
    @Test func aModeOrTimesChangedAloneWakeNothing() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let watcher = try watching(workspace, polling: false)
        #expect(chmod(workspace.lexicon, 0o600) == 0)
        #expect(utimes(workspace.corpus("interview-11.txt").path, nil) == 0)
        #expect(watcher.next(timeout: 0.5) == [])
    }

    @Test func watchingRunsAgainAfterEachLexiconSave() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        var reports: [RunReport] = []
        var events: [String] = []
        // Forced, the first run reads every transcript again; the next reuses what it made.
        var forced = PipelineRunner.Options()
        forced.force = true
        PipelineWatch.run(pipeline: workspace.pipeline, options: forced, rounds: 2) { event in
            switch event {
            case .ran(let report, _):
                reports.append(report)
                events.append("ran")
            case .waiting:
                events.append("waiting")
                try? workspace.editLexicon {
                    $0.replacingOccurrences(of: "patterns: [hype,", with: "patterns: [hype, protected,")
                }
            case .changed(let paths):
                events.append("changed")
                #expect(paths.contains(standardizedPath(workspace.lexicon)))
            case .unreadable, .failed:
                events.append("\(event)")
            }
        }
        #expect(events == ["ran", "waiting", "changed", "ran"])
        try #require(reports.count == 2)
        #expect(reports[0].stage("ingest")?.ran.count == 11)
        // The second run read no transcript again and matched only the edited code again.
        #expect(reports[1].stage("ingest")?.ran.isEmpty == true)
        #expect(reports[1].stage("suggest")?.wrote == true)
        let suggestions = try String(decoding: workspace.output("suggestions.json"), as: UTF8.self)
        #expect(suggestions.contains("\"pattern\":\"protected\""))
        // What a run started afresh writes.
        try workspace.expectAFreshRunWritesTheSame()
    }

    @Test func aBrokenLexiconIsReportedAndItsFixRunsAgain() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let original = try String(contentsOfFile: workspace.lexicon, encoding: .utf8)
        var events: [String] = []
        var waits = 0
        PipelineWatch.run(pipeline: workspace.pipeline, options: PipelineRunner.Options(), rounds: 3) { event in
            switch event {
            case .ran: events.append("ran")
            case .unreadable(let errors):
                events.append("unreadable")
                #expect(errors.errors.contains { standardizedPath($0.file) == standardizedPath(workspace.lexicon) })
            case .failed(let error): events.append("failed: \(error)")
            case .changed: break
            case .waiting:
                waits += 1
                try?
                    (waits == 1
                    ? original.replacingOccurrences(of: "patterns: [hype,", with: "patterns: [\"hype,") : original)
                    .write(toFile: workspace.lexicon, atomically: true, encoding: .utf8)
            }
        }
        #expect(events == ["ran", "unreadable", "ran"])
    }
}

/// The command itself: `tmine run --watch` runs, then runs again after a save, in one process.
@Suite struct WatchCommandTests {
    /// Lines a process writes, as they come.
    private final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        private var partial = Data()

        func add(_ data: Data) {
            lock.withLock {
                partial += data
                while let newline = partial.firstIndex(of: 0x0A) {
                    lines.append(String(decoding: partial[partial.startIndex..<newline], as: UTF8.self))
                    partial = Data(partial[(newline + 1)...])
                }
            }
        }

        /// Waits up to `seconds` for `count` lines that `isWanted`.
        func wait(for count: Int, seconds: Double, where isWanted: (String) -> Bool) -> [String] {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let found = lock.withLock { lines.filter(isWanted) }
                if found.count >= count { return found }
                Thread.sleep(forTimeInterval: 0.02)
            }
            return lock.withLock { lines.filter(isWanted) }
        }
    }

    @Test func runWatchRunsAgainAfterALexiconSave() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let process = Process()
        process.executableURL = try tmineExecutable()
        process.arguments = ["run", "--watch", workspace.pipeline, "--log-format", "json"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let lines = Lines()
        errors.fileHandleForReading.readabilityHandler = { lines.add($0.availableData) }
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            errors.fileHandleForReading.readabilityHandler = nil
        }
        let isReport = { (line: String) in line.contains("\"stages\"") }
        try #require(lines.wait(for: 1, seconds: 60, where: isReport).count == 1)
        try workspace.editLexicon {
            $0.replacingOccurrences(of: "patterns: [hype,", with: "patterns: [hype, protected,")
        }
        let reports = lines.wait(for: 2, seconds: 60, where: isReport)
        try #require(reports.count == 2)
        let second = try JSONDecoder().decode(RunReport.self, from: Data(reports[1].utf8))
        #expect(second.stage("ingest")?.ran.isEmpty == true)
        #expect(second.stage("suggest")?.wrote == true)
        #expect(process.isRunning)
        let suggestions = try String(decoding: workspace.output("suggestions.json"), as: UTF8.self)
        #expect(suggestions.contains("\"pattern\":\"protected\""))
        // The flushes it started are reaped as they end, not left as zombies while it watches.
        try workspace.editLexicon {
            $0.replacingOccurrences(of: "patterns: [hype, protected,", with: "patterns: [hype,")
        }
        try #require(lines.wait(for: 3, seconds: 60, where: isReport).count == 3)
        let reaped = Date().addingTimeInterval(30)
        while !children(of: process.processIdentifier).isEmpty, Date() < reaped {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(children(of: process.processIdentifier).isEmpty)
        // Stopped as Ctrl-C or a scheduler stops it, even by a parent that blocks the signal.
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(!process.isRunning)
    }

    /// The states (`R`, `S`, `Z` for ended and not waited for …) of the children of `parent`.
    private func children(of parent: Int32) -> [Substring] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard Int32(entry) != nil,
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After the command's name: state, then the parent's id.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent ? fields[0] : nil
        }
    }
}
