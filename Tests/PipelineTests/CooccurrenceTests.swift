import Coding
import Corpus
import Foundation
import Testing
import TextAnalysis

@testable import Pipeline

/// `tmine cooccurrence` on the sample study: codes applied together, from the coders' codings or
/// the suggestions.
struct CooccurrenceTests {
    /// The sample run, and two suggestions of different codes in one turn (the first such turn).
    func sampleWithATurnOfTwoCodes() throws -> (Workspace, Decider, Suggestion, Suggestion) {
        let workspace = try Workspace()
        _ = try workspace.run()
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let suggestions = try decider.currentSuggestions().file.suggestions
        for first in suggestions {
            if let second = suggestions.first(where: {
                $0.documentID == first.documentID && $0.segmentIndex == first.segmentIndex && $0.code != first.code
            }) {
                return (workspace, decider, first, second)
            }
        }
        workspace.remove()
        throw CocoaError(.fileReadCorruptFile, userInfo: [NSDebugDescriptionErrorKey: "no turn with two codes"])
    }

    /// Alice accepts one code of a turn and Bob the other: together, the turn carries both; each
    /// coder alone has one code there and no pair.
    @Test func codingsOfEveryCoderMeetInTheTurnTheyShare() throws {
        let (workspace, decider, first, second) = try sampleWithATurnOfTwoCodes()
        defer { workspace.remove() }
        try decider.decide(coder: "alice", [.accept(first.id)])
        try decider.decide(coder: "bob", [.accept(second.id)])
        let both = try decider.cooccurrence(unit: .turn, basis: .codings)
        #expect(both.coders == ["alice", "bob"])
        #expect(both.codedUnits == 1)
        let pair = try #require(both.pairs.first)
        #expect(both.pairs.count == 1)
        #expect(Set(pair.codes) == [first.code, second.code])
        #expect(pair.places == [.init(documentID: first.documentID, turn: first.segmentIndex)])
        #expect(pair.c == 1)
        let alice = try decider.cooccurrence(unit: .turn, basis: .codings, coder: "alice")
        #expect(alice.coders == ["alice"])
        #expect(alice.pairs.isEmpty)
        #expect(alice.codes == [.init(code: first.code, units: 1)])
        // A recode applies the chosen code, not the suggested one.
        try decider.decide(coder: "bob", [.recode(second.id, code: first.code)])
        let recoded = try decider.cooccurrence(unit: .turn, basis: .codings)
        #expect(recoded.pairs.isEmpty)
        #expect(recoded.codes == [.init(code: first.code, units: 1)])
    }

