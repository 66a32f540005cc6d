import Coding
import Corpus
import Foundation
import Ingest
import TextAnalysis

/// The JSON files of an out folder. Each carries `schemaVersion` and has a JSON Schema in
/// `Sources/Pipeline/Schemas/`.
public enum Outputs {
    public static let schemaVersion = 1

    /// `corpus.json`: documents with their turns, and the participants with their attributes.
    public struct CorpusFile: Codable, Sendable {
        public var schemaVersion = Outputs.schemaVersion
        public var study: String
        public var documents: [Document]
        public var participants: ParticipantTable
    }

    /// `kwic.json`: every hit of the pipeline's queries.
    public struct KWICFile: Codable, Sendable {
        public var schemaVersion = Outputs.schemaVersion
        public var study: String
        public var queries: [String]
        public var window: Int
        public var unit: String
        public var match: String
        public var lines: [ConcordanceLine]

        public init(
            study: String, queries: [String], window: Int, unit: String, match: String, lines: [ConcordanceLine]
        ) {
            self.study = study
            self.queries = queries
            self.window = window
            self.unit = unit
            self.match = match
            self.lines = lines
        }
    }

    /// `frequencies.json`: one table per grouping and n-gram size, and the keyness comparisons.
    public struct FrequenciesFile: Codable, Sendable {
        public struct Table: Codable, Sendable {
            public var grouping: String
            public var ngram: Int
            public var groups: [FrequencyTable.Group]
            public var rows: [FrequencyTable.Row]
        }
        public struct Comparison: Codable, Sendable {
            public var grouping: String
            public var ngram: Int
            public var keyness: Keyness
        }
        public var schemaVersion = Outputs.schemaVersion
        public var study: String
        public var tables: [Table]
        public var keyness: [Comparison]
    }

    /// `suggestions.json`: the lexicon's suggested codes with evidence, merged with decisions.
    public struct SuggestionsFile: Codable, Sendable {
        public struct LexiconInfo: Codable, Sendable {
            public var source: String
            public var hash: String
            public var codes: [CodeInfo]
        }
        public struct CodeInfo: Codable, Sendable {
            public var name: String
            public var parent: String?
            public var description: String?
            public var path: [String]
        }
        public struct CoderManualCoding: Codable, Sendable {
            public var coder: String
            public var coding: ManualCoding
        }
        /// 2: suggestions no longer repeat `lexicon.hash` each (it made every byte of the file
        /// change with any lexicon edit, and a 200 MB file 10 MB larger).
        public var schemaVersion = 2
        public var study: String
        /// The lexicon every suggestion in the file comes from, with its content hash.
        public var lexicon: LexiconInfo
        public var unit: String
        public var suggestions: [Suggestion]
        public var manualCodings: [CoderManualCoding]
        /// Decisions whose suggestion no longer exists: kept, never dropped.
        public var orphanedDecisions: [DecisionMerger.Orphan]
    }

    /// The last run's `corpus.json` of a pipeline. Throws ``PipelineError`` when there is none.
    public static func corpus(of configuration: PipelineConfiguration) throws(PipelineError) -> CorpusFile {
        let path = try OutputFlush.trusted("corpus.json", in: configuration.outputFolder)
        guard let data = FileManager.default.contents(atPath: path), let corpus = try? CorpusFile.decode(data) else {
            throw PipelineError(file: path, message: "cannot read corpus.json; run the pipeline first")
        }
        return corpus
    }

    /// corpus.json without its documents (the participants table, the study's name), its
    /// documents never read when the file is laid out as ``JSONWriter`` lays it out.
    public static func corpusWithoutDocuments(of configuration: PipelineConfiguration) throws(PipelineError)
        -> CorpusFile
    {
        let path = try OutputFlush.trusted("corpus.json", in: configuration.outputFolder)
        if let file = ElementRuns.documents.outside(path, \CorpusFile.documents) { return file }
        var file = try corpus(of: configuration)
        file.documents = []
        return file
    }

