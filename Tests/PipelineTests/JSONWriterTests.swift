import Corpus
import Foundation
import Ingest
import Testing

@testable import Coding
@testable import Pipeline
@testable import TextAnalysis

/// The hand-written writer must give exactly `JSONEncoder`'s bytes, laid out one record per line
/// (see `laidOut`): readers of the outputs, the schemas and every byte-identity test rely on one
/// format.
@Suite struct JSONWriterTests {
    /// Text that exercises escaping: quotes, backslashes, control characters, slashes, markup,
    /// non-ASCII and astral characters.
    static let awkward = "She said \"no\" \\ then\ttabbed,\nnew line, \u{01}\u{1F} </script> é 👍🏽 \u{2028} end/"

    @Test func kwicAndSuggestionsOfTheSampleStudyMatchJSONEncoderByteForByte() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.runWithDecisionsOnTheFirstSuggestion(note: Self.awkward)
        let kwic = try JSONDecoder().decode(Outputs.KWICFile.self, from: try workspace.output("kwic.json"))
        #expect(kwic.lines.count > 10)
        // The reference itself: without records, it is `JSONEncoder`'s pretty-printing.
        #expect(try laidOut(kwic, records: []) == (try Outputs.json(kwic)))
        #expect(Outputs.kwicJSON(kwic) == (try laidOut(kwic)))
        // The run streamed both files document by document: still JSONEncoder's bytes.
        #expect(try workspace.output("kwic.json") == (try laidOut(kwic)))
        let suggestions = try JSONDecoder().decode(
            Outputs.SuggestionsFile.self, from: try workspace.output("suggestions.json"))
        #expect(suggestions.suggestions.contains { $0.decisions.count == 2 })
        #expect(try Outputs.suggestionsJSON(suggestions) == (try laidOut(suggestions)))
        #expect(try workspace.output("suggestions.json") == (try laidOut(suggestions)))
        let frequencies = try JSONDecoder().decode(
            Outputs.FrequenciesFile.self, from: try workspace.output("frequencies.json"))
        #expect(frequencies.tables.count > 3 && !frequencies.keyness.isEmpty)
        #expect(try Outputs.frequenciesJSON(frequencies) == (try laidOut(frequencies)))
        #expect(try workspace.output("frequencies.json") == (try laidOut(frequencies)))
        let corpus = try JSONDecoder().decode(Outputs.CorpusFile.self, from: try workspace.output("corpus.json"))
        #expect(try workspace.output("corpus.json") == (try laidOut(corpus)))

        // Thousands of elements, in memory and spliced from the spool the run writes: still
        // JSONEncoder's bytes.
        var many = suggestions
        many.suggestions = Array(
            Array(repeating: suggestions.suggestions, count: 4200 / suggestions.suggestions.count + 1).joined()
                .prefix(4 * 512 + 100))
        var lines = kwic
        lines.lines = Array(
            Array(repeating: kwic.lines, count: 3000 / kwic.lines.count + 1).joined().prefix(2 * 512 + 7))
        let expected = try laidOut(many)
        #expect(try Outputs.suggestionsJSON(many) == expected)
        #expect(Outputs.kwicJSON(lines) == (try laidOut(lines)))
        let path = workspace.root.appendingPathComponent("streamed.json").path
        var elements = try Outputs.SuggestionElements(path: path, guess: many, orphans: nil)
        elements.append(rendered: Outputs.SuggestionElements.render(many.suggestions))
        let (sink, start, _) = try elements.finish(many)
        try sink.commit()
        #expect(expected.count > 2 << 20)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == expected)
        #expect(start == elements.reserved && start > 100)

