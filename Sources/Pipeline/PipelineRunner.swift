import Coding
import Corpus
import Foundation
import Ingest
import TextAnalysis

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a pipeline: ingests, tokenises and analyses every document in parallel, reusing each
/// document's cached stage results when its content and every configuration up to the stage
/// are unchanged, then merges in document order and writes the out folder atomically.
public struct PipelineRunner: Sendable {
    public static let version = "0.1.0"

    public struct Options: Sendable {
        /// Ignore cached results (they are rewritten).
        public var force = false
        /// Run and write only this analysis stage (`kwic`, `frequencies`); others stay as they are.
        public var only: String?
        /// Wait for another run holding the out folder instead of failing.
        public var wait = false
        /// Called as documents finish: done, total.
        public var progress: (@Sendable (Int, Int) -> Void)?
        /// The process ends soon after the run (the command line): the run's large state (a large
        /// study's layouts, caches and results) is left for the exit to free instead of being
        /// freed first, a hundredth of a second at the end of every run of 2,000 transcripts.
        public var endsWithProcess = false
        /// `tmine flush-outputs` will be started for the out folder when the run ends, or the files
        /// set aside removed (``OutputFlush/removeSetAside(in:)``): files that the run replaces
        /// there are set aside for it to delete (``AtomicFile/setAsideReplacedFiles(in:)``) instead
        /// of being deleted on the run's way to its end.
        public var setAsideReplacedFiles = false

        public init() {}
    }

    public let configuration: PipelineConfiguration
    public let options: Options

    public init(configuration: PipelineConfiguration, options: Options = Options()) {
        self.configuration = configuration
        self.options = options
    }

    /// The cache keys of one document's stages, each chaining its content and every
    /// configuration up to the stage; nil content means the file could not be read.
    struct DocumentKeys: Sendable {
        var content: String?
        var source: String
        var id: String
        var ingest: String
        var tokenize: String
        var kwic: String?
        var frequencies: String?
        var suggest: String?

        init(
            content: String?, source: String, id: String, ingest: String, tokenize: String, kwic: String?,
            frequencies: String?, suggest: String?
        ) {
            self.content = content
            self.source = source
            self.id = id
            self.ingest = ContentHash.combining([content ?? "unreadable", ingest, source])
            self.tokenize = ContentHash.combining([self.ingest, tokenize])
            self.kwic = kwic.map { ContentHash.combining([self.tokenize, $0]) }
            self.frequencies = frequencies.map { ContentHash.combining([self.tokenize, $0]) }
            // Suggestion ids derive from the document id, which depends on the batch: key on it.
            // The lexicon is not in this key: suggestions are kept code by code, under code keys.
            self.suggest = suggest.map { ContentHash.combining([self.tokenize, $0, id]) }
        }
    }

    /// What one document contributes, from the cache or computed.
    struct DocumentResult: Sendable {
        /// Held only until written to corpus.json, so memory stays bounded by a chunk of documents.
        var document: Document?
        /// Or the document's bytes in the previous corpus.json, to copy.
        var previousCorpusRange: Range<Int64>?
        var documentID: String?
        var ingestKey = ""
        var failure: IngestError?
        var stats = DocumentStats()
        var lines: [ConcordanceLine] = []
        /// Or the document's lines in the previous kwic.json, to copy, and what made them.
        var previousKWICRange: Range<Int64>?
        var kwicKey: String?
        var counts: [DocumentCounts] = []
        var suggestions = SuggestionMerge.Prepared()
        /// The filter of the document's forms, when the run builds the batch's word index.
        var filter: FormFilter?
        var ran: Set<String> = []

        /// About the bytes it holds, for the documents loop's budget: the texts and what was
        /// made of them, by rough costs per item (measured sizes would cost more than they save).
        var approximateSize: Int {
            var size = 512 + suggestions.rendered.count + 320 * suggestions.suggestions.count
            size += 16 * (suggestions.groups.count + suggestions.examples.count)
            if let document { size += 2 * document.text.utf8.count + 160 * document.segments.count }
            size += 320 * lines.count
            for table in counts { size += table.speakers.reduce(0) { $0 + 48 * $1.counts.count } }
            return size
        }
    }

    /// Turns and tokens of one document: cached by the tokenize stage.
    struct DocumentStats: Sendable, BinaryCodable {
        var turns = 0
        var participantTurns = 0
        var tokens = 0
        var participantTokens = 0
        /// Participants' tokens in turns tied to no participant (a speaker no label or row names).
        var unattributedTokens = 0
        var participantIDs: [String] = []
        /// What the reader noted of how it read the document (no speaker labels found, say).
        var notes: [String] = []
        /// The transcribers' notes the tokeniser left out of the words (none when it keeps them).
        var transcriberNotes = NoteTally()

        init() {}

        func write(to writer: inout BinaryWriter) {
            for value in [turns, participantTurns, tokens, participantTokens, unattributedTokens] {
                writer.write(value)
            }
            writer.write(participantIDs)
            writer.write(notes)
            writer.write(transcriberNotes)
        }

