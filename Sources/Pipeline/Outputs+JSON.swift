import Coding
import Corpus
import Foundation
import TextAnalysis

// The hot outputs written with `JSONWriter`: `JSONEncoder`'s bytes with each hit, suggestion,
// turn, speaker, group and row of counts on a line of its own (the tests compare both), keys in
// sorted order as `JSONEncoder` writes them.

extension JSONWriter {
    mutating func value(_ line: ConcordanceLine) {
        value(line, attributes: line.attributes)
    }

    /// `line` with `attributes` in place of its own.
    mutating func value(_ line: ConcordanceLine, attributes: [String: String]) {
        record { writer in
            writer.field("attributes", dictionary: attributes)
            writer.field("documentID", line.documentID)
            writer.field("left", line.left)
            writer.field("leftWords", strings: line.leftWords)
            writer.field("match", line.match)
            writer.field("participantID", line.participantID)
            writer.field("query", line.query)
            writer.field("range", range: line.range)
            writer.field("right", line.right)
            writer.field("rightWords", strings: line.rightWords)
            writer.field("role", line.role.rawValue)
            writer.field("segmentIndex", line.segmentIndex)
            writer.field("speaker", line.speaker)
            writer.field("tokenCount", line.tokenCount)
            writer.field("tokenIndex", line.tokenIndex)
        }
    }

    mutating func value(_ suggestion: Suggestion) {
        record { writer in
            writer.field("attributes", dictionary: suggestion.attributes)
            writer.field("code", suggestion.code)
            writer.field("codePath", strings: suggestion.codePath)
            writer.field("context", suggestion.context)
            writer.field(
                "decisions",
                array: { writer in
                    for decision in suggestion.decisions {
                        writer.object { writer in
                            writer.field("at", decision.at)
                            writer.field("code", decision.code)
                            writer.field("coder", decision.coder)
                            writer.field("note", decision.note)
                            writer.field("status", decision.status.rawValue)
                        }
                    }
                })
            writer.field("documentID", suggestion.documentID)
            writer.field(
                "evidence",
                array: { writer in
                    for evidence in suggestion.evidence {
                        writer.object { writer in
                            writer.field("pattern", evidence.pattern)
                            writer.field("range", range: evidence.range)
                            writer.field("text", evidence.text)
                            writer.field("tokenEnd", evidence.tokenEnd)
                            writer.field("tokenStart", evidence.tokenStart)
                        }
                    }
                })
            writer.field("id", suggestion.id)
            writer.field("participantID", suggestion.participantID)
            writer.field("range", range: suggestion.range)
            writer.field("role", suggestion.role.rawValue)
            writer.field("segmentIndex", suggestion.segmentIndex)
            writer.field("sentenceIndex", suggestion.sentenceIndex)
            writer.field("speaker", suggestion.speaker)
            writer.field("status", suggestion.status.rawValue)
            writer.field("text", suggestion.text)
            writer.field("weight", suggestion.weight)
        }
    }

    mutating func value(_ document: Document) {
        object { writer in
            writer.field("format", document.format.rawValue)
            writer.field("id", document.id)
            writer.field("notes", strings: document.notes)
            writer.field(
                "segments",
                array: { writer in
                    for segment in document.segments {
                        writer.record { writer in
                            writer.field("end", segment.end)
                            writer.field("index", segment.index)
                            writer.field("participantID", segment.participantID)
                            writer.field("range", range: segment.range)
                            writer.field("role", segment.role.rawValue)
                            writer.field("speaker", segment.speaker)
                            writer.field("start", segment.start)
                            writer.field("text", segment.text)
                        }
                    }
                })
            writer.field("source", document.source)
            writer.field(
                "speakers",
                array: { writer in
                    for speaker in document.speakers {
                        writer.record { writer in
                            writer.field("label", speaker.label)
                            writer.field("participantID", speaker.participantID)
                            writer.field("role", speaker.role.rawValue)
                        }
                    }
                })
            writer.field("text", document.text)
        }
    }
}

