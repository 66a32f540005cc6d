import Foundation
import Testing

@testable import tmine

@Suite struct KwicTests {
    /// The command `tmine kwic` suggests when the query came second reads back as it was meant:
    /// plain words as they are, wildcards (which a shell would expand) and quotes in double quotes.
    @Test func suggestedCommandsQuoteWhatAShellWouldChange() {
        #expect(Kwic.shellWord("Corpora/ai-doctors") == "Corpora/ai-doctors")
        #expect(Kwic.shellWord("café") == "café")
        #expect(Kwic.shellWord("regulat*") == "\"regulat*\"")
        #expect(Kwic.shellWord("protected time") == "\"protected time\"")
        #expect(Kwic.shellWord("say \"$x\" `y` \\") == #""say \"\$x\" \`y\` \\""#)
        #expect(Kwic.shellWord("") == "\"\"")
    }

    /// `--phrases turn` lets a phrase cross a sentence's end, over a folder and over a pipeline
    /// whose tokenize stage says otherwise; phrases stay inside a sentence without it.
    @Test func thePhrasesFlagReachesTheTokeniser() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("phrases-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "P1: We felt protected. Time was short.\n".write(
            to: folder.appendingPathComponent("t.txt"), atomically: true, encoding: .utf8)
        let pipeline = folder.appendingPathComponent("p.yaml")
        try "study: s\ninputs: [.]\nstages:\n  - tokenize: {phrases: sentence}\n".write(
            to: pipeline, atomically: true, encoding: .utf8)
        #expect(try Kwic.parse(["protected time", folder.path]).corpus.study().options.phrases == .sentence)
        #expect(
            try Kwic.parse(["protected time", folder.path, "--phrases", "turn"]).corpus.study().options.phrases
                == .turn)
        #expect(
            try Kwic.parse(["protected time", pipeline.path, "--phrases", "turn"]).corpus.study().options.phrases
                == .turn)
        #expect(throws: (any Error).self) { try Kwic.parse(["protected time", folder.path, "--phrases", "paragraph"]) }
        // --collocates counts a window of tokens, and --min-count is its.
        #expect(throws: (any Error).self) { try Kwic.parse(["hype", folder.path, "--collocates", "--characters"]) }
        #expect(throws: (any Error).self) { try Kwic.parse(["hype", folder.path, "--min-count", "3"]) }
        #expect(try Kwic.parse(["hype", folder.path, "--collocates", "--min-count", "3"]).minCount == 3)
    }
}

@Suite struct ReviewCommandTests {
    /// A port past 65535 is refused (99999 was served on 34463, the port it wraps to); 0 is any
    /// free port.
    @Test func aPortOutOfRangeIsRefused() throws {
        #expect(throws: (any Error).self) { try ReviewCommand.parse(["p.yaml", "--coder", "a", "--port", "99999"]) }
        #expect(throws: (any Error).self) { try ReviewCommand.parse(["p.yaml", "--coder", "a", "--port", "-1"]) }
        #expect(try ReviewCommand.parse(["p.yaml", "--coder", "a", "--port", "0"]).port == 0)
        #expect(try ReviewCommand.parse(["p.yaml", "--coder", "a", "--port", "65535"]).port == 65_535)
    }
}

@Suite struct CooccurrenceCommandTests {
    /// Units are turns unless `--unit document`; one output format at a time; a coder's codings
    /// or the suggestions, not both; the text lists at least one pair.
    @Test func optionsThatContradictEachOtherAreRefused() throws {
        #expect(try CooccurrenceCommand.parse(["p.yaml"]).unit == .turn)
        #expect(try CooccurrenceCommand.parse(["p.yaml", "--unit", "document"]).unit == .document)
        #expect(throws: (any Error).self) { try CooccurrenceCommand.parse(["p.yaml", "--unit", "sentence"]) }
        #expect(throws: (any Error).self) { try CooccurrenceCommand.parse(["p.yaml", "--json", "--csv"]) }
        #expect(throws: (any Error).self) {
            try CooccurrenceCommand.parse(["p.yaml", "--suggestions", "--coder", "alice"])
        }
        #expect(throws: (any Error).self) { try CooccurrenceCommand.parse(["p.yaml", "--top", "0"]) }
    }
}