        init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
            turns = try reader.read()
            participantTurns = try reader.read()
            tokens = try reader.read()
            participantTokens = try reader.read()
            unattributedTokens = try reader.read()
            participantIDs = try reader.read()
            notes = try reader.read()
            transcriberNotes = try reader.read()
        }
    }

    /// The notes the readers left on how they read each document (no speaker labels found, the
    /// one who asks most taken for the interviewer, participant speakers without an id): they
    /// change whose words are whose, and were only in corpus.json. The first 20, and a count.
    static func readingNotes(_ results: [DocumentResult]) -> [String] {
        readingNotes(results.lazy.filter { $0.failure == nil }.map { ($0.documentID ?? "?", $0.stats.notes) })
    }

    /// Each document's notes on how it was read, "document: note", the first 20 and a count: for
    /// runs and the exploring commands alike.
    public static func readingNotes(_ documents: some Sequence<(id: String, notes: [String])>) -> [String] {
        var said: [String] = []
        for (id, notes) in documents {
            for note in notes { said.append("\(id): \(note)") }
        }
        guard said.count > 20 else { return said }
        return Array(said.prefix(20)) + ["and \(said.count - 20) more notes on how documents were read (corpus.json)"]
    }

    /// What to say of keyword-in-context queries found nowhere: a misspelt query or wildcard
    /// otherwise shows only as lines missing from kwic.json.
    static func queriesWithoutHits(
        _ hits: [RunReport.QueryHits]?, documents: Int, roles: Set<SpeakerRole> = [.participant],
        phrases: Tokenizer.Options.PhraseScope = .sentence
    ) -> [String] {
        let missing = (hits ?? []).filter { $0.hits == 0 }.map(\.query)
        guard !missing.isEmpty, documents > 0 else { return [] }
        // The turns the stage leaves out are the other likely place (the interviewer's, text
        // without a speaker label); for a phrase, a sentence's end between its words.
        let left = SpeakerRole.allCases.filter { !roles.contains($0) }.map(\.rawValue).joined(separator: ", ")
        let phrase = phrases == .sentence && missing.contains(where: Query.isPhrase)
        return [
            "kwic: no hit for " + missing.map { "\"\($0)\"" }.joined(separator: ", ")
                + " in \(documents.counted("document")) (misspelt, "
                + (left.isEmpty ? "" : "said only in turns the kwic stage does not read (\(left)), ")
                + (phrase ? "a phrase only across a sentence's end (phrases: turn lets it cross), " : "")
                + "or only inside transcribers' notes? tmine kwic QUERY PIPELINE --role all shows which)"
        ]
    }

    /// What to say of transcripts read twice under two names (`interview-03 - Copy.docx`, a copy
    /// left in a subfolder): the same bytes, so every word of them counted twice.
    static func sameBytes(_ hashes: [String?], sources: [String]) -> [String] {
        var first: [String: Int] = [:]
        var copies: [Int: [Int]] = [:]
        for (index, hash) in hashes.enumerated() {
            guard let hash else { continue }
            if let original = first[hash] {
                copies[original, default: []].append(index)
            } else {
                first[hash] = index
            }
        }
        return copies.keys.sorted().map { original in
            let names = ([original] + copies[original, default: []]).map { sources[$0] }
            return "the same transcript is read \(names.count == 2 ? "twice" : "\(names.count) times"), its words "
                + "counted each time: "
                + names.joined(separator: ", ") + " have the same bytes"
        }
    }

    /// What to say of transcripts of one name in two formats in one folder (`interview-03.docx`
    /// and its `interview-03.txt` export, a `.vtt` beside the cleaned `.docx`): most often one
    /// interview, every word of it counted twice, which the same-bytes check cannot see.
    static func sameNameInFormats(_ sources: [String]) -> [String] {
        // Each path without its extension (its folder and stem) seen once, and only those seen
        // again listed: run on every run, nothing changed or not, over every transcript's path.
        var first: [String: Int] = [:]
        var again: [Int: [String]] = [:]
        for (index, source) in sources.enumerated() {
            let slash = source.utf8.lastIndex(of: UInt8(ascii: "/")).map { source.utf8.index(after: $0) }
            let key = String(source[..<(slash ?? source.startIndex)]) + Ingestor.documentID(for: source)
            if let earlier = first[key] {
                again[earlier, default: [sources[earlier]]].append(source)
            } else {
                first[key] = index
            }
        }
        return again.keys.sorted().compactMap { key in
            guard let names = again[key] else { return nil }
            return names.joined(separator: ", ") + ": one name in \(names.count) formats, each read; "
                + "if they are one interview, its words are counted \(names.count == 2 ? "twice" : "\(names.count) times") "
                + "(leave one out with the inputs' exclude)"
        }
    }

    /// What to say of participants who speak in the transcripts (a label such as `P12:`) but have
    /// no row in the participants file: their words are counted, in no attribute's group. Nil
    /// when every one has a row.
    static func unlistedParticipants(_ results: [DocumentResult], table: ParticipantTable, file: String) -> String? {
        let listed = Set(table.participants.map(\.id))
        var documents: [String: [String]] = [:]
        for result in results where result.failure == nil {
            for id in result.stats.participantIDs where !listed.contains(id) {
                documents[id, default: []].append(result.documentID ?? "?")
            }
        }
        guard !documents.isEmpty else { return nil }
        let ids = documents.keys.sorted(by: utf8Precedes)
        let named = ids.prefix(10).map { "\($0) (\(documents[$0, default: []].joined(separator: ", ")))" }
        return "\(ids.count == 1 ? "a participant speaks" : "\(ids.count) participants speak") in the transcripts "
            + "with no row in \((file as NSString).lastPathComponent): " + named.joined(separator: ", ")
            + (ids.count > 10 ? ", …" : "") + "; their words are counted in no attribute's group (\"(none)\")"
    }

    /// What to say of transcripts the participants file names that are not among the inputs (a
    /// name misspelt, a file moved or left out): a transcript that needs its row (no labels, or
    /// `R:`) is then no one's, and nothing said so before the run's counts.
    public static func transcriptsNamedNowhere(
        table: ParticipantTable, files: [String], file: String
    ) -> String? {
        let unmatched = ParticipantIndex(table).entriesNamingNoFile(files)
        guard !unmatched.isEmpty else { return nil }
        let names = files.map { ($0 as NSString).lastPathComponent }
        let named = unmatched.prefix(10).map { participant, entry in
            "\(participant): \(entry)" + (Spelling.closest(to: entry, in: names).map { " (\($0)?)" } ?? "")
        }
        return "\((file as NSString).lastPathComponent) names "
            + (unmatched.count == 1 ? "a transcript" : "\(unmatched.count) transcripts")
            + " not among the inputs: " + named.joined(separator: ", ") + (unmatched.count > 10 ? ", …" : "")
    }

    /// A new output file in `out`, appearing under its name only when committed.
    func output(_ name: String, in out: String) throws(PipelineError) -> AtomicFile.Writer {
        do {
            return try AtomicFile.Writer(
                path: (out as NSString).appendingPathComponent(name), durable: !OutputFlush.deferred)
        } catch {
            throw PipelineError(file: error.file, message: error.message)
        }
    }

    /// Runs the pipeline. Throws ``PipelineError`` for configuration problems (exit 2); failed
    /// transcripts are listed in the report and never stop the others.
    public func run() throws(PipelineError) -> RunReport {
        let started = Date()
        let out = configuration.outputFolder
        // Every code's version depends on the lexicon and the stage's options alone: made beside
        // the setup below, where this thread made them once it had the documents' keys (0.5 ms
        // of a 10 MB lexicon edit's main thread, the other core mostly idle then).
        let codeVersionsAhead = configuration.suggest.map { stage in Deferred { stage.codeVersions } }
        defer { _ = codeVersionsAhead?.value }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw PipelineError(file: out, message: "cannot create the out folder")
        }
        let lock = RunLock(folder: out)
        try lock.acquire(wait: options.wait)
        defer { lock.release() }
        AtomicFile.removeLeftovers(in: out)
        if options.setAsideReplacedFiles { OutputFlush.setAsideReplacedFiles(in: out) }

        // The transcripts are listed, and the last run's hashes read, on other threads while
        // the participants are read; they are waited for before the lock is let go, even when
        // reading the participants fails. The contents are hashed after, from this thread: work
        // spread from a pool thread while this one is busy got no second core here (Linux's
        // libdispatch adds a pool thread only when it next looks), so it ran on one.
        let transcripts = Deferred { [configuration] in
            var failures: [IngestError] = []
            let files = configuration.transcriptFiles(&failures)
            return (
                files: files, failures: failures, ids: Ingestor.uniqueIDs(for: files),
                sources: relativePaths(files, from: configuration.baseFolder)
            )
        }
        defer { _ = transcripts.value }
        // Beside the listing, not after it: the listing was what this thread waited for once the
        // participants were read.
        let storedHashes = Deferred { [out] in TranscriptHashes.load(from: out) }
        defer { _ = storedHashes.value }
        // And the manifest, which the run needs only once the transcripts' keys are made.
        let storedManifest = Deferred { [out] in RunManifest.load(from: out) }
        defer { _ = storedManifest.value }

        // Participants and hashes of everything a result depends on.
        var participants = ParticipantTable.empty
        var warnings: [String] = []
        var participantsHash: String?
        if let path = configuration.participants {
            do {
                // Read without a URL, whose making asked the runtime about two protocols at
                // start-up (a scan of every conformance record each: 0.2 ms).
                guard let bytes = AtomicFile.contents(of: path) else {
                    throw PipelineError(file: path, message: AtomicFile.cannotRead("participants file", at: path))
                }
                let data = Data(bytes)
                let hash = ContentHash.of(data)
                participantsHash = hash
                let result = try StoredParticipants.read(
                    data: data, hash: hash, file: path, out: out, trusting: !options.force,
                    fallback: configuration.ingest.fallbackEncoding)
                participants = try configuration.banded(result.table)
                warnings += result.warnings
            } catch let error as PipelineError {
                throw error
            } catch let error as IngestError {
                throw PipelineError(
                    file: error.file, line: error.line, column: error.column,
                    message: error.message + (error.hint.map { " (\($0))" } ?? ""))
            } catch {
                throw PipelineError(file: path, message: AtomicFile.cannotRead("participants file", at: path))
            }
        }
        if let problem = configuration.missingAttribute(in: participants) {
            throw PipelineError(file: configuration.file, message: problem)
        }
        let stopwords: Stopwords
        do {
            stopwords = try configuration.tokenize.stopwordList()
        } catch {
            throw PipelineError(
                file: configuration.tokenize.stopwords,
                message: AtomicFile.cannotRead("stopword file", at: configuration.tokenize.stopwords))
        }
        // What the report says of the top terms (the list as read here, not read again for the page).
        let stopwordsLeftOut = configuration.frequencies?.removeStopwords != false && !stopwords.words.isEmpty
        let pipelineHash = ContentHash.of(Data(AtomicFile.contents(of: configuration.file) ?? []))
        let stopwordsHash = ContentHash.of(joined(stopwords.words.sorted(), separator: "\n"))
        // Ingest depends on who the participants are and which file is whose, not on attributes.
        let identity = participants.participants.map { participant in
            participant.id + "=" + (participants.documentColumn.flatMap { participant.attributes[$0] } ?? "")
        }
        let ingestHash = ContentHash.combining(
            ["ingest", RunManifest.build, SettingsKey.of(configuration.ingest), participants.documentColumn ?? ""]
                + identity)
        let analysedRoles = configuration.analysedRoles
        let tokenizeHash = ContentHash.combining([
            "tokenize", SettingsKey.of(configuration.tokenize.options), stopwordsHash,
            SettingsKey.of(analysedRoles.map(\.rawValue).sorted()),
        ])
        let kwicHash = configuration.kwic.map { stage in
            ContentHash.combining([
                "kwic", SettingsKey.of(stage.queries), String(stage.options.window),
                stage.options.unit.rawValue, stage.options.mode.rawValue,
                SettingsKey.of(stage.options.filter.roles.map(\.rawValue).sorted()),
                SettingsKey.of(stage.options.sort.map(\.description)),
            ])
        }
        let frequencyHash = configuration.frequencies.map { stage in
            ContentHash.combining([
                "frequencies", SettingsKey.of(stage.ngrams.sorted().map(String.init)), String(stage.stem),
                String(stage.removeStopwords), SettingsKey.of(stage.filter.roles.map(\.rawValue).sorted()),
            ])
        }
        let suggestHash = configuration.suggest?.hash
        let runSuggest = configuration.suggest != nil && (options.only == nil || options.only == "suggest")
        let runKWIC = configuration.kwic != nil && (options.only == nil || options.only == "kwic")
        let runFrequencies = configuration.frequencies != nil && (options.only == nil || options.only == "frequencies")

        let configuration = configuration
        let options = options
        // The documents, in path order, and the keys of every stage of each, from its content
        // (five SHA-256s a document: on both cores).
        let (files, listingFailures, ids, sources) = transcripts.value
        if files.isEmpty && listingFailures.isEmpty { warnings.append(configuration.noTranscripts) }
        // What to say of the transcripts' names, made beside the setup below (0.3 ms of a 10 MB
        // study's lexicon edit on this thread); a run with nothing to do says what the last full
        // run said, and never waits for them.
        let namesSaid = Deferred { [participants] in
            (
                formats: Self.sameNameInFormats(sources),
                nowhere: configuration.participants.flatMap { file in
                    Self.transcriptsNamedNowhere(table: participants, files: files, file: file)
                }
            )
        }
        let previousHashes = storedHashes.value
        var transcriptHashes = previousHashes
        let contentHashes = transcriptHashes.hashes(of: files, trusting: !options.force)
        transcriptHashes.save(in: out, unless: previousHashes)
        warnings += Self.sameBytes(contentHashes, sources: sources)
        let formatsSaidAt = warnings.count
        var failures = listingFailures
        let suggestOptionsHash = configuration.suggest?.optionsHash
        let keys = ConcurrentSlots<[DocumentKeys]>.map(8) { part in
            (part * files.count / 8..<(part + 1) * files.count / 8).map { index in
                DocumentKeys(
                    content: contentHashes[index], source: sources[index], id: ids[index], ingest: ingestHash,
                    tokenize: tokenizeHash, kwic: kwicHash, frequencies: frequencyHash, suggest: suggestOptionsHash)
            }
        }.flatMap { $0 }

        // Which outputs are out of date: an output whose key and file are as the last run left
        // them is kept, and the stages only it needs are not even read from the cache.
        var manifest = storedManifest.value
        // An output perhaps damaged by a crash is rebuilt, and nothing is copied from it.
        for file in manifest.distrustedCaches(in: out) { AtomicFile.remove(file) }
        let shared = [RunManifest.build, pipelineHash, participantsHash ?? "", stopwordsHash]
        let decisions = DecisionFiles(folder: configuration.decisionsFolder)
        let decisionsHash = runSuggest ? decisions.hash : ""
        // An output's key: `head`, then a part per document, `first + second` of `part`.
        func outputKey(_ head: [String], _ part: (DocumentKeys) -> (first: String, second: String)) -> String {
            var combiner = ContentHash.Combiner()
            for text in head { combiner.add(text) }
            for key in keys {
                let (first, second) = part(key)
                combiner.add(first, second)
            }
            return combiner.hash
        }
        let frequenciesKey = outputKey(["frequencies"] + shared) { ($0.frequencies ?? "", $0.id) }
        let outputKeys: [String: String] = [
            "corpus.json": outputKey(["corpus"] + shared) { ($0.ingest, $0.id) },
            "kwic.json": outputKey(["kwic"] + shared) { ($0.kwic ?? "", $0.id) },
            "frequencies.json": frequenciesKey, "frequencies.csv": frequenciesKey,
            "suggestions.json": outputKey(["suggest", decisionsHash, suggestHash ?? ""] + shared) {
                ($0.suggest ?? "", "")
            },
        ]
        func stale(_ name: String) -> Bool {
            options.force || !manifest.isCurrent(name, key: outputKeys[name] ?? "", in: out)
        }
        let reportKey = ContentHash.combining(
            ["report"]
                + ["corpus.json", "kwic.json", "frequencies.json", "suggestions.json"].map { outputKeys[$0] ?? "" })
        let writeCorpus = options.only == nil && stale("corpus.json")
        // What a run that keeps kwic.json reports of its hits; without them the file is written again.
        let storedKWICTally =
            configuration.kwic != nil && !stale("kwic.json")
            ? configuration.kwic.flatMap { KWICHits.load(in: out, queries: $0.queries) } : nil
        let writeKWIC = runKWIC && (stale("kwic.json") || storedKWICTally == nil)
        let writeFrequencies = runFrequencies && (stale("frequencies.json") || stale("frequencies.csv"))
        let writeSuggestions = runSuggest && stale("suggestions.json")
        let writeReport =
            options.only == nil && (options.force || !manifest.isCurrent("report.html", key: reportKey, in: out))
        // suggestions.json's previous elements copied into the next one while the run sets up
        // (see ``SuggestionSpeculation``).
        let suggestionsStart =
            writeSuggestions && !options.force && !manifest.untrusted.contains("suggestions.json")
            ? Deferred { [out] in
                SuggestionSpeculation.start(
                    out: out, path: (out as NSString).appendingPathComponent("suggestions.json"),
                    recycling: RetiredOutputs(in: (out as NSString).appendingPathComponent(".cache"))
                        .path(of: "suggestions.json"))
            } : nil
        // The report shows frequencies and suggestions, so rebuilding it needs them in memory;
        // frequencies unchanged since they were last merged are read back from the cache.
        // The report's frequency sections as rendered then, or else the tables themselves.
        let reportFrequenciesKey = ContentHash.combining(["report frequencies", frequenciesKey])
        let storedSections =
            writeReport && runFrequencies && !writeFrequencies && !options.force
            ? HTMLReport.FrequencySections.load(from: out, key: reportFrequenciesKey) : nil
        let storedFrequencies =
            writeReport && runFrequencies && !writeFrequencies && !options.force && storedSections == nil
            ? MergedFrequencies.load(from: out, key: frequenciesKey) : nil
        let loadFrequencies =
            writeFrequencies || (writeReport && runFrequencies && storedFrequencies == nil && storedSections == nil)
        let loadSuggestions = writeSuggestions || (writeReport && runSuggest)
        let checked = Date()
        if options.only == nil, !writeCorpus, !writeKWIC, !loadFrequencies, !loadSuggestions, !writeReport,
            var report = manifest.lastReport(in: out)
        {
            return try unchanged(
                report: &report, ids: keys.compactMap { $0.content == nil ? nil : $0.id }, started: started,
                checked: checked)
        }

        let cache = StageCache(folder: (out as NSString).appendingPathComponent(".cache"))
        cache.readIndexAhead()
        // The previous suggestions' index, which the suggestion merge starts with, read beside
        // the setup below (0.3 ms of a 10 MB lexicon edit's main thread).
        let previousSuggestions =
            loadSuggestions && configuration.suggest != nil && !manifest.untrusted.contains("suggestions.json")
            ? Deferred { [out] in SuggestionIndex.previous(in: out) } : nil
        defer { _ = previousSuggestions?.value }
        // And the codes' history (0.35 ms of it), once the codes' versions are made.
        let historyAhead = configuration.suggest.flatMap { stage in
            loadSuggestions
                ? Deferred { [out, options = configuration.tokenize.options] in
                    CodeHistory(
                        lexicon: stage.lexicon, current: codeVersionsAhead?.value ?? [], out: out, options: options)
                } : nil
        }
        defer { _ = historyAhead?.value }
        // A document's KWIC lines and suggestions carry its participants' attributes, so the
        // previous outputs' bytes of them are copied only under a key that holds those too (its
        // stage's key, `+`, this): one participant's attributes edited, only that participant's
        // documents are rendered again. Hashed on a thread of their own while this one sets up
        // (2,000 participants' took 2.5 ms here), and not at all by a run with nothing to do;
        // with each participant's key as the only speaker of a document (most documents': made
        // by the workers, they were 1 % of a lexicon edit's CPU).
        let attributeHashes = Deferred { [byID = participants.byID] in
            var hashes: [String: String] = [:]
            var alone: [String: String] = [:]
            for (id, participant) in byID {
                let hash = ContentHash.combining(
                    participant.attributes.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] })
                hashes[id] = hash
                alone[id] = ContentHash.combining([id, hash])
            }
            return (hashes: hashes, alone: alone)
        }
        @Sendable func speakersKey(_ speakers: [String]) -> String {
            let hashes = attributeHashes.value
            if speakers.count == 1, let alone = hashes.alone[speakers[0]] { return alone }
            return ContentHash.combining(speakers.sorted().flatMap { [$0, hashes.hashes[$0] ?? "-"] })
        }
        var retired = RetiredOutputs(in: cache.folder)
        // The batch's turn counts and form filters: read when this batch's are stored (a lexicon
        // edit), else built as the run goes, each document's taken from the stored index of
        // another batch when it has them, else from the document's words.
        let wordsKey = WordIndex.key(tokenizeKeys: keys.map(\.tokenize))
        let storedWordIndex =
            configuration.suggest != nil && !options.force ? Deferred { [out] in WordIndex.load(from: out) } : nil
        let ingestor: Ingestor
        do {
            ingestor = try Ingestor(options: configuration.ingest, participants: participants)
        } catch {
            throw PipelineError(file: configuration.file, message: "\(error)")
        }
        let queries = (configuration.kwic?.queries ?? []).compactMap { try? Query($0) }
        let needsStems =
            configuration.kwic?.options.mode == .stem || configuration.frequencies?.stem == true
            || configuration.suggest?.lexicon.codes.contains { $0.match == .stem } == true
        let done = Counter()
        let timer = StageTimer()
        // Compiled once for the run (for each set of codes to match again); each document binds
        // it to its own vocabulary.
        let codeVersions = codeVersionsAhead?.value ?? []
        let codeKeys = codeVersions.map(\.key)
        let absentKeys = codeVersions.map { CodeHistory.absentKey(of: $0.name) }
        let codeHistory = historyAhead?.value
        // The batch's heads' filters, read by the first document a wildcard edit asks of them, or
        // ahead, beside the setup, when a code with a wildcard changed; built with the word index
        // when missing (removed when found unsound).
        let headIndex = Lazy { [out, count = files.count] () -> HeadIndex? in
            // Only beside the word index of this very batch (another batch's takes its own).
            guard let stored = storedWordIndex?.value ?? nil, stored.key == wordsKey, stored.index.count == count
            else { return nil }
            return HeadIndex.load(from: out, key: wordsKey, count: count)
        }
        if codeHistory?.changesWildcards == true { headIndex.startAhead() }
        // Decisions are joined to each document's suggestions, and the suggestions rendered, by
        // the workers (`preparation`); the merge thread records them in order.
        var suggestionMerge: SuggestionMerge?
        if loadSuggestions, let stage = configuration.suggest {
            do {
                // Everything besides the lexicon and each document's suggestions, participants and
                // decisions that the rendered suggestions depend on: a previous file made in the
                // same context can lend this run the elements of documents whose suggestions are
                // as they were.
                let context = ContentHash.combining(["suggestion layout", RunManifest.build, stage.optionsHash])
                suggestionMerge = try SuggestionMerge(
                    stage: stage, participants: participants, decisions: decisions,
                    out: out,
                    writing: writeSuggestions ? (out as NSString).appendingPathComponent("suggestions.json") : nil,
                    study: configuration.study,
                    lexiconSource: relativePath(stage.lexiconFile, from: configuration.baseFolder),
                    context: context, reusing: !options.force, recycling: retired.path(of: "suggestions.json"),
                    trustingPrevious: !manifest.untrusted.contains("suggestions.json"),
                    started: suggestionsStart?.value, previousAhead: previousSuggestions)
            } catch {
                throw PipelineError(file: error.file, message: error.message)
            }
            warnings += suggestionMerge?.warnings ?? []
        }
        let storedIndex = storedWordIndex?.value ?? nil
        let wordIndex = storedIndex.flatMap { $0.key == wordsKey && $0.index.count == files.count ? $0.index : nil }
        let buildWordIndex =
            configuration.suggest != nil && (wordIndex == nil || !HeadIndex.exists(in: out)) && options.only == nil
        let otherBatch =
            buildWordIndex
            ? storedIndex.map { stored in
                (
                    stored.index, stored.index.documentsByKey,
                    Lazy { [out] in HeadIndex.load(from: out, key: stored.key, count: stored.index.count) }
                )
            } : nil
        let preparation = suggestionMerge?.preparation
        let previousLayout = suggestionMerge?.previousLayout
        let alignment = previousLayout.map { layout in
            CodeAlignment(
                layout: layout, index: preparation?.previous, codes: codeVersions, absentKeys: absentKeys,
                history: codeHistory)
        }
        let compiledLexicons = CompiledLexicons(
            lexicon: configuration.suggest?.lexicon, options: configuration.tokenize.options, timer: timer)
        let suggester = configuration.suggest.map { CodeSuggester(lexicon: $0.lexicon, options: $0.options) }
        // corpus.json, copying from the previous one the documents it has as they are.
        let corpusOutput: CorpusWriter?
        do throws(FileWriteError) {
            corpusOutput =
                writeCorpus
                ? try CorpusWriter(
                    path: (out as NSString).appendingPathComponent("corpus.json"),
                    previous: options.force ? nil : OutputLayout.load("corpus.json", in: out),
                    recycling: retired.path(of: "corpus.json")) : nil
        } catch {
            throw PipelineError(file: error.file, message: error.message)
        }
        // kwic.json, copying from the previous one the lines of documents it has as they are,
        // when made in the same context.
        let kwicContext = ContentHash.combining(["kwic layout", RunManifest.build, kwicHash ?? ""])
        let previousKWIC =
            writeKWIC && !options.force && configuration.kwic?.options.sort.isEmpty == true
            ? OutputLayout.load("kwic.json", in: out, context: kwicContext) : nil
        @Sendable func process(_ index: Int) -> DocumentResult {
            var result = DocumentResult()
            defer { options.progress?(done.increment(), files.count) }
            let key = keys[index]
            let source = key.source
            var bundle = cache.bundle(key: key.ingest, ignoringCache: options.force || key.content == nil)
            defer { cache.store(bundle) }
            // The document is decoded only when something needs it: a run that only merges
            // cached results (after a decision, say) never pays for the texts.
            var document: Document?
            var stats =
                wordIndex?.stats[index] ?? bundle.value(DocumentStats.self, stage: "tokenize", key: key.tokenize)
            let keysCarrySpeakers = writeKWIC || loadSuggestions
            let cachedSpeakers =
                keysCarrySpeakers ? stats.map { ($0.participantIDs, speakersKey($0.participantIDs)) } : nil
            let kwicRange =
                writeKWIC
                ? key.kwic.flatMap { kwic in
                    cachedSpeakers.flatMap { previousKWIC?.layout.range(of: key.id, key: kwic + "+" + $0.1) }
                } : nil
            var lines =
                writeKWIC && kwicRange == nil
                ? key.kwic.flatMap { bundle.value([ConcordanceLine].self, stage: "kwic", key: $0) } : []
            var counts =
                loadFrequencies
                ? key.frequencies.flatMap { bundle.value([DocumentCounts].self, stage: "frequencies", key: $0) } : []
            // Whether a code's earlier version (`carry`) kept its suggestions in this document:
            // none of the document's words could match a pattern the edit added or removed
            // (nil when the document's words are not cached).
            var forms: [String]??
            var surfaces: [String]??
            func keeps(_ carry: CodeHistory.Carry) -> Bool? {
                // Unknown words (a first or forced run): the probe is not even compiled.
                guard wordIndex != nil || bundle.has(stage: "forms", key: key.tokenize) else { return nil }
                let probe = carry.probe
                // The batch's filters rule out most documents without reading their words.
                if let wordIndex,
                    probe.couldMatch(
                        documentHas: { wordIndex.mayContain(document: index, $0) },
                        headLength: FormFilter.headLength,
                        startingWith: { headIndex.value?.mayStart(document: index, with: $0) ?? true }) == false
                {
                    return true
                }
                if forms == nil, let encoded = bundle.bytes(stage: "forms", key: key.tokenize),
                    let could = probe.couldMatch(encodedForms: encoded)
                {
                    return !could
                }
                if forms == nil { forms = .some(bundle.value([String].self, stage: "forms", key: key.tokenize)) }
                guard let words = forms ?? nil else { return nil }
                if probe.matchesSpellings, surfaces == nil {
                    surfaces = .some(bundle.value([String].self, stage: "spellings", key: key.tokenize))
                }
                if probe.matchesSpellings, surfaces ?? nil == nil { return nil }
                return !probe.couldMatch(forms: words, surfaces: (surfaces ?? nil) ?? [])
            }
            // A document whose every code's suggestions are as the previous suggestions.json
            // holds them (same version, or an earlier one this document keeps) is copied from there.
            // Codes the edit added, removed or renamed are matched by name: the document is copied
            // when none of its suggestions is of a removed code and none of its words could match
            // an added one (its suggestions are ordered by place, then by code, so the elements
            // are the same while the codes keep their order).
            var reused: SuggestionLayout.Document?
            if loadSuggestions, key.content != nil, let previousLayout, let alignment,
                let record = previousLayout.document(key.id), let suggest = key.suggest,
                let speakers = cachedSpeakers?.1, let preparation,
                record.key == preparation.layoutKey(document: key.id, suggest: suggest, speakers: speakers),
                let (positions, aligned) = alignment.positions(in: record),
                aligned || alignment.suggestions(of: record, areAllOf: positions)
            {
                let previousSources = previousLayout.sources(of: record)
                var sources: [String] = []
                var carried: [String] = []
                var kept = true
                for code in codeKeys.indices {
                    let source = positions[code] >= 0 ? previousSources[positions[code]] : absentKeys[code]
                    sources.append(source)
                    guard source != codeKeys[code] else { continue }
                    guard let carry = codeHistory?.carries[code].first(where: { $0.key == source }),
                        keeps(carry) == true
                    else {
                        kept = false
                        break
                    }
                    carried.append(carry.key)
                }
                if kept {
                    reused = record
                    if !aligned { reused?.current = sources }
                    for key in carried { codeHistory?.carried(from: key) }
                }
            }
            // Suggestions code by code: only codes whose key is not cached are matched again.
            // Their texts are cut from the document, read for them here; when it cannot be
            // read, every code is matched again.
            var byCode: [String: [Suggestion]] = [:]
            if loadSuggestions, reused == nil, let suggestKey = key.suggest,
                let cached = bundle.value(CachedSuggestions.self, stage: "suggest", key: suggestKey)
            {
                if !cached.isComplete {
                    document = bundle.value(Document.self, stage: "ingest", key: key.ingest)
                }
                byCode = cached.completed(from: document?.text ?? "") ?? [:]
            }
            var dirty =
                loadSuggestions && reused == nil ? Set(codeKeys.indices.filter { byCode[codeKeys[$0]] == nil }) : []
            // Where each code's suggestions come from (an earlier version's key when carried over).
            var sources = codeKeys
            // After a lexicon edit, a code keeps its earlier suggestions in a document none of
            // whose words could match a pattern the edit added or removed. They stay in the cache
            // under the earlier key (rewriting every document's file was a fifth of such a run);
            // the history keeps that version for the next run to carry them over again.
            // A code whose earlier suggestions are here but whose changed words this document may
            // hold is matched again only where they may be (`onlyTurns`, below).
            var splices: [Int: (probe: CompiledLexicon, kept: [Suggestion])] = [:]
            if !dirty.isEmpty, let codeHistory {
                for code in dirty {
                    for carry in codeHistory.carries[code] {
                        guard let kept = carry.isEmpty ? [] : byCode[carry.key] else { continue }
                        guard let keeps = keeps(carry) else { break }
                        guard keeps else {
                            if splices[code] == nil { splices[code] = (carry.probe, kept) }
                            continue
                        }
                        byCode[codeKeys[code]] = kept
                        sources[code] = carry.key
                        dirty.remove(code)
                        codeHistory.carried(from: carry.key)
                        break
                    }
                }
            }
            // Each such code matched again only in the turns whose bytes could hold a word of a
            // pattern it gained or lost, keeping its earlier suggestions in the others: a lexicon
            // edit that matches in a twentieth of the documents spent a third of its work
            // tokenising them whole again. Only when nothing else needs this document's tokens.
            var onlyTurns: Set<Int>?
            if !dirty.isEmpty, dirty.allSatisfy({ splices[$0] != nil }), stats != nil, lines != nil, counts != nil,
                !buildWordIndex, bundle.has(stage: "forms", key: key.tokenize)
            {
                if document == nil { document = bundle.value(Document.self, stage: "ingest", key: key.ingest) }
                if let document {
                    onlyTurns = Self.turns(
                        of: document, roles: analysedRoles, couldMatch: dirty.compactMap { splices[$0]?.probe })
                }
            }
            var suggestions: [Suggestion]? = nil
            let needTokens = stats == nil || lines == nil || counts == nil || !dirty.isEmpty
            // corpus.json needs the document unless the previous one has it as it is.
            let corpusRange = writeCorpus ? corpusOutput?.previousRange(of: key.id, ingestKey: key.ingest) : nil
            let renderCorpus = writeCorpus && corpusRange == nil
            if document == nil && (needTokens || renderCorpus) {
                document = bundle.value(Document.self, stage: "ingest", key: key.ingest)
            }
            if document == nil && (needTokens || renderCorpus) {
                let data: Data
                do {
                    data = try Ingestor.contents(of: files[index], source: source)
                } catch {
                    result.failure = error
                    return result
                }
                // The keys come from the content read before: a file changed since must not be
                // cached under them.
                guard ContentHash.of(data) == key.content else {
                    result.failure = IngestError(
                        .unreadableFile, file: source, message: "the file changed while the run read it; run again")
                    return result
                }
                do {
                    let ingested = try timer.measure("ingest") { try ingestor.read(data: data, source: source) }
                    bundle.set(ingested, stage: "ingest", key: key.ingest)
                    document = ingested
                } catch let error as IngestError {
                    result.failure = error
                    return result
                } catch {
                    result.failure = IngestError(.unreadableFile, file: source, message: "\(error)")
                    return result
                }
                result.ran.insert("ingest")
            }
            document?.id = key.id
            result.documentID = key.id
            result.ingestKey = key.ingest
            result.previousCorpusRange = corpusRange
            result.previousKWICRange = kwicRange
            result.document = renderCorpus ? document : nil

            if needTokens, let document {
                let tokenized = timer.measure("tokenize") {
                    TokenizedCorpus(
                        documents: [document], options: configuration.tokenize.options, stopwords: stopwords,
                        computeStems: needsStems, roles: analysedRoles, segments: onlyTurns)
                }
                result.ran.insert("tokenize")
                // A document's distinct forms and spellings, so that a lexicon edit can tell
                // without tokenising again which documents the changed patterns could match.
                if configuration.suggest != nil, !bundle.has(stage: "forms", key: key.tokenize) {
                    bundle.set(tokenized.forms.termList, stage: "forms", key: key.tokenize)
                    bundle.set(tokenized.surfaces.termList, stage: "spellings", key: key.tokenize)
                }
                if buildWordIndex {
                    result.filter = FormFilter(forms: tokenized.forms)
                }
                if stats == nil {
                    var computed = DocumentStats()
                    let tokenizer = Tokenizer(options: configuration.tokenize.options)
                    for (segment, tokens) in zip(document.segments, tokenized.tokens[0]) {
                        // Turns no stage reads were not tokenised: their words are only counted.
                        let count = analysedRoles.contains(segment.role) ? tokens.count : tokenizer.count(segment.text)
                        computed.turns += 1
                        computed.tokens += count
                        if segment.role == .participant {
                            computed.participantTurns += 1
                            computed.participantTokens += count
                            if segment.participantID == nil { computed.unattributedTokens += count }
                        }
                    }
                    computed.participantIDs = Set(document.segments.compactMap(\.participantID)).sorted()
                    computed.notes = document.notes
                    if !configuration.tokenize.options.annotations {
                        computed.transcriberNotes = NoteTally(document: document)
                    }
                    stats = computed
                    bundle.set(computed, stage: "tokenize", key: key.tokenize)
                }
                if lines == nil, let stage = configuration.kwic, let kwicKey = key.kwic {
                    let computed = timer.measure("kwic") {
                        Concordancer(options: stage.options).lines(of: queries, in: tokenized)
                    }
                    bundle.set(computed, stage: "kwic", key: kwicKey)
                    lines = computed
                    result.ran.insert("kwic")
                }
                if counts == nil, let stage = configuration.frequencies, let frequencyKey = key.frequencies {
                    let computed = timer.measure("frequencies") {
                        stage.ngrams.map { n in
                            FrequencyCounter(options: stage.counterOptions(ngram: n)).counts(
                                ofDocument: 0, in: tokenized)
                        }
                    }
                    bundle.set(computed, stage: "frequencies", key: frequencyKey)
                    counts = computed
                    result.ran.insert("frequencies")
                }
                if !dirty.isEmpty, let suggester, let suggestKey = key.suggest {
                    let computed = timer.measure("suggest") {
                        let matcher = LexiconMatcher(compiled: compiledLexicons.codes(dirty), corpus: tokenized)
                        return suggester.suggestions(ofDocument: 0, in: tokenized, matcher: matcher)
                    }
                    let found = Dictionary(grouping: computed, by: \.code)
                    for code in dirty {
                        let matched = found[suggester.lexicon.codes[code].name] ?? []
                        if let onlyTurns, let kept = splices[code]?.kept {
                            byCode[codeKeys[code]] = kept.filter { !onlyTurns.contains($0.segmentIndex) } + matched
                        } else {
                            byCode[codeKeys[code]] = matched
                        }
                    }
                    let current = Set(codeKeys)
                    byCode = byCode.filter { current.contains($0.key) }
                    bundle.set(
                        CachedSuggestions(byCode, document: document), stage: "suggest", key: suggestKey)
                    suggestions = dirty.count == codeKeys.count && onlyTurns == nil ? computed : nil
                    result.ran.insert("suggest")
                }
            }
            if loadSuggestions, reused == nil, suggestions == nil, let suggester {
                suggestions = suggester.ordered(codeKeys.flatMap { byCode[$0] ?? [] })
            }
            result.stats = stats ?? DocumentStats()
            let speakers =
                keysCarrySpeakers
                ? cachedSpeakers.flatMap { $0.0 == result.stats.participantIDs ? $0.1 : nil }
                    ?? speakersKey(result.stats.participantIDs) : ""
            result.kwicKey = key.kwic.map { $0 + "+" + speakers }
            if buildWordIndex, result.filter == nil {
                result.filter =
                    otherBatch.flatMap { index, documents, heads in
                        documents[key.tokenize].flatMap { document in
                            heads.value.map { index.filter(of: document, heads: $0) }
                        }
                    }
                    ?? bundle.bytes(stage: "forms", key: key.tokenize).flatMap(FormFilter.init(encodedForms:))
            }
            // Named in place: the arrays are this document's alone by now (a copy of each line
            // retained and released every string it holds).
            result.lines = lines ?? []
            lines = nil
            for index in result.lines.indices { result.lines[index].documentID = key.id }
            result.counts = counts ?? []
            counts = nil
            for index in result.counts.indices { result.counts[index].documentID = key.id }
            if let reused, let preparation {
                result.suggestions = timer.measure("prepare suggestions") { preparation.prepare(copying: reused) }
            } else if let preparation {
                result.suggestions = timer.measure("prepare suggestions") {
                    preparation.prepare(
                        suggestions ?? [],
                        document: key.suggest.map {
                            (key.id, preparation.layoutKey(document: key.id, suggest: $0, speakers: speakers), sources)
                        })
                }
            }
            return result
        }

        // Documents in chunks, each chunk in parallel. As each chunk is done its documents go to
        // corpus.json and its KWIC lines, counts and suggestions are merged (and written) and let
        // go: memory holds a couple of chunks' results, not the corpus's.
        let merge = ChunkMerge(documents: files.count, timer: timer)
        do {
            merge.corpus = corpusOutput
            if loadFrequencies && storedFrequencies == nil, let stage = configuration.frequencies {
                merge.frequencies = FrequencyMerge(
                    stage: stage, participants: participants,
                    scratchFolder: (out as NSString).appendingPathComponent(".cache"))
            }
            if writeKWIC, let stage = configuration.kwic {
                merge.kwic = try KWICMerge(
                    stage: stage, participants: participants,
                    path: (out as NSString).appendingPathComponent("kwic.json"),
                    recycling: retired.path(of: "kwic.json"), previous: previousKWIC, context: kwicContext)
            }
            merge.suggestions = suggestionMerge
            if buildWordIndex { merge.wordIndex = WordIndex.Writer(in: out) }
        } catch {
            throw PipelineError(file: error.file, message: error.message)
        }
        // The replaced outputs kept by earlier runs, unless this run's writers took them.
        retired.discard(
            written: Set(
                [(writeCorpus, "corpus.json"), (writeKWIC, "kwic.json"), (writeSuggestions, "suggestions.json")]
                    .filter(\.0).map(\.1)),
            made: Set(
                ["corpus.json"] + (configuration.kwic == nil ? [] : ["kwic.json"])
                    + (configuration.suggest == nil ? [] : ["suggestions.json"])))
        // Documents on every core, to the merges in chunks, in order. The results waiting for the
        // merges are held to a budget of their (rough) size; a run that copies most documents
        // from the previous outputs holds little per document and runs far ahead of the merges.
        // In chunks one after another, each chunk waited for its slowest document while the
        // other core idled (a lexicon edit that matches in a twentieth of the documents has one
        // costly document in most chunks), and two chunks waiting held the cheap ones back.
        inOrderBatches(
            files.count, batch: max(16, activeCores * 8), window: 512,
            budget: 24 << 20, size: \.approximateSize, make: process
        ) { results, merged in merge.add(results, merged: merged) }
        merge.finish()
        let collected = merge.collected
        let corpusWriter = merge.corpus

        // Saved beside the run's end rather than before its report page, which waited for it.
        let historySaved = codeHistory.map { history in Deferred { [out] in history.save(codeVersions, in: out) } }
        defer { _ = historySaved?.value }

        // Merge in document order.
        let merging = Date()
        // Each document's id and stages run, read in place once: a loop over the results copied
        // each (a retain and release of every field) for every stage.
        var outcomes: [(id: String, stages: Set<String>)] = []
        var documentCount = 0
        for index in collected.indices {
            if let failure = collected[index].failure {
                failures.append(failure)
                continue
            }
            documentCount += 1
            if let id = collected[index].documentID { outcomes.append((id, collected[index].ran)) }
        }
        // The cache's index written and the packs it no longer names deleted, beside the outputs'
        // end rather than after it (a third of a millisecond of a 10 MB lexicon edit's last steps).
        let cacheFinished = Deferred { [cache, pruning = options.only == nil && failures.isEmpty] in
            cache.finish(pruning: pruning)
        }
        defer { _ = cacheFinished.value }
        let wrote = ["kwic": writeKWIC, "frequencies": writeFrequencies, "suggest": writeSuggestions]
        var stageReports: [RunReport.Stage] = []
        for stage in ["ingest", "tokenize"] + configuration.stageOrder.filter({ $0 != "tokenize" }) {
            var ran: [String] = []
            var cached: [String] = []
            for (id, stages) in outcomes {
                if stages.contains(stage) { ran.append(id) } else { cached.append(id) }
            }
            let active =
                stage == "kwic"
                ? runKWIC : stage == "frequencies" ? runFrequencies : stage == "suggest" ? runSuggest : true
            if !active { cached = [] }
            stageReports.append(RunReport.Stage(name: stage, ran: ran, cached: cached, wrote: wrote[stage] ?? active))
        }

        var written: [String] = []
        var savingIndex: Deferred<Void>?
        defer { _ = savingIndex?.value }
        // The suggestions' summary (and the report's tally) first: the report is rendered while
        // the outputs are written. What changed per code, which the page does not show, is
        // compared beside them (it held back the page, the last thing a lexicon edit waits for).
        var finishedSuggestions = merge.suggestions
        finishedSuggestions?.closeDecisions()
        let tally = finishedSuggestions?.tally
        let previousSummary = runSuggest && !writeSuggestions ? manifest.lastReport(in: out)?.suggestions : nil
        var suggestionSummary =
            previousSummary.map { $0.unchanged(lexicon: configuration.suggest?.lexicon) }
            ?? finishedSuggestions?.summary()
        let changes =
            previousSummary == nil ? finishedSuggestions.map { suggestions in Deferred { suggestions.changes() } } : nil
        let stats = collected.map(\.stats)
        warnings += Self.readingNotes(collected)
        // Each query's groups, with their words and rates when the frequencies counted the turns
        // the queries searched: from the merge's words here; a run that reads its frequency
        // tables or report sections from the cache groups them once it has read those (the
        // frequency task does, before the page), not twice.
        let frequencyWords = merge.frequencies?.words
        let table = participants
        let kwicTally = merge.kwic?.tally ?? storedKWICTally
        let rated = configuration.kwicHitsAreRated
        let ratedLater = frequencyWords == nil && rated && (storedFrequencies != nil || storedSections != nil)
        @Sendable func groupedKWIC(words: [String: Int]?) -> [RunReport.QueryHits]? {
            guard let kwicTally, let filter = configuration.kwic?.options.filter else { return nil }
            return kwicTally.grouped(participants: table, words: rated ? words : nil, filter: filter)
        }
        var kwicHits = ratedLater ? kwicTally?.queries : groupedKWIC(words: frequencyWords)
        warnings += Self.queriesWithoutHits(
            kwicHits, documents: documentCount, roles: configuration.kwic?.options.filter.roles ?? [.participant],
            phrases: configuration.tokenize.options.phrases)
        if let file = configuration.participants,
            let unlisted = Self.unlistedParticipants(collected, table: participants, file: file)
        {
            warnings.append(unlisted)
        }
        let said = namesSaid.value
        warnings.insert(contentsOf: said.formats, at: formatsSaidAt)
        if let nowhere = said.nowhere { warnings.append(nowhere) }
        let transcriberNotes =
            configuration.tokenize.options.annotations ? nil : RunReport.TranscriberNotes(stats.map(\.transcriberNotes))
        let unattributed = stats.reduce(0) { $0 + $1.unattributedTokens }
        let size = RunReport.Size(
            documents: documentCount, turns: stats.reduce(0) { $0 + $1.turns },
            participantTurns: stats.reduce(0) { $0 + $1.participantTurns }, tokens: stats.reduce(0) { $0 + $1.tokens },
            participantTokens: stats.reduce(0) { $0 + $1.participantTokens },
            unattributedTokens: unattributed > 0 ? unattributed : nil,
            participants: stats.reduce(into: Set<String>()) { $0.formUnion($1.participantIDs) }.count)
        func runReport(finished: Date) -> RunReport {
            var report = RunReport(
                tool: "TranscriptMiner", toolVersion: Self.version, study: configuration.study,
                pipeline: relativePath(configuration.file, from: FileManager.default.currentDirectoryPath),
                startedAt: isoTimestamp(started), finishedAt: isoTimestamp(finished),
                seconds: finished.timeIntervalSince(started),
                hashes: RunReport.Hashes(
                    pipeline: pipelineHash, participants: participantsHash, stopwords: stopwordsHash),
                kwic: kwicHits, transcriberNotes: transcriberNotes, tokenizer: configuration.tokenize.options,
                stages: stageReports, corpus: size,
                failures: failures.map(RunReport.Failure.init), warnings: warnings,
                outputs: written + ["run-report.json"], suggestions: suggestionSummary, timings: [:], methods: "")
            report.methods = MethodsStatement.text(for: report, configuration: configuration, stopwords: stopwords)
            return report
        }
        // What report.html shows of the run (its counts and methods, not its times or outputs).
        let reportForPage = writeReport ? runReport(finished: Date()) : nil
        func commit(_ name: String, _ sink: AtomicFile.Writer, key: String) throws(PipelineError) {
            do {
                try timer.measure("write") { try sink.commit() }
            } catch let error as FileWriteError {
                throw PipelineError(file: error.file, message: error.message)
            } catch {
                throw PipelineError(file: out, message: "\(error)")
            }
            written.append(name)
            manifest.record(name, key: key, in: out)
        }
        do {
            // The outputs are finished in parallel (each is one thread's work, the frequency files
            // two), then each is flushed to disk and committed, in order. Not flushed as each is
            // finished: a thread waiting for the disk holds one of the pool's two threads, and
            // the frequency tables and files were then made on one core while the other idled
            // (0.2–0.3 s at the end of a run adding a transcript to 2,000). The disk writes each
            // file as it is made meanwhile (``Corpus/AtomicFile/Writer`` hands it every 8 MB).
            struct Built: @unchecked Sendable {
                /// Files written as they were made, committed (renamed into place) in order
                /// once every output is built.
                var files: [(String, AtomicFile.Writer)] = []
                var corpus = false
                var warnings: [String] = []
                var suggestions: SuggestionMerge?
                /// The KWIC groups rated by words per participant read from the cache.
                var kwic: [RunReport.QueryHits]?
                var report: AtomicFile.Writer?
                /// kwic.json's layout, saved once the file is in place.
                var kwicLayout: OutputLayout?
                var failure: String?
            }
            let runner = self
            let kwicMerge = merge.kwic
            let suggestionsToWrite = finishedSuggestions
            let participants = participants
            // The longest first: both threads take tasks in order.
            let (frequenciesTask, suggestionsTask, corpusTask, kwicTask) = (0, 1, 2, 3)
            let built = ConcurrentSlots<Built>(count: 4)
            DispatchQueue.concurrentPerform(iterations: 4) { task in
                var result = Built()
                do {
                    switch task {
                    case corpusTask:
                        guard let corpusWriter else { break }
                        try corpusWriter.finish(study: configuration.study, participants: participants)
                        result.corpus = true
                    case kwicTask:
                        guard var kwicMerge, let stage = configuration.kwic else { break }
                        kwicMerge.finish(
                            Outputs.KWICFile(
                                study: configuration.study, queries: stage.queries, window: stage.options.window,
                                unit: stage.options.unit.rawValue, match: stage.options.mode.rawValue, lines: []))
                        kwicMerge.sink.handOver()
                        result.files.append(("kwic.json", kwicMerge.sink))
                        result.kwicLayout = kwicMerge.layout
                    case suggestionsTask:
                        guard var suggestionMerge = suggestionsToWrite, writeSuggestions else { break }
                        let sink = try timer.measure("write suggestions") {
                            let sink = try suggestionMerge.finish()
                            sink?.handOver()
                            return sink
                        }
                        if let sink { result.files.append(("suggestions.json", sink)) }
                        result.suggestions = suggestionMerge
                    default:
                        // Words read from the cache rate the KWIC groups, for the page and the run report.
                        func rate(_ words: [String: Int]?) {
                            if ratedLater { result.kwic = groupedKWIC(words: words) }
                        }
                        // The report, once the frequencies it shows are in hand: beside the
                        // frequency files when they are written (it only reads their content).
                        @Sendable func reportPage(
                            _ frequencies: Outputs.FrequenciesFile?, words: [String: Int]?, kwic: [RunReport.QueryHits]?
                        ) throws -> AtomicFile.Writer? {
                            guard var reportForPage else { return nil }
                            if let kwic { reportForPage.kwic = kwic }
                            return try timer.measure("report page") {
                                try runner.writeReportPage(
                                    reportForPage, frequencies: frequencies,
                                    sections: (storedSections, reportFrequenciesKey), tally: tally,
                                    words: words ?? frequencyWords ?? [:], participants: participants,
                                    lexicon: configuration.suggest?.lexicon, stopwordsLeftOut: stopwordsLeftOut,
                                    out: out)
                            }
                        }
                        if let storedFrequencies {
                            // Checked whole when the run began, so only a fault of this build fails here.
                            guard let stored = timer.measure("finish frequency tables", { storedFrequencies.value })
                            else {
                                result.failure =
                                    "the cached frequency tables (.cache/frequencies.bin) cannot be decoded; "
                                    + "run again with --force"
                                break
                            }
                            rate(stored.words)
                            result.warnings += stored.warnings
                            result.report = try reportPage(stored.file, words: stored.words, kwic: result.kwic)
                            break
                        }
                        guard var frequencyMerge = merge.takeFrequencies() else {
                            rate(storedSections?.words)
                            result.report = try reportPage(nil, words: storedSections?.words, kwic: result.kwic)
                            break
                        }
                        var finished = timer.measure("finish frequency tables") {
                            frequencyMerge.finish(study: configuration.study, warnings: &result.warnings)
                        }
                        let words = frequencyMerge.words
                        let warnings = result.warnings
                        let json = writeFrequencies ? try runner.output("frequencies.json", in: out) : nil
                        let csv = writeFrequencies ? try runner.output("frequencies.csv", in: out) : nil
                        // The rows a few groups at a time into both files; the report and the cache
                        // get the groups' top rows.
                        let shown = try timer.measure("finish frequency files") {
                            try Outputs.writeFrequencyFiles(&finished, json: json, csv: csv)
                        }
                        json?.handOver()
                        csv?.handOver()
                        let failures = ConcurrentSlots<String>(count: 2)
                        let page = ConcurrentSlots<AtomicFile.Writer>(count: 1)
                        inParallel(2) { part in
                            guard part > 0 else {
                                do {
                                    page[0] = try reportPage(shown, words: words, kwic: nil)
                                } catch {
                                    failures[part] = "\(error)"
                                }
                                return
                            }
                            MergedFrequencies(file: shown, words: words, warnings: warnings)
                                .save(in: out, key: frequenciesKey)
                        }
                        if let failure = failures.values.compactMap({ $0 }).first {
                            result.failure = failure
                        }
                        result.report = page[0]
                        if let json, let csv { result.files += [("frequencies.json", json), ("frequencies.csv", csv)] }
                    }
                } catch {
                    result.failure = "\(error)"
                }
                built[task] = result
            }
            for task in [corpusTask, kwicTask, suggestionsTask, frequenciesTask] {
                guard let result = built.values[task] else { continue }
                if let failure = result.failure {
                    throw PipelineError(file: out, message: "cannot encode the outputs: \(failure)")
                }
                if result.corpus, let corpusWriter {
                    retired.keep((out as NSString).appendingPathComponent("corpus.json"))
                    try corpusWriter.commit()
                    corpusWriter.layout.save(in: out)
                    written.append("corpus.json")
                    manifest.record("corpus.json", key: outputKeys["corpus.json"] ?? "", in: out)
                }
                warnings += result.warnings
                for (name, sink) in result.files {
                    retired.keep((out as NSString).appendingPathComponent(name))
                    try commit(name, sink, key: outputKeys[name] ?? "")
                    if name == "kwic.json" {
                        result.kwicLayout?.save(in: out)
                        if let kwicTally { KWICHits.save(kwicTally, in: out) }
                    }
                    if name == "suggestions.json", let suggestions = result.suggestions {
                        // Saved beside the run's last steps; the run waits for it before it ends.
                        savingIndex = Deferred {
                            timer.measure("save suggestion index") { suggestions.saveIndex(in: out) }
                        }
                    }
                }
            }
            if let sink = built.values[frequenciesTask]?.report {
                try commit("report.html", sink, key: reportKey)
            }
            if let rated = built.values[frequenciesTask]?.kwic { kwicHits = rated }
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError(file: out, message: "cannot write the outputs: \(error)")
        }
        if let changes { suggestionSummary?.perCode = changes.value }
        let finished = Date()
        var report = runReport(finished: finished)
        report.timings = timer.totals.mapValues { ($0 * 1000).rounded() / 1000 }
        report.timings["check"] = ((checked.timeIntervalSince(started)) * 1000).rounded() / 1000
        report.timings["merge"] = ((finished.timeIntervalSince(merging)) * 1000).rounded() / 1000
        report.timings["documents"] = ((merging.timeIntervalSince(checked)) * 1000).rounded() / 1000
        let reportBytes = try writeReportFile(report)
        if options.only == nil {
            manifest.setReport(reportBytes, writtenAt: reportFile)
        }
        manifest.save(in: out)
        if let writer = merge.takeWordIndex(), failures.isEmpty, collected.count == files.count,
            writer.count == files.count
        {
            // A reading started ahead is over first: it may remove the file it found unsound.
            if codeHistory?.changesWildcards == true { _ = headIndex.value }
            writer.commit(stats: collected.map(\.stats), keys: keys.map(\.tokenize), key: wordsKey)
        }
        if options.endsWithProcess {
            // What these hold (the results, the previous layout) is kept with them.
            LeftForExit.keep(
                merge, suggestionMerge as Any, finishedSuggestions as Any, cache, storedWordIndex as Any,
                headIndex as Any,
                otherBatch as Any, keys,
                codeHistory as Any, compiledLexicons, participants)
        }
        return report
    }

    /// How much of report.html is gathered before it is written.
    private static let pageWrite = 1 << 16

    /// report.html, written but not yet flushed to disk or in place.
    private func writeReportPage(
        _ report: RunReport, frequencies: Outputs.FrequenciesFile?,
        sections: (stored: HTMLReport.FrequencySections?, key: String), tally: HTMLReport.Tally?,
        words: [String: Int], participants: ParticipantTable, lexicon: Lexicon?, stopwordsLeftOut: Bool, out: String
    ) throws(PipelineError) -> AtomicFile.Writer {
        let order = Dictionary(
            participants.participants.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var html = HTMLReport(
            study: configuration.study, report: report,
            // Each participant's place looked up once, not at every comparison (two hashes of
            // a string each: half a per cent of a lexicon edit at 10 MB).
            wordsByParticipant: words.compactMap { $0.key.isEmpty ? nil : (order[$0.key] ?? .max, $0.key, $0.value) }
                .sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { ($0.1, $0.2) },
            frequencies: frequencies, tally: tally, lexicon: lexicon, participants: participants,
            groupings: configuration.frequencies?.groupings ?? [], stopwordsLeftOut: stopwordsLeftOut,
            minimumCount: configuration.frequencies?.minimumCount ?? 1)
        if let stored = sections.stored {
            html.frequencySections = stored
        } else if frequencies != nil {
            var rendered = html.renderFrequencySections()
            rendered.words = words
            rendered.save(in: out, key: sections.key)
            html.frequencySections = rendered
        }
        let sink = try output("report.html", in: out)
        // The page's parts (a section, a matrix row) gathered into writes of 64 KB: written as
        // they came, a 10 MB study's page was ~100 writes on a lexicon edit's main thread.
        var pending: [UInt8] = []
        pending.reserveCapacity(Self.pageWrite + (Self.pageWrite >> 2))
        html.render { part in
            var part = part
            part.withUTF8 { pending.append(contentsOf: $0) }
            if pending.count >= Self.pageWrite {
                sink.append(pending)
                pending.removeAll(keepingCapacity: true)
            }
        }
        sink.append(pending)
        sink.handOver()
        return sink
    }

    /// A run that found every output current: the last full run's report, stamped anew.
    private func unchanged(
        report: inout RunReport, ids: [String], started: Date, checked: Date
    ) throws(PipelineError) -> RunReport {
        let finished = Date()
        report.startedAt = isoTimestamp(started)
        report.finishedAt = isoTimestamp(finished)
        report.seconds = finished.timeIntervalSince(started)
        report.pipeline = relativePath(configuration.file, from: FileManager.default.currentDirectoryPath)
        report.stages = report.stages.map { stage in
            var stage = stage
            let done = Set(stage.ran + stage.cached)
            stage.cached = ids.filter(done.contains)
            stage.ran = []
            stage.wrote = false
            return stage
        }
        report.outputs = ["run-report.json"]
        report.suggestions = report.suggestions?.unchanged(lexicon: configuration.suggest?.lexicon)
        report.timings = ["check": ((checked.timeIntervalSince(started)) * 1000).rounded() / 1000]
        try writeReportFile(report)
        return report
    }

    /// The turns of `document` (of `roles`) that one of `probes` could match, judged from their
    /// bytes; nil when a probe cannot judge a text (it has more than whole words).
    static func turns(of document: Document, roles: Set<SpeakerRole>, couldMatch probes: [CompiledLexicon]) -> Set<Int>?
    {
        var turns = Set<Int>()
        for (index, segment) in document.segments.enumerated() where roles.contains(segment.role) {
            for probe in probes {
                guard let could = probe.couldMatch(text: segment.text) else { return nil }
                if could {
                    turns.insert(index)
                    break
                }
            }
        }
        return turns
    }

    private var reportFile: String {
        (configuration.outputFolder as NSString).appendingPathComponent("run-report.json")
    }

    /// Writes run-report.json; returns its bytes.
    @discardableResult
    private func writeReportFile(_ report: RunReport) throws(PipelineError) -> Data {
        do {
            let data = try Outputs.reportJSON(report)
            try AtomicFile.write(data, to: reportFile, durable: !OutputFlush.deferred)
            return data
        } catch let error as FileWriteError {
            throw PipelineError(file: error.file, message: error.message)
        } catch {
            throw PipelineError(file: configuration.outputFolder, message: "cannot write run-report.json: \(error)")
        }
    }

}

