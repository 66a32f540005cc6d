import Coding
import Corpus
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Pipeline
import Testing

@testable import Review

/// A copy of the sample study, run once, with a transcript holding markup.
struct ReviewStudy {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let root: URL
    let configuration: PipelineConfiguration

    /// `copies`: each sample transcript that many times (the copies under other names).
    init(copies: Int = 1) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("review-\(UUID().uuidString)")
        let corpus = root.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let sample = Self.repository.appendingPathComponent("Corpora/ai-doctors")
        for name in try FileManager.default.contentsOfDirectory(atPath: sample.path)
        where name.hasPrefix("interview-") || name == "participants.csv" {
            try FileManager.default.copyItem(
                at: sample.appendingPathComponent(name), to: corpus.appendingPathComponent(name))
            for copy in 1..<max(copies, 1) where name != "participants.csv" {
                try FileManager.default.copyItem(
                    at: sample.appendingPathComponent(name), to: corpus.appendingPathComponent("copy-\(copy)-" + name))
            }
        }
        try "Interviewer: And the hype?\nP12: <script>alert('x')</script> & <b>so much hype</b>, honestly.\n"
            .write(to: corpus.appendingPathComponent("interview-12.txt"), atomically: true, encoding: .utf8)
        // Two speakers known only by name, neither asking: their turns are no participant's.
        try
            "Jane Smith: Tell me about the hype.\nAde Bello: So much hype.\nJane Smith: Thank you.\nAde Bello: Hype again.\n"
            .write(to: corpus.appendingPathComponent("interview-13.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            at: Self.repository.appendingPathComponent("Pipelines/lexicons/ai-doctors.yaml"),
            to: root.appendingPathComponent("lexicon.yaml"))
        try """
        study: review
        inputs: [corpus]
        participants: corpus/participants.csv
        stages:
          - tokenize:
          - suggest:
              lexicon: lexicon.yaml
        out: out
        """.write(to: root.appendingPathComponent("study.yaml"), atomically: true, encoding: .utf8)
        configuration = try PipelineReader.read(root.appendingPathComponent("study.yaml").path)
        _ = try PipelineRunner(configuration: configuration).run()
    }

    var pipeline: String { root.appendingPathComponent("study.yaml").path }
    func remove() { try? FileManager.default.removeItem(at: root) }
}

@Suite(.serialized) struct ReviewServerTests {
    let token = "t0k3n"

