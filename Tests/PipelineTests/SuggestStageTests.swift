import Coding
import Corpus
import Foundation
import Testing
import TextAnalysis

@testable import Pipeline

@Suite(.serialized) struct SuggestStageTests {
    @Test func aLexiconEditRerunsOnlySuggestions() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let first = try workspace.run()
        #expect((first.suggestions?.total ?? 0) > 50)
        try workspace.editLexicon {
            $0.replacingOccurrences(of: "patterns: [hype, misinformation,", with: "patterns: [hype, misinform*,")
        }
        let report = try workspace.run()
        #expect(report.stage("ingest")?.ran == [])
        #expect(report.stage("kwic")?.ran == [])
        #expect(report.stage("frequencies")?.ran == [])
        // Matched again only where a word could match `misinformation` or `misinform*`; the
        // other documents keep the code's suggestions without being tokenised.
        let corpus = try JSONDecoder().decode(Outputs.CorpusFile.self, from: workspace.output("corpus.json"))
        let withWord = corpus.documents.filter { $0.text.lowercased().contains("misinform") }.map(\.id)
        #expect(!withWord.isEmpty && withWord.count < corpus.documents.count)
        #expect(report.stage("suggest")?.ran.sorted() == withWord.sorted())
        #expect(report.stage("tokenize")?.ran.sorted() == withWord.sorted())
        // Only what the lexicon feeds is rewritten; the rest is kept as it was.
        #expect(report.outputs == ["suggestions.json", "report.html", "run-report.json"])
        let change = report.suggestions?.perCode.first { $0.code == "Hype and misinformation" }
        #expect(change?.added == 0 && change?.removed == 0)  // same matches: same ids
        // Without the cached index of the previous suggestions, they are read from the file.
        try FileManager.default.removeItem(at: workspace.out.appendingPathComponent(".cache/suggestions.bin"))
        try workspace.editLexicon {
            $0.replacingOccurrences(of: "patterns: [hype, misinform*,", with: "patterns: [hype, misinformation,")
        }
        let back = try workspace.run()
        #expect(back.suggestions?.perCode.allSatisfy { $0.added == 0 && $0.removed == 0 } == true)
    }

    /// `tmine run` says what a lexicon edit did to the suggestions, code by code (it was only in
    /// run-report.json): the count, and what the codes that changed most gained and lost.
    @Test func aRunSaysWhatEachCodeGainedAndLost() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        // A first run: every suggestion is new, and only their count is said.
        let (first, said) = try runProcess(try tmineExecutable().path, ["run", workspace.pipeline])
        let made = try JSONDecoder().decode(RunReport.self, from: workspace.output("run-report.json"))
        #expect(first == 0 && said.contains("; \(made.suggestions?.total ?? 0) suggestions\n"), "\(said)")
        try workspace.editLexicon {
            $0.replacingOccurrences(of: "patterns: [serendipit*,", with: "patterns: [serendipit*, colleague*,")
        }
        let (status, output) = try runProcess(try tmineExecutable().path, ["run", workspace.pipeline])
        #expect(status == 0, "\(output)")
        let report = try JSONDecoder().decode(RunReport.self, from: workspace.output("run-report.json"))
        let gained = try #require(report.suggestions?.perCode.first { $0.code == "Serendipity" }?.added)
        #expect(gained > 0)
        #expect(
            output.contains("  suggest: ")
                && output.contains("; \(report.suggestions?.total ?? 0) suggestions (Serendipity +\(gained))\n"),
            "\(output)")
        // The codes that changed most, four at most, then how many more.
        func change(_ code: String, _ added: Int, _ removed: Int) -> RunReport.Suggestions.CodeChange {
            .init(code: code, total: added, added: added, removed: removed)
        }
        var summary = try #require(report.suggestions)
        summary.total = 1
        summary.perCode = [
            change("A", 1, 0), change("B", 0, 5), change("C", 2, 2), change("D", 0, 0), change("E", 3, 0),
            change("F", 1, 1),
        ]
        #expect(summary.changeSummary == "1 suggestion (B −5, C +2 −2, E +3, F +1 −1, and 1 more code changed)")
        summary.perCode = [change("D", 0, 0), .init(code: "G", total: 2, added: 0, removed: 0)]
        #expect(summary.changeSummary == "1 suggestion")
        // Decisions whose suggestion is gone are said, by coder.
        let gone = try JSONDecoder().decode(
            DecisionMerger.Orphan.self,
            from: Data(#"{"coder":"bob","suggestionID":"s","status":"accepted","evidence":["hype"]}"#.utf8))
        var alices = gone
        alices.coder = "alice"
        summary.orphaned = [gone, alices, gone]
        #expect(
            summary.changeSummary
                == "1 suggestion; 3 decisions on suggestions no longer made (alice 1, bob 2; kept in suggestions.json's "
                + "orphanedDecisions)")
        summary.orphaned = [gone]
        #expect(
            summary.changeSummary.hasSuffix(
                "; 1 decision on a suggestion no longer made (bob 1; kept in suggestions.json's orphanedDecisions)"))
    }

    @Test func suggestionsPutTogetherCodeByCodeEqualAFullRecomputation() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        // Two codes change (one gains a pattern that matches, one loses its exclusions' effect by
        // a rename); the others are taken from the cache as they were.
        try workspace.editLexicon {
            $0.replacingOccurrences(
                of: "patterns: [hype, misinformation,", with: "patterns: [hype, misinformation, time,"
            )
            .replacingOccurrences(of: "name: Serendipity", with: "name: Luck")
            .replacingOccurrences(of: "parent: Serendipity", with: "parent: Luck")
        }
        let edited = try workspace.run()
        #expect(edited.stage("suggest")?.ran.count == 11)
        let added = edited.suggestions?.perCode.first { $0.code == "Hype and misinformation" }?.added ?? 0
        #expect(added > 0)
        #expect(edited.suggestions?.perCode.contains { $0.code == "Luck" && $0.total > 0 } == true)
        let pieced = try workspace.output("suggestions.json")
        _ = try workspace.run(force: true)
        #expect(try workspace.output("suggestions.json") == pieced)
    }

    @Test func onlyAddedOrRemovedPatternsOfAnOtherwiseSameCodeCanBeCarriedOver() {
        func version(_ patterns: [String], exclusions: [String] = [], weight: Double? = nil, line: Int? = nil)
            -> CodeVersion
        {
            let code = Code(
                name: "Hype", description: "\(line ?? 0)", patterns: patterns.map { PatternEntry($0, line: line) },
                exclusions: exclusions.map { PatternEntry($0) }, weight: weight, line: line)
            return CodeVersion(code, in: Lexicon(codes: [code]), shared: "s")
        }
        let old = version(["hype", "buzz*", "snake oil"])
        #expect(version(["hype", "buzz*", "snake oil"], line: 40).key == old.key)
        #expect(version(["hype", "fad", "buzz*", "snake oil"]).changedTexts(since: old) == ["fad"])
        #expect(version(["hype", "snake oil"]).changedTexts(since: old) == ["buzz*"])
        #expect(version(["hype", "buzz", "snake oil"]).changedTexts(since: old)?.sorted() == ["buzz", "buzz*"])
        #expect(
            version(["hype", "buzz*", "snake oil"], exclusions: ["hype cycle"]).changedTexts(since: old)
                == ["hype cycle"])
        // Evidence is ordered by pattern: reordering, or a changed weight, is matched again.
        #expect(version(["buzz*", "hype", "snake oil"]).changedTexts(since: old) == nil)
        #expect(version(["hype", "buzz*", "snake oil"], weight: 2).changedTexts(since: old) == nil)
    }

    /// A pattern's key and a code's settings key change with every field that decides a match,
    /// and with none other; a field added to these types fails the first checks until the keys
    /// (written by hand) hold it.
    @Test func definitionKeysHoldEveryField() {
        #expect(Mirror(reflecting: PatternEntry("a")).children.map(\.label) == ["text", "negation", "weight", "line"])
        #expect(Mirror(reflecting: NegationRule()).children.map(\.label) == ["mode", "within"])
        #expect(
            Mirror(reflecting: Code(name: "a")).children.map(\.label)
                == [
                    "name", "description", "parent", "patterns", "exclusions", "match", "negation", "weight",
                    "examples",
                    "line",
                ])

        let entry = PatternEntry("hype*", negation: NegationRule(mode: .exclude, within: 3), weight: 2)
        let key = CodeVersion.key(of: entry)
        var same = entry
        same.line = 12
        #expect(CodeVersion.key(of: same) == key)
        let changed: [PatternEntry] = [
            PatternEntry("hype", negation: entry.negation, weight: 2),
            PatternEntry("hype*", negation: nil, weight: 2),
            PatternEntry("hype*", negation: NegationRule(mode: .require, within: 3), weight: 2),
            PatternEntry("hype*", negation: NegationRule(mode: .exclude, within: 4), weight: 2),
            PatternEntry("hype*", negation: entry.negation, weight: nil),
            PatternEntry("hype*", negation: entry.negation, weight: 2.5),
        ]
        #expect(Set(changed.map(CodeVersion.key(of:)) + [key]).count == changed.count + 1)

        let code = Code(
            name: "Hype", description: "d", parent: "Theme", patterns: ["hype"], exclusions: ["hype cycle"],
            match: .lower, negation: NegationRule(), weight: 1, examples: Examples(match: ["hype"]), line: 3)
        let settings = CodeVersion.settingsKey(of: code)
        var other = code
        other.description = nil
        other.patterns = ["fad"]
        other.exclusions = []
        other.examples = Examples()
        other.line = 9
        #expect(CodeVersion.settingsKey(of: other) == settings)
        var variants: [Code] = []
        for change in [
            { (code: inout Code) in code.name = "Buzz" }, { $0.parent = nil }, { $0.parent = "Other" },
            { $0.match = .stem }, { $0.negation = nil }, { $0.negation = NegationRule(mode: .require) },
            { $0.negation = NegationRule(within: 5) }, { $0.weight = nil }, { $0.weight = 1.5 },
        ] as [(inout Code) -> Void] {
            var variant = code
            change(&variant)
            variants.append(variant)
        }
        #expect(Set(variants.map(CodeVersion.settingsKey(of:)) + [settings]).count == variants.count + 1)
    }

    @Test func commentsDescriptionsAndLineShiftsMatchNothingAgain() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let before = try workspace.output("suggestions.json")
        // A comment line at the top moves every code's line; a description changes one code.
        try workspace.editLexicon {
            "# edited by hand\n"
                + $0.replacingOccurrences(
                    of: "description: No established career path into AI for doctors.",
                    with: "description: No established career path into AI.")
        }
        let report = try workspace.run()
        #expect(report.stage("tokenize")?.ran == [])
        #expect(report.stage("suggest")?.ran == [])
        #expect(report.suggestions?.perCode.allSatisfy { $0.added == 0 && $0.removed == 0 } == true)
        #expect(try workspace.output("suggestions.json") != before)  // the new lexicon hash and description
        let pieced = try workspace.output("suggestions.json")
        _ = try workspace.run(force: true)
        #expect(try workspace.output("suggestions.json") == pieced)
    }

    /// A run that finds nothing changed reports the last run's suggestions, as a recomputation
    /// would: codes renamed away in the last run (listed then for what they lost) are not listed.
    @Test func aRunWithNothingChangedListsTheCodesARecomputationWould() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        try workspace.editLexicon {
            $0.replacingOccurrences(of: "- name: Minimal mentorship", with: "- name: Little mentorship")
        }
        let renamed = try workspace.run()
        let gone = renamed.suggestions?.perCode.first { $0.code == "Minimal mentorship" }
        #expect(gone?.total == 0 && (gone?.removed ?? 0) > 0)
        let again = try workspace.run()
        #expect(again.outputs == ["run-report.json"])
        let codes = again.suggestions?.perCode.map(\.code) ?? []
        #expect(!codes.contains("Minimal mentorship") && codes.contains("Little mentorship"))
        #expect(again.suggestions?.perCode.allSatisfy { $0.added == 0 && $0.removed == 0 } == true)
        let forced = try workspace.run(force: true)
        #expect(forced.suggestions?.perCode.map(\.code) == codes)
    }

    @Test func suggestionsCarriedOverByAnEditEqualAFullRecomputation() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        // Added words that occur in a few documents, a removed pattern, a new exclusion, a
        // pattern that occurs nowhere; carried and rematched documents together must equal a
        // run from scratch, byte for byte.
        try workspace.editLexicon {
            $0.replacingOccurrences(
                of: "patterns: [hype, misinformation, overpromis*, headline*, keynote, \"beats doctors\"]",
                with: "patterns: [hype, overpromis*, headline*, keynote, \"beats doctors\", cynical, zyzzyva]"
            )
            .replacingOccurrences(of: "exclude: [\"hype cycle\"]", with: "exclude: [\"hype cycle\", \"hype train\"]")
            .replacingOccurrences(of: "patterns: [mentor*,", with: "patterns: [mentor*, guid*,")
        }
        let edited = try workspace.run()
        let ran = edited.stage("suggest")?.ran ?? []
        #expect(!ran.isEmpty && ran.count < 11)
        let pieced = try workspace.output("suggestions.json")
        _ = try workspace.run(force: true)
        #expect(try workspace.output("suggestions.json") == pieced)
    }

    /// Words added to a code: in a document that may hold them the code is matched again only
    /// in its turns whose bytes could (the participants' turns; curly apostrophes, dashes and
    /// capitals included), its other suggestions kept, and the file equals a recomputation.
    @Test func aCodeGainingWordsIsMatchedAgainOnlyInTurnsThatMayHoldThem() throws {
        func segment(_ index: Int, _ role: SpeakerRole, _ text: String) -> Segment {
            Segment(
                index: index, speaker: role.rawValue, role: role, participantID: nil, text: text,
                range: ScalarRange(start: 0, end: 0))
        }
        let document = Document(
            id: "d", source: "d.txt", format: .text, text: "",
            segments: [
                segment(0, .interviewer, "Was it Cynical?"), segment(1, .participant, "Quite CYNICAL — “yes”."),
                segment(2, .participant, "Not at all, I don’t think so."),
                segment(3, .participant, "Cynic\u{AD}al, maybe."),
            ], speakers: [])
        let code = Code(name: "C", patterns: ["cynical"])
        let probe = CompiledLexicon(lexicon: Lexicon(codes: [code]), options: Tokenizer.Options())
        #expect(PipelineRunner.turns(of: document, roles: [.participant], couldMatch: [probe]) == [1, 3])
        // A wildcard by its fixed part; stems are not judged from bytes.
        let wildcard = CompiledLexicon(
            lexicon: Lexicon(codes: [Code(name: "C", patterns: ["*ynic*"])]), options: Tokenizer.Options())
        #expect(PipelineRunner.turns(of: document, roles: [.participant], couldMatch: [probe, wildcard]) == [1, 3])
        let stem = CompiledLexicon(
            lexicon: Lexicon(codes: [Code(name: "C", patterns: ["cynic"], match: .stem)]), options: Tokenizer.Options())
        #expect(PipelineRunner.turns(of: document, roles: [.participant], couldMatch: [probe, stem]) == nil)

        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        try workspace.editLexicon {
            $0.replacingOccurrences(of: "patterns: [hype, misinformation,", with: "patterns: [hype, cynical, don't,")
        }
        let edited = try workspace.run()
        let ran = edited.stage("suggest")?.ran ?? []
        #expect(!ran.isEmpty && ran.count < 11)
        try workspace.expectAFreshRunWritesTheSame()
    }

    /// A document matched again after a lexicon edit gets its suggestions written to the cache,
    /// not its text and analyses again: those parts stay where they were, and are read from there.
    @Test func aLexiconEditThatMatchesRewritesOnlyTheSuggestionsOfTheDocumentsItMatches() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let folder = workspace.out.appendingPathComponent(".cache").path
        let first = StageCache(folder: folder)
        let before = try Dictionary(
            uniqueKeysWithValues: first.indexedKeys.map { ($0, try #require(first.record(of: $0))) })
        #expect(before.count == 11)
        try workspace.editLexicon {
            $0.replacingOccurrences(of: "patterns: [hype, misinformation,", with: "patterns: [hype, cynical, don't,")
        }
        let ran = try workspace.run().stage("suggest")?.ran ?? []
        #expect(!ran.isEmpty && ran.count < 11)
        let second = StageCache(folder: folder)
        var rewritten = 0
        for (key, record) in before {
            let now = try #require(second.record(of: key))
            let suggest = StageCache.Part.suggest.rawValue
            #expect(Array(now[..<suggest]) == Array(record[..<suggest]))
            if now[suggest] != record[suggest] {
                rewritten += 1
                #expect(now[suggest].pack != record[suggest].pack)
            }
        }
        #expect(rewritten == ran.count)
        // The texts kept where they were still serve a run that needs them.
        try FileManager.default.removeItem(at: workspace.out.appendingPathComponent("corpus.json"))
        let again = try workspace.run()
        #expect(again.stage("ingest")?.ran == [] && again.stage("suggest")?.ran == [])
        let pieced = try workspace.output("suggestions.json")
        _ = try workspace.run(force: true)
        #expect(try workspace.output("suggestions.json") == pieced)
    }

    @Test func editsInARowCarryOverFromTheVersionTheCacheHolds() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let original = try String(contentsOfFile: workspace.lexicon, encoding: .utf8)
        // Words that occur nowhere: every document keeps its suggestions, edit after edit.
        for word in ["zyzzyva", "quuxword"] {
            try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, \(word),") }
            let report = try workspace.run()
            #expect(report.stage("tokenize")?.ran == [])
            #expect(report.stage("suggest")?.ran == [])
        }
        // Back to the first lexicon: the cache still holds that version for every document.
        try workspace.editLexicon { _ in original }
        #expect(try workspace.run().stage("suggest")?.ran == [])
        let pieced = try workspace.output("suggestions.json")
        _ = try workspace.run(force: true)
        #expect(try workspace.output("suggestions.json") == pieced)
    }

    /// A lexicon edit that leaves documents' suggestions as they were copies them from the
    /// previous suggestions.json (decisions, conflict and note included) and reads only each
    /// document's words: with every document's text and suggestion parts of the cache wiped,
    /// nothing is ingested, tokenised or matched again, no cache file is rewritten, and the
    /// outputs equal a run from scratch.
    @Test func aLexiconEditCopiesUnchangedDocumentsFromThePreviousFileAndReadsNoText() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.runWithDecisionsOnTheFirstSuggestion(note: JSONWriterTests.awkward)
        let cache = StageCache(folder: workspace.out.appendingPathComponent(".cache").path)
        let documents = workspace.out.appendingPathComponent(".cache/documents")
        let names = try FileManager.default.contentsOfDirectory(atPath: documents.path).sorted()
        // One pack of records and its index.
        #expect(names.count == 2 && names.contains("index.bin"))
        let keys = cache.indexedKeys
        #expect(keys.count == 11)
        for key in keys {
            // Every part: the word index rules out each document for a word none of them has.
            for location in try #require(cache.record(of: key)) { workspace.wipe(location) }
        }
        func contents() throws -> [Data] {
            try names.map { try Data(contentsOf: documents.appendingPathComponent($0)) }
        }
        let wiped = try contents()

        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, zyzzyva,") }
        let edited = try workspace.run()
        #expect(edited.stage("ingest")?.ran == [])
        #expect(edited.stage("tokenize")?.ran == [])
        #expect(edited.stage("suggest")?.ran == [])
        #expect(try contents() == wiped)
        let suggestions = try workspace.output("suggestions.json")
        let report = try workspace.output("report.html")
        let file = try JSONDecoder().decode(Outputs.SuggestionsFile.self, from: suggestions)
        #expect(file.suggestions.contains { $0.status == .conflict && $0.decisions.count == 2 })
        #expect(file.lexicon.hash == edited.suggestions?.lexiconHash)

        _ = try workspace.run(force: true)
        #expect(try workspace.output("suggestions.json") == suggestions)
        #expect(try workspace.output("report.html") == report)
    }

    /// Codes added, removed or renamed leave the other codes' suggestions as they were. A code
    /// whose words, and wildcards' starts, are nowhere is added with no part of any document's
    /// cache readable (the word index's filters rule every document out): every document is
    /// copied from the previous file. One whose word is in some documents is matched there only.
    /// A removed code's documents are rendered again from the cache, none matched. Each time the
    /// outputs equal a fresh run's.
    @Test func codesAddedRemovedOrRenamedAreMatchedOnlyWhereTheyMayBe() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.runWithDecisionsOnTheFirstSuggestion(note: "kept")
        func wipeTextsAndSuggestions() throws {
            let cache = StageCache(folder: workspace.out.appendingPathComponent(".cache").path)
            for key in cache.indexedKeys {
                for location in try #require(cache.record(of: key)) { workspace.wipe(location) }
            }
        }
        func insertCode(_ lines: String) throws {
            try workspace.editLexicon {
                $0.replacingOccurrences(of: "  - name: Serendipity\n", with: lines + "\n  - name: Serendipity\n")
            }
        }
        try wipeTextsAndSuggestions()
        try insertCode(
            "  - name: Zyzzyva\n    parent: Route to working with AI\n    patterns: [zyzzyva, \"quux word\", zyzz*, qxqx*]\n"
        )
        let added = try workspace.run()
        #expect(added.stage("ingest")?.ran == [] && added.stage("tokenize")?.ran == [])
        #expect(added.stage("suggest")?.ran == [])
        try workspace.expectAFreshRunWritesTheSame()

        try insertCode("  - name: Cynicism\n    patterns: [cynical, \"don't\"]\n")
        let matched = try workspace.run().stage("suggest")?.ran ?? []
        #expect(!matched.isEmpty && matched.count < 11)
        try workspace.expectAFreshRunWritesTheSame()

        let cynicism = "  - name: Cynicism\n    patterns: [cynical, \"don't\"]\n\n"
        let file = try JSONDecoder().decode(Outputs.SuggestionsFile.self, from: workspace.output("suggestions.json"))
        #expect(file.suggestions.contains { $0.code == "Cynicism" })
        try workspace.editLexicon { $0.replacingOccurrences(of: cynicism, with: "") }
        let removed = try workspace.run()
        #expect(removed.stage("tokenize")?.ran == [] && removed.stage("suggest")?.ran == [])
        try workspace.expectAFreshRunWritesTheSame()

        try workspace.editLexicon {
            $0.replacingOccurrences(of: "  - name: Serendipity\n", with: "  - name: Serendipity, renamed\n")
        }
        // Its wildcard (`serendipit*`) has the documents that may hold it tokenised again.
        let renamed = try workspace.run().stage("suggest")?.ran ?? []
        #expect(!renamed.isEmpty && renamed.count < 11)
        try workspace.expectAFreshRunWritesTheSame()
    }

    /// A previous document's codes line up with this run's by key, whatever their number, but not
    /// out of their order: the suggestions of one place are ordered by code, so a document whose
    /// codes were reordered is not copied.
    @Test func previousCodesAlignOnlyInTheirOrder() throws {
        let lexicon = Lexicon(codes: ["A", "B", "C"].map { Code(name: $0, patterns: [PatternEntry($0.lowercased())]) })
        let versions = lexicon.codes.map { CodeVersion($0, in: lexicon, shared: "") }
        var layout = SuggestionLayout(context: "")
        for (id, order) in [("same", [0, 1, 2]), ("swapped", [1, 0, 2]), ("without B", [0, 2])] {
            layout.add(
                id: id, key: "k", sources: order.map { versions[$0].key }, offset: 0, length: 0, statuses: [],
                participants: [], turns: [], joined: .init())
        }
        let alignment = CodeAlignment(
            layout: layout, index: nil, codes: versions,
            absentKeys: versions.map { CodeHistory.absentKey(of: $0.name) },
            history: nil)
        func positions(_ id: String) throws -> (positions: [Int], aligned: Bool)? {
            alignment.positions(in: try #require(layout.document(id)))
        }
        let same = try #require(try positions("same"))
        #expect(same.positions == [0, 1, 2] && same.aligned)
        #expect(try positions("swapped") == nil)
        let withoutB = try #require(try positions("without B"))
        #expect(withoutB.positions == [0, -1, 1] && !withoutB.aligned)
    }

    /// A participant's attributes edited: only their documents' suggestions (which carry the
    /// attributes) are rendered again; every other document's come from the previous
    /// suggestions.json as they were, their cached suggestions not even read (here wiped).
    @Test func anAttributeEditRendersOnlyThatParticipantsSuggestionsAgain() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let cache = StageCache(folder: workspace.out.appendingPathComponent(".cache").path)
        let keys = cache.indexedKeys
        #expect(keys.count == 11)
        for key in keys {
            workspace.wipe(try #require(cache.record(of: key)?[StageCache.Part.suggest.rawValue]))
        }
        let path = workspace.corpus("participants.csv").path
        let table = try String(contentsOfFile: path, encoding: .utf8)
        try table.replacingOccurrences(of: "P9,Surgeon,", with: "P9,Senior surgeon,")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let edited = try workspace.run()
        #expect(edited.stage("suggest")?.ran == ["interview-09"])
        let suggestions = try workspace.output("suggestions.json")
        let file = try JSONDecoder().decode(Outputs.SuggestionsFile.self, from: suggestions)
        let nine = file.suggestions.filter { $0.participantID == "P9" }
        #expect(!nine.isEmpty && nine.allSatisfy { $0.attributes["role"] == "Senior surgeon" })
        try workspace.expectAFreshRunWritesTheSame()
    }

    @Test func aDecisionRendersOnlyItsDocumentsSuggestionsAgain() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        // Every cached suggestion is wiped: a document whose elements are not copied from the
        // previous file must run `suggest` again.
        func wipeSuggestions() throws {
            let cache = StageCache(folder: workspace.out.appendingPathComponent(".cache").path)
            for key in cache.indexedKeys {
                workspace.wipe(try #require(cache.record(of: key)?[StageCache.Part.suggest.rawValue]))
            }
        }
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let suggestions = try decider.currentSuggestions().file.suggestions
        let target = try #require(suggestions.first { $0.documentID == "interview-03" })
        // A coder's first decision joins every document again (decisions are recorded by coder).
        try decider.decide(coder: "alice", [.reject(try #require(suggestions.first?.id))])
        #expect(try workspace.run().stage("suggest")?.ran == [])
        try wipeSuggestions()
        try decider.decide(coder: "alice", [.accept(target.id)])
        let accepted = try workspace.run()
        #expect(accepted.stage("suggest")?.ran == ["interview-03"], "\(accepted.stage("suggest")?.ran ?? [])")
        #expect(try decider.currentSuggestions().merged.suggestions.first { $0.id == target.id }?.status == .accepted)
        try workspace.expectAFreshRunWritesTheSame()

        try wipeSuggestions()
        try decider.decide(coder: "alice", [.undo(target.id)])
        #expect(try workspace.run().stage("suggest")?.ran == ["interview-03"])
        try workspace.expectAFreshRunWritesTheSame()

        // Another coder: every document is joined again.
        try wipeSuggestions()
        try decider.decide(coder: "bob", [.reject(target.id)])
        #expect(try workspace.run().stage("suggest")?.ran.count == 11)
        try workspace.expectAFreshRunWritesTheSame()
    }

    /// Replacing suggestions.json, corpus.json or kwic.json frees nothing in the run that
    /// replaces it: the previous file is kept under `.cache/`, and the next run that writes that
    /// output writes it over the kept file. A run that leaves an output as it is leaves its kept
    /// copy alone; one whose pipeline no longer makes an output deletes its copy.
    @Test func aReplacedOutputIsKeptUntilTheNextRunThatWritesItWritesOverIt() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        func current(_ name: String) -> String { workspace.out.appendingPathComponent(name).path }
        func retired(_ name: String) -> String { workspace.out.appendingPathComponent(".cache/retired-\(name)").path }
        func inode(_ path: String) -> UInt64? {
            var status = stat()
            return stat(path, &status) == 0 ? UInt64(status.st_ino) : nil
        }
        let names = ["suggestions.json", "corpus.json", "kwic.json"]
        let first = try names.map { try #require(inode(current($0))) }
        #expect(names.allSatisfy { inode(retired($0)) == nil })
        let firstBytes = try names.map { try workspace.output($0) }
        // Where earlier builds kept the replaced suggestions.json: deleted by the next run.
        let legacy = workspace.out.appendingPathComponent(".cache/retired-output").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: legacy))

        // A lexicon edit replaces suggestions.json only.
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, zyzzyva,") }
        _ = try workspace.run()
        #expect(inode(retired("suggestions.json")) == first[0])
        #expect(try Data(contentsOf: URL(fileURLWithPath: retired("suggestions.json"))) == firstBytes[0])
        #expect(inode(retired("corpus.json")) == nil && inode(retired("kwic.json")) == nil)
        #expect(inode(legacy) == nil)
        let second = try #require(inode(current("suggestions.json")))
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote, zyzzyva,", with: "keynote,") }
        _ = try workspace.run()
        #expect(inode(retired("suggestions.json")) == second)
        #expect(inode(current("suggestions.json")) == first[0])
        #expect(try workspace.output("suggestions.json") == firstBytes[0])

        // A transcript taken away replaces all three; put back, each is written over its kept copy.
        let moved = workspace.root.appendingPathComponent("interview-11.txt")
        try FileManager.default.moveItem(at: workspace.corpus("interview-11.txt"), to: moved)
        _ = try workspace.run()
        for (name, inode0) in zip(names, first) {
            #expect(inode(retired(name)) == inode0, "\(name) kept")
        }
        let without = try names.map { try #require(inode(current($0))) }
        try FileManager.default.moveItem(at: moved, to: workspace.corpus("interview-11.txt"))
        _ = try workspace.run()
        for (index, name) in names.enumerated() {
            #expect(inode(current(name)) == first[index], "\(name) written over its kept copy")
            #expect(try workspace.output(name) == firstBytes[index])
            #expect(inode(retired(name)) == without[index])
        }
        // A lexicon edit leaves the kept corpus.json and kwic.json for a later run.
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, zyzzyva,") }
        _ = try workspace.run()
        #expect(inode(retired("corpus.json")) == without[1] && inode(retired("kwic.json")) == without[2])

        // Without the KWIC stage, its kept copy goes.
        var text = try String(contentsOfFile: workspace.pipeline, encoding: .utf8)
        text = text.replacingOccurrences(of: "  - kwic:\n      queries: [\"protected time\", \"hype\"]\n", with: "")
        try text.write(toFile: workspace.pipeline, atomically: true, encoding: .utf8)
        _ = try workspace.run()
        #expect(inode(retired("kwic.json")) == nil)
        #expect(inode(retired("corpus.json")) != nil)
    }

    /// A lexicon edit that changes no suggestion leaves the elements of suggestions.json as the
    /// run before's: when the kept (retired) file it writes over has a kept layout equal to the
    /// current one, those bytes are in place already and are not copied. A kept file changed
    /// since is copied over as before, and every file is the one a run from scratch writes.
    @Test func elementsAlreadyInTheRecycledFileAreNotCopiedAgainUnlessItChanged() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let cache = workspace.out.appendingPathComponent(".cache").path
        let keptLayout = SuggestionLayout.retiredPath(in: cache)
        let kept = RetiredOutputs(in: cache).path(of: "suggestions.json")
        _ = try workspace.run()
        let without = try workspace.output("suggestions.json")
        #expect(!FileManager.default.fileExists(atPath: keptLayout))
        // An entry found nowhere added (the first file kept, with its layout), taken away (the
        // first file written over, its elements found in place), added again.
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, zyzzyva,") }
        _ = try workspace.run()
        let with = try workspace.output("suggestions.json")
        #expect(FileManager.default.fileExists(atPath: keptLayout))
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote, zyzzyva,", with: "keynote,") }
        _ = try workspace.run()
        #expect(try workspace.output("suggestions.json") == without)

        // The kept file changed in the middle of its elements since its layout was kept: copied.
        let handle = try #require(FileHandle(forUpdatingAtPath: kept))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data("#".utf8))
        try handle.close()
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, zyzzyva,") }
        _ = try workspace.run()
        #expect(try workspace.output("suggestions.json") == with)
        try workspace.expectAFreshRunWritesTheSame()

        // What the next such edit's run finds: the kept file's elements in place, not copied.
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote, zyzzyva,", with: "keynote,") }
        _ = try workspace.run()
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, zyzzyva,") }
        let started = SuggestionSpeculation.start(
            out: workspace.out.path, path: workspace.root.appendingPathComponent("next.json").path, recycling: kept)
        #expect(try #require(started.speculation).skipped)
    }

    @Test func formFiltersNeverMissAFormAndRarelyClaimOne() throws {
        let forms = (0..<2_000).map { "form\($0)" }
        var writer = BinaryWriter()
        writer.write(forms)
        let filter: FormFilter = try #require(FormFilter(encodedForms: writer.bytes[...]))
        func has(_ word: String) -> Bool {
            var word = word
            return word.withUTF8 { filter.mayContain($0) }
        }
        #expect(forms.allSatisfy(has))
        let wrong = (0..<10_000).filter { has("other\($0)") }.count
        #expect(wrong < 300, "\(wrong) of 10,000 absent words claimed")
        #expect(FormFilter(encodedForms: [0x05, 0x01][...]) == nil)
    }

    /// The heads' filter has the first four bytes of every form of two of the sample's
    /// transcripts, and claims few of the heads of other words.
    @Test func headFiltersNeverMissAFormsStartAndRarelyClaimOne() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        var forms = Vocabulary(capacity: 1024)
        let tokenizer = Tokenizer(options: Tokenizer.Options())
        for name in ["interview-10.vtt", "interview-11.txt"] {
            var surfaces = Vocabulary(capacity: 1024)
            _ = tokenizer.tokenize(
                try String(contentsOf: workspace.corpus(name), encoding: .utf8), forms: &forms, surfaces: &surfaces)
        }
        #expect(forms.count > 250)
        let filter = FormFilter(forms: forms)
        var heads: Set<[UInt8]> = []
        forms.forEachForm { form in
            guard form.count >= FormFilter.headLength else { return }
            let head = UnsafeBufferPointer(rebasing: form[..<FormFilter.headLength])
            heads.insert(Array(head))
            #expect(filter.mayStart(with: head))
        }
        var random = SplitMixGenerator(seed: 3)
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        var absent = 0
        var claimed = 0
        while absent < 10_000 {
            let head = (0..<FormFilter.headLength).map { _ in letters.randomElement(using: &random)! }
            guard !heads.contains(head) else { continue }
            absent += 1
            if head.withUnsafeBufferPointer(filter.mayStart(with:)) { claimed += 1 }
        }
        #expect(claimed < 300, "\(claimed) of 10,000 absent heads claimed")
    }

    /// A cold run builds each document's filter from its tokenised forms; a later batch rebuilds a
    /// missing one from the forms the cache holds. Both must set the same bits.
    @Test func aFilterFromTheTokenisedFormsEqualsOneFromTheCachedForms() throws {
        var vocabulary = Vocabulary(capacity: 4)
        for index in 0..<700 { _ = vocabulary.intern(index % 7 == 0 ? "café\(index)" : "w\(index)") }
        var writer = BinaryWriter()
        writer.write(vocabulary.forms)
        let cached = try #require(FormFilter(encodedForms: writer.bytes[...]))
        #expect(FormFilter(forms: vocabulary) == cached)
    }

    /// A batch with a transcript more takes every other document's filter from the stored index
    /// of the batch before, by its tokenize key, instead of reading its words: a filter altered in
    /// that index comes through as it is.
    @Test func aBatchWithATranscriptMoreTakesTheOthersFiltersFromThePreviousIndex() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let out = workspace.out.path
        let (index, key) = try #require(WordIndex.load(from: out))
        let (heads, headsKey) = try #require(HeadIndex.load(from: out))
        #expect(index.count == 11 && heads.count == 11 && headsKey == key)
        var filters = (0..<index.count).map { index.filter(of: $0, heads: heads) }
        let ones = { (count: Int) in [UInt8](repeating: 0xFF, count: count * 8) }
        filters[2] = ones(filters[2].words.count).withUnsafeBytes { forms in
            ones(filters[2].headWords.count).withUnsafeBytes { FormFilter(littleEndianWords: forms, heads: $0) }
        }
        let writer = try #require(WordIndex.Writer(in: out))
        for filter in filters { writer.add(filter) }
        writer.commit(stats: index.stats, keys: index.keys, key: key)

        let text = try String(contentsOf: workspace.corpus("interview-11.txt"), encoding: .utf8)
        try (text + "\nHelen Carter: One last question.\n").write(
            to: workspace.corpus("interview-12.txt"), atomically: true, encoding: .utf8)
        #expect(try workspace.run().stage("ingest")?.ran == ["interview-12"])
        let (after, afterKey) = try #require(WordIndex.load(from: out))
        let (afterHeads, afterHeadsKey) = try #require(HeadIndex.load(from: out))
        #expect(afterKey != key && after.count == 12 && afterHeadsKey == afterKey)
        for (document, position) in index.documentsByKey {
            let filter = after.filter(of: try #require(after.documentsByKey[document]), heads: afterHeads)
            #expect(filter == filters[position])
        }
    }

    /// A stored word index answers as the filters it was built from, read in place from its
    /// words' file, whether they reached the file at the end or a few documents at a time.
    @Test(arguments: [1 << 18, 1000])
    func aStoredWordIndexAnswersAsItsFilters(holding: Int) throws {
        let documents = (0..<40).map { document in (0..<(document * 37 % 500 + 1)).map { "w\(document)-\($0)" } }
        let filters = documents.map { forms in
            var vocabulary = Vocabulary(capacity: forms.count)
            for form in forms { _ = vocabulary.intern(form) }
            return FormFilter(forms: vocabulary)
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("index-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let writer = try #require(WordIndex.Writer(in: out, holding: holding))
        for filter in filters { writer.add(filter) }
        writer.commit(
            stats: documents.map { _ in PipelineRunner.DocumentStats() }, keys: documents.indices.map { "k\($0)" },
            key: "k")
        do {
            let (read, key) = try #require(WordIndex.load(from: out))
            let (heads, headsKey) = try #require(HeadIndex.load(from: out))
            #expect(key == "k" && headsKey == "k")
            for (document, forms) in documents.enumerated() {
                for var form in forms {
                    #expect(form.withUTF8 { read.mayContain(document: document, $0) })
                    #expect(
                        form.withUTF8 {
                            heads.mayStart(document: document, with: UnsafeBufferPointer(rebasing: $0[..<4]))
                        })
                }
                // Heads no form has: as the filter says.
                for var head in ["x\(document)-", "w\(document + 1)-"] {
                    let stored = head.withUTF8 { heads.mayStart(document: document, with: $0) }
                    #expect(stored == head.withUTF8 { filters[document].mayStart(with: $0) })
                }
                // Another document's words: as the filter says, which for most is no.
                let others = documents[(document + 1) % documents.count]
                let claimed = others.filter { form in
                    var form = form
                    return form.withUTF8 { read.mayContain(document: document, $0) }
                }
                let filterClaims = others.filter { form in
                    var form = form
                    return form.withUTF8 { filters[document].mayContain($0) }
                }
                #expect(claimed == filterClaims)
                #expect(claimed.count * 10 < max(others.count, 10))
                // Its filter taken out whole, for another batch's index, by its tokenize key.
                let position = try #require(read.documentsByKey["k\(document)"])
                #expect(read.filter(of: position, heads: heads) == filters[document])
            }
        }
    }

    /// The word index is a cache like the others: a damaged one, or one of another batch of
    /// transcripts, is rebuilt, and the edit it serves gives what a forced run gives.
    @Test func damagedOrStaleWordIndexesAreRebuiltNotTrusted() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        func outputs() throws -> [Data] { try ["suggestions.json", "report.html"].map(workspace.output) }
        /// The file's bytes, then one of them flipped in the file (its checksum's no longer holds).
        func damage(_ file: URL) throws -> (built: Data, damaged: Data) {
            let built = try Data(contentsOf: file)
            var damaged = built
            damaged[damaged.count - 9] ^= 0xFF
            try damaged.write(to: file)
            return (built, damaged)
        }
        let index = workspace.out.appendingPathComponent(".cache/words.bin")
        let built = try damage(index).built
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, zyzzyva,") }
        _ = try workspace.run()
        #expect(try Data(contentsOf: index) == built)
        let edited = try outputs()
        _ = try workspace.run(force: true)
        #expect(try outputs() == edited)
        // Its filters' words, in a file of their own, damaged: not trusted either.
        let words = workspace.out.appendingPathComponent(".cache/words-bits.bin")
        let wordsBuilt = try damage(words).built
        #expect(WordIndex.load(from: workspace.out.path) == nil)
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote, zyzzyva,", with: "keynote,") }
        _ = try workspace.run()
        #expect(try Data(contentsOf: words) == wordsBuilt)
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, zyzzyva,") }
        _ = try workspace.run()
        #expect(try outputs() == edited)

        try "Helen Carter: And AI?\nP1: Hype, of course.\n".write(
            to: workspace.corpus("interview-99.txt"), atomically: true, encoding: .utf8)
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote, zyzzyva,", with: "keynote,") }
        _ = try workspace.run()
        #expect(try Data(contentsOf: index) != built)
        let second = try outputs()
        _ = try workspace.run(force: true)
        #expect(try outputs() == second)

        // The heads' index, damaged, is not trusted by a wildcard edit, but removed, and built
        // again, as it is when missing (a cache from before there was one).
        #expect(HeadIndex.load(from: workspace.out.path) != nil)
        _ = try damage(workspace.out.appendingPathComponent(".cache/heads-bits.bin"))
        #expect(HeadIndex.load(from: workspace.out.path) == nil)
        let heads = workspace.out.appendingPathComponent(".cache/heads.bin")
        let (headsBuilt, damaged) = try damage(heads)
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, zyzz*,") }
        _ = try workspace.run()
        // Gone, or built again already (when read ahead before the run looked for it).
        #expect((try? Data(contentsOf: heads)) != damaged)
        let wildcard = try outputs()
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote, zyzz*,", with: "keynote,") }
        _ = try workspace.run()
        #expect(try Data(contentsOf: heads) == headsBuilt)
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, zyzz*,") }
        _ = try workspace.run()
        #expect(try outputs() == wildcard)
        _ = try workspace.run(force: true)
        #expect(try outputs() == wildcard)
    }

    /// The report shows a code's first three suggestions not rejected, in document order,
    /// whether their documents were matched again or copied from the previous file: here the
    /// first document holds four of `Hype and misinformation`, and an edit found nowhere copies every document.
    @Test func copiedDocumentsGiveTheReportTheExamplesAForcedRunGives() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try """
        Helen Carter: And AI?
        P1: Hype, of course.
        Helen Carter: Really?
        P1: Pure hype.
        Helen Carter: And then?
        P1: More hype again.
        Helen Carter: Anything else?
        P1: The hype never ends.

        """.write(to: workspace.corpus("interview-00.txt"), atomically: true, encoding: .utf8)
        _ = try workspace.run()
        try workspace.editLexicon { $0.replacingOccurrences(of: "keynote,", with: "keynote, zyzzyva,") }
        let report = try workspace.run()
        #expect(report.stages.first { $0.name == "suggest" }?.ran == [])
        let edited = try ["suggestions.json", "report.html"].map(workspace.output)
        let html = String(decoding: edited[1], as: UTF8.self)
        let hype = try #require(html.range(of: "<h3>Hype and misinformation</h3>"))
        let passages = html[hype.upperBound...].prefix { $0 != "\n" }
        #expect(passages.components(separatedBy: "interview-00</span>").count - 1 == 3)
        _ = try workspace.run(force: true)
        #expect(try ["suggestions.json", "report.html"].map(workspace.output) == edited)
    }

    @Test func decisionsSurviveLexiconEditsAttachedOrOrphanedNeverLost() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let configuration = try PipelineReader.read(workspace.pipeline)
        let decider = Decider(configuration: configuration)
        let suggestions = try decider.currentSuggestions().file.suggestions
        let hype = try #require(suggestions.first { $0.code == "Hype and misinformation" })
        let pathway = try #require(suggestions.first { $0.code == "No structured pathway" })
        let serendipity = try #require(suggestions.first { $0.code == "Serendipity" })
        try decider.decide(
            coder: "alice",
            [
                .accept(hype.id), .reject(pathway.id), .recode(serendipity.id, code: "Job satisfaction"),
                .note(hype.id, text: "clear case"),
            ])
        let logPath = decider.decisionsPath(coder: "alice")
        let logBefore = try Data(contentsOf: URL(fileURLWithPath: logPath))

        let merged = try workspace.run()
        #expect(merged.suggestions?.byStatus["accepted"] == 1)
        #expect(merged.suggestions?.byStatus["rejected"] == 1)
        #expect(merged.suggestions?.byStatus["recoded"] == 1)

        // Remove the pathway code's patterns: its suggestion goes, the decision stays, orphaned.
        try workspace.editLexicon {
            $0.replacingOccurrences(
                of:
                    #"patterns: ["no structured pathway", "no pathway", "no ~2 pathway", "no established route", "fellowships are few"]"#,
                with: #"patterns: ["no established route"]"#)
        }
        let edited = try workspace.run()
        let orphans = edited.suggestions?.orphaned ?? []
        #expect(orphans.map(\.suggestionID) == [pathway.id])
        #expect(orphans.first?.evidence == pathway.evidence.map(\.text))
        #expect(orphans.first?.status == .rejected)
        #expect(edited.suggestions?.byStatus["accepted"] == 1)
        #expect(edited.suggestions?.byStatus["recoded"] == 1)
        let change = edited.suggestions?.perCode.first { $0.code == "No structured pathway" }
        #expect((change?.removed ?? 0) >= 1)
        // The pipeline never writes decisions.
        #expect(try Data(contentsOf: URL(fileURLWithPath: logPath)) == logBefore)
        let file = try JSONDecoder().decode(Outputs.SuggestionsFile.self, from: workspace.output("suggestions.json"))
        #expect(file.orphanedDecisions.map(\.suggestionID) == [pathway.id])
        #expect(file.suggestions.first { $0.id == hype.id }?.decisions.first?.note == "clear case")
        // The file is written as its suggestions come, after room guessed for what precedes them
        // (the orphaned decisions, known last): guessed wrong above (none before), right after
        // another edit that keeps the orphan; JSONEncoder's bytes, laid out, either way.
        #expect(try workspace.output("suggestions.json") == (try laidOut(file)))
        try workspace.editLexicon {
            $0.replacingOccurrences(
                of: #""no established route"]"#, with: #""no established route", "no route at all"]"#)
        }
        let again = try workspace.run()
        #expect(again.suggestions?.orphaned.map(\.suggestionID) == [pathway.id])
        let kept = try JSONDecoder().decode(Outputs.SuggestionsFile.self, from: workspace.output("suggestions.json"))
        #expect(kept.lexicon.hash != file.lexicon.hash && kept.orphanedDecisions == file.orphanedDecisions)
        #expect(try workspace.output("suggestions.json") == (try laidOut(kept)))
    }

    /// A coder's log that cannot be read or decoded is named in the report and left as it is;
    /// the other coders' decisions are merged. Every file of the folder keys suggestions.json,
    /// read once with the logs: a file changed there rewrites it, a run with nothing changed
    /// does not.
    @Test func aDecisionsLogThatCannotBeReadIsNamedAndTheOthersAreMerged() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let configuration = try PipelineReader.read(workspace.pipeline)
        let decider = Decider(configuration: configuration)
        let target = try #require(try decider.currentSuggestions().file.suggestions.first)
        try decider.decide(coder: "alice", [.accept(target.id)])
        let folder = configuration.decisionsFolder
        try Data("not a log".utf8).write(to: URL(fileURLWithPath: folder + "/bob.json"))
        try FileManager.default.createDirectory(atPath: folder + "/carol.json", withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: folder + "/.dave.json"))
        try Data("a coder's notes".utf8).write(to: URL(fileURLWithPath: folder + "/notes.txt"))
        let report = try workspace.run()
        #expect(report.warnings.contains { $0.hasPrefix("decisions of bob.json not merged") }, "\(report.warnings)")
        #expect(
            report.warnings.contains {
                $0.hasPrefix("decisions of carol.json not merged") && $0.contains("cannot read")
            },
            "\(report.warnings)")
        #expect(!report.warnings.contains { $0.contains("dave") || $0.contains("notes") })
        #expect(report.suggestions?.byStatus["accepted"] == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/bob.json")) == Data("not a log".utf8))
        #expect(try workspace.run().outputs.contains("suggestions.json") == false)
        try Data("a coder's notes, more".utf8).write(to: URL(fileURLWithPath: folder + "/notes.txt"))
        #expect(try workspace.run().outputs.contains("suggestions.json"))
    }

    /// A decisions folder that is there but cannot be listed (another coder's, kept private;
    /// here a file in its place) is named: the run warns that no decisions were merged, and
    /// deciding, reviewing and agreement refuse to go on. Read as no decisions, every coder's
    /// work seemed undone. Once it can be listed, the decisions are merged again.
    @Test func aDecisionsFolderThatCannotBeListedIsNamedNotTakenForNoDecisions() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.runAndAcceptTheFirstSuggestion()
        let configuration = try PipelineReader.read(workspace.pipeline)
        let decider = Decider(configuration: configuration)
        let folder = configuration.decisionsFolder
        try FileManager.default.moveItem(atPath: folder, toPath: folder + "-kept")
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: folder))
        let report = try workspace.run()
        #expect(
            report.warnings.contains {
                $0.hasPrefix("no decisions merged") && $0.hasSuffix("this is a file, not a folder")
            }, "\(report.warnings)")
        #expect(report.suggestions?.byStatus["accepted"] == nil)
        #expect(try workspace.run().warnings.contains { $0.hasPrefix("no decisions merged") }, "said again")
        do {
            _ = try decider.coderStates()
            Issue.record("the coders' states were read from a folder that cannot be listed")
        } catch {
            #expect(error.message == "cannot list the decisions folder: this is a file, not a folder")
        }
        try FileManager.default.removeItem(atPath: folder)
        try FileManager.default.moveItem(atPath: folder + "-kept", toPath: folder)
        #expect(try workspace.run().suggestions?.byStatus["accepted"] == 1)
        #expect(try decider.coderStates().map(\.coder) == ["alice"])
    }

    @Test func decideChecksIdsCodesAndRangesBeforeWriting() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let suggestion = try #require(try decider.currentSuggestions().file.suggestions.first)
        #expect(throws: PipelineError.self) {
            try decider.decide(coder: "bob", [.accept("missing"), .accept(suggestion.id)])
        }
        #expect(throws: PipelineError.self) {
            try decider.decide(coder: "bob", [.recode(suggestion.id, code: "No such code")])
        }
        // A near spelling is named, and where a new code goes.
        #expect {
            try decider.decide(coder: "bob", [.recode(suggestion.id, code: "serendipty")])
        } throws: { error in
            let message = (error as? PipelineError)?.message ?? ""
            return message.contains("no code \"serendipty\" in the lexicon (")
                && message.contains(
                    "lexicon.yaml): did you mean \"Serendipity\"? a new code is added to the lexicon")
        }
        // One problem of several actions said once, with how many; each other problem as well.
        #expect {
            try decider.decide(
                coder: "bob",
                [.recode(suggestion.id, code: "No such code"), .accept("missing"), .reject("missing too")]
                    + ["one", "two"].map { _ in
                        .manual(document: "x", range: ScalarRange(start: 0, end: 1), code: "Nope")
                    })
        } throws: { error in
            let message = (error as? PipelineError)?.message ?? ""
            return message.components(separatedBy: "no code \"Nope\"").count == 2
                && message.contains("(it may have no patterns) (2 actions)")
                && message.contains("no suggestion \"missing\"; no suggestion \"missing too\"")
                && message.hasSuffix("; nothing was written")
        }
        #expect(throws: PipelineError.self) { try decider.decide(coder: "../evil", [.accept(suggestion.id)]) }
        // Two decisions on one suggestion at once (by its id and a prefix), and a recode to the
        // suggested code itself: both were recorded, the last one kept.
        #expect {
            try decider.decide(coder: "bob", [.accept(suggestion.id), .reject(String(suggestion.id.prefix(8)))])
        } throws: { error in
            ((error as? PipelineError)?.message ?? "").contains(
                "\"\(suggestion.id.prefix(8))\" is decided twice at once")
        }
        #expect {
            try decider.decide(coder: "bob", [.recode(suggestion.id, code: suggestion.code)])
        } throws: { error in
            ((error as? PipelineError)?.message ?? "").contains("recoding it to its own code is accepting it")
        }
        #expect(!FileManager.default.fileExists(atPath: decider.decisionsPath(coder: "bob")))
        // A short unique prefix works; a manual coding takes its text from the document.
        let corpus = try JSONDecoder().decode(Outputs.CorpusFile.self, from: workspace.output("corpus.json"))
        let turn = try #require(corpus.documents[0].segments.first { $0.role == .participant })
        let log = try decider.decide(
            coder: "bob",
            [
                .accept(String(suggestion.id.prefix(8))),
                .manual(
                    document: corpus.documents[0].id,
                    range: ScalarRange(start: turn.range.start, end: turn.range.start + 8),
                    code: "Serendipity"),
            ])
        #expect(log.events.count == 2)
        #expect(log.events[1].manual?.text == String(turn.text.prefix(8)))
        #expect(log.events[1].manual?.segmentIndex == turn.index)
        let report = try workspace.run()
        #expect(report.suggestions?.coders == ["bob"])
        let file = try JSONDecoder().decode(Outputs.SuggestionsFile.self, from: workspace.output("suggestions.json"))
        #expect(file.manualCodings.map(\.coding.code) == ["Serendipity"])
    }

    /// Before the first run, deciding, listing and exporting say to run the pipeline; without a
    /// suggest stage, that there is none. Both said "cannot read suggestions.json …; run the
    /// pipeline again", which running again did not mend without a suggest stage.
    @Test func decisionsBeforeARunOrWithoutASuggestStageSayWhy() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        func message(_ body: () throws -> Void) -> String {
            do {
                try body()
                return ""
            } catch {
                return (error as? PipelineError)?.message ?? "\(error)"
            }
        }
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        #expect(
            message { _ = try decider.forEachMergedDocument { _ in } }
                == "no suggestions yet; run the pipeline first (tmine run)")
        #expect(message { try decider.decide(coder: "ann", [.accept("abcdef")]) }.hasPrefix("no suggestions yet"))
        let text = try String(contentsOfFile: workspace.pipeline, encoding: .utf8)
        try text.replacingOccurrences(of: "  - suggest:\n      lexicon: lexicon.yaml\n", with: "")
            .write(toFile: workspace.pipeline, atomically: true, encoding: .utf8)
        let configuration = try PipelineReader.read(workspace.pipeline)
        #expect(configuration.suggest == nil)
        _ = try workspace.run()
        let without = Decider(configuration: configuration)
        for said in [
            message { _ = try without.forEachMergedDocument { _ in } },
            message { try without.decide(coder: "ann", [.accept("abcdef")]) },
            message { _ = try Exporter(configuration: configuration).csv() },
        ] {
            #expect(said.hasPrefix("the pipeline has no suggest stage"), "\(said)")
        }
    }

    /// A manual coding is made once (the same text and code again is refused, in one batch or
    /// later), is withdrawn by its id or a unique prefix (an unknown one is refused, naming it),
    /// and belongs to the one turn it overlaps even when the selection takes in the speaker's
    /// label; `tmine decide --list` names it, a recoded suggestion's chosen code and the coder's note.
    @Test func aManualCodingIsMadeOnceWithdrawnByItsIdAndTiedToItsTurn() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let corpus = try JSONDecoder().decode(Outputs.CorpusFile.self, from: workspace.output("corpus.json"))
        let document = corpus.documents[0]
        let turn = try #require(document.segments.first { $0.role == .participant && $0.range.start > 4 })
        // From inside the label before the turn to the turn's fifth character.
        let range = ScalarRange(start: turn.range.start - 4, end: turn.range.start + 5)
        let coding = Decider.Action.manual(document: document.id, range: range, code: "Serendipity")
        #expect {
            try decider.decide(coder: "bob", [coding, coding])
        } throws: { error in
            ((error as? PipelineError)?.message ?? "").contains("is coded Serendipity by bob already")
        }
        let made = try decider.decide(coder: "bob", [coding])
        let manual = try #require(made.events.last?.manual)
        #expect(manual.segmentIndex == turn.index)
        #expect(throws: PipelineError.self) { try decider.decide(coder: "bob", [coding]) }
        #expect {
            try decider.decide(coder: "bob", [.removeManual("abcdef")])
        } throws: { error in
            ((error as? PipelineError)?.message ?? "").contains("no manual coding \"abcdef\" of bob")
        }
        let suggestion = try #require(try decider.currentSuggestions().file.suggestions.first)
        try decider.decide(
            coder: "bob", [.recode(suggestion.id, code: "Education"), .note(suggestion.id, text: "tone,\nnot topic")])
        let (status, listing) = try runProcess(
            try tmineExecutable().path, ["decide", workspace.pipeline, "--coder", "bob", "--list"])
        #expect(status == 0, "\(listing)")
        #expect(listing.contains("\(suggestion.id)\trecoded\t\(suggestion.code) → Education\t"))
        #expect(listing.contains("\tnote: tone, not topic\n"), "\(listing)")
        #expect(listing.contains("\(manual.id)\tmanual\tSerendipity\t\(document.id):\(range.start)-\(range.end)\t"))
        // Listing and deciding at once is a usage error of `decide`, told with its own help.
        let (refused, told) = try runProcess(
            try tmineExecutable().path, ["decide", workspace.pipeline, "--coder", "bob", "--list", "--accept", "x"])
        #expect(refused == 2 && told.contains("See 'tmine decide --help'") && !told.contains("<subcommand>"), "\(told)")
        let removed = try decider.decide(coder: "bob", [.removeManual(String(manual.id.prefix(6)))])
        #expect(removed.events.last?.manualID == manual.id)
        #expect(try decider.coderStates().first { $0.coder == "bob" }?.manual.isEmpty == true)
        // Withdrawn, it may be made again.
        try decider.decide(coder: "bob", [coding])
    }

    /// `tmine decide` finds suggestions without decoding the whole suggestions.json: every
    /// suggestion by its id, and every prefix's suggestions (6 characters, 2, none), as the
    /// decoded file has them, with participants' attributes named `id` or holding `],"id":"`.
    @Test func decideFindsSuggestionsAsTheDecodedFileHasThem() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        // Every participant's `id` attribute is a suggestion's id (ids do not depend on attributes).
        let taken = try #require(try decider.currentSuggestions().file.suggestions.first?.id)
        let path = workspace.corpus("participants.csv").path
        let rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let extended =
            [rows[0] + ",id,quote"] + rows.dropFirst().map { $0 + ",\(taken),\"x\"\"],\"\"id\"\":\"\"deadbeef\"" }
        try (extended.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        _ = try workspace.run()
        let file = try decider.currentSuggestions().file
        #expect(file.suggestions.first?.id == taken && file.suggestions.first?.attributes["id"] == taken)
        #expect(file.suggestions.count > 50)
        #expect(file.suggestions.contains { $0.attributes["quote"] == "x\"],\"id\":\"deadbeef" })
        let ids = file.suggestions.map(\.id)
        let prefixes =
            Array(Set(ids.map { String($0.prefix(6)) })) + ["deadbe", "0000000000000000", "", String(taken.prefix(2))]
        let (lexicon, found) = try decider.lookUp(ids + prefixes)
        #expect(lexicon.codes.map(\.name) == file.lexicon.codes.map(\.name))
        #expect(Decider.lookUp(ids + prefixes, in: file).found == found)
        // By the suggestions' positions, as the review server looks its whole ids up; a prefix
        // among them, by the scan.
        let positions = SuggestionIDTable(ids)
        #expect(Decider.lookUp(ids, in: file, positions: positions).found == Decider.lookUp(ids, in: file).found)
        #expect(Decider.lookUp(ids + prefixes, in: file, positions: positions).found == found)
        for suggestion in file.suggestions {
            #expect(found[suggestion.id] == [suggestion])
        }
        for prefix in prefixes {
            #expect((found[prefix] ?? []) == file.suggestions.filter { $0.id.hasPrefix(prefix) }, "\(prefix)")
        }
        // Read a chunk at a time: the head, the lines and the ids cut anywhere give the same.
        for chunk in [7, 97, 4_096] {
            let (chunkedLexicon, chunked) = try decider.lookUp(ids + prefixes, chunk: chunk)
            #expect(chunked == found, "chunk \(chunk)")
            #expect(chunkedLexicon.codes.map(\.name) == lexicon.codes.map(\.name))
        }
        #expect(try decider.lookUp([], chunk: 97).found.isEmpty)
    }

    /// Deciding before any run, or on a suggestions.json that tmine did not lay out, names the
    /// file and writes nothing.
    @Test func decideNamesTheSuggestionsFileItCannotUse() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let missing = try #require(throws: PipelineError.self) { try decider.decide(coder: "alice", [.accept("abc")]) }
        #expect(missing.message.contains("no suggestions yet") && missing.file.hasSuffix("suggestions.json"))
        _ = try workspace.run()
        let id = try #require(try decider.currentSuggestions().file.suggestions.first?.id)
        let path = decider.suggestionsPath
        let compact = try JSONSerialization.data(
            withJSONObject: try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))))
        try compact.write(to: URL(fileURLWithPath: path))
        let other = try #require(throws: PipelineError.self) {
            try decider.decide(coder: "alice", [.accept(id)])
        }
        #expect(other.message.contains("not a file tmine wrote") && other.file == path, "\(other)")
        #expect(!FileManager.default.fileExists(atPath: decider.decisionsPath(coder: "alice")))
    }

    /// Coders' states kept between requests are those read afresh, whoever appended to a log
    /// in between (another tab, `tmine decide`), and a coder whose log is gone is gone.
    @Test func cachedCoderStatesFollowEveryChangeToTheLogs() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let ids = try decider.currentSuggestions().file.suggestions.map(\.id)
        let cache = CoderStateCache()
        func same() throws -> Bool {
            let (cached, fresh) = (try decider.coderStates(cache: cache), try decider.coderStates())
            return cached.map(\.coder) == fresh.map(\.coder)
                && zip(cached, fresh).allSatisfy { $0.order == $1.order && $0.entries == $1.entries }
        }
        #expect(try decider.coderStates(cache: cache).isEmpty)
        try decider.decide(coder: "alice", [.accept(ids[0])])
        #expect(try same())
        try decider.decide(coder: "bob", [.reject(ids[0]), .accept(ids[1])])
        try decider.decide(coder: "alice", [.recode(ids[0], code: "Education")])
        #expect(try same())
        #expect(try decider.coderStates(cache: cache).first?.status(of: ids[0]) == .recoded)
        try decider.decide(coder: "alice", [.undo(ids[0])])
        #expect(try decider.coderStates(cache: cache).first?.status(of: ids[0]) == .accepted)
        // A decision made through the cache leaves it the state it wrote.
        try decider.decide(coder: "alice", [.reject(ids[2]), .note(ids[1], text: "see")], cache: cache)
        #expect(try same())
        #expect(try decider.coderStates(cache: cache).first?.entries[ids[1]]?.note == "see")
        // Another writer between two decisions through the cache: its event is kept, not the log
        // the cache wrote last.
        try decider.decide(coder: "alice", [.note(ids[2], text: "elsewhere")])
        try decider.decide(coder: "alice", [.accept(ids[2])], cache: cache)
        let log = try DecisionStore.read(decider.decisionsPath(coder: "alice"), coder: "alice")
        #expect(log.events.suffix(2).map(\.action) == [.note, .accept])
        #expect(log.events.map(\.sequence) == Array(1...log.events.count))
        #expect(log.events.last?.previousStatus == .rejected)
        #expect(try same())
        try FileManager.default.removeItem(atPath: decider.decisionsPath(coder: "alice"))
        #expect(try decider.coderStates(cache: cache).map(\.coder) == ["bob"])
    }

    @Test func theSampleLexiconIsValidAndItsExamplesPass() throws {
        let path = Workspace.repository.appendingPathComponent("Pipelines/lexicons/ai-doctors.yaml").path
        let lexicon = try LexiconReader.read(path)
        #expect(lexicon.codes.filter { $0.parent == nil }.count == 3)
        #expect(lexicon.codes.count >= 28)
        #expect(lexicon.codes.filter { $0.parent != nil }.allSatisfy { !$0.patterns.isEmpty })
        #expect(LexiconExamples.failures(of: lexicon).isEmpty)
    }
}