/// A decisions folder's files as one run reads them, once (the first time they are asked for):
/// their bytes make both the suggestions' output key and the coders' decisions merged into them.
/// The folder was listed, and every coder's log read, twice a run; and a decision saved between
/// the two reads made a suggestions.json recorded under a key its decisions did not have.
public final class DecisionFiles {
    /// Whether a file of a decisions folder is a coder's log: a `.json` file, not hidden; the
    /// coder is its name without the extension.
    public static func isLog(_ name: String) -> Bool { name.hasSuffix(".json") && !name.hasPrefix(".") }

    let folder: String
    /// Every file's name (sorted) and bytes (nil when it cannot be read, as a folder cannot).
    private(set) lazy var files: [(name: String, bytes: [UInt8]?)] = (AtomicFile.names(in: folder) ?? []).sorted()
        .map { name in (name, AtomicFile.contents(of: (folder as NSString).appendingPathComponent(name))) }

    /// Why the folder could not be listed, when it is there and could not be (its files are then
    /// none: the run merges no decisions and says so).
    private(set) lazy var unlisted: String? = files.isEmpty ? AtomicFile.whyUnlistable(folder) : nil

    init(folder: String) { self.folder = folder }

    /// The coders' logs in `folder` (sorted, paths), none when it is not there yet. Throws when
    /// it is there and cannot be listed: read as none, every decision seemed undone.
    public static func logs(in folder: String) throws(PipelineError) -> [String] {
        guard let names = AtomicFile.names(in: folder) else {
            if let reason = AtomicFile.whyUnlistable(folder) {
                throw PipelineError(file: folder, message: "cannot list the decisions folder: " + reason)
            }
            return []
        }
        return names.filter(isLog).sorted().map { (folder as NSString).appendingPathComponent($0) }
    }

