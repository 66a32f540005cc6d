import Coding
import Corpus
import Foundation
import TextAnalysis

/// `report.html`: the study at a glance, in one self-contained file (inline CSS and SVG, no
/// scripts, opens offline): corpus overview, words per participant and group, top terms per
/// group, keyness, each keyword-in-context query's hits, the code × participant matrix (× group
/// in a large study), example passages per code, review progress. Unchecked Sendable: read-only once made; the one reference it holds,
/// the previous suggestions.json's handle in the tally's examples, is read at offsets (`pread`),
/// so the passages can be made on another thread while the rest is rendered.
struct HTMLReport: @unchecked Sendable {
    var study: String
    var report: RunReport
    var wordsByParticipant: [(String, Int)]
    var frequencies: Outputs.FrequenciesFile?
    /// The sections made of the frequencies, as an earlier run rendered them: a lexicon edit
    /// or a decision changes none of them, and needs no frequency table in memory.
    var frequencySections: FrequencySections?
    /// The suggestions, tallied as they were written.
    var tally: Tally?
    var lexicon: Lexicon?
    var participants: ParticipantTable
    /// The frequency stage's groupings: a study of more than ``participantColumns`` participants
    /// gets its code matrix by the attribute groupings among them.
    var groupings: [Grouping] = []
    /// Whether the frequencies left stopwords out (a pipeline may keep them: `stopwords: keep`).
    var stopwordsLeftOut = true
    /// The frequencies' minimum count: a small group lists fewer terms, said why.
    var minimumCount = 1

    /// A code matrix with a column per participant reads up to about this many (34 px each); a
    /// study of thousands made a report of megabytes that no one could read, redrawn after every
    /// lexicon edit.
    static let participantColumns = 100

    /// The page quotes transcripts: it loads nothing and runs nothing, and the browser is told
    /// so, should text ever get past the escaping (its own stylesheet and inline charts only).
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

    /// The whole page.
    func render() -> String {
        var page = ""
        render { page += $0 }
        return page
    }

    /// The page a section at a time, so a large study's report (a matrix of thousands of
    /// participants) goes to its file without the page ever being whole in memory.
    func render(_ emit: (String) -> Void) {
        // The example passages read lines of the previous suggestions.json: made on the other
        // core while the sections before them are (at the end of a lexicon edit, the page is the
        // last thing it waits for, and the passages were half of it).
        let passages = tally.flatMap { tally in tally.isEmpty ? nil : Deferred { [self] in self.passages(tally) } }
        emit(
            """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="\(Self.contentSecurityPolicy)">
            <meta name="referrer" content="no-referrer">
            <title>\(XML.escape(study)) — TranscriptMiner report</title>
            <style>\(Self.css)</style></head>
            <body>

            """)
        emit("<h1>\(XML.escape(study))</h1>\n")
        emit(
            "<p class=\"lead\">\(report.corpus.documents.counted("transcript")), "
                + "\(report.corpus.participants.counted("participant")), \(report.corpus.turns.counted("speaker turn")), "
                + "\(report.corpus.participantTokens.counted("word")) spoken by participants"
                + (report.corpus.unattributedTokens.map { " (\($0) of them by speakers tied to no participant)" } ?? "")
                + (report.failures.isEmpty
                    ? "."
                    : "; \(report.failures.count.counted("file")) could not be read (see run-report.json).")
                + "</p>\n")
        let sections = frequencySections ?? renderFrequencySections()
        emit(section("Corpus", sections.overview))
        if let notes = report.transcriberNotes, notes.count > 0 {
            emit(section("Transcribers' notes", transcriberNotes(notes)))
        }
        if let terms = sections.topTerms { emit(section("Frequent terms by group", terms)) }
        if let keyness = sections.keyness { emit(section("Keyness", keyness)) }
        if let queries = report.kwic, !queries.isEmpty { emit(section("Keyword in context", kwic(queries))) }
        if let tally, !tally.isEmpty {
            emit(sectionOpening("Codes × participants"))
            matrix(tally, emit: emit)
            emit("</section>\n")
            let together = tally.turns.cooccurrence(
                codebook: lexicon?.codes.map(\.name) ?? [], keeping: Self.pairsShown)
            if together.pairs > 0 { emit(section("Codes together", codesTogether(together.table, of: together.pairs))) }
            emit(section("Review progress", progress(tally)))
            emit(section("Passages per code", passages?.value ?? self.passages(tally)))
        }
        emit("<footer><p>\(XML.escape(report.methods))</p></footer>\n")
        emit("</body></html>\n")
    }

    /// The parts of the page drawn from the frequencies and words per participant.
    struct FrequencySections: Sendable, Equatable {
        var overview: String
        var topTerms: String?
        var keyness: String?
        /// The words per participant they were drawn from (`""`: speakers of no participant),
        /// which rate the KWIC groups of a run that reads these rather than the tables.
        var words: [String: Int] = [:]
    }

