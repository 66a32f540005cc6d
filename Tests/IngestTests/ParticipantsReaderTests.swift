import Corpus
import Foundation
import Testing

@testable import Ingest

@Suite struct ParticipantsReaderTests {
    func parse(_ text: String) throws -> (table: ParticipantTable, warnings: [String]) {
        try ParticipantsReader().read(data: Data(text.utf8), file: "participants.csv")
    }

    @Test func bomCrlfAndQuotedFieldsAreRead() throws {
        let csv =
            "\u{FEFF}participant,role,ai_experience,transcript\r\nP1,GP,\"Policy, ethics\",a.docx\r\n"
            + "P2,Surgeon,\"Said \"\"hi\"\"\nover two lines\",b.vtt\r\n"
        let (table, warnings) = try parse(csv)
        #expect(warnings.isEmpty)
        #expect(table.attributeNames == ["role", "ai_experience", "transcript"])
        #expect(table["P1"]?.attributes["ai_experience"] == "Policy, ethics")
        #expect(table["P2"]?.attributes["ai_experience"] == "Said \"hi\"\nover two lines")
        #expect(table.documentColumn == "transcript")
        #expect(table.participant(forDocument: "b.vtt")?.id == "P2")
        #expect(table.participant(forDocument: "b.txt")?.id == "P2")  // same name, other format
    }

    /// Excel writes a semicolon between fields where the comma is the decimal mark (German,
    /// French, Dutch settings), and a tab in "Unicode Text"; read with commas, each row was one
    /// field and no participant had any attribute. The header tells which.
    @Test func semicolonAndTabSeparatedTablesAreReadByTheirHeader() throws {
        let semicolons = try parse(
            "participant;role;\"years; in field\"\r\nP1;GP;\"12,5\"\r\nP2;Surgeon, trainee;3\r\n")
        #expect(semicolons.table.attributeNames == ["role", "years; in field"])
        #expect(semicolons.table["P1"]?.attributes["years; in field"] == "12,5")
        #expect(semicolons.table["P2"]?.attributes["role"] == "Surgeon, trainee")
        #expect(semicolons.warnings.isEmpty)
        let tabs = try parse("\n\nparticipant\trole\nP1\tGP; locum\n")
        #expect(tabs.table["P1"]?.attributes["role"] == "GP; locum")
        // A comma header keeps its commas, whatever the rows hold.
        let commas = try parse("participant,\"role; main\"\nP1,GP;locum\n")
        #expect(commas.table["P1"]?.attributes["role; main"] == "GP;locum")
    }

    @Test func raggedRowsArePaddedOrTrimmedWithAWarning() throws {
        let (table, warnings) = try parse("id,role,years\nP1,GP\nP2,Surgeon,5+,extra\n")
        #expect(table["P1"]?.attributes["years"] == "")
        #expect(table["P2"]?.attributes["years"] == "5+")
        #expect(warnings.count == 2)
        #expect(warnings[0].hasPrefix("participants.csv:2:"))
    }

    /// Excel's "CSV" on Windows is Windows-1252: read so, with a warning, when the pipeline
    /// names it as the fallback; an error that says what to do otherwise.
    @Test func aWindows1252TableIsReadInTheFallbackEncodingWithAWarning() throws {
        let bytes = Data(Array("id,role,city\nP1,GP,Z".utf8) + [0xFC] + Array("rich\n".utf8))
        let error = try #require(ingestError { try ParticipantsReader().read(data: bytes, file: "p.csv") })
        #expect(error.code == .invalidEncoding)
        #expect(error.hint?.contains("fallbackEncoding") == true)
        #expect(error.hint?.contains("replace invalid") == false)
        let (table, warnings) = try ParticipantsReader(fallback: .windows1252).read(data: bytes, file: "p.csv")
        #expect(table["P1"]?.attributes["city"] == "Zürich")
        #expect(warnings.contains { $0.contains("windows-1252") })
    }

    @Test func duplicateIdNamesBothLines() throws {
        let error = try #require(ingestError { try parse("id,role\nP1,GP\n\nP1,Surgeon\n") })
        #expect(error.code == .malformedParticipants)
        #expect(error.line == 4)
        #expect(error.message.contains("line 2"))
    }

    /// Ids are matched as labels are (`p3:` and `P03:` name P3), so an id differing from an
    /// earlier one only so is the same participant listed twice: it was a second one whom no
    /// label could name, groups listing both.
    @Test func idsDifferingOnlyAsLabelsAreMatchedAreListedTwice() throws {
        for (second, first) in [("p3", "P3"), ("P03", "P3"), ("P-3", "P3"), ("alice", "Alice")] {
            let error = try #require(ingestError { try parse("id,role\n\(first),GP\nP4,GP\n\(second),Surgeon\n") })
            #expect(error.line == 4)
            #expect(
                error.message
                    == "participant \"\(second)\" is listed twice (first on line 2 as \"\(first)\": ids are matched "
                    + "regardless of case, leading zeros, spaces, - and _)")
        }
        #expect(try parse("id,role\nP3,GP\nP30,GP\nP3a,GP\n").table.participants.count == 3)
    }

    /// A quoted field over several lines (Windows line breaks among them) moves the lines after it.
    @Test func lineNumbersCountBreaksInsideQuotedFields() throws {
        let error = try #require(
            ingestError { try parse("id,note\r\nP1,\"first\r\nsecond\nthird\"\r\nP2,x\r\nP1,again\r\n") })
        #expect(error.line == 6)
        #expect(error.message.contains("line 2"))
    }

    @Test func missingIdColumnIsAnError() throws {
        #expect(ingestError { try parse(",role\nP1,GP\n") }?.line == 1)
        #expect(ingestError { try parse("id,role\n,GP\n") }?.line == 2)
    }

    @Test func quoteLeftOpenNamesTheLineItOpensOn() throws {
        let error = try #require(ingestError { try parse("id,role\nP1,GP\nP2,\"Surgeon\nP3,GP\n") })
        #expect(error.line == 3)
        // In a table of semicolons or tabs too (Excel's in many countries), where it went unseen and
        // the rest of the file became one participant's value.
        for separator in [";", "\t"] {
            let text = ["id", "role\nP1", "GP\nP2", "\"Surgeon\nP3", "GP\n"].joined(separator: separator)
            #expect(try #require(ingestError { try parse(text) }).line == 3, "\(separator)")
        }
    }

    @Test func labelIdsMatchTheTablesSpelling() {
        let table = ParticipantTable(attributeNames: [], participants: [Participant(id: "P3", attributes: [:])])
        #expect(table.canonicalID(for: "p03") == "P3")
        #expect(table.canonicalID(for: "P 3") == "P3")
        #expect(table.canonicalID(for: "P30") == nil)
    }

    /// The commands that take transcripts use the participants file given, else the first
    /// folder's `participants.csv`, else none.
    @Test func aFoldersParticipantsFileIsUsedUnlessOneIsGiven() throws {
        let study = Fixture.sampleStudy.path
        let found = try StudyInputs.participants(for: ["/nonexistent", study])
        #expect(found.file == study + "/participants.csv" && found.table.participants.count == 11)
        let given = FileManager.default.temporaryDirectory.appendingPathComponent("p-\(UUID()).csv")
        try "participant,role\nP1,Registrar\n".write(to: given, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: given) }
        let explicit = try StudyInputs.participants(for: [study], path: given.path)
        #expect(explicit.file == given.path && explicit.table.participants.map(\.id) == ["P1"])
        let none = try StudyInputs.participants(for: [study + "/interview-11.txt"])
        #expect(none.file == nil && none.table.participants.isEmpty)
    }
}
