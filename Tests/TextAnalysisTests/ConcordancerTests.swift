import Corpus
import Foundation
import Ingest
import Testing

@testable import TextAnalysis

/// The sample study, tokenised once for the tests that need it.
enum SampleStudy {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Corpora/ai-doctors")

    static func corpus() throws -> TokenizedCorpus {
        let table = try ParticipantsReader().read(file: root.appendingPathComponent("participants.csv").path).table
        let batch = try Ingestor(participants: table).readAll([root.path])
        return TokenizedCorpus(documents: batch.documents, participants: table)
    }
}

func corpus(
    _ turns: [(String, SpeakerRole, String?)], participants: ParticipantTable = .empty,
    options: Tokenizer.Options = .init()
) -> TokenizedCorpus {
    var text = ""
    var segments: [Segment] = []
    for (index, (said, role, participant)) in turns.enumerated() {
        if index > 0 { text += "\n" }
        let start = text.unicodeScalars.count
        text += said
        segments.append(
            Segment(
                index: index, speaker: participant ?? "I", role: role, participantID: participant, text: said,
                range: ScalarRange(start: start, end: text.unicodeScalars.count)))
    }
    let document = Document(id: "d", source: "d.txt", format: .text, text: text, segments: segments, speakers: [])
    return TokenizedCorpus(documents: [document], participants: participants, options: options)
}

@Suite struct ConcordancerTests {
    @Test func protectedTimeIsFoundInEightParticipantsTurns() throws {
        let corpus = try SampleStudy.corpus()
        let concordance = Concordancer().concordance(of: [try Query("\"protected time\"")], in: corpus)
        #expect(concordance.lines.map(\.participantID) == ["P2", "P3", "P5", "P6", "P8", "P9", "P10", "P11"])
        let first = try #require(concordance.lines.first)
        #expect(first.left == "should, but there is no")  // five tokens
        #expect(first.match == "protected time")
        #expect(first.right == ". My job plan has no")
        #expect(first.attributes["clinical_tech_split"] == "50% clinical: 50% academic/industry")
        let document = try #require(corpus.documents.first { $0.id == first.documentID })
        #expect(document.text(in: first.range) == "protected time")
        #expect(document.segments[first.segmentIndex].participantID == "P2")
    }

