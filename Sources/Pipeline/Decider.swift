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
        /// Withdraws one of the coder's manual codings: its id or a unique prefix of 6 or more.
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
        let file = try lastSuggestions()
        return (file, DecisionMerger().merge(file.suggestions, states: try coderStates()))
    }

    /// What a merge leaves beside the suggestions themselves.
    public struct MergeEnd: Sendable {
        public var lexicon: Outputs.SuggestionsFile.LexiconInfo
        public var orphans: [DecisionMerger.Orphan]
        public var manual: [String: [ManualCoding]]
    }

    /// ``currentSuggestions()`` a document at a time: suggestions.json read a chunk at a time
    /// (``ElementRuns/stream(_:_:chunk:deliver:)``) and each document's suggestions merged with
    /// the decisions as a run merges them (``DecisionMerger/Session``), given to `body` and let
    /// go. Decoding the whole file held 400 MB at 100 MB of transcripts. A file laid out as
    /// tmine writes it has each document's suggestions together; one that has not is refused
    /// (merged apart, a document's decisions could join differently).
    /// `omitting`: parts of each suggestion `body` does not need, left empty (read whole when
    /// the file is not laid out as tmine writes it).
    public func forEachMergedDocument(omitting omitted: Suggestion.Parts = [], _ body: ([Suggestion]) -> Void)
        throws(PipelineError) -> MergeEnd
    {
        let path = try suggestionsFile()
        let states = try coderStates()
        var session = DecisionMerger.Session(states: states)
        var pending: [Suggestion] = []
        var merged: Set<String> = []
        var apart: String?
        func mergePending() {
            guard let document = pending.first?.documentID else { return }
            if !merged.insert(document).inserted { apart = apart ?? document }
            Self.undecide(&pending)
            session.merge(document: &pending)
            body(pending)
            pending = []
        }
        let file: Outputs.SuggestionsFile?
        do {
            file = try ElementRuns.suggestions.stream(
                path, \Outputs.SuggestionsFile.suggestions, omitting: omitted.rawValue
            ) { suggestions in
                for suggestion in suggestions where apart == nil {
                    if let document = pending.first?.documentID, document != suggestion.documentID { mergePending() }
                    pending.append(suggestion)
                }
            }
            if apart == nil { mergePending() }
        } catch {
            throw PipelineError(file: path, message: "cannot read suggestions.json (\(error)); run the pipeline again")
        }
        if let apart {
            throw PipelineError(
                file: path,
                message:
                    "the suggestions of \"\(apart)\" are not together, as tmine run writes them; run the pipeline again"
            )
        }
        guard let file else {
            let file = try lastSuggestions()
            let whole = DecisionMerger().merge(file.suggestions, states: states)
            var order: [String] = []
            let byDocument = Dictionary(grouping: whole.suggestions) { suggestion in
                if !merged.contains(suggestion.documentID) {
                    merged.insert(suggestion.documentID)
                    order.append(suggestion.documentID)
                }
                return suggestion.documentID
            }
            for document in order { body(byDocument[document] ?? []) }
            return MergeEnd(lexicon: file.lexicon, orphans: whole.orphans, manual: whole.manual)
        }
        let (orphans, manual) = session.finish()
        return MergeEnd(lexicon: file.lexicon, orphans: orphans, manual: manual)
    }

    /// The last run's suggestions.json, every suggestion pending and without decisions: what
    /// the decisions are merged into.
    public func lastSuggestions() throws(PipelineError) -> Outputs.SuggestionsFile {
        let data = try suggestionsData()
        var file: Outputs.SuggestionsFile
        do {
            file = try Outputs.SuggestionsFile.decode(data)
        } catch {
            throw PipelineError(file: suggestionsPath, message: "cannot read suggestions.json: \(error)")
        }
        Self.undecide(&file.suggestions)
        return file
    }

    /// Suggestions as a run left them before any coder's decisions are merged in: pending, none.
    private static func undecide(_ suggestions: inout [Suggestion]) {
        for index in suggestions.indices {
            suggestions[index].decisions = []
            suggestions[index].status = .pending
        }
    }

    /// Where suggestions.json is; a pipeline without a suggest stage, or not run yet, is told
    /// so (both were "cannot read suggestions.json …; run the pipeline again").
    private func suggestionsFile() throws(PipelineError) -> String {
        try requireSuggestStage()
        let path = try OutputFlush.trusted("suggestions.json", in: configuration.outputFolder)
        guard FileManager.default.fileExists(atPath: path) else {
            throw PipelineError(file: path, message: Self.notRunYet)
        }
        return path
    }

    /// What is said before the first run, whichever way suggestions.json is read.
    static let notRunYet = "no suggestions yet; run the pipeline first (tmine run)"

    /// Refuses a pipeline without a suggest stage: it has nothing to decide on, review or export.
    public func requireSuggestStage() throws(PipelineError) {
        guard configuration.suggest == nil else { return }
        throw PipelineError(
            file: configuration.file,
            message: "the pipeline has no suggest stage, so there are no suggestions to decide on, review or export "
                + "(add one with a lexicon: tmine init writes an example)")
    }

    /// suggestions.json's bytes, when there is one the last run left whole.
    private func suggestionsData() throws(PipelineError) -> Data {
        try requireSuggestStage()
        return try OutputFlush.contents(
            of: "suggestions.json", in: configuration.outputFolder,
            missing: Self.notRunYet)
    }

    /// Every coder's decision log as it is now, coders by name; with `cache`, a log whose file
    /// is unchanged since it was last read is not read again.
    public func coderStates(cache: CoderStateCache? = nil) throws(PipelineError) -> [CoderState] {
        var states: [CoderState] = []
        let folder = configuration.decisionsFolder
        for path in try DecisionFiles.logs(in: folder) {
            let coder = String((path as NSString).lastPathComponent.dropLast(5))
            do {
                if let cache {
                    states.append(try cache.state(at: path, coder: coder))
                } else {
                    states.append(CoderState(try DecisionStore.read(path, coder: coder)))
                }
            } catch {
                throw PipelineError(file: error.file, message: error.message)
            }
        }
        return states
    }

    /// Appends the actions to the coder's log. Throws ``PipelineError`` naming every unknown id,
    /// code or range before anything is written; a stale `expectedVersion` is a conflict. Ids
    /// are looked up in `suggestions` when given (the file as ``lastSuggestions()`` read it, as
    /// the review server holds it), else in suggestions.json.
    @discardableResult
    public func decide(
        coder: String, _ actions: [Action], expectedVersion: Int? = nil, in suggestions: Outputs.SuggestionsFile? = nil,
        positions: SuggestionIDTable? = nil, cache: CoderStateCache? = nil, blind: Bool = false
    ) throws(PipelineError) -> DecisionLog {
        guard Self.isValidCoder(coder) else {
            throw PipelineError(file: coder, message: "a coder name is letters, digits, '.', '_' or '-'")
        }
        let asked = actions.compactMap { action -> String? in
            switch action {
            case .accept(let id), .reject(let id), .undo(let id), .recode(let id, _), .note(let id, _): id
            case .manual, .removeManual: nil
            }
        }
        let (lexicon, found) =
            if let suggestions {
                Self.lookUp(asked, in: suggestions, positions: positions)
            } else {
                try lookUp(asked)
            }
        let codes = Set(lexicon.codes.map(\.name))
        var problems: [String] = []
        // A code the lexicon lacks: a near spelling named, and where a new one is added (an
        // emergent code, with or without patterns).
        func unknown(_ code: String) -> String {
            let near = Spelling.closest(to: code, in: lexicon.codes.map(\.name)).map {
                "did you mean \"\($0)\"? "
            }
            let file = configuration.suggest.map {
                " (\(relativePath($0.lexiconFile, from: FileManager.default.currentDirectoryPath)))"
            }
            return
                "no code \"\(code)\" in the lexicon\(file ?? ""): \(near ?? "")a new code is added to the lexicon first "
                + "(it may have no patterns)"
        }
        var events: [DecisionEvent] = []
        func suggestion(_ id: String) -> Suggestion? {
            let matches = found[id] ?? []
            if let exact = matches.first(where: { $0.id == id }) { return exact }
            if id.count >= 6, matches.count == 1 { return matches[0] }
            problems.append(matches.count > 1 ? "id \"\(id)\" is ambiguous" : "no suggestion \"\(id)\"")
            return nil
        }
        // The coder's manual codings as the actions before have left them: read when an action
        // needs them.
        var manualNow: [ManualCoding]?
        func inForce() throws(PipelineError) -> [ManualCoding] {
            if let manualNow { return manualNow }
            let codings = try manualCodings(of: coder, cache: cache)
            manualNow = codings
            return codings
        }
        // One decision on a suggestion a batch: `--accept X --reject X` said both and kept the last.
        var decided: Set<String> = []
        func once(_ id: String, as given: String) -> Bool {
            guard decided.insert(id).inserted else {
                problems.append("\"\(given)\" is decided twice at once; give one decision for it")
                return false
            }
            return true
        }
        for action in actions {
            switch action {
            case .accept(let id), .reject(let id), .undo(let id):
                guard let target = suggestion(id), once(target.id, as: id) else { continue }
                let kind: DecisionEvent.Action =
                    switch action {
                    case .accept: .accept
                    case .reject: .reject
                    default: .undo
                    }
                events.append(DecisionEvent(action: kind, suggestionID: target.id, snapshot: .init(target)))
            case .recode(let id, let code):
                guard codes.contains(code) else {
                    problems.append(unknown(code))
                    continue
                }
                guard let target = suggestion(id), once(target.id, as: id) else { continue }
                guard code != target.code else {
                    problems.append(
                        "\"\(id)\" is suggested as \"\(code)\" already: recoding it to its own code is accepting it")
                    continue
                }
                events.append(
                    DecisionEvent(action: .recode, suggestionID: target.id, code: code, snapshot: .init(target)))
            case .note(let id, let text):
                guard let target = suggestion(id) else { continue }
                events.append(
                    DecisionEvent(action: .note, suggestionID: target.id, note: text, snapshot: .init(target)))
            case .manual(let documentID, let range, let code):
                guard codes.contains(code) else {
                    problems.append(unknown(code))
                    continue
                }
                guard let document = try Outputs.document(documentID, of: configuration) else {
                    problems.append("no document \"\(documentID)\"")
                    continue
                }
                let scalarCount = document.text.unicodeScalars.count
                guard range.start >= 0, range.end > range.start, range.end <= scalarCount else {
                    problems.append("range \(range) is outside \"\(documentID)\" (0..<\(scalarCount))")
                    continue
                }
                // The turn the text lies in; a selection that takes in a turn's speaker label or
                // the line break around it still belongs to the one turn it overlaps.
                let overlapping = document.segments.filter { $0.range.start < range.end && range.start < $0.range.end }
                let segment = overlapping.count == 1 ? overlapping[0] : nil
                let id = String(
                    ContentHash.combining([coder, documentID, String(range.start), String(range.end), code]).prefix(16))
                guard try !inForce().contains(where: { $0.id == id }) else {
                    problems.append(
                        "\(documentID):\(range.start)-\(range.end) is coded \(code) by \(coder) already (\(id))")
                    continue
                }
                let coding = ManualCoding(
                    id: id, documentID: documentID, segmentIndex: segment?.index, range: range,
                    text: document.text(in: range), code: code)
                manualNow?.append(coding)
                events.append(DecisionEvent(action: .manual, code: code, manual: coding))
            case .removeManual(let id):
                let codings = try inForce()
                let matches =
                    codings.contains { $0.id == id }
                    ? [id] : id.count >= 6 ? codings.map(\.id).filter { $0.hasPrefix(id) } : []
                guard matches.count == 1 else {
                    problems.append(
                        matches.count > 1
                            ? "id \"\(id)\" is ambiguous"
                            : "no manual coding \"\(id)\" of \(coder) (tmine decide --list names them)")
                    continue
                }
                manualNow?.removeAll { $0.id == matches[0] }
                events.append(DecisionEvent(action: .removeManual, manualID: matches[0]))
            }
        }
        if !problems.isEmpty {
            // A problem several actions share (a code the lexicon lacks, coded by hand in eleven
            // transcripts) said once, with how many.
            var times: [String: Int] = [:]
            for problem in problems { times[problem, default: 0] += 1 }
            let said = problems.compactMap { problem -> String? in
                defer { times[problem] = nil }
                return times[problem].map { $0 > 1 ? "\(problem) (\($0) actions)" : problem }
            }
            throw PipelineError(
                file: decisionsPath(coder: coder), message: said.joined(separator: "; ") + "; nothing was written")
        }
        if blind {
            for index in events.indices { events[index].blind = true }
        }
        do {
            let path = decisionsPath(coder: coder)
            var known = cache?.takeWritten(at: path)
            return try DecisionStore.append(
                events, to: path, coder: coder, expectedVersion: expectedVersion, taking: &known
            ) { cache?.remember($0, at: path) }
        } catch {
            throw PipelineError(file: error.file, message: error.message)
        }
    }

    /// The coder's manual codings in force, as their log has them now.
    private func manualCodings(of coder: String, cache: CoderStateCache?) throws(PipelineError) -> [ManualCoding] {
        let path = decisionsPath(coder: coder)
        do throws(DecisionError) {
            if let cache { return try cache.state(at: path, coder: coder).manual }
            return CoderState(try DecisionStore.read(path, coder: coder)).manual
        } catch {
            throw PipelineError(file: error.file, message: error.message)
        }
    }

    /// The last run's lexicon and, for each of `ids`, the suggestions whose id it is or begins,
    /// read from suggestions.json without decoding the rest of it: the file holds a suggestion
    /// per line, keys sorted, so a suggestion's id follows its evidence (`],"id":"`), which can
    /// occur nowhere else in the line (a quote inside a string is escaped, and no other array
    /// is followed by an `id`). Decoding the whole file (157 MB at 100 MB of transcripts) made
    /// every `tmine decide` take 5 s.
    func lookUp(_ ids: [String], chunk: Int = 8 << 20) throws(PipelineError) -> (
        lexicon: Outputs.SuggestionsFile.LexiconInfo, found: [String: [Suggestion]]
    ) {
        // Read a chunk at a time into one buffer, not whole (157 MB of fresh memory, a third of a
        // decision at 100 MB) and not mapped: the file's inode may become the copy a later run
        // keeps and writes over in place (``RetiredOutputs``), which a mapping would see.
        let path = try suggestionsFile()
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw PipelineError(file: path, message: AtomicFile.cannotRead("suggestions.json", at: path))
        }
        defer { close(descriptor) }
        struct Head: Decodable { var lexicon: Outputs.SuggestionsFile.LexiconInfo }
        let wanted = AskedIDs(ids)
        var found: [String: [Suggestion]] = [:]
        var head = Data()  // the file up to its suggestions array, while that is not found
        var lexicon: Outputs.SuggestionsFile.LexiconInfo?
        let read: Bool
        do {
            read = try forEachRunOfLines(descriptor, chunk: chunk) { run in
                guard lexicon == nil else {
                    try Self.scan(run, for: wanted, into: &found)
                    return true
                }
                head.append(run)
                guard let array = head.range(ofBytes: "\n  \"suggestions\" : [".utf8) else { return true }
                guard
                    let decoded = try? JSONDecoder().decode(
                        Head.self, from: head[..<array.upperBound] + Data("]}".utf8))
                else { throw NotWrittenByTmine() }
                lexicon = decoded.lexicon
                try head.withUnsafeBytes { bytes in
                    let bytes = bytes.bindMemory(to: UInt8.self)
                    try Self.scan(UnsafeBufferPointer(rebasing: bytes[array.upperBound...]), for: wanted, into: &found)
                }
                head = Data()
                return !wanted.isEmpty
            }
        } catch is NotWrittenByTmine {
            throw PipelineError(file: path, message: "cannot read suggestions.json: not a file tmine wrote")
        } catch {
            throw PipelineError(file: path, message: "cannot read suggestions.json: \(error)")
        }
        guard read else {
            throw PipelineError(
                file: path, message: "cannot read suggestions.json: \(String(cString: strerror(errno)))")
        }
        guard let lexicon else {
            throw PipelineError(file: path, message: "cannot read suggestions.json: not a file tmine wrote")
        }
        return (lexicon, found)
    }

    private struct NotWrittenByTmine: Error {}

    /// The suggestions in `lines` (whole lines of suggestions.json's array) whose ids `wanted`
    /// names, decoded and added to `found` under each name.
    private static func scan(
        _ lines: UnsafeBufferPointer<UInt8>, for wanted: AskedIDs, into found: inout [String: [Suggestion]]
    ) throws {
        let key = Array("],\"id\":\"".utf8)
        var at = 0
        while let hit = firstPlace(of: key, in: lines, from: at) {
            let start = hit + key.count
            var end = start
            while end < lines.count, lines[end] != UInt8(ascii: "\"") { end += 1 }
            at = end
            let id = String(decoding: UnsafeBufferPointer(rebasing: lines[start..<end]), as: UTF8.self)
            let asked = wanted.found(in: id)
            guard !asked.isEmpty else { continue }
            var lineStart = hit
            while lineStart > 0, lines[lineStart - 1] != 0x0A { lineStart -= 1 }
            var lineEnd = end
            while lineEnd < lines.count, lines[lineEnd] != 0x0A { lineEnd += 1 }
            var line = Data(UnsafeBufferPointer(rebasing: lines[lineStart..<lineEnd]))
            if line.last == UInt8(ascii: ",") { line.removeLast() }
            let suggestion = try JSONDecoder().decode(Suggestion.self, from: line)
            guard suggestion.id == id else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: [], debugDescription: "the line of suggestion \(id) holds \(suggestion.id)"))
            }
            for each in asked { found[each, default: []].append(suggestion) }
        }
    }

    /// ``lookUp(_:)`` in a file already read; by `positions` (the file's suggestions' ids, in
    /// order) when every id is a whole one there, as the review page's are: the scan for
    /// prefixes of 120,000 ids was a fifth of a decision's time at 100 MB.
    public static func lookUp(_ ids: [String], in file: Outputs.SuggestionsFile, positions: SuggestionIDTable? = nil)
        -> (lexicon: Outputs.SuggestionsFile.LexiconInfo, found: [String: [Suggestion]])
    {
        var found: [String: [Suggestion]] = [:]
        if let positions {
            for id in ids {
                guard let position = positions.position(of: id) else { break }
                found[id] = [file.suggestions[position]]
            }
            if found.count == Set(ids).count { return (file.lexicon, found) }
            found = [:]
        }
        let wanted = AskedIDs(ids)
        // By position: a suggestion is copied (a dozen fields retained) only when it is asked for.
        for position in file.suggestions.indices {
            for each in wanted.found(in: file.suggestions[position].id) {
                found[each, default: []].append(file.suggestions[position])
            }
        }
        return (file.lexicon, found)
    }
}