    /// The coders' decision logs as they are now: suggestions.json merges them. A folder that
    /// cannot be listed is not one that is not there: suggestions.json is merged again, and the
    /// run says why it has no decisions.
    var hash: String {
        if let unlisted { return ContentHash.combining(["unlisted", unlisted]) }
        return ContentHash.combining(files.map { file in file.name + ":" + ContentHash.of(Data(file.bytes ?? [])) })
    }

    /// Each coder's log (``isLog(_:)``).
    var logs: [(name: String, path: String, bytes: [UInt8]?)] {
        files.filter { Self.isLog($0.name) }.map { file in
            (file.name, (folder as NSString).appendingPathComponent(file.name), file.bytes)
        }
    }
}

/// A path relative to a folder when it lies below it (or beside it, with `..`), else absolute.
func relativePath(_ path: String, from base: String) -> String {
    relativePaths([path], from: base)[0]
}

/// ``relativePath(_:from:)`` of many paths, the base resolved once (a run does every transcript).
func relativePaths(_ paths: [String], from base: String) -> [String] {
    let standardBase = standardizedPath(base.isEmpty ? "." : base)
    let origin = standardBase.split(separator: "/")
    // A path inside the base (every transcript of a study, nearly always) is what follows the
    // base's bytes and a slash: no parts split and compared as strings, which for 2,000
    // transcripts was most of the time a run with nothing to do spent on its own thread.
    // (From the root, the slow way keeps the path absolute.)
    let inside = Array((standardBase + "/").utf8)
    let directory = FileManager.default.currentDirectoryPath
    return paths.map { path in
        let target = standardizedPath(path, in: directory)
        if standardBase != "/", target.utf8.count > inside.count, target.utf8.starts(with: inside) {
            return String(decoding: target.utf8.dropFirst(inside.count), as: UTF8.self)
        }
        return relativePath(target, from: origin)
    }
}

