import Corpus
import Foundation
import Testing

@testable import Pipeline
@testable import TextAnalysis

@Suite struct FrequencyMergeTests {
    /// A stage with two groupings of few groups numbers their terms once for both (by
    /// participant each group keeps its own), and its tables and keyness are those each
    /// grouping's table gives alone; with one grouping of few groups nothing is shared.
    @Test func groupingsOfFewGroupsShareTermsAndGiveTheTablesTheyGiveAlone() throws {
        var random = SplitMixGenerator(seed: 64)
        let people = (1...8).map { number in
            Participant(
                id: "P\(number)",
                attributes: ["split": number % 2 == 0 ? "tech" : "clinical", "years": number % 3 == 0 ? "5+" : "1-5"])
        }
        let participants = ParticipantTable(attributeNames: ["split", "years"], participants: people)
        let words = ["time", "hype", "data", "rota", "mentor", "protected time", "culture clash"]
        func speaker(_ id: String?) -> DocumentCounts.Speaker {
            var terms: [String: Int] = [:]
            for word in words where Bool.random(using: &random) {
                terms[word + String(Int.random(in: 0..<3, using: &random))] = Int.random(in: 1...3, using: &random)
            }
            return DocumentCounts.Speaker(participantID: id, words: terms.values.reduce(0, +) + 1, terms: terms)
        }
        let documents = (0..<30).map { document in
            DocumentCounts(
                documentID: "d\(document)",
                speakers: [speaker(nil)]
                    + (0..<Int.random(in: 1...2, using: &random)).map { _ in
                        speaker(people.randomElement(using: &random)?.id)
                    })
        }
        var stage = FrequencyStage()
        stage.groupings = [.attributes(["split"]), .attributes(["years"]), .participant]
        stage.filter = .everyone
        stage.keyness = [
            .init(grouping: .attributes(["split"]), group: "tech", reference: nil),
            .init(grouping: .attributes(["years"]), group: "5+", reference: "1-5"),
        ]
        var merge = FrequencyMerge(stage: stage, participants: participants, scratchFolder: nil)
        #expect(merge.sharesTerms == [[true, true, false]])
        for document in documents { merge.add([document]) }
        var warnings: [String] = []
        let finished = merge.finish(study: "s", warnings: &warnings)
        #expect(warnings.isEmpty && finished.tables.count == 3)
        for (made, grouping) in zip(finished.tables, stage.groupings) {
            let alone = FrequencyTable(
                merging: documents, participants: participants,
                options: stage.counterOptions(ngram: 1, grouping: grouping))
            #expect(made.grouping == grouping.description && made.table?.groups == alone.groups)
            #expect(made.table?.rows == alone.rows && !alone.rows.isEmpty)
            for comparison in stage.keyness where comparison.grouping == grouping {
                let keyness = try #require(finished.keyness.first { $0.grouping == grouping.description }?.keyness)
                #expect(keyness == (try alone.keyness(of: comparison.group, against: comparison.reference)))
            }
        }
        stage.groupings = [.attributes(["split"]), .participant]
        let one = FrequencyMerge(stage: stage, participants: participants, scratchFolder: nil)
        #expect(one.sharesTerms == [[false, false]])
    }