    func renderFrequencySections() -> FrequencySections {
        FrequencySections(
            overview: overview(), topTerms: frequencies.map(topTerms),
            keyness: frequencies.flatMap { $0.keyness.isEmpty ? nil : keyness($0) })
    }

    func section(_ title: String, _ content: String) -> String {
        sectionOpening(title) + content + "</section>\n"
    }

    func sectionOpening(_ title: String) -> String {
        "<section><h2>\(XML.escape(title))</h2>\n"
    }

    func overview() -> String {
        var html = ""
        if wordsByParticipant.count > Self.participantColumns {
            html += Self.wordsSpread(wordsByParticipant)
        } else if !wordsByParticipant.isEmpty {
            html += SVGChart.barChart(
                title: "Words per participant", items: wordsByParticipant.map { ($0.0, Double($0.1)) },
                axisLabel: "words (tokens) in participant turns")
        }
        if let table = frequencies?.tables.first(where: {
            $0.ngram == 1 && $0.grouping != "participant" && $0.grouping != "corpus"
        }) {
            html += SVGChart.barChart(
                title: "Words per \(table.grouping)", items: table.groups.map { ($0.name, Double($0.words)) },
                axisLabel: "words", colour: SVGChart.palette[2])
            html +=
                "<table><tr><th>\(XML.escape(table.grouping))</th><th>participants</th><th>transcripts</th><th>words</th></tr>"
            for group in table.groups {
                html +=
                    "<tr><td>\(XML.escape(group.name))</td><td>\(group.participants)</td><td>\(group.documents)</td><td>\(group.words)</td></tr>"
            }
            html += "</table>\n"
        }
        // The words are counted by the frequencies stage: without one, the section said nothing.
        if html.isEmpty {
            html =
                "<p>Words per participant and per group are counted by a frequencies stage, which this pipeline "
                + "does not have.</p>\n"
        }
        return html
    }

    /// Words per participant in a study too large for a bar each: how many participants spoke
    /// how much, the quartiles, and the participants with the fewest words, where a transcript
    /// whose turns were not found (or a participant id misspelt) shows first.
    static func wordsSpread(_ wordsByParticipant: [(String, Int)]) -> String {
        let counts = wordsByParticipant.map(\.1).sorted()
        let bins = SVGChart.bins(counts)
        var html = SVGChart.barChart(
            title: "Participants by words spoken", items: bins.map { ($0.label, Double($0.count)) },
            axisLabel: "participants")
        // Interpolated between the two nearest counts, as R's `quantile` does by default (type 7).
        func quantile(_ fraction: Double) -> String {
            let position = Double(counts.count - 1) * fraction
            let below = Int(position.rounded(.down))
            let above = min(below + 1, counts.count - 1)
            let value = Double(counts[below]) + (position - Double(below)) * Double(counts[above] - counts[below])
            return value == value.rounded() ? String(Int(value)) : FixedPoint.string(value, digits: 1)
        }
        html +=
            "<p>\(counts.count) participants, too many for a bar each: median \(quantile(0.5)) words "
            + "(quartiles \(quantile(0.25))–\(quantile(0.75)), fewest \(counts[0]), most \(counts[counts.count - 1])).</p>\n"
        let fewest = wordsByParticipant.enumerated().sorted { ($0.element.1, $0.offset) < ($1.element.1, $1.offset) }
            .prefix(10)
        html += "<table><tr><th>fewest words</th><th>words</th></tr>"
        for (_, (participant, words)) in fewest {
            html += "<tr><td>\(XML.escape(participant))</td><td>\(words)</td></tr>"
        }
        return html + "</table>\n"
    }

    /// Terms charted for each group: all of a group's rows that the report and
    /// `.cache/frequencies.bin` keep.
    static let topTermsShown = 10

    /// Terms the target uses more, charted for each comparison of words.
    static let keynessTermsShown = 10

    /// `keyness` with the rows the report may show, up to the last of them, and none after:
    /// all that `.cache/frequencies.bin` keeps of it. Kept whole, a comparison of bigrams by
    /// split at 100 MB was three million rows in a buffer of the cache at the run's end.
    static func shownRows(of keyness: Keyness) -> Keyness {
        keyness.prefix(keyness.length(through: keynessTermsShown, where: isShown))
    }

    /// Whether a keyness row is one the report charts: a term the target uses more.
    static func isShown(_ row: Keyness.Row) -> Bool { row.logRatio > 0 }