private func relativePath(_ target: String, from origin: [Substring]) -> String {
    let targetParts = target.split(separator: "/")
    var common = 0
    while common < min(targetParts.count, origin.count), targetParts[common] == origin[common] { common += 1 }
    guard common > 0 else { return target }
    let ups = Array(repeating: "..", count: origin.count - common)
    return joined(ups + targetParts[common...].map(String.init), separator: "/")
}

/// An absolute path with `.` and `..` resolved by name (not through links), as
/// `URL.standardizedFileURL` gives it, without building URLs: it is done for every transcript
/// of every run, and URLs made it a tenth of a run that found nothing to do.
func standardizedPath(
    _ path: String, in directory: @autoclosure () -> String = FileManager.default.currentDirectoryPath
)
    -> String
{
    if isStandardAbsolute(path) { return path }
    let absolute = path.hasPrefix("/") ? path : directory() + "/" + path
    var parts: [Substring] = []
    for part in absolute.split(separator: "/") {
        if part == "." { continue }
        if part == ".." {
            if !parts.isEmpty { parts.removeLast() }
            continue
        }
        parts.append(part)
    }
    return "/" + joined(parts.map(String.init), separator: "/")
}

/// Whether a path is already what ``standardizedPath(_:in:)`` makes of it: absolute, with no
/// empty, `.` or `..` part and no trailing slash (every path a folder listing gives), told from
/// its bytes without splitting it.
func isStandardAbsolute(_ path: String) -> Bool {
    var path = path
    return path.withUTF8 { bytes in
        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        guard bytes.first == slash else { return false }
        if bytes.count == 1 { return true }
        for index in bytes.indices where bytes[index] == slash {
            let next = index + 1
            guard next < bytes.count, bytes[next] != slash else { return false }
            guard bytes[next] == dot else { continue }
            // `/.` or `/..` as a whole part.
            if next + 1 == bytes.count || bytes[next + 1] == slash { return false }
            if bytes[next + 1] == dot && (next + 2 == bytes.count || bytes[next + 2] == slash) { return false }
        }
        return true
    }
}