        // Written element by element over many calls (lines and suggestions straight to the
        // file, the suggestions after room left for the fields before them), with thousands or
        // none, and with that room guessed right or wrong (an orphaned decision more or less).
        for (kwicFile, suggestionsFile) in [(lines, many), (kwic, suggestions)] {
            for empty in [false, true] {
                var wanted = kwicFile
                if empty { wanted.lines = [] }
                let kwicSink = try AtomicFile.Writer(path: path, durable: false)
                var stream = Outputs.KWICStream(to: kwicSink)
                for line in wanted.lines { stream.append(line, attributes: line.attributes) }
                stream.finish(wanted)
                try kwicSink.commit()
                #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try laidOut(wanted)))

                var wantedSuggestions = suggestionsFile
                if empty { wantedSuggestions.suggestions = [] }
                wantedSuggestions.orphanedDecisions.append(
                    DecisionMerger.Orphan(
                        coder: "alice", suggestionID: "0123456789abcdef", status: .accepted, code: "Hype",
                        documentID: "interview-02", segmentIndex: 4, suggestedCode: "Hype", evidence: ["hype"]))
                var other = wantedSuggestions
                other.orphanedDecisions.removeLast()
                for guess in [wantedSuggestions, other] {
                    // A document's worth at a time, as the run appends them.
                    try check(guess: guess)
                    // No temporary file is left, whichever writer was committed.
                    #expect(
                        try FileManager.default.contentsOfDirectory(atPath: workspace.root.path)
                            .allSatisfy { !$0.contains(".tmp-") })
                }
                func check(guess: Outputs.SuggestionsFile) throws {
                    var elements = try Outputs.SuggestionElements(path: path, guess: guess, orphans: nil)
                    for start in stride(from: 0, to: wantedSuggestions.suggestions.count, by: 7) {
                        let piece = wantedSuggestions.suggestions[
                            start..<min(start + 7, wantedSuggestions.suggestions.count)]
                        elements.append(rendered: Outputs.SuggestionElements.render(Array(piece)))
                    }
                    let (sink, start, orphans) = try elements.finish(wantedSuggestions)
                    try sink.commit()
                    let written = try Data(contentsOf: URL(fileURLWithPath: path))
                    #expect(written == (try laidOut(wantedSuggestions)))
                    #expect(
                        (start == elements.reserved) == (guess.orphanedDecisions == wantedSuggestions.orphanedDecisions)
                    )
                    #expect(Array(written.prefix(Int(start))).suffix(17) == Array("\"suggestions\" : [".utf8))
                    #expect(orphans == (try Outputs.json(wantedSuggestions.orphanedDecisions)))
                }
            }
        }
    }

    /// Each suggestion, hit and turn is one line that a script can read alone (`grep`, or line by
    /// line instead of parsing a file twice the corpus's size).
    /// `tmine kwic --json` (its lines, queries and schema version) is JSONEncoder's bytes laid
    /// out as kwic.json is, a hit per line.
    @Test func aConcordanceMatchesJSONEncoder() throws {
        struct Versioned: Encodable {
            var lines: [ConcordanceLine]
            var queries: [String]
            var schemaVersion = 1
        }
        final class Collected: ByteSink {
            var bytes: [UInt8] = []
            func append(_ more: [UInt8]) { bytes += more }
        }
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let kwic = try JSONDecoder().decode(Outputs.KWICFile.self, from: try workspace.output("kwic.json"))
        for lines in [kwic.lines, []] {
            let sink = Collected()
            Outputs.writeConcordance(Concordance(queries: kwic.queries, lines: lines), schemaVersion: 1, to: sink)
            #expect(Data(sink.bytes) == (try laidOut(Versioned(lines: lines, queries: kwic.queries))))
        }
    }

    /// `tmine freq --json`'s table (groups, rows, a keyness comparison, the schema version) is
    /// JSONEncoder's bytes laid out as frequencies.json is, streamed a megabyte at a time.
    @Test func oneFrequencyTableMatchesJSONEncoder() throws {
        struct Table: Encodable {
            var grouping: String
            var groups: [FrequencyTable.Group]
            var keyness: Keyness?
            var rows: [FrequencyTable.Row]
            var schemaVersion = 1
        }
        final class Collected: ByteSink {
            var chunks: [[UInt8]] = []
            func append(_ bytes: [UInt8]) { chunks.append(bytes) }
        }
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let frequencies = try JSONDecoder().decode(
            Outputs.FrequenciesFile.self, from: try workspace.output("frequencies.json"))
        let table = try #require(frequencies.tables.first { $0.ngram == 1 })
        let keyness = try #require(frequencies.keyness.first { $0.grouping == table.grouping }?.keyness)
        // With and without a comparison, and with rows enough to be handed on in pieces.
        let many = Array(Array(repeating: table.rows, count: 30_000 / table.rows.count + 1).joined())
        for (rows, comparison) in [(table.rows, keyness), (table.rows, nil), (many, keyness)] {
            let sink = Collected()
            try Outputs.writeFrequencyTable(
                grouping: table.grouping, groups: table.groups, keyness: comparison, schemaVersion: 1, to: sink,
                rows: { deliver in
                    // In pieces, as a table hands them over a few groups at a time.
                    for start in stride(from: 0, to: rows.count, by: 7) {
                        deliver(Array(rows[start..<min(rows.count, start + 7)]))
                    }
                })
            let expected = try laidOut(
                Table(grouping: table.grouping, groups: table.groups, keyness: comparison, rows: rows))
            #expect(Data(sink.chunks.joined()) == expected)
            #expect(rows.count < 10_000 || sink.chunks.count > 1)
        }
    }

    @Test func everyRecordOfTheHotOutputsIsALineThatParsesAlone() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.runWithDecisionsOnTheFirstSuggestion(note: Self.awkward)
        func records<T: Decodable>(_ type: T.Type, in file: String, under key: String) throws -> [T] {
            let lines = String(decoding: try workspace.output(file), as: UTF8.self).split(separator: "\n")
            let first = try #require(lines.firstIndex(of: "  \"\(key)\" : ["))
            return try lines[(first + 1)...].prefix { !$0.hasPrefix("  ]") }.map { line in
                #expect(line.hasPrefix("    {") && !line.hasPrefix("     "))
                let record = line.hasSuffix(",") ? line.dropFirst(4).dropLast() : line.dropFirst(4)
                return try JSONDecoder().decode(T.self, from: Data(record.utf8))
            }
        }
        let suggestions = try JSONDecoder().decode(
            Outputs.SuggestionsFile.self, from: try workspace.output("suggestions.json"))
        #expect(try records(Suggestion.self, in: "suggestions.json", under: "suggestions") == suggestions.suggestions)
        #expect(suggestions.suggestions.count > 20)
        let kwic = try JSONDecoder().decode(Outputs.KWICFile.self, from: try workspace.output("kwic.json"))
        #expect(try records(ConcordanceLine.self, in: "kwic.json", under: "lines") == kwic.lines)
    }

    /// A lexicon edit copies documents whose suggestions it left as they were from the previous
    /// suggestions.json: the file must be what rendering them all afresh gives, byte for byte,
    /// whether copied documents follow one another there or not, and whether the stretch left
    /// to copy is started when the documents end (as a run does) or by the finish.
    @Test func elementsCopiedFromThePreviousFileEqualFreshOnes() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.runWithDecisionsOnTheFirstSuggestion(note: Self.awkward)
        var old = try JSONDecoder().decode(
            Outputs.SuggestionsFile.self, from: try workspace.output("suggestions.json"))
        old.suggestions = Array(
            Array(repeating: old.suggestions, count: 900 / old.suggestions.count + 1).joined().prefix(900))
        // The previous file, "documents" of 1 to 40 suggestions, recording where each sits.
        let documents = stride(from: 0, to: old.suggestions.count, by: 37).map {
            Array(old.suggestions[$0..<min($0 + $0 % 40 + 1, old.suggestions.count)])
        }
        let previousPath = workspace.root.appendingPathComponent("previous.json").path
        var previousFile = old
        previousFile.suggestions = documents.flatMap { $0 }
        var elements = try Outputs.SuggestionElements(path: previousPath, guess: previousFile, orphans: nil)
        var placed: [(offset: Int64, count: Int)] = []
        for document in documents {
            let bytes = Outputs.SuggestionElements.render(document)
            placed.append((elements.append(rendered: bytes) ?? -1, bytes.count))
        }
        let (previousSink, start, orphans) = try elements.finish(previousFile)
        try previousSink.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: previousPath)) == (try laidOut(previousFile)))

        // The documents in order but for the last `leavingOut`, each copied from the previous file;
        // when `mixed`, every fifth left out and every seventh from `changing` on changed.
        func add(
            to next: inout Outputs.SuggestionElements, _ wanted: inout Outputs.SuggestionsFile, mixed: Bool,
            changing: Int, leavingOut: Int
        ) {
            for (index, document) in documents.enumerated().dropLast(leavingOut) where !mixed || index % 5 != 4 {
                if mixed, index % 7 == changing {
                    var changed = document
                    changed[0].weight += 1
                    next.append(rendered: Outputs.SuggestionElements.render(changed))
                    wanted.suggestions += changed
                } else {
                    let position = next.append(previous: start + placed[index].offset, count: placed[index].count)
                    #expect(position == next.count - Int64(placed[index].count))
                    wanted.suggestions += document
                }
            }
        }

        // Runs of copied documents between ones rendered afresh; some left out, one changed; or
        // every document copied. Long stretches are copied as they grow (here also after every
        // byte, or every 5,000), their end left open to the next document.
        let path = workspace.root.appendingPathComponent("next.json").path
        let previous = try #require(FileHandle(forReadingAtPath: previousPath))
        for (longStretch, mixed, ended) in [
            (Int64(8 << 20), true, false), (8 << 20, true, true), (1, true, false), (5000, true, true),
            (5000, false, false), (8 << 20, false, true), (1, false, true),
        ] {
            var wanted = previousFile
            wanted.suggestions = []
            wanted.lexicon.hash = "edited"
            // Its head guessed from the previous file's orphaned decisions, as a run does.
            var guess = wanted
            guess.orphanedDecisions = []
            var next = try Outputs.SuggestionElements(
                path: path, guess: guess, orphans: orphans, previous: previous.fileDescriptor,
                longStretch: longStretch)
            add(to: &next, &wanted, mixed: mixed, changing: 0, leavingOut: 0)
            if ended { next.endElements() }
            let (sink, nextStart, _) = try next.finish(wanted)
            try sink.commit()
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: path)) == (try laidOut(wanted)), "\(longStretch) \(ended)")
            #expect(nextStart == next.reserved)
        }

        // The previous elements copied ahead, as a run starts to once it knows the file is to be
        // written (in small pieces here): every document where the copy put it, the last ones
        // left out, some rendered afresh or left out on the way (the copy stopped at the first),
        // the copy held back until the documents end (nothing of it done when it is stopped),
        // a head of another length (stopped at once), over an old longer file.
        var layout = SuggestionLayout(context: "")
        layout.start = start
        let length = placed.map { $0.offset + Int64($0.count) }.max() ?? 0
        let oldFile = workspace.root.appendingPathComponent("old.json").path
        for (leftOut, mixed, sameHead, held, recycled) in [
            (0, false, true, false, false), (3, false, true, false, true), (0, true, true, false, false),
            (0, false, true, true, false), (2, false, true, true, true), (0, true, false, false, false),
        ] {
            var wanted = previousFile
            wanted.suggestions = []
            wanted.lexicon.hash = sameHead ? String(repeating: "e", count: previousFile.lexicon.hash.count) : "edited"
            var guess = wanted
            guess.orphanedDecisions = []
            if recycled {
                try Data(repeating: 0x41, count: Int(start + length) * 2).write(to: URL(fileURLWithPath: oldFile))
            }
            let speculation = try SuggestionSpeculation(
                path: path, recycling: recycled ? oldFile : nil, stored: (layout, previous), length: length, piece: 4096
            )
            if held { speculation.queue.suspend() }
            var next = try Outputs.SuggestionElements(
                path: path, guess: guess, orphans: orphans, previous: previous.fileDescriptor,
                speculation: speculation)
            add(to: &next, &wanted, mixed: mixed, changing: 3, leavingOut: leftOut)
            // In place up to the first document that is not, and only behind a head as long.
            let firstMoved = mixed ? 3 : documents.count - leftOut
            #expect(next.inPlace == (sameHead ? firstMoved : 0))
            next.endElements()
            if held { speculation.queue.resume() }
            let (sink, nextStart, _) = try next.finish(wanted)
            try sink.commit()
            let case_ = "left out \(leftOut), mixed \(mixed), same head \(sameHead), held \(held), recycled \(recycled)"
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try laidOut(wanted)), "\(case_)")
            #expect(nextStart == next.reserved)
            #expect(!FileManager.default.fileExists(atPath: oldFile))
        }
    }

    /// suggestions.json's head: the lexicon's codes, and no manual codings or orphaned decisions.
    @Test func theLexiconPartOfSuggestionsMatchesJSONEncoder() throws {
        typealias File = Outputs.SuggestionsFile
        let codes: [File.CodeInfo] = [
            File.CodeInfo(name: Self.awkward, parent: nil, description: nil, path: [Self.awkward]),
            File.CodeInfo(name: "Hype", parent: "Theme/1", description: Self.awkward, path: ["Theme/1", "Hype"]),
            File.CodeInfo(name: "", parent: "", description: "", path: []),
        ]
        for codes in [codes, []] {
            let lexicon = File.LexiconInfo(source: "lexicons/a b.yaml", hash: Self.awkward, codes: codes)
            #expect(Outputs.json(lexicon: lexicon) == (try Outputs.json(lexicon)))
        }
        let none: [File.CoderManualCoding] = []
        #expect(JSONWriter.data(capacity: 8) { $0.array { _ in } } == (try Outputs.json(none)))
    }

    /// What is left to copy after a lexicon edit's last document is at most a sixteenth of the
    /// previous suggestions.json, from 1 MB up to the writeback step (no previous file: the step).
    @Test func copiedStretchesAreASixteenthOfThePreviousFileWithinLimits() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let path = workspace.root.appendingPathComponent("previous.json").path
        for (size, stretch) in [
            (Int64(0), Int64(1 << 20)), (Int64(15 << 20), Int64(1 << 20)), (Int64(64 << 20), Int64(4 << 20)),
            (Int64(157 << 20), AtomicFile.writebackStep), (Int64(1 << 30), AtomicFile.writebackStep),
        ] {
            let descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
            #expect(descriptor >= 0)
            #expect(ftruncate(descriptor, off_t(size)) == 0)  // sparse: no bytes written
            #expect(Outputs.SuggestionElements.longStretch(previous: descriptor) == stretch, "\(size)")
            close(descriptor)
        }
        #expect(Outputs.SuggestionElements.longStretch(previous: -1) == AtomicFile.writebackStep)
    }

    @Test func awkwardStringsNumbersKeysAndEmptyContainersMatchJSONEncoder() throws {
        let evidence = Evidence(
            pattern: "hype*", text: Self.awkward, range: ScalarRange(start: 3, end: 9), tokenStart: 0, tokenEnd: 2)
        var suggestions: [Suggestion] = []
        let attributes = ["Q10": "a", "Q2": "b", "b": "c", "B": "d", "_x": "e", "é": "f", "role": Self.awkward]
        var others = attributes
        others["b"] = "changed"
        // Whole numbers are written as integers, the rest as `description`; the attributes
        // come in runs of the same object (written once, then repeated), changed and back.
        let weights = [
            1.0, 0.5, 1e-7, 123_456_789.0, 2.5e20, 0.1 + 0.2, -0.0, 0, -3, 999_999_999_999_999, 1e15, -1e15 + 1,
            9_007_199_254_740_992, 12.5, -7.25,
        ]
        for (index, weight) in weights.enumerated() {
            suggestions.append(
                Suggestion(
                    id: "s\(index)", documentID: "d/\(index)", segmentIndex: index,
                    sentenceIndex: index % 2 == 0 ? nil : 3,
                    code: Self.awkward, codePath: index == 0 ? [] : ["Theme", Self.awkward],
                    evidence: index == 1 ? [] : [evidence],
                    weight: weight, speaker: "Dr \"X\"", role: .participant,
                    participantID: index == 2 ? nil : "P\(index)",
                    attributes: index == 3 ? [:] : index % 5 == 4 ? others : attributes,
                    text: Self.awkward,
                    range: index == 6
                        ? ScalarRange(start: -12, end: 9_876_543_210) : ScalarRange(start: index, end: 40),
                    context: "…",
                    status: .conflict,
                    decisions: index == 4
                        ? []
                        : [
                            CoderDecision(
                                coder: "a", status: .recoded, code: index == 5 ? nil : "C", note: Self.awkward, at: "t")
                        ]))
        }
        let file = Outputs.SuggestionsFile(
            study: "s", lexicon: .init(source: "l.yaml", hash: "h", codes: []), unit: "turn",
            suggestions: suggestions, manualCodings: [], orphanedDecisions: [])
        #expect(try Outputs.suggestionsJSON(file) == (try laidOut(file)))
        let empty = Outputs.SuggestionsFile(
            study: "", lexicon: .init(source: "", hash: "", codes: []), unit: "turn", suggestions: [],
            manualCodings: [], orphanedDecisions: [])
        #expect(try Outputs.suggestionsJSON(empty) == (try laidOut(empty)))
    }

    /// Frequency rows are written in pieces with each group escaped once for its rows: groups
    /// that change back and forth, awkward groups and terms, and rates of every kind give
    /// `JSONEncoder`'s bytes, and a rate JSON cannot hold marks the bytes unusable.
    @Test func frequencyRowsOfAwkwardGroupsTermsAndRatesMatchJSONEncoder() throws {
        struct Rows: Encodable { var rows: [FrequencyTable.Row] }
        var generator = SplitMixGenerator(seed: 67)
        let groups = ["tech", Self.awkward, "", "part-time \"clinical\"", "5+", "é"]
        let terms = ["hype", Self.awkward, "protected time", "don\u{2019}t", "\"", "a\\b", "\u{7F}", "👍🏽 ok"]
        let rates = [0, 1, 0.5, 2.9972, 1e-7, 0.1 + 0.2, 1e15, 123_456.75, 1000, 9_007_199_254_740_993]
        var rows: [FrequencyTable.Row] = []
        for index in 0..<400 {
            // Runs of one group, as a table's rows come, and groups seen before coming back.
            let group = groups[Int(generator.next() % 7 == 0 ? generator.next() % 6 : UInt64(index / 40 % 6))]
            let rate =
                index % 3 == 0
                ? rates[index % rates.count] : Double(generator.next() % 100_000) / Double(generator.next() % 997 + 1)
            rows.append(
                FrequencyTable.Row(
                    term: terms[Int(generator.next() % UInt64(terms.count))] + (index % 5 == 0 ? "" : "\(index)"),
                    group: group, count: Int(generator.next() % 1_000_000), rate: rate,
                    participants: Int(generator.next() % 100), documents: index))
        }
        let written = JSONWriter.data(capacity: 0) { writer in
            writer.object { writer in
                writer.field(
                    "rows",
                    array: { writer in
                        writer.records(of: Array(rows[..<150]))
                        writer.records(of: [FrequencyTable.Row]())
                        writer.records(of: Array(rows[150...]))
                    })
            }
        }
        #expect(written == (try laidOut(Rows(rows: rows))))
        var infinite = rows[0]
        infinite.rate = .infinity
        var writer = JSONWriter()
        writer.array { writer in writer.records(of: [rows[1], infinite]) }
        let invalid = writer.invalid
        #expect(invalid)
    }

    /// Keyness rows are written in pieces as frequency rows are: awkward terms and numbers of
    /// every sign and size give `JSONEncoder`'s bytes, and a value JSON cannot hold marks them.
    @Test func keynessRowsOfAwkwardTermsAndNumbersMatchJSONEncoder() throws {
        struct Rows: Encodable { var rows: [Keyness.Row] }
        var generator = SplitMixGenerator(seed: 68)
        let numbers = [0, -0.0, 1, -1, 0.5, -4.135623018148977, 1e-300, 12.613237095739096, 3e-7, 1e15, -(1e15 + 3)]
        func number() -> Double {
            generator.next() % 2 == 0
                ? numbers[Int(generator.next() % UInt64(numbers.count))]
                : Double(Int64(generator.next() % 2_000_001) - 1_000_000) / Double(generator.next() % 9_973 + 1)
        }
        let terms = ["hype", Self.awkward, "protected time", "\"", "a\\b", "\u{1F}", "é 👍🏽"]
        let rows = (0..<300).map { index in
            Keyness.Row(
                term: terms[index % terms.count] + String(index), targetCount: Int(generator.next() % 5_000),
                referenceCount: index % 4 == 0 ? 0 : Int(generator.next() % 5_000), targetRate: number(),
                referenceRate: number(), logLikelihood: number().magnitude, pValue: number().magnitude,
                logRatio: number())
        }
        let written = JSONWriter.data(capacity: 0) { writer in
            writer.object { writer in writer.field("rows", array: { $0.records(of: rows) }) }
        }
        #expect(written == (try laidOut(Rows(rows: rows))))
        var nan = rows[0]
        nan.pValue = .nan
        var writer = JSONWriter()
        writer.array { writer in writer.records(of: [nan]) }
        let invalid = writer.invalid
        #expect(invalid)
    }

    /// Numbers' digits come from `Double.write(to:)`, not `description`: the two must give the
    /// same text for every finite value, and the writer's whole numbers and `.0` rule hold.
    @Test func everyKindOfFiniteDoubleIsWrittenAsJSONEncoderWritesIt() throws {
        struct Numbers: Encodable { var values: [Double] }
        var generator = SplitMixGenerator(seed: 9)
        var values: [Double] = [
            0, -0.0, 1, -1, 0.5, 0.1 + 0.2, 1e-7, 1e15, 1e15 + 1, -(1e15 + 3), 1e15 + 0.5, 1e16, -1e16, 2.5e20, 1e21,
            1e22,
            .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
            -.greatestFiniteMagnitude, .ulpOfOne, 9_007_199_254_740_993, 123_456.75, 2.997198217115147,
        ]
        while values.count < 60_000 {
            let bits = generator.next()
            // Any finite bit pattern, and rates per thousand words as the tables write them.
            let any = Double(bitPattern: bits)
            if any.isFinite { values.append(any) }
            values.append(Double(bits % 100_000) / Double((bits >> 40) % 9_999_999 + 1) * 1000)
        }
        let written = JSONWriter.data(capacity: 0) { writer in
            writer.object { writer in
                writer.field(
                    "values",
                    array: { writer in
                        for value in values { writer.value(value) }
                    })
            }
        }
        #expect(written == (try laidOut(Numbers(values: values))))
    }

    /// Strings are scanned 32 and eight bytes at a time: an escape at any offset, beside ASCII
    /// or not, in a first block, a later one or the bytes after the last, must still be found.
    @Test func everyCharacterToEscapeIsEscapedAtEveryOffset() throws {
        let text = "plain wörds, ‘quoted’ and 👍🏽 more plain text after, and a little more plain text"
        var strings: [String] = []
        for special in ["\"", "\\", "\n", "\r", "\t", "\u{01}", "\u{08}", "\u{0C}", "\u{1F}", "\u{7F}", "/"] {
            for offset in 0...text.unicodeScalars.count {
                let scalars = Array(text.unicodeScalars)
                var string = String(String.UnicodeScalarView(scalars[..<offset]))
                string += special + String(String.UnicodeScalarView(scalars[offset...]))
                strings.append(string)
                strings.append(String(repeating: special, count: offset % 9 + 1))
            }
        }
        let written = JSONWriter.data(capacity: 1 << 16) { writer in
            writer.array { writer in for string in strings { writer.value(string) } }
        }
        #expect(written == (try laidOut(strings)))
    }

    /// run-report.json with its stages' lists written by hand is `JSONEncoder`'s file byte for
    /// byte: a real run's report, then with awkward ids, empty lists, and no stages at all.
    @Test func theRunReportMatchesJSONEncoder() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        var report = try workspace.run()
        #expect(report.stages.count >= 4 && report.stages.contains { !$0.ran.isEmpty })
        #expect(try Outputs.reportJSON(report) == (try Outputs.json(report)))
        #expect(try workspace.output("run-report.json") == (try Outputs.json(report)))
        report.stages[0].ran = [Self.awkward, "", "a/b", "\u{7F}"]
        report.stages[0].cached = []
        report.stages[1].ran = []
        report.stages[1].name = Self.awkward
        report.stages[1].wrote.toggle()
        #expect(try Outputs.reportJSON(report) == (try Outputs.json(report)))
        report.stages = []
        #expect(try Outputs.reportJSON(report) == (try Outputs.json(report)))

        // Every other part: failures with and without their place, warnings, orphaned decisions,
        // keys that sort awkwardly, awkward texts, fractions of seconds, no participants file.
        report.failures = [
            RunReport.Failure(
                IngestError(
                    .malformedXML, file: "a/b.xml", entry: "word/document.xml", line: 3, column: 9,
                    message: Self.awkward)),
            RunReport.Failure(IngestError(.emptyFile, file: Self.awkward, message: "empty")),
        ]
        report.warnings = [Self.awkward, ""]
        #expect(report.kwic?.first?.groups.isEmpty == false)
        report.kwic?.append(
            RunReport.QueryHits(
                query: Self.awkward, hits: 0, documents: 0,
                groups: [.init(attribute: Self.awkward, value: "", hits: 1, participants: 0)]))
        report.hashes.participants = nil
        report.seconds = 0.000123456789
        report.timings = ["merge": 0.25, "merge suggestions": 1e-7, "x10": 2, "x9": 3.5, "Ab": 0, "é": 1, "e": 12.125]
        report.tokenizer.caseMode = .preserve
        report.tokenizer.numbers.toggle()
        var suggestions = try #require(report.suggestions)
        suggestions.byStatus = ["pending": 3, "accepted": 1, "conflict": 0, "x10": 1, "x9": 2]
        suggestions.coders = ["b", Self.awkward]
        suggestions.orphaned = [
            DecisionMerger.Orphan(
                coder: "ann", suggestionID: "s1", status: .recoded, code: "Hype", documentID: "d/1", segmentIndex: 4,
                suggestedCode: "Buzz", evidence: [Self.awkward, "x"]),
            DecisionMerger.Orphan(
                coder: Self.awkward, suggestionID: "", status: .rejected, code: nil, documentID: nil, segmentIndex: nil,
                suggestedCode: nil, evidence: []),
        ]
        suggestions.reattached = 2
        report.suggestions = suggestions
        #expect(try Outputs.reportJSON(report) == (try Outputs.json(report)))
        report.suggestions = nil
        report.failures = []
        report.timings = [:]
        #expect(try Outputs.reportJSON(report) == (try Outputs.json(report)))
        // JSON holds no infinity: refused, as `JSONEncoder` refuses it.
        report.seconds = .infinity
        #expect(throws: (any Error).self) { try Outputs.reportJSON(report) }
    }

    @Test func documentsOfCorpusJSONMatchJSONEncoder() throws {
        let segment = Segment(
            index: 0, speaker: Self.awkward, role: .interviewer, participantID: nil, text: Self.awkward,
            range: ScalarRange(start: 0, end: 5), start: 1.25, end: 3)
        let document = Document(
            id: "d", source: "a/b.vtt", format: .webvtt, text: Self.awkward,
            segments: [
                segment,
                Segment(
                    index: 1, speaker: "P1", role: .participant, participantID: "P1", text: "",
                    range: ScalarRange(start: 6, end: 6)),
            ],
            speakers: [
                Speaker(label: "P1", role: .participant, participantID: "P1"),
                Speaker(label: "I", role: .other, participantID: nil),
            ],
            notes: [])
        var writer = JSONWriter()
        writer.value(document)
        #expect(Data(writer.bytes.array() + [0x0A]) == (try laidOut(document)))
    }
}