    /// Fed in chunks (as a cached study's documents come), each n-gram size's tables in lanes
    /// side by side, the merge gives every table as it is made alone from the documents in
    /// order: unigrams and bigrams, groupings that share terms and one that does not, and a
    /// document that failed (no counts) among them.
    @Test func tablesFedInLanesChunkByChunkAreThoseEachGivesAlone() throws {
        var random = SplitMixGenerator(seed: 167)
        let people = (1...10).map { number in
            Participant(
                id: "P\(number)",
                attributes: ["split": number % 2 == 0 ? "tech" : "clinical", "years": ["<1", "1-5", "5+"][number % 3]])
        }
        let participants = ParticipantTable(attributeNames: ["split", "years"], participants: people)
        let words = ["time", "hype", "data", "rota", "mentor", "ward", "model", "trust"]
        func terms(ngram: Int) -> [String: Int] {
            var terms: [String: Int] = [:]
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                let term = (0..<ngram).map { _ in words.randomElement(using: &random)! }.joined(separator: " ")
                terms[term, default: 0] += Int.random(in: 1...3, using: &random)
            }
            return terms
        }
        var documents: [[DocumentCounts]] = []
        for document in 0..<40 {
            let speakers = (0..<Int.random(in: 1...4, using: &random)).map { _ in
                Bool.random(using: &random) ? people.randomElement(using: &random)?.id : nil
            }
            let sizes = [1, 2].map { ngram in
                DocumentCounts(
                    documentID: "d\(document)",
                    speakers: speakers.map { who in
                        let terms = terms(ngram: ngram)
                        return DocumentCounts.Speaker(
                            participantID: who, words: terms.values.reduce(0, +) + 1, terms: terms)
                    })
            }
            documents.append(document == 7 ? [] : sizes)
        }
        var stage = FrequencyStage()
        stage.groupings = [.attributes(["split"]), .participant, .attributes(["years"])]
        stage.ngrams = [1, 2]
        stage.filter = .everyone
        var merge = FrequencyMerge(stage: stage, participants: participants, scratchFolder: nil)
        #expect(merge.sharesTerms == [[true, false, true], [true, false, true]])
        var start = 0
        while start < documents.count {
            let end = min(documents.count, start + Int.random(in: 1...9, using: &random))
            merge.add(chunk: Array(documents[start..<end]))
            start = end
        }
        var warnings: [String] = []
        let finished = merge.finish(study: "s", warnings: &warnings)
        #expect(finished.tables.map(\.ngram) == [1, 1, 1, 2, 2, 2])
        #expect(finished.tables.map(\.grouping) == (stage.groupings + stage.groupings).map(\.description))
        for (index, made) in finished.tables.enumerated() {
            let position = index / stage.groupings.count
            let alone = FrequencyTable(
                merging: documents.compactMap { $0.isEmpty ? nil : $0[position] }, participants: participants,
                options: stage.counterOptions(ngram: made.ngram, grouping: stage.groupings[index % 3]))
            #expect(made.table?.groups == alone.groups)
            #expect(made.table?.rows == alone.rows && !alone.rows.isEmpty)
        }
    }

    /// With a minimum count of 2, a lone grouping of few groups counts by shared terms too, which
    /// leave out terms heard once: its tables (words and bigrams) and keyness are those made
    /// alone counting every term, whether the terms heard once stay in memory or go to the
    /// scratch file; a grouping by participant still numbers its own.
    @Test(arguments: [false, true])
    func aMinimumCountOfTwoSharesTermsForOneGroupingAndGivesTheSameTables(spilling: Bool) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("merge-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var random = SplitMixGenerator(seed: 271)
        let people = (1...6).map { Participant(id: "P\($0)", attributes: ["split": $0 % 2 == 0 ? "tech" : "clinical"]) }
        let participants = ParticipantTable(attributeNames: ["split"], participants: people)
        func speaker(_ id: String?, ngram: Int) -> DocumentCounts.Speaker {
            var terms: [String: Int] = [:]
            for _ in 0..<40 {
                let term = (0..<ngram).map { _ in "w\(Int.random(in: 0..<60, using: &random))" }
                terms[term.joined(separator: " "), default: 0] += 1
            }
            return DocumentCounts.Speaker(participantID: id, words: terms.values.reduce(0, +) + 2, terms: terms)
        }
        let documents = (0..<25).map { document in
            let speakers =
                [nil]
                + (0..<Int.random(in: 1...2, using: &random)).map { _ in people.randomElement(using: &random)?.id }
            return [1, 2].map { ngram in
                DocumentCounts(documentID: "d\(document)", speakers: speakers.map { speaker($0, ngram: ngram) })
            }
        }
        var stage = FrequencyStage()
        stage.groupings = [.attributes(["split"]), .participant]
        stage.ngrams = [1, 2]
        stage.filter = .everyone
        stage.minimumCount = 2
        stage.keyness = [.init(grouping: .attributes(["split"]), group: "tech", reference: nil)]
        var merge = FrequencyMerge(
            stage: stage, participants: participants, scratchFolder: spilling ? folder : nil,
            heardOnceInMemory: spilling ? 100 : FrequencyTable.SharedTerms.heardOnceInMemory)
        #expect(merge.sharesTerms == [[true, false], [true, false]])
        for document in documents { merge.add(document) }
        // The scratch file's folder is made for the terms heard once, and only for them here.
        #expect(FileManager.default.fileExists(atPath: folder) == spilling)
        var warnings: [String] = []
        let finished = merge.finish(study: "s", warnings: &warnings)
        #expect(warnings.isEmpty && finished.tables.count == 4)
        for (index, made) in finished.tables.enumerated() {
            let options = stage.counterOptions(ngram: made.ngram, grouping: stage.groupings[index % 2])
            let alone = FrequencyTable(
                merging: documents.map { $0[index / 2] }, participants: participants, options: options)
            let table = try #require(made.table)
            #expect(table.omitsTermsHeardOnce == (index % 2 == 0))
            #expect(table.groups == alone.groups)
            #expect(table.rows == alone.rows && !alone.rows.isEmpty)
        }
        // Bigrams of 60 words: hundreds said once in all, in no row and no comparison.
        var heard: [String: Int] = [:]
        for document in documents {
            for speaker in document[1].speakers {
                for (term, count) in zip(speaker.terms, speaker.counts) { heard[term, default: 0] += count }
            }
        }
        #expect(heard.values.filter { $0 == 1 }.count > 300)
        for made in finished.keyness {
            let alone = FrequencyTable(
                merging: documents.map { $0[made.ngram - 1] }, participants: participants,
                options: stage.counterOptions(ngram: made.ngram, grouping: .attributes(["split"])))
            #expect(made.keyness == (try alone.keyness(of: "tech", minimumCount: 2)))
        }
        #expect(finished.keyness.count == 2)
    }

    /// The cache keeps of a comparison the rows up to the last the report may show (the first
    /// ten the target uses more) and none after: the report made from them is the one the whole
    /// comparison makes, however the rows the target uses less fall among those.
    @Test func theCacheKeepsAComparisonsRowsUpToTheLastTheReportShows() {
        func keyness(_ counts: [(Int, Int)]) -> Keyness {
            let rows = counts.enumerated().map { index, pair in
                let statistic = LogLikelihood(a: pair.0, b: pair.1, c: 1000, d: 1000)
                return Keyness.Row(
                    term: "t\(index)", targetCount: pair.0, referenceCount: pair.1, targetRate: 0, referenceRate: 0,
                    logLikelihood: statistic.g2, pValue: statistic.pValue, logRatio: statistic.logRatio)
            }
            return Keyness(target: "a", reference: "b", targetWords: 1000, referenceWords: 1000, rows: rows)
        }
        let cases: [([(Int, Int)], Int)] = [
            (Array(repeating: (9, 1), count: 25) + Array(repeating: (1, 9), count: 5), 10),
            ([(5, 5), (1, 9)] + Array(repeating: (9, 1), count: 12), 12),
            (Array(repeating: (9, 1), count: 4) + Array(repeating: (1, 9), count: 6), 10),
            ([], 0),
        ]
        for (counts, kept) in cases {
            let whole = keyness(counts)
            let shown = HTMLReport.shownRows(of: whole)
            #expect(shown.count == kept)
            #expect(shown.rows == Array(whole.rows.prefix(kept)))
            #expect(
                shown.firstRows(HTMLReport.keynessTermsShown) { $0.logRatio > 0 }
                    == whole.firstRows(HTMLReport.keynessTermsShown) { $0.logRatio > 0 })
        }
    }
}
