import Coding
import Corpus
import Foundation
import Hummingbird
import Pipeline

/// The review page's data: suggestions merged with decisions, turns around a suggestion, and
/// decisions in. The suggestions are read again whenever a `tmine run` has replaced them, and
/// the decisions on every request, so a run during review shows on reload.
struct ReviewAPI: Sendable {
    let configuration: PipelineConfiguration
    let coder: String
    /// Coding for agreement: the page is sent this coder's decisions alone, so that other
    /// coders' cannot sway theirs (κ and α assume judgements made independently), not hidden
    /// on a page that holds them.
    let blind: Bool
    let suggestions: SuggestionsCache
    let states = CoderStateCache()
    let counted = WordsCache()
    var decider: Decider { Decider(configuration: configuration) }

    init(configuration: PipelineConfiguration, coder: String, blind: Bool = false) {
        self.configuration = configuration
        self.coder = coder
        self.blind = blind
        suggestions = SuggestionsCache(decider: Decider(configuration: configuration))
    }

    /// The coders' states the page may see: this coder's alone when ``blind``.
    private func visible(_ states: [CoderState]) -> [CoderState] {
        blind ? states.filter { $0.coder == coder } : states
    }

    /// The page's state but its list of suggestions, which is spliced in (see ``state()``).
    struct State: Encodable {
        var study: String
        var coder: String
        var blind: Bool
        /// Which suggestions.json the state holds (``SuggestionsCache/Loaded/run``).
        var run: String
        /// The coder's log version: sent back with every decision.
        var version: Int
        var codes: [Outputs.SuggestionsFile.CodeInfo]
        var manualCodings: [ManualCoding]
    }

