import Corpus
import Foundation
import TextAnalysis

/// The frequency stage's merge, fed document by document in document order as each chunk of
/// documents finishes: memory holds the growing tables, never every document's counts (which
/// were most of a large run's peak).
///
/// The tables are fed in lanes (``Lane``), side by side on both cores, each lane's tables with
/// every document in order: when a transcript is added to a cached study every other document's
/// counts come from the cache at once, and feeding them to each table one after another on one
/// core was half of the run.
struct FrequencyMerge {
    let stage: FrequencyStage
    /// The tables in the lanes they are fed in: the tables of an n-gram size that share its
    /// terms together, each other table alone. Objects: a copy of the merge feeds the same
    /// tables (the run hands its one merge on, and ``finish(study:warnings:)`` ends it).
    private var lanes: [Lane]
    /// Words each participant said (`""`: speakers of no participant), from the per-speaker
    /// counts: the report's bar chart, and the sizes of the groups KWIC hits are rated against.
    private(set) var words: [String: Int] = [:]

    /// Tables fed together, by one task at a time, each document's counts of one n-gram size
    /// (`position` among the stage's sizes) in document order; a class, so that lanes are fed
    /// on different threads without sharing anything.
    private final class Lane: @unchecked Sendable {
        let position: Int
        /// The terms numbered once for the lane's tables, when they share them.
        var shared: FrequencyTable.SharedTerms?
        /// Each table with the index of its grouping among the stage's.
        var tables: [(grouping: Int, builder: FrequencyTable.Builder)]

        init(
            position: Int, shared: FrequencyTable.SharedTerms?,
            tables: [(grouping: Int, builder: FrequencyTable.Builder)]
        ) {
            self.position = position
            self.shared = shared
            self.tables = tables
        }

        func add(_ count: DocumentCounts) {
            if let ids = shared?.ids(of: count), let termCount = shared?.count {
                for table in tables.indices { tables[table].builder.add(count, shared: ids, termCount: termCount) }
            } else {
                for table in tables.indices { tables[table].builder.add(count) }
            }
        }
    }

    /// Tables of many groups (by participant, by document) set their quiet groups aside in a
    /// scratch file in `scratchFolder` (the out folder's `.cache`), unlinked as it is made.
    ///
    /// Groupings of few groups share their terms when there are two or more of them, or when
    /// the minimum count is 2 or more (shared terms then leave out terms heard once): a table
    /// alone otherwise numbers each term once in its own groups anyway.
    ///
    /// Terms heard once go to the scratch file too above `heardOnceInMemory` of them.
    init(
        stage: FrequencyStage, participants: ParticipantTable, scratchFolder: String?,
        heardOnceInMemory: Int = FrequencyTable.SharedTerms.heardOnceInMemory
    ) {
        self.stage = stage
        let few = stage.groupings.map { FrequencyTable.SharedTerms.suit($0, among: participants) }
        let sharing = few.filter { $0 }.count >= 2 || stage.minimumCount >= 2
        lanes = []
        for (position, n) in stage.ngrams.enumerated() {
            var sharingTables: [(grouping: Int, builder: FrequencyTable.Builder)] = []
            for (index, (grouping, few)) in zip(stage.groupings, few).enumerated() {
                let builder = FrequencyTable.Builder(
                    participants: participants, options: stage.counterOptions(ngram: n, grouping: grouping),
                    scratchFolder: scratchFolder, sharingTerms: sharing && few)
                if builder.sharesTerms {
                    sharingTables.append((index, builder))
                } else {
                    lanes.append(Lane(position: position, shared: nil, tables: [(index, builder)]))
                }
            }
            if !sharingTables.isEmpty {
                // Terms said once are in no row and no keyness of a minimum count of 2 or more.
                let terms = FrequencyTable.SharedTerms(
                    participants: participants, filter: stage.counterOptions(ngram: n).filter,
                    omittingTermsHeardOnce: stage.minimumCount >= 2, scratchFolder: scratchFolder,
                    spillingAbove: heardOnceInMemory)
                lanes.append(Lane(position: position, shared: terms, tables: sharingTables))
            }
        }
    }

