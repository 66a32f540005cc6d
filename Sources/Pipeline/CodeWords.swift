import Coding
import Corpus
import Foundation
import TextAnalysis

/// The words that mark the turns a code is applied to, against the study's other turns: each
/// word's count in both, its rate per 1,000 words, Dunning's G² and Hardie's log ratio, and
/// whether the code's own patterns match it in those turns. The words key to a code that its
/// patterns miss are candidates for the lexicon, found in what coders confirmed (WordStat's and
/// QDA Miner's keyword retrieval from coded segments), so that the next run suggests more of it.
public struct CodeWords: Sendable, Codable, Equatable {
    /// A word said more in the code's turns than in the others.
    public struct Word: Sendable, Codable, Equatable {
        public var word: String
        /// Its count in the code's turns, and per 1,000 of their words.
        public var count: Int
        public var rate: Double
        /// Its count in the other turns, and per 1,000 of their words.
        public var otherCount: Int
        public var otherRate: Double
        public var logLikelihood: Double
        public var pValue: Double
        public var logRatio: Double
        /// Whether one of the code's patterns matches it in the code's turns (all of it or with
        /// the words of a phrase): a word without is one the lexicon does not yet look for.
        public var inPatterns: Bool
    }

    public var code: String
    public var basis: CodeCooccurrence.Basis
    /// The coders whose codings count (none for suggestions).
    public var coders: [String]
    /// The turns the code is applied to, and their words (every token, stopwords too: the base of the rates).
    public var turns: Int
    public var words: Int
    /// The roles the pipeline analyses, whose other turns the code's are set against; those turns and their words
    /// (not counted, 0, when no turn carries the code).
    public var otherRoles: [String]
    public var otherTurns: Int
    public var otherWords: Int
    /// Whose turns were read on both sides, when not every speaker's: `participant P3`, `clinical_tech_split=Full-time tech`.
    public var turnsOf: String?
    /// Words said at least ``minimumCount`` times in the code's turns, more often there than in
    /// the others, the largest G² first (then by word); stopwords left out.
    public var rows: [Word]
    public var minimumCount: Int
    /// 1: words; 2: two words in a row (a row's `word` is both, apart by a space).
    public var ngram: Int
}

