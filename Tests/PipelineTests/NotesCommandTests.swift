import Foundation
import Testing

/// The commands that show what tokenising leaves out, run as a researcher runs them.
@Suite struct NotesCommandTests {
    static let transcript = "Interviewer: Any mentors?\nP1: [laughs] None. ((coughs)) None [inaudible 00:01:02].\n"

    @Test func notesAreListedByKindWithTheirDocuments() throws {
        let file = try Self.write(Self.transcript)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let (status, output) = try runProcess(try tmineExecutable().path, ["notes", file.path])
        #expect(status == 0)
        #expect(output.contains("1\t1\t[inaudible]\t[inaudible 00:01:02]"))
        #expect(output.contains("1\t1\t((coughs))\t((coughs))"))
        #expect(output.contains("3 notes of 3 kinds in 1 document\n"))
        // None: said in words, not as a table's header over no rows.
        let plain = try Self.write("P1: None at all.\n")
        defer { try? FileManager.default.removeItem(at: plain.deletingLastPathComponent()) }
        let (_, none) = try runProcess(try tmineExecutable().path, ["notes", plain.path])
        #expect(none == "no transcribers' notes in 1 document\n")
        // Tokeniser flags would do nothing here, so the command does not offer them.
        let (_, help) = try runProcess(try tmineExecutable().path, ["notes", "--help"])
        #expect(help.contains("--participants") && !help.contains("--keep-annotations") && !help.contains("--case"))
    }

    /// A phrase found only across a sentence's end has no hit, and says so with the flag that
    /// counts it; found within a sentence, or with the flag, it says nothing more.
    @Test func aPhraseFoundOnlyAcrossASentenceEndSaysSo() throws {
        let file = try Self.write("P1: We felt protected. Time was short.\nP1: Hype, yes.\n")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let tmine = try tmineExecutable().path
        let (status, output) = try runProcess(tmine, ["kwic", "protected time", file.path])
        #expect(status == 0)
        #expect(output.contains("0 hits"))
        #expect(output.contains("1 hit across a sentence's end"), "\(output)")
        #expect(output.contains("--phrases turn counts them"))
        let (_, across) = try runProcess(tmine, ["kwic", "protected time", file.path, "--phrases", "turn"])
        #expect(across.contains("1 hit\n") && !across.contains("sentence's end"), "\(across)")
        let (_, word) = try runProcess(tmine, ["kwic", "zyzzyva", file.path])
        #expect(word.contains("0 hits") && !word.contains("sentence's end"))
    }

    /// A query found only inside notes has no hit, and says where it is; one found in words, or
    /// nowhere, says nothing more.
    @Test func aQueryFoundOnlyInNotesSaysSo() throws {
        let file = try Self.write(Self.transcript)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let tmine = try tmineExecutable().path
        let (status, output) = try runProcess(tmine, ["kwic", "laughs", file.path])
        #expect(status == 0)
        #expect(output.contains("0 hits"))
        #expect(output.contains("1 hit inside transcribers' notes"))
        let (_, kept) = try runProcess(tmine, ["kwic", "laughs", file.path, "--keep-annotations"])
        #expect(kept.contains("1 hit\n") && !kept.contains("inside transcribers' notes"))
        let (_, nowhere) = try runProcess(tmine, ["kwic", "zyzzyva", file.path])
        #expect(nowhere.contains("0 hits") && !nowhere.contains("inside transcribers' notes"))
        // Hits the filters leave out are not notes: the second look applies them too (it did not,
        // and called P1's two "None" hits inside notes).
        try "participant,role\nP1,GP\nP2,Surgeon\n".write(
            to: file.deletingLastPathComponent().appendingPathComponent("participants.csv"), atomically: true,
            encoding: .utf8)
        let (_, filtered) = try runProcess(
            tmine, ["kwic", "none", file.deletingLastPathComponent().path, "--where", "role=Surgeon"])
        #expect(filtered.contains("0 hits") && !filtered.contains("inside transcribers' notes"))
    }