/// Quotes a CSV field when it must be (RFC 4180). Hand-written: CSV.swift's writer sends every
/// scalar through an `OutputStream` call, far too slow for a frequencies file of a million rows.
func csvField(_ value: String) -> String {
    var bytes: [UInt8] = []
    appendCSVField(value, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
}

/// ``csvField(_:)``'s bytes appended to `bytes`.
func appendCSVField(_ value: String, to bytes: inout [UInt8]) {
    var value = value
    // Through the UTF-8 buffer: the view's generic `contains(where:)` was unspecialised.
    value.withUTF8 { field in
        guard field.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
            bytes.append(contentsOf: field)
            return
        }
        bytes.append(0x22)
        for byte in field {
            if byte == 0x22 { bytes.append(0x22) }
            bytes.append(byte)
        }
        bytes.append(0x22)
    }
}

/// A run's lexicon compiled for each set of codes to match (all of them on a first run, the
/// edited ones after a lexicon edit), once each.
final class CompiledLexicons: @unchecked Sendable {
    private let lexicon: Lexicon?
    private let options: Tokenizer.Options
    private let timer: StageTimer
    private var compiled: [Set<Int>: CompiledLexicon] = [:]
    private let lock = NSLock()

    init(lexicon: Lexicon?, options: Tokenizer.Options, timer: StageTimer) {
        self.lexicon = lexicon
        self.options = options
        self.timer = timer
    }

