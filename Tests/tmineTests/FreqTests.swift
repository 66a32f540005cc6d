import Corpus
import Foundation
import Testing
import TextAnalysis

@testable import tmine

struct FreqTests {
    /// `tmine freq` by participant over many transcripts sets the participants no transcript
    /// adds to any more aside in a scratch file (its folder made for it, the file unlinked at
    /// once), as a pipeline does, and counts what it counts in memory; a study of a few groups
    /// needs none.
    @Test func freqSetsQuietParticipantsAsideInAScratchFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("freq-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // 96 participants, one transcript each, and a few who come back: more groups than a
        // table keeps in memory (64), and groups quiet for more than 16 transcripts.
        let words = ["hype", "protected", "time", "culture", "clash", "mentor", "ward", "model", "audit", "bed"]
        var rows = ["id,split"]
        for number in 1...96 {
            rows.append("P\(number),\(number % 2 == 0 ? "clinical" : "tech")")
            let speech = (0..<(20 + number % 7)).map { words[($0 * number + $0 / 3) % words.count] }
            let returning = number % 10 == 0 ? "P1: " + words.reversed().joined(separator: " ") + "\n" : ""
            try "Interviewer: And then?\nP\(number): \(speech.joined(separator: " ")).\n\(returning)".write(
                to: folder.appendingPathComponent(String(format: "t%03d.txt", number)), atomically: true,
                encoding: .utf8)
        }
        try rows.joined(separator: "\n").write(
            to: folder.appendingPathComponent("participants.csv"), atomically: true, encoding: .utf8)
        let scratch = folder.appendingPathComponent("scratch").path
        // A folder inside a file cannot be made: the groups set aside stay in memory.
        let unusable = folder.appendingPathComponent("participants.csv/inside").path

        func table(by grouping: String, scratchFolder: String) throws -> FrequencyTable {
            var options = FrequencyCounter.Options()
            options.grouping = Grouping(grouping)
            return try Freq.table(
                of: Freq.parse([folder.path]).corpus.study(), options: options, stems: false,
                scratchFolder: scratchFolder)
        }
        let bySplit = try table(by: "split", scratchFolder: scratch)
        #expect(bySplit.groups.map(\.name) == ["clinical", "tech"])
        #expect(!FileManager.default.fileExists(atPath: scratch))

        let spilled = try table(by: "participant", scratchFolder: scratch)
        // The folder was made for the file, and the file unlinked as soon as it was made.
        #expect((try? FileManager.default.contentsOfDirectory(atPath: scratch)) == [])
        let inMemory = try table(by: "participant", scratchFolder: unusable)
        #expect(spilled.groups.count == 96)
        #expect(spilled.rows.count > 96 * 5)
        #expect(spilled.rows == inMemory.rows)
        #expect(spilled.groups.map(\.words) == inMemory.groups.map(\.words))
    }

    /// `tmine freq --min-count 2` by an attribute counts by shared terms that leave out terms
    /// said once: its rows are the rows of every term counted at least twice, and its keyness
    /// the keyness of a minimum count of 2; by participant it counts every term as before.
    @Test func freqWithAMinimumCountOfTwoLeavesOutTermsSaidOnceAndShowsTheSameRows() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("freq-min-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var random = SplitMixGenerator(seed: 272)
        var rows = ["id,split"]
        for number in 1...12 {
            rows.append("P\(number),\(number % 2 == 0 ? "clinical" : "tech")")
            let speech = (0..<80).map { _ in "w\(Int.random(in: 0..<20, using: &random))" }
            try "Interviewer: And then?\nP\(number): \(speech.joined(separator: " ")).\n".write(
                to: folder.appendingPathComponent("t\(number).txt"), atomically: true, encoding: .utf8)
        }
        try rows.joined(separator: "\n").write(
            to: folder.appendingPathComponent("participants.csv"), atomically: true, encoding: .utf8)
        func table(by grouping: String, minimumCount: Int) throws -> FrequencyTable {
            var options = FrequencyCounter.Options()
            options.grouping = Grouping(grouping)
            options.ngram = 2
            options.minimumCount = minimumCount
            return try Freq.table(
                of: Freq.parse([folder.path]).corpus.study(), options: options, stems: false,
                scratchFolder: folder.appendingPathComponent("scratch").path)
        }
        for grouping in ["split", "participant"] {
            let every = try table(by: grouping, minimumCount: 1)
            let twice = try table(by: grouping, minimumCount: 2)
            #expect(twice.omitsTermsHeardOnce == (grouping == "split") && !every.omitsTermsHeardOnce)
            #expect(twice.groups == every.groups)
            #expect(twice.rows == every.rows.filter { $0.count >= 2 })
            #expect(twice.rows.count > 20 && every.rows.contains { $0.count == 1 })
            if grouping == "split" {
                #expect(try twice.keyness(of: "tech", minimumCount: 2) == every.keyness(of: "tech", minimumCount: 2))
            }
        }
    }
}
