import Coding
import Corpus
import Foundation
import HTTPTypes
import Hummingbird
import Pipeline

/// The coder's review page and its small JSON API, served on 127.0.0.1 only.
///
/// Every request needs the session token (403 otherwise): in the page address, or for requests
/// that change anything only in the `X-Review-Token` header, so a page elsewhere cannot submit
/// decisions (CSRF). A Host header other than the loopback address is refused (DNS rebinding).
/// No CORS headers are ever sent. Decisions go through ``Decider``, the code `tmine decide` uses,
/// with a version check so two tabs cannot overwrite each other silently.
public struct ReviewServer: Sendable {
    public let configuration: PipelineConfiguration
    public let coder: String
    public let token: String
    public let port: Int
    let api: ReviewAPI

    /// `blind`: the page is never sent other coders' decisions (see ``ReviewAPI/blind``).
    public init(
        configuration: PipelineConfiguration, coder: String, port: Int = 0, token: String? = nil, blind: Bool = false
    ) {
        self.configuration = configuration
        self.coder = coder
        self.port = port
        self.token = token ?? Self.randomToken()
        api = ReviewAPI(configuration: configuration, coder: coder, blind: blind)
    }

    /// Reads the last run's suggestions, so that a missing or unreadable file is reported
    /// before the page is served and the first page load need not read them.
    public func prepare() throws(PipelineError) {
        _ = try api.suggestions.current()
        try checkPort()
        // The coders' logs read and replayed while the researcher opens the page, which waited
        // for them at its first state (at 100 MB, three logs of 42,000 decisions: 0.2 s). A log
        // that cannot be read is left for the page's request to report.
        let api = self.api
        DispatchQueue.global().async { _ = try? api.decider.coderStates(cache: api.states) }
    }

    /// A port asked for is tried first, so that one in use is told plainly (the HTTP stack
    /// said "bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)"). Bound and let
    /// go at once, with `SO_REUSEADDR` as the server binds it; any free port needs no check.
    func checkPort() throws(PipelineError) {
        guard port != 0 else { return }
        #if canImport(Glibc)
            let stream = Int32(SOCK_STREAM.rawValue)
        #else
            let stream = SOCK_STREAM
        #endif
        let probe = socket(AF_INET, stream, 0)
        guard probe >= 0 else { return }
        defer { close(probe) }
        var yes: Int32 = 1
        setsockopt(probe, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound != 0 else { return }
        let reason =
            switch errno {
            case EADDRINUSE: "is in use (a review page open already?)"
            case EACCES: "needs privileges this user lacks"
            default: "cannot be used (\(String(cString: strerror(errno))))"
            }
        throw PipelineError(
            file: "--port", message: "port \(port) on 127.0.0.1 \(reason): give another, or none for any free port")
    }

    /// 32 random bytes as hex, from the system's generator.
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// The application, for running or for tests.
    public func application(onRunning: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: GuardMiddleware(token: token))
        let api = self.api
        router.get("/") { _, _ -> Response in
            let nonce = Self.randomToken()
            var headers = Self.securityHeaders
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.contentSecurityPolicy] =
                "default-src 'none'; script-src 'nonce-\(nonce)'; style-src 'nonce-\(nonce)'; connect-src 'self'; "
                + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            let page = ReviewPage.html(nonce: nonce)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        router.get("/api/state") { _, _ -> Response in try api.state() }
        router.get("/api/suggestions") { request, _ -> Response in
            let ids = request.uri.queryParameters["ids"].map { $0.split(separator: ",").map(String.init) } ?? []
            return try api.suggestions(ids: ids)
        }
        router.get("/api/turns") { request, _ -> Response in
            let document = request.uri.queryParameters["document"].map(String.init) ?? ""
            let segment = request.uri.queryParameters["segment"].flatMap { Int(String($0)) } ?? -1
            return try api.turns(document: document, segment: segment)
        }
        router.get("/api/words") { request, _ -> Response in
            try api.words(code: request.uri.queryParameters["code"].map(String.init) ?? "")
        }
        router.post("/api/decisions") { request, context -> Response in
            let body = try await request.decode(as: ReviewAPI.DecisionRequest.self, context: context)
            return try api.decide(body)
        }
        let configuration = ApplicationConfiguration(address: .hostname("127.0.0.1", port: port), serverName: nil)
        return Application(
            router: router, configuration: configuration,
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? 0) })
    }

    static let securityHeaders: HTTPFields = [
        .cacheControl: "no-store", .named("X-Content-Type-Options"): "nosniff",
        .named("Referrer-Policy"): "no-referrer",
        .named("X-Frame-Options"): "DENY",
    ]
}

/// Refuses requests without the session token, with a foreign Host, or changing state without
/// the token in a header.
struct GuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String
    static var tokenHeader: HTTPField.Name { .named("X-Review-Token") }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let host = request.head.authority ?? ""
        guard Self.isLoopback(authority: host) else {
            return Self.refuse("this server answers only on 127.0.0.1")
        }
        let header = request.headers[Self.tokenHeader]
        let query = request.uri.queryParameters["token"].map(String.init)
        let changesState = request.method != .get && request.method != .head
        let presented = changesState ? header : (header ?? query)
        guard let presented, Self.constantTimeEquals(presented, token) else {
            return Self.refuse(
                changesState
                    ? "send the session token in the X-Review-Token header" : "the session token is missing or wrong")
        }
        if changesState, let origin = request.headers[.origin], !origin.hasSuffix("//" + host) {
            return Self.refuse("cross-origin requests are refused")
        }
        return try await next(request, context)
    }

    /// True for `127.0.0.1`, `localhost` or `[::1]`, with or without a port: any other Host is
    /// a DNS-rebinding attempt.
    static func isLoopback(authority: String) -> Bool {
        var name = authority
        if name.hasPrefix("[") {
            name = String(name.prefix { $0 != "]" }) + "]"
        } else if let colon = name.firstIndex(of: ":") {
            name = String(name[..<colon])
        }
        return ["127.0.0.1", "localhost", "[::1]"].contains(name.lowercased())
    }

    static func refuse(_ message: String) -> Response {
        var headers = ReviewServer.securityHeaders
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(
            status: .forbidden, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension HTTPField.Name {
    /// A header name known to be valid at compile time.
    static func named(_ name: String) -> HTTPField.Name {
        guard let parsed = HTTPField.Name(name) else { preconditionFailure("invalid header name \(name)") }
        return parsed
    }
}
