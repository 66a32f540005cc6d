import Corpus
import Foundation
import TextAnalysis

/// The frequency stage's merge, fed document by document in document order as each chunk of
/// documents finishes: memory holds the growing tables, never every document's counts (which
/// were most of a large run's peak).
struct FrequencyMerge {
    let stage: FrequencyStage
    /// `builders[n][g]`: the table of the stage's n-th n-gram size under its g-th grouping.
    private var builders: [[FrequencyTable.Builder]]
    /// Words each participant said, from the per-speaker counts: the report's bar chart.
    private(set) var words: [String: Int] = [:]

    init(stage: FrequencyStage, participants: ParticipantTable) {
        self.stage = stage
        builders = stage.ngrams.map { n in
            stage.groupings.map { grouping in
                FrequencyTable.Builder(
                    participants: participants, options: stage.counterOptions(ngram: n, grouping: grouping))
            }
        }
    }

    /// Adds one document's counts (one per n-gram size); a document that failed has none.
    mutating func add(_ counts: [DocumentCounts]) {
        for speaker in counts.first?.speakers ?? [] {
            if let id = speaker.participantID { words[id, default: 0] += speaker.words }
        }
        for (position, count) in zip(builders.indices, counts) {
            for grouping in builders[position].indices { builders[position][grouping].add(count) }
        }
    }

    /// frequencies.json's content and frequencies.csv's bytes. A keyness comparison naming a
    /// group the data lacks is skipped with a warning rather than failing the run.
    func file(study: String, warnings: inout [String]) -> (Outputs.FrequenciesFile, Data) {
        var tables: [Outputs.FrequenciesFile.Table] = []
        var comparisons: [Outputs.FrequenciesFile.Comparison] = []
        var csv = Array("grouping,ngram,term,group,count,rate,participants,documents\n".utf8)
        for (position, n) in stage.ngrams.enumerated() {
            for (grouping, builder) in zip(stage.groupings, builders[position]) {
                let table = builder.table()
                let rows = table.rows
                tables.append(.init(grouping: grouping.description, ngram: n, groups: table.groups, rows: rows))
                csv.reserveCapacity(csv.count + rows.count * 48)
                let name = grouping.description
                for row in rows {
                    for (index, field) in [
                        name, String(n), row.term, row.group, String(row.count), fixedPoint4(row.rate),
                        String(row.participants), String(row.documents),
                    ].enumerated() {
                        if index > 0 { csv.append(0x2C) }
                        csv.append(contentsOf: csvField(field).utf8)
                    }
                    csv.append(0x0A)
                }
                for comparison in stage.keyness where comparison.grouping == grouping {
                    do {
                        let keyness = try table.keyness(
                            of: comparison.group, against: comparison.reference, minimumCount: stage.minimumCount)
                        comparisons.append(.init(grouping: grouping.description, ngram: n, keyness: keyness))
                    } catch {
                        warnings.append("keyness by \(grouping) (\(n)-grams) skipped: \(error)")
                    }
                }
            }
        }
        return (Outputs.FrequenciesFile(study: study, tables: tables, keyness: comparisons), Data(csv))
    }
}