    /// A coding by hand over two turns (its range from one turn into the next, so it has no turn
    /// of its own) counts in each turn it overlaps, and once in its transcript.
    @Test func aCodingByHandAcrossTwoTurnsCountsInEach() throws {
        let (workspace, decider, first, _) = try sampleWithATurnOfTwoCodes()
        defer { workspace.remove() }
        let corpus = try JSONDecoder().decode(Outputs.CorpusFile.self, from: workspace.output("corpus.json"))
        let document = try #require(corpus.documents.first { $0.id == first.documentID })
        let position = try #require(document.segments.firstIndex { $0.index == first.segmentIndex })
        let (turn, next) = (document.segments[position], document.segments[position + 1])
        let codes = try #require(decider.configuration.suggest?.lexicon.codes.map(\.name))
        let other = try #require(codes.first { $0 != first.code })
        try decider.decide(
            coder: "alice",
            [
                .accept(first.id),
                .manual(
                    document: document.id, range: ScalarRange(start: turn.range.start, end: next.range.start + 5),
                    code: other),
            ])
        let manual = try #require(
            try decider.coderStates().first { $0.coder == "alice" }?.manual.first)
        #expect(manual.segmentIndex == nil)
        let byTurn = try decider.cooccurrence(unit: .turn, basis: .codings)
        #expect(byTurn.codes.first { $0.code == other }?.units == 2)
        #expect(byTurn.codedUnits == 2)
        let pair = try #require(byTurn.pairs.first)
        #expect(byTurn.pairs.count == 1)
        #expect(pair.places == [.init(documentID: document.id, turn: turn.index)])
        #expect(pair.shares == (pair.codes[0] == other ? [0.5, 1] : [1, 0.5]))
        let byTranscript = try decider.cooccurrence(unit: .document, basis: .codings)
        #expect(byTranscript.codes.map(\.units) == [1, 1])
        #expect(byTranscript.pairs.first?.places == [.init(documentID: document.id, turn: nil)])
    }

    /// From the suggestions, a turn carries each code suggested there that the coders did not
    /// reject: the same pairs as counted from suggestions.json turn by turn.
    @Test func suggestionsNotRejectedMeetTurnByTurnAsSuggestionsJSONHasThem() throws {
        let (workspace, decider, first, second) = try sampleWithATurnOfTwoCodes()
        defer { workspace.remove() }
        try decider.decide(coder: "alice", [.reject(first.id), .accept(second.id)])
        _ = try workspace.run()
        let table = try decider.cooccurrence(unit: .turn, basis: .suggestions)
        #expect(table.coders.isEmpty)
        let file = try JSONDecoder().decode(Outputs.SuggestionsFile.self, from: workspace.output("suggestions.json"))
        var turns: [String: Set<String>] = [:]
        for suggestion in file.suggestions where suggestion.status != .rejected {
            turns["\(suggestion.documentID)#\(suggestion.segmentIndex)", default: []].insert(suggestion.code)
        }
        var expected: [Set<String>: Int] = [:]
        for codes in turns.values {
            for a in codes {
                for b in codes where a < b { expected[[a, b], default: 0] += 1 }
            }
        }
        #expect(table.codedUnits == turns.count)
        #expect(table.unitsWithSeveralCodes == turns.values.filter { $0.count > 1 }.count)
        #expect(
            Dictionary(table.pairs.map { (Set($0.codes), $0.units) }, uniquingKeysWith: +) == expected)
        #expect(expected.count > 10, "the sample's suggestions share turns")
    }

    /// A coder who never decided is named with the coders there are.
    @Test func aCoderWithNoDecisionsIsNamedWithThoseThereAre() throws {
        let (workspace, decider, first, _) = try sampleWithATurnOfTwoCodes()
        defer { workspace.remove() }
        #expect {
            try decider.cooccurrence(unit: .turn, basis: .codings, coder: "zed")
        } throws: { error in
            "\(error)".contains("no decisions by \"zed\" (no coder has decided yet)")
        }
        try decider.decide(coder: "bob", [.accept(first.id)])
        #expect {
            try decider.cooccurrence(unit: .turn, basis: .codings, coder: "zed")
        } throws: { error in
            "\(error)".contains("no decisions by \"zed\" (coders: bob)")
        }
    }

    /// The terminal's table: counts in words, each pair with its c and shares, codes never paired
    /// named; the CSV a row per pair with both codes' units.
    @Test func theTableReadsAsSentencesAndItsCSVHasARowPerPair() throws {
        var tally = CodeCooccurrence.Tally(unit: .turn, codebook: ["Hype", "Culture, clash", "Time"])
        for (code, turn) in [("Hype", 1), ("Culture, clash", 1), ("Hype", 2), ("Time", 3)] {
            tally.add(code: code, documentID: "P01", turn: turn)
        }
        let table = tally.result(basis: .codings, coders: ["alice", "bob"])
        let text = table.text()
        #expect(
            text.contains(
                "the codings of alice, bob (suggestions accepted or recoded, and codings by hand; a unit counts once whoever coded it)"
            ))
        #expect(text.contains("1 of 3 turns with a code has two codes or more."))
        #expect(text.contains("    1  0.50  Hype × Culture, clash (1 of 2, 50 %; 1 of 1, 100 %)"), "\(text)")
        #expect(text.contains("Never with another code: Time (1 turn)"))
        #expect(
            table.csv() == "code_a,code_b,turns,c,turns_a,turns_b\nHype,\"Culture, clash\",1,0.5000,2,1\n")
        let none = CodeCooccurrence.Tally(unit: .turn, codebook: []).result(basis: .codings, coders: [])
        #expect(none.text().contains("No coding yet"))
    }

    /// With a minimum, the text says how many pairs it left out, and names no code as never
    /// paired for having only pairs under it; with none left, it says so rather than "no two
    /// codes share a turn".
    @Test func theTableSaysWhatAMinimumLeftOut() throws {
        var tally = CodeCooccurrence.Tally(unit: .turn, codebook: ["Hype", "Time", "Safety"])
        for (code, turn) in [("Hype", 1), ("Time", 1), ("Hype", 2), ("Time", 2), ("Safety", 2), ("Safety", 3)] {
            tally.add(code: code, documentID: "P01", turn: turn)
        }
        let table = tally.result(basis: .codings, coders: ["alice"])
        let two = table.arranged(by: .units, minimumUnits: 2).text()
        #expect(two.contains("    2  1.00  Hype × Time (2 of 2, 100 %; 2 of 2, 100 %)"), "\(two)")
        #expect(!two.contains("Safety ×") && !two.contains("× Safety"))
        #expect(two.contains("2 pairs sharing fewer than 2 turns left out (--min-count)."))
        #expect(!two.contains("Never with another code"))
        let three = table.arranged(by: .units, minimumUnits: 3).text()
        #expect(three.contains("3 pairs sharing fewer than 3 turns left out (--min-count)."), "\(three)")
        #expect(!three.contains("No two codes share"))
    }
}