extension Decider {
    /// ``CodeWords`` of `code`: its turns from every coder's codings (or `coder`'s), or from the
    /// suggestions not rejected; the others, the turns of the pipeline's analysed roles that do
    /// not carry it; on both sides only the turns of the participants `filter` accepts (its
    /// roles are not read). Both tokenised as the pipeline tokenises (its stopwords left out of
    /// the rows), from corpus.json a document at a time. `ngram: 2` counts two words in a row
    /// instead (as the frequency stage's bigrams: no stopword, within a sentence unless the
    /// tokeniser's `phrases` lets them cross one): candidate phrases.
    public func codeWords(
        code: String, basis: CodeCooccurrence.Basis, coder: String? = nil, filter: SegmentFilter = .everyone,
        ngram: Int = 1, minimumCount: Int = 3
    ) throws(PipelineError) -> CodeWords {
        var coded: [String: Set<Int>] = [:]
        let (coders, unplaced) = try applications(basis: basis, coder: coder, filter: filter) {
            applied, documentID, turn in
            if applied == code { coded[documentID, default: []].insert(turn) }
        }
        let lexicon = configuration.suggest?.lexicon
        let codeIndex = lexicon?.codes.firstIndex { $0.name == code }
        let byHand = unplaced.values.joined().contains { $0.code == code }
        if codeIndex == nil, coded.isEmpty, !byHand {
            let names = lexicon?.codes.map { "\"\($0.name)\"" }.joined(separator: ", ") ?? ""
            throw PipelineError(
                file: configuration.suggest?.lexiconFile ?? configuration.outputFolder,
                message: "no code \"\(code)\" in the lexicon or the codings (codes: \(names))")
        }
        let roles = configuration.analysedRoles
        var result = CodeWords(
            code: code, basis: basis, coders: coders, turns: 0, words: 0, otherRoles: roles.map(\.rawValue).sorted(),
            otherTurns: 0, otherWords: 0, turnsOf: Self.whose(filter), rows: [], minimumCount: minimumCount,
            ngram: ngram)
        // No turn carries it: nothing to count the others against (the review page then asks
        // for the suggestions instead, and the transcripts are not read twice).
        if coded.isEmpty, !byHand { return result }
        let options = configuration.tokenize.options
        let stopwords: Stopwords
        do { stopwords = try configuration.tokenize.stopwordList() } catch {
            throw PipelineError(file: configuration.tokenize.stopwords, message: "cannot read the stopwords: \(error)")
        }
        let compiled = codeIndex.flatMap { index in
            lexicon.map { CompiledLexicon(lexicon: $0, options: options, codes: [index]) }
        }
        let accepts = try accepting(filter)
        let counter = WordCounter(
            options: options, stopwords: stopwords, compiled: compiled,
            stems: codeIndex.map { lexicon?.codes[$0].match == .stem } == true, ngram: ngram)
        // Documents tokenised on every core, a batch of ~4 MB of text at a time (one core took
        // 3.7 s at 100 MB, most of it tokenising), and each one's counts, by a vocabulary of its
        // own, added into the study's in document order. Words: both sides in one pass over
        // corpus.json. Two-word phrases: the code's turns first; then the other turns, where only
        // the phrases said at least `minimumCount` times in the code's turns (the only ones a row
        // can show) are counted, by their ids in the first pass, into a table per document. One
        // pass added every distinct phrase of the other turns (millions at 100 MB) into the
        // study's table on one core: 6.0–7.7 → 3.5–4.1 s and 390 → 124 MB at 100 MB; for words, reading
        // corpus.json twice costs more than it saves (2.1 → 2.4 s).
        let twoPasses = ngram > 1
        func others(_ document: Document, _ inCode: Set<Int>) -> [Int] {
            document.segments.indices.filter {
                !inCode.contains($0) && roles.contains(document.segments[$0].role) && accepts(document.segments[$0])
            }
        }
        func forEachBatch(read: (Document, Set<Int>) -> Set<Int>, _ count: ([WordCounter.Item]) -> Void)
            throws(PipelineError)
        {
            var batch: [WordCounter.Item] = []
            var bytes = 0
            _ = try Outputs.forEachDocument(of: configuration) { document in
                var inCode = coded[document.id] ?? []
                Self.place(unplaced[document.id] ?? [], in: document) { manual, segment in
                    if manual.code == code, accepts(segment) { inCode.insert(segment.index) }
                }
                let turns = read(document, inCode)
                guard !turns.isEmpty else { return }
                batch.append(WordCounter.Item(document: document, inCode: inCode, read: turns))
                bytes += document.text.utf8.count
                if bytes >= 4 << 20 {
                    count(batch)
                    (batch, bytes) = ([], 0)
                }
            }
            count(batch)
        }
        var total = WordCounter.Counts()
        try forEachBatch(read: { document, inCode in twoPasses ? inCode : inCode.union(others(document, inCode)) }) {
            items in
            for counts in ConcurrentSlots<WordCounter.Counts>.map(items.count, { counter.count(items[$0]) }) {
                total.add(counts)
            }
        }
        if twoPasses {
            // The phrases a row may show, numbered as they are in `total`'s counts.
            var candidates = Vocabulary()
            var candidateIDs: [Int32] = []
            for (id, count) in total.counts.enumerated() where count.inCode >= minimumCount {
                _ = total.vocabulary.withBytes(of: Int32(id)) { candidates.intern($0) }
                candidateIDs.append(Int32(id))
            }
            try forEachBatch(read: { document, inCode in Set(others(document, inCode)) }) { [candidates] items in
                for others in ConcurrentSlots<WordCounter.Others>.map(
                    items.count, { counter.countOthers(items[$0], among: candidates) })
                {
                    (total.otherTurns, total.otherWords) =
                        (total.otherTurns + others.turns, total.otherWords + others.words)
                    for (candidate, count) in others.counts.enumerated() where count > 0 {
                        total.counts[Int(candidateIDs[candidate])].other += count
                    }
                }
            }
        }
        (result.turns, result.words, result.otherTurns, result.otherWords) =
            (total.turns, total.words, total.otherTurns, total.otherWords)
        // With no other turn's words there is nothing to set the code's against.
        for (id, count) in total.counts.enumerated() where count.inCode >= minimumCount && total.otherWords > 0 {
            let statistic = LogLikelihood(a: count.inCode, b: count.other, c: total.words, d: total.otherWords)
            guard statistic.logRatio > 0 else { continue }
            result.rows.append(
                CodeWords.Word(
                    word: total.vocabulary[Int32(id)], count: count.inCode,
                    rate: FrequencyTable.rate(count.inCode, of: total.words),
                    otherCount: count.other, otherRate: FrequencyTable.rate(count.other, of: total.otherWords),
                    logLikelihood: statistic.g2, pValue: statistic.pValue, logRatio: statistic.logRatio,
                    inPatterns: count.matched))
        }
        result.rows.sort { ($1.logLikelihood, $0.word) < ($0.logLikelihood, $1.word) }
        return result
    }
}