    /// corpus.json's documents, each given to `body` in order and let go, read a chunk at a
    /// time (``ElementRuns/stream(_:_:chunk:deliver:)``); returns the file without them.
    public static func forEachDocument(
        of configuration: PipelineConfiguration, _ body: (Document) -> Void
    ) throws(PipelineError) -> CorpusFile {
        let path = try OutputFlush.trusted("corpus.json", in: configuration.outputFolder)
        let streamed: CorpusFile?
        do {
            streamed = try ElementRuns.documents.stream(path, \CorpusFile.documents) { documents in
                for document in documents { body(document) }
            }
        } catch {
            throw PipelineError(file: path, message: "cannot read corpus.json (\(error)); run the pipeline again")
        }
        if let streamed { return streamed }
        var file = try corpus(of: configuration)
        for document in file.documents { body(document) }
        file.documents = []
        return file
    }

    /// run-report.json's bytes, as ``json(_:pretty:)`` gives them, written by ``JSONWriter``:
    /// encoding the stages' document lists (every document's id, once per stage) took ~7 ms at
    /// 2,000 documents, and the rest ~0.6 ms of every run's main thread, at its very end, most
    /// of it `JSONEncoder`'s first use.
    static func reportJSON(_ report: RunReport) throws -> Data {
        let listed = report.stages.reduce(0) { $0 + $1.ran.count + $1.cached.count }
        var invalid = false
        let data = JSONWriter.data(capacity: 4096 + report.methods.utf8.count + listed * 32) { writer in
            writer.object { writer in
                writer.key("corpus")
                writer.object { writer in
                    let corpus = report.corpus
                    writer.field("documents", corpus.documents)
                    writer.field("participantTokens", corpus.participantTokens)
                    writer.field("participantTurns", corpus.participantTurns)
                    writer.field("participants", corpus.participants)
                    writer.field("tokens", corpus.tokens)
                    writer.field("turns", corpus.turns)
                    if let unattributed = corpus.unattributedTokens {
                        writer.field("unattributedTokens", unattributed)
                    }
                }
                writer.key("failures")
                writer.array { writer in
                    for failure in report.failures {
                        writer.object { writer in
                            writer.field("code", failure.code)
                            writer.field("column", failure.column)
                            writer.field("entry", failure.entry)
                            writer.field("file", failure.file)
                            writer.field("line", failure.line)
                            writer.field("message", failure.message)
                        }
                    }
                }
                writer.field("finishedAt", report.finishedAt)
                writer.key("hashes")
                writer.object { writer in
                    writer.field("participants", report.hashes.participants)
                    writer.field("pipeline", report.hashes.pipeline)
                    writer.field("stopwords", report.hashes.stopwords)
                }
                if let kwic = report.kwic {
                    writer.key("kwic")
                    writer.array { writer in
                        for query in kwic {
                            writer.object { writer in
                                writer.field("documents", query.documents)
                                writer.key("groups")
                                writer.array { writer in
                                    for group in query.groups {
                                        writer.object { writer in
                                            writer.field("attribute", group.attribute)
                                            writer.field("hits", group.hits)
                                            writer.field("participants", group.participants)
                                            writer.field("rate", group.rate)
                                            writer.field("value", group.value)
                                            writer.field("words", group.words)
                                        }
                                    }
                                }
                                writer.field("hits", query.hits)
                                writer.field("query", query.query)
                            }
                        }
                    }
                }
                writer.field("methods", report.methods)
                writer.field("outputs", strings: report.outputs)
                writer.field("pipeline", report.pipeline)
                writer.field("schemaVersion", report.schemaVersion)
                writer.field("seconds", report.seconds)
                writer.key("stages")
                writer.array { writer in
                    for stage in report.stages {
                        writer.object { writer in
                            writer.field("cached", strings: stage.cached)
                            writer.field("name", stage.name)
                            writer.field("ran", strings: stage.ran)
                            writer.field("wrote", stage.wrote)
                        }
                    }
                }
                writer.field("startedAt", report.startedAt)
                writer.field("study", report.study)
                if let suggestions = report.suggestions {
                    writer.key("suggestions")
                    writer.object { writer in writeSuggestions(suggestions, to: &writer) }
                }
                // The report's own keys (phases, statuses) in `<` order, which is `JSONEncoder`'s
                // for them (the test compares): ``KeyOrder`` learns the order of keys from the
                // data from `JSONEncoder` itself, at the cost of its first use.
                writer.key("timings")
                writer.object { writer in
                    for (name, seconds) in report.timings.sorted(by: { $0.key < $1.key }) {
                        writer.key(data: name)
                        writer.value(seconds)
                    }
                }
                writer.key("tokenizer")
                writer.object { writer in
                    let options = report.tokenizer
                    writer.field("annotations", options.annotations)
                    writer.field("apostrophes", options.apostrophes)
                    writer.field("caseMode", options.caseMode.rawValue)
                    writer.field("foldDiacritics", options.foldDiacritics)
                    writer.field("hyphens", options.hyphens)
                    writer.field("initialisms", options.initialisms)
                    writer.field("numberSeparators", options.numberSeparators)
                    writer.field("numbers", options.numbers)
                    writer.field("phrases", options.phrases.rawValue)
                    writer.field("possessiveApostrophe", options.possessiveApostrophe)
                    writer.field("urls", options.urls)
                }
                writer.field("tool", report.tool)
                writer.field("toolVersion", report.toolVersion)
                if let notes = report.transcriberNotes {
                    writer.key("transcriberNotes")
                    writer.object { writer in
                        writer.field("count", notes.count)
                        writer.field("documents", notes.documents)
                        writer.field("kinds", notes.kinds)
                        writer.key("top")
                        writer.array { writer in
                            for row in notes.top {
                                writer.object { writer in
                                    writer.field("count", row.count)
                                    writer.field("documents", row.documents)
                                    writer.field("example", row.example)
                                    writer.field("note", row.note)
                                }
                            }
                        }
                    }
                }
                writer.field("warnings", strings: report.warnings)
            }
            invalid = writer.invalid
        }
        guard !invalid else {
            throw EncodingError.invalidValue(
                report.seconds, .init(codingPath: [], debugDescription: "a time that JSON cannot hold"))
        }
        return data
    }