    /// `tmine kwic` and `tmine freq` tokenise each document alone, on either core, and merge:
    /// lines and tables are the whole corpus's, for words, wildcards, phrases, stems, sorting,
    /// filters, n-grams, stopwords and groupings.
    @Test func aPhraseIsFoundWithinASentenceUnlessPhrasesReachTheTurn() throws {
        let turns: [(String, SpeakerRole, String?)] = [
            ("We need protected time.", .participant, "P1"),
            ("We felt protected. Time was short.", .participant, "P1"),
            ("It was protected... time, I mean. Protected? Time!", .participant, "P1"),
        ]
        let phrase = try Query("\"protected time\"")
        #expect(Concordancer().concordance(of: [phrase], in: corpus(turns)).lines.map(\.segmentIndex) == [0, 2])
        var turn = Tokenizer.Options()
        turn.phrases = .turn
        #expect(
            Concordancer().concordance(of: [phrase], in: corpus(turns, options: turn)).lines.map(\.segmentIndex)
                == [0, 1, 2, 2])
        // A word alone is found whatever the setting.
        #expect(Concordancer().concordance(of: [try Query("time")], in: corpus(turns)).lines.count == 4)
    }

    /// `UK`, `U.K.` and `U.K` as queries find both spellings in the text; on the surface, each
    /// its own.
    @Test func anInitialismQueryFindsItWrittenEitherWay() throws {
        let turns: [(String, SpeakerRole, String?)] = [
            ("Training in the U.K. is slow.", .participant, "P1"), ("The UK regulator.", .participant, "P1"),
        ]
        for query in ["UK", "U.K.", "u.k"] {
            #expect(
                Concordancer().concordance(of: [try Query(query)], in: corpus(turns)).lines.map(\.segmentIndex)
                    == [0, 1], "\(query)")
        }
        var surface = Concordancer.Options()
        surface.mode = .surface
        #expect(
            Concordancer(options: surface).concordance(of: [try Query("U.K.")], in: corpus(turns)).lines.map(
                \.segmentIndex) == [0])
        var split = Tokenizer.Options()
        split.initialisms = false
        #expect(Concordancer().concordance(of: [try Query("U.K.")], in: corpus(turns, options: split)).lines.isEmpty)
    }

    @Test func documentsTokenisedAloneGiveTheWholeCorpusLinesAndTables() throws {
        let whole = try SampleStudy.corpus()
        let alone = whole.documents.map { document in
            TokenizedCorpus(
                documents: [document], participants: whole.participants, computeStems: true,
                roles: [.participant, .interviewer])
        }
        let queries = try ["hype", "regulat*", "*ology", "\"protected time\"", "train"].map { try Query($0) }
        for mode in [Query.MatchMode.lower, .stem, .surface] {
            var options = Concordancer.Options()
            options.mode = mode
            options.sort = [Concordancer.ContextKey("R1")!, Concordancer.ContextKey("L2")!]
            options.filter = SegmentFilter(roles: [.participant, .interviewer], attributes: ["years_in_field": ["5+"]])
            let concordancer = Concordancer(options: options)
            let merged = concordancer.merge(
                alone.flatMap { concordancer.lines(of: queries, in: $0) }, queries: queries,
                participants: whole.participants)
            let expected = concordancer.concordance(of: queries, in: whole)
            #expect(merged == expected && expected.lines.count > 10, "\(mode)")
        }
        for (grouping, ngram, stem) in [
            ("clinical_tech_split", 1, false), ("participant", 2, false), ("document", 1, true),
        ] {
            var options = FrequencyCounter.Options()
            options.grouping = Grouping(grouping)
            options.ngram = ngram
            options.stem = stem
            options.removeStopwords = true
            let counter = FrequencyCounter(options: options)
            var builder = FrequencyTable.Builder(participants: whole.participants, options: options)
            for corpus in alone { builder.add(counter.counts(ofDocument: 0, in: corpus)) }
            let merged = builder.table()
            let expected = counter.count(whole)
            #expect(merged.groups == expected.groups && merged.rows == expected.rows, "\(grouping)")
            #expect(expected.rows.count > 100)
        }
    }

    @Test func linesAndCountsRoundTripThroughTheBinaryCacheFormat() throws {
        let corpus = try SampleStudy.corpus()
        var lines = Concordancer().lines(of: [try Query("time"), try Query("\"protected time\"")], in: corpus)
        let counts = (0..<corpus.documents.count).map { FrequencyCounter().counts(ofDocument: $0, in: corpus) }
        #expect(lines.count > 20)
        #expect(Set(lines.compactMap(\.participantID)).count > 3)
        lines[0].attributes = ["role": "GP", "years_in_field": "12"]  // attributes are joined later, at merge
        var writer = BinaryWriter()
        writer.write(lines)
        writer.write(counts)
        var reader = BinaryReader(writer.bytes)
        #expect(try reader.read([ConcordanceLine].self) == lines)
        #expect(try reader.read([DocumentCounts].self) == counts)
        #expect(reader.isAtEnd)
    }

    @Test func wildcardsMatchPrefixesAndSuffixes() throws {
        let corpus = corpus([
            ("Regulation and regulators regulate; a regulatory standard.", .participant, "P1"),
            ("Technology, biology and cardiology.", .participant, "P1"),
        ])
        let prefix = Concordancer().concordance(of: [try Query("regulat*")], in: corpus)
        #expect(prefix.lines.map(\.match) == ["Regulation", "regulators", "regulate", "regulatory"])
        let suffix = Concordancer().concordance(of: [try Query("*ology")], in: corpus)
        #expect(suffix.lines.map(\.match) == ["Technology", "biology", "cardiology"])
    }

    @Test func wildcardsMatchTheFormsThatComparingThemAsStringsMatches() throws {
        // ASCII forms and words are compared as bytes, any other pair as strings; the answer must
        // be the strings' for every pair: a combining mark after the word's bytes, a Kelvin sign
        // (canonically a K) in the text as written, accents composed or not, and random words.
        var generator = SystemRandomNumberGenerator()
        let letters = Array("aeinrst")
        let random = (0..<400).map { _ in
            String(
                (0..<Int.random(in: 1...9, using: &generator)).map { _ in letters.randomElement(using: &generator)! })
        }
        let written = [
            "Regulate regulated regulate\u{0346}d REGULATORS café cafe\u{0301}s naïve \u{212A}elvin Kelvin kelvins",
            "co-operate don't doctors' ARTIFICIAL intelligence e\u{0301}clair éclair straße STRASSE",
            random.joined(separator: " "),
        ]
        let corpus = corpus(written.map { ($0, .participant, "P1") })
        let words =
            [
                "regulat", "Regulat", "regulate", "d", "ate", "caf", "cafe", "café", "e", "é", "\u{0301}", "K", "k",
                "\u{212A}", "elvin", "ss", "ß", "'", "-", "n't", "tion", "\u{200B}",
            ]
            + random.prefix(40).flatMap {
                [String($0.prefix(2)), String($0.suffix(2)), String($0.dropFirst().prefix(3))]
            }
        var compared = 0
        var hits = 0
        for mode in Query.MatchMode.allCases {
            let vocabulary = mode == .surface ? corpus.surfaces : corpus.forms
            let forms = vocabulary.forms
            for word in words {
                for text in ["\(word)*", "*\(word)", "*\(word)*"] {
                    // A lone mark joins the `*` before it: the query says which kind it is.
                    guard let query = try? Query(text), let element = query.elements.first else { continue }
                    let test: (String, String) -> Bool
                    let spelt: String
                    switch element {
                    case .prefix(let word): (test, spelt) = ({ $0.hasPrefix($1) }, word)
                    case .suffix(let word): (test, spelt) = ({ $0.hasSuffix($1) }, word)
                    case .infix(let word): (test, spelt) = ({ $0.contains($1) }, word)
                    case .exact: continue
                    }
                    let target = mode == .surface ? spelt : Normalizer.normalize(spelt, options: corpus.options)
                    let expected = forms.map { test($0, target) }
                    let found = CompiledQueries([query], mode: mode, corpus: corpus).matches(element: 0, of: 0)
                    #expect(found == expected, "\(text) in \(mode) mode")
                    compared += forms.count
                    hits += expected.filter { $0 }.count
                }
            }
        }
        #expect(compared > 30_000)
        #expect(hits > 3_000)
        // The pairs that bytes alone would get wrong.
        let surface = CompiledQueries([try Query("K*")], mode: .surface, corpus: corpus).matches(element: 0, of: 0)
        #expect(surface[Int(try #require(corpus.surfaces.id(of: "\u{212A}elvin")))])
        let lower = CompiledQueries([try Query("*regulate*")], mode: .lower, corpus: corpus).matches(element: 0, of: 0)
        #expect(!lower[Int(try #require(corpus.forms.id(of: "regulate\u{0346}d")))])
        #expect(lower[Int(try #require(corpus.forms.id(of: "regulated")))])
    }

    /// Every query tried at every token, its words compared as strings: the lines found, and
    /// their order (turn, token, then the queries' order), whatever words the queries share.
    @Test func eachTokenGivesTheLinesOfEveryQueryItStartsInTheQueriesOrder() throws {
        let words = ["care", "carer", "Care", "time", "protected", "part", "data", "datum", "AI", "nhs", "caring"]
        let patterns = [
            "care", "car*", "*er", "*ar*", "time", "\"protected time\"", "\"part time\"", "\"care time\"",
            "\"car* *ime\"", "data", "dat*", "ai", "\"care care\"", "nhs", "care",
        ]
        var generator = SplitMixGenerator(seed: 20_261_207)
        var options = Tokenizer.Options()
        options.phrases = .turn
        var compared = 0
        for _ in 0..<40 {
            let turns: [(String, SpeakerRole, String?)] = (0..<6).map { _ in
                let count = Int(generator.next() % 9)
                let said = (0..<count).map { _ in words[Int(generator.next() % UInt64(words.count))] }
                return (said.joined(separator: " "), .participant, "P1")
            }
            let chosen = try (0..<1 + Int(generator.next() % 6)).map { _ in
                try Query(patterns[Int(generator.next() % UInt64(patterns.count))])
            }
            let corpus = corpus(turns, options: options)
            func holds(_ element: Query.Element, _ word: String) -> Bool {
                let form = word.lowercased()
                switch element {
                case .exact(let target): return form == target.lowercased()
                case .prefix(let target): return form.hasPrefix(target.lowercased())
                case .suffix(let target): return form.hasSuffix(target.lowercased())
                case .infix(let target): return form.contains(target.lowercased())
                }
            }
            var expected: [String] = []
            for (turn, (said, _, _)) in turns.enumerated() {
                let spoken = said.split(separator: " ").map(String.init)
                for index in spoken.indices {
                    for query in chosen where index + query.elements.count <= spoken.count {
                        let found = query.elements.enumerated().allSatisfy { offset, element in
                            holds(element, spoken[index + offset])
                        }
                        if found { expected.append("\(turn) \(index) \(query.text)") }
                    }
                }
            }
            let lines = Concordancer().lines(of: chosen, in: corpus)
            #expect(lines.map { "\($0.segmentIndex) \($0.tokenIndex) \($0.query)" } == expected)
            compared += expected.count
        }
        #expect(compared > 300)
    }

    @Test func matchModesCompareSurfaceLowerOrStem() throws {
        let corpus = corpus([("Hype, hyped, HYPE and hyping.", .participant, "P1")])
        func matches(_ mode: Query.MatchMode) throws -> [String] {
            var options = Concordancer.Options()
            options.mode = mode
            return Concordancer(options: options).concordance(of: [try Query("hype")], in: corpus).lines.map(\.match)
        }
        #expect(try matches(.surface) == [])
        #expect(try matches(.lower) == ["Hype", "HYPE"])
        #expect(try matches(.stem) == ["Hype", "hyped", "HYPE", "hyping"])
    }

    @Test func windowCountsTokensOrCharactersAndStopsAtTheTurn() throws {
        let corpus = corpus([
            ("one two three four five six seven target eight nine", .participant, "P1"),
            ("target at the start", .participant, "P1"),
        ])
        var options = Concordancer.Options()
        options.window = 2
        let tokens = Concordancer(options: options).concordance(of: [try Query("target")], in: corpus)
        #expect(tokens.lines.map(\.left) == ["six seven", ""])
        #expect(tokens.lines.map(\.right) == ["eight nine", "at the"])
        #expect(tokens.lines.map(\.tokenIndex) == [7, 0])
        // The context words, nearest first, as far as the window or the turn's ends reach.
        options.window = 3
        let words = Concordancer(options: options).concordance(of: [try Query("target")], in: corpus)
        #expect(words.lines.map(\.leftWords) == [["seven", "six", "five"], []])
        #expect(words.lines.map(\.rightWords) == [["eight", "nine"], ["at", "the", "start"]])
        options.unit = .characters
        options.window = 7
        let characters = Concordancer(options: options).concordance(of: [try Query("target")], in: corpus)
        #expect(characters.lines[0].left == "seven")
        #expect(characters.lines[0].right == "eight")
    }

    @Test func turnsAreFilteredByRoleParticipantAndAttribute() throws {
        let table = ParticipantTable(
            attributeNames: ["split"],
            participants: [
                Participant(id: "P1", attributes: ["split": "tech"]),
                Participant(id: "P2", attributes: ["split": "clinical"]),
            ])
        let corpus = corpus(
            [
                ("Any hype?", .interviewer, nil), ("Hype everywhere.", .participant, "P1"),
                ("No hype.", .participant, "P2"),
            ],
            participants: table)
        func hits(_ filter: SegmentFilter) throws -> [String?] {
            var options = Concordancer.Options()
            options.filter = filter
            return Concordancer(options: options).concordance(of: [try Query("hype")], in: corpus).lines.map(
                \.participantID)
        }
        #expect(try hits(SegmentFilter()) == ["P1", "P2"])
        #expect(try hits(.everyone) == [nil, "P1", "P2"])
        #expect(try hits(SegmentFilter(participantIDs: ["P2"])) == ["P2"])
        #expect(try hits(SegmentFilter(attributes: ["split": ["tech"]])) == ["P1"])
    }

    @Test func phrasesMatchAcrossLineBreaksInsideATurn() throws {
        let corpus = corpus([("no protected\ntime at all", .participant, "P1")])
        let lines = Concordancer().concordance(of: [try Query("protected time")], in: corpus).lines
        #expect(lines.map(\.match) == ["protected time"])
    }

    @Test func sortingByRightContextOrdersLikeAConcordancer() throws {
        let corpus = corpus([("time pressure. time off. time again. time off work.", .participant, "P1")])
        var options = Concordancer.Options()
        options.sort = [try #require(.init("R1")), try #require(.init("R2"))]
        let lines = Concordancer(options: options).concordance(of: [try Query("time")], in: corpus).lines
        #expect(lines.map(\.right.first) == ["a", "o", "o", "p"])
        #expect(lines.map(\.tokenIndex) == [4, 2, 6, 0])
    }

    @Test func starsAtEitherEndMakeTheWordAPrefixSuffixOrInfix() throws {
        #expect(
            try Query("hype regulat* *ology *care* **time** work-life").elements == [
                .exact("hype"), .prefix("regulat"), .suffix("ology"), .infix("care"), .infix("time"),
                .exact("work-life"),
            ])
        #expect(try Query("“protected time”").elements == [.exact("protected"), .exact("time")])
        #expect(try Query("é*").elements == [.prefix("é")])
    }

    @Test func asciiQueriesSplitAndTrimByBytesAsTheyDoCharacterByCharacter() {
        // Every string of up to six of these characters, then longer ones drawn from them: the
        // byte path must cut the same words, and trim the same ends, as the character path.
        let alphabet: [String] = ["a", "B", "*", "\"", " ", "\t", "\r\n", "\n", "\u{0B}", "~", "/", "'", "\u{1F}"]
        var texts: [String] = [""]
        var layer: [String] = [""]
        for _ in 0..<4 {
            layer = layer.flatMap { prefix in alphabet.map { prefix + $0 } }
            texts += layer
        }
        var generator = SplitMixGenerator(seed: 7)
        for _ in 0..<5_000 {
            texts.append(
                (0..<Int.random(in: 5...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
                    .joined())
        }
        for text in texts {
            let bytes = Query.asciiWords(of: text)
            #expect(
                bytes?.map(String.init) == Query.characterWords(of: text).map(String.init), "\(text.debugDescription)")
            for word in bytes ?? [] {
                #expect(Query.asciiCore(of: word) == Query.characterCore(of: word), "\(word.debugDescription)")
            }
        }
        #expect(Query.asciiWords(of: "“the” hype") == nil, "only ASCII takes the byte path")
    }

    @Test func quotesAroundAnyPartOfAQueryAreNotPartOfItsWords() throws {
        let phrase: [Query.Element] = [.exact("the"), .exact("hype")]
        for text in ["the \"hype\"", "\"the\" hype", "\"the hype", "the hype\"", "“the” „hype“", "« the hype »"] {
            #expect(try Query(text).elements == phrase, "\(text)")
        }
        #expect(
            try Query("hype \"work-life\" \"regulat*\"").elements == [
                .exact("hype"), .exact("work-life"), .prefix("regulat"),
            ])
        #expect(try Query("don't").elements == [.exact("don't")], "an apostrophe is part of the word")
        let corpus = corpus([("The hype, the hype cycle.", .participant, "P1")])
        let quoted = Concordancer().concordance(of: [try Query("the \"hype\"")], in: corpus)
        #expect(quoted.lines.map(\.match) == ["The hype", "the hype"])
    }

    @Test(arguments: [
        "", "\"\"", "*", "**", "pro*ted", "say\"hi", "\" \" “”", "\"*\"", "no ~2 pathway", "time NEAR/5 protected",
        "time near/5 protected", "hype~1", "hype OR buzz", "time AND money", "silver NEAR bullet",
    ])
    func badQueriesAreRefused(_ text: String) {
        #expect(throws: QueryError.self) { try Query(text) }
    }

    @Test func aSearchEnginesProximityIsRefusedByName() {
        // Typed as in a search engine: the quotation mark after "time" was blamed before.
        for (text, named) in [("\"protected time\"~3", "\"~3\""), ("hype~1", "\"~1\"")] {
            #expect {
                try Query(text)
            } throws: { error in
                let message = (error as? QueryError)?.message ?? ""
                return message.contains(named) && message.contains("proximity") && !message.contains("quotation")
            }
        }
    }
}
