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
    /// Words each participant said (`""`: speakers of no participant), from the per-speaker
    /// counts: the report's bar chart, and the sizes of the groups KWIC hits are rated against.
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
            words[speaker.participantID ?? "", default: 0] += speaker.words
        }
        for (position, count) in zip(builders.indices, counts) {
            for grouping in builders[position].indices { builders[position][grouping].add(count) }
        }
    }

    /// frequencies.json's content (frequencies.csv holds the same rows). A keyness comparison
    /// naming a group the data lacks is skipped with a warning rather than failing the run.
    ///
    /// Each table's counts are let go once its terms are made, and its terms once its rows are
    /// (the merge is spent after).
    mutating func file(study: String, warnings: inout [String]) -> Outputs.FrequenciesFile {
        var tables: [Outputs.FrequenciesFile.Table] = []
        var comparisons: [Outputs.FrequenciesFile.Comparison] = []
        for (position, n) in stage.ngrams.enumerated() {
            for (index, grouping) in stage.groupings.enumerated() {
                var table = builders[position][index].takeTable()
                for comparison in stage.keyness where comparison.grouping == grouping {
                    do {
                        let keyness = try table.keyness(
                            of: comparison.group, against: comparison.reference, minimumCount: stage.minimumCount)
                        comparisons.append(.init(grouping: grouping.description, ngram: n, keyness: keyness))
                    } catch {
                        warnings.append("keyness by \(grouping) (\(n)-grams) skipped: \(error)")
                    }
                }
                // After keyness, which reads the terms that making the rows lets go.
                let rows = table.takeRows()
                tables.append(.init(grouping: grouping.description, ngram: n, groups: table.groups, rows: rows))
            }
        }
        return Outputs.FrequenciesFile(study: study, tables: tables, keyness: comparisons)
    }
}

extension Outputs {
    /// frequencies.csv: every table's rows in the long format, written a megabyte at a time.
    static func writeFrequenciesCSV(_ file: FrequenciesFile, to sink: any ByteSink) {
        var csv = Array("grouping,ngram,term,group,count,rate,participants,documents\n".utf8)
        csv.reserveCapacity(1 << 20 + 4096)
        for table in file.tables {
            var prefix: [UInt8] = []
            appendCSVField(table.grouping, to: &prefix)
            prefix.append(0x2C)
            prefix.append(contentsOf: String(table.ngram).utf8)
            prefix.append(0x2C)
            appendFrequencyRows(table.rows, prefix: prefix, to: &csv) { csv in
                sink.append(csv)
                csv.removeAll(keepingCapacity: true)
            }
        }
        sink.append(csv)
    }

    /// `rows` as CSV lines, `term,group,count,rate,participants,documents` after `prefix`
    /// (frequencies.csv's `grouping,ngram,`, or nothing for `tmine freq --csv`), handed to
    /// `spill` a megabyte at a time (which empties `csv`). By hand, as frequencies.csv's
    /// writer: CSV.swift's writer took 51 s for `tmine freq --csv` of 2,000 participants' rows.
    public static func appendFrequencyRows(
        _ rows: [FrequencyTable.Row], prefix: [UInt8], to csv: inout [UInt8], spill: (inout [UInt8]) throws -> Void
    ) rethrows {
        for row in rows {
            csv.append(contentsOf: prefix)
            appendCSVField(row.term, to: &csv)
            csv.append(0x2C)
            appendCSVField(row.group, to: &csv)
            csv.append(0x2C)
            csv.append(contentsOf: String(row.count).utf8)
            csv.append(0x2C)
            FixedPoint.append(row.rate, digits: 4, to: &csv)
            csv.append(0x2C)
            csv.append(contentsOf: String(row.participants).utf8)
            csv.append(0x2C)
            csv.append(contentsOf: String(row.documents).utf8)
            csv.append(0x0A)
            if csv.count >= 1 << 20 { try spill(&csv) }
        }
    }
}