    private static func writeSuggestions(_ suggestions: RunReport.Suggestions, to writer: inout JSONWriter) {
        writer.key("byStatus")
        writer.object { writer in
            for (status, count) in suggestions.byStatus.sorted(by: { $0.key < $1.key }) {
                writer.key(data: status)
                writer.value(count)
            }
        }
        writer.field("coders", strings: suggestions.coders)
        writer.field("lexiconHash", suggestions.lexiconHash)
        writer.key("orphaned")
        writer.array { writer in
            for orphan in suggestions.orphaned { writer.value(orphan) }
        }
        writer.key("perCode")
        writer.array { writer in
            for change in suggestions.perCode {
                writer.object { writer in
                    writer.field("added", change.added)
                    writer.field("code", change.code)
                    writer.field("removed", change.removed)
                    writer.field("total", change.total)
                }
            }
        }
        writer.field("reattached", suggestions.reattached)
        writer.field("total", suggestions.total)
    }

    /// Encodes with sorted keys: the same value always gives the same bytes.
    public static func json(_ value: some Encodable, pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }
}

/// What a run did: stages run or cached, failures, corpus size, and a methods statement.
public struct RunReport: Codable, Sendable {
    public struct Stage: Codable, Sendable {
        public var name: String
        /// Documents whose result was computed in this run.
        public var ran: [String]
        /// Documents whose result came from the cache.
        public var cached: [String]
        /// Whether the stage's output file was (re)written.
        public var wrote: Bool
    }

    public struct Failure: Codable, Sendable {
        public var file: String
        public var code: String
        public var entry: String?
        public var line: Int?
        public var column: Int?
        public var message: String