/// Counts the words (or two-word phrases) of a document's turns for ``Decider/codeWords``: those
/// of the code's turns, each marked when the code's patterns match it there, by a vocabulary of
/// the document's own (so that documents are counted on every core, and added into the study's
/// in document order); and those of the others among the words the code's turns gave.
private struct WordCounter: Sendable {
    let options: Tokenizer.Options
    let stopwords: Stopwords
    let compiled: CompiledLexicon?
    let stems: Bool
    let ngram: Int

    /// A document, the turns carrying the code, and every turn to read (those and the others).
    struct Item: Sendable {
        var document: Document
        var inCode: Set<Int>
        var read: Set<Int>
    }

    struct Tally: Sendable {
        var inCode = 0
        var other = 0
        var matched = false
    }

    /// Counts by word id, the ids of `vocabulary`; the turns read and their words on each side.
    struct Counts: Sendable {
        var vocabulary = Vocabulary()
        var counts: [Tally] = []
        var turns = 0
        var words = 0
        var otherTurns = 0
        var otherWords = 0

        mutating func add(_ id: Int32, coded: Bool, matched: Bool) {
            let id = Int(id)
            if id == counts.count { counts.append(Tally()) }
            if coded {
                counts[id].inCode += 1
                if matched { counts[id].matched = true }
            } else {
                counts[id].other += 1
            }
        }

        /// Adds another's counts, its words found by their bytes in this vocabulary.
        mutating func add(_ other: Counts) {
            (turns, words) = (turns + other.turns, words + other.words)
            (otherTurns, otherWords) = (otherTurns + other.otherTurns, otherWords + other.otherWords)
            for (id, tally) in other.counts.enumerated() {
                let mine = Int(other.vocabulary.withBytes(of: Int32(id)) { vocabulary.intern($0) })
                if mine == counts.count { counts.append(Tally()) }
                counts[mine].inCode += tally.inCode
                counts[mine].other += tally.other
                if tally.matched { counts[mine].matched = true }
            }
        }
    }