    /// Every suggestion as the page's filters, code tree and progress need it (merged with
    /// every coder's decisions; see ``Outputs/json(listing:merged:mine:)``), the codes, and this
    /// coder's log version and manual codings. Cards ask for their whole suggestions with
    /// ``suggestions(ids:)``.
    func state() throws -> Response {
        let current = try loaded { try suggestions.current() }
        let states = visible(try loaded { try decider.coderStates(cache: self.states) })
        // The coder's log version as its state counts it (the log is not read again for it).
        let version = states.first { $0.coder == coder }?.version ?? 0
        let statuses = DecisionMerger().statuses(of: current.file.suggestions, states: states, coder: coder)
        var body = try encoded(
            State(
                study: configuration.study, coder: coder, blind: blind, run: current.run, version: version,
                codes: current.file.lexicon.codes,
                manualCodings: statuses.manual[coder] ?? []))
        // Keys are sorted and `version` is the last: the listing goes before it, written as
        // the outputs are (JSONEncoder took seconds for 120,000 suggestions).
        guard let last = body.range(of: Data(#","version":"#.utf8), options: .backwards) else {
            throw HTTPError(.internalServerError, message: "the state has no version")
        }
        body.replaceSubrange(
            last.lowerBound..<last.lowerBound + 1,
            with: Data(#","listing":"#.utf8)
                + Outputs.json(listing: current.file.suggestions, merged: statuses.merged, mine: statuses.mine)
                + Data(",".utf8))
        return response(body)
    }

    /// The suggestions a page of cards shows, merged with the decisions as they are now, in the
    /// order asked; ids the last run no longer has are left out (`run` tells the page to load
    /// the state again).
    func suggestions(ids: [String]) throws -> Response {
        let current = try loaded { try suggestions.current() }
        let states = visible(try loaded { try decider.coderStates(cache: self.states) })
        return try json(Page(run: current.run, suggestions: current.merged(ids: ids, states: states)))
    }

    struct Page: Encodable {
        var run: String
        var suggestions: [Suggestion]
    }

    struct Turn: Encodable {
        var index: Int
        var speaker: String
        var role: SpeakerRole
        var text: String
    }

    func turns(document: String, segment: Int) throws -> Response {
        let found: Document?
        do {
            found = try Outputs.document(document, of: configuration)
        } catch {
            // No corpus.json, or one the machine may have damaged: say which and what to do.
            return problem(.conflict, error.message)
        }
        guard let found else { return problem(.notFound, "no document \(document)") }
        let turns = found.segments.filter { abs($0.index - segment) <= 1 }
            .map { Turn(index: $0.index, speaker: $0.speaker, role: $0.role, text: $0.text) }
        return try json(turns)
    }

    /// How many of a code's words the page lists.
    static let wordsShown = 25

    /// The words that mark `code`'s turns (``CodeWords``, said at least twice there): from the
    /// codings the page may see (this coder's alone when ``blind``), or, when none carries the
    /// code yet, from its suggestions not rejected; the first ``wordsShown`` of them.
    func words(code: String) throws -> Response {
        let decider = self.decider
        let states = visible(try loaded { try decider.coderStates(cache: self.states) })
        // Taken before counting: a run or a decision during the count leaves its answer under
        // the key of what it read before them.
        let key = WordsCache.Key(
            code: code,
            outputs: ["corpus.json", "suggestions.json"].map { WordsCache.stamp(of: $0, in: configuration) },
            versions: states.map { "\($0.coder) \($0.version)" })
        if let body = counted.body(for: key) { return response(body) }
        var words: CodeWords?
        do {
            // Blind, a coder with no log yet has no codings: the suggestions are read instead.
            if !blind || states.contains(where: { $0.coder == coder }) {
                words = try decider.codeWords(code: code, basis: .codings, coder: blind ? coder : nil, minimumCount: 2)
            }
            if words.map({ $0.turns == 0 }) ?? true {
                words = try decider.codeWords(code: code, basis: .suggestions, minimumCount: 2)
            }
        } catch {
            return problem(.unprocessableContent, error.description)
        }
        guard var words else { return problem(.internalServerError, "no words counted") }
        words.rows = Array(words.rows.prefix(Self.wordsShown))
        let body = try encoded(words)
        counted.keep(body, for: key)
        return response(body)
    }

    struct DecisionRequest: Decodable {
        struct Item: Decodable {
            var action: String
            var id: String?
            var code: String?
            var note: String?
            var document: String?
            var start: Int?
            var end: Int?
        }
        var version: Int
        var actions: [Item]
    }

    func decide(_ request: DecisionRequest) throws -> Response {
        var actions: [Decider.Action] = []
        for item in request.actions {
            switch (item.action, item.id, item.code, item.note) {
            case ("accept", let id?, _, _): actions.append(.accept(id))
            case ("reject", let id?, _, _): actions.append(.reject(id))
            case ("undo", let id?, _, _): actions.append(.undo(id))
            case ("recode", let id?, let code?, _): actions.append(.recode(id, code: code))
            case ("note", let id?, _, let note?): actions.append(.note(id, text: note))
            case ("manual", _, let code?, _):
                guard let document = item.document, let start = item.start, let end = item.end else {
                    return problem(.badRequest, "a manual coding needs document, start and end")
                }
                actions.append(.manual(document: document, range: ScalarRange(start: start, end: end), code: code))
            case ("removeManual", let id?, _, _): actions.append(.removeManual(id))
            default: return problem(.badRequest, "unknown or incomplete action \"\(item.action)\"")
            }
        }
        do {
            let current = try suggestions.current()
            let log = try decider.decide(
                coder: coder, actions, expectedVersion: request.version, in: current.file,
                positions: current.positions, cache: self.states, blind: blind)
            // What the decisions changed, for the page to show without loading everything again:
            // the documents the events just appended name (the log was at the request's version).
            var documents: [String] = []
            for event in log.events.dropFirst(request.version) {
                if let document = event.snapshot?.documentID, !documents.contains(document) {
                    documents.append(document)
                }
            }
            let states = visible(try decider.coderStates(cache: self.states))
            return try json(
                Decided(
                    run: current.run, version: log.version,
                    suggestions: current.merged(documents: documents, states: states),
                    manualCodings: states.first { $0.coder == coder }?.manual ?? CoderState(log).manual))
        } catch let error as PipelineError {
            let conflict = error.message.contains("changed since they were read")
            return problem(conflict ? .conflict : .unprocessableContent, error.message)
        }
    }

    /// A decision's answer: the coder's new log version, the suggestions of every document it
    /// touched merged again, and the coder's manual codings.
    struct Decided: Encodable {
        var run: String
        var version: Int
        var suggestions: [Suggestion]
        var manualCodings: [ManualCoding]
    }

    private func loaded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PipelineError {
            throw HTTPError(.serviceUnavailable, message: error.description)
        }
    }

    private func json(_ value: some Encodable) throws -> Response { response(try encoded(value)) }

    private func encoded(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    private func response(_ body: Data) -> Response {
        var headers = ReviewServer.securityHeaders
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func problem(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var headers = ReviewServer.securityHeaders
        headers[.contentType] = "application/json; charset=utf-8"
        let body = (try? JSONEncoder().encode(["error": message])) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The review page's last answers of ``ReviewAPI/words(code:)``, by the code and what they were
/// counted from: corpus.json and suggestions.json as the last run left them, and the version of
/// every decision log the page may see. Counting reads every transcript (~3 s at 100 MB), and a
/// coder opens a code's words again and again between decisions; any run or decision is a new
/// key, so an answer is never one that was counted from older files.
final class WordsCache: @unchecked Sendable {
    struct Key: Hashable {
        var code: String
        var outputs: [AtomicFile.FileStamp?]
        var versions: [String]
    }

    /// How many answers are kept (each a few kB).
    static let kept = 16

    private let lock = NSLock()
    private var answers: [(key: Key, body: Data)] = []
    /// Answers given from here rather than counted.
    private(set) var hits = 0

    func body(for key: Key) -> Data? {
        lock.withLock {
            guard let found = answers.firstIndex(where: { $0.key == key }) else { return nil }
            hits += 1
            return answers[found].body
        }
    }

    func keep(_ body: Data, for key: Key) {
        lock.withLock {
            answers.removeAll { $0.key == key }
            answers.append((key, body))
            if answers.count > Self.kept { answers.removeFirst(answers.count - Self.kept) }
        }
    }

    /// The stamp of the output `name` of the study's last run, nil when there is none.
    static func stamp(of name: String, in configuration: PipelineConfiguration) -> AtomicFile.FileStamp? {
        AtomicFile.FileStamp(of: (configuration.outputFolder as NSString).appendingPathComponent(name))
    }
}