/// The ids a coder named (whole, or prefixes), grouped by length, so that a suggestion's id is
/// checked against all of them in one set lookup a length: one `hasPrefix` for each named id and
/// suggestion was 1,000 × 120,000 calls, most of a minute, for a batch of 1,000 decisions at
/// 100 MB of transcripts.
struct AskedIDs {
    private let byLength: [(length: Int, ids: Set<String>)]

    init(_ ids: [String]) {
        byLength = Dictionary(grouping: Set(ids), by: \.utf8.count).map { (length: $0.key, ids: Set($0.value)) }
            .sorted { $0.length < $1.length }
    }

    var isEmpty: Bool { byLength.isEmpty }

    /// The named ids that `id` begins with.
    func found(in id: String) -> [String] {
        var found: [String] = []
        for (length, ids) in byLength {
            guard length <= id.utf8.count else { break }
            // The whole id as it is: a 16-byte id is one byte too long for a string without storage.
            if length == id.utf8.count {
                if ids.contains(id) { found.append(id) }
            } else if let prefix = String(id.utf8.prefix(length)), ids.contains(prefix) {
                found.append(prefix)
            }
        }
        return found
    }
}

/// Coders' states as their logs were last read, each with its file's stamp (size, inode, time
/// of change), for a process that asks for every coder's state again and again: the review
/// server at each decision (a 13 MB log of 36,000 events and a 4.5 MB one read and replayed
/// again were a third of a decision's time). Logs are replaced whole (``AtomicFile``), so a log
/// whose stamp is unchanged holds what it held; one read after its stamp was taken is newer
/// than the stamp says, and is read again next time.
public final class CoderStateCache: @unchecked Sendable {
    private let lock = NSLock()
    private var states: [String: (stamp: AtomicFile.FileStamp, state: CoderState)] = [:]
    /// The logs this process appended to, as it wrote them: the next append to one reuses its
    /// events and state while the file keeps the stamp (see ``DecisionStore/append(_:to:coder:expectedVersion:now:known:afterWriting:)``).
    private var written: [String: DecisionStore.Written] = [:]

