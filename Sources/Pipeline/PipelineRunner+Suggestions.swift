import Coding
import Corpus
import Foundation

/// The suggest stage's merge, fed one document's suggestions at a time in document order:
/// attributes joined, coders' decisions attached, each suggestion tallied for the report and,
/// when suggestions.json is written, spooled to disk. A run never holds every suggestion (with
/// its turn text, they were a third of a large run's peak memory). One thread at a time uses it
/// (the run's, then the task that finishes it): hence `@unchecked`.
struct SuggestionMerge: @unchecked Sendable {
    let stage: SuggestStage
    private let byID: [String: Participant]
    private var session: DecisionMerger.Session
    private let coders: [String]
    /// Decision logs that could not be read (they are left out, named).
    private(set) var warnings: [String] = []
    private var elements: Outputs.SuggestionElements?
    private(set) var tally = HTMLReport.Tally()
    private var byStatus: [String: Int] = [:]
    private var ids: [String] = []
    private var codes: [String] = []

    /// Reads every coder's decision log in `decisionsFolder`; `spooling` is the path of the
    /// suggestions.json to write, or nil when it is kept as it is (the report still needs the tally).
    init(
        stage: SuggestStage, participants: ParticipantTable, decisionsFolder folder: String, spooling path: String?
    ) throws(FileWriteError) {
        self.stage = stage
        byID = participants.byID
        var states: [CoderState] = []
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        for name in files {
            let file = (folder as NSString).appendingPathComponent(name)
            do {
                states.append(CoderState(try DecisionStore.read(file, coder: String(name.dropLast(5)))))
            } catch {
                warnings.append("decisions of \(name) not merged: \(error.description)")
            }
        }
        session = DecisionMerger.Session(states: states)
        coders = states.map(\.coder)
        if let path { elements = try Outputs.SuggestionElements(besides: path) }
    }

    /// Adds one document's suggestions, in their order.
    mutating func add(_ suggestions: [Suggestion]) {
        guard !suggestions.isEmpty else { return }
        var suggestions = suggestions
        for index in suggestions.indices {
            suggestions[index].attributes = suggestions[index].participantID.flatMap { byID[$0]?.attributes } ?? [:]
        }
        session.merge(document: &suggestions)
        for suggestion in suggestions {
            tally.add(suggestion)
            byStatus[suggestion.status.rawValue, default: 0] += 1
            ids.append(suggestion.id)
            codes.append(suggestion.code)
            elements?.append(suggestion)
        }
    }

    /// After every document: writes suggestions.json to `sink` (when spooling) and records its
    /// ids for the next run; the summary compares them with the previous run's, per code.
    mutating func finish(
        study: String, lexiconSource: String, out: String, to sink: AtomicFile.Writer?
    ) throws -> RunReport.Suggestions {
        let (orphans, manual) = session.finish()
        for coder in manual.keys.sorted() { tally.add(manualCodings: manual[coder] ?? []) }

        // What changed since the last run, per code.
        let previous = SuggestionIndex.previous(in: out)
        let before = (previous?.entries ?? []).reduce(into: [String: Set<String>]()) {
            $0[$1.code, default: []].insert($1.id)
        }
        var after: [String: Set<String>] = [:]
        for (id, code) in zip(ids, codes) { after[code, default: []].insert(id) }
        var perCode: [RunReport.Suggestions.CodeChange] = []
        for code in stage.lexicon.codes.map(\.name)
            + before.keys.filter({ stage.lexicon.code(named: $0) == nil }).sorted()
        {
            let old = before[code] ?? []
            let new = after[code] ?? []
            perCode.append(
                .init(
                    code: code, total: new.count, added: previous == nil ? new.count : new.subtracting(old).count,
                    removed: old.subtracting(new).count))
        }
        let summary = RunReport.Suggestions(
            total: ids.count, byStatus: byStatus, lexiconHash: stage.lexicon.contentHash, coders: coders,
            perCode: perCode, orphaned: orphans, reattached: session.reattached)
        if var elements, let sink {
            let file = Outputs.SuggestionsFile(
                study: study,
                lexicon: .init(
                    source: lexiconSource, hash: stage.lexicon.contentHash,
                    codes: stage.lexicon.codes.map {
                        Outputs.SuggestionsFile.CodeInfo(
                            name: $0.name, parent: $0.parent, description: $0.description,
                            path: stage.lexicon.path(of: $0.name))
                    }),
                unit: stage.options.unit.rawValue, suggestions: [],
                manualCodings: manual.keys.sorted().flatMap { coder in
                    (manual[coder] ?? []).map { Outputs.SuggestionsFile.CoderManualCoding(coder: coder, coding: $0) }
                },
                orphanedDecisions: orphans)
            try elements.write(file, to: sink)
            self.elements = elements
        }
        return summary
    }

    /// Records the ids just written to suggestions.json (call once it is in place).
    func saveIndex(in out: String) {
        SuggestionIndex.save(ids: ids, codes: codes, in: out)
    }
}

/// The ids and codes of the suggestions in `suggestions.json`, kept in `.cache/suggestions.bin`
/// under the size and time of the file they describe: the next run compares its suggestions with
/// them without parsing the whole JSON file again (which carries every turn's text).
struct SuggestionIndex {
    struct Entry {
        var id: String
        var code: String
    }
    var entries: [Entry]

    private static let tag = "tmine-suggestion-index-\(BinaryWriter.formatVersion)"

    private static func path(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/suggestions.bin")
    }

    /// The previous suggestions: from the index when it describes the file as it is, else
    /// from the file itself; nil when there is no previous file.
    static func previous(in out: String) -> SuggestionIndex? {
        let file = (out as NSString).appendingPathComponent("suggestions.json")
        guard let stamp = CacheFile.stamp(of: file) else { return nil }
        if var reader = CacheFile.reader(at: path(in: out), tag: tag, key: "\(stamp.size) \(stamp.modified)"),
            let ids = try? reader.read([String].self), let codes = try? reader.read([String].self), reader.isAtEnd,
            ids.count == codes.count
        {
            return SuggestionIndex(entries: zip(ids, codes).map { Entry(id: $0, code: $1) })
        }
        // Only ids and codes of the previous file are needed: decode just those.
        struct Previous: Decodable {
            struct Entry: Decodable {
                var id: String
                var code: String
            }
            var suggestions: [Entry]
        }
        guard let data = FileManager.default.contents(atPath: file),
            let decoded = try? JSONDecoder().decode(Previous.self, from: data)
        else { return nil }
        return SuggestionIndex(entries: decoded.suggestions.map { Entry(id: $0.id, code: $0.code) })
    }

    /// Records the suggestions just written to `suggestions.json` (call after writing it).
    static func save(ids: [String], codes: [String], in out: String) {
        let file = (out as NSString).appendingPathComponent("suggestions.json")
        guard let stamp = CacheFile.stamp(of: file) else { return }
        CacheFile.write(
            at: path(in: out), tag: tag, key: "\(stamp.size) \(stamp.modified)", capacity: ids.count * 40 + 64
        ) { writer in
            writer.write(ids)
            writer.write(codes)
        }
    }
}