    func codes(_ codes: Set<Int>) -> CompiledLexicon {
        lock.withLock {
            if let known = compiled[codes] { return known }
            let all = codes.count == lexicon?.codes.count
            let made = timer.measure("suggest") {
                CompiledLexicon(lexicon: lexicon ?? Lexicon(codes: []), options: options, codes: all ? nil : codes)
            }
            compiled[codes] = made
            return made
        }
    }
}

/// Seconds spent per stage, summed over the threads that did the work.
final class StageTimer: @unchecked Sendable {
    private var seconds: [String: Double] = [:]
    private let lock = NSLock()

    func measure<T>(_ stage: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            lock.withLock { seconds[stage, default: 0] += elapsed }
        }
        return try body()
    }

    var totals: [String: Double] { lock.withLock { seconds } }
}

/// A thread-safe counter for progress.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func increment() -> Int {
        lock.withLock {
            value += 1; return value
        }
    }
}

extension PipelineConfiguration {
    /// What to say when the inputs hold no transcript: the inputs from the working folder, and
    /// the files the formats read.
    public var noTranscripts: String {
        let directory = FileManager.default.currentDirectoryPath
        return Ingestor.noTranscripts(in: inputs.map { relativePath($0, from: directory) }, extensions: extensions)
    }

    /// The transcript files named by the inputs, sorted by path, without exclusions.
    public func transcriptFiles(_ failures: inout [IngestError]) -> [String] {
        var files: [String] = []
        var listed = 0
        let directory = FileManager.default.currentDirectoryPath
        for input in inputs {
            let matches = input.contains("*") || input.contains("?") ? glob(input, failures: &failures) : [input]
            if matches.isEmpty {
                failures.append(IngestError(.unreadableFile, file: input, message: "no file matches this pattern"))
            }
            listed += matches.count
            for match in matches {
                do {
                    // Listed under the folder's standardized path, so that every path found is
                    // standardized already: splitting and joining each one again was most of
                    // listing 2,000 transcripts.
                    var unlisted: [IngestError] = []
                    files += try Ingestor.transcriptFiles(
                        at: standardizedPath(match, in: directory), extensions: extensions, unlisted: &unlisted)
                    // Named as the transcripts are, from the pipeline's folder. (A folder that
                    // cannot be listed at all throws before any subfolder is.)
                    for var error in unlisted {
                        error.file = relativePath(error.file, from: baseFolder)
                        failures.append(error)
                    }
                } catch var error as IngestError {
                    error.file = match
                    failures.append(error)
                } catch {
                    failures.append(IngestError(.unreadableFile, file: match, message: "\(error)"))
                }
            }
        }
        let participantsFile = participants.map { standardizedPath($0) }
        // The tool's own out folder, inside an input folder (`inputs: [.]`), is never read: a
        // text file left there was read as a transcript.
        let outputs = standardizedPath(outputFolder) + "/"
        files.removeAll { $0.hasPrefix(outputs) }
        // Standard already (listed under standardized paths); a set drops inputs named twice.
        // One folder's listing comes sorted and without repeats, which one pass confirms:
        // sorted again, 2,000 paths took a third of listing them.
        let ordered = zip(files, files.dropFirst()).allSatisfy { utf8Precedes($0, $1) }
        var unique = ordered ? files : Array(Set(files)).sorted(by: utf8Precedes)
        // Inputs that overlap through links (`[site A, all]`, `all -> site A`) name one file
        // twice: it is one file, named by its path through no link, as one folder's listing
        // names it, and excluded by that path (or its name), as a folder's listing is.
        if listed > 1 { unique = Ingestor.droppingRepeats(unique) }
        return exclude.isEmpty
            ? unique.filter { $0 != participantsFile }
            : zip(unique, relativePaths(unique, from: baseFolder)).filter { path, relative in
                path != participantsFile
                    && !exclude.contains { pattern in
                        fnmatch(pattern, relative, 0) == 0
                            || fnmatch(pattern, (path as NSString).lastPathComponent, 0) == 0
                    }
            }.map(\.0)
    }