    func withServer(
        blind: Bool = false, _ body: @Sendable (any TestClientProtocol, ReviewStudy) async throws -> Void
    ) async throws {
        let study = try ReviewStudy()
        defer { study.remove() }
        let server = ReviewServer(configuration: study.configuration, coder: "alice", token: token, blind: blind)
        try await server.application().test(.router) { client in try await body(client, study) }
    }

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test func everyRequestNeedsTheToken() async throws {
        try await withServer { client, _ in
            for path in [
                "/", "/api/state", "/api/suggestions?ids=a", "/api/turns?document=interview-01&segment=2",
                "/api/words?code=Serendipity",
            ] {
                try await client.execute(uri: path, method: .get) { #expect($0.status == .forbidden) }
                try await client.execute(uri: path + (path.contains("?") ? "&" : "?") + "token=wrong", method: .get) {
                    #expect($0.status == .forbidden)
                }
            }
            try await client.execute(uri: "/?token=\(token)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.headers[.named("Access-Control-Allow-Origin")] == nil)
                let page = String(buffer: response.body)
                #expect(page.contains("<script nonce="))
                #expect(!page.contains("{{"))
                #expect(!page.contains("http://") && !page.contains("https://"))  // no CDN, no network
            }
        }
    }

    @Test func changingStateNeedsTheTokenInAHeader() async throws {
        try await withServer { client, study in
            let suggestions = try Decider(configuration: study.configuration).currentSuggestions().file.suggestions
            let body = ByteBuffer(
                string: #"{"version":0,"actions":[{"action":"accept","id":"\#(suggestions[0].id)"}]}"#)
            let json: HTTPFields = [.contentType: "application/json"]
            try await client.execute(uri: "/api/decisions?token=\(token)", method: .post, headers: json, body: body) {
                #expect($0.status == .forbidden)  // a form on another site could put the token in the URL
            }
            var withHeader = json
            withHeader[GuardMiddleware<BasicRequestContext>.tokenHeader] = token
            var crossOrigin = withHeader
            crossOrigin[.origin] = "http://evil.example"
            try await client.execute(uri: "/api/decisions", method: .post, headers: crossOrigin, body: body) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/decisions", method: .post, headers: withHeader, body: body) {
                response in
                #expect(response.status == .ok)
                let version = try self.json(response)["version"] as? Int
                #expect(version == 1)
            }
            let log = try DecisionStore.read(
                Decider(configuration: study.configuration).decisionsPath(coder: "alice"), coder: "alice")
            #expect(log.events.map(\.action) == [.accept])
            #expect(log.events.first?.snapshot?.code == suggestions[0].code)
        }
    }

    @Test func aStaleTabIsToldToReloadAndNothingIsOverwritten() async throws {
        try await withServer { client, study in
            let id = try Decider(configuration: study.configuration).currentSuggestions().file.suggestions[0].id
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[GuardMiddleware<BasicRequestContext>.tokenHeader] = token
            let accept = ByteBuffer(string: #"{"version":0,"actions":[{"action":"accept","id":"\#(id)"}]}"#)
            let reject = ByteBuffer(string: #"{"version":0,"actions":[{"action":"reject","id":"\#(id)"}]}"#)
            try await client.execute(uri: "/api/decisions", method: .post, headers: headers, body: accept) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/api/decisions", method: .post, headers: headers, body: reject) { response in
                #expect(response.status == .conflict)
                let error = try self.json(response)["error"] as? String
                #expect(error?.contains("reload") == true)
            }
            let state = CoderState(
                try DecisionStore.read(
                    Decider(configuration: study.configuration).decisionsPath(coder: "alice"), coder: "alice"))
            #expect(state.status(of: id) == .accepted)
        }
    }

    @Test func suggestionsCarryMarkupAsTextAndTurnsAroundASuggestion() async throws {
        try await withServer { client, _ in
            let state = try await client.execute(uri: "/api/state?token=\(token)", method: .get) { response in
                let state = try self.json(response)
                #expect(state["version"] as? Int == 0)
                return try self.listing(response)
            }
            let ids = state.listing.suggestions.filter { $0.documentID == "interview-12" }.map(\.id)
            #expect(!ids.isEmpty)
            try await client.execute(
                uri: "/api/suggestions?token=\(token)&ids=\(ids.joined(separator: ","))", method: .get
            ) {
                response in
                let page = try self.answer(response)
                #expect(page.suggestions.map(\.id) == ids)
                #expect(page.suggestions.allSatisfy { $0.text.contains("<script>alert('x')</script>") })
                #expect(
                    String(buffer: response.body).contains(#"<script>alert('x')<\/script>"#)
                        || String(buffer: response.body).contains("<script>alert('x')</script>"))
            }
            try await client.execute(uri: "/api/turns?token=\(token)&document=interview-01&segment=2", method: .get) {
                response in
                let turns = try #require(
                    JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]])
                #expect(turns.map { $0["index"] as? Int } == [1, 2, 3])
            }
        }
    }

    /// A neighbouring turn is read from corpus.json; after a restart that file may be damaged,
    /// and the page is told so (and what to do), not that the document is missing.
    @Test func turnsFromACorpusNotKnownToBeOnDiskAfterARestartAreRefusedWithAReason() async throws {
        try await withServer { client, study in
            try await client.execute(uri: "/api/turns?token=\(token)&document=nope&segment=2", method: .get) {
                response in
                #expect(response.status == .notFound)
            }
            let boot = try String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let manifest = URL(fileURLWithPath: study.configuration.outputFolder)
                .appendingPathComponent(".cache/manifest.json")
            let text = try String(contentsOf: manifest, encoding: .utf8)
            #expect(text.contains(boot))
            try text.replacingOccurrences(of: boot, with: "an-earlier-boot").write(
                to: manifest, atomically: true, encoding: .utf8)
            try await client.execute(uri: "/api/turns?token=\(token)&document=interview-01&segment=2", method: .get) {
                response in
                #expect(response.status == .conflict)
                let error = try self.json(response)["error"] as? String
                #expect(error?.contains("run the pipeline again") == true, "\(error ?? "")")
            }
        }
    }

    /// A decision's answer, or a page of whole suggestions (which has no version).
    struct Answer: Decodable {
        var run: String
        var version: Int?
        var suggestions: [Suggestion]
    }

    func answer(_ response: TestResponse) throws -> Answer {
        try JSONDecoder().decode(Answer.self, from: Data(buffer: response.body))
    }

    /// The state as the page reads it: every suggestion listed with what its filters need.
    struct Listing: Decodable {
        struct Listed: Decodable, Equatable {
            var attributes: Int
            var code: String
            var documentID: String
            var id: String
            var participantID: String?
            var status: SuggestionStatus
            var conflict: Bool?
            var turn: Int
        }
        struct Suggestions: Decodable {
            var attributeSets: [[String: String]]
            var suggestions: [Listed]
        }
        var run: String
        var version: Int
        var blind: Bool
        var listing: Suggestions
    }

    func listing(_ response: TestResponse) throws -> Listing {
        try JSONDecoder().decode(Listing.self, from: Data(buffer: response.body))
    }

    /// The state, and every suggestion it lists asked for in pages as the page asks for them.
    func everything(_ client: any TestClientProtocol) async throws -> (Listing, [Suggestion]) {
        let state = try await client.execute(uri: "/api/state?token=\(token)", method: .get) { try self.listing($0) }
        var suggestions: [Suggestion] = []
        let ids = state.listing.suggestions.map(\.id)
        for start in stride(from: 0, to: ids.count, by: 200) {
            let page = ids[start..<min(start + 200, ids.count)].joined(separator: ",")
            let answer = try await client.execute(uri: "/api/suggestions?token=\(token)&ids=\(page)", method: .get) {
                try self.answer($0)
            }
            #expect(answer.run == state.run)
            suggestions += answer.suggestions
        }
        return (state, suggestions)
    }

    /// Preparing the server reads the coders' logs ahead, on another thread, so that the page's
    /// first state does not wait for them.
    @Test func preparingReadsTheCodersLogsAhead() throws {
        let study = try ReviewStudy()
        defer { study.remove() }
        let decider = Decider(configuration: study.configuration)
        let first = try decider.currentSuggestions().file.suggestions[0]
        try decider.decide(coder: "bob", [.accept(first.id)])
        let server = ReviewServer(configuration: study.configuration, coder: "alice", token: token)
        let log = decider.decisionsPath(coder: "bob")
        #expect(!server.api.states.holds(log))
        try server.prepare()
        let deadline = Date().addingTimeInterval(10)
        while !server.api.states.holds(log) && Date() < deadline { usleep(2_000) }
        #expect(server.api.states.holds(log))
    }

    @Test func theListingIsEverySuggestionAsTheWholeMergeHasIt() async throws {
        try await withServer { client, study in
            let file = try Decider(configuration: study.configuration).currentSuggestions().file
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[GuardMiddleware<BasicRequestContext>.tokenHeader] = token
            // Decisions of this coder and of another, which the listing must tell apart.
            let (mine, theirs) = (file.suggestions[3], file.suggestions[7])
            let accept = ByteBuffer(string: #"{"version":0,"actions":[{"action":"reject","id":"\#(mine.id)"}]}"#)
            try await client.execute(uri: "/api/decisions", method: .post, headers: headers, body: accept) {
                #expect($0.status == .ok)
            }
            _ = try Decider(configuration: study.configuration).decide(coder: "bob", [.accept(theirs.id)])
            let (state, suggestions) = try await everything(client)
            let merged = try Decider(configuration: study.configuration).currentSuggestions().merged.suggestions
            #expect(suggestions == merged)
            #expect(state.listing.suggestions.map(\.id) == merged.map(\.id))
            for (listed, suggestion) in zip(state.listing.suggestions, merged) {
                #expect(listed.code == suggestion.code && listed.documentID == suggestion.documentID)
                #expect(listed.turn == suggestion.segmentIndex)
                #expect(listed.participantID == suggestion.participantID)
                #expect(state.listing.attributeSets[listed.attributes] == suggestion.attributes)
                #expect(listed.status == (suggestion.decisions.first { $0.coder == "alice" }?.status ?? .pending))
            }
            #expect(state.listing.suggestions.first { $0.id == mine.id }?.status == .rejected)
            #expect(state.listing.suggestions.first { $0.id == theirs.id }?.status == .pending)
            #expect(Set(state.listing.attributeSets.map { $0 }).count == state.listing.attributeSets.count)
            // An id the run does not have is left out; the order asked is kept.
            let ids = [merged[5].id, "nope", merged[0].id]
            let page = try await client.execute(
                uri: "/api/suggestions?token=\(token)&ids=\(ids.joined(separator: ","))", method: .get
            ) { try self.answer($0) }
            #expect(page.suggestions.map(\.id) == [merged[5].id, merged[0].id])
        }
    }

    /// Where coders disagree the listing says so, for the page's "conflict" filter (it listed
    /// the coder's own status alone, and the filter found nothing); reviewing blind, the page is
    /// sent no other coder's decision at all, in the state, a page of cards or a decision's answer.
    @Test(arguments: [false, true]) func aBlindReviewIsSentNoOtherCodersDecisions(blind: Bool) async throws {
        try await withServer(blind: blind) { client, study in
            let decider = Decider(configuration: study.configuration)
            let file = try decider.currentSuggestions().file
            let (agreed, disputed, theirs) = (file.suggestions[2], file.suggestions[4], file.suggestions[6])
            try decider.decide(coder: "alice", [.accept(agreed.id), .accept(disputed.id)])
            try decider.decide(
                coder: "bob", [.accept(agreed.id), .reject(disputed.id), .recode(theirs.id, code: "Serendipity")])
            let (state, suggestions) = try await everything(client)
            #expect(state.blind == blind)
            let conflicts = state.listing.suggestions.filter { $0.conflict == true }.map(\.id)
            #expect(conflicts == (blind ? [] : [disputed.id]))
            let coders = Set(suggestions.flatMap { $0.decisions.map(\.coder) })
            #expect(coders == (blind ? ["alice"] : ["alice", "bob"]))
            #expect(suggestions.first { $0.id == theirs.id }?.decisions.first?.code == (blind ? nil : "Serendipity"))
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[GuardMiddleware<BasicRequestContext>.tokenHeader] = token
            let reject = ByteBuffer(
                string: #"{"version":\#(state.version),"actions":[{"action":"reject","id":"\#(theirs.id)"}]}"#)
            let decided = try await client.execute(uri: "/api/decisions", method: .post, headers: headers, body: reject)
            {
                #expect($0.status == .ok)
                return try self.answer($0)
            }
            let decision = decided.suggestions.first { $0.id == theirs.id }
            #expect(decision?.decisions.map(\.coder) == (blind ? ["alice"] : ["alice", "bob"]))
            #expect(decision?.status == (blind ? .rejected : .conflict))
            // Blind or not, every decision is kept in the logs, and agreement compares them; one
            // made on a blind page says so, for agreement to count.
            #expect(try decider.coderStates().map(\.coder).sorted() == ["alice", "bob"])
            let log = try DecisionStore.read(decider.decisionsPath(coder: "alice"), coder: "alice")
            #expect(log.events.last?.blind == (blind ? true : nil))
            let counted = Agreement.decidedBlind(try decider.coderStates()).first { $0.coder == "alice" }
            #expect(counted?.blind == (blind ? 1 : 0) && counted?.decisions == 3)
        }
    }

    /// The words of a code the page lists are the library's first ones: from its suggestions
    /// until a coder codes it, then from the codings the page may see (blind: the coder's own,
    /// so another coder's acceptance alone leaves the suggestions counted); an unknown code is
    /// refused with the codes it could be.
    @Test(arguments: [false, true]) func aCodesWordsAreTheLibrarysFromTheCodingsThePageMaySee(blind: Bool)
        async throws
    {
        try await withServer(blind: blind) { client, study in
            let decider = Decider(configuration: study.configuration)
            let file = try decider.currentSuggestions().file
            let code = file.suggestions[0].code
            let ofCode = file.suggestions.filter { $0.code == code }
            func words() async throws -> CodeWords {
                let path = "/api/words?token=\(token)&code=" + code.replacingOccurrences(of: " ", with: "%20")
                return try await client.execute(uri: path, method: .get) {
                    #expect($0.status == .ok)
                    return try JSONDecoder().decode(CodeWords.self, from: Data(buffer: $0.body))
                }
            }
            var expected = try decider.codeWords(code: code, basis: .suggestions, minimumCount: 2)
            expected.rows = Array(expected.rows.prefix(ReviewAPI.wordsShown))
            #expect(try await words() == expected)
            #expect(expected.turns > 1 && !expected.rows.isEmpty)
            try decider.decide(coder: "bob", [.accept(ofCode[0].id)])
            let afterBob = try await words()
            #expect(afterBob.basis == (blind ? .suggestions : .codings))
            #expect(afterBob.turns == (blind ? expected.turns : 1))
            try decider.decide(coder: "alice", [.accept(ofCode[1].id)])
            let afterAlice = try await words()
            #expect(afterAlice.basis == .codings)
            #expect(afterAlice.coders == (blind ? ["alice"] : ["alice", "bob"]))
            var coded = try decider.codeWords(
                code: code, basis: .codings, coder: blind ? "alice" : nil, minimumCount: 2)
            coded.rows = Array(coded.rows.prefix(ReviewAPI.wordsShown))
            #expect(afterAlice == coded)
            try await client.execute(uri: "/api/words?token=\(token)&code=Nope", method: .get) { response in
                #expect(response.status == .unprocessableContent)
                #expect(String(buffer: response.body).contains("no code \\\"Nope\\\""))
            }
        }
    }

    /// A code's words asked for again are the answer counted before, until a decision the page
    /// may see or a run changes what they are counted from; another coder's decision on a blind
    /// page changes nothing it may see.
    @Test(arguments: [false, true]) func aCodesWordsAreCountedAgainOnlyAfterADecisionOrARun(blind: Bool)
        async throws
    {
        let study = try ReviewStudy()
        defer { study.remove() }
        let server = ReviewServer(configuration: study.configuration, coder: "alice", token: token, blind: blind)
        let cache = server.api.counted
        let token = token
        try await server.application().test(.router) { client in
            let decider = Decider(configuration: study.configuration)
            let suggestions = try decider.currentSuggestions().file.suggestions
            let code = suggestions[0].code
            let ofCode = suggestions.filter { $0.code == code }
            func words() async throws -> CodeWords {
                let path = "/api/words?token=\(token)&code=" + code.replacingOccurrences(of: " ", with: "%20")
                return try await client.execute(uri: path, method: .get) {
                    try JSONDecoder().decode(CodeWords.self, from: Data(buffer: $0.body))
                }
            }
            let first = try await words()
            #expect(try await words() == first && cache.hits == 1)
            try decider.decide(coder: "bob", [.accept(ofCode[0].id)])
            let afterBob = try await words()
            #expect(cache.hits == (blind ? 2 : 1))
            #expect(afterBob.turns == (blind ? first.turns : 1))
            try decider.decide(coder: "alice", [.accept(ofCode[1].id)])
            let afterAlice = try await words()
            #expect(cache.hits == (blind ? 2 : 1))
            #expect(afterAlice.basis == .codings && afterAlice.coders.contains("alice"))
            #expect(try await words() == afterAlice && cache.hits == (blind ? 3 : 2))
            // A run that rewrites the outputs: counted again, to the same words.
            var options = PipelineRunner.Options()
            options.force = true
            _ = try PipelineRunner(configuration: study.configuration, options: options).run()
            #expect(try await words() == afterAlice && cache.hits == (blind ? 3 : 2))
        }
    }

    @Test func aDecisionIsAnsweredWithItsDocumentsSuggestionsMergedAgain() async throws {
        try await withServer { client, study in
            let file = try Decider(configuration: study.configuration).currentSuggestions().file
            let target = file.suggestions[file.suggestions.count / 2]
            let document = file.suggestions.filter { $0.documentID == target.documentID }
            #expect(document.count > 1)
            let before = try await client.execute(uri: "/api/state?token=\(token)", method: .get) {
                try self.listing($0)
            }
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[GuardMiddleware<BasicRequestContext>.tokenHeader] = token
            let accept = ByteBuffer(string: #"{"version":0,"actions":[{"action":"accept","id":"\#(target.id)"}]}"#)
            let decided = try await client.execute(uri: "/api/decisions", method: .post, headers: headers, body: accept)
            {
                #expect($0.status == .ok)
                return try self.answer($0)
            }
            #expect(decided.version == 1 && decided.run == before.run)
            #expect(decided.suggestions.map(\.id) == document.map(\.id))
            #expect(decided.suggestions.first { $0.id == target.id }?.status == .accepted)
            #expect(decided.suggestions.first { $0.id == target.id }?.decisions.map(\.coder) == ["alice"])
            #expect(decided.suggestions.filter { $0.status == .pending }.count == document.count - 1)
            // What the page is sent after loading again.
            let (after, suggestions) = try await everything(client)
            #expect(suggestions.filter { $0.documentID == target.documentID } == decided.suggestions)
            #expect(after.version == 1)
            #expect(after.listing.suggestions.first { $0.id == target.id }?.status == .accepted)
        }
    }

    @Test func aRunDuringReviewIsReadOnTheNextRequest() async throws {
        try await withServer { client, study in
            let (before, suggestions) = try await everything(client)
            #expect(suggestions.contains { $0.documentID == "interview-12" })
            try FileManager.default.removeItem(at: study.root.appendingPathComponent("corpus/interview-12.txt"))
            _ = try PipelineRunner(configuration: study.configuration).run()
            // A page of cards asked for with the old list is told the run changed.
            let ids = suggestions.prefix(3).map(\.id).joined(separator: ",")
            let stale = try await client.execute(uri: "/api/suggestions?token=\(token)&ids=\(ids)", method: .get) {
                try self.answer($0)
            }
            #expect(stale.run != before.run)
            let (after, afterSuggestions) = try await everything(client)
            #expect(after.run != before.run)
            #expect(!afterSuggestions.contains { $0.documentID == "interview-12" })
            #expect(afterSuggestions == suggestions.filter { $0.documentID != "interview-12" })
            // A decision on a suggestion the run took away is refused, not recorded.
            let gone = try #require(suggestions.first { $0.documentID == "interview-12" })
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[GuardMiddleware<BasicRequestContext>.tokenHeader] = token
            let accept = ByteBuffer(string: #"{"version":0,"actions":[{"action":"accept","id":"\#(gone.id)"}]}"#)
            try await client.execute(uri: "/api/decisions", method: .post, headers: headers, body: accept) {
                #expect($0.status == .unprocessableContent)
            }
        }
    }

    @Test func badActionsAreRefusedWithAReason() async throws {
        try await withServer { client, _ in
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[GuardMiddleware<BasicRequestContext>.tokenHeader] = token
            let unknown = ByteBuffer(string: #"{"version":0,"actions":[{"action":"accept","id":"nope"}]}"#)
            try await client.execute(uri: "/api/decisions", method: .post, headers: headers, body: unknown) {
                response in
                #expect(response.status == .unprocessableContent)
                let error = try self.json(response)["error"] as? String
                #expect(error?.contains("no suggestion") == true)
            }
        }
    }

    /// A port asked for that another server holds is told plainly before serving; a free one
    /// and "any free port" pass.
    @Test func aPortInUseIsToldPlainly() throws {
        let study = try ReviewStudy()
        defer { study.remove() }
        // A listening socket on a port the system picks.
        // Closed once, below, and not again: a second close in this process of parallel tests
        // could close another test's file that took the number.
        let held = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(held, $0, length) == 0 && listen(held, 1) == 0 && getsockname(held, $0, &length) == 0
            }
        }
        guard bound else {
            close(held)
            Issue.record("could not hold a port")
            return
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let server = ReviewServer(configuration: study.configuration, coder: "alice", port: port, token: token)
        let refused = Result { try server.prepare() }
        close(held)
        #expect {
            try refused.get()
        } throws: { error in
            (error as? PipelineError)?.description
                == "--port: error: port \(port) on 127.0.0.1 is in use (a review page open already?): give another, or none for any free port"
        }
        #expect(throws: Never.self) { try server.prepare() }
        #expect(throws: Never.self) {
            try ReviewServer(configuration: study.configuration, coder: "alice", token: token).prepare()
        }
    }

    @Test(arguments: [
        ("127.0.0.1:8080", true), ("localhost", true), ("[::1]:9", true), ("LOCALHOST:1", true),
        ("evil.example", false), ("127.0.0.1.evil.example:80", false), ("", false), ("192.168.1.2:8080", false),
    ])
    func onlyLoopbackHostsAreServed(_ authority: String, _ allowed: Bool) {
        #expect(GuardMiddleware<BasicRequestContext>.isLoopback(authority: authority) == allowed)
    }
}

/// The page in a real headless Chromium: keyboard, mouse, recode, reload, decisions on disk.
@Suite struct ReviewBrowserTests {
    /// Runs e2e_review.py on the study; true when it passed (its output is recorded if not).
    func runScript(_ study: ReviewStudy, _ arguments: [String]) throws -> Bool {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let tmine = [executable, executable.deletingLastPathComponent()].map { $0.appendingPathComponent("tmine") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        let path = try #require(tmine, "build the tmine executable first").path
        let script = ReviewStudy.repository.appendingPathComponent("Tests/ReviewTests/e2e_review.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, path, study.pipeline] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        return process.terminationStatus == 0
    }

    @Test func aCoderReviewsWithKeyboardAndMouseAndEverythingPersists() throws {
        let study = try ReviewStudy()
        defer { study.remove() }
        let screenshot = study.root.appendingPathComponent("review.png").path
        // Another coder accepted every suggestion: the page's rejection and recoding disagree.
        let decider = Decider(configuration: study.configuration)
        try decider.decide(coder: "bob", try decider.currentSuggestions().file.suggestions.map { .accept($0.id) })
        let count = try decider.currentSuggestions().file.suggestions.count
        guard try runScript(study, [screenshot]) else { return }
        let log = try DecisionStore.read(
            study.root.appendingPathComponent("out/review/decisions/e2e.json").path, coder: "e2e")
        let state = CoderState(log)
        #expect(Set(state.entries.values.map(\.status)) == [.accepted, .rejected, .recoded])
        // A coding by hand made, removed and made again: one in force, three events.
        #expect(state.manual.map(\.code) == ["Serendipity"])
        #expect(log.events.filter { $0.action == .manual || $0.action == .removeManual }.count == 3)
        let size = (try? FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int) ?? 0
        #expect(size > 10_000)
        // The next run's suggestions carry the decisions.
        let report = try PipelineRunner(configuration: study.configuration).run()
        #expect(report.suggestions?.byStatus["accepted"] == count - 2)
        #expect(report.suggestions?.byStatus["conflict"] == 2)
    }

    @Test func manySuggestionsComeAPageAtATimeADecisionLoadsNothingAgainAndARunIsNoticed() throws {
        let study = try ReviewStudy(copies: 6)
        defer { study.remove() }
        let count = try Decider(configuration: study.configuration).currentSuggestions().file.suggestions.count
        #expect(count > 3 * 200)
        guard try runScript(study, ["--many", String(count)]) else { return }
        let state = CoderState(
            try DecisionStore.read(
                study.root.appendingPathComponent("out/review/decisions/e2e.json").path, coder: "e2e"))
        #expect(state.entries.values.map(\.status) == [.accepted])
    }
}