    /// The words (or phrases) of the code's turns and, in a single pass, of the others.
    func count(_ item: Item) -> Counts {
        var result = Counts()
        let corpus = TokenizedCorpus(
            documents: [item.document], options: options, stopwords: stopwords, computeStems: stems,
            segments: item.read)
        let matcher = compiled.map { LexiconMatcher(compiled: $0, corpus: corpus) }
        // Which tokens of the turn the code's patterns match (only a coded turn's can be): one
        // buffer for the document's turns, not an array made for each.
        var matched: [Bool] = []
        var isCoded = false
        walk(
            item, corpus: corpus, lookUp: { result.vocabulary.intern($0) },
            turn: { index, tokens in
                isCoded = item.inCode.contains(index)
                if isCoded {
                    (result.turns, result.words) = (result.turns + 1, result.words + tokens.count)
                } else {
                    (result.otherTurns, result.otherWords) = (result.otherTurns + 1, result.otherWords + tokens.count)
                }
                matched.removeAll(keepingCapacity: true)
                matched.append(contentsOf: repeatElement(false, count: tokens.count))
                if isCoded, let matcher {
                    for match in matcher.matches(in: tokens) where !match.isExclusion {
                        for position in match.start..<match.end { matched[position] = true }
                    }
                }
            },
            unit: { id, first, last in result.add(id, coded: isCoded, matched: matched[first] && matched[last]) })
        return result
    }

    /// The other turns' counts of `candidates` (by their ids there), and the turns and their words.
    struct Others: Sendable {
        var counts: [Int]
        var turns = 0
        var words = 0
    }

    /// The turns `item` reads, none of them the code's: only the words (or phrases) among
    /// `candidates` counted.
    func countOthers(_ item: Item, among candidates: Vocabulary) -> Others {
        var result = Others(counts: Array(repeating: 0, count: candidates.count))
        let corpus = TokenizedCorpus(
            documents: [item.document], options: options, stopwords: stopwords, computeStems: false,
            segments: item.read)
        walk(
            item, corpus: corpus, lookUp: { candidates.id(of: $0) },
            turn: { _, tokens in (result.turns, result.words) = (result.turns + 1, result.words + tokens.count) },
            unit: { id, _, _ in result.counts[Int(id)] += 1 })
        return result
    }

    /// The turns `item` reads, in order: `turn` gets each one's place and tokens, then `unit`
    /// each of its words that is not a stopword (or, for two-word phrases, two such words in a
    /// row, in one sentence unless phrases may cross one: the frequency stage's bigrams) that
    /// `lookUp` gives an id, with the places of its first and last token. `lookUp` is asked once
    /// a document for each word, and each phrase by its words' ids, its text made then (it was
    /// made for every occurrence: two thirds of the time of `--ngram 2`).
    private func walk(
        _ item: Item, corpus: TokenizedCorpus, lookUp: (UnsafeBufferPointer<UInt8>) -> Int32?,
        turn: (_ index: Int, _ tokens: [Token]) -> Void, unit: (_ id: Int32, _ first: Int, _ last: Int) -> Void
    ) {
        // Each form's id: -2 not asked yet, -1 none.
        var ids = [Int32](repeating: -2, count: corpus.forms.count)
        var phrases: [UInt64: Int32] = [:]
        var phrase: [UInt8] = []
        for index in item.read.sorted() {
            let tokens = corpus.tokens[0][index]
            turn(index, tokens)
            guard ngram == 2 else {
                for (position, token) in tokens.enumerated() where !corpus.isStopword[Int(token.form)] {
                    let form = Int(token.form)
                    if ids[form] == -2 { ids[form] = corpus.forms.withBytes(of: token.form) { lookUp($0) } ?? -1 }
                    if ids[form] >= 0 { unit(ids[form], position, position) }
                }
                continue
            }
            let breaks =
                options.phrases == .sentence
                ? SentenceBreaks.before(tokens, in: item.document.segments[index].text) : []
            for position in tokens.indices.dropFirst() {
                let (first, second) = (tokens[position - 1].form, tokens[position].form)
                guard !corpus.isStopword[Int(first)], !corpus.isStopword[Int(second)],
                    breaks.isEmpty || !breaks[position]
                else { continue }
                let key = UInt64(UInt32(bitPattern: first)) << 32 | UInt64(UInt32(bitPattern: second))
                let id =
                    phrases[key]
                    ?? {
                        phrase.removeAll(keepingCapacity: true)
                        corpus.forms.withBytes(of: first) { phrase += $0 }
                        phrase.append(UInt8(ascii: " "))
                        corpus.forms.withBytes(of: second) { phrase += $0 }
                        let id = phrase.withUnsafeBufferPointer { lookUp($0) } ?? -1
                        phrases[key] = id
                        return id
                    }()
                if id >= 0 { unit(id, position - 1, position) }
            }
        }
    }
}