    /// Whether each table shares its n-gram size's terms, `[n][g]` as the stage lists them.
    var sharesTerms: [[Bool]] {
        var sharing = stage.ngrams.map { _ in stage.groupings.map { _ in false } }
        for lane in lanes {
            for table in lane.tables { sharing[lane.position][table.grouping] = table.builder.sharesTerms }
        }
        return sharing
    }

    /// Adds one document's counts (one per n-gram size); a document that failed has none.
    mutating func add(_ counts: [DocumentCounts]) {
        add(chunk: [counts])
    }

    /// Adds documents' counts in document order, the lanes fed on whichever core is free.
    mutating func add(chunk documents: [[DocumentCounts]]) {
        for counts in documents {
            for speaker in counts.first?.speakers ?? [] {
                words[speaker.participantID ?? "", default: 0] += speaker.words
            }
        }
        let lanes = self.lanes
        inParallel(lanes.count) { index in
            let lane = lanes[index]
            for counts in documents where lane.position < counts.count { lane.add(counts[lane.position]) }
        }
    }

    /// The merged tables, each compared for keyness, their rows still to be made. A keyness
    /// comparison naming a group the data lacks is skipped with a warning rather than failing
    /// the run. Each table's counts are let go as its rows are written (the merge is spent after).
    mutating func finish(study: String, warnings: inout [String]) -> FinishedFrequencies {
        // Each table made and compared on whichever core is free (a few seconds of one core for
        // a large study's bigrams); each builder handed to its task, which lets it go.
        let stage = self.stage
        var tables:
            [(position: Int, grouping: Int, builder: FrequencyTable.Builder, terms: TermList?, omitsOnce: Bool)] = []
        for lane in lanes {
            let omitsOnce = lane.shared?.omitsTermsHeardOnce ?? false
            var terms: TermList?
            if var shared = lane.shared.take() {
                // The terms heard once that went to disk, counted where they were heard more than once.
                let earlier = shared.finishHeardOnce()
                for table in lane.tables.indices {
                    lane.tables[table].builder.addHeardOnce(earlier, termCount: shared.count)
                }
                terms = shared.terms()
            }
            for table in lane.tables {
                tables.append(
                    (
                        lane.position, table.grouping, table.builder, table.builder.sharesTerms ? terms : nil,
                        omitsOnce
                    ))
            }
            lane.tables = []
        }
        lanes = []
        // In the stage's order, n-gram sizes first, as the lanes do not list them.
        tables.sort { ($0.position, $0.grouping) < ($1.position, $1.grouping) }
        let jobs = tables.map { table in
            (
                n: stage.ngrams[table.position], grouping: stage.groupings[table.grouping],
                builder: TakenOnce(table.builder), terms: table.terms, omitsOnce: table.omitsOnce
            )
        }
        tables = []
        let made = ConcurrentSlots<(FrequencyTable, [Result<Keyness, KeynessError>])>.map(jobs.count) { job in
            guard var builder = jobs[job].builder.take() else { preconditionFailure("each table is made once") }
            let table = builder.takeTable(terms: jobs[job].terms, omittingTermsHeardOnce: jobs[job].omitsOnce)
            let comparisons = stage.keyness.filter { $0.grouping == jobs[job].grouping }.map { comparison in
                Result { () throws(KeynessError) in
                    try table.keyness(
                        of: comparison.group, against: comparison.reference, minimumCount: stage.minimumCount)
                }
            }
            return (table, comparisons)
        }
        var finished = FinishedFrequencies(study: study, tables: [], keyness: [])
        for (job, (table, comparisons)) in zip(jobs, made) {
            let (n, grouping) = (job.n, job.grouping)
            for comparison in comparisons {
                switch comparison {
                case .success(let keyness):
                    finished.keyness.append(.init(grouping: grouping.description, ngram: n, keyness: keyness))
                case .failure(let error):
                    warnings.append("keyness by \(grouping) (\(n)-grams) skipped: \(error)")
                }
            }
            finished.tables.append(.init(grouping: grouping.description, ngram: n, table: table))
        }
        return finished
    }
}