        init(_ error: IngestError) {
            file = error.file
            code = error.code.rawValue
            entry = error.entry
            line = error.line
            column = error.column
            message = error.description
        }
    }

    public struct Hashes: Codable, Sendable {
        public var pipeline: String
        public var participants: String?
        public var stopwords: String
    }

    /// Suggestions by status, what each code gained or lost since the last run, and the
    /// decisions left without a suggestion.
    public struct Suggestions: Codable, Sendable {
        public struct CodeChange: Codable, Sendable {
            public var code: String
            public var total: Int
            public var added: Int
            public var removed: Int
        }
        public var total: Int
        public var byStatus: [String: Int]
        public var lexiconHash: String
        public var coders: [String]
        public var perCode: [CodeChange]
        public var orphaned: [DecisionMerger.Orphan]
        public var reattached: Int

        /// The count and, for the codes that changed most since the last run, what each gained
        /// and lost: "6 suggestions (Hype +1, Barriers −2)"; after a first run, the count alone.
        /// What a lexicon edit did, said where the run is read (it was only in run-report.json).
        public var changeSummary: String {
            // Every suggestion new (a first run): there is nothing to compare with.
            guard perCode.contains(where: { $0.added != $0.total || $0.removed > 0 }) else {
                return total.counted("suggestion") + orphanSummary
            }
            let changed = perCode.filter { $0.added > 0 || $0.removed > 0 }
                .sorted { ($0.added + $0.removed) > ($1.added + $1.removed) }
            let shown = changed.prefix(4).map { change in
                change.code + (change.added > 0 ? " +\(change.added)" : "")
                    + (change.removed > 0 ? " −\(change.removed)" : "")
            }
            let more = changed.count > 4 ? ["and \((changed.count - 4).counted("more code")) changed"] : []
            return total.counted("suggestion")
                + (shown.isEmpty ? "" : " (" + joined(shown + more, separator: ", ") + ")") + orphanSummary
        }

        /// The decisions whose suggestion is no longer made (a code taken out of the lexicon, a
        /// transcript edited), by coder: kept, but applied to nothing until the coder decides
        /// again, which the run's summary said nowhere.
        private var orphanSummary: String {
            guard !orphaned.isEmpty else { return "" }
            var byCoder: [String: Int] = [:]
            for orphan in orphaned { byCoder[orphan.coder, default: 0] += 1 }
            return "; "
                + (orphaned.count == 1
                    ? "1 decision on a suggestion no longer made ("
                    : "\(orphaned.count) decisions on suggestions no longer made (")
                + byCoder.keys.sorted().map { "\($0) \(byCoder[$0] ?? 0)" }.joined(separator: ", ")
                + "; kept in suggestions.json's orphanedDecisions)"
        }

        /// The same suggestions seen again, from this lexicon: nothing added or removed, and no
        /// line for a code the lexicon no longer has (the last run listed it for what it lost; a
        /// run that recomputed everything would not list it).
        func unchanged(lexicon: Lexicon?) -> Suggestions {
            let codes = Set(lexicon?.codes.map(\.name) ?? [])
            var copy = self
            copy.perCode = perCode.compactMap { change in
                guard codes.contains(change.code) else { return nil }
                var change = change
                change.added = 0
                change.removed = 0
                return change
            }
            return copy
        }
    }

    /// A keyword-in-context query's hits in kwic.json, the documents they are in, and its hits and
    /// the participants who spoke them in each group of each attribute with at most
    /// ``groupLimit`` values (in the participants file's order of columns, then by value; not the
    /// column naming transcripts). When the frequencies stage counted the same turns, each group
    /// also has its words and hits per 1,000 of them, and groups without hits are listed too:
    /// groups of unequal size compared by rate, as a term's frequencies are.
    public struct QueryHits: Codable, Sendable, Equatable {
        public struct Group: Codable, Sendable, Equatable {
            public var attribute: String
            public var value: String
            public var hits: Int
            public var participants: Int
            /// Every token the group's participants said in the turns searched (stopwords included).
            public var words: Int?
            /// Hits per 1,000 of `words`.
            public var rate: Double?

