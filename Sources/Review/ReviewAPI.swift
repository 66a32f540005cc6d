import Coding
import Corpus
import Foundation
import Hummingbird
import Pipeline

/// The review page's data: suggestions merged with decisions, turns around a suggestion, and
/// decisions in. Reads the out folder afresh on every request, so a `tmine run` during review
/// shows on reload.
struct ReviewAPI: Sendable {
    let configuration: PipelineConfiguration
    let coder: String
    var decider: Decider { Decider(configuration: configuration) }

    struct State: Encodable {
        var study: String
        var coder: String
        /// The coder's log version: sent back with every decision.
        var version: Int
        var codes: [Outputs.SuggestionsFile.CodeInfo]
        var suggestions: [Suggestion]
        var manualCodings: [ManualCoding]
    }

    func state() throws -> Response {
        let (file, merged) = try loaded { try decider.currentSuggestions() }
        let log = try loaded {
            do {
                return try DecisionStore.read(decider.decisionsPath(coder: coder), coder: coder)
            } catch let error as DecisionError {
                throw PipelineError(file: error.file, message: error.message)
            }
        }
        return try json(
            State(
                study: configuration.study, coder: coder, version: log.version, codes: file.lexicon.codes,
                suggestions: merged.suggestions, manualCodings: merged.manual[coder] ?? []))
    }

    struct Turn: Encodable {
        var index: Int
        var speaker: String
        var role: SpeakerRole
        var text: String
    }

    func turns(document: String, segment: Int) throws -> Response {
        guard let corpus = try? Outputs.corpus(of: configuration),
            let found = corpus.documents.first(where: { $0.id == document })
        else {
            return problem(.notFound, "no document \(document)")
        }
        let turns = found.segments.filter { abs($0.index - segment) <= 1 }
            .map { Turn(index: $0.index, speaker: $0.speaker, role: $0.role, text: $0.text) }
        return try json(turns)
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
            let log = try decider.decide(coder: coder, actions, expectedVersion: request.version)
            return try json(["version": log.version])
        } catch let error as PipelineError {
            let conflict = error.message.contains("changed since they were read")
            return problem(conflict ? .conflict : .unprocessableContent, error.message)
        }
    }

    private func loaded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PipelineError {
            throw HTTPError(.serviceUnavailable, message: error.description)
        }
    }

    private func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var headers = ReviewServer.securityHeaders
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(
            status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    private func problem(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var headers = ReviewServer.securityHeaders
        headers[.contentType] = "application/json; charset=utf-8"
        let body = (try? JSONEncoder().encode(["error": message])) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
