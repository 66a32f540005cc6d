import ArgumentParser
import Foundation
import Hummingbird
import Pipeline
import Review

/// `tmine review`: the coder's review page on 127.0.0.1.
struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Serve the review page for one coder on 127.0.0.1, with a session token.",
        discussion: "Open the printed address in a browser. Every decision is saved at once to decisions/<coder>.json.")

    @Argument(help: "The pipeline file (run it first).")
    var pipeline: String

    @Option(name: .long, help: "The coder's name (letters, digits, . _ -).")
    var coder: String

    @Option(name: .long, help: "Port on 127.0.0.1 (default: any free port).")
    var port = 0

    @Flag(
        name: .long,
        help:
            "Show none of the other coders' decisions (for coding that agreement is measured on: each coder's judgements their own)."
    )
    var blind = false

    func validate() throws {
        // 99999 was served on 34463, the port it wraps to.
        guard (0...65_535).contains(port) else { throw ValidationError("--port is 1 to 65535, or 0 for any free port") }
    }

    func run() async throws {
        let configuration = try readPipeline(pipeline)
        guard Decider.isValidCoder(coder) else {
            throw ValidationError("a coder name is letters, digits, '.', '_' or '-'")
        }
        let server = ReviewServer(configuration: configuration, coder: coder, port: port, blind: blind)
        // Reads the last run's suggestions: a pipeline without a suggest stage, or not run, is told so.
        try report { try server.prepare() }
        let token = server.token
        let (coder, blind) = (self.coder, self.blind)
        let app = server.application { port in
            let message =
                "Review for \(coder)\(blind ? " (blind: no other coder's decisions are shown)" : ""): "
                + "http://127.0.0.1:\(port)/?token=\(token)\n"
                + "Decisions are saved to \(Decider(configuration: configuration).decisionsPath(coder: coder)). Ctrl-C stops.\n"
            FileHandle.standardOutput.write(Data(message.utf8))
        }
        try await app.runService()
    }
}
