import Corpus
import Foundation
import Testing

@testable import Coding

struct CooccurrenceTests {
    /// Turn 1 carries A (twice: two coders, or a phrase and a word) and B; turn 2 A alone; turn 3
    /// B and C. A and B share one turn of two each: c = 1 / (2 + 2 − 1).
    @Test func aPairCountsEachTurnCarryingBothCodesOnce() throws {
        var tally = CodeCooccurrence.Tally(unit: .turn, codebook: ["A", "B", "C"])
        for (code, turn) in [("A", 1), ("B", 1), ("A", 1), ("A", 2), ("C", 3), ("B", 3)] {
            tally.add(code: code, documentID: "d1", turn: turn)
        }
        let table = tally.result(basis: .codings, coders: ["alice"])
        #expect(table.codedUnits == 3)
        #expect(table.unitsWithSeveralCodes == 2)
        #expect(table.codes.map(\.code) == ["A", "B", "C"])
        #expect(table.codes.map(\.units) == [2, 2, 1])
        // Both pairs share one turn; the one with the higher c comes first.
        #expect(table.pairs.map(\.codes) == [["B", "C"], ["A", "B"]])
        let ab = try #require(table.pairs.last)
        #expect(ab.units == 1)
        #expect(abs(ab.c - 1.0 / 3) < 1e-12)
        #expect(ab.shares == [0.5, 0.5])
        #expect(ab.places == [.init(documentID: "d1", turn: 1)])
        let bc = try #require(table.pairs.first)
        #expect(bc.c == 0.5)
        #expect(bc.shares == [0.5, 1])
    }

    /// Turns of different transcripts, or of one transcript, are different units.
    @Test func theSameTurnNumberInAnotherTranscriptIsAnotherTurn() throws {
        var tally = CodeCooccurrence.Tally(unit: .turn, codebook: ["A", "B"])
        tally.add(code: "A", documentID: "d1", turn: 4)
        tally.add(code: "B", documentID: "d2", turn: 4)
        tally.add(code: "B", documentID: "d1", turn: 5)
        let table = tally.result(basis: .codings, coders: [])
        #expect(table.pairs.isEmpty)
        #expect(table.codedUnits == 3)
    }

    /// With transcripts as units, codes of different turns of one transcript are together; a
    /// place then names the transcript alone.
    @Test func transcriptsAsUnitsJoinCodesOfDifferentTurns() throws {
        var tally = CodeCooccurrence.Tally(unit: .document, codebook: ["A", "B"])
        tally.add(code: "A", documentID: "d2", turn: 1)
        tally.add(code: "B", documentID: "d2", turn: 9)
        tally.add(code: "B", documentID: "d1", turn: 1)
        let table = tally.result(basis: .suggestions, coders: [])
        #expect(table.codedUnits == 2)
        let pair = try #require(table.pairs.first)
        #expect(table.pairs.count == 1)
        #expect(pair.codes == ["A", "B"])
        #expect(pair.places == [.init(documentID: "d2", turn: nil)])
        #expect(pair.shares == [1, 0.5])
    }

    /// A pair's codes and the code list follow the codebook, whatever order they were added in;
    /// a code the codebook no longer has (recoded to before a lexicon edit) comes after, by name.
    @Test func codesFollowTheCodebookAndThoseItLacksComeLastByName() throws {
        var tally = CodeCooccurrence.Tally(unit: .turn, codebook: ["Second", "First"])
        for code in ["Zeta", "First", "Alpha", "Second"] { tally.add(code: code, documentID: "d", turn: 0) }
        let table = tally.result(basis: .codings, coders: [])
        #expect(table.codes.map(\.code) == ["Second", "First", "Alpha", "Zeta"])
        #expect(table.pairs.count == 6)
        #expect(table.pairs.allSatisfy { $0.units == 1 && $0.c == 1 })
        #expect(table.pairs.map(\.codes).first == ["Second", "First"])
        #expect(table.pairs.map(\.codes).last == ["Alpha", "Zeta"])
    }

