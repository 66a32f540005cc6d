import ArgumentParser
import Corpus
import Foundation
import Testing

@testable import tmine

struct BandOptionTests {
    /// `--band years=5,10` bands a column of the participants file in place for any command
    /// that reads transcripts, on top of a pipeline's own bands; a malformed one is a usage
    /// error before anything is read.
    @Test func bandOptionBandsTheColumnForFreqAndKWIC() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("band-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "id,years\nP1,3\nP2,12\nP3,\n".write(
            to: folder.appendingPathComponent("participants.csv"), atomically: true, encoding: .utf8)
        try "P1: Hype.\nP2: Hype again.\n".write(
            to: folder.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        let freq = try Freq.parse([folder.path, "--by", "years", "--band", "years=5,10"])
        let table = try freq.corpus.input.study().participants
        #expect(table.participants.map { $0.attributes["years"] } == ["0-4", "10+", ""])
        let kwic = try Kwic.parse(["hype", folder.path, "--band", "years=5"])
        #expect(
            try kwic.corpus.input.study().participants.participants.map { $0.attributes["years"] } == ["0-4", "5+", ""])
        for wrong in ["years", "years=", "years=5,x", "years=10,5", "=5"] {
            #expect(throws: (any Error).self, "\(wrong)") { try Freq.parse([folder.path, "--band", wrong]) }
        }
    }
}

/// Filters that would leave every turn out say so before anything is read.
struct FilterOptionTests {
    static let table = ParticipantTable(
        attributeNames: ["role"],
        participants: [
            Participant(id: "P3", attributes: ["role": "GP"]), Participant(id: "P12", attributes: ["role": "Surgeon"]),
        ])

    /// `--participant` names an id of the participants file, as it spells it (`P03` for its
    /// `P3`, said); it left every turn out with "0 hits". Without a participants file, ids come
    /// from the labels and nothing is checked.
    @Test func aParticipantTheTableLacksIsAUsageError() throws {
        #expect(throws: Never.self) {
            try Kwic.parse(["hype", "x", "--participant", "P12"]).filters.check(against: Self.table)
        }
        #expect {
            try Kwic.parse(["hype", "x", "--participant", "P03"]).filters.check(against: Self.table)
        } throws: { error in
            "\(error)".contains("no participant \"P03\" in the participants file; did you mean \"P3\"?")
        }
        #expect(throws: (any Error).self) {
            try Freq.parse(["x", "--participant", "P99"]).filters.check(against: Self.table)
        }
        #expect(throws: Never.self) { try Freq.parse(["x", "--participant", "P99"]).filters.check(against: .empty) }
    }
}