    func topTerms(_ frequencies: Outputs.FrequenciesFile) -> String {
        guard
            let table = frequencies.tables.first(where: { $0.ngram == 1 && $0.grouping != "participant" })
                ?? frequencies.tables.first(where: { $0.ngram == 1 })
        else { return "<p>No word counts.</p>" }
        var html =
            "<p>Top terms of each \(XML.escape(table.grouping)) group, per 1,000 words "
            + (stopwordsLeftOut ? "(stopwords left out" : "(stopwords counted")
            + (minimumCount > 1 ? "; terms said at least \(minimumCount) times in a group)" : ")")
            + ".</p><div class=\"grid\">"
        for (index, group) in table.groups.enumerated() {
            let rows = table.rows.filter { $0.group == group.name }.prefix(Self.topTermsShown)
            html += SVGChart.barChart(
                title: "\(group.name) (\(group.participants.counted("participant")))",
                items: rows.map { ($0.term, $0.rate) },
                axisLabel: "per 1,000 words", colour: SVGChart.palette[index % 6], width: 460,
                empty: "no term said often enough to list (the frequencies' minimum count)")
        }
        return html + "</div>\n"
    }

    func keyness(_ frequencies: Outputs.FrequenciesFile) -> String {
        var html = ""
        for comparison in frequencies.keyness where comparison.ngram == 1 {
            let keyness = comparison.keyness
            let top = keyness.firstRows(Self.keynessTermsShown, where: Self.isShown)
            html +=
                "<h3>\(XML.escape(keyness.target)) against \(XML.escape(keyness.reference)) (\(XML.escape(comparison.grouping)))</h3>"
            html += SVGChart.barChart(
                title: "Terms \(keyness.target) uses more (G²)", items: top.map { ($0.term, $0.logLikelihood) },
                axisLabel: "log-likelihood G²", colour: SVGChart.palette[1],
                empty: "no term that \(keyness.target) uses more than "
                    + (keyness.reference == "rest" ? "the other groups do" : "\(keyness.reference) does"))
            guard !top.isEmpty else { continue }
            html +=
                "<table><tr><th>term</th><th>target</th><th>reference</th><th>G²</th><th>p</th><th>log ratio</th></tr>"
            for row in top {
                html +=
                    "<tr><td>\(XML.escape(row.term))</td><td>\(row.targetCount)</td><td>\(row.referenceCount)</td>"
                    + "<td>\(FixedPoint.string(row.logLikelihood, digits: 2))</td><td>\(FixedPoint.string(row.pValue, digits: 4))</td>"
                    + "<td>\(FixedPoint.string(row.logRatio, digits: 2))</td></tr>"
            }
            html += "</table>\n"
        }
        guard !html.isEmpty else { return "<p>No word keyness comparisons in the pipeline.</p>" }
        // Thousands of terms are compared: a reader taking p < 0.05 as a finding would find
        // about one term in twenty by chance alone.
        return html
            + "<p>p is each term's own, not corrected for the many terms compared: by chance alone about one "
            + "term in twenty reaches p &lt; 0.05. Read G² as an order in which to read terms in their context "
            + "(keyword in context), not as tests.</p>\n"
    }

    /// A suggestion the passages show, or its place in the previous suggestions.json (the
    /// `position`th line of a document's elements, in `range` of the file, read through a
    /// descriptor of the page's own: the merge closes its own when its copy is done, maybe
    /// before the page has read its examples).
    enum Example: Sendable {
        case decoded(Suggestion)
        case copied(FileHandle, Range<Int64>, position: Int)

        /// nil for a line that does not decode or cannot be read (the passage is left out).
        /// `lines`: what the page has read of the previous file (a document gives examples of
        /// many codes).
        func passage(reading lines: ExampleLines) -> Passage? {
            switch self {
            case .decoded(let suggestion): return Passage(suggestion)
            case .copied(let file, let range, let position):
                return lines.line(position, of: range, in: file.fileDescriptor).flatMap(Passage.init(line:))
            }
        }
    }

    /// The lines of the previous file's documents that the page's examples come from (each
    /// suggestion is a line of its own: strings never hold a line break). A document is read
    /// once, into a buffer kept for them all, and where its lines lie is noted: a later example
    /// from it reads its own line alone. Each document read into a buffer of its own (~50 of
    /// ~78 KB at 10 MB) was a fifth of rendering a lexicon edit's page, most of it the kernel
    /// handing over and filling new pages.
    final class ExampleLines {
        private var buffer: [UInt8] = []
        /// Per document (its range in the file), where its lines lie in the file: each without
        /// its indent and separating comma.
        private var lines: [Range<Int64>: [Range<Int64>]] = [:]

        /// Documents read so far.
        var documents: Int { lines.count }