extension Outputs {
    /// `kwic.json` of the ``KWICFile``, one hit per line (see ``JSONWriter``).
    public static func kwicJSON(_ file: KWICFile) -> Data {
        JSONWriter.data(capacity: 512 * file.lines.count + 1024) { kwic(file, &$0) }
    }

    /// `tmine kwic --json`: the queries and their lines as kwic.json writes its lines (a hit per
    /// line), streamed to `sink`: Foundation's encoder took 21 µs a hit.
    public static func writeConcordance(_ concordance: Concordance, schemaVersion: Int, to sink: any ByteSink) {
        JSONWriter.stream(to: sink) { writer in
            writer.object { writer in
                writer.field(
                    "lines",
                    array: { writer in
                        for line in concordance.lines { writer.value(line) }
                    })
                writer.field("queries", strings: concordance.queries)
                writer.field("schemaVersion", schemaVersion)
            }
        }
    }

    private static func kwic(_ file: KWICFile, _ writer: inout JSONWriter) {
        writer.object { writer in
            writer.field(
                "lines",
                array: { writer in
                    for line in file.lines { writer.value(line) }
                })
            kwicFieldsAfterLines(file, &writer)
        }
    }

    /// kwic.json written line by line over many calls: the fields after the lines are known
    /// before any line is (keys are sorted, and `lines` comes first).
    /// A class: it owns its writer, whose bytes cannot be copied.
    final class KWICStream {
        private var writer: JSONWriter
        private let sink: AtomicFile.Writer
        /// Whether the file has a line yet, written or copied in (``spliceLine()``).
        private(set) var hasLines = false

        init(to sink: AtomicFile.Writer) {
            self.sink = sink
            writer = .streaming(to: sink)
            writer.beginObject()
            writer.key("lines")
            writer.beginArray()
        }

        /// Where the next byte written lands in the file.
        var end: Int64 { sink.size + Int64(writer.bytes.count) }

        /// `line`, with `attributes` in place of its own.
        func append(_ line: ConcordanceLine, attributes: [String: String]) {
            writer.value(line, attributes: attributes)
            hasLines = true
        }

        /// The separator before the line appended next, written now: ``end`` is then where the
        /// line begins.
        func separateLine() {
            writer.startElement(followed: true)
        }

        /// The separator before lines the caller copies into the file next, and every byte so
        /// far handed to it.
        func spliceLine() {
            writer.startElement(followed: false)
            writer.flush()
            hasLines = true
        }

        /// Hands every byte so far to the file (before the caller copies bytes in after them).
        func flush() {
            writer.flush()
        }

        /// Ends the file with `file`'s fields (its lines are not read).
        func finish(_ file: KWICFile) {
            writer.end()
            kwicFieldsAfterLines(file, &writer)
            writer.end()
            writer.finish()
        }
    }

    private static func kwicFieldsAfterLines(_ file: KWICFile, _ writer: inout JSONWriter) {
        writer.field("match", file.match)
        writer.field("queries", strings: file.queries)
        writer.field("schemaVersion", file.schemaVersion)
        writer.field("study", file.study)
        writer.field("unit", file.unit)
        writer.field("window", file.window)
    }

    /// `suggestions.json` of the ``SuggestionsFile``, one suggestion per line (see ``JSONWriter``);
    /// the small parts go through `JSONEncoder`.
    public static func suggestionsJSON(_ file: SuggestionsFile) throws -> Data {
        let parts = try SuggestionsParts(file)
        return JSONWriter.data(capacity: 1024 * file.suggestions.count + parts.lexicon.count + 1024) {
            suggestions(file, parts, &$0)
        }
    }

