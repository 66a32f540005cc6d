import Coding
import Foundation
import Testing

@testable import Pipeline

/// Outputs renamed into place before they reach the disk are trusted on a later boot only when
/// the flush recorded them (see ``OutputFlush``).
@Suite struct OutputFlushTests {
    /// Overwrites bytes in the middle of an output as a crash before writeback might leave it,
    /// keeping its size and modification time (what the manifest checks).
    private func damage(_ name: String, in workspace: Workspace) throws {
        let path = workspace.out.appendingPathComponent(name).path
        var before = stat()
        #expect(stat(path, &before) == 0)
        let descriptor = open(path, O_WRONLY)
        let zeros = [UInt8](repeating: 0, count: 200)
        #expect(pwrite(descriptor, zeros, zeros.count, off_t(before.st_size / 2)) == zeros.count)
        close(descriptor)
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
    }

    /// Rewrites the manifest as if its outputs had been written on another boot.
    private func recordAnEarlierBoot(in workspace: Workspace) throws {
        let path = workspace.out.appendingPathComponent(".cache/manifest.json")
        let text = try String(contentsOf: path, encoding: .utf8)
        let boot = try #require(OutputFlush.boot)
        #expect(text.contains(boot), "the manifest records the boot its outputs were written on")
        try text.replacingOccurrences(of: boot, with: "an-earlier-boot").write(
            to: path, atomically: true, encoding: .utf8)
    }

    /// The output `name` written again by hand (a line break added): not the file the run
    /// wrote. Returns where it is.
    @discardableResult
    private func replaceByHand(_ name: String, in workspace: Workspace) throws -> URL {
        let file = workspace.out.appendingPathComponent(name)
        try (try Data(contentsOf: file) + Data("\n".utf8)).write(to: file)
        return file
    }

    /// The sample study run, a decider on it, and its first suggestion.
    private func ranWithADecider(_ workspace: Workspace) throws -> (PipelineConfiguration, Decider, Suggestion) {
        _ = try workspace.run()
        let configuration = try PipelineReader.read(workspace.pipeline)
        let decider = Decider(configuration: configuration)
        return (configuration, decider, try #require(try decider.currentSuggestions().file.suggestions.first))
    }

    private let outputs = ["corpus.json", "kwic.json", "suggestions.json", "frequencies.json", "report.html"]

    @Test func anOutputNotFlushedBeforeARestartIsRebuilt() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let good = try outputs.map(workspace.output)
        for name in outputs { try damage(name, in: workspace) }
        try recordAnEarlierBoot(in: workspace)
        // Nothing else changed: only the boot tells the run these outputs may be damaged.
        _ = try workspace.run()
        #expect(try outputs.map(workspace.output) == good)
    }

