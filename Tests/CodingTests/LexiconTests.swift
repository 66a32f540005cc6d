import Testing

@testable import Coding

@Suite struct LexiconTests {
    @Test func structuralProblemsNameTheEntry() {
        let lexicon = Lexicon(codes: [
            Code(name: "A", parent: "C", line: 1), Code(name: "B", parent: "Missing", line: 2),
            Code(name: "C", parent: "A", line: 3), Code(name: "A", line: 4),
            Code(
                name: "D", patterns: ["*", "  ", "no ~2", "x NEAR/y z", "hype OR buzz", "silver NEAR bullet"], line: 5),
        ])
        let messages = lexicon.problems().map { "\($0.entry): \($0.message)" }
        #expect(messages.contains { $0.hasPrefix("A: the code is defined twice (first on line 1)") })
        #expect(messages.contains("B: parent \"Missing\" is not a code"))
        #expect(messages.contains { $0.hasPrefix("A: the code is its own ancestor") })
        // A parent misspelt is named with the code it is closest to.
        let misspelt = Lexicon(codes: [Code(name: "Barriers", line: 1), Code(name: "Time", parent: "Barrier", line: 2)])
        #expect(
            misspelt.problems().map(\.message) == ["parent \"Barrier\" is not a code; did you mean \"Barriers\"?"])
        #expect(messages.contains { $0.contains("pattern \"*\"") && $0.contains("matches everything") })
        #expect(messages.contains { $0.contains("pattern \"  \": the pattern is empty") })
        #expect(messages.contains { $0.contains("pattern \"no ~2\": a gap cannot end a pattern") })
        #expect(messages.contains { $0.contains("NEAR takes a distance") })
        // A search engine's operators in capitals, which would have been matched as words.
        #expect(
            messages.contains(
                "D: pattern \"hype OR buzz\": a pattern has no OR: list each word or phrase as a pattern of its own (any one suggests the code)"
            ))
        #expect(
            messages.contains("D: pattern \"silver NEAR bullet\": NEAR takes a distance, as in silver NEAR/5 bullet"))
        // A pattern twice in a code (quoted once): its matches would be evidence twice.
        let twice = Lexicon(codes: [
            Code(name: "Hype", patterns: ["hype", "protected time", "\"protected time\"", "Hype"], line: 1)
        ])
        #expect(
            twice.problems().map(\.message) == [
                "pattern \"protected time\" is listed twice (as \"\"protected time\"\")"
            ])
        // In lower case they are words: "near miss", "rock and roll".
        #expect(throws: Never.self) { try PatternSyntax("a near miss") }
        #expect(throws: Never.self) { try PatternSyntax("OR theatre") }
    }

    @Test func nearIsTakenInAnyCaseAndOnlyForItsOwnFiveCharacters() throws {
        // The byte comparison against the upper-cased copy it replaced, over every case of
        // `near/` and its neighbours in the ASCII table (control characters among them).
        var words: [String] = []
        for mask in 0..<32 {
            let cased = "near/".enumerated().map {
                mask >> $0.offset & 1 == 1 ? $0.element.uppercased() : String($0.element)
            }
            words.append(cased.joined() + "5")
        }
        for position in 0..<5 {
            for byte in UInt8(0)..<0x80 {
                var bytes = Array("NEAR/5".utf8)
                bytes[position] = byte
                words.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        words += ["NEAR", "near", "ñear/5", "NEAR/", "nëar/1"]
        for word in words {
            #expect(PatternSyntax.isNear(word[...]) == word.uppercased().hasPrefix("NEAR/"), "\(word.debugDescription)")
        }
        #expect(try PatternSyntax("time near/2 protected").sequences.count == 2)
    }

    @Test func pathsRunFromThemeToCode() {
        let lexicon = Lexicon(codes: [
            Code(name: "Theme"), Code(name: "Code", parent: "Theme"), Code(name: "Sub", parent: "Code"),
        ])
        #expect(lexicon.path(of: "Sub") == ["Theme", "Code", "Sub"])
    }

    /// All paths at once (what the suggester uses) agree with each code's path by name, for a
    /// lexicon with a name used twice, a missing parent and a cycle.
    @Test func everyCodesPathIsItsPathByName() {
        let lexicon = Lexicon(codes: [
            Code(name: "A", parent: "C"), Code(name: "B", parent: "Missing"), Code(name: "C", parent: "A"),
            Code(name: "A"), Code(name: "Theme"), Code(name: "Code", parent: "Theme"),
            Code(name: "Sub", parent: "Code"), Code(name: "Self", parent: "Self"),
        ])
        #expect(lexicon.paths == lexicon.codes.map { lexicon.path(of: $0.name) })
        #expect(lexicon.paths[1] == ["Missing", "B"])
        #expect(lexicon.paths[3] == ["C", "A"])
        #expect(lexicon.paths[6] == ["Theme", "Code", "Sub"])
    }

    @Test func examplesRunLikeUnitTests() {
        let good = Code(
            name: "Hype", patterns: ["hype"], exclusions: ["hype cycle"],
            examples: Examples(match: ["So much hype."], noMatch: ["The hype cycle."]))
        let bad = Code(
            name: "Time", patterns: ["time"], examples: Examples(match: ["No hours."], noMatch: ["Time!"]), line: 9)
        let failures = LexiconExamples.failures(of: Lexicon(codes: [good, bad]))
        #expect(failures.map(\.code) == ["Time", "Time"])
        #expect(failures.map(\.expectedMatch) == [true, false])
        #expect(failures[0].line == 9)
        #expect(failures[0].description == "should suggest \"Time\" for \"No hours.\" (suggested: nothing)")
    }

    /// A pattern parsed once serves every later ask, failures included, with what parsing it
    /// afresh gives.
    @Test func rememberedParsesAreTheParsesThemselves() {
        for text in [
            "protected time", "regulat*", "time NEAR/5 protected", "protected ~2 time", "~2 time", "", "a NEAR/x b",
        ] {
            let fresh = Result { () throws(PatternError) in try PatternSyntax(text) }
            for _ in 0..<2 {
                let remembered = Result { () throws(PatternError) in try PatternSyntax.parsing(text) }
                #expect(remembered == fresh, "\(text.debugDescription)")
            }
        }
    }
}