    /// The review page's list of every suggestion with only what its filters, code tree and
    /// progress need: the coder's status, `mine` (and `conflict` where coders disagree, their
    /// statuses `merged`; ``DecisionMerger/statuses(of:states:coder:)``), the code, document,
    /// turn and participant, and the attributes
    /// as a position in `attributeSets` (a few distinct sets, repeated by every suggestion).
    /// The whole suggestions were 160 MB at 100 MB of transcripts, and the browser took 5–6 s
    /// and a gigabyte to hold them; the page asks for a card's whole suggestion when it shows it.
    public static func json(listing suggestions: [Suggestion], merged: [SuggestionStatus], mine: [SuggestionStatus])
        -> Data
    {
        precondition(merged.count == suggestions.count && mine.count == suggestions.count, "a status each")
        // Read in place through a buffer: `map` or a loop over the array copied each suggestion
        // whole, retaining every string and array of it (a fifth of the review page's state).
        return suggestions.withUnsafeBufferPointer { json(listing: $0, merged: merged, mine: mine) }
    }

    private static func json(
        listing suggestions: UnsafeBufferPointer<Suggestion>, merged: [SuggestionStatus], mine: [SuggestionStatus]
    ) -> Data {
        var sets: [[String: String]: Int] = [:]
        var order: [[String: String]] = []
        var last: (attributes: [String: String], position: Int)?
        var positions: [Int] = []
        positions.reserveCapacity(suggestions.count)
        for index in suggestions.indices {
            // A document's suggestions mostly follow one another with the same attributes:
            // comparing with the last set is cheaper than hashing every set.
            if let last, last.attributes == suggestions[index].attributes {
                positions.append(last.position)
                continue
            }
            let attributes = suggestions[index].attributes
            let position = sets[attributes] ?? order.count
            if position == order.count {
                sets[attributes] = position
                order.append(attributes)
            }
            last = (attributes, position)
            positions.append(position)
        }
        return JSONWriter.data(capacity: 128 * suggestions.count + 4096) { writer in
            writer.object { writer in
                writer.field(
                    "attributeSets",
                    array: { writer in
                        for set in order { writer.record { $0.entries(of: set) } }
                    })
                writer.field(
                    "suggestions",
                    array: { writer in
                        for index in suggestions.indices {
                            writer.record { writer in
                                writer.field("attributes", positions[index])
                                writer.field("code", suggestions[index].code)
                                // Coders disagree: what the page's "conflict" filter lists (this
                                // coder's status alone never said so, and the filter listed nothing).
                                if merged[index] == .conflict { writer.field("conflict", true) }
                                writer.field("documentID", suggestions[index].documentID)
                                writer.field("id", suggestions[index].id)
                                writer.field("participantID", suggestions[index].participantID)
                                writer.field("status", mine[index].rawValue)
                                // For the filter of suggestions in a turn with another code.
                                writer.field("turn", suggestions[index].segmentIndex)
                            }
                        }
                    })
            }
        }
    }

    /// suggestions.json written as its elements come, document by document, straight into the
    /// file: rendered ones appended, ones left as they were copied from the previous file by the
    /// kernel. What precedes them in the file (its head) holds the orphaned decisions, known only
    /// after every document, so the head is guessed (the previous run's orphans) and its length
    /// reserved; when the real head is as long it is written in place, else the elements are
    /// copied once more behind it. Copying them at the end from a spool was the floor of a run
    /// after a lexicon edit (200 MB at 100 MB of transcripts) and an extra copy in a cold run.
    struct SuggestionElements {
        let sink: AtomicFile.Writer
        /// Bytes left for the head.
        let reserved: Int64
        /// The previous file, open (-1 without one), and the stretch of it still to copy:
        /// documents that followed one another there are copied as one, with the comma between.
        private let previous: Int32
        private var pending: (start: Int64, count: Int64)?
        /// Stretches of the previous file are copied once this long (see ``copyIfLong()``).
        private let longStretch: Int64
        /// A sixteenth of the previous file, from 1 MB to ``AtomicFile/writebackStep``: what is
        /// left to copy after the last document is at most that. In stretches of 8 MB a 10 MB
        /// lexicon edit copied the second half of the previous file (7.6 MB) after its documents,
        /// 2–2.5 ms of its ~32; at 100 MB the copy outlasts the documents whatever its stretches,
        /// and stretches of 1 MB made an edit 10 ms slower there.
        static func longStretch(previous: Int32) -> Int64 {
            var status = stat()
            guard previous >= 0, fstat(previous, &status) == 0 else { return AtomicFile.writebackStep }
            return min(max(Int64(status.st_size) / 16, 1 << 20), AtomicFile.writebackStep)
        }
        /// Bytes of elements so far, separating commas included.
        private(set) var count: Int64 = 0
        /// The sink is written on a queue of its own, in order: a durable file's writer waits
        /// when the disk's queue is full, and the documents need not wait with it. At most
        /// `inFlight` pieces are queued, so a slow disk holds back the run, not its memory.
        private let writes: DispatchQueue
        private let inFlight = DispatchSemaphore(value: 32)
        /// A copy of the previous file's elements already under way in the sink, while every
        /// document so far is where it put it (see ``SuggestionSpeculation``).
        private var speculation: SuggestionSpeculation?
        /// Documents found where the speculative copy put them (nothing written for them).
        private(set) var inPlace = 0