extension CooccurrenceTests {
    /// `tmine cooccurrence` prints what the library counts: its CSV, and a text cut at `--top`
    /// that says how many pairs it left out; a pipeline never run is told to run first.
    @Test func theCommandPrintsTheLibrarysTable() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let tmine = try tmineExecutable().path
        let (before, notRun) = try runProcess(tmine, ["cooccurrence", workspace.pipeline])
        #expect(before == 2)
        #expect(notRun.contains("run"), "\(notRun)")
        _ = try workspace.run()
        let table = try Decider(configuration: try PipelineReader.read(workspace.pipeline)).cooccurrence(
            unit: .turn, basis: .suggestions)
        let (status, csv) = try runProcess(tmine, ["cooccurrence", workspace.pipeline, "--suggestions", "--csv"])
        #expect(status == 0)
        #expect(csv == table.csv())
        let (_, text) = try runProcess(tmine, ["cooccurrence", workspace.pipeline, "--suggestions", "--top", "3"])
        #expect(text == table.text(limit: 3))
        #expect(text.contains("… \(table.pairs.count - 3) more pairs (--json or --csv lists every one)"))
        // Ordered by c, pairs of fewer than two turns left out: the library's arrangement, in
        // every format.
        let arranged = table.arranged(by: .c, minimumUnits: 2)
        #expect(arranged.pairs.count < table.pairs.count)
        let options = ["--suggestions", "--sort", "c", "--min-count", "2"]
        let (_, sorted) = try runProcess(tmine, ["cooccurrence", workspace.pipeline] + options)
        #expect(sorted == arranged.text(limit: 30))
        let (_, sortedCSV) = try runProcess(tmine, ["cooccurrence", workspace.pipeline, "--csv"] + options)
        #expect(sortedCSV == arranged.csv())
        let (_, json) = try runProcess(tmine, ["cooccurrence", workspace.pipeline, "--json"] + options)
        let decoded = try JSONDecoder().decode(CodeCooccurrence.self, from: Data(json.utf8))
        #expect(decoded.pairs.map(\.codes) == arranged.pairs.map(\.codes))
        #expect(decoded.pairsLeftOut == table.pairs.count - arranged.pairs.count)
        let (refused, message) = try runProcess(tmine, ["cooccurrence", workspace.pipeline, "--min-count", "0"])
        #expect(refused != 0)
        #expect(message.contains("--min-count must be 1 or more"))
    }
}

extension CooccurrenceTests {
    /// The rows of the report's "Codes together" section: `codes|turns|c`.
    func reportRows(_ workspace: Workspace) throws -> [String] {
        let html = String(decoding: try workspace.output("report.html"), as: UTF8.self)
        let start = try #require(html.range(of: "<h2>Codes together</h2>"))
        let section = html[start.upperBound...].prefix { $0 != "§" }.components(separatedBy: "</section>")[0]
        return section.components(separatedBy: "<tr><td>").dropFirst().map { row in
            row.components(separatedBy: "</td><td>").prefix(3).joined(separator: "|")
        }
    }