        /// The `position`th line of the document in `range` of the file open as `descriptor`;
        /// nil when it has fewer lines or cannot be read.
        func line(_ position: Int, of range: Range<Int64>, in descriptor: Int32) -> Data? {
            if let known = lines[range] {
                guard known.indices.contains(position) else { return nil }
                return AtomicFile.read(descriptor, range: known[position]).map { Data($0) }
            }
            guard range.lowerBound >= 0, range.count <= Int.max else { return nil }
            let count = Int(range.count)
            if buffer.count < count {
                // Not zeroed first (a sixth of reading the examples): the document is read over
                // it whole, and nothing of it is looked at when that read falls short.
                buffer = [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
            }
            let found: [Range<Int>]? = buffer.withUnsafeMutableBytes { bytes in
                let document = UnsafeMutableRawBufferPointer(rebasing: bytes[..<count])
                guard AtomicFile.read(descriptor, at: range.lowerBound, into: document) == count else { return nil }
                return Self.records(UnsafeBufferPointer(document.bindMemory(to: UInt8.self)))
            }
            guard let found else { return nil }
            lines[range] = found.map {
                range.lowerBound + Int64($0.lowerBound)..<range.lowerBound + Int64($0.upperBound)
            }
            guard found.indices.contains(position) else { return nil }
            return Data(buffer[found[position]])
        }

        /// Where the lines of a document's elements lie, each without its indent and separating
        /// comma; empty lines left out.
        private static func records(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
            bytes.lineRanges.compactMap { line in
                var (start, end) = (line.lowerBound, line.upperBound)
                while start < end, bytes[start] == 0x20 { start += 1 }
                if start < end, bytes[end - 1] == 0x2C { end -= 1 }
                return start < end ? start..<end : nil
            }
        }
    }

    /// What a passage shows of a suggestion: who said it where, and its context with the first
    /// evidence marked. Read from a line of suggestions.json alone, the rest skipped: the whole
    /// suggestion (its turn's text, attributes, ranges) was most of rendering a lexicon edit's
    /// report, whose examples come from the previous file.
    struct Passage: Sendable, Equatable, JSONReadable {
        var who: String
        var documentID: String
        var context: String
        var evidence: String?

        /// One line of suggestions.json; nil when it does not decode.
        init?(line: Data) {
            let read = line.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [Passage]? in
                var reader = JSONReader(raw.bindMemory(to: UInt8.self))
                return try? reader.list(Passage.self)
            }
            if let read, read.count == 1 {
                self = read[0]
                return
            }
            // Not as this tool writes it: whatever the whole suggestion's decoding takes.
            guard let whole = ElementRuns.elements(Suggestion.self, in: line, 0..<line.count), whole.count == 1
            else { return nil }
            self.init(whole[0])
        }

        init(_ suggestion: Suggestion) {
            who = suggestion.participantID ?? suggestion.speaker
            documentID = suggestion.documentID
            context = suggestion.context
            evidence = suggestion.evidence.first?.text
        }

        init(reading reader: inout JSONReader) throws(JSONReader.Failure) {
            var participantID: String?
            var speaker: String?
            var documentID: String?
            var context: String?
            var evidence: String?
            try reader.object { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
                switch key {
                case "participantID": participantID = try reader.optionalString()
                case "speaker": speaker = try reader.string()
                case "documentID": documentID = try reader.string()
                case "context": context = try reader.string()
                case "evidence":
                    try reader.array { (reader: inout JSONReader) throws(JSONReader.Failure) in
                        guard evidence == nil else { return try reader.skipValue() }
                        try reader.object { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
                            if key == "text" { evidence = try reader.string() } else { try reader.skipValue() }
                        }
                    }
                default: try reader.skipValue()
                }
            }
            if let participantID { who = participantID } else { who = try reader.required(speaker, "speaker") }
            self.documentID = try reader.required(documentID, "documentID")
            self.context = try reader.required(context, "context")
            self.evidence = evidence
        }
    }

    /// What the matrix, the progress table and the passages show, counted suggestion by
    /// suggestion as they are written (a pass per code and participant was quadratic in a large
    /// study, and a run does not hold every suggestion at once).
    struct Tally {
        /// One code's counts: by status, and of those not rejected by participant number.
        private struct Code {
            var byStatus = [Int](repeating: 0, count: SuggestionStatus.allCases.count)
            var kept: [Int] = []
        }

        /// Codes and participants by number, so that counting hashes no name (a lexicon edit of
        /// a large study counts a hundred thousand groups of suggestions it copies).
        private var numbers: [String: Int] = [:]
        private var codes: [Code] = []
        private var participantNumbers: [String?: Int] = [:]
        private var participantIDs: [String?] = []
        /// Up to ``examplesPerCode`` suggestions not rejected per code, in order.
        private(set) var examples: [String: [Example]] = [:]
        var manual: [String: Int] = [:]

        mutating func add(_ suggestion: Suggestion) {
            withUnsafePointer(to: suggestion) { add(UnsafeBufferPointer(start: $0, count: 1), at: 0) }
        }