/// The frequency stage's tables, compared for keyness, before their rows are made: frequencies.json
/// puts the comparisons first, and the rows are then written a piece at a time
/// (``Outputs/writeFrequencyFiles(_:json:csv:rowsAtATime:)``), never all held at once (5.5 million
/// rows, 0.4 GB, for 2,000 participants).
struct FinishedFrequencies {
    struct Table {
        var grouping: String
        var ngram: Int
        /// Nil once its rows are being written.
        var table: FrequencyTable?
    }
    var study: String
    var tables: [Table]
    var keyness: [Outputs.FrequenciesFile.Comparison]
}

extension Outputs {
    /// frequencies.json and frequencies.csv (either or both may be nil) written from `frequencies`
    /// a piece of rows at a time (``FrequencyRowPieces``), each group's counts let go once its rows
    /// are handed out; `frequencies` is
    /// left without tables. Returns what the report shows and `.cache/frequencies.bin` keeps: the
    /// groups, each group's top rows (``HTMLReport/topTermsShown``) and the comparisons with the
    /// rows the report may show (``HTMLReport/shownRows(of:)``).
    ///
    /// Throws for a value JSON cannot hold (the caller abandons the files).
    static func writeFrequencyFiles(
        _ frequencies: inout FinishedFrequencies, json: (any ByteSink)?, csv: (any ByteSink)?,
        rowsAtATime: Int = FrequencyRowPieces.rowsAtATime
    ) throws -> FrequenciesFile {
        // While one core writes a piece of rows as JSON, the other writes it as CSV and makes the
        // next piece. Each of the three touches its own field only.
        final class Writers: @unchecked Sendable {
            var json: JSONWriter?
            var csv: [UInt8] = []
            var csvSink: (any ByteSink)?
            var pieces: FrequencyRowPieces?
            var next: [FrequencyTable.Row] = []
        }
        let writers = Writers()
        var tables: [FinishedFrequencies.Table] = []
        swap(&tables, &frequencies.tables)
        if let json {
            writers.json = JSONWriter.streaming(to: json)
            writers.json?.openFrequencies(
                study: frequencies.study, keyness: frequencies.keyness, schemaVersion: Outputs.schemaVersion)
        }
        if let csv {
            writers.csvSink = csv
            writers.csv = Array("grouping,ngram,term,group,count,rate,participants,documents\n".utf8)
            writers.csv.reserveCapacity(1 << 20 + 4096)
        }
        var shown: [FrequenciesFile.Table] = []
        for position in tables.indices {
            let (grouping, ngram) = (tables[position].grouping, tables[position].ngram)
            guard let groups = tables[position].table?.groups else { continue }
            writers.json?.openFrequencyTable(grouping: grouping, ngram: ngram, groups: groups)
            var csvPrefix: [UInt8] = []
            appendCSVField(grouping, to: &csvPrefix)
            csvPrefix.append(0x2C)
            csvPrefix.append(contentsOf: String(ngram).utf8)
            csvPrefix.append(0x2C)
            let prefix = csvPrefix
            var top: [FrequencyTable.Row] = []
            var (shownGroup, shownRows) = ("", 0)
            // Moved, so that the pieces hold the table's only copy and let each group go.
            writers.pieces = FrequencyRowPieces(table: tables[position].table, rowsAtATime: rowsAtATime)
            tables[position].table = nil
            var piece = writers.pieces?.next(concurrently: true) ?? []
            while !piece.isEmpty {
                let current = piece
                inParallel(3) { task in
                    switch task {
                    case 0:
                        writers.json?.records(of: current)
                    case 1:
                        guard let csv = writers.csvSink else { return }
                        appendFrequencyRows(current, prefix: prefix, to: &writers.csv) { bytes in
                            csv.append(bytes)
                            bytes.removeAll(keepingCapacity: true)
                        }
                    default:
                        writers.next = writers.pieces?.next(concurrently: false) ?? []
                    }
                }
                // The rows come group by group: each group's first few are what the report shows.
                for row in current {
                    if row.group != shownGroup { (shownGroup, shownRows) = (row.group, 0) }
                    if shownRows < HTMLReport.topTermsShown {
                        top.append(row)
                        shownRows += 1
                    }
                }
                piece = writers.next
                writers.next = []
            }
            writers.pieces = nil
            writers.json?.closeFrequencyTable()
            shown.append(.init(grouping: grouping, ngram: ngram, groups: groups, rows: top))
        }
        if writers.json != nil {
            writers.json?.closeFrequencies()
            writers.json?.finish()
            if writers.json?.invalid == true {
                throw EncodingError.invalidValue(
                    frequencies.study,
                    .init(codingPath: [], debugDescription: "a frequency that is not a finite number"))
            }
        }
        if let csv { csv.append(writers.csv) }
        let comparisons = frequencies.keyness.map { comparison in
            var shown = comparison
            shown.keyness = HTMLReport.shownRows(of: comparison.keyness)
            return shown
        }
        return FrequenciesFile(study: frequencies.study, tables: shown, keyness: comparisons)
    }