            public init(
                attribute: String, value: String, hits: Int, participants: Int, words: Int? = nil, rate: Double? = nil
            ) {
                self.attribute = attribute
                self.value = value
                self.hits = hits
                self.participants = participants
                self.words = words
                self.rate = rate
            }
        }
        public var query: String
        public var hits: Int
        public var documents: Int
        public var groups: [Group]
        /// Hits by speaker, numbered in the ``Pipeline/KWICTally`` they come with: what the groups
        /// sum, kept in the run's cache, not in run-report.json.
        var bySpeaker: [Int] = []

        private enum CodingKeys: String, CodingKey { case query, hits, documents, groups }

        /// The most values an attribute may have to be counted by group (more is no comparison).
        public static let groupLimit = 20
    }

    /// Transcribers' notes (`[inaudible]`, `(laughs)`, `(0.5)`) in every turn, by kind: how much
    /// of the talk the words leave out, and how much of it was inaudible or redacted.
    public struct TranscriberNotes: Codable, Sendable, Equatable {
        public var count: Int
        /// Documents with at least one note.
        public var documents: Int
        /// How many kinds there are (``NoteTally/kind(of:)``).
        public var kinds: Int
        /// The most frequent kinds, at most ``topLimit``.
        public var top: [NoteTally.Row]

        public static let topLimit = 20

        /// The notes of these documents' tallies.
        public init(_ tallies: some Sequence<NoteTally>) {
            var all = NoteTally()
            documents = 0
            for tally in tallies where tally.kinds > 0 {
                all.add(tally)
                documents += 1
            }
            count = all.count
            kinds = all.kinds
            top = Array(all.rows.prefix(Self.topLimit))
        }
    }

    public struct Size: Codable, Sendable {
        public var documents: Int
        public var turns: Int
        public var participantTurns: Int
        public var tokens: Int
        public var participantTokens: Int
        /// Of the participants' tokens, those in turns tied to no participant; nil when none.
        public var unattributedTokens: Int?
        public var participants: Int
    }

    public var schemaVersion = Outputs.schemaVersion
    public var tool: String
    public var toolVersion: String
    public var study: String
    public var pipeline: String
    public var startedAt: String
    public var finishedAt: String
    public var seconds: Double
    public var hashes: Hashes
    /// Each keyword-in-context query's hits, when the pipeline has the stage.
    public var kwic: [QueryHits]?
    /// The transcribers' notes the tokeniser left out of the words, when it leaves them out.
    public var transcriberNotes: TranscriberNotes?
    public var tokenizer: Tokenizer.Options
    public var stages: [Stage]
    public var corpus: Size
    public var failures: [Failure]
    public var warnings: [String]
    public var outputs: [String]
    /// What the suggest stage produced, when it ran.
    public var suggestions: Suggestions?
    /// Seconds of work per stage, summed over threads (so they may add up to more than
    /// `seconds`); `merge` is the wall time from the last document to the outputs.
    public var timings: [String: Double]
    /// A paragraph a paper's methods section can cite.
    public var methods: String
}

/// Streams `corpus.json`: documents appended one by one, the participants and the rest at the
/// end, the whole file renamed into place only when complete. The bytes are an
/// ``Outputs/CorpusFile`` laid out as ``JSONWriter`` lays out records (a turn per line). A
/// document rendered in the previous corpus.json (its ``OutputLayout``) is copied from there,
/// documents that followed one another there as one stretch. One thread at a time writes it (the
/// merge queue, then the task that ends it): hence `@unchecked`.
final class CorpusWriter: @unchecked Sendable {
    private let writer: AtomicFile.Writer
    private let encoder = JSONEncoder()
    private var count = 0
    /// The previous file and its layout, to copy from.
    private var previous: PreviousCopy?
    /// This file's layout, as documents are appended.
    private(set) var layout = OutputLayout(output: "corpus.json")
    private static let separator = Array(",\n    ".utf8)

