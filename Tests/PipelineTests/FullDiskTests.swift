import Corpus
import Foundation
import Testing

@testable import Pipeline
@testable import TextAnalysis

/// Whether this machine lets the tests mount a small tmpfs (root on Linux).
enum SmallDisk {
    static let available: Bool = {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("tmpfs-probe-\(UUID())")
        try? FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: probe) }
        guard
            (try? runProcess("/usr/bin/env", ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe.path]))?.0 == 0
        else { return false }
        _ = try? runProcess("/usr/bin/env", ["umount", probe.path])
        return true
    }()
}

@Suite(.serialized) struct FullDiskTests {
    @Test(.enabled(if: SmallDisk.available, "needs permission to mount a tmpfs"))
    func aFullDiskGivesAClearErrorAndLeavesThePreviousOutputsWhole() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let disk = workspace.root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        let (mounted, message) = try runProcess(
            "/usr/bin/env", ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", disk.path])
        #expect(mounted == 0, "\(message)")
        defer { _ = try? runProcess("/usr/bin/env", ["umount", "-l", disk.path]) }

        _ = try workspace.run()
        let names = [
            "corpus.json", "kwic.json", "suggestions.json", "frequencies.json", "frequencies.csv", "report.html",
        ]
        let good = try names.map(workspace.output)
        // Fill the disk, leaving a few kilobytes.
        let filler = disk.appendingPathComponent("filler")
        let attributes = try FileManager.default.attributesOfFileSystem(forPath: disk.path)
        let free = (attributes[.systemFreeSize] as? NSNumber)?.intValue ?? 0
        try Data(count: max(0, free - 16 * 1024)).write(to: filler)

        #expect {
            try workspace.run(force: true)
        } throws: { error in
            (error as? PipelineError)?.message.contains("No space left on device") == true
        }
        #expect(try names.map(workspace.output) == good)  // nothing half-written in place of a good file
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: workspace.out.path).filter {
            $0.contains(".tmp-")
        }
        #expect(leftovers.isEmpty, "\(leftovers)")
        #expect(!FileManager.default.fileExists(atPath: workspace.out.appendingPathComponent(".lock").path))

        // Space again: the next run completes.
        try FileManager.default.removeItem(at: filler)
        #expect(try workspace.run(force: true).corpus.documents == 11)
    }

    /// Terms heard once that fill the disk partway through a spill stay in memory (the parts of
    /// that spill already written are not counted as on disk), and the table is the one that
    /// counts every term.
    @Test(.enabled(if: SmallDisk.available, "needs permission to mount a tmpfs"))
    func termsHeardOnceThatFillTheDiskStayInMemoryAndCountTheSame() throws {
        let disk = FileManager.default.temporaryDirectory.appendingPathComponent("heard-once-disk-\(UUID())")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: disk) }
        let (mounted, message) = try runProcess(
            "/usr/bin/env", ["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", disk.path])
        #expect(mounted == 0, "\(message)")
        defer { _ = try? runProcess("/usr/bin/env", ["umount", "-l", disk.path]) }
        var random = SplitMixGenerator(seed: 274)
        let people = (1...6).map { Participant(id: "P\($0)", attributes: ["split": $0 % 2 == 0 ? "tech" : "clinical"]) }
        let participants = ParticipantTable(attributeNames: ["split"], participants: people)
        let documents = (0..<60).map { document in
            DocumentCounts(
                documentID: "d\(document)",
                speakers: [nil, people.randomElement(using: &random)?.id].map { id in
                    var terms: [String: Int] = [:]
                    for _ in 0..<50 {
                        terms["protected-\(Int.random(in: 0..<3000, using: &random)) time", default: 0] += 1
                    }
                    return DocumentCounts.Speaker(participantID: id, words: 120, terms: terms)
                })
        }
        var stage = FrequencyStage()
        stage.groupings = [.attributes(["split"])]
        stage.ngrams = [2]
        stage.filter = .everyone
        stage.minimumCount = 2
        // Spills of ~200 terms of ~25 bytes: the first few fit in 16 kB, a later one does not.
        var merge = FrequencyMerge(
            stage: stage, participants: participants, scratchFolder: disk.appendingPathComponent("cache").path,
            heardOnceInMemory: 200)
        for document in documents { merge.add([document]) }
        var warnings: [String] = []
        let finished = merge.finish(study: "s", warnings: &warnings)
        let alone = FrequencyTable(
            merging: documents, participants: participants,
            options: stage.counterOptions(ngram: 2, grouping: .attributes(["split"])))
        let table = try #require(finished.tables.first?.table)
        #expect(table.omitsTermsHeardOnce)
        #expect(table.rows == alone.rows && table.rows.count > 100)
    }
}
