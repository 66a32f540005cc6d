import Coding
import Corpus
import Foundation
import Testing
import TextAnalysis

@testable import Pipeline

/// `tmine lexicon words`: the words that mark a code's turns against the other turns, checked
/// against counts made here turn by turn, each turn tokenised alone.
struct CodeWordsTests {
    /// Each word's count in `coded` turns and in the other turns of `roles`, stopwords left out,
    /// and both sides' words; plus the words of the evidence of `evidence` (their turns' tokens).
    func reference(
        _ workspace: Workspace, coded: Set<String>, evidence: [Suggestion] = [],
        participants accepted: (String?) -> Bool = { _ in true }
    ) throws -> (counts: [String: (Int, Int)], words: Int, otherWords: Int, matched: Set<String>) {
        let configuration = try PipelineReader.read(workspace.pipeline)
        let stopwords = try configuration.tokenize.stopwordList()
        let tokenizer = Tokenizer(options: configuration.tokenize.options)
        let corpus = try JSONDecoder().decode(Outputs.CorpusFile.self, from: workspace.output("corpus.json"))
        var counts: [String: (Int, Int)] = [:]
        var (words, otherWords) = (0, 0)
        var matched: Set<String> = []
        for document in corpus.documents {
            for segment in document.segments {
                let isCoded = coded.contains("\(document.id)#\(segment.index)")
                guard isCoded || configuration.analysedRoles.contains(segment.role), accepted(segment.participantID)
                else { continue }
                var forms = Vocabulary()
                var surfaces = Vocabulary()
                let tokens = tokenizer.tokenize(segment.text, forms: &forms, surfaces: &surfaces)
                if isCoded { words += tokens.count } else { otherWords += tokens.count }
                for suggestion in evidence
                where suggestion.documentID == document.id && suggestion.segmentIndex == segment.index {
                    for span in suggestion.evidence {
                        matched.formUnion(tokens[span.tokenStart..<span.tokenEnd].map { forms[$0.form] })
                    }
                }
                for token in tokens where !stopwords.words.contains(forms[token.form]) {
                    let form = forms[token.form]
                    let (inCode, other) = counts[form] ?? (0, 0)
                    counts[form] = isCoded ? (inCode + 1, other) : (inCode, other + 1)
                }
            }
        }
        return (counts, words, otherWords, matched.subtracting(stopwords.words))
    }

    /// The code suggested most, and its suggestions.
    func mostSuggested(_ decider: Decider) throws -> (code: String, suggestions: [Suggestion]) {
        let suggestions = try decider.currentSuggestions().file.suggestions
        let byCode = Dictionary(grouping: suggestions, by: \.code)
        let code = try #require(byCode.max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }?.key)
        return (code, byCode[code] ?? [])
    }

