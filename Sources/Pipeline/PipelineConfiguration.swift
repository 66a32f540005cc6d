import Coding
import Corpus
import Foundation
import Ingest
import TextAnalysis

/// A study described once in a pipeline file: inputs, participants, stages and the out folder.
///
/// Every path is resolved against the pipeline file's folder when the file is read.
public struct PipelineConfiguration: Sendable, Equatable {
    public var file: String
    public var study: String
    /// Files, folders or globs of transcripts, resolved.
    public var inputs: [String]
    /// Extensions taken from folders (derived from the `formats` list).
    public var extensions: Set<String>
    public var exclude: [String]
    public var ingest: IngestOptions
    public var participants: String?
    /// Numeric attributes put into ranges (`participants: {file: …, bands: …}`), applied to the
    /// table as it is read: every stage, filter and output sees them as columns.
    public var bands: [AttributeBand] = []
    public var tokenize: TokenizeStage
    public var kwic: KWICStage?
    public var frequencies: FrequencyStage?
    public var suggest: SuggestStage?
    /// Stage names in the file's order.
    public var stageOrder: [String]
    /// `out/<study>`.
    public var outputFolder: String

    /// The speaker roles whose turns some stage reads (KWIC, frequencies, suggestions): only
    /// those turns are tokenised; the others' words are only counted.
    public var analysedRoles: Set<SpeakerRole> {
        var roles = Set<SpeakerRole>()
        if let kwic { roles.formUnion(kwic.options.filter.roles) }
        if let frequencies { roles.formUnion(frequencies.filter.roles) }
        if let suggest { roles.formUnion(suggest.options.roles) }
        return roles
    }

    /// Whether the frequencies count the turns the KWIC queries search (the same filter): only
    /// then are a query's hits by group rated against the words the frequencies counted.
    public var kwicHitsAreRated: Bool {
        guard let kwic, let frequencies else { return false }
        return frequencies.filter == kwic.options.filter
    }

    /// The folder the pipeline file is in; relative paths in the file start here.
    public var baseFolder: String { (file as NSString).deletingLastPathComponent }

    /// Where coders' decision logs live: `out/<study>/decisions/` unless the suggest stage says.
    public var decisionsFolder: String {
        suggest?.decisions ?? (outputFolder as NSString).appendingPathComponent("decisions")
    }
}

/// The lexicon and unit of the `suggest` stage.
public struct SuggestStage: Sendable, Equatable {
    public var lexiconFile: String
    public var lexicon: Lexicon
    public var options = CodeSuggester.Options()
    /// A folder of `<coder>.json` decision logs, when not the out folder's `decisions/`.
    public var decisions: String?

    /// The hash of everything per-document suggestions depend on besides tokens.
    var hash: String {
        ContentHash.combining([
            "suggest", lexicon.contentHash, optionsHash,
        ])
    }

    var optionsHash: String {
        ContentHash.combining([options.unit.rawValue, joined(options.roles.map(\.rawValue).sorted(), separator: ",")])
    }

    /// Every code as far as its suggestions go, from its own definition, its place in the code
    /// tree, the negation words and the stage's options (see ``CodeVersion``). Made on both
    /// cores: each pattern's key is its definition encoded as JSON and hashed, a couple of
    /// milliseconds for 175 codes at every run's start, before any document.
    var codeVersions: [CodeVersion] {
        let shared = ContentHash.combining([optionsHash, SettingsKey.of(lexicon.negations)])
        return ConcurrentSlots.map(lexicon.codes.count) { [lexicon] in
            CodeVersion(lexicon.codes[$0], in: lexicon, shared: shared)
        }
    }
}

/// Tokeniser settings and stopwords of the `tokenize` stage.
public struct TokenizeStage: Sendable, Hashable, Codable {
    public var options = Tokenizer.Options()
    /// `english`, `none`, or a file of stopwords (resolved path).
    public var stopwords = "english"
    public var extraStopwords: [String] = []

    public func stopwordList() throws -> Stopwords {
        var list: Stopwords
        switch stopwords {
        case "english": list = .english
        case "none": list = .none
        default: list = try Stopwords.read(contentsOf: URL(fileURLWithPath: stopwords), options: options)
        }
        return list.union(Stopwords(extraStopwords.map { Normalizer.form(of: $0, options: options) }))
    }
}

/// Queries and display of the `kwic` stage.
public struct KWICStage: Sendable, Hashable, Codable {
    public var queries: [String]
    public var options = Concordancer.Options()
}

/// Groupings, n-gram sizes and keyness comparisons of the `frequencies` stage.
public struct FrequencyStage: Sendable, Hashable, Codable {
    public struct Comparison: Sendable, Hashable, Codable {
        public var grouping: Grouping
        public var group: String
        /// Another group, or nil for all the others.
        public var reference: String?
    }

    public var groupings: [Grouping] = [.corpus]
    public var ngrams: [Int] = [1]
    public var minimumCount = 1
    public var top: Int?
    public var stem = false
    public var removeStopwords = true
    public var filter = SegmentFilter()
    public var keyness: [Comparison] = []

    /// The counter options of one n-gram size, before grouping (what per-document counts depend on).
    public func counterOptions(ngram: Int, grouping: Grouping = .corpus) -> FrequencyCounter.Options {
        var options = FrequencyCounter.Options()
        options.grouping = grouping
        options.ngram = ngram
        options.filter = filter
        options.removeStopwords = removeStopwords
        options.stem = stem
        options.minimumCount = minimumCount
        options.top = top
        return options
    }
}

extension PipelineConfiguration {
    /// The participants file as a command reads it outside a run (no cache): its table, banded,
    /// and its warnings; an empty table when there is none. Throws ``IngestError`` for a file
    /// that cannot be read, ``PipelineError`` for bands that cannot be made.
    public func readParticipants() throws -> (table: ParticipantTable, warnings: [String]) {
        guard let participants else { return (.empty, []) }
        let (table, warnings) = try ParticipantsReader(fallback: ingest.fallbackEncoding).read(file: participants)
        return (try banded(table), warnings)
    }

    /// `table` with the pipeline's bands; a value that is not a number (or a band's column
    /// missing) is an error naming the participants file.
    public func banded(_ table: ParticipantTable) throws(PipelineError) -> ParticipantTable {
        guard !bands.isEmpty else { return table }
        do {
            return try table.banded(by: bands)
        } catch {
            throw PipelineError(file: participants ?? file, message: error.message)
        }
    }

    /// What to say of a grouping or keyness comparison by an attribute `table` does not have
    /// (nil when there is none): checked by `tmine run` before reading anything, and by
    /// `tmine validate`.
    public func missingAttribute(in table: ParticipantTable) -> String? {
        guard let stage = frequencies else { return nil }
        let names = (stage.groupings + stage.keyness.map(\.grouping)).flatMap(\.attributeNames)
        return table.missingAttribute(among: names).map { "the frequencies stage: " + $0 }
    }
}
