import Coding
import Corpus
import Foundation
import Ingest
import Testing

@testable import Pipeline
@testable import TextAnalysis

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.serialized) struct PipelineRunnerTests {
    /// A phrase found nowhere may be said across a sentence's end, which a phrase does not
    /// cross unless the tokenize stage says `phrases: turn`: the run's warning names that place
    /// for a phrase, and only while phrases stay inside sentences.
    @Test func aPhraseWithoutHitsIsSaidPerhapsToCrossASentencesEnd() {
        let hits = ["protected time", "hype"].map { RunReport.QueryHits(query: $0, hits: 0, documents: 0, groups: []) }
        let hint = "a phrase only across a sentence's end (phrases: turn lets it cross)"
        #expect(PipelineRunner.queriesWithoutHits(hits, documents: 3).first?.contains(hint) == true)
        #expect(PipelineRunner.queriesWithoutHits(hits, documents: 3, phrases: .turn).first?.contains(hint) == false)
        #expect(PipelineRunner.queriesWithoutHits([hits[1]], documents: 3).first?.contains(hint) == false)
    }

    @Test func sampleStudyRunsEndToEndAndOutputsMatchTheirSchemas() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let report = try workspace.run()
        #expect(report.failures.isEmpty)
        #expect(report.corpus.documents == 11)
        #expect(report.corpus.participants == 11)
        #expect(
            report.outputs == [
                "corpus.json", "kwic.json", "suggestions.json", "frequencies.json", "frequencies.csv", "report.html",
                "run-report.json",
            ])
        #expect(report.methods.contains("TranscriptMiner"))
        #expect(report.methods.contains("its p-values are per term, not corrected for multiple comparisons."))
        #expect(
            report.methods.contains(
                "Term frequencies were counted per clinical_tech_split and participant for words and 2-grams, excluding"
            ))
        let kwic = try JSONSerialization.jsonObject(with: workspace.output("kwic.json")) as? [String: Any]
        let lines = kwic?["lines"] as? [[String: Any]] ?? []
        #expect(lines.filter { $0["query"] as? String == "protected time" }.count == 8)
        // Each hit carries its speaker's attributes, as the participants file has them.
        let participants = try ParticipantsReader().read(
            data: Data(contentsOf: workspace.corpus("participants.csv")), file: "participants.csv"
        ).table.byID
        for line in lines {
            let attributes = (line["participantID"] as? String).flatMap { participants[$0]?.attributes } ?? [:]
            #expect(line["attributes"] as? [String: String] == attributes)
        }
        #expect(lines.contains { ($0["attributes"] as? [String: String])?["role"] != nil })
        let csv = String(decoding: try workspace.output("frequencies.csv"), as: UTF8.self)
        #expect(csv.hasPrefix("grouping,ngram,term,group,count,rate,participants,documents\n"))
        #expect(csv.contains(",50% clinical: 50% academic/industry,"))
        #expect(csv.contains("\"Full-time clinician, working with AI in spare time\""))  // a comma: quoted

        let schemas = Workspace.repository.appendingPathComponent("Sources/Pipeline/Schemas").path
        let script = Workspace.repository.appendingPathComponent("Tests/PipelineTests/validate_schemas.py").path
        let (status, output) = try runProcess("/usr/bin/env", ["python3", script, schemas, workspace.out.path])
        #expect(status == 0, "\(output)")
        #expect(output.contains("checked 5 files, 0 problems"))
    }

    /// `tmine freq --csv` and frequencies.csv write rows through one writer: quoted as Python's
    /// csv module reads them back, handed on a megabyte at a time.
    @Test func frequencyRowsAreWrittenAsCSVReadersReadThem() throws {
        let terms = ["plain", "a,b", "say \"x\"", "straße", "line\nbreak", "tab\there", ""]
        let rows = (0..<40_000).map { (index: Int) -> FrequencyTable.Row in
            let term: String = terms[index % terms.count] + String(index)
            let group: String = index % 3 == 0 ? "P1, senior" : "P\(index % 7)"
            return FrequencyTable.Row(
                term: term, group: group, count: index, rate: Double(index) / 7, participants: index % 5,
                documents: index % 11)
        }
        var csv = Array("term,group,count,rate,participants,documents\n".utf8)
        var chunks: [[UInt8]] = []
        Outputs.appendFrequencyRows(rows, prefix: [], to: &csv) { bytes in
            chunks.append(bytes)
            bytes.removeAll(keepingCapacity: true)
        }
        chunks.append(csv)
        #expect(chunks.count > 1 && chunks.dropLast().allSatisfy { $0.count >= 1 << 20 })
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rows-\(UUID()).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(chunks.flatMap { $0 }).write(to: file)
        let script = """
            import csv, json, sys
            rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
            print(json.dumps(rows[0]), len(rows) - 1)
            for row in rows[1:]:
                print(json.dumps(row))
            """
        let (status, output) = try runProcess("/usr/bin/env", ["python3", "-c", script, file.path])
        #expect(status == 0)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == #"["term", "group", "count", "rate", "participants", "documents"] 40000"#)
        for (index, row) in rows.enumerated() {
            let read = try JSONDecoder().decode([String].self, from: Data(lines[index + 1].utf8))
            let expected = [
                row.term, row.group, String(row.count), FixedPoint.string(row.rate, digits: 4),
                String(row.participants), String(row.documents),
            ]
            if read != expected {
                Issue.record("row \(index): \(read) against \(expected)")
                break
            }
        }
    }

    /// frequencies.json and frequencies.csv are written a few groups' rows at a time: for a study
    /// of more participants than are written at once, both hold every participant's words
    /// counted by hand, in the groups' order, each group's rows by count then term.
    @Test func frequencyFilesOfManyParticipantsHoldTheirWordsCountedByHand() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("many-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let texts = root.appendingPathComponent("texts")
        try FileManager.default.createDirectory(at: texts, withIntermediateDirectories: true)
        let vocabulary = ["rota", "time", "hype", "data", "ward", "audit", "model", "trust", "nights", "teaching"]
        var random = SplitMixGenerator(seed: 73)
        let people = (1...(FrequencyRowPieces.groupsAtATime * 2 + 7)).map { "P\($0)" }
        var counts: [String: [String: Int]] = [:]
        var documents: [String: [String: Set<Int>]] = [:]
        var spoken: [String: Int] = [:]
        var participants = "participant,split\n"
        for (index, person) in people.enumerated() {
            participants += "\(person),\(index % 3 == 0 ? "tech" : "clinical")\n"
        }
        // The first five participants speak in a second transcript too.
        for (document, person) in (people + people.prefix(5)).enumerated() {
            let said = (0..<Int.random(in: 5...40, using: &random)).map { _ in
                vocabulary[Int.random(in: 0..<vocabulary.count, using: &random)]
                    + String(Int.random(in: 0..<6, using: &random))
            }
            for word in said {
                counts[person, default: [:]][word, default: 0] += 1
                documents[person, default: [:]][word, default: []].insert(document)
            }
            spoken[person, default: 0] += said.count
            try "Interviewer: What does a week look like?\n\(person): \(said.joined(separator: " "))\n"
                .write(
                    to: texts.appendingPathComponent("t\(String(format: "%03d", document)).txt"), atomically: true,
                    encoding: .utf8)
        }
        try participants.write(to: root.appendingPathComponent("participants.csv"), atomically: true, encoding: .utf8)
        let pipeline = root.appendingPathComponent("study.yaml").path
        try """
        study: many
        inputs: {paths: [texts]}
        participants: participants.csv
        stages:
          - tokenize: {case: lower, stopwords: none}
          - frequencies:
              groupings: [participant, split]
              stopwords: keep
              keyness: [{grouping: participant, group: P3}]
        out: out
        """.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let report = try PipelineRunner(configuration: PipelineReader.read(pipeline)).run()
        #expect(report.failures.isEmpty)
        let out = root.appendingPathComponent("out/many")
        let file = try JSONDecoder().decode(
            Outputs.FrequenciesFile.self, from: Data(contentsOf: out.appendingPathComponent("frequencies.json")))
        let byParticipant = try #require(file.tables.first { $0.grouping == "participant" })
        #expect(byParticipant.groups.map(\.name) == people)
        #expect(byParticipant.groups.map(\.words) == people.map { spoken[$0] ?? 0 })
        var expected: [FrequencyTable.Row] = []
        for person in people {
            let rows = (counts[person] ?? [:]).map { term, count in
                FrequencyTable.Row(
                    term: term, group: person, count: count, rate: Double(count) * 1000 / Double(spoken[person] ?? 1),
                    participants: 1, documents: documents[person]?[term]?.count ?? 0)
            }
            expected += rows.sorted { $0.count != $1.count ? $0.count > $1.count : $0.term < $1.term }
        }
        #expect(byParticipant.rows.map(\.term) == expected.map(\.term))
        #expect(byParticipant.rows.map(\.group) == expected.map(\.group))
        #expect(byParticipant.rows.map(\.count) == expected.map(\.count))
        #expect(byParticipant.rows.map(\.documents) == expected.map(\.documents))
        #expect(zip(byParticipant.rows, expected).allSatisfy { abs($0.rate - $1.rate) < 1e-9 })
        #expect(file.keyness.first?.keyness.targetWords == spoken["P3"])
        // The CSV holds the JSON's rows, table after table.
        var lines = String(decoding: try Data(contentsOf: out.appendingPathComponent("frequencies.csv")), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        #expect(lines.removeFirst() == "grouping,ngram,term,group,count,rate,participants,documents")
        let fromJSON = file.tables.flatMap { table in
            table.rows.map { row in
                "\(table.grouping),\(table.ngram),\(row.term),\(row.group),\(row.count),"
                    + "\(FixedPoint.string(row.rate, digits: 4)),\(row.participants),\(row.documents)"
            }
        }
        #expect(file.tables.map(\.grouping) == ["participant", "split"])
        #expect(lines == fromJSON)
    }

    /// The frequency files are written a piece of rows at a time, a piece filled from several
    /// groups or cut from one large group: with pieces of 7 rows, both files still hold every
    /// table's rows in order (as the tables give them whole), and the report keeps each group's
    /// top rows.
    @Test func frequencyFilesWrittenInSmallPiecesHoldEveryRowInOrder() throws {
        final class Collected: ByteSink {
            var bytes: [UInt8] = []
            func append(_ more: [UInt8]) { bytes += more }
        }
        var random = SplitMixGenerator(seed: 7)
        let people = (1...(FrequencyRowPieces.groupsAtATime + 9)).map {
            Participant(id: "P\($0)", attributes: ["split": $0 % 4 == 0 ? "tech" : "clinical"])
        }
        let documents = people.map { person in
            var terms: [String: Int] = [:]
            // Some participants say nothing, some a few words, some a great many.
            for _ in 0..<[0, 3, 40][Int.random(in: 0..<3, using: &random)] {
                terms["w\(Int.random(in: 0..<60, using: &random))", default: 0] += Int.random(in: 1...3, using: &random)
            }
            return DocumentCounts(
                documentID: "d-\(person.id)",
                speakers: [.init(participantID: person.id, words: terms.values.reduce(0, +), terms: terms)])
        }
        let participants = ParticipantTable(attributeNames: ["split"], participants: people)
        var tables: [FinishedFrequencies.Table] = []
        var whole: [(String, FrequencyTable)] = []
        for grouping in [Grouping.participant, .attributes(["split"])] {
            var options = FrequencyCounter.Options()
            options.grouping = grouping
            let table = FrequencyTable(merging: documents, participants: participants, options: options)
            tables.append(.init(grouping: grouping.description, ngram: 1, table: table))
            whole.append((grouping.description, table))
        }
        var finished = FinishedFrequencies(study: "pieces", tables: tables, keyness: [])
        tables = []
        let (json, csv) = (Collected(), Collected())
        let shown = try Outputs.writeFrequencyFiles(&finished, json: json, csv: csv, rowsAtATime: 7)
        let file = try JSONDecoder().decode(Outputs.FrequenciesFile.self, from: Data(json.bytes))
        #expect(file.tables.map(\.grouping) == whole.map(\.0))
        var lines = ["grouping,ngram,term,group,count,rate,participants,documents"]
        for ((grouping, table), written) in zip(whole, file.tables) {
            #expect(table.rows.count > 7 && written.rows == table.rows && written.groups == table.groups)
            lines += table.rows.map { row in
                "\(grouping),1,\(row.term),\(row.group),\(row.count),\(FixedPoint.string(row.rate, digits: 4)),"
                    + "\(row.participants),\(row.documents)"
            }
        }
        #expect(String(decoding: csv.bytes, as: UTF8.self) == lines.joined(separator: "\n") + "\n")
        for ((_, table), kept) in zip(whole, shown.tables) {
            let top = table.groups.flatMap { group in
                table.rows.filter { $0.group == group.name }.prefix(HTMLReport.topTermsShown)
            }
            #expect(kept.rows == top)
        }
    }

    /// Frequencies grouped or compared by a column the participants file does not have put
    /// every participant in one "(none)" group without a word: now
    /// the run stops before reading anything and names the column, and the one meant.
    @Test func aGroupingByAnAttributeTheParticipantsLackIsAConfigurationError() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let text = try String(contentsOfFile: workspace.pipeline, encoding: .utf8)
        for (from, to, missing) in [
            (
                "groupings: [clinical_tech_split, participant]", "groupings: [Clinical_Tech_Split]",
                "Clinical_Tech_Split"
            ),
            ("- grouping: clinical_tech_split", "- grouping: split", "split"),
        ] {
            try text.replacingOccurrences(of: from, with: to).write(
                toFile: workspace.pipeline, atomically: true, encoding: .utf8)
            do {
                _ = try workspace.run()
                Issue.record("a run grouped by \(missing) went ahead")
            } catch let error as PipelineError {
                #expect(error.file == workspace.pipeline)
                #expect(error.message.contains("no participant attribute \"\(missing)\""), "\(error.message)")
                #expect(error.message.contains("clinical_tech_split"))
            }
            #expect(!FileManager.default.fileExists(atPath: workspace.out.appendingPathComponent("corpus.json").path))
        }
        try text.write(toFile: workspace.pipeline, atomically: true, encoding: .utf8)
        #expect(try workspace.run().corpus.documents == 11)
    }

    /// A participant who speaks in a transcript but has no row in the participants file (a row
    /// forgotten, an id mistyped) is named in the run report's warnings, with where they speak.
    @Test func aSpeakingParticipantWithoutARowIsNamed() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        #expect(try workspace.run().warnings.isEmpty)
        let table = workspace.corpus("participants.csv")
        let rows = try String(contentsOf: table, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        try rows.filter { !$0.hasPrefix("P7,") }.joined(separator: "\n").write(
            to: table, atomically: true, encoding: .utf8)
        let report = try workspace.run()
        let warning = try #require(report.warnings.first { $0.contains("no row in participants.csv") })
        #expect(warning.contains("P7 (interview-07)") && !warning.contains("P1 "))
    }

    /// A transcript the participants file names that is not among the inputs (misspelt, moved)
    /// is named in a warning, with the file it is closest to; `tmine validate` says so too.
    @Test func aTranscriptTheParticipantsFileNamesButTheInputsLackIsNamed() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        #expect(try workspace.run().warnings.allSatisfy { !$0.contains("not among the inputs") })
        let table = workspace.corpus("participants.csv")
        let text = try String(contentsOf: table, encoding: .utf8)
        try text.replacingOccurrences(of: "interview-07.xml", with: "interveiw-07.xml")
            .write(to: table, atomically: true, encoding: .utf8)
        let said = "participants.csv names a transcript not among the inputs: P7: interveiw-07.xml (interview-07.xml?)"
        #expect(try workspace.run().warnings.contains(said))
        let (status, output) = try runProcess(try tmineExecutable().path, ["validate", workspace.pipeline])
        #expect(status == 0 && output.contains("warning: " + said), "\(output)")
    }

    /// What a run says of the transcripts' names (a copy, one name in two formats, a file the
    /// participants file names that is not among the inputs) comes in one order, the copy first
    /// and the missing file last, on a full run and on a lexicon edit that reads the cache.
    @Test func whatIsSaidOfTheTranscriptsNamesComesInOneOrder() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try FileManager.default.copyItem(
            at: workspace.corpus("interview-11.txt"), to: workspace.corpus("interview-11 - Copy.txt"))
        try "P1: I was trained as a GP.\n".write(
            to: workspace.corpus("interview-01.txt"), atomically: true, encoding: .utf8)
        let table = workspace.corpus("participants.csv")
        try String(contentsOf: table, encoding: .utf8).replacingOccurrences(
            of: "interview-07.xml", with: "interveiw-07.xml"
        )
        .write(to: table, atomically: true, encoding: .utf8)
        var said: [[String]] = []
        for edit in [false, true] {
            if edit { try workspace.editLexicon { $0.replacingOccurrences(of: "hype", with: "hyped") } }
            let warnings = try workspace.run().warnings
            let copy = try #require(warnings.firstIndex { $0.contains("the same transcript is read twice") })
            let formats = try #require(
                warnings.firstIndex {
                    $0.contains("interview-01.docx, ") && $0.contains("interview-01.txt: one name in 2 formats")
                },
                "\(warnings)")
            let nowhere = try #require(
                warnings.firstIndex { $0.contains("not among the inputs: P7: interveiw-07.xml") })
            // The copy's turns, labelled with no id and named by no row, are no participant's: said
            // of the document as it was read, after the names.
            let read = try #require(warnings.firstIndex { $0.hasPrefix("interview-11 - Copy: participant turns") })
            #expect(copy < formats && formats < read && read < nowhere, "\(warnings)")
            #expect(nowhere == warnings.count - 1, "\(warnings)")
            said.append(warnings)
        }
        #expect(said[0] == said[1])
    }

    /// The last full run's report is kept as a second name of run-report.json, not written
    /// twice; a run with nothing to do writes run-report.json anew and still reuses it.
    @Test func theLastReportIsALinkToRunReportJSON() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        func inode(_ name: String) -> UInt64? {
            var status = stat()
            return stat(workspace.out.appendingPathComponent(name).path, &status) == 0 ? UInt64(status.st_ino) : nil
        }
        let written = try #require(inode("run-report.json"))
        #expect(inode(".cache/last-report.json") == written)
        let kept = try Data(contentsOf: workspace.out.appendingPathComponent(".cache/last-report.json"))
        for _ in 0..<2 {
            #expect(try workspace.run().outputs == ["run-report.json"])
            #expect(inode("run-report.json") != written)
            #expect(try Data(contentsOf: workspace.out.appendingPathComponent(".cache/last-report.json")) == kept)
        }
    }

    /// Where run-report.json cannot be linked (gone, or a file system without hard links), the
    /// last report's bytes are written instead, and read back under their hash.
    @Test func aReportThatCannotBeLinkedIsWrittenInstead() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let full = try workspace.run()
        let bytes = try Data(contentsOf: workspace.out.appendingPathComponent("run-report.json"))
        // Another out folder, with no run-report.json to link.
        let out = workspace.root.appendingPathComponent("elsewhere").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var manifest = RunManifest()
        manifest.setReport(bytes, writtenAt: (out as NSString).appendingPathComponent("run-report.json"))
        manifest.save(in: out)
        #expect(try Data(contentsOf: URL(fileURLWithPath: RunManifest.reportPath(in: out))) == bytes)
        #expect(RunManifest.load(from: out).lastReport(in: out)?.study == full.study)
    }

    /// How a document was read, when it changes whose words are whose (no speaker label found),
    /// is in the run report's warnings, from the cache too, not only in corpus.json's notes.
    @Test func notesOnHowADocumentWasReadAreWarnings() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try "I was trained as a GP.\nThen I moved into AI.\n".write(
            to: workspace.corpus("memo.txt"), atomically: true, encoding: .utf8)
        for force in [true, false, false] {
            let report = try workspace.run(force: force)
            #expect(report.warnings == ["memo: no speaker labels found; the text is kept as unlabelled turns"])
        }
    }

    /// Without a transcript column, a file named by a participant's id (`P01.txt` for `P1`, as
    /// researchers name one file per participant) is that participant's: its unlabelled text is
    /// their words (it was counted for nobody, and its queries were said to be misspelt), and a
    /// label without an id (`R:`) is theirs.
    @Test func aFileNamedByAParticipantIsTheirsWithoutATranscriptColumn() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("named-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "id,role\nP1,GP\nP2,Surgeon\n".write(
            to: folder.appendingPathComponent("participants.csv"), atomically: true, encoding: .utf8)
        try "There was no protected time.\nHype everywhere.\n".write(
            to: folder.appendingPathComponent("P01.txt"), atomically: true, encoding: .utf8)
        try "I: Any time?\nR: No protected time at all.\n".write(
            to: folder.appendingPathComponent("P2.txt"), atomically: true, encoding: .utf8)
        try "No labels here at all.\n".write(
            to: folder.appendingPathComponent("memo.txt"), atomically: true, encoding: .utf8)
        let table = try ParticipantsReader().read(file: folder.appendingPathComponent("participants.csv").path).table
        let ingestor = try Ingestor(participants: table)
        let p1 = try ingestor.read(file: folder.appendingPathComponent("P01.txt").path)
        #expect(p1.segments.map(\.participantID) == ["P1"] && p1.segments.map(\.role) == [.participant])
        #expect(
            p1.notes == [
                "no speaker labels found; the whole text is taken as P1's words (the file is named by their id)"
            ])
        let p2 = try ingestor.read(file: folder.appendingPathComponent("P2.txt").path)
        #expect(p2.segments.map(\.participantID) == [nil, "P2"])
        let memo = try ingestor.read(file: folder.appendingPathComponent("memo.txt").path)
        #expect(memo.segments.map(\.role) == [.other])
        // Given by a transcript column, the note says so.
        try "id,role,transcript\nP1,GP,\nP2,Surgeon,memo.txt\n".write(
            to: folder.appendingPathComponent("participants.csv"), atomically: true, encoding: .utf8)
        let column = try ParticipantsReader().read(file: folder.appendingPathComponent("participants.csv").path).table
        let given = try Ingestor(participants: column).read(file: folder.appendingPathComponent("memo.txt").path)
        #expect(given.segments.map(\.participantID) == ["P2"])
        #expect(
            given.notes == [
                "no speaker labels found; the whole text is taken as P2's words (the participants file gives them this file)"
            ])
    }

    /// A transcript copied under another name (`interview-11 - Copy.txt`) is read twice and its
    /// words counted twice: the run says so, naming both.
    @Test func aTranscriptReadTwiceUnderTwoNamesIsNamed() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try FileManager.default.copyItem(
            at: workspace.corpus("interview-11.txt"), to: workspace.corpus("interview-11 - Copy.txt"))
        let report = try workspace.run()
        let warning = try #require(report.warnings.first { $0.contains("the same transcript is read twice") })
        #expect(
            warning.contains("interview-11 - Copy.txt, ") && warning.contains("interview-11.txt have the same bytes"))
        // The copy's participant turns are labelled without an id, and participants.csv names only
        // the original: they are no participant's.
        #expect(
            report.warnings.filter { $0 != warning } == [
                "interview-11 - Copy: participant turns of \"R\" are no participant's, their words in no "
                    + "attribute's group: no row of the participants file names interview-11 - Copy.txt in its "
                    + "transcript column (name the file there, or label the turns with an id, as P3:)"
            ])
    }

    /// One name in two formats in one folder (a `.docx` and its `.txt` export) is most often one
    /// interview read twice, with bytes that differ: the run says so; the same name in two
    /// folders is two interviews (their ids tell them apart), and says nothing.
    @Test func oneNameInTwoFormatsIsNamed() {
        #expect(
            PipelineRunner.sameNameInFormats(["t/interview-01.docx", "t/interview-01.txt", "t/interview-02.docx"]) == [
                "t/interview-01.docx, t/interview-01.txt: one name in 2 formats, each read; if they are one interview, "
                    + "its words are counted twice (leave one out with the inputs' exclude)"
            ])
        #expect(PipelineRunner.sameNameInFormats(["site-a/P01.docx", "site-b/P01.docx", "P01.notes.txt"]).isEmpty)
    }

    @Test func wordsOfTurnsNoStageReadsAreCountedNotTokenised() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let report = try workspace.run()
        let configuration = try PipelineReader.read(workspace.pipeline)
        #expect(configuration.analysedRoles == [.participant])
        let participants = try ParticipantsReader().read(file: try #require(configuration.participants)).table
        let documents = try Ingestor(options: configuration.ingest, participants: participants).readAll(
            configuration.inputs
        ).documents
        let everyTurn = TokenizedCorpus(documents: documents, options: configuration.tokenize.options)
        let roles = documents.flatMap { $0.segments.map(\.role) }
        let counts = everyTurn.tokens.flatMap { $0.map(\.count) }
        func words(of role: SpeakerRole) -> Int {
            zip(roles, counts).filter { $0.0 == role }.reduce(0) { $0 + $1.1 }
        }
        #expect(words(of: .interviewer) > 500)
        #expect(report.corpus.tokens == counts.reduce(0, +))
        #expect(report.corpus.participantTokens == words(of: .participant))
    }

    /// Participants' words in turns tied to no participant (a transcript the participants file
    /// does not name, `R:` its only label) are counted and said apart in the methods paragraph and
    /// the report: "from 11 participants" was all they said, as if those words were theirs.
    @Test func wordsOfSpeakersTiedToNoParticipantAreSaidApart() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let listed = try workspace.run()
        #expect(listed.corpus.unattributedTokens == nil)
        #expect(!listed.methods.contains("tied to no participant"))
        try "I: Any hype?\nR: Lots of hype here, I think.\n".write(
            to: workspace.corpus("interview-12.txt"), atomically: true, encoding: .utf8)
        for step in ["cold", "cached"] {
            let report = try workspace.run()
            #expect(report.corpus.unattributedTokens == 6, "\(step)")
            #expect(report.corpus.participantTokens == listed.corpus.participantTokens + 6, "\(step)")
            #expect(
                report.methods.contains(
                    "\(report.corpus.participantTokens) participant word tokens from 11 participants (6 of them "
                        + "from speakers tied to no participant)"), "\(step)")
            let page = String(decoding: try workspace.output("report.html"), as: UTF8.self)
            #expect(page.contains("spoken by participants (6 of them by speakers tied to no participant)"), "\(step)")
        }
    }

    @Test func rerunsAreCachedAndByteIdentical() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let names = ["corpus.json", "kwic.json", "frequencies.json", "frequencies.csv", "suggestions.json"]
        let first = try names.map(workspace.output)
        let second = try workspace.run()
        for stage in ["ingest", "tokenize", "kwic", "frequencies", "suggest"] {
            #expect(second.stage(stage)?.ran == [], "\(stage)")
            #expect(second.stage(stage)?.cached.count == 11, "\(stage)")
        }
        let again = try names.map(workspace.output)
        #expect(first == again)
        let forced = try workspace.run(force: true)
        #expect(forced.stage("ingest")?.ran.count == 11)
        #expect(try names.map(workspace.output) == first)
    }

    /// The command line's runs leave their state for the exit to free: nothing a run must do
    /// waits for that state's release (the cache's index, the outputs and their layouts).
    @Test func aRunThatLeavesItsStateToTheExitLeavesNothingUndone() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run(endsWithProcess: true)
        // A changed query needs every document again: read from the cache that run left.
        try workspace.writePipeline(kwicQueries: ["culture clash"])
        let report = try workspace.run(endsWithProcess: true)
        for stage in ["ingest", "frequencies"] {
            #expect(report.stage(stage)?.ran == [], "\(stage)")
        }
        #expect(report.stage("kwic")?.ran.count == 11)
        try workspace.expectAFreshRunWritesTheSame([
            "corpus.json", "kwic.json", "frequencies.json", "frequencies.csv", "suggestions.json", "report.html",
        ])
    }

    @Test func aNewTranscriptIsTheOnlyOneIngested() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        try "Interviewer: Anything on hype?\nP12: Only hype, and no protected time.\n"
            .write(to: workspace.corpus("interview-12.txt"), atomically: true, encoding: .utf8)
        let report = try workspace.run()
        #expect(report.stage("ingest")?.ran == ["interview-12"])
        #expect(report.stage("kwic")?.ran == ["interview-12"])
        #expect(report.stage("frequencies")?.ran == ["interview-12"])
        #expect(report.corpus.documents == 12)
    }

    @Test func changedAttributesRegroupWithoutRecomputingDocuments() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let before = try workspace.output("frequencies.json")
        let path = workspace.corpus("participants.csv").path
        let table = try String(contentsOfFile: path, encoding: .utf8)
        try table.replacingOccurrences(of: "P9,Surgeon,Full-time tech", with: "P9,Surgeon,Full-time clinician")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let report = try workspace.run()
        for stage in ["ingest", "tokenize", "kwic", "frequencies"] {
            #expect(report.stage(stage)?.ran == [], "\(stage)")
        }
        let after = try workspace.output("frequencies.json")
        #expect(before != after)
        let frequencies = try JSONDecoder().decode(Outputs.FrequenciesFile.self, from: after)
        #expect(frequencies.tables.contains { $0.groups.contains { $0.name == "Full-time clinician" } })
        let kwic = String(decoding: try workspace.output("kwic.json"), as: UTF8.self)
        #expect(kwic.contains("Full-time clinician"))  // attributes joined afresh
        let regrouped = report.kwic?.flatMap(\.groups).filter { $0.value == "Full-time clinician" } ?? []
        #expect(!regrouped.isEmpty && regrouped.allSatisfy { $0.attribute == "clinical_tech_split" })
    }

    @Test func changedQueryRerunsOnlyKWIC() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        try workspace.writePipeline(kwicQueries: ["culture clash"])
        let report = try workspace.run()
        #expect(report.stage("ingest")?.ran == [])
        #expect(report.stage("kwic")?.ran.count == 11)
        #expect(report.stage("frequencies")?.ran == [])
        let kwic = try JSONDecoder().decode(Outputs.KWICFile.self, from: try workspace.output("kwic.json"))
        #expect(kwic.lines.contains { $0.match == "culture clash" })
        #expect(!kwic.lines.contains { $0.match.lowercased() == "hype" })
    }

    /// The run report gives each query's hits and documents as kwic.json has them, whether the
    /// file was written whole, kept (a lexicon edit, nothing changed), written with most
    /// documents' lines copied from the last one, or sorted; a query with no hit is a warning.
    /// Each group has the words its participants spoke as frequencies.json counts them, and its
    /// hits per 1,000 of them; groups that spoke without a hit are listed.
    @Test func theRunReportCountsEachQuerysHitsAndWarnsOfQueriesFoundNowhere() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.writePipeline(kwicQueries: ["protected time", "regualt*", "hype", "laughs"])
        let table = try ParticipantsReader().read(file: workspace.corpus("participants.csv").path).table
        func expectCountsAgree(_ report: RunReport, _ step: String) throws -> [String: Int] {
            let kwic = try JSONDecoder().decode(Outputs.KWICFile.self, from: try workspace.output("kwic.json"))
            let frequencies = try JSONDecoder().decode(
                Outputs.FrequenciesFile.self, from: try workspace.output("frequencies.json"))
            let byParticipant = try #require(frequencies.tables.first { $0.grouping == "participant" && $0.ngram == 1 })
            let hits = try #require(report.kwic, "\(step)")
            #expect(hits.map(\.query) == ["protected time", "regualt*", "hype", "laughs"], "\(step)")
            for query in hits {
                let lines = kwic.lines.filter { $0.query == query.query }
                #expect(query.hits == lines.count, "\(step): \(query.query)")
                #expect(query.documents == Set(lines.map(\.documentID)).count, "\(step): \(query.query)")
                // By group: the lines whose speaker has that value, and their participants; every
                // attribute with few values but the one naming transcripts. The words of each
                // participant who spoke, summed by value.
                var expected: [RunReport.QueryHits.Group] = []
                for attribute in ["role", "clinical_tech_split", "years_in_field", "ai_experience"] {
                    let byValue = Dictionary(grouping: lines) { $0.attributes[attribute] ?? "(none)" }
                    var words: [String: Int] = [:]
                    for group in byParticipant.groups {
                        let value = table.byID[group.name]?.attributes[attribute] ?? "(none)"
                        words[value, default: 0] += group.words
                    }
                    expected += Set(byValue.keys).union(words.keys).sorted().map { value in
                        let group = byValue[value] ?? []
                        let spoken = try? #require(words[value], "\(step): \(query.query) \(value)")
                        return .init(
                            attribute: attribute, value: value, hits: group.count,
                            participants: Set(group.compactMap(\.participantID)).count, words: spoken,
                            rate: spoken.map { Double(group.count) * 1000 / Double($0) })
                    }
                }
                #expect(query.groups == expected, "\(step): \(query.query)")
            }
            let none = report.warnings.filter { $0.hasPrefix("kwic: no hit") }
            #expect(none.count == (hits.contains { $0.hits == 0 } ? 1 : 0), "\(step)")
            return Dictionary(uniqueKeysWithValues: hits.map { ($0.query, $0.hits) })
        }
        let cold = try workspace.run()
        #expect(try expectCountsAgree(cold, "cold") == ["protected time": 8, "regualt*": 0, "hype": 7, "laughs": 0])
        let page = String(decoding: try workspace.output("report.html"), as: UTF8.self)
        #expect(page.contains("<tr><td>regualt*</td><td>none</td><td>0</td><td>–</td></tr>"))
        #expect(
            page.contains(
                "<tr><td>hype</td><td>7</td><td>7</td><td>20% clinical: 80% tech: 1 (1\u{A0}of\u{A0}1), 5.26\u{A0}per\u{A0}1,000<br>"
                    + "50% clinical: 50% academic/industry: 0 (0\u{A0}of\u{A0}1), 0.00\u{A0}per\u{A0}1,000<br>"))
        #expect(page.contains("Full-time tech: 4 (4\u{A0}of\u{A0}7), 3.11\u{A0}per\u{A0}1,000</td></tr>"))
        #expect(cold.warnings.contains { $0.contains(#"no hit for "regualt*", "laughs" in 11 documents"#) })
        // The turns the stage does not read are named as a place the words may be.
        #expect(
            cold.warnings.contains {
                $0.contains("said only in turns the kwic stage does not read (interviewer, other)")
                    && $0.hasSuffix("tmine kwic QUERY PIPELINE --role all shows which)")
            })
        try workspace.editLexicon { $0 + "\n# an edit\n" }
        let edit = try workspace.run()
        #expect(edit.stage("kwic")?.ran == [] && edit.outputs.contains("kwic.json") == false)
        #expect(
            try expectCountsAgree(edit, "lexicon edit") == ["protected time": 8, "regualt*": 0, "hype": 7, "laughs": 0])
        // The interviewer's turn is not searched (participants' turns are); the laugh in
        // parentheses is a note, the word spoken a hit.
        let added = "Interviewer: Any hype? (laughs)\nP11: Hype, and a regualted rota, laughs the registrar.\n"
        let handle = try FileHandle(forWritingTo: workspace.corpus("interview-11.txt"))
        handle.seekToEndOfFile()
        handle.write(Data(added.utf8))
        try handle.close()
        let changed = try workspace.run()
        #expect(changed.stage("kwic")?.ran == ["interview-11"])
        #expect(
            try expectCountsAgree(changed, "a transcript changed") == [
                "protected time": 8, "regualt*": 1, "hype": 8, "laughs": 1,
            ])
        #expect(!changed.warnings.contains { $0.hasPrefix("kwic:") })
        let changedPage = String(decoding: try workspace.output("report.html"), as: UTF8.self)
        #expect(
            changedPage.contains(
                "<tr><td>regualt*</td><td>1</td><td>1</td><td>20% clinical: 80% tech: 0 (0\u{A0}of\u{A0}1), 0.00\u{A0}per\u{A0}1,000<br>"
            ))
        #expect(changedPage.contains("<br>Full-time tech: 1 (1\u{A0}of\u{A0}7), 0.77\u{A0}per\u{A0}1,000</td>"))
        #expect(try expectCountsAgree(try workspace.run(), "nothing changed")["hype"] == 8)
        let pipeline = try String(contentsOfFile: workspace.pipeline, encoding: .utf8)
        let queries = try #require(pipeline.split(separator: "\n").first { $0.contains("queries:") })
        try pipeline.replacingOccurrences(of: queries, with: queries + "\n      sort: [R1]").write(
            toFile: workspace.pipeline, atomically: true, encoding: .utf8)
        #expect(try expectCountsAgree(try workspace.run(), "sorted")["hype"] == 8)
    }

    /// The run report counts the transcribers' notes the tokeniser left out of the words, by
    /// kind, on every path (a transcript's tally is cached with its counts); the methods
    /// paragraph and report.html say how many. Kept as words, they are not counted as notes.
    @Test func theRunReportCountsTranscribersNotesLeftOutOfTheWords() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let added =
            "Interviewer: Any hype? [inaudible 00:12:03]\n"
            + "P11: Hype (laughs), and a rota [Inaudible 00:13:10]. ((coughs)) [redacted]\n"
        let handle = try FileHandle(forWritingTo: workspace.corpus("interview-11.txt"))
        handle.seekToEndOfFile()
        handle.write(Data(added.utf8))
        try handle.close()
        func expectNotes(_ report: RunReport, _ step: String) throws {
            let notes = try #require(report.transcriberNotes, "\(step)")
            #expect(notes.count == 5 && notes.documents == 1 && notes.kinds == 4, "\(step)")
            #expect(
                notes.top.map { "\($0.note) \($0.count) \($0.documents) \($0.example)" } == [
                    "[inaudible] 2 1 [inaudible 00:12:03]", "((coughs)) 1 1 ((coughs))", "(laughs) 1 1 (laughs)",
                    "[redacted] 1 1 [redacted]",
                ], "\(step)")
            #expect(report.methods.contains("were not counted as words (5 notes in 1 of 11 documents)."), "\(step)")
        }
        let cold = try workspace.run()
        try expectNotes(cold, "cold")
        let page = String(decoding: try workspace.output("report.html"), as: UTF8.self)
        #expect(page.contains("<p>5 notes of 4 kinds in 1 of 11 transcripts, left out of the words"))
        #expect(page.contains("<tr><td>[inaudible]</td><td>2</td><td>1</td><td>[inaudible 00:12:03]</td></tr>"))
        try workspace.editLexicon { $0 + "\n# an edit\n" }
        let edit = try workspace.run()
        #expect(edit.stage("tokenize")?.ran == [])
        try expectNotes(edit, "lexicon edit")
        try expectNotes(try workspace.run(), "nothing changed")
        let pipeline = try String(contentsOfFile: workspace.pipeline, encoding: .utf8)
        try pipeline.replacingOccurrences(of: "case: fold", with: "case: fold\n      annotations: true")
            .write(toFile: workspace.pipeline, atomically: true, encoding: .utf8)
        let kept = try workspace.run()
        #expect(kept.transcriberNotes == nil)
        #expect(kept.methods.contains("were tokenised as words."))
        #expect(!String(decoding: try workspace.output("report.html"), as: UTF8.self).contains("Transcribers' notes"))
    }

    /// A phrase query, a lexicon pattern and a bigram stop at a sentence's end unless the
    /// tokenize stage says `phrases: turn`; the methods paragraph says which.
    @Test func phrasesStopAtASentencesEndUnlessThePipelineSaysTurn() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let handle = try FileHandle(forWritingTo: workspace.corpus("interview-11.txt"))
        handle.seekToEndOfFile()
        handle.write(Data("\n[00:02:10] R: We were well protected. Time was what we needed.\n".utf8))
        try handle.close()
        func hits() throws -> Int {
            let kwic = try JSONSerialization.jsonObject(with: workspace.output("kwic.json")) as? [String: Any]
            let lines = kwic?["lines"] as? [[String: Any]] ?? []
            return lines.filter { $0["query"] as? String == "protected time" }.count
        }
        func evidence() throws -> Int {
            let suggestions = String(decoding: try workspace.output("suggestions.json"), as: UTF8.self)
            return suggestions.components(separatedBy: "protected. Time").count - 1
        }
        let within = try workspace.run()
        #expect(try hits() == 8)
        #expect(try evidence() == 0)
        #expect(within.methods.contains("Phrases and n-grams were matched within a sentence"))
        let pipeline = try String(contentsOfFile: workspace.pipeline, encoding: .utf8)
        try pipeline.replacingOccurrences(of: "case: fold", with: "case: fold\n      phrases: turn")
            .write(toFile: workspace.pipeline, atomically: true, encoding: .utf8)
        let across = try workspace.run()
        #expect(across.stage("tokenize")?.ran.count == 11)
        #expect(try hits() == 9)
        #expect(try evidence() > 0)
        #expect(across.methods.contains("Phrases and n-grams were matched across sentence ends within a turn."))
    }

    /// `tmine kwic --by`'s groups (each transcript tokenised and searched alone, its lines
    /// merged and its speakers' words counted as the command does) are the pipeline's rated
    /// groups of that attribute.
    @Test func kwicByGroupGivesThePipelinesRatedGroups() throws {
        let workspace = try Workspace(kwicQueries: ["hype", "protected time", "regulat*"])
        defer { workspace.remove() }
        let report = try workspace.run()
        let corpus = try JSONDecoder().decode(Outputs.CorpusFile.self, from: try workspace.output("corpus.json"))
        let stage = try #require(try PipelineReader.read(workspace.pipeline).kwic)
        let queries = try stage.queries.map { text throws(QueryError) in try Query(text) }
        let concordancer = Concordancer(options: stage.options)
        var lines: [ConcordanceLine] = []
        var words: [String: Int] = [:]
        for document in corpus.documents {
            let tokenized = TokenizedCorpus(
                documents: [document], participants: corpus.participants, options: Tokenizer.Options(),
                roles: stage.options.filter.roles)
            lines += concordancer.lines(of: queries, in: tokenized)
            words.merge(tokenized.wordsBySpeaker(roles: stage.options.filter.roles), uniquingKeysWith: +)
        }
        let merged = concordancer.merge(lines, queries: queries, participants: corpus.participants).lines
        for attribute in ["clinical_tech_split", "years_in_field"] {
            let byGroup = RunReport.QueryHits.byGroup(
                merged, queries: stage.queries, attribute: attribute, participants: corpus.participants, words: words,
                filter: stage.options.filter)
            let pipeline = try #require(report.kwic).map { query in
                query.groups.filter { $0.attribute == attribute }
            }
            #expect(byGroup.map(\.groups) == pipeline, "\(attribute)")
            #expect(byGroup.allSatisfy { $0.groups.allSatisfy { $0.rate != nil } }, "\(attribute)")
        }
        // An attribute of more values than the run report groups by is counted when asked for.
        let byTranscript = RunReport.QueryHits.byGroup(
            merged, queries: stage.queries, attribute: "transcript", participants: corpus.participants, words: words,
            filter: stage.options.filter)
        #expect(byTranscript[0].groups.count == 11 && byTranscript[0].groups.map(\.hits).reduce(0, +) == 7)
        // By participant, and by two attributes together, as `tmine freq --by` reads them.
        let byParticipant = RunReport.QueryHits.byGroup(
            merged, queries: stage.queries, attribute: "participant", participants: corpus.participants, words: words,
            filter: stage.options.filter)
        let combined = RunReport.QueryHits.byGroup(
            merged, queries: stage.queries, attribute: "clinical_tech_split,years_in_field",
            participants: corpus.participants, words: words, filter: stage.options.filter)
        for (query, (people, pairs)) in zip(stage.queries, zip(byParticipant, combined)) {
            #expect(people.groups.map(\.value) == (1...11).map { "P\($0)" }, "\(query)")
            for group in people.groups {
                #expect(group.hits == merged.filter { $0.query == query && $0.participantID == group.value }.count)
                #expect(group.words == words[group.value] && group.participants == (group.hits > 0 ? 1 : 0))
            }
            #expect(pairs.groups.map(\.hits).reduce(0, +) == people.groups.map(\.hits).reduce(0, +))
            #expect(
                pairs.groups.map(\.words)
                    == pairs.groups.map { group in
                        corpus.participants.participants.filter {
                            "\($0.attributes["clinical_tech_split"] ?? "") | \($0.attributes["years_in_field"] ?? "")"
                                == group.value
                        }.map { words[$0.id] ?? 0 }.reduce(0, +)
                    })
        }
    }

    /// A numeric column banded in the pipeline is an attribute like any other: frequencies,
    /// keyness and KWIC groups by it, in the bands' order; participants come in number order; an
    /// edit of the bands or of a participant's number regroups; a value that is not a number
    /// stops the run with the participants file and the participant named.
    @Test func bandedYearsGroupFrequenciesKeynessAndKWICInOrder() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let csv = workspace.corpus("participants.csv")
        var rows = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").map(String.init)
        let years = [2, 12, 7, 6, 3, 9, 1, 15, 4, 11, 8]
        rows[0] += ",years"
        for index in 1..<rows.count { rows[index] += ",\(years[index - 1])" }
        try rows.joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        let pipeline = try String(contentsOfFile: workspace.pipeline, encoding: .utf8)
        func writeBands(_ bounds: String) throws {
            try pipeline.replacingOccurrences(
                of: "participants: corpus/participants.csv",
                with: "participants:\n  file: corpus/participants.csv\n  bands:\n"
                    + "    experience: {from: years, at: [\(bounds)]}\n"
                    + "    stage: {from: years, at: [5, 10], labels: [early, mid, late]}"
            ).replacingOccurrences(
                of: "groupings: [clinical_tech_split, participant]", with: "groupings: [experience, participant, stage]"
            ).replacingOccurrences(
                of: "grouping: clinical_tech_split\n          group: Full-time tech",
                with: "grouping: experience\n          group: \"\(bounds.hasSuffix("10") ? "10+" : "5+")\""
            ).write(toFile: workspace.pipeline, atomically: true, encoding: .utf8)
        }
        try writeBands("5, 10")
        func tables() throws -> Outputs.FrequenciesFile {
            try JSONDecoder().decode(Outputs.FrequenciesFile.self, from: try workspace.output("frequencies.json"))
        }
        var report = try workspace.run()
        var frequencies = try tables()
        let experience = try #require(frequencies.tables.first { $0.grouping == "experience" && $0.ngram == 1 })
        #expect(experience.groups.map(\.name) == ["0-4", "5-9", "10+"])
        #expect(experience.groups.map(\.participants) == [4, 4, 3])
        // Labelled bands are listed in the bands' order, not by name.
        let stage = try #require(frequencies.tables.first { $0.grouping == "stage" && $0.ngram == 1 })
        #expect(stage.groups.map(\.name) == ["early", "mid", "late"])
        #expect(stage.groups.map(\.words) == experience.groups.map(\.words))
        let people = try #require(frequencies.tables.first { $0.grouping == "participant" && $0.ngram == 1 })
        #expect(people.groups.map(\.name) == (1...11).map { "P\($0)" })
        // Each band's words are its participants' words.
        let words = Dictionary(uniqueKeysWithValues: people.groups.map { ($0.name, $0.words) })
        func band(_ year: Int) -> String { year < 5 ? "0-4" : year < 10 ? "5-9" : "10+" }
        for group in experience.groups {
            let members = years.indices.filter { band(years[$0]) == group.name }.map { "P\($0 + 1)" }
            #expect(group.words == members.reduce(0) { $0 + (words[$1] ?? 0) }, "\(group.name)")
        }
        let keyness = try #require(frequencies.keyness.first { $0.ngram == 1 }?.keyness)
        #expect(keyness.target == "10+" && keyness.targetWords == experience.groups[2].words)
        let hype = try #require(report.kwic?.first { $0.query == "hype" })
        #expect(hype.groups.filter { $0.attribute == "experience" }.map(\.value) == ["0-4", "5-9", "10+"])
        #expect(hype.groups.filter { $0.attribute == "stage" }.map(\.value) == ["early", "mid", "late"])
        // The report's KWIC groups too.
        let page = String(decoding: try workspace.output("report.html"), as: UTF8.self)
        let places = try ["early: ", "mid: ", "late: "].map { try #require(page.range(of: $0)).lowerBound }
        #expect(places == places.sorted())
        #expect(hype.groups.filter { $0.attribute == "years" }.map(\.value) == years.sorted().map(String.init))
        #expect(report.methods.contains("years (as experience) split at 5 and 10"))

        // One participant's number changed: P2 (12 years) is now in 5-9.
        try rows.joined(separator: "\n").replacingOccurrences(of: ",12", with: ",9")
            .write(to: csv, atomically: true, encoding: .utf8)
        _ = try workspace.run()
        frequencies = try tables()
        #expect(
            frequencies.tables.first { $0.grouping == "experience" }?.groups.map(\.participants) == [4, 5, 2])
        // The bands edited in the pipeline.
        try writeBands("5")
        report = try workspace.run()
        frequencies = try tables()
        #expect(frequencies.tables.first { $0.grouping == "experience" }?.groups.map(\.name) == ["0-4", "5+"])
        #expect(frequencies.keyness.first?.keyness.target == "5+")
        #expect(report.methods.contains("years (as experience) split at 5;"))
        // And a number nobody can band.
        try rows.joined(separator: "\n").replacingOccurrences(of: ",12", with: ",about 12")
            .write(to: csv, atomically: true, encoding: .utf8)
        #expect {
            try workspace.run()
        } throws: { error in
            guard let error = error as? PipelineError else { return false }
            return error.file.hasSuffix("participants.csv") && error.message.contains("P2 \"about 12\"")
        }
    }

    /// Hits are rated against a group's words only when the frequencies counted the turns the
    /// queries searched: with the interviewer's turns counted too, the groups have hits alone.
    @Test func kwicGroupsAreNotRatedAgainstWordsOfOtherTurns() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let pipeline = try String(contentsOfFile: workspace.pipeline, encoding: .utf8)
        try pipeline.replacingOccurrences(
            of: "groupings: [clinical_tech_split, participant]",
            with: "groupings: [clinical_tech_split, participant]\n      roles: [participant, interviewer]"
        ).write(toFile: workspace.pipeline, atomically: true, encoding: .utf8)
        let report = try workspace.run()
        let groups = try #require(report.kwic?.first { $0.query == "hype" }?.groups)
        #expect(!groups.isEmpty && groups.allSatisfy { $0.words == nil && $0.rate == nil && $0.hits > 0 })
        let page = String(decoding: try workspace.output("report.html"), as: UTF8.self)
        #expect(page.contains("Full-time tech: 4 (4\u{A0}of\u{A0}7)</td></tr>"))
        #expect(!page.contains("per\u{A0}1,000<br>"))
    }

    /// A code whose patterns match nothing is named under the report's review progress, not
    /// left out of it unseen; a theme's heading (no patterns) is not named.
    @Test func theReportNamesCodesWithNoSuggestion() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        func said() throws -> String? {
            let html = String(decoding: try workspace.output("report.html"), as: UTF8.self)
            guard let start = html.range(of: "<p>No suggestion for ") else { return nil }
            return String(html[start.upperBound...].prefix { $0 != "(" })
        }
        #expect(try said() == nil)
        try workspace.editLexicon {
            $0 + "\n  - name: Zyzzyva & co\n    parent: Route to working with AI\n    patterns: [zyzzyva]\n"
        }
        _ = try workspace.run()
        #expect(try said() == "1 code: Zyzzyva &amp; co ")
    }

    @Test func kwicSortedByContextHoldsEveryLineThenWritesThemInThatOrder() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let unsorted = try JSONDecoder().decode(Outputs.KWICFile.self, from: try workspace.output("kwic.json"))
        let pipeline = try String(contentsOfFile: workspace.pipeline, encoding: .utf8)
        let queries = try #require(pipeline.split(separator: "\n").first { $0.contains("queries:") })
        try pipeline.replacingOccurrences(of: queries, with: queries + "\n      sort: [R1, R2]").write(
            toFile: workspace.pipeline, atomically: true, encoding: .utf8)
        _ = try workspace.run()
        let sorted = try JSONDecoder().decode(Outputs.KWICFile.self, from: try workspace.output("kwic.json"))
        #expect(unsorted.lines.count > 10 && sorted.lines.count == unsorted.lines.count)
        func key(_ line: ConcordanceLine) -> [String] {
            [line.rightWords.first ?? "", line.rightWords.dropFirst().first ?? ""]
        }
        #expect(sorted.lines.map(key) != unsorted.lines.map(key))
        #expect(
            zip(sorted.lines, sorted.lines.dropFirst()).allSatisfy { earlier, later in
                !key(later).lexicographicallyPrecedes(key(earlier)) {
                    $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars)
                }
            })
        func hit(_ line: ConcordanceLine) -> String {
            "\(line.documentID) \(line.segmentIndex) \(line.tokenIndex) \(line.query)"
        }
        #expect(Set(sorted.lines.map(hit)) == Set(unsorted.lines.map(hit)))
    }

    @Test func aRunWithNothingChangedKeepsEveryOutputAsItIs() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let names = [
            "corpus.json", "kwic.json", "frequencies.json", "frequencies.csv", "suggestions.json", "report.html",
        ]
        func stamps() throws -> [Date?] {
            try names.map {
                try FileManager.default.attributesOfItem(atPath: workspace.out.appendingPathComponent($0).path)[
                    .modificationDate] as? Date
            }
        }
        let before = try stamps()
        let report = try workspace.run()
        #expect(report.outputs == ["run-report.json"])
        #expect(try stamps() == before)
        #expect(report.corpus.documents == 11 && report.corpus.participants == 11)
        #expect(report.stage("suggest")?.cached.count == 11 && report.stage("suggest")?.wrote == false)
        #expect(report.suggestions?.perCode.allSatisfy { $0.added == 0 && $0.removed == 0 } == true)
    }

    /// Word parts to include are a set, which `JSONEncoder` wrote in each process's own hash
    /// order: every run of such a pipeline read every transcript again. Runs are separate
    /// processes here, as they are for a researcher.
    @Test func wordPartsToIncludeKeepTheCacheFromRunToRun() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let pipeline = try String(contentsOfFile: workspace.pipeline, encoding: .utf8)
        try pipeline.replacingOccurrences(
            of: "  paths: [corpus]\n", with: "  paths: [corpus]\n  docx:\n    include: [comments, footnotes, headers]\n"
        ).write(toFile: workspace.pipeline, atomically: true, encoding: .utf8)
        let tmine = try tmineExecutable().path
        let (status, output) = try runProcess(tmine, ["run", workspace.pipeline])
        #expect(status == 0, "\(output)")
        #expect(output.contains("ingest: 11 ran, 0 cached"), "\(output)")
        for again in 1...3 {
            let (status, output) = try runProcess(tmine, ["run", workspace.pipeline])
            #expect(status == 0, "\(output)")
            #expect(output.contains("nothing changed"), "run \(again + 1): \(output)")
        }
    }

    /// The manifest is written by hand and read by ``JSONReader``: every field reads back, as
    /// `JSONDecoder` (left what the reader does not take) reads it too.
    @Test func theManifestReadsBackAsItWasSaved() throws {
        func readByJSONReader(_ data: Data) throws -> RunManifest {
            try data.withUnsafeBytes { raw in
                var reader = JSONReader(raw.bindMemory(to: UInt8.self))
                return try RunManifest(reading: &reader)
            }
        }
        var manifest = RunManifest()
        #expect(try readByJSONReader(manifest.encoded()).outputs.isEmpty)
        #expect(try readByJSONReader(manifest.encoded()).reportHash == nil)
        manifest.outputs = [
            "suggestions.json": .init(key: "k\"ey\\é", size: 1 << 40, modified: -5, boot: "b00t"),
            "report.html": .init(key: "", size: 0, modified: 1_764_000_000_123_456_789, boot: nil),
            "kwic \u{7F}.json": .init(key: "x", size: 1, modified: Int64.min, boot: ""),
            "corpus.json": .init(key: "😀", size: Int64.max, modified: 0, boot: nil),
        ]
        manifest.reportHash = "h"
        let read = try readByJSONReader(manifest.encoded())
        #expect(read.outputs == manifest.outputs)
        #expect(read.reportHash == "h")
        let decoded = try JSONDecoder().decode(RunManifest.self, from: manifest.encoded())
        #expect(decoded.outputs == manifest.outputs && decoded.reportHash == "h")
        #expect(RunManifest.decoded(manifest.encoded())?.outputs == manifest.outputs)
        #expect(try JSONSerialization.jsonObject(with: manifest.encoded()) is [String: Any])
        // Fields in another order, unknown ones, white space: still read.
        let reordered =
            #"{ "later" : [1, {"x": null}], "reportHash" : null, "outputs" : { "a" : { "size" : 3, "boot" : null, "modified" : 4, "key" : "k", "new" : true } } }"#
        #expect(RunManifest.decoded(Data(reordered.utf8))?.outputs == ["a": .init(key: "k", size: 3, modified: 4)])
        // A torn or foreign manifest is not a manifest (the run then rebuilds every output).
        for bad in [
            #"{"outputs":{"a":{"key":"k","size":3}}}"#, #"{"outputs":{"a":{"key":"k","size":3,"modified":"#, "[]", "",
        ] {
            #expect(RunManifest.decoded(Data(bad.utf8)) == nil, "\(bad)")
        }
    }

    /// Each settings type's fields, so that one added later fails here until ``SettingsKey``
    /// holds it; and every field changes the key.
    @Test func settingsKeysHoldEveryField() {
        #expect(
            Mirror(reflecting: IngestOptions()).children.map(\.label)
                == ["labels", "zipLimits", "docxParts", "replaceInvalidText", "fallbackEncoding"])
        #expect(
            Mirror(reflecting: SpeakerLabels()).children.map(\.label)
                == [
                    "interviewerLabels", "participantLabels", "otherLabels", "speakerRoles", "patterns",
                    "recurringNameThreshold", "maximumLabelLength",
                ])
        #expect(
            Mirror(reflecting: ZipLimits()).children.map(\.label) == ["maximumEntrySize", "maximumCompressionRatio"])
        #expect(
            Mirror(reflecting: Tokenizer.Options()).children.map(\.label)
                == [
                    "caseMode", "foldDiacritics", "apostrophes", "possessiveApostrophe", "hyphens", "numberSeparators",
                    "numbers", "urls", "annotations", "phrases", "initialisms",
                ])

        let ingest = IngestOptions()
        var ingestVariants: [IngestOptions] = []
        for change in [
            { (options: inout IngestOptions) in options.labels.interviewerLabels.append("Moderator") },
            { $0.labels.participantLabels.append("Interviewee") }, { $0.labels.otherLabels.append("Note taker") },
            { $0.labels.speakerRoles["Helen Carter"] = .interviewer }, { $0.labels.patterns.append("^(?<label>X):") },
            { $0.labels.recurringNameThreshold += 1 }, { $0.labels.maximumLabelLength += 1 },
            { $0.zipLimits.maximumEntrySize += 1 }, { $0.zipLimits.maximumCompressionRatio += 1 },
            { $0.docxParts = [.comments] }, { $0.docxParts = [.comments, .footnotes] },
            { $0.replaceInvalidText.toggle() }, { $0.fallbackEncoding = .windows1252 },
        ] as [(inout IngestOptions) -> Void] {
            var variant = ingest
            change(&variant)
            ingestVariants.append(variant)
        }
        #expect(Set(ingestVariants.map(SettingsKey.of) + [SettingsKey.of(ingest)]).count == ingestVariants.count + 1)
        var roles = ingest
        roles.labels.speakerRoles = ["A": .interviewer, "B": .other]
        var sameRoles = ingest
        sameRoles.labels.speakerRoles = ["B": .other]
        sameRoles.labels.speakerRoles["A"] = .interviewer
        #expect(SettingsKey.of(roles) == SettingsKey.of(sameRoles))

        let tokenizer = Tokenizer.Options()
        var tokenizerVariants: [Tokenizer.Options] = []
        for change in [
            { (options: inout Tokenizer.Options) in options.caseMode = .lower }, { $0.foldDiacritics.toggle() },
            { $0.apostrophes.toggle() }, { $0.possessiveApostrophe.toggle() }, { $0.hyphens.toggle() },
            { $0.numberSeparators.toggle() }, { $0.numbers.toggle() }, { $0.urls.toggle() },
            { $0.annotations.toggle() }, { $0.phrases = .turn }, { $0.initialisms.toggle() },
        ] as [(inout Tokenizer.Options) -> Void] {
            var variant = tokenizer
            change(&variant)
            tokenizerVariants.append(variant)
        }
        #expect(
            Set(tokenizerVariants.map(SettingsKey.of) + [SettingsKey.of(tokenizer)]).count
                == tokenizerVariants.count + 1)
        // A list's parts cannot run into each other.
        #expect(SettingsKey.of(["ab", "c"]) != SettingsKey.of(["a", "bc"]))
        #expect(SettingsKey.of(["a"]) != SettingsKey.of(["a", ""]))
    }

    /// A run with nothing to do reuses the last full run's report only if it is the one the
    /// manifest recorded: an edited or damaged copy is never trusted.
    @Test func theLastReportIsReusedOnlyAsItWasWritten() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let full = try workspace.run()
        let last = workspace.out.appendingPathComponent(".cache/last-report.json")
        for damage in ["study", "garbage"] {
            let data = try Data(contentsOf: last)
            let damaged =
                damage == "study"
                ? Data(String(decoding: data, as: UTF8.self).replacingOccurrences(of: full.study, with: "other").utf8)
                : Data("{".utf8)
            try damaged.write(to: last)
            let report = try workspace.run()
            #expect(report.study == full.study)
            #expect(report.corpus.documents == 11)
            #expect(report.stage("suggest")?.cached.count == 11)
            // The run put the report back: the next one reuses it again.
            #expect(try Data(contentsOf: last) != damaged)
            #expect(try workspace.run().outputs == ["run-report.json"])
        }
    }

    @Test func anOutputEditedOrDeletedByHandIsRebuilt() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let kwic = try workspace.output("kwic.json")
        try (kwic + Data("oops".utf8)).write(to: workspace.out.appendingPathComponent("kwic.json"))
        try FileManager.default.removeItem(at: workspace.out.appendingPathComponent("report.html"))
        let report = try workspace.run()
        #expect(report.outputs == ["kwic.json", "report.html", "run-report.json"])
        #expect(try workspace.output("kwic.json") == kwic)
        #expect(report.stage("kwic")?.ran == [])  // rebuilt from the cache
        #expect(FileManager.default.fileExists(atPath: workspace.out.appendingPathComponent("report.html").path))
    }

    @Test func aNewDecisionRewritesSuggestionsAndTheReportOnly() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.runAndAcceptTheFirstSuggestion()
        // Without the documents' cache, suggestions are recomputed; the frequencies the report
        // shows must come from the merged tables kept in the cache, not from recounting.
        try FileManager.default.removeItem(at: workspace.out.appendingPathComponent(".cache/documents"))
        let report = try workspace.run()
        #expect(report.outputs == ["suggestions.json", "report.html", "run-report.json"])
        #expect(report.suggestions?.byStatus["accepted"] == 1)
        #expect(report.stage("suggest")?.ran.count == 11)
        #expect(report.stage("frequencies")?.ran == [] && report.stage("frequencies")?.wrote == false)
        // And the report is the one a full recomputation writes.
        let html = try workspace.output("report.html")
        _ = try workspace.run(force: true)
        #expect(try workspace.output("report.html") == html)
    }

    /// The merged frequency tables kept for report-only runs are checked whole before they are
    /// trusted: with a byte of them damaged, the run merges the documents' counts again and the
    /// report is still the one a full recomputation writes.
    /// A decision rebuilds the report from its cached frequency sections, or from the merged
    /// tables without them, or by merging every document's counts again: each damaged cache is
    /// passed over, and every route gives the page a forced run gives.
    @Test(arguments: [
        [], ["report-frequencies.bin"], ["frequencies.bin"], ["report-frequencies.bin", "frequencies.bin"],
    ])
    func damagedFrequencyCachesAreRebuiltNotTrusted(_ damaged: [String]) throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.runAndAcceptTheFirstSuggestion()
        for name in damaged {
            let file = workspace.out.appendingPathComponent(".cache/\(name)")
            var bytes = [UInt8](try Data(contentsOf: file))
            bytes[bytes.count - 40] ^= 0x01
            try Data(bytes).write(to: file)
        }
        let report = try workspace.run()
        #expect(report.failures.isEmpty)
        #expect(report.outputs == ["suggestions.json", "report.html", "run-report.json"])
        let html = try workspace.output("report.html")
        _ = try workspace.run(force: true)
        #expect(try workspace.output("report.html") == html)
    }

    /// The participants file is parsed once for each version of it: later runs take the table
    /// and its warnings from `.cache/participants.bin` without writing it again; a forced run, a
    /// damaged copy and an edited file are parsed anew.
    @Test func theParticipantTableIsParsedOnceForEachVersionOfItsFile() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let path = try #require(try PipelineReader.read(workspace.pipeline).participants)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // A short row, which the reader warns about.
        try (text + "P99,Consultant\n").write(toFile: path, atomically: true, encoding: .utf8)
        let first = try workspace.run()
        let cache = StoredParticipants.path(in: workspace.out.path)
        let written = try #require(TranscriptHashes.Identity(of: cache))

        func read(trusting: Bool = true) throws -> StoredParticipants {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try StoredParticipants.read(
                data: data, hash: ContentHash.of(data), file: path, out: workspace.out.path, trusting: trusting)
        }
        func parsed() throws -> StoredParticipants {
            let (table, warnings) = try ParticipantsReader().read(file: path)
            return StoredParticipants(table: table, warnings: warnings)
        }
        let expected = try parsed()
        #expect(expected.warnings.count == 1 && first.warnings.contains(expected.warnings[0]))
        #expect(try read() == expected)
        #expect(TranscriptHashes.Identity(of: cache) == written, "taken from the cache, not written again")

        #expect(try read(trusting: false) == expected)
        let forced = try #require(TranscriptHashes.Identity(of: cache))
        #expect(forced != written, "a forced run parses the file and keeps the table again")

        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: cache)))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: cache))
        #expect(try read() == expected)
        #expect(TranscriptHashes.Identity(of: cache) != forced, "a damaged copy is passed over and replaced")

        let edited = text.replacingOccurrences(of: "P2,Consultant,", with: "P2,Senior consultant,")
        #expect(edited != text)
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        let fresh = try read()
        #expect(fresh == (try parsed()) && fresh.warnings.isEmpty)
        #expect(
            fresh.table.participants.first { $0.id == "P2" }?.attributes.values.contains("Senior consultant") == true)
    }

    @Test func aTranscriptChangedWhileTheRunReadsItIsReportedNotCached() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let text = try String(contentsOf: workspace.corpus("interview-11.txt"), encoding: .utf8)
        for copy in 0..<30 {
            try (text + "\nP11: Copy \(copy).\n").write(
                to: workspace.corpus(String(format: "copy-%02d.txt", copy)), atomically: true, encoding: .utf8)
        }
        // Documents run in chunks of at least 16: the last copy is read well after the first is done.
        let late = workspace.corpus("copy-29.txt")
        var options = PipelineRunner.Options()
        options.progress = { done, _ in
            if done == 1 {
                try? (text + "\nP11: Edited meanwhile.\n").write(to: late, atomically: true, encoding: .utf8)
            }
        }
        let report = try PipelineRunner(configuration: PipelineReader.read(workspace.pipeline), options: options).run()
        #expect(report.failures.map(\.file) == ["corpus/copy-29.txt"])
        #expect(report.failures.first?.message.contains("changed while the run read it") == true)
        #expect(report.corpus.documents == 40)
        // The next run reads it as it now is.
        let next = try workspace.run()
        #expect(next.failures.isEmpty && next.corpus.documents == 41)
        #expect(next.stage("ingest")?.ran == ["copy-29"])
    }

    /// Transcripts are read and hashed again only when their identity changed; an edit that
    /// keeps the size and puts the modification time back (as `cp -p` or `touch -d` can) still
    /// changes the change time, so it is seen.
    @Test func anEditThatKeepsSizeAndModificationTimeIsStillSeen() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let stored = TranscriptHashes.load(from: workspace.out.path).entries
        #expect(stored.count == 11)
        let file = workspace.corpus("interview-11.txt")
        let data = try Data(contentsOf: file)
        #expect(stored[file.path]?.hash == ContentHash.of(data))
        var before = stat()
        #expect(stat(file.path, &before) == 0)
        // Same length, one word changed: "protected" → "protectes" nowhere else in the text.
        let text = String(decoding: data, as: UTF8.self)
        let edited = try #require(text.range(of: "protected")).upperBound
        var changed = text
        changed.replaceSubrange(text.index(before: edited)..<edited, with: "s")
        Thread.sleep(forTimeInterval: 0.01)
        // Written in place (same inode), as an editor saving over the file does.
        let handle = try FileHandle(forWritingTo: file)
        try handle.write(contentsOf: Data(changed.utf8))
        try handle.close()
        // The modification time put back to the nanosecond.
        let times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, file.path, times, 0) == 0)
        var after = stat()
        #expect(stat(file.path, &after) == 0)
        #expect(after.st_size == before.st_size && after.st_ino == before.st_ino)
        #expect(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
        let report = try workspace.run()
        #expect(report.stage("ingest")?.ran == ["interview-11"])
        #expect(
            TranscriptHashes.load(from: workspace.out.path).entries[file.path]?.hash
                == ContentHash.of(Data(changed.utf8)))
    }

    /// When corpus.json is written again (a transcript came, another went), every document it
    /// had as it is is copied from the previous file, and the file says what a run from scratch
    /// says. Copied, not rendered again: a document's bytes altered in the previous file, with
    /// the layout saved for the altered file, come through as they are. A corpus.json changed
    /// any other way is never copied from.
    @Test func corpusJSONCopiesTheDocumentsItHadFromThePreviousFile() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        // One letter of a document's bytes altered, and the layout saved for the altered file.
        func alter(_ id: String, saving: Bool) throws -> Data {
            try workspace.alter("corpus.json", document: id, after: " th", to: UInt8(ascii: "E"), saving: saving)
        }
        let altered = try alter("interview-03", saving: true)
        let text = try String(contentsOf: workspace.corpus("interview-11.txt"), encoding: .utf8)
        try (text + "\nHelen Carter: One last question.\n").write(
            to: workspace.corpus("interview-12.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: workspace.corpus("interview-05.docx"))
        let report = try workspace.run()
        #expect(report.stage("ingest")?.ran == ["interview-12"])
        #expect(try workspace.output("corpus.json").range(of: altered) != nil)
        let (layout, _) = try #require(OutputLayout.load("corpus.json", in: workspace.out.path))
        #expect(layout.order.count == 11 && layout.entry("interview-05") == nil)

        // Altered again, the layout not saved: nothing is copied from that file.
        let unseen = try alter("interview-07", saving: false)
        try FileManager.default.removeItem(at: workspace.corpus("interview-12.txt"))
        #expect(try workspace.run().stage("ingest")?.ran == [])
        #expect(try workspace.output("corpus.json").range(of: unseen) == nil)
        try workspace.expectAFreshRunWritesTheSame(["corpus.json"])
    }

    /// kwic.json, written again, copies the lines of every document it had as they are, when
    /// its layout was made in the same context; a file changed without its layout saved is not
    /// copied from, and a participant's attributes edited (each line carries them), that
    /// participant's lines are written anew. Each run's kwic.json is the one a run from scratch
    /// writes.
    @Test func kwicJSONCopiesTheLinesOfTheDocumentsItHadFromThePreviousFile() throws {
        let workspace = try Workspace(kwicQueries: ["the", "hype"])
        defer { workspace.remove() }
        _ = try workspace.run()
        // One letter of a document's lines altered, and the layout saved for the altered file.
        func alter(_ id: String, saving: Bool) throws -> Data {
            try workspace.alter("kwic.json", document: id, after: "\"left\":\"", to: UInt8(ascii: "#"), saving: saving)
        }
        let altered = try alter("interview-03", saving: true)
        let text = try String(contentsOf: workspace.corpus("interview-11.txt"), encoding: .utf8)
        try (text + "\nHelen Carter: One last question about the hype.\n").write(
            to: workspace.corpus("interview-12.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: workspace.corpus("interview-05.docx"))
        #expect(try workspace.run().stage("ingest")?.ran == ["interview-12"])
        #expect(try workspace.output("kwic.json").range(of: altered) != nil)
        let (layout, _) = try #require(OutputLayout.load("kwic.json", in: workspace.out.path, context: nil))
        #expect(layout.order.count == 11 && layout.entry("interview-05") == nil)
        #expect(layout.order.allSatisfy { layout.entry($0)?.range.isEmpty == false })

        // Altered again, the layout not saved: nothing is copied from that file.
        let unseen = try alter("interview-07", saving: false)
        try FileManager.default.removeItem(at: workspace.corpus("interview-12.txt"))
        #expect(try workspace.run().stage("ingest")?.ran == [])
        #expect(try workspace.output("kwic.json").range(of: unseen) == nil)
        try workspace.expectAFreshRunWritesTheSame(["kwic.json"])

        // A participant's attributes edited, a transcript added: as a fresh run has them.
        let participants = workspace.corpus("participants.csv")
        let table = try String(contentsOf: participants, encoding: .utf8)
        let edited = table.replacingOccurrences(of: "P2,Consultant,", with: "P2,Senior consultant,")
        #expect(edited != table)
        try edited.write(to: participants, atomically: true, encoding: .utf8)
        try (text + "\nHelen Carter: And the hype?\n").write(
            to: workspace.corpus("interview-12.txt"), atomically: true, encoding: .utf8)
        _ = try workspace.run()
        #expect(try workspace.output("kwic.json").range(of: Data("Senior consultant".utf8)) != nil)
        try workspace.expectAFreshRunWritesTheSame(["kwic.json"])

        // Put back: that participant's lines are written anew, every other document's copied.
        let kept = try alter("interview-03", saving: true)
        let stale = try alter("interview-02", saving: true)
        try table.write(to: participants, atomically: true, encoding: .utf8)
        _ = try workspace.run()
        let written = try workspace.output("kwic.json")
        #expect(written.range(of: stale) == nil)
        #expect(written.range(of: kept) != nil)
        #expect(written.range(of: Data("Senior consultant".utf8)) == nil)
    }

    /// The pack gets its blocks ahead of the records stored in it, and keeps none past them once
    /// the run finishes; every record reads back.
    @Test func thePackKeepsNoBlocksPastItsRecordsOnceTheRunFinishes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pack-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        func allocated(_ path: String) -> (size: Int64, blocks: Int64) {
            var status = stat()
            guard stat(path, &status) == 0 else { return (-1, -1) }
            return (Int64(status.st_size), Int64(status.st_blocks) * 512)
        }
        let cache = StageCache(folder: folder.path)
        let texts = (0..<7).map { number in String(repeating: "turn \(number) of a long interview. ", count: 8_000) }
        for (number, text) in texts.enumerated() {
            var bundle = cache.bundle(key: "document-\(number)")
            bundle.set(text, stage: "ingest", key: "text")
            cache.store(bundle)
        }
        let pack = try #require(cache.record(of: "document-0")?.first?.pack)
        let path = folder.appendingPathComponent("documents/\(pack)").path
        #expect(allocated(path).size > 1_500_000)
        cache.finish(pruning: true)
        let (size, blocks) = allocated(path)
        #expect(blocks <= size + 16_384, "\(blocks) bytes allocated for \(size)")
        let reread = StageCache(folder: folder.path)
        for (number, text) in texts.enumerated() {
            var bundle = reread.bundle(key: "document-\(number)")
            #expect(bundle.value(String.self, stage: "ingest", key: "text") == text)
        }
    }

    /// A record's parts are written as pieces (each section's bytes as they are, between their
    /// framing) in one call; each part reads back, checksum and all, when stored whole and when
    /// a later run stores only the part that changed.
    @Test func eachPartOfARecordReadsBackWhenStoredWholeAndWhenOnlyOneChanges() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = String(repeating: "protected time, ", count: 40)
        let first = StageCache(folder: folder.path)
        for number in 0..<3 {
            var bundle = first.bundle(key: "document-\(number)")
            bundle.set(text + "\(number)", stage: "ingest", key: "text")
            bundle.set([number, -number], stage: "kwic", key: "lines")
            bundle.set("", stage: "tokenize", key: "words")
            bundle.set(["hype-\(number)"], stage: "suggest", key: "lexicon-1")
            first.store(bundle)
        }
        first.finish(pruning: true)
        let second = StageCache(folder: folder.path)
        let before = try #require(second.record(of: "document-1"))
        for number in 0..<3 {
            var bundle = second.bundle(key: "document-\(number)")
            guard number == 1 else { continue }
            #expect(bundle.value([String].self, stage: "suggest", key: "lexicon-1") == ["hype-1"])
            bundle.set(["hype-1", "culture clash"], stage: "suggest", key: "lexicon-2")
            second.store(bundle)
        }
        second.finish(pruning: true)
        let after = try #require(StageCache(folder: folder.path).record(of: "document-1"))
        #expect(after.map(\.checksum) != before.map(\.checksum))
        for part in [StageCache.Part.main, .words] {
            #expect(after[part.rawValue].checksum == before[part.rawValue].checksum)
        }
        let reread = StageCache(folder: folder.path)
        for number in 0..<3 {
            var bundle = reread.bundle(key: "document-\(number)")
            #expect(bundle.value(String.self, stage: "ingest", key: "text") == text + "\(number)")
            #expect(bundle.value([Int].self, stage: "kwic", key: "lines") == [number, -number])
            #expect(bundle.value(String.self, stage: "tokenize", key: "words") == "")
            let suggestions = number == 1 ? ["hype-1", "culture clash"] : ["hype-\(number)"]
            #expect(
                bundle.value([String].self, stage: "suggest", key: number == 1 ? "lexicon-2" : "lexicon-1")
                    == suggestions)
        }
    }

    @Test func corruptOrForeignCacheEntriesAreRecomputed() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let folder = workspace.out.appendingPathComponent(".cache")
        let cache = StageCache(folder: folder.path)
        // Every document's record, in one pack of this run; where each holds its text and analyses.
        let keys = cache.indexedKeys
        #expect(keys.count == 11)
        let locations = try keys.map { try #require(cache.record(of: $0)?[StageCache.Part.main.rawValue]) }
        #expect(Set(locations.map(\.pack)).count == 1)
        let pack = folder.appendingPathComponent("documents/\(locations[0].pack)").path
        let descriptor = open(pack, O_RDWR)
        defer { close(descriptor) }
        // In pack order: garbage over the first one's head; the second replaced by the third's
        // bytes (a foreign part where the index says this one is); the last cut short.
        let order = locations.sorted { $0.range.lowerBound < $1.range.lowerBound }
        let garbage = Array("{not binary".utf8)
        #expect(pwrite(descriptor, garbage, garbage.count, off_t(order[0].range.lowerBound)) == garbage.count)
        let other = try #require(AtomicFile.read(descriptor, range: order[2].range))
        let foreign = Array(other.prefix(order[1].range.count))
        #expect(pwrite(descriptor, foreign, foreign.count, off_t(order[1].range.lowerBound)) == foreign.count)
        #expect(ftruncate(descriptor, off_t(order[10].range.lowerBound + 200)) == 0)
        // Outputs as they were would be kept without reading the cache: ask for corpus.json again.
        try FileManager.default.removeItem(at: workspace.out.appendingPathComponent("corpus.json"))
        let report = try workspace.run()
        #expect(report.failures.isEmpty)
        #expect(report.stage("ingest")?.ran.count == 3)
        #expect(report.corpus.documents == 11)
        // Their records were written again, in a pack of the new run; the first pack is kept
        // for the other eight.
        let after = StageCache(folder: folder.path)
        let moved = keys.filter { after.record(of: $0)?[StageCache.Part.main.rawValue].pack != locations[0].pack }
        #expect(moved.count == 3)
        #expect(try workspace.run().stage("ingest")?.ran == [])
        // A torn index (its numbers past any length): no record is trusted, every one recomputed.
        let index = folder.appendingPathComponent("documents/index.bin")
        var torn = try Data(contentsOf: index)
        torn.replaceSubrange(200..., with: Data(repeating: 0xFF, count: torn.count - 200))
        try torn.write(to: index)
        try FileManager.default.removeItem(at: workspace.out.appendingPathComponent("corpus.json"))
        let again = try workspace.run()
        #expect(again.failures.isEmpty && again.stage("ingest")?.ran.count == 11)
        #expect(StageCache(folder: folder.path).indexedKeys.count == 11)
    }

    /// A byte flipped inside a cached turn's text still decodes; only the part's checksum tells
    /// it from the transcript's. That document is ingested again, and corpus.json says what the
    /// transcript says.
    @Test func aDamagedByteInsideACachedTextIsCaughtByItsChecksum() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let original = try workspace.output("corpus.json")
        let file = try JSONDecoder().decode(Outputs.CorpusFile.self, from: original)
        let document = try #require(file.documents.first)
        let text = try #require(document.segments.map(\.text).max { $0.utf8.count < $1.utf8.count })
        let needle = Data(text.utf8.prefix(40))
        let cache = StageCache(folder: workspace.out.appendingPathComponent(".cache").path)
        let location = try #require(cache.indexedKeys.compactMap { cache.record(of: $0) }.first?.first)
        let pack = workspace.out.appendingPathComponent(".cache/documents/\(location.pack)")
        var bytes = try Data(contentsOf: pack)
        let found = try #require(bytes.range(of: needle))
        // A letter for another: the record is as well formed as before.
        bytes[found.lowerBound + 20] ^= 0x01
        try bytes.write(to: pack)

        try FileManager.default.removeItem(at: workspace.out.appendingPathComponent("corpus.json"))
        let report = try workspace.run()
        #expect(report.failures.isEmpty)
        #expect(report.stage("ingest")?.ran == [document.id])
        #expect(try workspace.output("corpus.json") == original)
    }

    /// Every other cache file ends with a checksum of its bytes: a byte changed anywhere, or the
    /// file cut short, and it is not read at all.
    @Test func cacheFilesWithAnyByteChangedAreNotRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tmine-cachefile-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("values.bin").path
        let values = ["pending", "accepted", "Hype, of course.", "P1"]
        #expect(CacheFile.write(at: path, tag: "test-1", key: "k") { $0.write(values) })
        #expect(CacheFile.read([String].self, at: path, tag: "test-1", key: "k") == values)
        #expect(CacheFile.read([String].self, at: path, tag: "test-2", key: "k") == nil)
        #expect(CacheFile.read([String].self, at: path, tag: "test-1", key: "other") == nil)
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        for position in written.indices {
            for flip: UInt8 in [0x01, 0x80] {
                var damaged = written
                damaged[position] ^= flip
                try damaged.write(to: URL(fileURLWithPath: path))
                #expect(CacheFile.read([String].self, at: path, tag: "test-1", key: "k") == nil, "byte \(position)")
            }
        }
        for length in [0, 8, written.count - 1] {
            try written.prefix(length).write(to: URL(fileURLWithPath: path))
            #expect(CacheFile.read([String].self, at: path, tag: "test-1", key: "k") == nil, "\(length) bytes")
        }
    }

    /// Records live in packs: a document dropped from the study loses its record, a pack with no
    /// record left is deleted, one mostly dead is copied into the run's pack (byte for byte: the
    /// next run reads them); a pack of a killed run and the per-document files of earlier
    /// versions are removed.
    @Test func packsOfCacheRecordsArePrunedAndCompacted() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let folder = workspace.out.appendingPathComponent(".cache")
        let documents = folder.appendingPathComponent("documents")
        func packs() throws -> Set<String> {
            Set(try FileManager.default.contentsOfDirectory(atPath: documents.path).filter { $0.hasPrefix("pack-") })
        }
        let first = try packs()
        #expect(first.count == 1)
        try Data("left by a killed run".utf8).write(to: documents.appendingPathComponent("pack-dead.bin"))
        try Data("an earlier version's file".utf8).write(to: documents.appendingPathComponent("0123abcd.bin"))

        // Seven of eleven transcripts taken out of the study: four records of eleven left in
        // the first pack, which is copied into a new one.
        let corpus = workspace.root.appendingPathComponent("corpus")
        let aside = workspace.root.appendingPathComponent("aside")
        try FileManager.default.createDirectory(at: aside, withIntermediateDirectories: true)
        let transcripts = try FileManager.default.contentsOfDirectory(atPath: corpus.path)
            .filter { $0.hasPrefix("interview-") }.sorted()
        #expect(transcripts.count == 11)
        for name in transcripts.prefix(7) {
            try FileManager.default.moveItem(
                at: corpus.appendingPathComponent(name), to: aside.appendingPathComponent(name))
        }
        #expect(try workspace.run().corpus.documents == 4)
        let second = try packs()
        #expect(second.count == 1 && second.isDisjoint(with: first))
        let four = StageCache(folder: folder.path)
        #expect(four.indexedKeys.count == 4)
        #expect(four.indexedKeys.allSatisfy { four.record(of: $0)?.allSatisfy { $0.pack == second.first } == true })
        #expect(try FileManager.default.contentsOfDirectory(atPath: documents.path).count == 2)
        try FileManager.default.removeItem(at: workspace.out.appendingPathComponent("corpus.json"))
        #expect(try workspace.run(force: false).stage("ingest")?.ran == [])

        // Back in: their records go to a third pack; the second, all alive, stays.
        for name in transcripts.prefix(7) {
            try FileManager.default.moveItem(
                at: aside.appendingPathComponent(name), to: corpus.appendingPathComponent(name))
        }
        #expect(try workspace.run().stage("ingest")?.ran.count == 7)
        let third = try packs()
        #expect(third.count == 2 && third.isSuperset(of: second))
        #expect(StageCache(folder: folder.path).indexedKeys.count == 11)

        // One out again: its record goes, both packs stay (each mostly alive).
        try FileManager.default.removeItem(at: corpus.appendingPathComponent(transcripts[10]))
        #expect(try workspace.run().corpus.documents == 10)
        #expect(try packs() == third)
        #expect(StageCache(folder: folder.path).indexedKeys.count == 10)
    }

    @Test func aBadTranscriptIsReportedAndTheRestStillRun() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + Array("W\0o\0r\0d\0D\0o\0c\0u\0m\0e\0n\0t\0".utf8))
            .write(to: workspace.corpus("old.doc"))
        // As `tmine run` runs it, its results kept to the process's exit.
        let report = try workspace.run(endsWithProcess: true)
        #expect(report.corpus.documents == 11)
        #expect(report.failures.map(\.code) == ["legacyWordDocument"])
        #expect(report.failures.first?.file.hasSuffix("old.doc") == true)
        // The word index describes every transcript or none: the one begun is not left behind.
        let cache = try FileManager.default.contentsOfDirectory(
            atPath: workspace.out.appendingPathComponent(".cache").path)
        #expect(!cache.contains("words.bin"))
        #expect(!cache.contains { $0.contains(".tmp-") }, "\(cache)")
    }

    @Test func aSecondRunOnTheSameFolderIsKeptOutAndStaleLocksAreTakenOver() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try FileManager.default.createDirectory(at: workspace.out, withIntermediateDirectories: true)
        let held = RunLock(folder: workspace.out.path)
        try held.acquire()
        #expect {
            try workspace.run()
        } throws: { error in
            (error as? PipelineError)?.message.contains("in use by process \(getpid())") == true
        }
        held.release()
        // A lock left by a process that no longer exists.
        try Data(#"{"pid":999999,"host":"\#(ProcessInfo.processInfo.hostName)","started":"2026-01-01T00:00:00Z"}"#.utf8)
            .write(to: workspace.out.appendingPathComponent(".lock"))
        #expect(try workspace.run().corpus.documents == 11)
        #expect(!FileManager.default.fileExists(atPath: workspace.out.appendingPathComponent(".lock").path))
    }

    @Test func initWritesAStudyThatRunsAndNeverOverwrites() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("init-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Into a file of the folder's name: why it cannot be a folder, not "cannot create its folder".
        try Data().write(to: folder)
        #expect {
            try StudyTemplate.write(into: folder.path)
        } throws: { error in
            (error as? PipelineError)?.description
                == "\(folder.path): error: cannot create this folder: a file of this name is there"
        }
        try FileManager.default.removeItem(at: folder)
        let (written, kept) = try StudyTemplate.write(into: folder.path)
        #expect(written.count == 5 && kept.isEmpty)
        let mine = "participant,role\nP1,Mine\n"
        try mine.write(to: folder.appendingPathComponent("participants.csv"), atomically: true, encoding: .utf8)
        let second = try StudyTemplate.write(into: folder.path)
        #expect(second.written.isEmpty && second.kept.count == 5)
        #expect(try String(contentsOf: folder.appendingPathComponent("participants.csv"), encoding: .utf8) == mine)
        let configuration = try PipelineReader.read(folder.appendingPathComponent("pipeline.yaml").path)
        let report = try PipelineRunner(configuration: configuration).run()
        #expect(report.corpus.documents == 2)
        #expect(report.failures.isEmpty)
        // The person's table has no "Consultant": that comparison is skipped and said so.
        #expect(report.warnings.contains { $0.contains("no group \"Consultant\"") })
    }

    @Test func theStarterStudySuggestsCodesPassesItsExamplesAndWarnsOfNothing() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("init-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try StudyTemplate.write(into: folder.path)
        let configuration = try PipelineReader.read(folder.appendingPathComponent("pipeline.yaml").path)
        let lexicon = try #require(configuration.suggest?.lexicon)
        #expect(lexicon.codes.contains { !$0.examples.match.isEmpty && !$0.examples.noMatch.isEmpty })
        #expect(LexiconExamples.failures(of: lexicon, options: configuration.tokenize.options).isEmpty)
        let report = try PipelineRunner(configuration: configuration).run()
        #expect(report.failures.isEmpty)
        #expect(report.warnings.isEmpty)
        let out = folder.appendingPathComponent("out/my-study")
        let suggestions = try Outputs.SuggestionsFile.decode(
            Data(contentsOf: out.appendingPathComponent("suggestions.json")))
        #expect(suggestions.suggestions.map(\.code).sorted() == ["Hype", "Hype", "Lack of protected time"])
        // Three suggestions, not "3 codes per turn" (as the statement said, each turn seemed to get three).
        #expect(report.methods.contains("made 3 suggestions (a code for a turn each) for human coders"))
    }
}