    private func glob(_ pattern: String, failures: inout [IngestError]) -> [String] {
        if pattern.contains("**") { return recursiveGlob(pattern, failures: &failures) }
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }
    }

    /// A pattern with `**` (`t/**/*.txt`): any folders, or none, where it stands, as gitignore and
    /// most editors read it. glob(3) reads `**` as `*`, one folder exactly, and `t/**/*.txt` left
    /// out every transcript directly in `t`. The transcripts below the folder before the first
    /// wildcard, kept where the pattern matches their path with `**/` as any folders (`*` may
    /// cross a `/` here) or as none.
    private func recursiveGlob(_ pattern: String, failures: inout [IngestError]) -> [String] {
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let fixed = parts.prefix { !$0.contains("*") && !$0.contains("?") && !$0.contains("[") }
        let root = fixed.isEmpty ? "." : fixed.joined(separator: "/")
        var unlisted: [IngestError] = []
        let files: [String]
        do {
            files = try Ingestor.transcriptFiles(
                at: root.isEmpty ? "/" : root, extensions: extensions, unlisted: &unlisted)
        } catch {
            // Nothing listed: the pattern matches no file, and says so.
            return []
        }
        for var error in unlisted {
            error.file = relativePath(error.file, from: baseFolder)
            failures.append(error)
        }
        let anyFolders = pattern.replacingOccurrences(of: "**/", with: "*/").replacingOccurrences(of: "**", with: "*")
        let noFolder = pattern.replacingOccurrences(of: "**/", with: "").replacingOccurrences(of: "**", with: "*")
        return files.filter { fnmatch(anyFolders, $0, 0) == 0 || fnmatch(noFolder, $0, 0) == 0 }
    }
}