    /// From the suggestions not rejected: the code's turns' words against the participants'
    /// other turns, every word said in them more often than elsewhere, with its counts, rates
    /// and G²; the words its patterns matched marked, the rest not.
    @Test func theWordsOfACodesSuggestionsAreCountedAgainstTheOtherTurns() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let (code, suggestions) = try mostSuggested(decider)
        try decider.decide(coder: "alice", [.reject(suggestions[0].id)])
        let kept = suggestions.dropFirst().filter { kept in
            !(kept.documentID == suggestions[0].documentID && kept.segmentIndex == suggestions[0].segmentIndex)
        }
        let coded = Set(kept.map { "\($0.documentID)#\($0.segmentIndex)" })
        let words = try decider.codeWords(code: code, basis: .suggestions, minimumCount: 1)
        let expected = try reference(workspace, coded: coded, evidence: Array(kept))
        #expect(words.turns == coded.count)
        #expect(words.words == expected.words)
        #expect(words.otherWords == expected.otherWords)
        #expect(words.otherRoles == ["participant"])
        let rows = expected.counts.filter { $0.value.0 >= 1 }.compactMap { word, counts -> String? in
            LogLikelihood(a: counts.0, b: counts.1, c: expected.words, d: expected.otherWords).logRatio > 0
                ? "\(word) \(counts.0) \(counts.1)" : nil
        }
        #expect(Set(words.rows.map { "\($0.word) \($0.count) \($0.otherCount)" }) == Set(rows))
        #expect(words.rows.count == rows.count)
        for row in words.rows {
            let statistic = LogLikelihood(a: row.count, b: row.otherCount, c: words.words, d: words.otherWords)
            #expect(row.logLikelihood == statistic.g2 && row.logRatio == statistic.logRatio)
            #expect(row.rate == FrequencyTable.rate(row.count, of: words.words))
        }
        #expect(words.rows.map(\.logLikelihood) == words.rows.map(\.logLikelihood).sorted(by: >))
        #expect(Set(words.rows.filter(\.inPatterns).map(\.word)) == expected.matched)
        #expect(words.rows.contains { !$0.inPatterns })
        // A minimum count leaves the rarer words out, the others as they were.
        let common = try decider.codeWords(code: code, basis: .suggestions, minimumCount: 3)
        #expect(common.rows == words.rows.filter { $0.count >= 3 })
    }

    /// From the codings: a suggestion accepted, and a coding by hand across two turns, which
    /// counts in each turn it overlaps; one coder's alone; no coding yet is said so.
    @Test func theCodingsOfACodeAreItsTurnsCodingsByHandInEachTurnTheyOverlap() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let (code, suggestions) = try mostSuggested(decider)
        #expect(try decider.codeWords(code: code, basis: .codings).text().contains("No turn carries"))
        let accepted = suggestions[0]
        let corpus = try JSONDecoder().decode(Outputs.CorpusFile.self, from: workspace.output("corpus.json"))
        let document = try #require(
            corpus.documents.first { $0.id != accepted.documentID && $0.segments.count > 3 })
        let (turn, next) = (document.segments[1], document.segments[2])
        try decider.decide(coder: "alice", [.accept(accepted.id)])
        try decider.decide(
            coder: "bob",
            [
                .manual(
                    document: document.id, range: ScalarRange(start: turn.range.end - 3, end: next.range.start + 3),
                    code: code)
            ])
        let both = try decider.codeWords(code: code, basis: .codings, minimumCount: 1)
        #expect(both.coders == ["alice", "bob"])
        #expect(both.turns == 3)
        let coded: Set<String> = [
            "\(accepted.documentID)#\(accepted.segmentIndex)", "\(document.id)#\(turn.index)",
            "\(document.id)#\(next.index)",
        ]
        let expected = try reference(workspace, coded: coded)
        #expect(both.words == expected.words)
        #expect(both.otherWords == expected.otherWords)
        let alice = try decider.codeWords(code: code, basis: .codings, coder: "alice", minimumCount: 1)
        #expect(alice.coders == ["alice"])
        #expect(alice.turns == 1)
        let acceptedTurn = "\(accepted.documentID)#\(accepted.segmentIndex)"
        #expect(alice.words == (try reference(workspace, coded: [acceptedTurn])).words)
    }

    /// A code matched on stems marks the words its stems match (`train`: training, trained), not
    /// a word of another stem beside them (trainees).
    @Test func aCodeMatchedOnStemsMarksTheWordsOfItsStems() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try workspace.editLexicon {
            $0 + """

                  - name: Training
                    description: Learning the job.
                    match: stem
                    patterns: [train]

                """
        }
        _ = try workspace.run()
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let words = try decider.codeWords(code: "Training", basis: .suggestions, minimumCount: 1)
        let marked = Set(words.rows.filter(\.inPatterns).map(\.word))
        #expect(marked.isSuperset(of: ["training", "trained"]), "\(marked)")
        #expect(marked.allSatisfy { PorterStemmer.stem($0) == "train" }, "\(marked)")
        #expect(words.rows.contains { !$0.inPatterns })
    }

    /// Every transcript coded whole by hand: no other turn is left to compare with, and the
    /// table says so rather than divide by no words.
    @Test func aCodeOnEveryTurnHasNothingToBeSetAgainst() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let corpus = try JSONDecoder().decode(Outputs.CorpusFile.self, from: workspace.output("corpus.json"))
        try decider.decide(
            coder: "alice",
            corpus.documents.map {
                .manual(
                    document: $0.id, range: ScalarRange(start: 0, end: $0.text.unicodeScalars.count),
                    code: "Serendipity")
            })
        let words = try decider.codeWords(code: "Serendipity", basis: .codings, minimumCount: 1)
        #expect(words.turns == corpus.documents.reduce(0) { $0 + $1.segments.count })
        #expect(words.otherTurns == 0 && words.otherWords == 0)
        #expect(words.rows.isEmpty)
        #expect(words.text().contains("No other turn has words to set them against."))
        _ = try JSONEncoder().encode(words)
    }

    /// With `--where`, both sides are the turns of the participants who have the attribute's
    /// value: the code's suggestions in their turns against their other turns.
    @Test func aFilterKeepsBothSidesToTheParticipantsItNames() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let (code, suggestions) = try mostSuggested(decider)
        let corpus = try JSONDecoder().decode(Outputs.CorpusFile.self, from: workspace.output("corpus.json"))
        let tech = Set(
            corpus.participants.participants.filter { $0.attributes["clinical_tech_split"] == "Full-time tech" }.map(
                \.id))
        let filter = SegmentFilter(
            roles: Set(SpeakerRole.allCases), attributes: ["clinical_tech_split": ["Full-time tech"]])
        let words = try decider.codeWords(code: code, basis: .suggestions, filter: filter, minimumCount: 1)
        let theirs = suggestions.filter { $0.participantID.map(tech.contains) == true }
        let coded = Set(theirs.map { "\($0.documentID)#\($0.segmentIndex)" })
        let expected = try reference(workspace, coded: coded) { $0.map(tech.contains) == true }
        #expect(!coded.isEmpty && coded.count < Set(suggestions.map { "\($0.documentID)#\($0.segmentIndex)" }).count)
        #expect(words.turns == coded.count)
        #expect(words.words == expected.words)
        #expect(words.otherWords == expected.otherWords)
        #expect(words.turnsOf == "clinical_tech_split=Full-time tech")
        #expect(words.text().contains("; only the turns of clinical_tech_split=Full-time tech:"))
        let rows = expected.counts.compactMap { word, counts -> String? in
            counts.0 >= 1
                && LogLikelihood(a: counts.0, b: counts.1, c: expected.words, d: expected.otherWords).logRatio > 0
                ? "\(word) \(counts.0) \(counts.1)" : nil
        }
        #expect(Set(words.rows.map { "\($0.word) \($0.count) \($0.otherCount)" }) == Set(rows))
    }

    /// Two words in a row, neither a stopword and no sentence's end between them, counted in the
    /// code's turns and the others as each turn tokenised alone has them: a turn coded by hand
    /// says "protected. Time" and "protected time", and only the second is the phrase.
    @Test func twoWordPhrasesAreCountedWithinSentences() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try "Interviewer: And time?\nP12: We felt protected. Time was short, so we need protected time.\n"
            .write(to: workspace.corpus("interview-12.txt"), atomically: true, encoding: .utf8)
        _ = try workspace.run()
        let configuration = try PipelineReader.read(workspace.pipeline)
        let decider = Decider(configuration: configuration)
        let corpus = try JSONDecoder().decode(Outputs.CorpusFile.self, from: workspace.output("corpus.json"))
        let document = try #require(corpus.documents.first { $0.id.contains("interview-12") })
        let turn = try #require(document.segments.last)
        try decider.decide(coder: "alice", [.manual(document: document.id, range: turn.range, code: "Serendipity")])
        let phrases = try decider.codeWords(code: "Serendipity", basis: .codings, ngram: 2, minimumCount: 1)
        let stopwords = try configuration.tokenize.stopwordList()
        let tokenizer = Tokenizer(options: configuration.tokenize.options)
        var counts: [String: (Int, Int)] = [:]
        var (words, otherWords) = (0, 0)
        for document in corpus.documents {
            for segment in document.segments {
                let isCoded = segment.text == turn.text
                guard isCoded || configuration.analysedRoles.contains(segment.role) else { continue }
                var forms = Vocabulary()
                var surfaces = Vocabulary()
                let tokens = tokenizer.tokenize(segment.text, forms: &forms, surfaces: &surfaces)
                if isCoded { words += tokens.count } else { otherWords += tokens.count }
                let breaks = SentenceBreaks.before(tokens, in: segment.text)
                for position in tokens.indices.dropFirst() where !breaks[position] {
                    let pair = [forms[tokens[position - 1].form], forms[tokens[position].form]]
                    guard !pair.contains(where: stopwords.words.contains) else { continue }
                    let (inCode, other) = counts[pair.joined(separator: " ")] ?? (0, 0)
                    counts[pair.joined(separator: " ")] = isCoded ? (inCode + 1, other) : (inCode, other + 1)
                }
            }
        }
        #expect(phrases.turns == 1 && phrases.ngram == 2)
        #expect(phrases.words == words && phrases.otherWords == otherWords)
        let expected = counts.compactMap { phrase, counts -> String? in
            counts.0 >= 1 && LogLikelihood(a: counts.0, b: counts.1, c: words, d: otherWords).logRatio > 0
                ? "\(phrase) \(counts.0) \(counts.1)" : nil
        }
        #expect(Set(phrases.rows.map { "\($0.word) \($0.count) \($0.otherCount)" }) == Set(expected))
        #expect(phrases.rows.first { $0.word == "protected time" }?.count == 1)
        #expect(phrases.rows.contains { $0.word == "felt protected" })
        #expect(phrases.text().hasPrefix("Two-word phrases of the 1 turn"))
    }

    /// A phrase pattern of the code is marked among its two-word phrases ("protected time").
    @Test func aPhrasePatternIsMarkedInTwoWordPhrases() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let phrases = try decider.codeWords(
            code: "Need for protected time", basis: .suggestions, ngram: 2, minimumCount: 1)
        #expect(phrases.rows.first { $0.word == "protected time" }?.inPatterns == true)
        #expect(phrases.rows.contains { !$0.inPatterns })
    }

    /// A code neither the lexicon nor a coding has is refused, with the codes it could be.
    @Test func anUnknownCodeIsRefusedWithTheLexiconsCodes() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let (code, _) = try mostSuggested(decider)
        #expect {
            try decider.codeWords(code: "Hyp", basis: .suggestions)
        } throws: { error in
            "\(error)".contains("no code \"Hyp\" in the lexicon or the codings") && "\(error)".contains("\"\(code)\"")
        }
    }

    /// `tmine lexicon words` prints what the library finds: its text cut at `--top`, its CSV.
    @Test func theCommandPrintsTheLibrarysWords() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        _ = try workspace.run()
        let decider = Decider(configuration: try PipelineReader.read(workspace.pipeline))
        let (code, _) = try mostSuggested(decider)
        let words = try decider.codeWords(code: code, basis: .suggestions, minimumCount: 2)
        let tmine = try tmineExecutable().path
        let options = ["lexicon", "words", workspace.pipeline, code, "--suggestions", "--min-count", "2"]
        let (refused, message) = try runProcess(tmine, options + ["--where", "clinical_tech_split=full-time tech"])
        #expect(refused != 0)
        #expect(message.contains("--where: no participant has clinical_tech_split=full-time tech"), "\(message)")
        let (status, text) = try runProcess(tmine, options + ["--top", "3"])
        #expect(status == 0)
        #expect(text == words.text(limit: 3))
        #expect(text.contains("… \(words.rows.count - 3) more words"))
        let (_, csv) = try runProcess(tmine, options + ["--csv"])
        #expect(csv == words.csv())
        #expect(csv.split(separator: "\n").count == words.rows.count + 1)
    }
}
