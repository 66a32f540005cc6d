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
