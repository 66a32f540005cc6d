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
