import Foundation
import Testing

@testable import Pipeline

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
}