        /// Elements of the suggestions.json at `path`, after a head as long as `guess`'s (written
        /// over the old file `recycling` names, when it can be: see ``AtomicFile/Writer``), or in
        /// the file a `speculation` is writing (`previous` must then be its previous file).
        init(
            path: String, guess: SuggestionsFile, orphans: Data?, previous: Int32 = -1,
            longStretch: Int64? = nil, recycling: String? = nil, speculation: SuggestionSpeculation? = nil
        ) throws(FileWriteError) {
            self.longStretch = longStretch ?? Self.longStretch(previous: previous)
            // A head that cannot be encoded now is reserved nothing: the whole is copied at the end.
            let head = (try? SuggestionsParts(guess, orphans: orphans)).map {
                Self.split(guess, $0, elements: false).head
            }
            reserved = Int64(head?.count ?? 0)
            self.previous = previous
            if let speculation {
                sink = speculation.sink
                writes = speculation.queue
                // Its elements are where this file's go only behind a head as long.
                if speculation.start == reserved && speculation.stored.file.fileDescriptor == previous {
                    self.speculation = speculation
                } else {
                    speculation.stop(keeping: 0, at: reserved)
                }
            } else {
                sink = try AtomicFile.Writer(path: path, durable: !OutputFlush.deferred, recycling: recycling)
                writes = DispatchQueue(label: "suggestions.json")
                sink.reserve(reserved)
            }
        }

        /// Stops the speculative copy, keeping what it copied of the elements so far.
        private mutating func endSpeculation() {
            guard let speculation else { return }
            speculation.stop(keeping: count, at: reserved)
            self.speculation = nil
        }

        /// Queues a write to the sink.
        private func write(_ work: @escaping @Sendable (AtomicFile.Writer) -> Void) {
            inFlight.wait()
            writes.async { [sink, inFlight] in
                work(sink)
                inFlight.signal()
            }
        }

        private func append(_ bytes: Data) {
            write { $0.append(bytes) }
        }

        private func copy(_ range: Range<Int64>) {
            write { [previous] in $0.append(from: previous, range: range) }
        }

        /// One document's suggestions as elements of that array (on any thread).
        static func render(_ suggestions: [Suggestion]) -> Data {
            var writer = JSONWriter.elements(depth: 2)
            for suggestion in suggestions { writer.value(suggestion) }
            return writer.data()
        }

        /// Copies the stretch of the previous file waiting to be copied.
        private mutating func copyPending() {
            guard let (start, length) = pending, length > 0 else {
                pending = nil
                return
            }
            copy(start..<start + length)
            pending = nil
        }

        private static let comma = Data([0x2C])

        /// Ends what was appended before the next document's elements (the stretch still to
        /// copy, a separating comma); returns where that document begins among the elements.
        private mutating func separate() -> Int64 {
            copyPending()
            guard count > 0 else { return 0 }
            append(Self.comma)
            return count + 1
        }