    /// Places run in the order the transcripts came, then by turn; pairs with more units first.
    @Test func placesFollowTheTranscriptsAndPairsWithMoreTurnsComeFirst() throws {
        var tally = CodeCooccurrence.Tally(unit: .turn, codebook: ["A", "B", "C"])
        for (document, turn) in [("b", 7), ("b", 2), ("a", 1)] {
            tally.add(code: "B", documentID: document, turn: turn)
            tally.add(code: "C", documentID: document, turn: turn)
        }
        tally.add(code: "A", documentID: "a", turn: 1)
        let table = tally.result(basis: .codings, coders: [])
        #expect(table.pairs.map(\.codes) == [["B", "C"], ["A", "B"], ["A", "C"]])
        #expect(table.pairs[0].places.map(\.documentID) == ["b", "b", "a"])
        #expect(table.pairs[0].places.map(\.turn) == [2, 7, 1])
    }

    /// A and B share three turns of five and four (c 0.5); C and D their one turn each (c 1);
    /// A and C one turn. A minimum of two turns leaves the single ones out and says how many; by
    /// c, the rarer pair with the higher c comes first, ties in the table's order.
    @Test func aMinimumLeavesOutRarePairsAndCOrdersByTheCoefficient() throws {
        var tally = CodeCooccurrence.Tally(unit: .turn, codebook: ["A", "B", "C", "D"])
        for turn in 1...3 { for code in ["A", "B"] { tally.add(code: code, documentID: "d", turn: turn) } }
        for (code, turn) in [("A", 4), ("A", 5), ("B", 6), ("C", 7), ("D", 7), ("A", 8), ("C", 8)] {
            tally.add(code: code, documentID: "d", turn: turn)
        }
        let table = tally.result(basis: .codings, coders: [])
        #expect(table.pairs.map(\.codes) == [["A", "B"], ["C", "D"], ["A", "C"]])
        #expect(table.pairs.map(\.units) == [3, 1, 1])
        #expect(table.arranged(by: .units) == table)
        let byC = table.arranged(by: .c)
        #expect(byC.pairs.map(\.codes) == [["C", "D"], ["A", "B"], ["A", "C"]])
        #expect(byC.pairs.map(\.c) == byC.pairs.map(\.c).sorted(by: >))
        #expect(byC.minimumUnits == nil && byC.pairsLeftOut == nil)
        let common = table.arranged(by: .c, minimumUnits: 2)
        #expect(common.pairs.map(\.codes) == [["A", "B"]])
        #expect(common.minimumUnits == 2)
        #expect(common.pairsLeftOut == 2)
        #expect(common.codes == table.codes)
        #expect(table.arranged(by: .units, minimumUnits: 4).pairs.isEmpty)
    }

    /// Accepted: the suggestion's code; recoded: the coder's; rejected or pending: none.
    @Test func aDecisionAppliesTheSuggestedCodeOrTheOneChosenInstead() {
        let suggestion = Suggestion(
            id: "s", documentID: "d", segmentIndex: 0, sentenceIndex: nil, code: "Hype", codePath: ["Hype"],
            evidence: [], weight: 1, speaker: "P1", role: .participant, participantID: "P1", attributes: [:], text: "",
            range: ScalarRange(start: 0, end: 1), context: "", status: .pending, decisions: [])
        func decision(_ status: SuggestionStatus, _ code: String? = nil) -> CoderDecision {
            CoderDecision(coder: "alice", status: status, code: code, note: nil, at: "")
        }
        #expect(decision(.accepted).appliedCode(of: suggestion) == "Hype")
        #expect(decision(.recoded, "Education").appliedCode(of: suggestion) == "Education")
        #expect(decision(.rejected).appliedCode(of: suggestion) == nil)
        #expect(decision(.pending).appliedCode(of: suggestion) == nil)
    }
}