@Suite struct LexiconFormatTests {
    func temporary(_ name: String, _ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID())-\(name)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func suggestionIDsAreKeptAsTheirHexValueAndOtherTextAsAHash() {
        #expect(SuggestionIndex.key("00000000000000ff") == 255)
        #expect(SuggestionIndex.key("ffffffffffffffff") == UInt64.max)
        // Not 16 lower-case hex digits: hashed, and different texts stay apart.
        let others = ["00000000000000FF", "0000000000000ff", "hand-written id", "00000000000000fg"]
        #expect(Set(others.map(SuggestionIndex.key)).count == others.count)
        #expect(!others.map(SuggestionIndex.key).contains(255))
        var index = SuggestionIndex()
        index.append(id: "00000000000000aa", code: "Hype")
        index.append(id: "00000000000000bb", code: "Time")
        index.append(id: "00000000000000cc", code: "Hype")
        #expect(index.byCode == ["Hype": [0xaa, 0xcc], "Time": [0xbb]])
    }

    /// Each code's keys come out sorted and each once, as a comparison sort gives them: random
    /// keys, repeated keys, keys sharing their high bytes (a byte every key shares is skipped),
    /// the extremes, and sizes on either side of where the radix sort takes over.
    @Test func eachCodesKeysAreSortedOnce() {
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 2, 63, 64, 65, 100, 1_000, 5_000] {
            let random = (0..<count).map { _ in UInt64.random(in: .min ... .max, using: &generator) }
            let repeated = random.map { $0 % 37 } + random.prefix(count / 2)
            let shared = random.map { 0xABCD_0000_0000_0000 | $0 >> 20 } + [.min, .max]
            for keys in [random, repeated, shared] {
                #expect(SuggestionIndex.sortedUnique(keys) == Array(Set(keys)).sorted(), "\(count)")
            }
        }
    }

    @Test func previousSuggestionIDsAreScannedFromTheFileAsDecodingReadsThem() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        // A note that looks like the file's own lines and fields (it is escaped inside its string).
        try workspace.runWithDecisionsOnTheFirstSuggestion(
            note: "    }\n  ]\n    {\"code\":\"Hype\",\"id\":\"00000000000000aa\"},\n")
        let file = workspace.out.appendingPathComponent("suggestions.json").path
        let decoded = try JSONDecoder().decode(
            Outputs.SuggestionsFile.self, from: try workspace.output("suggestions.json"))
        #expect(decoded.suggestions.count > 10)
        var expected = SuggestionIndex()
        for suggestion in decoded.suggestions { expected.append(id: suggestion.id, code: suggestion.code) }
        let scanned = try #require(SuggestionIndex.scan(file))
        #expect(scanned.keys == expected.keys && scanned.byCode == expected.byCode)
        // Laid out otherwise (compact, say): not scanned, decoded instead.
        let compact = workspace.root.appendingPathComponent("compact.json")
        try JSONEncoder().encode(decoded).write(to: compact)
        #expect(SuggestionIndex.scan(compact.path) == nil)
    }

    @Test func liwcDictionariesBecomeCodes() throws {
        let path = try temporary(
            "tiny.dic",
            "%\n1\tposemo\n2\tnegemo\n3\twork\n%\nhappy\t1\nhope*\t1\nworr*\t2\njob\t3\nwork*\t3\t1\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lexicon = try LexiconReader.read(path)
        #expect(lexicon.codes.map(\.name) == ["posemo", "negemo", "work"])
        #expect(lexicon.code(named: "posemo")?.patterns.map(\.text) == ["happy", "hope*", "work*"])
        #expect(lexicon.code(named: "work")?.patterns.map(\.text) == ["job", "work*"])
    }

    /// LIWC dictionaries are often saved on Windows: CRLF line ends read as any other.
    @Test func liwcDictionariesWithWindowsLineEndsBecomeTheSameCodes() throws {
        let text = "%\n1\tposemo\n2\tnegemo\n%\nhappy\t1\nworr*\t2\n"
        let unix = try temporary("unix.dic", text)
        let windows = try temporary("windows.dic", text.replacingOccurrences(of: "\n", with: "\r\n"))
        defer {
            try? FileManager.default.removeItem(atPath: unix)
            try? FileManager.default.removeItem(atPath: windows)
        }
        let read = try LexiconReader.read(windows)
        #expect(read.codes.map(\.name) == ["posemo", "negemo"])
        #expect(read.codes == (try LexiconReader.read(unix)).codes)
    }

    /// Dictionaries saved with spaces, or with a tab and then spaces, between the numbers, and
    /// numbered "01" in one place and "1" in another, read as LIWC reads them ("love* 1 2" was
    /// a category "1 2" that is not defined); a phrase keeps its words.
    @Test func liwcEntriesWithSpacesAndZeroPaddedNumbersBecomeTheSameCodes() throws {
        let tabs = try temporary("tabs.dic", "%\n1\tposemo\n2\tnegemo\n%\nhappy\t1\nlove*\t1\t2\nkind of\t2\n")
        let spaces = try temporary("spaces.dic", "%\n01 posemo\n02 negemo\n%\nhappy 1\nlove*\t1 2\nkind of  02\n")
        defer {
            try? FileManager.default.removeItem(atPath: tabs)
            try? FileManager.default.removeItem(atPath: spaces)
        }
        let read = try LexiconReader.read(spaces)
        #expect(read.code(named: "negemo")?.patterns.map(\.text) == ["love*", "kind of"])
        #expect(read.codes.map(\.name) == (try LexiconReader.read(tabs)).codes.map(\.name))
        #expect(
            read.codes.map { $0.patterns.map(\.text) }
                == (try LexiconReader.read(tabs)).codes.map { $0.patterns.map(\.text) })
        // Converted onto a file that exists: refused, with the nested command's own help named.
        let (status, output) = try runProcess(try tmineExecutable().path, ["lexicon", "convert", spaces, tabs])
        #expect(status == 2 && output.contains("See 'tmine lexicon convert --help'"), "\(output)")
    }

    @Test func liwcErrorsNameTheLine() throws {
        let path = try temporary("bad.dic", "%\n1\tposemo\n%\nhappy\t1\nsad\t7\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try LexiconReader.read(path)
        } throws: { error in
            let errors = (error as? PipelineErrors)?.errors ?? []
            return errors.count == 1 && errors[0].line == 5 && errors[0].message.contains("category 7")
        }
    }

    @Test func quantedaDictionariesKeepTheirHierarchy() throws {
        let path = try temporary(
            "dict.yml",
            "economy:\n  - tax*\n  - economic\nsocial:\n  family:\n    - family\n  friends: [friend*, mate]\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lexicon = try LexiconReader.read(path)
        #expect(lexicon.codes.map(\.name) == ["economy", "social", "family", "friends"])
        #expect(lexicon.code(named: "friends")?.parent == "social")
        #expect(lexicon.code(named: "friends")?.patterns.map(\.text) == ["friend*", "mate"])
    }

    @Test func lexiconErrorsNameFileLineAndEntry() throws {
        let path = try temporary(
            "bad.yaml",
            """
            codes:
              - name: A
                parent: Nowhere
                patterns: [ok]
              - name: B
                patterns: ["*"]
              - name: A
                patternz: [x]
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try LexiconReader.read(path)
        } throws: { error in
            let errors = (error as? PipelineErrors)?.errors ?? []
            let text = errors.map(\.description).joined(separator: "\n")
            // The codes' own problems too, in one reading with the patterns' (they came only
            // once every pattern was mended), in the file's order.
            return text.contains(":6:") && text.contains("matches everything")
                && text.contains("unknown key \"patternz\"") && text.contains("did you mean \"patterns\"")
                && text.contains("bad.yaml:2: error: A: parent \"Nowhere\" is not a code")
                && text.contains("bad.yaml:7: error: A: the code is defined twice (first on line 2)")
                && errors.compactMap(\.line) == errors.compactMap(\.line).sorted()
        }
    }

    @Test func lexiconsRoundTripThroughYAML() throws {
        let path = Workspace.repository.appendingPathComponent("Pipelines/lexicons/ai-doctors.yaml").path
        let lexicon = try LexiconReader.read(path)
        let written = try temporary("roundtrip.yaml", try LexiconWriter.yaml(lexicon))
        defer { try? FileManager.default.removeItem(atPath: written) }
        let reread = try LexiconReader.read(written)
        func strip(_ codes: [Code]) -> [Code] {
            codes.map { code in
                var copy = code
                copy.line = nil
                copy.patterns = copy.patterns.map { PatternEntry($0.text, negation: $0.negation, weight: $0.weight) }
                copy.exclusions = copy.exclusions.map {
                    PatternEntry($0.text, negation: $0.negation, weight: $0.weight)
                }
                return copy
            }
        }
        #expect(strip(reread.codes) == strip(lexicon.codes))
    }
}
