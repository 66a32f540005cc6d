import Foundation
import Testing

@testable import Pipeline

/// A run killed with SIGKILL at any moment leaves the previous outputs whole and the next run
/// finishes the job.
@Suite struct KilledRunTests {
    @Test func killedRunsLeaveThePreviousOutputsWhole() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        // Enough transcripts that a run takes long enough to be killed midway.
        let text = try String(contentsOf: workspace.corpus("interview-11.txt"), encoding: .utf8)
        for copy in 0..<300 {
            try (text + "\nExtra \(copy).\n").write(
                to: workspace.corpus(String(format: "copy-%03d.txt", copy)), atomically: true, encoding: .utf8)
        }
        let tmine = try tmineExecutable()
        let (status, output) = try runProcess(tmine.path, ["run", workspace.pipeline, "--quiet"])
        #expect(status == 0, "\(output)")
        let names = ["corpus.json", "kwic.json", "frequencies.json", "frequencies.csv", "run-report.json"]
        let good = try names.map(workspace.output)
        var generator = SystemRandomNumberGenerator()
        for trial in 0..<8 {
            let process = Process()
            process.executableURL = tmine
            process.arguments = ["run", workspace.pipeline, "--quiet", "--force"]
            // A run that crashes on its own must fail the test with its message, not leave the
            // backtracer waiting on a process this test kills.
            var environment = ProcessInfo.processInfo.environment
            environment["SWIFT_BACKTRACE"] = "enable=no"
            process.environment = environment
            let errors = workspace.root.appendingPathComponent("trial-\(trial).stderr")
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errors)
            try process.run()
            usleep(UInt32.random(in: 5_000...400_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let died = process.terminationReason == .uncaughtSignal ? process.terminationStatus : 0
            #expect(
                died == 0 || died == SIGKILL,
                "trial \(trial): the run died of signal \(died): \((try? String(contentsOf: errors, encoding: .utf8)) ?? "")"
            )
            for (name, data) in zip(names, good) where name.hasSuffix(".json") {
                let now = try workspace.output(name)
                #expect(throws: Never.self, "trial \(trial): \(name) is not valid JSON") {
                    try JSONSerialization.jsonObject(with: now)
                }
                if name != "run-report.json" { #expect(now == data, "trial \(trial): \(name) changed") }
            }
        }
        let (finalStatus, finalOutput) = try runProcess(tmine.path, ["run", workspace.pipeline, "--quiet"])
        #expect(finalStatus == 0, "\(finalOutput)")
        #expect(try names.filter { $0 != "run-report.json" }.map(workspace.output) == Array(good[0..<4]))
        // Temporary files of killed writers are cleared by the next run.
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: workspace.out.path).filter {
            $0.contains(".tmp-")
        }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