    /// `rows` as CSV lines, `term,group,count,rate,participants,documents` after `prefix`
    /// (frequencies.csv's `grouping,ngram,`, or nothing for `tmine freq --csv`), handed to
    /// `spill` a megabyte at a time (which empties `csv`). By hand, as frequencies.csv's
    /// writer: CSV.swift's writer took 51 s for `tmine freq --csv` of 2,000 participants' rows.
    public static func appendFrequencyRows(
        _ rows: [FrequencyTable.Row], prefix: [UInt8], to csv: inout [UInt8], spill: (inout [UInt8]) throws -> Void
    ) rethrows {
        // The prefix borrowed once: appending the array itself retained and released it each row.
        try prefix.withUnsafeBufferPointer { prefix in
            try appendFrequencyRows(rows, prefix: prefix, to: &csv, spill: spill)
        }
    }

    /// Keyness rows as CSV lines: term, the two counts and rates (per 1,000 words), G², its
    /// p-value (every digit: a small one is no 0.0000) and the log ratio (`tmine freq --keyness --csv`).
    public static func appendKeynessRows(_ rows: [Keyness.Row], to csv: inout [UInt8]) {
        for row in rows {
            appendCSVField(row.term, to: &csv)
            for count in [row.targetCount, row.referenceCount] {
                csv.append(0x2C)
                FixedPoint.append(count, to: &csv)
            }
            for value in [row.targetRate, row.referenceRate, row.logLikelihood] {
                csv.append(0x2C)
                FixedPoint.append(value, digits: 4, to: &csv)
            }
            csv.append(0x2C)
            csv.append(contentsOf: row.pValue.description.utf8)
            csv.append(0x2C)
            FixedPoint.append(row.logRatio, digits: 4, to: &csv)
            csv.append(0x0A)
        }
    }

    private static func appendFrequencyRows(
        _ rows: [FrequencyTable.Row], prefix: UnsafeBufferPointer<UInt8>, to csv: inout [UInt8],
        spill: (inout [UInt8]) throws -> Void
    ) rethrows {
        for row in rows {
            csv.append(contentsOf: prefix)
            appendCSVField(row.term, to: &csv)
            csv.append(0x2C)
            appendCSVField(row.group, to: &csv)
            csv.append(0x2C)
            FixedPoint.append(row.count, to: &csv)
            csv.append(0x2C)
            FixedPoint.append(row.rate, digits: 4, to: &csv)
            csv.append(0x2C)
            FixedPoint.append(row.participants, to: &csv)
            csv.append(0x2C)
            FixedPoint.append(row.documents, to: &csv)
            csv.append(0x0A)
            if csv.count >= 1 << 20 { try spill(&csv) }
        }
    }
}
