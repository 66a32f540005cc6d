import Coding
import Corpus
import Foundation

/// Records a coder's decisions on a pipeline's suggestions: the one code path for `tmine decide`
/// and the review page. Checks ids, codes and ranges against the last run's outputs, then
/// appends to `decisions/<coder>.json` through ``DecisionStore``.
public struct Decider: Sendable {
    /// One thing a coder does.
    public enum Action: Sendable, Hashable {
        case accept(String)
        case reject(String)
        case recode(String, code: String)
        case note(String, text: String)
        case undo(String)
        /// A code the lexicon missed, on `[start, end)` (Unicode scalars) of a document's text.
        case manual(document: String, range: ScalarRange, code: String)
        case removeManual(String)
    }

    public let configuration: PipelineConfiguration

    public init(configuration: PipelineConfiguration) { self.configuration = configuration }

    public var suggestionsPath: String {
        (configuration.outputFolder as NSString).appendingPathComponent("suggestions.json")
    }

    public func decisionsPath(coder: String) -> String {
        (configuration.decisionsFolder as NSString).appendingPathComponent("\(coder).json")
    }

    /// Coder names become file names: letters, digits, `.`, `_` and `-` only.
    public static func isValidCoder(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy {
                $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
            }
    }

    /// The last run's suggestions, merged with every coder's decisions as they are now.
    public func currentSuggestions() throws(PipelineError) -> (
        file: Outputs.SuggestionsFile, merged: DecisionMerger.Result
    ) {
        guard let data = FileManager.default.contents(atPath: suggestionsPath) else {
            throw PipelineError(
                file: suggestionsPath, message: "no suggestions yet; run the pipeline first (tmine run)")
        }
        let file: Outputs.SuggestionsFile
        do {
            file = try JSONDecoder().decode(Outputs.SuggestionsFile.self, from: data)
        } catch {
            throw PipelineError(file: suggestionsPath, message: "cannot read suggestions.json: \(error)")
        }
        var states: [CoderState] = []
        let folder = configuration.decisionsFolder
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        where name.hasSuffix(".json") && !name.hasPrefix(".") {
            do {
                states.append(
                    CoderState(
                        try DecisionStore.read(
                            (folder as NSString).appendingPathComponent(name), coder: String(name.dropLast(5)))))
            } catch {
                throw PipelineError(file: error.file, message: error.message)
            }
        }
        let pending = file.suggestions.map { suggestion -> Suggestion in
            var copy = suggestion
            copy.decisions = []
            copy.status = .pending
            return copy
        }
        return (file, DecisionMerger().merge(pending, states: states))
    }

    /// Appends the actions to the coder's log. Throws ``PipelineError`` naming every unknown id,
    /// code or range before anything is written; a stale `expectedVersion` is a conflict.
    @discardableResult
    public func decide(coder: String, _ actions: [Action], expectedVersion: Int? = nil) throws(PipelineError)
        -> DecisionLog
    {
        guard Self.isValidCoder(coder) else {
            throw PipelineError(file: coder, message: "a coder name is letters, digits, '.', '_' or '-'")
        }
        let (file, _) = try currentSuggestions()
        let byID = Dictionary(file.suggestions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let codes = Set(file.lexicon.codes.map(\.name))
        var problems: [String] = []
        var events: [DecisionEvent] = []
        func suggestion(_ id: String) -> Suggestion? {
            if let exact = byID[id] { return exact }
            let matches = file.suggestions.filter { $0.id.hasPrefix(id) }
            if id.count >= 6, matches.count == 1 { return matches[0] }
            problems.append(matches.count > 1 ? "id \"\(id)\" is ambiguous" : "no suggestion \"\(id)\"")
            return nil
        }
        var documents: [String: Document]?
        for action in actions {
            switch action {
            case .accept(let id), .reject(let id), .undo(let id):
                guard let target = suggestion(id) else { continue }
                let kind: DecisionEvent.Action =
                    switch action {
                    case .accept: .accept
                    case .reject: .reject
                    default: .undo
                    }
                events.append(DecisionEvent(action: kind, suggestionID: target.id, snapshot: .init(target)))
            case .recode(let id, let code):
                guard codes.contains(code) else {
                    problems.append("no code \"\(code)\" in the lexicon")
                    continue
                }
                guard let target = suggestion(id) else { continue }
                events.append(
                    DecisionEvent(action: .recode, suggestionID: target.id, code: code, snapshot: .init(target)))
            case .note(let id, let text):
                guard let target = suggestion(id) else { continue }
                events.append(
                    DecisionEvent(action: .note, suggestionID: target.id, note: text, snapshot: .init(target)))
            case .manual(let documentID, let range, let code):
                guard codes.contains(code) else {
                    problems.append("no code \"\(code)\" in the lexicon")
                    continue
                }
                if documents == nil { documents = try loadDocuments() }
                guard let document = documents?[documentID] else {
                    problems.append("no document \"\(documentID)\"")
                    continue
                }
                let scalarCount = document.text.unicodeScalars.count
                guard range.start >= 0, range.end > range.start, range.end <= scalarCount else {
                    problems.append("range \(range) is outside \"\(documentID)\" (0..<\(scalarCount))")
                    continue
                }
                let segment = document.segments.first { $0.range.start <= range.start && range.end <= $0.range.end }
                let id = String(
                    ContentHash.combining([coder, documentID, String(range.start), String(range.end), code]).prefix(16))
                events.append(
                    DecisionEvent(
                        action: .manual, code: code,
                        manual: ManualCoding(
                            id: id, documentID: documentID, segmentIndex: segment?.index, range: range,
                            text: document.text(in: range), code: code)))
            case .removeManual(let id):
                events.append(DecisionEvent(action: .removeManual, manualID: id))
            }
        }
        if !problems.isEmpty {
            throw PipelineError(
                file: decisionsPath(coder: coder), message: problems.joined(separator: "; ") + "; nothing was written")
        }
        do {
            return try DecisionStore.append(
                events, to: decisionsPath(coder: coder), coder: coder, expectedVersion: expectedVersion)
        } catch {
            throw PipelineError(file: error.file, message: error.message)
        }
    }

    private func loadDocuments() throws(PipelineError) -> [String: Document] {
        let corpus = try Outputs.corpus(of: configuration)
        return Dictionary(corpus.documents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