    public init() {}

    func state(at path: String, coder: String) throws(DecisionError) -> CoderState {
        guard let stamp = AtomicFile.FileStamp(of: path) else {
            return CoderState(try DecisionStore.read(path, coder: coder))
        }
        if let known = lock.withLock({ states[path] }), known.stamp == stamp { return known.state }
        let state = CoderState(try DecisionStore.read(path, coder: coder))
        remember(state, at: path, stamp: stamp)
        return state
    }

    private func remember(_ state: CoderState, at path: String, stamp: AtomicFile.FileStamp) {
        lock.withLock { states[path] = (stamp, state) }
    }

    func remember(_ log: DecisionStore.Written, at path: String) {
        lock.withLock {
            states[path] = (log.stamp, log.state)
            written[path] = log
        }
    }

    /// Whether the state of the log at `path` is held (as it was when read, current or not).
    package func holds(_ path: String) -> Bool { lock.withLock { states[path] != nil } }

    /// The log last appended to `path`, let go of (with the state read of it, the same), so that
    /// the next append extends it in place; ``remember(_:at:)`` keeps it again once written.
    func takeWritten(at path: String) -> DecisionStore.Written? {
        lock.withLock {
            guard let log = written.removeValue(forKey: path) else { return nil }
            if states[path]?.stamp == log.stamp { states[path] = nil }
            return log
        }
    }
}