    /// A run asked to set replaced files aside leaves them for the flush, which deletes them;
    /// its outputs are those a forced run then writes again.
    @Test func theFlushDeletesTheFilesARunSetAside() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let cache = workspace.out.appendingPathComponent(".cache")
        func setAside() throws -> [String] {
            try [workspace.out, cache].flatMap {
                try FileManager.default.contentsOfDirectory(atPath: $0.path).filter { $0.hasSuffix(".old") }
            }
        }
        _ = try workspace.run()
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, zyzzyva,") }
        var options = PipelineRunner.Options()
        options.setAsideReplacedFiles = true
        _ = try PipelineRunner(configuration: PipelineReader.read(workspace.pipeline), options: options).run()
        let left = try setAside()
        // The run's report, at least, replaced the first run's.
        #expect(left.contains { $0.hasPrefix(".run-report.json.tmp-") })
        OutputFlush.flush(in: workspace.out.path)
        #expect(try setAside().isEmpty, "set aside: \(left)")
        let written = try outputs.map(workspace.output)
        _ = try workspace.run(force: true)
        for (name, bytes) in zip(outputs, written) {
            let set = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            let forced = String(decoding: try workspace.output(name), as: UTF8.self).split(separator: "\n")
            // The first line that differs, not two whole pages, when they do.
            let first =
                zip(set, forced).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(set.count, forced.count)
            #expect(
                set.count == forced.count && first == set.count,
                "\(name), line \(first + 1): \(set.dropFirst(first).first ?? "(end)") | \(forced.dropFirst(first).first ?? "(end)")"
            )
        }
    }

    /// suggestions.json's kept copy, written over by the next run, is not taken to hold the
    /// elements its kept layout says after a restart: its flush may not have ended either.
    @Test func theKeptSuggestionsAreNotTrustedToHoldTheirElementsAfterARestart() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        // An entry found nowhere, added: the first file kept, with its layout.
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, zyzzyva,") }
        _ = try workspace.run()
        let flushed = OutputFlush.flush(in: workspace.out.path)
        #expect(flushed.contains("suggestions.json"))
        // The kept file damaged as a crash before its writeback might leave it (size and time
        // as they were), and the machine restarted.
        try damage(".cache/retired-suggestions.json", in: workspace)
        try recordAnEarlierBoot(in: workspace)
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote, zyzzyva,", with: "keynote,") }
        _ = try workspace.run()
        try workspace.expectAFreshRunWritesTheSame(["suggestions.json"])
    }

    @Test func nothingIsCopiedFromAnOutputNotFlushedBeforeARestart() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        // Damaged where another document lies, and the layouts saved for the damaged files, as a
        // crash before writeback leaves them (their identity as recorded, their bytes not).
        for output in ["corpus.json", "kwic.json"] {
            _ = try workspace.alter(output, document: "interview-09", after: "\"", to: 0, saving: true)
        }
        try recordAnEarlierBoot(in: workspace)
        // A transcript taken away: corpus.json and kwic.json are written again, and would copy
        // the other documents' bytes from the damaged files if their layouts were trusted.
        try FileManager.default.removeItem(at: workspace.corpus("interview-05.docx"))
        _ = try workspace.run()
        try workspace.expectAFreshRunWritesTheSame(outputs)
    }

    @Test func commandsReadingTheOutputsRefuseOnesNotFlushedBeforeARestart() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let (configuration, decider, first) = try ranWithADecider(workspace)
        try recordAnEarlierBoot(in: workspace)
        for attempt in [
            { _ = try decider.currentSuggestions() }, { try decider.decide(coder: "alice", [.accept(first.id)]) },
            { _ = try Outputs.corpus(of: configuration) },
            { _ = try Outputs.document(first.documentID, of: configuration) },
        ] as [() throws -> Void] {
            let error = try #require(throws: PipelineError.self) { try attempt() }
            #expect(error.message.contains("run the pipeline again"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: decider.decisionsPath(coder: "alice")))
        _ = try workspace.run()
        try decider.decide(coder: "alice", [.accept(first.id)])
        #expect(
            try decider.currentSuggestions().merged.suggestions.contains { $0.id == first.id && $0.status == .accepted }
        )
    }

    /// The run report compares a run's suggestions with the last run's: not with a
    /// suggestions.json the restart may have damaged, which is not even read. Here it still
    /// parses, holding half the suggestions: compared with it, half would count as added.
    @Test func suggestionsNotFlushedBeforeARestartAreNotComparedWith() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let path = workspace.out.appendingPathComponent("suggestions.json")
        var file = try Outputs.SuggestionsFile.decode(try Data(contentsOf: path))
        file.suggestions = Array(file.suggestions.prefix(file.suggestions.count / 2))
        try Outputs.suggestionsJSON(file).write(to: path)
        try recordAnEarlierBoot(in: workspace)
        let changes = try #require(try workspace.run().suggestions?.perCode)
        #expect(changes.contains { $0.total > 1 })
        for change in changes {
            #expect(change.added == change.total && change.removed == 0, "\(change)")
        }
    }

    /// A manual coding checks its range against its document in corpus.json: not in one the
    /// restart may have damaged, even when suggestions.json was flushed.
    @Test func aManualCodingIsRefusedAgainstACorpusNotFlushedBeforeARestart() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let (configuration, decider, first) = try ranWithADecider(workspace)
        let manual = Decider.Action.manual(document: first.documentID, range: first.range, code: first.code)
        let corpus = try replaceByHand("corpus.json", in: workspace)
        #expect(!OutputFlush.flush(in: workspace.out.path).contains("corpus.json"))
        try recordAnEarlierBoot(in: workspace)
        #expect(throws: PipelineError.self) { try Outputs.document(first.documentID, of: configuration) }
        let error = try #require(throws: PipelineError.self) { try decider.decide(coder: "bob", [manual]) }
        #expect(error.file == corpus.path && error.message.contains("run the pipeline again"), "\(error)")
        #expect(!FileManager.default.fileExists(atPath: decider.decisionsPath(coder: "bob")))
        _ = try workspace.run()
        #expect(try Outputs.document(first.documentID, of: configuration)?.id == first.documentID)
        try decider.decide(coder: "bob", [manual])
        #expect(FileManager.default.fileExists(atPath: decider.decisionsPath(coder: "bob")))
    }

    @Test func anOutputFlushedBeforeARestartIsTrusted() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let flushed = OutputFlush.flush(in: workspace.out.path)
        #expect(Set(flushed) == Set(outputs + ["frequencies.csv"]))
        try recordAnEarlierBoot(in: workspace)
        let report = try workspace.run()
        let wrote = report.stages.filter(\.wrote).map(\.name)
        #expect(wrote.isEmpty, "every output kept as it was")
    }

    @Test func aFlushRecordsAnOutputOnlyAsTheManifestRecordsIt() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        // Replaced by hand after the run: not the file the run wrote, so not vouched for.
        try replaceByHand("kwic.json", in: workspace)
        let flushed = OutputFlush.flush(in: workspace.out.path)
        #expect(!flushed.contains("kwic.json"))
        #expect(flushed.contains("suggestions.json"))
        try recordAnEarlierBoot(in: workspace)
        let report = try workspace.run()
        #expect(report.stage("kwic")?.wrote == true)
        #expect(report.stage("suggest")?.wrote == false)
    }

    @Test func aFlushCreatesNothingInAFolderDeletedBehindIt() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let record = workspace.out.appendingPathComponent(".cache/flushed.json")
        #expect(FileManager.default.fileExists(atPath: record.path), "the run leaves the record to write over")
        try FileManager.default.removeItem(at: record)
        #expect(OutputFlush.flush(in: workspace.out.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: record.path))
        let cache = try FileManager.default.contentsOfDirectory(
            atPath: workspace.out.appendingPathComponent(".cache").path)
        #expect(!cache.contains { $0.contains("flushed") }, "\(cache)")
        try FileManager.default.removeItem(at: workspace.out)
        #expect(OutputFlush.flush(in: workspace.out.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: workspace.out.path))
    }

    @Test func theFlushIsStartedInTheBackgroundWithTheOutFolderAndNoneOfTheRunsFiles() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        // A descriptor opened without close-on-exec (as a library might): the flush must not hold
        // it, nor anything else of the run's (an out folder's lock held by a flush would make the
        // next run wait for it).
        let held = open(workspace.root.path, O_RDONLY | O_DIRECTORY)
        #expect(held > 2)
        defer { close(held) }
        let marker = workspace.root.appendingPathComponent("started")
        let script = workspace.root.appendingPathComponent("fake-tmine")
        try """
        #!/bin/sh
        sleep 1
        echo "$@ held=[$(readlink /proc/$$/fd/\(held))] stdin=[$(readlink /proc/$$/fd/0)]" > '\(marker.path)'

        """.write(to: script, atomically: true, encoding: .utf8)
        #expect(chmod(script.path, 0o755) == 0)
        let started = Date()
        OutputFlush.startInBackground(executable: script.path, out: "/some/out")
        #expect(Date().timeIntervalSince(started) < 1, "it does not wait for the flush")
        var contents: String?
        for _ in 0..<100 where contents == nil {
            usleep(100_000)
            contents = try? String(contentsOf: marker, encoding: .utf8)
        }
        let line = try #require(contents)
        #expect(line.hasPrefix("flush-outputs /some/out held=["))
        #expect(!line.contains("held=[\(workspace.root.path)]"), "\(line)")
        #expect(line.hasSuffix(" stdin=[/dev/null]\n"), "\(line)")
    }
}