    /// A usage error exits with DESIGN.md's 2, not ArgumentParser's 64, whether ArgumentParser
    /// finds it (an unknown option) or the command does (a grouping by a column the
    /// participants file lacks, which once gave one "(none)" group without a word).
    @Test func usageErrorsExitWithTwoAndNameWhatIsWrong() throws {
        let file = try Self.write(Self.transcript)
        let folder = file.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "participant;role\nP1;GP\n".write(
            to: folder.appendingPathComponent("participants.csv"), atomically: true, encoding: .utf8)
        let tmine = try tmineExecutable().path
        let (unknown, _) = try runProcess(tmine, ["freq", folder.path, "--no-such-option"])
        #expect(unknown == 2)
        // Values that would do nothing, or nonsense, and a stopword file that is not there: said,
        // where they gave an empty table, a keyness of a group against itself, Foundation's error.
        for (arguments, said) in [
            (["--ngram", "0"], "--ngram is 1 (words), 2 or 3, not 0"), (["--top", "0"], "--top is 1 or more"),
            (["--min-count", "0"], "--min-count is 1 or more"),
            (["--by", "role", "--keyness", "GP", "--reference", "GP"], "is the --keyness group itself"),
            (["--reference", "GP"], "--reference is the other side of --keyness GROUP"),
            (["--by", "role,role"], "--by: \"role\" is twice in the combination role,role"),
            (
                ["--stopwords", "no-such-list.txt"],
                "no-such-list.txt: error: cannot read the stopword file: no such file"
            ),
        ] {
            let (status, output) = try runProcess(tmine, ["freq", folder.path] + arguments)
            #expect(status == 2 && output.contains(said), "\(arguments): \(output)")
        }
        let (twice, twiceSaid) = try runProcess(tmine, ["kwic", "none", folder.path, "--also", "\"none\""])
        #expect(twice == 2 && twiceSaid.contains("\"none\" is given twice (as \"\"none\"\")"), "\(twiceSaid)")
        // The folder before the query: the query is no file, and the order is said with the words.
        let (swapped, order) = try runProcess(tmine, ["kwic", folder.path, "don't"])
        #expect(
            swapped == 2 && order.contains("\"don't\" is no file or folder, and the query comes first: ")
                && order.contains("tmine kwic \"don't\" \(folder.path) …"), "\(order)")
        // Found by `run` as it reads its arguments plainly: its own help named, not the root's usage.
        let (stage, stageSaid) = try runProcess(tmine, ["run", "no-such.yaml", "--only", "suggestions"])
        #expect(stage == 2 && stageSaid.contains("did you mean \"suggest\"?"), "\(stageSaid)")
        #expect(stageSaid.contains("See 'tmine run --help'") && !stageSaid.contains("<subcommand>"), "\(stageSaid)")
        let (missing, said) = try runProcess(tmine, ["freq", folder.path, "--by", "Role"])
        #expect(missing == 2)
        #expect(said.contains("no participant attribute \"Role\"; did you mean \"role\"?"))
        let (filtered, why) = try runProcess(tmine, ["kwic", "none", folder.path, "--where", "rolle=GP"])
        #expect(filtered == 2 && why.contains("no participant attribute \"rolle\""))
        let (valued, value) = try runProcess(tmine, ["freq", folder.path, "--where", "role=gp"])
        #expect(valued == 2 && value.contains("no participant has role=gp; did you mean \"GP\"?"))
        let (grouped, counts) = try runProcess(tmine, ["freq", folder.path, "--by", "role"])
        #expect(grouped == 0 && counts.contains("GP:") && !counts.contains("warning"))
        // A participant with no row is counted, in "(none)", and said to be.
        try "participant;role\nP2;GP\n".write(
            to: folder.appendingPathComponent("participants.csv"), atomically: true, encoding: .utf8)
        let (_, unplaced) = try runProcess(tmine, ["freq", folder.path, "--by", "role"])
        #expect(unplaced.contains("warning: 2 words of 1 participant is in \"(none)\""))
    }

    /// A folder with a file that cannot be read (a damaged Word file): kwic, freq and notes name
    /// it, show what the others hold, and end with DESIGN.md's 1, as `run` and `extract` do
    /// (they ended 0, as if every file had been read).
    @Test func exploringCommandsEndWithOneWhenAFileCouldNotBeRead() throws {
        let file = try Self.write(Self.transcript)
        let folder = file.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data([0x50, 0x4B, 0x03, 0x04, 0x00, 0x01]).write(to: folder.appendingPathComponent("damaged.docx"))
        let tmine = try tmineExecutable().path
        for arguments in [["kwic", "none", folder.path], ["freq", folder.path], ["notes", folder.path]] {
            let (status, output) = try runProcess(tmine, arguments)
            #expect(status == 1, "\(arguments[0]): \(output)")
            #expect(output.contains("damaged.docx: error:"), "\(arguments[0]): \(output)")
        }
        let (kwic, hits) = try runProcess(tmine, ["kwic", "none", folder.path])
        #expect(kwic == 1 && hits.contains("2 hits"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("damaged.docx"))
        #expect(try runProcess(tmine, ["kwic", "none", folder.path]).0 == 0)
    }

    /// A stopword list given to `tmine freq` is used with a pipeline's corpus too (the pipeline's
    /// own list replaced it in silence); not given, the pipeline's own.
    @Test func aStopwordListGivenIsUsedWithAPipelinesCorpusToo() throws {
        let file = try Self.write("P1: The hype and the hype and the time.\n")
        let folder = file.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipeline = folder.appendingPathComponent("study.yaml")
        try "study: s\ninputs: [interview.txt]\nstages:\n  - tokenize: {stopwords: english}\nout: out\n".write(
            to: pipeline, atomically: true, encoding: .utf8)
        try "hype\n".write(to: folder.appendingPathComponent("mine.txt"), atomically: true, encoding: .utf8)
        let tmine = try tmineExecutable().path
        let (status, own) = try runProcess(tmine, ["freq", pipeline.path])
        #expect(status == 0 && own.contains("  hype ") && !own.contains("  the "), "\(own)")
        let (_, given) = try runProcess(
            tmine, ["freq", pipeline.path, "--stopwords", folder.appendingPathComponent("mine.txt").path])
        #expect(given.contains("  the ") && !given.contains("  hype "), "\(given)")
    }

    /// `tmine validate` reads the participants file and checks the frequencies' groupings
    /// against it, as `tmine run` does before reading anything.
    @Test func validateChecksTheGroupingsAgainstTheParticipantsFile() throws {
        let file = try Self.write(Self.transcript)
        let folder = file.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "participant;role\nP1;GP\n".write(
            to: folder.appendingPathComponent("participants.csv"), atomically: true, encoding: .utf8)
        let pipeline = folder.appendingPathComponent("study.yaml")
        func validate(grouping: String) throws -> (Int32, String) {
            try
                "study: s\ninputs: [interview.txt]\nparticipants: participants.csv\nstages:\n  - tokenize: {}\n  - frequencies: {groupings: [\(grouping)]}\nout: out\n"
                .write(to: pipeline, atomically: true, encoding: .utf8)
            return try runProcess(try tmineExecutable().path, ["validate", pipeline.path])
        }
        let (good, said) = try validate(grouping: "role")
        #expect(good == 0 && said.contains("participants.csv: ok: 1 participant, attributes role"))
        let (bad, why) = try validate(grouping: "Role")
        #expect(bad == 2 && why.contains("error: the frequencies stage: no participant attribute \"Role\""))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
    }

    /// A folder with no transcript (the wrong folder, a folder of PDFs) says which files are read,
    /// for the exploring commands (exit 3), the pipeline and extract (a warning, exit 3; extract
    /// ended 0, unlike every other command).
    @Test func aFolderWithNoTranscriptSaysWhichFilesAreRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("none-\(UUID())")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("t"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("%PDF-1.7".utf8).write(to: folder.appendingPathComponent("t/interview.pdf"))
        let tmine = try tmineExecutable().path
        let t = folder.appendingPathComponent("t").path
        let (kwic, kwicOutput) = try runProcess(tmine, ["kwic", "hype", t])
        #expect(kwic == 3)
        #expect(kwicOutput.contains("no transcript in \(t) (files ending .doc, .docx,"), "\(kwicOutput)")
        let (extract, extractOutput) = try runProcess(tmine, ["extract", t])
        #expect(extract == 3 && extractOutput.hasPrefix("warning: no transcript in \(t) ("))
        let pipeline = folder.appendingPathComponent("p.yaml")
        try "study: s\ninputs:\n  paths: [t]\n  formats: [docx, text]\nstages:\n  - tokenize: {}\nout: out\n".write(
            to: pipeline, atomically: true, encoding: .utf8)
        let (run, runOutput) = try runProcess(tmine, ["run", pipeline.path])
        #expect(run == 3)
        // The input as a path from the working folder, which may be beside the temporary one.
        let named = folder.lastPathComponent + "/t (files ending .doc, .docx, .text, .txt are read"
        #expect(runOutput.hasPrefix("warning: no transcript in ") && runOutput.contains(named), "\(runOutput)")
    }

    /// `tmine freq --keyness G --csv` writes the comparison's rows, which the CSV of frequency
    /// rows alone had dropped; the p-value keeps its digits.
    @Test func freqKeynessAsCSVIsTheComparisonsRows() throws {
        let folder = try Self.writeGPAndSurgeon(
            "P1: Hype, hype and more hype. Time.\n", "P2: Time, time and no time at all. Hype.\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, output) = try runProcess(
            try tmineExecutable().path, ["freq", folder.path, "--by", "role", "--keyness", "GP", "--csv"])
        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.first == "term,target_count,reference_count,target_rate,reference_rate,g2,p,log_ratio")
        // GP: 6 words, hype 3 and time 1; Surgeon: 9 words, time 3 and hype 1 ("no", "and", "at",
        // "all", "more" are stopwords, counted in the words).
        let hype = try #require(lines.first { $0.hasPrefix("hype,") }).split(separator: ",")
        #expect(hype.count == 8 && hype[1] == "3" && hype[2] == "1", "\(lines)")
        #expect(Double(hype[6]).map { $0 > 0 && $0 < 1 } == true)
        #expect(lines.last?.hasPrefix("time,") == true)
    }

    /// `tmine kwic Q --by ATTRIBUTE --json` is a JSON object of the queries' hits by group, with
    /// its schema version (it crashed: a bare list cannot take a key beside it).
    @Test func kwicByGroupAsJSONIsAnObject() throws {
        let folder = try Self.writeGPAndSurgeon("P1: Hype, hype and more hype.\n", "P2: No hype here, only time.\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, output) = try runProcess(
            try tmineExecutable().path, ["kwic", "hype", folder.path, "--by", "role", "--json"])
        #expect(status == 0, "\(output)")
        let json = try #require(output.firstIndex(of: "{").map { String(output[$0...]) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["schemaVersion"] as? Int == 1 && object["attribute"] as? String == "role")
        let queries = try #require(object["queries"] as? [[String: Any]])
        #expect(queries.first?["query"] as? String == "hype" && queries.first?["hits"] as? Int == 4)
    }

    /// A folder of two transcripts, P1's and P2's, and a participants file that makes P1 a GP
    /// and P2 a surgeon (`role`).
    /// How a document was read decides whose words are in which group: the exploring commands
    /// say it as a run's warnings do (two named speakers, no one asking: their words were in
    /// "(none)" of `freq --by role` unexplained), and say nothing of a document read plainly.
    @Test func exploringCommandsSayHowDocumentsWereRead() throws {
        let folder = try Self.writeGPAndSurgeon(
            "Interviewer: Any mentors?\nP1: None at all.\n",
            "Jane Smith: Tell me about mentors.\nPriya Patel: There were none.\nJane Smith: Thank you.\n"
                + "Priya Patel: Not one.\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        try "participant,role,transcript\nP1,GP,interview.txt\nP2,Surgeon,second.txt\n".write(
            to: folder.appendingPathComponent("participants.csv"), atomically: true, encoding: .utf8)
        let said =
            "warning: second: 2 participant speakers without an id (Jane Smith, Priya Patel); none is attributed to P2"
        for arguments in [
            ["freq", folder.path, "--by", "role"], ["kwic", "none", folder.path], ["notes", folder.path],
        ] {
            let (status, output) = try runProcess(try tmineExecutable().path, arguments)
            #expect(status == 0 && output.contains(said), "\(arguments): \(output)")
            #expect(!output.contains("interview:"), "\(output)")
        }
    }

    static func writeGPAndSurgeon(_ first: String, _ second: String) throws -> URL {
        let folder = try write(first).deletingLastPathComponent()
        try second.write(to: folder.appendingPathComponent("second.txt"), atomically: true, encoding: .utf8)
        try "participant,role\nP1,GP\nP2,Surgeon\n".write(
            to: folder.appendingPathComponent("participants.csv"), atomically: true, encoding: .utf8)
        return folder
    }

    static func write(_ text: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("notes-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("interview.txt")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}