        /// ``add(_:)`` of the suggestion at `position`, read in place: passed whole, each
        /// suggestion was copied (a retain and a release of every string it holds) to be counted.
        mutating func add(_ suggestions: UnsafeBufferPointer<Suggestion>, at position: Int) {
            let status = suggestions[position].status
            count(
                code: suggestions[position].code, status: status, participantID: suggestions[position].participantID,
                times: 1)
            if status != .rejected, examplesWanted(code: suggestions[position].code) > 0 {
                add(example: suggestions[position])
            }
        }

        /// Counts `times` suggestions of one code, status and participant.
        mutating func count(code: String, status: SuggestionStatus, participantID: String?, times: Int) {
            count(
                code: number(ofCode: code), status: status, participant: number(ofParticipant: participantID),
                times: times)
        }

        /// ``count(code:status:participantID:times:)`` with numbers from ``number(ofCode:)`` and
        /// ``number(ofParticipant:)``.
        mutating func count(code: Int, status: SuggestionStatus, participant: Int, times: Int) {
            codes[code].byStatus[Self.position(of: status)] += times
            guard status != .rejected else { return }
            if codes[code].kept.count <= participant {
                // Grown by half at least: grown to fit each participant as they came, a study
                // with a participant per document grew every code's counts two thousand times.
                let size = max(participantIDs.count, codes[code].kept.count * 3 / 2)
                codes[code].kept += repeatElement(0, count: size - codes[code].kept.count)
            }
            codes[code].kept[participant] += times
        }

        mutating func number(ofCode code: String) -> Int {
            if let known = numbers[code] { return known }
            numbers[code] = codes.count
            codes.append(Code())
            return codes.count - 1
        }

        mutating func number(ofParticipant id: String?) -> Int {
            // A document's suggestions are mostly one participant's: the last is compared before
            // the name is hashed.
            if let last = lastParticipant, last.id == id { return last.number }
            let number = participantNumbers[id] ?? participantIDs.count
            if number == participantIDs.count {
                participantNumbers[id] = number
                participantIDs.append(id)
            }
            lastParticipant = (id, number)
            return number
        }

        private var lastParticipant: (id: String?, number: Int)?

        /// The statuses by ``position(of:)``.
        static let statuses = SuggestionStatus.allCases

        /// A status's position in `SuggestionStatus.allCases`.
        static func position(of status: SuggestionStatus) -> Int {
            switch status {
            case .pending: 0
            case .accepted: 1
            case .rejected: 2
            case .recoded: 3
            case .conflict: 4
            }
        }

        /// Whether no suggestion was counted.
        var isEmpty: Bool { codes.isEmpty }

        /// The participants with a suggestion not rejected (marked by number first: inserting
        /// each code's participants into the set hashed every name once per code).
        var participants: Set<String> {
            var kept = [Bool](repeating: false, count: participantIDs.count)
            for code in codes {
                for (number, count) in code.kept.enumerated() where count > 0 { kept[number] = true }
            }
            return Set(participantIDs.indices.compactMap { kept[$0] ? participantIDs[$0] : nil })
        }

        /// A code's suggestions of every status.
        func total(code: String) -> Int { numbers[code].map { codes[$0].byStatus.reduce(0, +) } ?? 0 }

        func count(code: String, status: SuggestionStatus) -> Int {
            numbers[code].map { codes[$0].byStatus[Self.position(of: status)] } ?? 0
        }

        /// Suggestions not rejected: a row for each of `names` that has any (in that order), a
        /// column for each of `people`, read straight from the counts by number.
        func kept(codes names: [String], people: [String]) -> (codes: [String], values: [[Int]]) {
            let columns = people.map { participantNumbers[$0] }
            var rows: [String] = []
            var values: [[Int]] = []
            for name in names {
                guard let number = numbers[name], codes[number].kept.contains(where: { $0 > 0 }) else { continue }
                let kept = codes[number].kept
                rows.append(name)
                values.append(columns.map { column in column.map { $0 < kept.count ? kept[$0] : 0 } ?? 0 })
            }
            return (rows, values)
        }

        /// How many more of a code's suggestions not rejected the report shows as examples.
        func examplesWanted(code: String) -> Int {
            max(0, Self.examplesPerCode - (examples[code]?.count ?? 0))
        }

        /// How many passages the page quotes of each code.
        static let examplesPerCode = 3

        mutating func add(example suggestion: Suggestion) {
            examples[suggestion.code, default: []].append(.decoded(suggestion))
        }

        /// An example of `code` as the previous suggestions.json holds it, read and decoded when
        /// the page is rendered: a lexicon edit copies most documents' suggestions, and reading
        /// and decoding their examples took ~2 ms of the merge, which every document waits for,
        /// at 10 MB of transcripts; the page is rendered while the copy is finishing.
        mutating func add(example: Example, code: String) {
            examples[code, default: []].append(example)
        }

