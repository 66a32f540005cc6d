import Corpus
import Testing
import TextAnalysis

@testable import Coding

@Suite struct MatcherTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var pattern: String
        var text: String
        var evidence: [String]
        var match: Query.MatchMode = .lower
        var testDescription: String { "\(pattern) in \(text)" }
    }

    static let cases: [Case] = [
        Case(pattern: "hype", text: "Hype, HYPE and hyped.", evidence: ["Hype", "HYPE"]),
        Case(pattern: "regulat*", text: "Regulation, regulators; irregular.", evidence: ["Regulation", "regulators"]),
        Case(pattern: "*ology", text: "Technology and biology, not ologies.", evidence: ["Technology", "biology"]),
        Case(pattern: "*gul*", text: "Regulation and singular.", evidence: ["Regulation", "singular"]),
        Case(pattern: "\"protected time\"", text: "No protected time; time protected.", evidence: ["protected time"]),
        Case(
            pattern: "protected ~2 time", text: "protected clinical time, protected a b c time",
            evidence: ["protected clinical time"]),
        Case(pattern: "protected ~2 time", text: "protected time", evidence: ["protected time"]),
        Case(
            pattern: "time NEAR/2 protected", text: "time is protected; protected, we said, time",
            evidence: ["time is protected", "protected, we said, time"]),
        Case(pattern: "hype", text: "Hype hyping hyped", evidence: ["Hype", "hyping", "hyped"], match: .stem),
        Case(pattern: "Hype", text: "Hype hype", evidence: ["Hype"], match: .surface),
        Case(
            pattern: "co-develop*", text: "Co-development and co-developing.",
            evidence: ["Co-development", "co-developing"]),
        Case(pattern: "don’t know", text: "I don't know.", evidence: ["don't know"]),
        Case(pattern: "50%", text: "About 50 per cent.", evidence: ["50"]),
        Case(pattern: "café*", text: "Cafés, a café and a cafe.", evidence: ["Cafés", "café"]),
        Case(pattern: "*ité", text: "Qualité and quality.", evidence: ["Qualité"]),
        Case(pattern: "\"protected\" time", text: "No protected time; time protected.", evidence: ["protected time"]),
        Case(
            pattern: "„protected ~1 time“", text: "protected clinical time, protected time",
            evidence: ["protected clinical time", "protected time"]),
        Case(
            pattern: "“time” NEAR/1 «protected»", text: "time is protected; protected, we said, time",
            evidence: ["time is protected"]),
    ]

    @Test(arguments: cases)
    func patternsMatchWhatTheyShould(_ example: Case) {
        let code = Code(name: "C", patterns: [PatternEntry(example.pattern)], match: example.match)
        let found = suggest([code], [example.text])
        let texts: [String] = found.flatMap { suggestion in suggestion.evidence.map { $0.text } }
        #expect(texts == example.evidence)
    }

    /// The vocabulary test a lexicon edit relies on may say yes wrongly, never no wrongly.
    @Test(arguments: cases)
    func aPatternThatMatchesATextCouldMatchItsVocabulary(_ example: Case) {
        let code = Code(name: "C", patterns: [PatternEntry(example.pattern)], match: example.match)
        let text = corpus([example.text])
        let compiled = CompiledLexicon(lexicon: Lexicon(codes: [code]), options: text.options)
        let forms = (0..<Int32(text.forms.count)).map { text.forms[$0] }
        let surfaces = (0..<Int32(text.surfaces.count)).map { text.surfaces[$0] }
        #expect(compiled.couldMatch(forms: forms, surfaces: surfaces) == !example.evidence.isEmpty)
        // Read from the bytes a document's forms are cached as, unless spellings are matched.
        var writer = BinaryWriter()
        writer.write(forms)
        let fromBytes = compiled.couldMatch(encodedForms: writer.bytes[...])
        #expect(fromBytes == (compiled.matchesSpellings ? nil : !example.evidence.isEmpty))
        // Judged from the text's bytes (whole words only): never no where it matches.
        if let fromText = compiled.couldMatch(text: example.text), !example.evidence.isEmpty {
            #expect(fromText)
        }
    }

    /// A lexicon edit matches a code again only in the turns whose bytes could hold a word it
    /// gained or lost: no for a turn without the word in any case, even beside punctuation
    /// beyond ASCII; yes wherever folding, normalising or a dropped character could make it.
    @Test func aTurnIsJudgedFromItsBytesNeverNoWrongly() {
        func could(_ patterns: [String], _ text: String, caseMode: Tokenizer.Options.CaseMode = .fold) -> Bool? {
            var options = Tokenizer.Options()
            options.caseMode = caseMode
            let code = Code(name: "C", patterns: patterns.map { PatternEntry($0) })
            let compiled = CompiledLexicon(lexicon: Lexicon(codes: [code]), options: options)
            let answer = compiled.couldMatch(text: text)
            // Where it says no, tokenising the text and matching finds nothing.
            if answer == false {
                let found = suggest([code], [text])
                #expect(found.isEmpty, "\(patterns) in \(text)")
            }
            return answer
        }
        #expect(could(["unpleasant"], "It was UNPLEASANT, frankly.") == true)
        #expect(could(["unpleasant"], "It was pleasant, frankly.") == false)
        #expect(could(["unpleasant"], "It was pleasant — “frankly” … 東京.") == false)
        #expect(could(["unpleasant"], "It was unpleasant — “frankly”.") == true)
        #expect(could(["snake oil"], "Snake charmers sell oil.") == true)  // both words: a cheap yes
        #expect(could(["snake oil"], "Charmers sell oil.") == false)
        // Beyond ASCII, where a word's bytes can come from other ones.
        #expect(could(["strasse"], "Die Straße.") == true)  // ß folds to ss
        #expect(could(["unpleasant"], "un\u{AD}pleasant") == true)  // a soft hyphen is dropped
        #expect(could(["kelvin"], "A \u{212A}elvin problem.") == true)  // the Kelvin sign folds to k
        #expect(could(["unpleasant"], "It was pleasant 😀 ©.") == false)  // symbols separate tokens
        #expect(could(["don't"], "I don’t know.") == true)  // the curly apostrophe becomes '
        #expect(could(["don't"], "I do not know.") == false)
        #expect(could(["café"], "Le cafe.") == true)  // a word beyond ASCII: always yes
        #expect(could(["Unpleasant"], "unpleasant", caseMode: .preserve) == true)
        // Wildcards by their fixed part: a token that matches one holds it.
        #expect(could(["unpleas*"], "It was UNPLEASANT, frankly.") == true)
        #expect(could(["unpleas*"], "It was pleasant, frankly.") == false)
        #expect(could(["*pleasant"], "It was pleasant, frankly.") == true)
        #expect(could(["*leas*"], "Please.") == true)
        #expect(could(["*leas*"], "Plea, sir.") == false)
        #expect(could(["unpleas* time"], "unpleasant times") == true)
        #expect(could(["unpleas* time"], "unpleasant days") == false)
        #expect(could(["fin*"], "The \u{FB01}nancial side.") == true)  // the ligature folds to fi
        #expect(could(["*ship"], "mentor\u{AD}ship") == true)
        #expect(could(["naïv*"], "so naive") == true)  // a part beyond ASCII: always yes
        // Stems are not judged here.
        #expect(could(["unpleasant"], "unpleasant") == true)
        var stem = Tokenizer.Options()
        stem.caseMode = .fold
        let stemmed = CompiledLexicon(
            lexicon: Lexicon(codes: [Code(name: "C", patterns: ["hype"], match: .stem)]), options: stem)
        #expect(stemmed.couldMatch(text: "hyping") == nil)
    }

    /// A run binds one compiled lexicon to every document, remembering the classes of words it
    /// has seen: later documents, with words old and new in other id orders, match as if alone.
    @Test func aLexiconBoundToDocumentAfterDocumentMatchesAsIfBoundToEachAlone() {
        let codes = [
            Code(name: "Hype", patterns: ["hype*", "snake oil"]),
            Code(name: "Time", patterns: ["protected ~2 time"], match: .stem),
            Code(name: "Name", patterns: ["NHS", "Zürich"], match: .surface),
            Code(name: "Naive", patterns: ["naïve", "café*", "*ité"]),
        ]
        let lexicon = Lexicon(codes: codes)
        // ASCII words and others (bound through the run's memo) in every document.
        let texts = [
            ["Hype and snake oil from the NHS.", "No protected time; a naïve café."],
            ["Time, protected: protecting clinical time. nhs hyped", "snake oil? Snake OIL. Cafés, naive."],
            ["Nothing here in Zürich.", "The NHS protected my time; hypes all round, naïvely. Qualité!"],
        ]
        let compiled = CompiledLexicon(lexicon: lexicon, options: Tokenizer.Options())
        for turns in texts {
            let text = corpus(turns)
            let shared = LexiconMatcher(compiled: compiled, corpus: text)
            let alone = LexiconMatcher(lexicon: lexicon, corpus: text)
            for tokens in text.tokens[0] {
                #expect(shared.matches(in: tokens) == alone.matches(in: tokens))
            }
            #expect(text.tokens[0].contains { !alone.matches(in: $0).isEmpty })
        }
    }

    /// ASCII words find their classes in byte tables, other words by `String`: both must agree.
    @Test func asciiWordsGetTheClassesTheirStringsGet() {
        let codes = [
            Code(name: "Exact", patterns: ["hype", "snake oil", "a", "co-design"]),
            Code(name: "Wild", patterns: ["regulat*", "r*", "*ology", "*s", "*gul*", "*x*", "*é*", "café*"]),
            Code(name: "Stem", patterns: ["protect ~2 time"], match: .stem),
            Code(name: "Name", patterns: ["NHS", "Dr*", "*GP"], match: .surface),
        ]
        let compiled = CompiledLexicon(lexicon: Lexicon(codes: codes), options: Tokenizer.Options())
        let words = [
            "hype", "hyped", "a", "as", "snake", "oil", "co-design", "regulat", "regulation", "r", "rx", "irregular",
            "biology", "ology", "logy", "s", "cats", "singular", "gul", "x", "box", "protect", "protecting", "times",
            "NHS", "nhs", "Dr", "Drs", "dr", "GP", "theGP", "P", "", "cafe", "zzz",
        ]
        func agree(_ lookup: CompiledLexicon.Lookup, _ ascii: CompiledLexicon.ASCIILookup, _ word: String) -> [Int32] {
            let stem = PorterStemmer.stem(word)
            let byString = lookup.classes(of: word) { stem }
            var copy = word
            var byBytes: [Int32] = []
            copy.withUTF8 { ascii.appendClasses(of: $0, to: &byBytes) { lookup.stems[stem] ?? [] } }
            #expect(byBytes == byString, "\(word)")
            return byString
        }
        let found = words.map { agree(compiled.forms, compiled.asciiForms, $0) }
        let foundSurfaces = words.map { agree(compiled.surfaces, compiled.asciiSurfaces, $0) }
        #expect(found.filter { !$0.isEmpty }.count >= 20)
        #expect(foundSurfaces.filter { !$0.isEmpty }.count >= 4)
        // A word stands for every word canonically equivalent to it: the Kelvin sign is K.
        var kelvin = CompiledLexicon.Lookup()
        kelvin.exact["\u{212A}"] = [7]
        #expect(agree(kelvin, CompiledLexicon.ASCIILookup(kelvin), "K") == [7])
    }

    /// A word's classes among the lexicon's forms (no stems) by the byte trie and by `String`.
    private static func formClasses(of word: String, in compiled: CompiledLexicon) -> (
        byBytes: [Int32], byString: [Int32]
    ) {
        var copy = word
        var byBytes: [Int32] = []
        copy.withUTF8 { compiled.asciiForms.appendClasses(of: $0, to: &byBytes) { [] } }
        return (byBytes, compiled.forms.classes(of: word) { word })
    }

    /// Random lexicons of words and wildcards over a few letters, every word up to four letters
    /// long: the byte trie gives each the classes, in the order, that the `String` lookup gives
    /// (words that share beginnings and ends, a wildcard part that is also a word, one part
    /// inside another).
    @Test func asciiWordsGetTheirStringsClassesForAnyLexicon() {
        var generator = SplitMixGenerator(seed: 87)
        let letters = ["a", "b", "c", "-"]
        func word(_ length: Int) -> String {
            (0..<length).map { _ in letters[Int(generator.next() % UInt64(letters.count))] }.joined()
        }
        var words = [""]
        var longest = [""]
        for _ in 0..<4 {
            longest = longest.flatMap { shorter in letters.map { shorter + $0 } }
            words += longest
        }
        for round in 0..<40 {
            let patterns = (0..<(1 + round % 12)).map { _ -> PatternEntry in
                let stem = word(1 + Int(generator.next() % 3))
                switch generator.next() % 4 {
                case 0: return PatternEntry(stem)
                case 1: return PatternEntry(stem + "*")
                case 2: return PatternEntry("*" + stem)
                default: return PatternEntry("*" + stem + "*")
                }
            }
            let code = Code(name: "C", patterns: patterns)
            let compiled = CompiledLexicon(lexicon: Lexicon(codes: [code]), options: Tokenizer.Options())
            for candidate in words {
                let (byBytes, byString) = Self.formClasses(of: candidate, in: compiled)
                #expect(byBytes == byString, "\(candidate) with \(patterns.map(\.text))")
            }
        }
    }

    /// A state of the byte trie with many children, on both sides of byte 64 (digits, `-`,
    /// `'`, capitals and small letters), finds each by its byte: random lexicons over 40
    /// characters, every word of up to two of them, the classes the `String` lookup gives.
    @Test func aTrieStateWithManyChildrenFindsEachByItsByte() {
        var generator = SplitMixGenerator(seed: 41)
        let letters = "09-'AZaz".map(String.init) + (0..<32).map { String(UnicodeScalar(UInt8(98 + $0 % 24))) }
        let alphabet = Array(Set(letters)).sorted()
        func word(_ length: Int) -> String {
            (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }.joined()
        }
        let words = [""] + alphabet + alphabet.flatMap { first in alphabet.map { first + $0 } }
        for round in 0..<12 {
            let patterns = (0..<(20 + round * 10)).map { _ -> PatternEntry in
                let stem = word(1 + Int(generator.next() % 2))
                switch generator.next() % 4 {
                case 0: return PatternEntry(stem)
                case 1: return PatternEntry(stem + "*")
                case 2: return PatternEntry("*" + stem)
                default: return PatternEntry(word(1) + stem)
                }
            }
            let compiled = CompiledLexicon(
                lexicon: Lexicon(codes: [Code(name: "C", patterns: patterns)]), options: Tokenizer.Options())
            var found = 0
            for candidate in words {
                let (byBytes, byString) = Self.formClasses(of: candidate, in: compiled)
                #expect(byBytes == byString, "\(candidate) in round \(round)")
                if !byString.isEmpty { found += 1 }
            }
            #expect(found >= 20, "round \(round)")
        }
    }

    @Test func aPatternCannotMatchAVocabularyMissingAnyOfItsWords() {
        func could(_ pattern: String, _ words: [String], match: Query.MatchMode = .lower) -> Bool {
            let code = Code(name: "C", patterns: [PatternEntry(pattern)], match: match)
            let compiled = CompiledLexicon(lexicon: Lexicon(codes: [code]), options: Tokenizer.Options())
            let answer = compiled.couldMatch(forms: words, surfaces: words)
            // Told from the cached bytes too, but for spellings (not among a document's forms).
            var writer = BinaryWriter()
            writer.write(words)
            let spellings = compiled.matchesSpellings
            #expect(compiled.couldMatch(encodedForms: writer.bytes[...]) == (spellings ? nil : answer))
            return answer
        }
        #expect(could("protected time", ["time", "protected"]))  // order is not checked: a cheap yes
        #expect(!could("protected time", ["protected", "timely"]))
        #expect(!could("regulat*", ["irregular", "regal"]))
        #expect(could("*ology", ["biology"]))
        #expect(!could("protected ~2 time", ["protected"]))
        #expect(could("hype", ["hyping"], match: .stem))
        #expect(!could("hype", ["hyperbole"], match: .stem))
        #expect(!could("Hype", ["hype"], match: .surface))
        // Words beyond ASCII are looked up as strings, ASCII ones by bytes, in one vocabulary.
        #expect(could("naïv* care", ["care", "naïvely"]))
        #expect(!could("naïv* care", ["care", "naive"]))
        #expect(could("*ité mentor", ["mentor", "qualité"]))
        #expect(could("régulations", ["régulation"], match: .stem))
    }

    /// One code of these patterns, compiled with the tokeniser's default options but the case.
    private static func compiled(_ patterns: [String], caseMode: Tokenizer.Options.CaseMode = .fold)
        -> CompiledLexicon
    {
        var options = Tokenizer.Options()
        options.caseMode = caseMode
        let code = Code(name: "C", patterns: patterns.map { PatternEntry($0) })
        return CompiledLexicon(lexicon: Lexicon(codes: [code]), options: options)
    }

    /// A document's cached forms are first searched for each word's and fixed part's bytes:
    /// no where none is there, whatever the forms; never no where the forms' strings say yes,
    /// even for a form that spells an ASCII letter with a look-alike beyond ASCII.
    @Test func cachedFormsAreRuledOutByTheirBytesNeverNoWrongly() {
        func judge(_ patterns: [String], _ forms: [String], caseMode: Tokenizer.Options.CaseMode = .fold)
            -> (strings: Bool, bytes: Bool?)
        {
            let compiled = Self.compiled(patterns, caseMode: caseMode)
            var writer = BinaryWriter()
            writer.write(forms)
            return (
                compiled.couldMatch(forms: forms, surfaces: []), compiled.couldMatch(encodedForms: writer.bytes[...])
            )
        }
        for (patterns, forms, expected) in [
            (["unpleas*"], ["pleasant", "unplanned", "un", "pleas"], false),
            (["unpleas*"], ["pleasant", "unpleasantly"], true),
            (["*ology care"], ["biology", "careful"], false),
            (["*ology care"], ["biology", "care"], true),
            (["*gul*"], ["regular"], true),
            (["naïv*"], ["naive"], false),  // beyond ASCII: judged by the strings
            (["*ité"], ["qualité"], true),
        ] as [([String], [String], Bool)] {
            let (strings, bytes) = judge(patterns, forms)
            #expect(strings == expected, "\(patterns) \(forms)")
            #expect(bytes == strings, "\(patterns) \(forms)")
        }
        // The Kelvin sign is K to a `String`: a form starting with it starts with K.
        let kelvin = judge(["K*"], ["\u{212A}elvin"], caseMode: .preserve)
        #expect(kelvin.strings)
        #expect(kelvin.bytes == true)
        // Bytes that are no array of forms at all, holding no word: no form of them could match.
        let code = Code(name: "C", patterns: ["unpleas*"])
        let compiled = CompiledLexicon(lexicon: Lexicon(codes: [code]), options: Tokenizer.Options())
        #expect(compiled.couldMatch(encodedForms: [0xFF, 0x01, 0x41][...]) == false)
        // Every scalar beyond ASCII that a `String` takes for an ASCII character is one of the
        // look-alikes the byte search allows for.
        var lookalikes: Set<UInt8> = []
        for value in UInt32(0x80)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value), scalar.properties.generalCategory != .unassigned,
                scalar.properties.generalCategory != .privateUse
            else { continue }
            let decomposed = Array(String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars)
            if decomposed.count == 1, decomposed[0].isASCII {
                #expect(String(scalar) == String(decomposed[0]))
                lookalikes.insert(UInt8(decomposed[0].value))
            }
        }
        #expect(lookalikes == Set(CompiledLexicon.asciiWithLookalikes))
    }

    /// In a document whose cached forms hold a word's or fixed part's bytes, only the forms they
    /// are found in are judged: the answer is the one every form judged as a string gives, for
    /// parts at the start, end or inside of forms, twice in one, across two, and in forms long
    /// enough that their length takes two bytes.
    @Test func formsFoundByTheirPartsAreJudgedAsEveryFormWouldBe() {
        var random = SplitMixGenerator(seed: 20_261_202)
        let letters = Array("unplesaio")
        func word(_ lengths: ClosedRange<Int>) -> String {
            String((0..<Int.random(in: lengths, using: &random)).map { _ in letters.randomElement(using: &random)! })
        }
        var agreed = (yes: 0, no: 0)
        for _ in 0..<3_000 {
            let forms = (0..<Int.random(in: 0...12, using: &random)).map { _ in
                Int.random(in: 0..<20, using: &random) == 0 ? word(126...140) : word(1...7)
            }
            let patterns = (0..<Int.random(in: 1...3, using: &random)).map { _ in
                let part = word(1...3)
                switch Int.random(in: 0..<5, using: &random) {
                case 0: return part
                case 1: return part + "*"
                case 2: return "*" + part
                case 3: return "*" + part + "*"
                default: return part + " " + word(1...2) + "*"
                }
            }
            let code = Code(name: "C", patterns: patterns.map { PatternEntry($0) })
            let compiled = CompiledLexicon(lexicon: Lexicon(codes: [code]), options: Tokenizer.Options())
            #expect(compiled.formPartsAreBytes)
            var writer = BinaryWriter()
            writer.write(forms)
            let strings = compiled.couldMatch(forms: forms, surfaces: [])
            #expect(compiled.couldMatch(encodedForms: writer.bytes[...]) == strings, "\(patterns) \(forms)")
            if strings { agreed.yes += 1 } else { agreed.no += 1 }
        }
        // Both answers, often.
        #expect(agreed.yes > 500 && agreed.no > 500, "\(agreed)")
    }

    /// Filters of a document's forms (which words it has, which heads its forms start with) never
    /// rule out a document whose forms a pattern could match, and rule out a word or a start of
    /// four bytes exactly where no form has it: asked here of exact sets in place of
    /// Bloom filters.
    @Test func filtersOfADocumentsFormsNeverRuleOutADocumentThatCouldMatch() {
        var random = SplitMixGenerator(seed: 20_261_203)
        let letters = Array("unplesaio")
        func word(_ lengths: ClosedRange<Int>) -> String {
            String((0..<Int.random(in: lengths, using: &random)).map { _ in letters.randomElement(using: &random)! })
        }
        func judge(_ patterns: [String], _ forms: [String], caseMode: Tokenizer.Options.CaseMode = .fold)
            -> (strings: Bool, filters: Bool?)
        {
            let compiled = Self.compiled(patterns, caseMode: caseMode)
            let words = Set(forms.map { Array($0.utf8) })
            let heads = Set(forms.filter { $0.utf8.count >= 4 }.map { Array($0.utf8.prefix(4)) })
            let filters = compiled.couldMatch(
                documentHas: { words.contains(Array($0)) }, headLength: 4,
                startingWith: { heads.contains(Array($0)) })
            return (compiled.couldMatch(forms: forms, surfaces: []), filters)
        }
        var ruledOut = 0
        for _ in 0..<3_000 {
            let forms = (0..<Int.random(in: 0...12, using: &random)).map { _ in word(1...7) }
            let patterns = (0..<Int.random(in: 1...3, using: &random)).map { _ in
                let part = word(1...5)
                switch Int.random(in: 0..<6, using: &random) {
                case 0: return part
                case 1, 2: return part + "*"
                case 3: return "*" + part
                case 4: return "*" + part + "*"
                default: return part + " " + word(3...4) + "*"
                }
            }
            let (strings, filters) = judge(patterns, forms)
            if strings { #expect(filters == true, "\(patterns) \(forms)") }
            if filters == false { ruledOut += 1 }
            // One word, or one start of four bytes: ruled out exactly where no form has it.
            let single = patterns[0]
            if single.utf8.count <= 5, !single.hasPrefix("*"), !single.contains(" "),
                !single.hasSuffix("*") || single.utf8.count == 5
            {
                #expect(judge([single], forms).filters == judge([single], forms).strings, "\(single) \(forms)")
            }
        }
        #expect(ruledOut > 500, "\(ruledOut)")
        for (patterns, forms, expected) in [
            (["unpleas*"], ["pleasant", "unplanned", "un", "pleas"], true),  // `unpl` starts a form
            (["unpleas*"], ["pleasant", "unwell", "un", "pleas"], false),
            (["rcts*"], ["rctsx"], true),
            (["rcts*"], ["rct", "arcts"], false),
            (["rct*"], ["well"], true),  // a start shorter than four bytes is taken as there
            (["*ology"], ["care"], true),  // so is every end and inside
            (["unpleas* care"], ["unpleasant", "careful"], false),
            (["naïv*"], ["naive"], true),  // beyond ASCII: taken as there
        ] as [([String], [String], Bool)] {
            #expect(judge(patterns, forms).filters == expected, "\(patterns) \(forms)")
        }
        // The Kelvin sign is K to a `String`: a start holding K is taken as there.
        let kelvin = judge(["Kelv*"], ["\u{212A}elvin"], caseMode: .preserve)
        #expect(kelvin.strings && kelvin.filters == true)
        // Stems and spellings are not among the filters' words.
        for code in [
            Code(name: "C", patterns: ["hype"], match: .stem), Code(name: "C", patterns: ["Hype"], match: .surface),
        ] {
            let compiled = CompiledLexicon(lexicon: Lexicon(codes: [code]), options: Tokenizer.Options())
            #expect(
                compiled.couldMatch(documentHas: { _ in false }, headLength: 4, startingWith: { _ in false }) == nil)
        }
    }

    @Test func phrasesMatchAcrossLineBreaksButNeverAcrossTurns() {
        let code = Code(name: "C", patterns: ["protected time"])
        #expect(suggest([code], ["no protected\ntime"]).count == 1)
        #expect(suggest([code], ["no protected", "time at all"]).isEmpty)
    }

    @Test func patternsOfSeveralWordsStayInsideASentenceUnlessPhrasesReachTheTurn() {
        let code = Code(name: "C", patterns: ["protected time"])
        let turns = [
            "We felt protected. Time was short.", "Protected time? Never.", "It was protected\u{2026} time, I mean.",
            "We felt protected? time was short",
        ]
        #expect(suggest([code], turns).map(\.segmentIndex) == [1, 2])
        #expect(suggest([code], turns, phrases: .turn).map(\.segmentIndex) == [0, 1, 2, 3])
        // An exclusion of several words stays inside a sentence too: it vetoes no match across one.
        let hype = Code(name: "Hype", patterns: ["hype"], exclusions: ["hype cycle"])
        #expect(suggest([hype], ["It is all hype. Cycle after cycle of it."]).count == 1)
        #expect(suggest([hype], ["It is all hype. Cycle after cycle of it."], phrases: .turn).isEmpty)
    }

    @Test func exclusionsVetoOverlappingMatchesOnly() {
        let code = Code(name: "Hype", patterns: ["hype"], exclusions: ["hype cycle"])
        let found = suggest([code], ["The hype cycle is real.", "So much hype, and the hype cycle."])
        #expect(found.map(\.segmentIndex) == [1])
        #expect(found[0].evidence.map(\.text) == ["hype"])
    }

    @Test func negationRulesExcludeOrRequireANegationInTheSentence() {
        let lack = Code(
            name: "Lack", patterns: [PatternEntry("protected time", negation: NegationRule(mode: .require, within: 3))])
        let need = Code(name: "Need", patterns: ["protected time"], negation: NegationRule(mode: .exclude, within: 3))
        let turns = [
            "There is no protected time.", "We need protected time.", "No. Protected time would help.",
            "We don't have any protected time.", "Nothing changed until, months later, protected time came.",
        ]
        let found = suggest([lack, need], turns)
        #expect(found.filter { $0.code == "Lack" }.map(\.segmentIndex) == [0, 3])
        #expect(found.filter { $0.code == "Need" }.map(\.segmentIndex) == [1, 2, 4])
        // A pattern's own rule counts as much when no code has one.
        #expect(suggest([lack], turns).map(\.segmentIndex) == [0, 3])
        // A pause, a hesitation or an abbreviation's full stop ends no sentence: the negation
        // before it counts (each cut the sentence, and "No (.) protected time" was a need).
        let paused = [
            "No (.) protected time, ever.", "Not really... protected time is rare.", "No, e.g. protected time.",
        ]
        #expect(suggest([lack], paused).map(\.segmentIndex) == [0, 1, 2])
        #expect(suggest([need], paused).isEmpty)
    }

    @Test func oneSuggestionPerUnitAndCodeWithEveryMatchAsEvidence() {
        let code = Code(name: "Time", patterns: ["time", "protected time"])
        let turn = "Time matters. No protected time. Time again."
        let perTurn = suggest([code], [turn])
        #expect(perTurn.count == 1)
        #expect(perTurn[0].evidence.map(\.text) == ["Time", "protected time", "time", "Time"])
        let perSentence = suggest([code], [turn], unit: .sentence)
        #expect(perSentence.map(\.sentenceIndex) == [0, 1, 2])
        // Each sentence with the punctuation that ends it, a closing quotation mark with it.
        #expect(perSentence.map(\.text) == ["Time matters.", "No protected time.", "Time again."])
        let quoted = suggest([code], ["He said \u{201C}no time!\u{201D} Then time (again)."], unit: .sentence)
        #expect(quoted.map(\.text) == ["He said \u{201C}no time!\u{201D}", "Then time (again)."])
    }

    /// A title's full stop cuts no sentence unit: "Dr. Patel" stays in its sentence (it began a
    /// new one at "Patel").
    @Test func aTitleDoesNotCutASentenceUnit() {
        let code = Code(name: "Hype", patterns: ["hype"])
        let found = suggest([code], ["I asked Dr. Patel about the hype. Hype is everywhere."], unit: .sentence)
        #expect(found.map(\.sentenceIndex) == [0, 1])
        #expect(found.first?.text == "I asked Dr. Patel about the hype.")
    }

    /// A sentence unit's suggestion id counts how often its first match's words came earlier in
    /// the turn: the same words in three sentences give three ids, stable across runs.
    @Test func repeatedWordsInATurnGiveOneIdPerOccurrence() {
        let code = Code(name: "Time", patterns: ["protected time"])
        let turn = "Protected time. Time, protected time. Protected, protected time?"
        let suggestions = suggest([code], [turn], unit: .sentence)
        #expect(suggestions.map(\.sentenceIndex) == [0, 1, 2])
        #expect(Set(suggestions.map(\.id)).count == 3)
        let tokens = corpus([turn]).tokens[0][0]
        let starts = [0, 3, 6]  // protected time | time, protected time | protected, protected time
        #expect(
            starts.map {
                CodeSuggester.occurrence(
                    of: LexiconMatcher.Match(code: 0, pattern: 0, isExclusion: false, start: $0, end: $0 + 2),
                    in: tokens)
            } == [0, 1, 2])
    }

    /// Sentences and contexts are found in a turn's UTF-8; contexts must be what the same rule
    /// gives on its scalars (the rule as first written), and a token's sentence is how many
    /// sentence ends (``SentenceBreaks``, checked on scalars in its own tests) come before it:
    /// random turns of ASCII, accented, curly-quoted, emoji and `…` text, every token's sentence
    /// and the context of every token span.
    @Test func sentencesAndContextsAreCutAsOnTheTurnsScalars() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "word", "Word", "Ünïcödé", "don’t", "👍🏽", " ", "  ", ". ", "! ", "? ", "… ", "…", "—", "\n", "a.b", "ok?",
            "(.) ",
        ]
        func sentences(_ tokens: [Token], _ text: String) -> [Int] {
            var sentence = 0
            return SentenceBreaks.before(tokens, in: text).map { ends in
                sentence += ends ? 1 : 0
                return sentence
            }
        }
        func context(_ scalars: [Unicode.Scalar], around start: Int, _ end: Int) -> String {
            var from = max(0, start - 60)
            var to = min(scalars.count, end + 60)
            if from > 0, let space = scalars[from..<start].firstIndex(of: " ") { from = space + 1 }
            if to < scalars.count, let space = scalars[end..<to].lastIndex(of: " ") { to = space }
            let text = String(String.UnicodeScalarView(scalars[from..<to])).collapsingWhitespace()
            return (from > 0 ? "…" : "") + text + (to < scalars.count ? "…" : "")
        }
        for _ in 0..<200 {
            let text = (0..<Int.random(in: 0...80, using: &generator)).map { _ in
                pieces.randomElement(using: &generator)!
            }.joined()
            var forms = Vocabulary()
            var surfaces = Vocabulary()
            let tokens = Tokenizer(options: .init()).tokenize(text, forms: &forms, surfaces: &surfaces)
            let scalars = Array(text.unicodeScalars)
            #expect(CodeSuggester.sentenceIndices(tokens, text) == sentences(tokens, text), "\(text)")
            let slicer = ScalarSlicer(text)
            for (first, last) in zip(tokens, tokens.dropFirst(2)) {
                let start = Int(first.start)
                let end = Int(last.end)
                #expect(
                    CodeSuggester.context(text, slicer, around: start, end) == context(scalars, around: start, end),
                    "\(text) \(start)..<\(end)")
            }
        }
    }

    @Test func evidenceRangesPointIntoTheDocument() {
        let corpus = corpus(["We had no protected time.", "Hype!"])
        let lexicon = Lexicon(codes: [Code(name: "T", patterns: ["protected time", "hype"])], contentHash: "h")
        for suggestion in CodeSuggester(lexicon: lexicon).suggestions(in: corpus) {
            for evidence in suggestion.evidence {
                #expect(corpus.documents[0].text(in: evidence.range) == evidence.text)
            }
            #expect(corpus.documents[0].text(in: suggestion.range) == suggestion.text)
        }
    }

    @Test func matchingCostDoesNotGrowWithPatternsThatNeverMatch() {
        // 5,000 patterns that match nothing add trie nodes, not work per token: the result is the same.
        var patterns: [PatternEntry] = (0..<5_000).map { PatternEntry("zz\($0) qq*") }
        patterns.append("hype")
        let found = suggest([Code(name: "C", patterns: patterns)], ["hype and more hype"])
        #expect(found.first?.evidence.count == 2)
    }
}