        /// Appends what ``render(_:)`` made, after the elements appended before; returns where
        /// it begins among the elements (nil when there is nothing).
        @discardableResult
        mutating func append(rendered: Data) -> Int64? {
            guard !rendered.isEmpty else { return nil }
            endSpeculation()
            let position = separate()
            append(rendered)
            count = position + Int64(rendered.count)
            return position
        }

        /// Appends one document's elements as they are in the previous file (`length` bytes from
        /// `start`); returns where they begin among the elements.
        mutating func append(previous start: Int64, count length: Int) -> Int64 {
            if let speculation {
                // Where the speculative copy put it (after a comma there, as here): nothing to do.
                let position = count > 0 ? count + 1 : 0
                if start == speculation.start + position, position + Int64(length) <= speculation.length {
                    inPlace += 1
                    count = position + Int64(length)
                    return position
                }
                endSpeculation()
            }
            // Right after the previous document there, comma and all: one stretch.
            if let (first, old) = pending, first + old + 1 == start {
                pending = (first, old + 1 + Int64(length))
                count += 1 + Int64(length)
                copyIfLong()
                return count - Int64(length)
            }
            let position = separate()
            pending = (start, Int64(length))
            count = position + Int64(length)
            copyIfLong()
            return position
        }

        /// A long stretch is copied as it grows, so that the disk writes the file while the
        /// documents come (held to the end, the whole file was copied and flushed after the last
        /// document); its end stays open to the next document that follows it there.
        private mutating func copyIfLong() {
            guard let (first, length) = pending, length >= longStretch else { return }
            copy(first..<first + length)
            pending = (first + length, 0)
        }

        /// Starts copying the stretch still pending once no document follows: called as the
        /// merge ends, it lets that copy (up to a sixteenth of the previous file) run beside the
        /// run's summary and report page instead of after them (see ``finish(_:)``).
        mutating func endElements() {
            endSpeculation()
            copyPending()
        }

        /// Completes `suggestions.json` with `file`'s other fields (its suggestions are not read):
        /// the file to commit, where the elements begin in it, and its orphaned decisions as
        /// encoded (the next run's guess).
        mutating func finish(_ file: SuggestionsFile) throws -> (file: AtomicFile.Writer, start: Int64, orphans: Data) {
            endSpeculation()
            copyPending()
            writes.sync {}
            let parts = try SuggestionsParts(file)
            let (head, tail) = Self.split(file, parts, elements: count > 0)
            if Int64(head.count) == reserved {
                sink.write(head, at: 0)
                sink.append(tail)
                return (sink, reserved, parts.orphans)
            }
            let fitted = try AtomicFile.Writer(path: sink.path, durable: !OutputFlush.deferred)
            fitted.append(head)
            fitted.append(contentsOf: sink, range: reserved..<sink.size)
            fitted.append(tail)
            return (fitted, Int64(head.count), parts.orphans)
        }

        /// The file's bytes before its elements and after them.
        private static func split(_ file: SuggestionsFile, _ parts: SuggestionsParts, elements: Bool) -> (
            head: [UInt8], tail: [UInt8]
        ) {
            var mark = 0
            let whole = JSONWriter.data(capacity: parts.lexicon.count + parts.manual.count + parts.orphans.count + 1024)
            {
                writer in
                suggestions(file, parts, &writer) { writer in
                    mark = writer.bytes.count
                    writer.spliced(elements: elements)
                }
            }
            return ([UInt8](whole.prefix(mark)), [UInt8](whole.dropFirst(mark)))
        }
    }

    /// The small parts of `suggestions.json`: the lexicon's codes written by ``JSONWriter`` (by
    /// `JSONEncoder`, twice in every run that writes the file, they were ~0.7 ms of CPU of a
    /// 10 MB lexicon edit), and its orphaned decisions; the coders' manual codings, usually none,
    /// by `JSONEncoder` when there are some.
    private struct SuggestionsParts {
        var lexicon: Data
        var manual: Data
        var orphans: Data

