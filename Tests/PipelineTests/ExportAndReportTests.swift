import Corpus
import Foundation
import Testing
import TextAnalysis

@testable import Coding
@testable import Ingest
@testable import Pipeline

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite(.serialized) struct ExportAndReportTests {
    static let schemas = Workspace.repository.appendingPathComponent(".build-refi-qda/refi-qda-standard")

    /// A run with decisions from two coders, one manual coding.
    func decidedWorkspace() throws -> Workspace {
        let workspace = try Workspace()
        _ = try workspace.run()
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let suggestions = try decider.currentSuggestions().file.suggestions
        try decider.decide(
            coder: "alice",
            [.accept(suggestions[0].id), .recode(suggestions[1].id, code: "Serendipity"), .reject(suggestions[2].id)])
        let corpus = try JSONDecoder().decode(Outputs.CorpusFile.self, from: workspace.output("corpus.json"))
        let turn = try #require(corpus.documents[1].segments.first { $0.role == .participant })
        try decider.decide(
            coder: "bob",
            [
                .accept(suggestions[0].id),
                .manual(
                    document: corpus.documents[1].id,
                    range: ScalarRange(start: turn.range.start, end: turn.range.start + 12),
                    code: "Hype and misinformation"),
            ])
        _ = try workspace.run()
        return workspace
    }

    func xmllint(_ schema: String, _ file: String) throws -> (Int32, String) {
        let xsd = Self.schemas.appendingPathComponent(schema).path
        try #require(
            FileManager.default.fileExists(atPath: xsd),
            "the REFI-QDA schemas are fetched by .ci/run into .build-refi-qda/")
        return try runProcess("/usr/bin/env", ["xmllint", "--noout", "--schema", xsd, file])
    }

    /// `tmine agreement` as a coder reads it: counts in the singular where they are one, and no
    /// space before a comma or at a line's end where a figure has no interval; it says how many
    /// of each coder's decisions were made blind.
    @Test func agreementReadsAsSentencesWithoutStraySpaces() throws {
        let workspace = try decidedWorkspace()
        defer { workspace.remove() }
        let (status, output) = try runProcess(try tmineExecutable().path, ["agreement", workspace.pipeline])
        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.first == "coders: alice, bob")
        #expect(
            lines.contains { $0.hasPrefix("(all codes): 1 unit judged by 2+ coders, agreement 1.000") }, "\(output)")
        #expect(lines.allSatisfy { !$0.contains(" ,") && !$0.hasSuffix(" ") }, "\(output)")
        // How many decisions in force each coder made blind (tmine review --blind), for the methods.
        #expect(
            lines.dropFirst().first
                == "decided blind (tmine review --blind): alice 0 of 3, bob 0 of 1 (codings by hand: 0 of 1)")
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let current = try decider.currentSuggestions().file
        let third = current.suggestions[2]
        // A coding by hand made on a blind page counts as blind too (only decisions on
        // suggestions did).
        let turn = try #require(
            current.suggestions.first { $0.documentID == third.documentID && $0.segmentIndex != third.segmentIndex })
        try decider.decide(
            coder: "bob",
            [
                .reject(third.id),
                .manual(
                    document: turn.documentID, range: ScalarRange(start: turn.range.start, end: turn.range.start + 8),
                    code: "Hype and misinformation"),
            ], blind: true)
        let (_, blind) = try runProcess(try tmineExecutable().path, ["agreement", workspace.pipeline])
        #expect(
            blind.contains(
                "\ndecided blind (tmine review --blind): alice 0 of 3, bob 1 of 2 (codings by hand: 1 of 2)\n"),
            "\(blind)")
        // Inputs that would compare nothing, or a coder with themselves, are refused with the
        // reason: a misspelt log was read as a coder who decided nothing.
        let decisions = workspace.out.appendingPathComponent("decisions")
        let alice = decisions.appendingPathComponent("alice.json").path
        let bob = decisions.appendingPathComponent("bob.json").path
        for (inputs, said) in [
            (
                [alice, decisions.appendingPathComponent("bbo.json").path],
                "bbo.json: error: cannot read the decisions file: no such file"
            ),
            ([alice, alice], "coder \"alice\" is given twice"),
            ([alice, workspace.pipeline], "or one pipeline file alone"),
            (
                [bob, workspace.out.appendingPathComponent("corpus.json").path],
                "corpus.json: error: this is not a decisions file"
            ),
        ] {
            let (status, output) = try runProcess(try tmineExecutable().path, ["agreement"] + inputs)
            #expect(status == 2 && output.contains(said), "\(output)")
        }
    }

    /// A suggestion two coders decided differently is counted as a conflict, in the report's
    /// review progress and in `tmine lexicon report`: each row's columns add up to its suggestions.
    @Test func aSuggestionCodersDecidedDifferentlyIsCountedAsAConflict() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let first = try decider.currentSuggestions().file.suggestions[0]
        try decider.decide(coder: "alice", [.accept(first.id)])
        try decider.decide(coder: "bob", [.reject(first.id)])
        _ = try workspace.run()
        let html = String(decoding: try workspace.output("report.html"), as: UTF8.self)
        #expect(html.contains("<p>Conflict: coders decided a suggestion differently (1 suggestion)"))
        let row = try #require(
            html.components(separatedBy: "<tr><td>\(first.code)</td>").dropFirst().first?.components(
                separatedBy: "</tr>"
            ).first)
        let cells = row.components(separatedBy: "<td>").dropFirst().compactMap { Int($0.prefix { $0 != "<" }) }
        // suggested, accepted, rejected, recoded, pending, conflict (then manual)
        #expect(cells.count >= 6 && cells[5] == 1 && cells[0] == cells[1...5].reduce(0, +), "\(row)")
        let (status, output) = try runProcess(try tmineExecutable().path, ["lexicon", "report", workspace.pipeline])
        #expect(status == 0)
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix(first.code + " ") })
        let numbers = line.split(separator: " ").compactMap { Int($0) }
        #expect(numbers.count >= 5 && numbers[4] == 1, "\(line)")
        #expect(output.contains("conf: suggestions the coders decided differently"))
        // A coding by hand is one the lexicon missed: the report points at the words of its code.
        #expect(!output.contains("tmine lexicon words"))
        let corpus = try JSONDecoder().decode(Outputs.CorpusFile.self, from: workspace.output("corpus.json"))
        let turn = try #require(corpus.documents[0].segments.first { $0.role == .participant })
        try decider.decide(
            coder: "bob", [.manual(document: corpus.documents[0].id, range: turn.range, code: "Serendipity")])
        let (_, missed) = try runProcess(try tmineExecutable().path, ["lexicon", "report", workspace.pipeline])
        #expect(
            missed.contains("tmine lexicon words \(workspace.pipeline) \"Serendipity\" lists the words"), "\(missed)")
    }

    @Test func qdpxFollowsTheStandardAndEverySelectionMatchesItsSource() throws {
        let workspace = try decidedWorkspace()
        defer { workspace.remove() }
        let exporter = Exporter(configuration: try PipelineReader.read(workspace.pipeline))
        let folder = workspace.root.appendingPathComponent("qdpx")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let package = folder.appendingPathComponent("study.qdpx")
        try exporter.project().write(to: package)
        let (unzipped, unzipOutput) = try runProcess("/usr/bin/env", ["unzip", "-q", package.path, "-d", folder.path])
        #expect(unzipped == 0, "\(unzipOutput)")
        let project = folder.appendingPathComponent("project.qde").path
        let (status, output) = try xmllint("Project.xsd", project)
        #expect(status == 0, "\(output)")

        // Re-read with libxml2 (FoundationXML) and check every selection against its source text.
        let reader = SelectionReader()
        let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: project)))
        parser.delegate = reader
        #expect(parser.parse())
        #expect(reader.users.sorted() == ["TranscriptMiner", "alice", "bob"])
        #expect(reader.cases.count == 11)
        #expect(reader.selections.count == 4)  // alice: accept + recode; bob: accept + manual
        // Every coding says when it was made, the manual one as the decided ones.
        #expect(reader.selections.allSatisfy { $0.created?.isEmpty == false }, "\(reader.selections)")
        let suggestions = try JSONDecoder().decode(
            Outputs.SuggestionsFile.self, from: workspace.output("suggestions.json"))
        let texts = Set(suggestions.suggestions.map(\.text))
        for selection in reader.selections {
            let path = folder.appendingPathComponent("Sources/\(selection.source).txt").path
            let source = Array(try String(contentsOfFile: path, encoding: .utf8).unicodeScalars)
            #expect(selection.start >= 0 && selection.end <= source.count)
            let text = String(String.UnicodeScalarView(source[selection.start..<selection.end]))
            #expect(texts.contains(text) || selection.name.hasPrefix(text.prefix(12)), "\(selection)")
            #expect(reader.codeGUIDs.contains(selection.code))
        }
    }

    /// `tmine export` with several targets reads the codings once for all of them: each export
    /// made from that one reading is the export made alone (the package's entries, the bytes of
    /// the CSV and of the workbook's entries).
    @Test func exportsMadeFromOneReadingOfTheCodingsAreThoseMadeAlone() throws {
        let workspace = try decidedWorkspace()
        defer { workspace.remove() }
        let exporter = Exporter(configuration: try PipelineReader.read(workspace.pipeline))
        let codings = try exporter.codings()
        #expect(codings.codings.count == 4)
        func entries(_ package: Data) throws -> [String: Data] {
            let directory = try package.withUnsafeBytes { try ZipPackage.directory($0).get() }
            var entries: [String: Data] = [:]
            for path in directory.keys { entries[path] = try ZipPackage.entry(path, of: package, file: "export") }
            return entries
        }
        #expect(try entries(exporter.project(codings)) == entries(exporter.project()))
        #expect(try exporter.csv(codings) == exporter.csv())
        #expect(try entries(exporter.spreadsheet(codings).data) == entries(exporter.spreadsheet().data))
    }

    /// An export never lands on the study's own files (`--csv participants.csv` replaced the
    /// participants with codings, `--csv lexicon.yaml` the lexicon) nor on a file it did not
    /// make; an earlier export of the same kind is written over, as re-exporting needs.
    @Test func anExportNeverWritesOverTheStudysFilesOrAFileItDidNotMake() throws {
        let workspace = try decidedWorkspace()
        defer { workspace.remove() }
        let exporter = Exporter(configuration: try PipelineReader.read(workspace.pipeline))
        let participants = workspace.corpus("participants.csv").path
        let before = try Data(contentsOf: URL(fileURLWithPath: participants))
        let transcript = try #require(
            try FileManager.default.contentsOfDirectory(atPath: workspace.corpus("").path).first {
                $0.hasSuffix(".txt")
            })
        let decisions = workspace.out.appendingPathComponent("decisions/alice.json").path
        for (path, said) in [
            (participants, "this is the participants file of the study"),
            (workspace.pipeline, "this is the pipeline file of the study"),
            (exporter.configuration.suggest?.lexiconFile ?? "", "this is the lexicon of the study"),
            (workspace.corpus(transcript).path, "this is a transcript of the study"),
            (workspace.out.appendingPathComponent("corpus.json").path, "in the study's out folder"),
            (decisions, "in the study's out folder"),
        ] {
            do throws(PipelineError) {
                try exporter.checkTarget(path, kind: .csv)
                Issue.record("an export onto \(path) was allowed")
            } catch {
                #expect(error.message.contains(said), "\(error)")
            }
        }
        // Through the command: refused, the file as it was, nothing else written.
        let codings = workspace.root.appendingPathComponent("codings.csv").path
        let (status, output) = try runProcess(
            try tmineExecutable().path, ["export", workspace.pipeline, "--csv", codings, "--qdc", participants])
        #expect(status == 2 && output.contains("participants.csv: error: this is the participants file"), "\(output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: participants)) == before)
        #expect(!FileManager.default.fileExists(atPath: codings))
        // A file of the researcher's own is kept; an earlier export is written over.
        try "my notes\n".write(toFile: codings, atomically: true, encoding: .utf8)
        #expect(throws: PipelineError.self) { try exporter.checkTarget(codings, kind: .csv) }
        try exporter.csv().write(to: URL(fileURLWithPath: codings))
        #expect(throws: Never.self) { try exporter.checkTarget(codings, kind: .csv) }
        #expect(throws: PipelineError.self) { try exporter.checkTarget(codings, kind: .codebook) }
        let project = workspace.root.appendingPathComponent("study.qdpx").path
        try exporter.project().write(to: URL(fileURLWithPath: project))
        #expect(throws: Never.self) { try exporter.checkTarget(project, kind: .project) }
    }

    @Test func qdcAndCSVExportsHoldTheCodebookAndEveryCoding() throws {
        let workspace = try decidedWorkspace()
        defer { workspace.remove() }
        let exporter = Exporter(configuration: try PipelineReader.read(workspace.pipeline))
        let codebook = workspace.root.appendingPathComponent("codebook.qdc")
        try exporter.codebook().write(to: codebook)
        let (status, output) = try xmllint("Codebook.xsd", codebook.path)
        #expect(status == 0, "\(output)")
        let xml = try String(contentsOf: codebook, encoding: .utf8)
        #expect(xml.components(separatedBy: "<Code ").count - 1 == 36)
        let csv = String(decoding: try exporter.csv(), as: UTF8.self).split(separator: "\n")
        #expect(csv.count == 1 + 4)
        #expect(csv[0].hasPrefix("document,turn,speaker,participant,role,clinical_tech_split"))
        let made = try #require(
            try DecisionStore.read(
                Decider(configuration: exporter.configuration).decisionsPath(coder: "bob"), coder: "bob"
            ).events.first {
                $0.action == .manual
            }?.at)
        #expect(csv.contains { $0.contains(",Hype and misinformation,manual,bob,\(made),") }, "\(csv)")
        #expect(Exporter.guid("code", "Hype") == Exporter.guid("code", "Hype"))
        #expect(
            Exporter.guid("code", "Hype").range(
                of: #"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"#,
                options: .regularExpression) != nil)
    }

    /// The codings as an Excel workbook hold the CSV's rows as a spreadsheet program reads them:
    /// numbers as numbers, every other field as the text it is (a `1-5` attribute no date), the
    /// header bold, frozen and filtered; exported again it is written over, a
    /// workbook of the researcher's own never is.
    @Test func anExcelWorkbookHoldsTheCSVsRowsAsWritten() throws {
        let workspace = try decidedWorkspace()
        defer { workspace.remove() }
        let exporter = Exporter(configuration: try PipelineReader.read(workspace.pipeline))
        let book = workspace.root.appendingPathComponent("codings.xlsx").path
        let (status, output) = try runProcess(
            try tmineExecutable().path, ["export", workspace.pipeline, "--xlsx", book])
        #expect(status == 0 && output == "wrote \(book)\n", "\(output)")
        let script = Workspace.repository.appendingPathComponent("Tests/PipelineTests/read_xlsx.py").path
        let (read, json) = try runProcess("/usr/bin/env", ["python3", script, book])
        #expect(read == 0, "\(json)")
        struct Sheet: Decodable {
            var sheets: [String]
            var freeze: String?
            var filter: String?
            var headerBold: Bool
            var rows: [[Value?]]
            var types: [[String]]
            enum Value: Decodable, Equatable {
                case text(String), number(Int)
                init(from decoder: any Decoder) throws {
                    let container = try decoder.singleValueContainer()
                    if let number = try? container.decode(Int.self) {
                        self = .number(number)
                    } else {
                        self = .text(try container.decode(String.self))
                    }
                }
            }
        }
        let sheet = try JSONDecoder().decode(Sheet.self, from: Data(json.utf8))
        #expect(sheet.sheets == ["Codings"] && sheet.freeze == "A2" && sheet.headerBold)
        let table = try exporter.codingTable()
        #expect(sheet.filter == "A1:\(Spreadsheet.columnName(table.header.count - 1))\(table.rows.count + 1)")
        // Row for row what the CSV holds; an empty field is an empty string cell, read as none.
        let expected: [[Sheet.Value?]] =
            [table.header.map { .text($0) }]
            + table.rows.map { row in
                row.map { cell in
                    switch cell {
                    case .text(""): nil
                    case .text(let text): .text(text)
                    case .number(let number): .number(number)
                    }
                }
            }
        #expect(sheet.rows == expected)
        #expect(table.rows.count == 4 && sheet.types[1].contains("int"))
        // Text Excel would read otherwise from a CSV stays text: "1-5" (a date) and "50% clinical: …".
        let years = try #require(table.header.firstIndex(of: "years_in_field"))
        #expect(sheet.rows.dropFirst().contains { $0[years] == .text("1-5") } && sheet.types[1][years] == "str")
        // Exported again: written over. A workbook the researcher saved (or Excel did) is kept.
        #expect(throws: Never.self) { try exporter.checkTarget(book, kind: .spreadsheet) }
        #expect(throws: PipelineError.self) { try exporter.checkTarget(book, kind: .project) }
        let own = workspace.root.appendingPathComponent("mine.xlsx").path
        let theirs = PackageWriter.zip([
            ("docProps/app.xml", Data("<Properties><Application>Microsoft Excel</Application></Properties>".utf8))
        ])
        try theirs.write(to: URL(fileURLWithPath: own))
        #expect(throws: PipelineError.self) { try exporter.checkTarget(own, kind: .spreadsheet) }
    }

    /// A cell holds at most Excel's 32,767 characters: longer text is cut with an ellipsis and
    /// counted (the command warns); columns past Z are AA, AB …
    @Test func aWorkbookCutsTextAtExcelsLimitAndNamesColumnsPastZ() throws {
        let long = String(repeating: "hype ", count: 8_000)
        let sheet = Spreadsheet(
            sheetName: "Codings", header: ["text", "n"],
            rows: [[.text(long), .number(3)], [.text("short"), .number(4)]])
        let (data, cut) = sheet.package()
        #expect(cut == 1)
        let book = FileManager.default.temporaryDirectory.appendingPathComponent("cut-\(UUID()).xlsx")
        defer { try? FileManager.default.removeItem(at: book) }
        try data.write(to: book)
        let script = Workspace.repository.appendingPathComponent("Tests/PipelineTests/read_xlsx.py").path
        let (read, json) = try runProcess("/usr/bin/env", ["python3", script, book.path])
        #expect(read == 0, "\(json)")
        let rows = try #require(
            (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["rows"] as? [[Any]])
        let first = try #require(rows[1][0] as? String)
        #expect(first.count == Spreadsheet.cellLimit && first.hasSuffix("…") && long.hasPrefix(first.dropLast()))
        #expect(rows[2][0] as? String == "short" && rows[2][1] as? Int == 4)
        #expect([0, 25, 26, 51, 701, 702].map(Spreadsheet.columnName) == ["A", "Z", "AA", "AZ", "ZZ", "AAA"])
        // Excel counts UTF-16 units: text of emoji is cut at half as many characters, never inside one.
        let emoji = Spreadsheet.cut(String(repeating: "👍", count: 20_000))
        #expect(emoji.utf16.count <= Spreadsheet.cellLimit && emoji.count == (Spreadsheet.cellLimit - 1) / 2 + 1)
    }

    /// Exports, `tmine decide --list` and `tmine lexicon report` merge the decisions a document at
    /// a time, to what merging the whole file gives; a file whose documents' suggestions are apart
    /// is refused, naming it. A manual coding's turn is found in corpus.json.
    @Test func decisionsMergedDocumentByDocumentAreThoseOfTheWholeMerge() throws {
        let workspace = try decidedWorkspace()
        defer { workspace.remove() }
        let configuration = try PipelineReader.read(workspace.pipeline)
        let decider = Decider(configuration: configuration)
        let (file, whole) = try decider.currentSuggestions()
        var documents: [[Suggestion]] = []
        let end = try decider.forEachMergedDocument { documents.append($0) }
        #expect(documents.flatMap { $0 } == whole.suggestions)
        #expect(documents.count == Set(whole.suggestions.map(\.documentID)).count)
        #expect(documents.allSatisfy { Set($0.map(\.documentID)).count == 1 })
        #expect(
            whole.suggestions.contains { $0.status == .recoded }
                && whole.suggestions.contains { $0.status == .accepted })
        #expect(end.manual.mapValues { $0.map(\.id) } == whole.manual.mapValues { $0.map(\.id) })
        #expect(end.orphans == whole.orphans && end.lexicon.hash == file.lexicon.hash)
        // Laid out otherwise (on one line): merged whole, given a document at a time all the same.
        let path = workspace.out.appendingPathComponent("suggestions.json")
        let written = try Data(contentsOf: path)
        try JSONEncoder().encode(file).write(to: path)
        var fromWhole: [[Suggestion]] = []
        _ = try decider.forEachMergedDocument { fromWhole.append($0) }
        #expect(fromWhole == documents)
        try written.write(to: path)

        let exporter = Exporter(configuration: configuration)
        let csv = String(decoding: try exporter.csv(), as: UTF8.self).split(separator: "\n")
        let corpus = try Outputs.corpus(of: configuration)
        let manual = try #require(csv.first { $0.contains(",manual,bob,") }).split(separator: ",")
        let segment = try #require(
            corpus.documents.first { $0.id == manual[0] }?.segments.first { String($0.index) == manual[1] })
        #expect(manual[2] == segment.speaker && manual[3] == segment.participantID ?? "")
        let accepted = try #require(csv.first { $0.contains(",accepted,alice,") }).split(separator: ",")
        #expect(!accepted[2].isEmpty && !accepted[3].isEmpty)

        // The first suggestion moved to the end, away from its document's others.
        var lines = try String(contentsOf: path, encoding: .utf8).components(separatedBy: "\n")
        let opening = try #require(lines.firstIndex(of: "  \"suggestions\" : ["))
        let first = opening + 1
        let last = try #require(lines[first...].firstIndex(of: "  ],")) - 1
        let moved = lines.remove(at: first)
        lines.insert(moved.hasSuffix(",") ? String(moved.dropLast()) : moved, at: last)
        lines[last - 1] += ","
        try lines.joined(separator: "\n").write(to: path, atomically: true, encoding: .utf8)
        #expect(Outputs.SuggestionsFile.decodedByLines(try Data(contentsOf: path)) != nil)
        #expect {
            try exporter.csv()
        } throws: { error in
            let message = (error as? PipelineError)?.description ?? ""
            return message.hasPrefix(path.path) && message.contains("are not together")
        }
    }

    @Test func reportIsSelfContainedAndRendersInABrowser() throws {
        let workspace = try decidedWorkspace()
        defer { workspace.remove() }
        let html = String(decoding: try workspace.output("report.html"), as: UTF8.self)
        #expect(!html.contains("<script"))
        // The browser is told to load and run nothing: the page's charts and styles still render below.
        #expect(
            html.contains(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline';")
        )
        #expect(!html.contains("http://") || !html.contains("src=\"http"))
        #expect(!html.contains("src=\"https://") && !html.contains("href=\"https://"))
        #expect(html.contains("<svg") && html.contains("Code × participant"))
        // The sample study's groups of one participant, in the singular.
        #expect(html.contains("(1 participant)") && !html.contains("(1 participants)"))
        #expect(html.contains("11 transcripts, 11 participants, 157 speaker turns, 2006 words spoken by participants"))
        // Keyness's p-values, one a term, are said to be uncorrected.
        #expect(html.contains("<p>p is each term's own, not corrected for the many terms compared"))
        // The passages quoted are said to be the first three of each code.
        #expect(html.contains("<p>The first 3 passages of each code, in document order"))
        let script = Workspace.repository.appendingPathComponent("Tests/PipelineTests/render_report.py").path
        let screenshot = workspace.root.appendingPathComponent("report.png").path
        let (status, output) = try runProcess(
            "/usr/bin/env", ["python3", script, workspace.out.appendingPathComponent("report.html").path, screenshot])
        #expect(status == 0, "\(output)")
        for heading in [
            "Corpus", "Frequent terms by group", "Keyness", "Keyword in context", "Codes × participants",
            "Review progress", "Passages per code",
        ] {
            #expect(output.contains(heading), "\(heading) not rendered")
        }
        #expect(output.contains("Words per participant"))
        // Every count in the matrix's cells drawn legibly (render_report.py fails otherwise).
        #expect(output.contains("heat-map counts legible: ") && !output.contains("heat-map counts legible: 0\n"))
        let size = (try? FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int) ?? 0
        #expect(size > 50_000)
    }

    /// A framework matrix reads with a column per participant in an interview study; an archive
    /// of hundreds gets a column per group of each attribute the frequencies are grouped by, or
    /// the hundred participants with the most without one.
    @Test func codeMatrixOfAStudyTooLargeForAColumnEachIsDrawnByGroup() {
        func render(people count: Int, groupings: [Grouping]) -> (html: String, kept: [String: Int]) {
            let sites = ["Leeds", "Bath", "York"]
            let participants = ParticipantTable(
                attributeNames: ["site"],
                participants: (0..<count).map { Participant(id: "P\($0)", attributes: ["site": sites[$0 % 3]]) })
            var tally = HTMLReport.Tally()
            var kept: [String: Int] = [:]
            for index in 0..<count {
                tally.count(code: "Hype", status: .pending, participantID: "P\(index)", times: index % 4)
                // Rejected: in no matrix.
                tally.count(code: "Time", status: .rejected, participantID: "P\(index)", times: 2)
                kept[sites[index % 3], default: 0] += index % 4
            }
            var html = ""
            HTMLReport.matrix(
                tally, codes: ["Hype", "Time"], participants: participants, groupings: groupings
            ) { html += $0 }
            return (html, kept)
        }
        // Every fourth participant has no turn kept: 112 in the matrix.
        let (large, kept) = render(people: 150, groupings: [.corpus, .attributes(["site"])])
        let cells = { (html: String) in html.components(separatedBy: "class=\"cell\"").count - 1 }
        let byGroup = large.contains("Code × site") && !large.contains("Code × participant")
        #expect(byGroup && large.contains("112 participants, too many for a column each"))
        for (site, count) in kept {
            let found = large.contains("<title>Hype × \(site): \(count)</title>")
            #expect(found, "\(site)")
        }
        #expect(cells(large) == 3 && !large.contains("Time"))

        // The 37 with three, the 37 with two and the first 26 of the 38 with one.
        let (ungrouped, _) = render(people: 150, groupings: [.corpus])
        let mostShown = ungrouped.contains("the 100 of 112 participants with the most")
        #expect(mostShown && cells(ungrouped) == 100)
        let first = ungrouped.contains("<title>Hype × P1: 1</title>")
        let last = ungrouped.contains("<title>Hype × P101: 1</title>")
        let left = ungrouped.contains("<title>Hype × P105: ")
        #expect(first && last && !left)

        // Copied documents' counts are packed with a status's position and read back by it.
        #expect(
            SuggestionStatus.allCases.allSatisfy { HTMLReport.Tally.statuses[HTMLReport.Tally.position(of: $0)] == $0 })

        let (small, _) = render(people: 11, groupings: [.attributes(["site"])])
        let perParticipant = small.contains("Code × participant") && !small.contains("Code × site")
        #expect(perParticipant && cells(small) == 8)
    }

    /// A bar per participant reads in an interview study; an archive of hundreds gets the spread
    /// of words per participant and the participants with the fewest words.
    @Test func wordsPerParticipantOfALargeStudyAreShownAsTheirSpread() {
        // P0 … P149 speak 0, 37, 74 … words: 150 participants, the most 5,513.
        let words = (0..<150).map { ("P\($0)", $0 * 37) }
        let html = HTMLReport.wordsSpread(words)
        let bars = html.components(separatedBy: "<rect class=\"bar\"").count - 1
        // Bins of 500 words: 0–499 holds P0 … P13, 5,500–5,999 holds P149 alone.
        #expect(bars == 12 && html.contains("<title>0–499: 14</title>") && html.contains("<title>5500–5999: 1</title>"))
        #expect(!html.contains(">P77<") && !html.contains("P140"))
        // R: quantile(0:149 * 37, c(.25, .5, .75)) is 1378.25, 2756.5, 4134.75.
        #expect(html.contains("median 2756.5 words (quartiles 1378.2–4134.8, fewest 0, most 5513)"))
        let odd = HTMLReport.wordsSpread((0..<101).map { ("P\($0)", $0 * 2) })
        #expect(odd.contains("median 100 words (quartiles 50–150, fewest 0, most 200)"))
        let fewest = html.components(separatedBy: "<tr><td>").dropFirst().map { String($0.prefix { $0 != "<" }) }
        #expect(fewest == (0..<10).map { "P\($0)" })

        #expect(SVGChart.bins([3, 0, 12, 12]).map(\.count) == [1, 1, 0, 0, 0, 0, 2])
        #expect(SVGChart.bins([0, 0]).map(\.label) == ["0"] && SVGChart.bins([]).isEmpty)
        #expect(SVGChart.bins([1, 11]).map(\.label) == (0...11).map(String.init))
    }

    /// A group's long name stays on its chart: the title goes onto a second line, the bars below it.
    @Test func aLongChartTitleWrapsOntoASecondLine() {
        func chart(_ title: String) -> (lines: [String], height: String) {
            let svg = SVGChart.barChart(
                title: title, items: [("time", 24.54)], axisLabel: "per 1,000 words", width: 460)
            let lines = svg.components(separatedBy: "class=\"chart-title\">").dropFirst().map {
                String($0.prefix { $0 != "<" })
            }
            let height = svg.components(separatedBy: "height=\"").dropFirst().first?.prefix { $0 != "\"" }
            return (lines, String(height ?? ""))
        }
        let long = chart("Full-time clinician, working with AI in spare time (1 participant)")
        #expect(long.lines == ["Full-time clinician, working with AI in spare time", "(1 participant)"])
        let short = chart("Full-time tech (7 participants)")
        #expect(short.lines == ["Full-time tech (7 participants)"])
        #expect(Int(long.height) == Int(short.height).map { $0 + SVGChart.titleLineHeight })
        // 57 characters a line at 460 px: longer still, the second line is shortened; a word
        // longer than a line is cut where the line ends.
        let words = SVGChart.wrap(String(repeating: "word ", count: 40), width: 460)
        #expect(words.count == 2 && words.allSatisfy { $0.count <= 57 } && words[1].hasSuffix("…"))
        #expect(words[0] == Array(repeating: "word", count: 11).joined(separator: " "))
        // A parenthesis early in the title is no place to break.
        let early = SVGChart.wrap("Site (A) clinicians who trained abroad and returned to the NHS after", width: 460)
        #expect(early == ["Site (A) clinicians who trained abroad and returned to", "the NHS after"])
        let x = String(repeating: "x", count: 70)
        #expect(SVGChart.wrap(x, width: 460) == [String(x.prefix(57)), String(x.suffix(13))])
    }

    /// The top terms say whether stopwords were left out: a pipeline that keeps them (the bench's
    /// `stopwords: keep`) was said to have left them out, over a chart of "the", "to", "of".
    @Test func theTopTermsSayWhetherStopwordsWereLeftOut() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let left = String(decoding: try workspace.output("report.html"), as: UTF8.self)
        #expect(left.contains("per 1,000 words (stopwords left out).</p>"))
        let text = try String(contentsOfFile: workspace.pipeline, encoding: .utf8)
        try text.replacingOccurrences(
            of: "      ngrams: [1, 2]\n", with: "      ngrams: [1, 2]\n      stopwords: keep\n"
        )
        .write(toFile: workspace.pipeline, atomically: true, encoding: .utf8)
        _ = try workspace.run()
        let kept = String(decoding: try workspace.output("report.html"), as: UTF8.self)
        #expect(kept.contains("per 1,000 words (stopwords counted).</p>"))
        // With a minimum count, a small group lists fewer terms: said under the heading.
        try String(contentsOfFile: workspace.pipeline, encoding: .utf8).replacingOccurrences(
            of: "      stopwords: keep\n", with: "      stopwords: keep\n      minCount: 3\n"
        )
        .write(toFile: workspace.pipeline, atomically: true, encoding: .utf8)
        let report = try workspace.run()
        #expect(
            report.methods.contains(", keeping terms that occur at least 3 times in a group, from participant turns"))
        let counted = String(decoding: try workspace.output("report.html"), as: UTF8.self)
        #expect(counted.contains("per 1,000 words (stopwords counted; terms said at least 3 times in a group).</p>"))
    }

    /// Without a frequencies stage, which counts the words, the report's corpus section says so
    /// (it was a heading over nothing).
    /// The words-per-participant chart lists participants in the participants file's order (not
    /// by id, where P10 comes before P2): here the file's rows reversed.
    @Test func wordsPerParticipantFollowTheParticipantsFilesOrder() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let file = workspace.corpus("participants.csv")
        var rows = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = rows.removeFirst()
        rows.reverse()
        try ([header] + rows).joined(separator: "\n").appending("\n").write(to: file, atomically: true, encoding: .utf8)
        let ids = rows.map { String($0.prefix { $0 != "," }) }
        _ = try workspace.run()
        let html = String(decoding: try workspace.output("report.html"), as: UTF8.self)
        let chart = try #require(
            html.components(separatedBy: "class=\"chart-title\">Words per participant<").dropFirst().first)
        let labels = chart.components(separatedBy: "class=\"label\" text-anchor=\"end\">").dropFirst().map {
            String($0.prefix { $0 != "<" })
        }.prefix { $0.hasPrefix("P") }
        #expect(labels.count == 11)
        #expect(Array(labels) == ids.filter { labels.contains($0) })
        #expect(labels.first == "P11")
    }

    @Test func withoutAFrequenciesStageTheCorpusSectionSaysWhereItsWordsComeFrom() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let text = try String(contentsOfFile: workspace.pipeline, encoding: .utf8)
        let start = try #require(text.range(of: "  - frequencies:"))
        let end = try #require(text.range(of: "  - suggest:"))
        try text.replacingCharacters(in: start.lowerBound..<end.lowerBound, with: "")
            .write(toFile: workspace.pipeline, atomically: true, encoding: .utf8)
        #expect(try PipelineReader.read(workspace.pipeline).frequencies == nil)
        _ = try workspace.run()
        let html = String(decoding: try workspace.output("report.html"), as: UTF8.self)
        #expect(
            html.contains(
                "<h2>Corpus</h2>\n<p>Words per participant and per group are counted by a frequencies stage, which this "
                    + "pipeline does not have.</p>"))
        #expect(html.contains("Codes × participants"))
    }

    /// A chart with no bars (a group with no term at the minimum count, a comparison where the
    /// target uses no term more) says why under its title; it drew an axis from 0 to 0.
    @Test func aChartWithNoBarsSaysWhyInsteadOfAnEmptyAxis() {
        let empty = SVGChart.barChart(
            title: "Terms P1 uses more (G²)", items: [], axisLabel: "log-likelihood G²",
            empty: "no term that P1 uses more than rest does")
        #expect(empty.contains(">no term that P1 uses more than rest does</text>"))
        #expect(empty.contains("class=\"chart-title\">Terms P1 uses more (G²)</text>"))
        #expect(!empty.contains("class=\"grid\"") && !empty.contains("log-likelihood"))
        let one = SVGChart.barChart(title: "T", items: [("time", 2)], axisLabel: "per 1,000 words")
        #expect(one.contains("class=\"grid\"") && !one.contains("nothing to chart"))
    }

    /// Column names longer than a cell (a grouping's groups) are written on a slant, whole up to
    /// 24 characters; participants' ids stay upright (they read "full…" and "part…").
    @Test func longColumnNamesOfAHeatMapAreSlantedNotCut() {
        let groups = SVGChart.heatMap(
            title: "Code × split", rows: ["hype"], columns: ["full-time tech", "part-time clinical"], values: [[3, 1]])
        #expect(groups.contains(">full-time tech</text>") && groups.contains(">part-time clinical</text>"))
        #expect(groups.contains("transform=\"rotate(-45"))
        let ids = SVGChart.heatMap(
            title: "Code × participant", rows: ["hype"], columns: ["P1", "P12"], values: [[1, 2]])
        #expect(ids.contains(">P12</text>") && !ids.contains("rotate("))
        // Two columns are narrower than the legend: the chart is as wide as the legend's end,
        // where its highest count is written (it was cut off).
        let width = Int(ids.components(separatedBy: "width=\"").dropFirst().first?.prefix { $0 != "\"" } ?? "") ?? 0
        let legendEnd = ids.components(separatedBy: "\" class=\"tick\" text-anchor=\"end\">2</text>").first?
            .components(separatedBy: "<text x=\"").last?.prefix { $0 != "\"" }
        #expect(Int(legendEnd ?? "").map { $0 <= width } == true, "\(width) \(legendEnd ?? "")")
    }

    /// Each shade of the heat map takes the ink its count is legible in: at least 4.5:1 (WCAG AA)
    /// between the cell's fill and white (`class="count light"`) or the report's dark text.
    @Test func everyHeatMapCountReadsAgainstItsShade() {
        func luminance(_ hex: Substring) -> Double {
            let value = Int(hex.dropFirst(), radix: 16) ?? 0
            let linear = [16, 8, 0].map { shift -> Double in
                let channel = Double((value >> shift) & 0xFF) / 255
                return channel <= 0.039_28 ? channel / 12.92 : pow((channel + 0.055) / 1.055, 2.4)
            }
            return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        }
        func contrast(_ first: Substring, _ second: Substring) -> Double {
            let (a, b) = (luminance(first), luminance(second))
            return (max(a, b) + 0.05) / (min(a, b) + 0.05)
        }
        // Counts 1 to 8 against a maximum of 8 fall on every shade but the blank one.
        let svg = SVGChart.heatMap(title: "m", rows: ["a"], columns: (1...8).map { "P\($0)" }, values: [Array(1...8)])
        var shades = Set<Substring>()
        for cell in svg.components(separatedBy: "<rect ").dropFirst() where cell.contains("class=\"count") {
            let fill = cell.split(separator: "fill=\"").dropFirst().first?.prefix(7) ?? ""
            let ink: Substring = cell.contains("class=\"count light\"") ? "#ffffff" : "#1b1b1b"
            shades.insert(fill)
            #expect(contrast(fill, ink) >= 4.5, "\(fill) with \(ink): \(contrast(fill, ink))")
        }
        #expect(shades == Set(SVGChart.ramp.dropFirst().map { Substring($0) }))
    }

    @Test func barChartsScaleLabelAndEscape() {
        let svg = SVGChart.barChart(title: "A <b>", items: [("x & y", 10), ("z", 5)], axisLabel: "count")
        #expect(svg.contains("<title>A &lt;b&gt;</title>"))
        #expect(svg.components(separatedBy: "<rect class=\"bar\"").count - 1 == 2)
        #expect(svg.contains(">x &amp; y</text>"))
        #expect(SVGChart.niceTicks(10) == [0, 5, 10])
        #expect(SVGChart.niceTicks(37) == [0, 10, 20, 30, 40])
        let heat = SVGChart.heatMap(title: "m", rows: ["a", "b"], columns: ["P1", "P2"], values: [[0, 3], [1, 0]])
        #expect(heat.contains(">3</text>") && heat.contains(">1</text>"))
        #expect(heat.contains("fill=\"#ffffff\""))  // zero cells are blank
        #expect(heat.contains("<title>b × P1: 1</title>"))
        // Up to 5, the legend gives each count its own shade under its number; past 5, the ramp from 1.
        func legend(_ svg: String) -> (swatches: [String], ticks: [String]) {
            let tail = svg.components(separatedBy: ">count</text>").last ?? ""
            let swatches = tail.components(separatedBy: "fill=\"").dropFirst().map { String($0.prefix(7)) }
            let ticks = tail.components(separatedBy: "class=\"tick\"").dropFirst().compactMap {
                $0.components(separatedBy: ">").dropFirst().first?.components(separatedBy: "<").first
            }
            return (swatches, ticks)
        }
        let ones = legend(SVGChart.heatMap(title: "m", rows: ["a"], columns: ["P1", "P2"], values: [[1, 1]]))
        #expect(ones.swatches == [SVGChart.ramp.last] && ones.ticks == ["1"])
        let three = legend(heat)
        #expect(three.ticks == ["1", "2", "3"] && Set(three.swatches).count == 3)
        #expect(three.swatches.last == SVGChart.ramp.last)
        let wide = legend(SVGChart.heatMap(title: "m", rows: ["a"], columns: ["P1"], values: [[40]]))
        #expect(wide.ticks == ["1", "40"] && wide.swatches == Array(SVGChart.ramp.dropFirst()))
        var bytes = SVGBytes(capacity: 64)
        for number in [0, 7, 10, -34, 1_234_567, Int.max, Int.min] {
            bytes.bytes.removeAll()
            bytes.append(number)
            #expect(String(decoding: bytes.bytes, as: UTF8.self) == String(number))
        }
    }

    /// The report's examples from copied documents are read from their lines of the previous
    /// suggestions.json, only what a passage shows: the same passage as the whole suggestion's.
    @Test func passagesReadFromASuggestionsLineAreThoseOfTheWholeSuggestion() {
        let awkward = "She said \"no\" \\ then\ttabbed,\nnew line, \u{01} </script> é 👍🏽 \u{2028} end/"
        func evidence(_ text: String) -> Evidence {
            Evidence(pattern: "p*", text: text, range: ScalarRange(start: 1, end: 4), tokenStart: 0, tokenEnd: 1)
        }
        let cases: [(participant: String?, evidence: [Evidence], context: String)] = [
            ("P01", [evidence("hype")], "…the hype is real…"), (nil, [evidence(awkward)], awkward),
            ("P\"2", [], "no evidence"), ("P3", [evidence("first"), evidence("second")], "first then second"),
        ]
        var suggestions: [Suggestion] = []
        for (index, example) in cases.enumerated() {
            let suggestion = Suggestion(
                id: "s\(index)", documentID: "doc/\(index) \"x\"", segmentIndex: index, sentenceIndex: nil,
                code: "Hype",
                codePath: ["Hype"], evidence: example.evidence, weight: 1, speaker: "Dr \"X\" \(index)",
                role: .participant, participantID: example.participant, attributes: ["role": awkward], text: awkward,
                range: ScalarRange(start: 0, end: 40), context: example.context, status: .pending,
                decisions: [CoderDecision(coder: "a", status: .recoded, code: "C", note: awkward, at: "t")])
            // As the merge takes a line: the indent and the separating comma left out.
            var line = Outputs.SuggestionElements.render([suggestion])[...]
            line = line.drop { $0 == 0x20 }
            let read = HTMLReport.Passage(line: Data(line))
            #expect(read == HTMLReport.Passage(suggestion), "\(index)")
            #expect(read?.who == example.participant ?? suggestion.speaker)
            #expect(read?.evidence == example.evidence.first?.text)
            suggestions.append(suggestion)
        }
        // Or found by its place among a document's elements in the previous file, read when the
        // page is rendered, after the merge has closed its own descriptor of that file.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("elements-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let elements = Data(Array("[\n".utf8) + Outputs.SuggestionElements.render(suggestions) + Array("\n]".utf8))
        #expect(FileManager.default.createFile(atPath: path, contents: elements))
        let descriptor = open(path, O_RDONLY)
        let copy = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        let file = copy < 0 ? nil : FileHandle(fileDescriptor: copy, closeOnDealloc: true)
        close(descriptor)
        let range = Int64(2)..<Int64(elements.count - 2)
        let lines = HTMLReport.ExampleLines()
        for (position, suggestion) in suggestions.enumerated().reversed() {
            let example = file.map { HTMLReport.Example.copied($0, range, position: position) }
            #expect(example?.passage(reading: lines) == HTMLReport.Passage(suggestion), "\(position)")
        }
        #expect(lines.documents == 1)  // read once, then line by line
        #expect(
            file.map { HTMLReport.Example.copied($0, range, position: suggestions.count).passage(reading: lines) }
                == .some(nil))
        // A range past the file's end is read as nothing.
        let past = Int64(elements.count)..<Int64(elements.count + 10)
        #expect(file.map { HTMLReport.Example.copied($0, past, position: 0).passage(reading: lines) } == .some(nil))
        #expect(HTMLReport.Passage(line: Data("{\"documentID\":\"d\"}".utf8)) == nil)
    }

    @Test func xmlEscapeReferencesMarkupAndDropsWhatXMLForbids() {
        #expect(XML.escape("plain text, é ✓") == "plain text, é ✓")
        #expect(XML.escape("a<b & \"c\">\n\t\r") == "a&lt;b &amp; &quot;c&quot;&gt;&#10;&#9;&#13;")
        #expect(XML.escape("x\u{0}\u{1F}\u{FFFE}y\u{FFFF}\u{FFFD}\u{F000}\u{EFFF}") == "xy\u{FFFD}\u{F000}\u{EFFF}")
        #expect(XML.escape("") == "")
        // Scalar by scalar, as XML 1.0 states it, over random text of the characters that matter
        // and their neighbours (ASCII, two-, three- and four-byte forms, 0xEF-led ones).
        func byScalar(_ text: String) -> String {
            var result = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": result += "&amp;"
                case "<": result += "&lt;"
                case ">": result += "&gt;"
                case "\"": result += "&quot;"
                case "\n": result += "&#10;"
                case "\t": result += "&#9;"
                case "\r": result += "&#13;"
                default:
                    if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                    result.unicodeScalars.append(scalar)
                }
            }
            return result
        }
        let pool: [Unicode.Scalar] = [
            "a", " ", "&", "<", ">", "\"", "'", "\n", "\t", "\r", "\u{0}", "\u{1F}", "\u{7F}", "é", "\u{2019}",
            "\u{EFBF}", "\u{F000}", "\u{FFBE}", "\u{FFFD}", "\u{FFFE}", "\u{FFFF}", "\u{10000}", "\u{1F600}",
        ]
        var random = SplitMixGenerator(seed: 7)
        for _ in 0..<2_000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                text.unicodeScalars.append(pool.randomElement(using: &random)!)
            }
            #expect(XML.escape(text) == byScalar(text), "\(Array(text.unicodeScalars))")
        }
    }
}

/// Collects users, cases, codes and selections from a `project.qde`.
final class SelectionReader: NSObject, XMLParserDelegate {
    struct Selection {
        var source: String
        var name: String
        var start: Int
        var end: Int
        var code: String
        var created: String?
    }
    var users: [String] = []
    var cases: [String] = []
    var codeGUIDs: Set<String> = []
    var selections: [Selection] = []
    private var source = ""
    private var current: Selection?

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch name {
        case "User": users.append(attributes["name"] ?? "")
        case "Case": cases.append(attributes["name"] ?? "")
        case "Code": codeGUIDs.insert(attributes["guid"] ?? "")
        case "TextSource": source = attributes["guid"] ?? ""
        case "PlainTextSelection":
            current = Selection(
                source: source, name: attributes["name"] ?? "", start: Int(attributes["startPosition"] ?? "") ?? -1,
                end: Int(attributes["endPosition"] ?? "") ?? -1, code: "", created: attributes["creationDateTime"])
        case "CodeRef": current?.code = attributes["targetGUID"] ?? ""
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "PlainTextSelection", let selection = current {
            selections.append(selection)
            current = nil
        }
    }
}