        /// Every coder's manual codings: what the lexicon missed, for recall.
        mutating func add(manualCodings: [ManualCoding]) {
            for coding in manualCodings { manual[coding.code, default: 0] += 1 }
        }

        /// The turns by the codes suggested there, for "Codes together".
        var turns = TurnTally()
    }

    /// Suggestions not rejected, per code and participant: the framework matrix.
    func matrix(_ tally: Tally, emit: (String) -> Void) {
        Self.matrix(
            tally, codes: lexicon?.codes.map(\.name) ?? [], participants: participants, groupings: groupings, emit: emit
        )
    }

    static func matrix(
        _ tally: Tally, codes names: [String], participants: ParticipantTable, groupings: [Grouping],
        emit: (String) -> Void
    ) {
        let people = participants.participants.map(\.id).filter(tally.participants.contains)
        let (codes, values) = tally.kept(codes: names, people: people)
        let attributeGroupings = groupings.filter { if case .attributes = $0 { true } else { false } }
        guard people.count > participantColumns else {
            emit("<p>Turns per code and participant (suggestions not rejected by a coder).</p>")
            SVGChart.heatMap(title: "Code × participant", rows: codes, columns: people, values: values, emit: emit)
            emit("\n")
            return
        }
        guard !attributeGroupings.isEmpty else {
            // No attribute to group by: the participants with the most such turns.
            let totals = people.indices.map { column in values.reduce(0) { $0 + $1[column] } }
            let shown = people.indices.sorted { (totals[$1], $0) < (totals[$0], $1) }.prefix(participantColumns)
                .sorted()
            emit(
                "<p>Turns per code and participant (suggestions not rejected by a coder): the "
                    + "\(shown.count) of \(people.count) participants with the most; group the frequencies by an "
                    + "attribute to see every participant by group.</p>")
            SVGChart.heatMap(
                title: "Code × participant", rows: codes, columns: shown.map { people[$0] },
                values: values.map { row in shown.map { row[$0] } }, emit: emit)
            emit("\n")
            return
        }
        let byID = Dictionary(participants.participants.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for grouping in attributeGroupings {
            let groupOf = people.map { grouping.group(participantID: $0, participant: byID[$0], documentID: "") }
            let columns = Set(groupOf).sorted(by: participants.groupOrder(of: grouping.attributeNames))
            let position = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
            let columnOf = groupOf.map { position[$0] ?? 0 }
            let summed = values.map { row in
                var sums = Array(repeating: 0, count: columns.count)
                for (person, value) in row.enumerated() { sums[columnOf[person]] += value }
                return sums
            }
            emit(
                "<p>Turns per code and \(XML.escape(grouping.description)) (suggestions not rejected by a coder): "
                    + "\(people.count) participants, too many for a column each, taken together by "
                    + "\(XML.escape(grouping.description)).</p>")
            SVGChart.heatMap(
                title: "Code × \(grouping.description)", rows: codes, columns: columns, values: summed, emit: emit)
            emit("\n")
        }
    }

    /// Each query's hits and transcripts, and its hits and participants by group of each single
    /// attribute the frequencies are grouped by; a query found nowhere shows as such, not as a gap.
    func kwic(_ queries: [RunReport.QueryHits]) -> String {
        let attributes = groupings.compactMap { grouping -> String? in
            guard case .attributes(let names) = grouping, names.count == 1 else { return nil }
            return names[0]
        }
        .filter { attribute in queries.contains { $0.groups.contains { $0.attribute == attribute } } }
        // How many participants of the table are in each group, to read a group's speakers against.
        var members: [String: [String: Int]] = [:]
        for attribute in attributes {
            let grouping = Grouping.attributes([attribute])
            for participant in participants.participants {
                members[attribute, default: [:]][
                    grouping.group(participantID: participant.id, participant: participant, documentID: ""), default: 0
                ] += 1
            }
        }
        var html =
            "<table><tr><th>query</th><th>hits</th><th>transcripts</th>"
            + joined(attributes.map { "<th>by \(XML.escape($0))</th>" }, separator: "") + "</tr>"
        for query in queries {
            html +=
                "<tr><td>\(XML.escape(query.query))</td><td>\(query.hits == 0 ? "none" : String(query.hits))</td>"
                + "<td>\(query.documents)</td>"
            for attribute in attributes {
                // A query found nowhere shows no group, not each group's nought.
                let groups = query.groups.filter { $0.attribute == attribute && query.hits > 0 }.map { group in
                    // No-break spaces inside "(4 of 5)" and "4.56 per 1,000": a narrow column broke
                    // them ("4.56 per" above "1,000"), where it may break between them.
                    let of = members[attribute]?[group.value].flatMap {
                        $0 >= group.participants ? "\u{A0}of\u{A0}\($0)" : nil
                    }
                    let rate = group.rate.map { ", " + FixedPoint.string($0, digits: 2) + "\u{A0}per\u{A0}1,000" } ?? ""
                    return "\(XML.escape(group.value)): \(group.hits) (\(group.participants)\(of ?? ""))\(rate)"
                }
                html += "<td>" + (groups.isEmpty ? "–" : joined(groups, separator: "<br>")) + "</td>"
            }
            html += "</tr>"
        }
        let rated = queries.contains { $0.groups.contains { $0.rate != nil } }
        return html
            + "</table>\n<p>By group: hits, and in brackets the participants who spoke them of the group's "
            + "participants in the participants file"
            + (rated ? "; then hits per 1,000 of the words the group spoke, as the frequencies count them" : "")
            + ". Every hit, with its context, speaker and attributes, is in kwic.json.</p>\n"
    }

    /// The kinds of note left out of the words, most frequent first: how much was inaudible,
    /// redacted or laughed, and a check that no speech was taken for a note.
    func transcriberNotes(_ notes: RunReport.TranscriberNotes) -> String {
        var html =
            "<p>\(notes.count.counted("note")) of \(notes.kinds.counted("kind")) "
            + "in \(notes.documents) of \(report.corpus.documents) transcripts, left out of the words "
            + "(not counted, not KWIC hits, matching no code).</p>\n"
            + "<table><tr><th>note</th><th>count</th><th>transcripts</th><th>first written as</th></tr>"
        for row in notes.top {
            html +=
                "<tr><td>\(XML.escape(row.note))</td><td>\(row.count)</td><td>\(row.documents)</td>"
                + "<td>\(XML.escape(row.example))</td></tr>"
        }
        html += "</table>\n"
        if notes.kinds > notes.top.count {
            html +=
                "<p>The \(notes.top.count) most frequent kinds of \(notes.kinds); <code>tmine notes</code> lists them all.</p>\n"
        }
        return html
    }

    /// How many pairs of codes "Codes together" lists.
    static let pairsShown = 20

    /// The pairs of codes suggested in the most turns, with the c-coefficient and each code's
    /// share: where themes meet, to read in the passages (`tmine cooccurrence` lists them all).
    func codesTogether(_ table: CodeCooccurrence, of pairs: Int) -> String {
        let units = table.unitsByCode
        let shown = table.pairs
        var html =
            "<p>Codes suggested in the same turn (suggestions not rejected by a coder): "
            + "\(table.unitsWithSeveralCodes) of \(table.codedUnits.counted("turn")) with a code "
            + "\(table.unitsWithSeveralCodes == 1 ? "has" : "have") two or more. "
            + (shown.count < pairs
                ? "The \(shown.count) of \(pairs) pairs in the most turns; "
                : "")
            + "c is the turns with both codes over those with either (0 to 1); "
            + "<code>tmine cooccurrence</code> lists every pair and its turns, and reads the coders' codings.</p>\n"
            + "<table><tr><th>codes</th><th>turns</th><th>c</th><th>of the first's turns</th>"
            + "<th>of the second's</th></tr>"
        for pair in shown {
            let shares = CodeCooccurrence.sides(of: pair, units: units).map {
                "\(pair.units) of \($0.units) (\($0.percent) %)"
            }
            html +=
                "<tr><td>\(XML.escape(pair.codes[0])) × \(XML.escape(pair.codes[1]))</td><td>\(pair.units)</td>"
                + "<td>\(FixedPoint.string(pair.c, digits: 2))</td><td>\(shares[0])</td><td>\(shares[1])</td></tr>"
        }
        return html + "</table>\n"
    }

    func progress(_ tally: Tally) -> String {
        var html =
            "<table><tr><th>code</th><th>suggested</th><th>accepted</th><th>rejected</th><th>recoded</th>"
            + "<th>pending</th><th>conflict</th><th>precision</th><th>manual</th><th>recall</th></tr>"
        var unmatched: [String] = []
        var conflicts = 0
        for code in lexicon?.codes ?? [] {
            let suggested = tally.total(code: code.name)
            let manual = tally.manual[code.name] ?? 0
            guard suggested > 0 || manual > 0 else {
                // A theme's heading (a code without patterns) suggests nothing by design.
                if !code.patterns.isEmpty { unmatched.append(code.name) }
                continue
            }
            let count = { (status: SuggestionStatus) in tally.count(code: code.name, status: status) }
            let judged = count(.accepted) + count(.rejected) + count(.recoded)
            let precision = judged == 0 ? "–" : FixedPoint.string(Double(count(.accepted)) / Double(judged), digits: 2)
            let recall =
                manual == 0
                ? "–" : FixedPoint.string(Double(count(.accepted)) / Double(count(.accepted) + manual), digits: 2)
            conflicts += count(.conflict)
            html +=
                "<tr><td>\(XML.escape(code.name))</td><td>\(suggested)</td><td>\(count(.accepted))</td>"
                + "<td>\(count(.rejected))</td><td>\(count(.recoded))</td><td>\(count(.pending))</td>"
                + "<td>\(count(.conflict))</td><td>\(precision)</td><td>\(manual)</td><td>\(recall)</td></tr>"
        }
        html += "</table>\n"
        // Without the column, a suggestion two coders decided differently was in no column of its row.
        if conflicts > 0 {
            html +=
                "<p>Conflict: coders decided a suggestion differently (\(conflicts.counted("suggestion"))); "
                + "<code>tmine agreement</code> compares the coders, and the review page lists them by status.</p>\n"
        }
        // A code whose patterns match nothing would otherwise be missing from the page unseen.
        if !unmatched.isEmpty {
            html +=
                "<p>No suggestion for \(unmatched.count.counted("code")): "
                + unmatched.map(XML.escape).joined(separator: ", ")
                + " (<code>tmine lexicon report</code> shows what each pattern matches).</p>\n"
        }
        return html
    }

    func passages(_ tally: Tally) -> String {
        var html = ""
        let lines = ExampleLines()
        for code in lexicon?.codes ?? [] {
            let passages = tally.examples[code.name]?.compactMap { $0.passage(reading: lines) } ?? []
            guard !passages.isEmpty else { continue }
            if html.isEmpty {
                // Said: a code of 40 suggestions showed three, as if those were all.
                html +=
                    "<p>The first \(Tally.examplesPerCode) passages of each code, in document order "
                    + "(suggestions not rejected by a coder); every one is in suggestions.json.</p>\n"
            }
            html += "<h3>\(XML.escape(code.name))</h3><ul class=\"kwic\">"
            for passage in passages {
                html +=
                    "<li><span class=\"who\">\(XML.escape(passage.who)), "
                    + "\(XML.escape(passage.documentID))</span> \(highlighted(passage))</li>"
            }
            html += "</ul>\n"
        }
        return html
    }

    /// The suggestion's context with its first evidence marked, escaped. The evidence is found
    /// by its bytes (`memmem`): both are the turn's own text. Foundation's `range(of:)` was a
    /// fifth of the page's passages.
    func highlighted(_ passage: Passage) -> String {
        var context = passage.context
        guard var evidence = passage.evidence else { return XML.escape(context) }
        let marked = evidence
        return context.withUTF8 { text in
            let found = evidence.withUTF8 {
                UnsafeRawBufferPointer(text).firstOffset(of: UnsafeRawBufferPointer($0), from: 0)
            }
            guard let found else { return XML.escape(String(decoding: text, as: UTF8.self)) }
            return XML.escape(String(decoding: text[..<found], as: UTF8.self)) + "<mark>" + XML.escape(marked)
                + "</mark>" + XML.escape(String(decoding: text[(found + marked.utf8.count)...], as: UTF8.self))
        }
    }

    static let css = """
        body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#1b1b1b}
        h1{margin-bottom:.2em}.lead{font-size:1.1em;color:#333}section{margin:2em 0}
        table{border-collapse:collapse;margin:.8em 0}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}
        th{background:#f0f4f8}.grid{display:flex;flex-wrap:wrap;gap:1em}
        .chart text{font-size:12px;fill:#1b1b1b}.chart .chart-title{font-size:14px;font-weight:600}
        .chart .grid{stroke:#ddd}.chart .tick{fill:#555;font-size:11px}.chart .axis-label{fill:#333;font-size:12px}
        .chart .cell{stroke:#ccc}.chart .light{fill:#fff}.kwic li{margin:.3em 0}.kwic .who{color:#555;font-size:.9em}
        mark{background:#ffe08a}footer{margin-top:3em;color:#444;font-size:.9em;border-top:1px solid #ddd}
        """
}

/// The report's frequency sections as last rendered, in `.cache/report-frequencies.bin` under the
/// key of frequencies.json (and the build, which renders them).
extension HTMLReport.FrequencySections: BinaryCodable {
    private static let tag = "tmine-report-frequencies-\(BinaryWriter.formatVersion)"

    private static func path(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/report-frequencies.bin")
    }

    /// Checked by its checksum: a damaged byte would decode as text and show in the page.
    static func load(from out: String, key: String) -> Self? {
        CacheFile.read(Self.self, at: path(in: out), tag: tag, key: key)
    }

    func save(in out: String, key: String) {
        CacheFile.write(
            at: Self.path(in: out), tag: Self.tag, key: key,
            capacity: overview.utf8.count + (topTerms?.utf8.count ?? 0) + words.count * 24 + 4096
        ) { $0.write(self) }
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(overview)
        writer.write(topTerms)
        writer.write(keyness)
        writer.write(words)
    }

    init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(
            overview: try reader.read(), topTerms: try reader.read(), keyness: try reader.read(),
            words: try reader.read())
    }
}