        /// `orphans`: the orphaned decisions as encoded, instead of `file`'s.
        init(_ file: SuggestionsFile, orphans: Data? = nil) throws {
            lexicon = Outputs.json(lexicon: file.lexicon)
            manual = file.manualCodings.isEmpty ? Self.emptyArray : try json(file.manualCodings)
            self.orphans = orphans ?? Outputs.json(orphans: file.orphanedDecisions)
        }

        private static let emptyArray = JSONWriter.data(capacity: 8) { $0.array { _ in } }
    }

    /// Orphaned decisions (suggestions.json's and run-report.json's), as ``json(_:pretty:)``
    /// encodes them.
    static func json(orphans: [DecisionMerger.Orphan]) -> Data {
        JSONWriter.data(capacity: 256 + orphans.count * 256) { writer in
            writer.array { writer in
                for orphan in orphans { writer.value(orphan) }
            }
        }
    }

    /// The lexicon's part of suggestions.json, as ``json(_:pretty:)`` encodes it.
    static func json(lexicon: SuggestionsFile.LexiconInfo) -> Data {
        JSONWriter.data(capacity: 96 * lexicon.codes.count + 256) { writer in
            writer.object { writer in
                writer.field(
                    "codes",
                    array: { writer in
                        for code in lexicon.codes {
                            writer.object { writer in
                                writer.field("description", code.description)
                                writer.field("name", code.name)
                                writer.field("parent", code.parent)
                                writer.field("path", strings: code.path)
                            }
                        }
                    })
                writer.field("hash", lexicon.hash)
                writer.field("source", lexicon.source)
            }
        }
    }

    private static func suggestions(
        _ file: SuggestionsFile, _ parts: SuggestionsParts, _ writer: inout JSONWriter,
        elements: ((inout JSONWriter) -> Void)? = nil
    ) {
        let (lexicon, manual, orphans) = (parts.lexicon, parts.manual, parts.orphans)
        writer.object { writer in
            writer.field("lexicon", encoded: lexicon)
            writer.field("manualCodings", encoded: manual)
            writer.field("orphanedDecisions", encoded: orphans)
            writer.field("schemaVersion", file.schemaVersion)
            writer.field("study", file.study)
            writer.field(
                "suggestions",
                array: { writer in
                    if let elements {
                        elements(&writer)
                    } else {
                        for suggestion in file.suggestions { writer.value(suggestion) }
                    }
                })
            writer.field("unit", file.unit)
        }
    }
}

extension Outputs {
    /// `frequencies.json` of the ``FrequenciesFile``, one row of counts per line (see ``JSONWriter``).
    public static func frequenciesJSON(_ file: FrequenciesFile) throws -> Data {
        var invalid = false
        let data = JSONWriter.data(capacity: 1 << 20) { invalid = frequencies(file, &$0) }
        // JSONEncoder refuses infinity and NaN: so does this, with its error.
        return invalid ? try json(file) : data
    }

    /// Writes the file; true when a value was not a finite number.
    private static func frequencies(_ file: FrequenciesFile, _ writer: inout JSONWriter) -> Bool {
        writer.openFrequencies(study: file.study, keyness: file.keyness, schemaVersion: file.schemaVersion)
        for table in file.tables {
            writer.openFrequencyTable(grouping: table.grouping, ngram: table.ngram, groups: table.groups)
            writer.records(of: table.rows)
            writer.closeFrequencyTable()
        }
        writer.closeFrequencies()
        return writer.invalid
    }
}