    /// The report's codes suggested together are `tmine cooccurrence --suggestions`'s first
    /// pairs: after a rejection (its turn counted without the code), and after a lexicon edit
    /// that copies every document from the previous suggestions.json (their turns then read
    /// from the layout), as a forced run gives them.
    @Test func theReportsCodesTogetherAreTheSuggestionsPairsWhenDocumentsAreCopiedToo() throws {
        let (workspace, decider, first, _) = try sampleWithATurnOfTwoCodes()
        defer { workspace.remove() }
        try decider.decide(coder: "alice", [.reject(first.id)])
        _ = try workspace.run()
        func expected() throws -> [String] {
            try decider.cooccurrence(unit: .turn, basis: .suggestions).pairs.prefix(HTMLReport.pairsShown).map {
                "\(XML.escape($0.codes[0])) × \(XML.escape($0.codes[1]))|\($0.units)|\(FixedPoint.string($0.c, digits: 2))"
            }
        }
        let decided = try reportRows(workspace)
        #expect(decided.count == HTMLReport.pairsShown)
        #expect(decided == (try expected()))
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, zyzzyva,") }
        let report = try workspace.run()
        #expect(report.stages.first { $0.name == "suggest" }?.ran == [])
        #expect(try reportRows(workspace) == decided)
        // An edit that makes a few documents' suggestions again ("honestly" in two), then a
        // transcript gone: the others still counted from the previous run's totals.
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, honestly,") }
        let ran = try workspace.run().stages.first { $0.name == "suggest" }?.ran ?? []
        #expect(ran.count == 2)
        #expect(try reportRows(workspace) == (try expected()))
        #expect(try reportRows(workspace) != decided)
        try FileManager.default.removeItem(at: workspace.corpus("interview-11.txt"))
        _ = try workspace.run()
        #expect(try reportRows(workspace) == (try expected()))
        try workspace.expectAFreshRunWritesTheSame()
    }
}

extension CooccurrenceTests {
    /// Narrowed to participants by an attribute, the table counts only their turns: the
    /// suggestions' pairs are those of suggestions.json's turns of such participants, and a
    /// coding by hand counts in a turn of one of them, not in another participant's.
    @Test func turnsOfParticipantsWithAnAttributeAreTheOnlyOnesCounted() throws {
        let (workspace, decider, first, _) = try sampleWithATurnOfTwoCodes()
        defer { workspace.remove() }
        let filter = SegmentFilter(
            roles: Set(SpeakerRole.allCases), attributes: ["clinical_tech_split": ["Full-time tech"]])
        let table = try decider.cooccurrence(unit: .turn, basis: .suggestions, filter: filter)
        #expect(table.turnsOf == "clinical_tech_split=Full-time tech")
        let file = try JSONDecoder().decode(Outputs.SuggestionsFile.self, from: workspace.output("suggestions.json"))
        var turns: [String: Set<String>] = [:]
        for suggestion in file.suggestions where suggestion.attributes["clinical_tech_split"] == "Full-time tech" {
            turns["\(suggestion.documentID)#\(suggestion.segmentIndex)", default: []].insert(suggestion.code)
        }
        #expect(table.codedUnits == turns.count)
        #expect(table.codedUnits < (try decider.cooccurrence(unit: .turn, basis: .suggestions)).codedUnits)
        // By hand: a code in the first turn of a Full-time tech participant and of another one.
        let corpus = try JSONDecoder().decode(Outputs.CorpusFile.self, from: workspace.output("corpus.json"))
        let byID = corpus.participants.byID
        func firstTurn(tech: Bool) throws -> (String, Segment) {
            for document in corpus.documents {
                for segment in document.segments {
                    guard let id = segment.participantID, let participant = byID[id] else { continue }
                    if (participant.attributes["clinical_tech_split"] == "Full-time tech") == tech {
                        return (document.id, segment)
                    }
                }
            }
            throw CocoaError(.fileReadCorruptFile)
        }
        let (techDocument, techTurn) = try firstTurn(tech: true)
        let (otherDocument, otherTurn) = try firstTurn(tech: false)
        try decider.decide(
            coder: "alice",
            [
                .manual(document: techDocument, range: techTurn.range, code: first.code),
                .manual(document: otherDocument, range: otherTurn.range, code: first.code),
            ])
        let coded = try decider.cooccurrence(unit: .turn, basis: .codings, filter: filter)
        #expect(coded.codes == [.init(code: first.code, units: 1)])
        #expect(try decider.cooccurrence(unit: .turn, basis: .codings).codes == [.init(code: first.code, units: 2)])
    }
}