    /// A writer of corpus.json at `path`, copying from `previous`, written over the old file at
    /// `recycling` when it may be (see ``Corpus/AtomicFile/Writer/init(path:durable:recycling:)``).
    init(
        path: String, previous: (layout: OutputLayout, file: FileHandle)? = nil, recycling: String? = nil
    ) throws(FileWriteError) {
        writer = try AtomicFile.Writer(path: path, durable: !OutputFlush.deferred, recycling: recycling)
        self.previous = previous.map(PreviousCopy.init)
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        writer.append(Data("{\n  \"documents\" : [\n".utf8))
    }

    /// The previous file's bytes of the document `id` made from `ingestKey`, if it has them.
    func previousRange(of id: String, ingestKey: String) -> Range<Int64>? {
        previous?.layout.range(of: id, key: ingestKey)
    }

    /// Where the next document begins: after the separator, written or left to the stretch.
    private var next: Int64 { writer.size + (previous?.pendingCount ?? 0) + (count > 0 ? 6 : 4) }

    func append(_ document: Document, ingestKey: String) {
        var json = JSONWriter(depth: 2, capacity: document.text.utf8.count * 3 + 4096)
        json.value(document)
        previous?.copy(into: writer)
        let start = next
        // The document's bytes handed over as they are: through `Data` they were copied once more.
        writer.append(count > 0 ? Self.separator : Array(Self.separator[2...]))
        json.bytes.withUnsafeBufferPointer { writer.append(UnsafeRawBufferPointer($0)) }
        layout.add(id: document.id, key: ingestKey, range: start..<start + Int64(json.bytes.count))
        count += 1
    }

    /// Appends the document `id` as the previous file has it (`range`, from ``previousRange(of:ingestKey:)``).
    func append(id: String, ingestKey: String, previous range: Range<Int64>) {
        let start = next
        previous?.add(range, separator: Int64(Self.separator.count), first: count == 0, into: writer) {
            writer.append(count > 0 ? Self.separator : Array(Self.separator[2...]))
        }
        layout.add(id: id, key: ingestKey, range: start..<start + Int64(range.count))
        count += 1
    }

    /// Writes the end of the file; ``commit()`` flushes it to disk and puts it in place.
    func finish(study: String, participants: ParticipantTable) throws(PipelineError) {
        do {
            previous?.copy(into: writer)
            let table = try encoder.encode(participants)
            let name = try encoder.encode(study)
            writer.append(Data((count > 0 ? "\n" : "").utf8))
            writer.append(Data("  ],\n  \"participants\" : ".utf8))
            writer.append(Self.indented(table, by: 2, first: false))
            writer.append(Data(",\n  \"schemaVersion\" : \(Outputs.schemaVersion),\n  \"study\" : ".utf8))
            writer.append(name)
            writer.append(Data("\n}\n".utf8))
            writer.handOver()
        } catch {
            throw PipelineError(file: writer.path, message: "cannot encode the corpus: \(error)")
        }
    }

    func commit() throws(PipelineError) {
        do {
            try writer.commit()
        } catch {
            throw PipelineError(file: error.file, message: error.message)
        }
    }

    /// JSON lines indented; strings never hold a raw line break, so every 0x0A byte starts a
    /// line. Works on bytes: documents are large.
    static func indented(_ data: Data, by spaces: Int, first: Bool = true) -> Data {
        var result = [UInt8]()
        result.reserveCapacity(data.count + data.count / 4)
        let pad = [UInt8](repeating: 0x20, count: spaces)
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var lineStart = 0
            var firstLine = true
            while lineStart <= bytes.count {
                var end = lineStart
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                if end > lineStart && (first || !firstLine) { result.append(contentsOf: pad) }
                result.append(contentsOf: bytes[lineStart..<end])
                if end < bytes.count { result.append(0x0A) }
                firstLine = false
                lineStart = end + 1
            }
        }
        return Data(result)
    }
}
