import Coding
import Corpus
import Foundation

extension PipelineRunner {
    /// Joins attributes and every coder's decisions to the run's suggestions, and compares them
    /// with the previous `suggestions.json` to count what each code gained and lost.
    func suggestionsFile(
        _ stage: SuggestStage, collected: [DocumentResult], participants: ParticipantTable, warnings: inout [String]
    ) -> (Outputs.SuggestionsFile, RunReport.Suggestions) {
        let byID = participants.byID
        let suggestions = collected.flatMap(\.suggestions).map { suggestion in
            var suggestion = suggestion
            suggestion.attributes = suggestion.participantID.flatMap { byID[$0]?.attributes } ?? [:]
            return suggestion
        }
        var states: [CoderState] = []
        let folder = configuration.decisionsFolder
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        for name in files {
            let path = (folder as NSString).appendingPathComponent(name)
            do {
                states.append(CoderState(try DecisionStore.read(path, coder: String(name.dropLast(5)))))
            } catch {
                warnings.append("decisions of \(name) not merged: \(error.description)")
            }
        }
        let merged = DecisionMerger().merge(suggestions, states: states)

        // What changed since the last run, per code.
        let previous = SuggestionIndex.previous(in: configuration.outputFolder)
        let before = (previous?.entries ?? []).reduce(into: [String: Set<String>]()) {
            $0[$1.code, default: []].insert($1.id)
        }
        let after = Dictionary(grouping: merged.suggestions, by: \.code).mapValues { Set($0.map(\.id)) }
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
        var byStatus: [String: Int] = [:]
        for suggestion in merged.suggestions { byStatus[suggestion.status.rawValue, default: 0] += 1 }
        let summary = RunReport.Suggestions(
            total: merged.suggestions.count, byStatus: byStatus, lexiconHash: stage.lexicon.contentHash,
            coders: states.map(\.coder), perCode: perCode, orphaned: merged.orphans, reattached: merged.reattached)
        let codes = stage.lexicon.codes.map {
            Outputs.SuggestionsFile.CodeInfo(
                name: $0.name, parent: $0.parent, description: $0.description, path: stage.lexicon.path(of: $0.name))
        }
        let manual = merged.manual.keys.sorted().flatMap { coder in
            (merged.manual[coder] ?? []).map { Outputs.SuggestionsFile.CoderManualCoding(coder: coder, coding: $0) }
        }
        let file = Outputs.SuggestionsFile(
            study: configuration.study,
            lexicon: .init(
                source: relativePath(stage.lexiconFile, from: configuration.baseFolder),
                hash: stage.lexicon.contentHash,
                codes: codes),
            unit: stage.options.unit.rawValue, suggestions: merged.suggestions, manualCodings: manual,
            orphanedDecisions: merged.orphans)
        return (file, summary)
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
    static func save(_ suggestions: [Suggestion], in out: String) {
        let file = (out as NSString).appendingPathComponent("suggestions.json")
        guard let stamp = CacheFile.stamp(of: file) else { return }
        CacheFile.write(
            at: path(in: out), tag: tag, key: "\(stamp.size) \(stamp.modified)", capacity: suggestions.count * 40 + 64
        ) { writer in
            writer.write(suggestions.map(\.id))
            writer.write(suggestions.map(\.code))
        }
    }
}