extension CodeWords {
    /// The table for a terminal: what was set against what, then the words, the largest G² first.
    public func text(limit: Int? = nil) -> String {
        let whose =
            basis == .suggestions
            ? "the suggestions not rejected by a coder"
            : "the codings of \(coders.isEmpty ? "no coder" : coders.joined(separator: ", "))"
        guard turns > 0 else {
            return "No turn carries \"\(code)\" in \(whose)"
                + (basis == .codings
                    ? " (tmine review or tmine decide records codings); --suggestions reads the suggestions.\n"
                    : ".\n")
        }
        var lines = [
            (ngram == 2 ? "Two-word phrases" : "Words")
                + " of the \(turns.counted("turn")) carrying \"\(code)\" (\(words.counted("word"))), in \(whose), "
                + "against the \(otherTurns.counted("other turn")) of the roles analysed, "
                + "\(otherRoles.joined(separator: ", ")) (\(otherWords.counted("word"))); said "
                + "\(minimumCount.counted("time")) or more in them"
                + (turnsOf.map { "; only the turns of \($0)" } ?? "") + ":"
        ]
        guard otherWords > 0 else {
            lines.append("No other turn has words to set them against.")
            return lines.joined(separator: "\n") + "\n"
        }
        guard !rows.isEmpty else {
            lines.append("No \(ngram == 2 ? "phrase" : "word") is, and more often than in the other turns.")
            return lines.joined(separator: "\n") + "\n"
        }
        let shown = limit.map { Array(rows.prefix($0)) } ?? rows
        // Each column as wide as its widest cell, two spaces between.
        let header = [ngram == 2 ? "phrase" : "word", "here", "per 1,000", "others", "per 1,000", "G²", "log ratio"]
        let cells = shown.map { row in
            [
                row.word, String(row.count), FixedPoint.string(row.rate, digits: 2), String(row.otherCount),
                FixedPoint.string(row.otherRate, digits: 2), FixedPoint.string(row.logLikelihood, digits: 2),
                FixedPoint.string(row.logRatio, digits: 2),
            ]
        }
        let widths = header.indices.map { column in
            ([header] + cells).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells[0].padding(toLength: widths[0], withPad: " ", startingAt: 0)
                + cells.indices.dropFirst().map { "  " + cells[$0].leftPadded(widths[$0]) }.joined()
        }
        lines.append("")
        lines.append(line(header))
        for (row, cells) in zip(shown, cells) { lines.append(line(cells) + (row.inPatterns ? "  pattern" : "")) }
        if shown.count < rows.count {
            lines.append(
                "… \((rows.count - shown.count).counted(ngram == 2 ? "more phrase" : "more word")) "
                    + "(--json or --csv lists every one)")
        }
        lines.append(
            "pattern: one of the code's patterns matches it in these turns; the others are words they do not look for yet."
        )
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per word: its counts and rates in the code's turns and the others, G², p, log ratio, and whether a pattern matches it.
    public func csv() -> String {
        var rows = ["word,count,per_1000,other_count,other_per_1000,log_likelihood,p_value,log_ratio,in_patterns"]
        for row in self.rows {
            rows.append(
                [
                    csvField(row.word), String(row.count), FixedPoint.string(row.rate, digits: 4),
                    String(row.otherCount), FixedPoint.string(row.otherRate, digits: 4),
                    FixedPoint.string(row.logLikelihood, digits: 4), String(row.pValue),
                    FixedPoint.string(row.logRatio, digits: 4), row.inPatterns ? "true" : "false",
                ]
                .joined(separator: ","))
        }
        return rows.joined(separator: "\n") + "\n"
    }
}