extension JSONWriter {
    /// frequencies.json up to its tables' opening bracket (its keys in sorted order: keyness,
    /// then the tables), so that the tables' rows can follow a few groups at a time.
    mutating func openFrequencies(study: String, keyness: [Outputs.FrequenciesFile.Comparison], schemaVersion: Int) {
        beginObject()
        field(
            "keyness",
            array: { writer in
                for comparison in keyness {
                    writer.object { writer in
                        writer.field("grouping", comparison.grouping)
                        writer.field("keyness", object: { $0.fields(of: comparison.keyness) })
                        writer.field("ngram", comparison.ngram)
                    }
                }
            })
        field("schemaVersion", schemaVersion)
        field("study", study)
        key("tables")
        beginArray()
    }

    /// A table of frequencies.json up to its rows' opening bracket; its rows follow as records.
    mutating func openFrequencyTable(grouping: String, ngram: Int, groups: [FrequencyTable.Group]) {
        beginObject()
        field("grouping", grouping)
        field("groups", array: { $0.records(of: groups) })
        field("ngram", ngram)
        key("rows")
        beginArray()
    }

    /// Closes a table's rows and the table.
    mutating func closeFrequencyTable() {
        end()
        end()
    }

    /// Closes the tables and the file.
    mutating func closeFrequencies() {
        end()
        end()
    }
}

extension Outputs {
    /// `tmine freq --json`: one grouping's groups, rows and keyness comparison as frequencies.json
    /// writes a table (a row per line), streamed to `sink`: Foundation's encoder took 38 s and
    /// 4.3 GB for 2,000 participants' rows. Throws for a value JSON cannot hold.
    ///
    /// `rows` hands its rows to the function it is given, a few groups at a time
    /// (``TextAnalysis/FrequencyRowPieces``): memory holds those, not the table's.
    public static func writeFrequencyTable(
        grouping: String, groups: [FrequencyTable.Group], keyness: Keyness?, schemaVersion: Int,
        to sink: any ByteSink, rows: (([FrequencyTable.Row]) -> Void) -> Void
    ) throws {
        var invalid = false
        JSONWriter.stream(to: sink) { writer in
            writer.object { writer in
                writer.field("grouping", grouping)
                writer.field("groups", array: { $0.records(of: groups) })
                if let keyness { writer.field("keyness", object: { $0.fields(of: keyness) }) }
                writer.field("rows", array: { writer in rows { writer.records(of: $0) } })
                writer.field("schemaVersion", schemaVersion)
            }
            invalid = writer.invalid
        }
        if invalid {
            throw EncodingError.invalidValue(
                grouping, .init(codingPath: [], debugDescription: "a frequency that is not a finite number"))
        }
    }
}

extension JSONWriter {
    /// Frequency groups, a record each, their keys in `JSONEncoder`'s sorted order.
    mutating func records(of groups: [FrequencyTable.Group]) {
        for group in groups {
            record { writer in
                writer.field("documents", group.documents)
                writer.field("name", group.name)
                writer.field("participants", group.participants)
                writer.field("words", group.words)
            }
        }
    }

    /// A keyness comparison's fields, its rows a record each.
    mutating func fields(of keyness: Keyness) {
        field("reference", keyness.reference)
        field("referenceWords", keyness.referenceWords)
        field(
            "rows",
            array: { writer in
                // Made a piece at a time: every row at once was a row and a string per term.
                for start in stride(from: 0, to: keyness.count, by: FrequencyRowPieces.rowsAtATime) {
                    writer.records(of: keyness.rows(start..<min(keyness.count, start + FrequencyRowPieces.rowsAtATime)))
                }
            })
        field("target", keyness.target)
        field("targetWords", keyness.targetWords)
    }

    /// An orphaned decision, its keys in `JSONEncoder`'s sorted order.
    mutating func value(_ orphan: DecisionMerger.Orphan) {
        object { writer in
            writer.field("code", orphan.code)
            writer.field("coder", orphan.coder)
            writer.field("documentID", orphan.documentID)
            writer.field("evidence", strings: orphan.evidence)
            writer.field("segmentIndex", orphan.segmentIndex)
            writer.field("status", orphan.status.rawValue)
            writer.field("suggestedCode", orphan.suggestedCode)
            writer.field("suggestionID", orphan.suggestionID)
        }
    }
}
