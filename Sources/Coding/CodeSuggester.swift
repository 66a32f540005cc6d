import Corpus
import Foundation
import TextAnalysis

/// Turns lexicon matches into suggestions: one per (unit, code), carrying every matched span.
///
/// Exclusions veto the matches they overlap; negation rules drop (or require) a negation word
/// shortly before a match in its sentence.
public struct CodeSuggester: Sendable {
    public struct Options: Sendable, Hashable, Codable {
        public enum Unit: String, Sendable, Hashable, Codable { case turn, sentence }
        public var unit: Unit = .turn
        /// Roles whose turns get suggestions (participants by default).
        public var roles: Set<SpeakerRole> = [.participant]

        public init() {}
    }

    public let options: Options
    public let lexicon: Lexicon
    /// Each code's path from its top theme, by code index: found once per suggester, not per
    /// document.
    private let paths: [[String]]
    /// Whether a turn's sentences are ever looked at: for sentence units or negation rules only
    /// (finding them in every matching turn was 2 % of a cold run that needs neither).
    private let needsSentences: Bool

    public init(lexicon: Lexicon, options: Options = Options()) {
        self.lexicon = lexicon
        self.options = options
        paths = lexicon.paths
        needsSentences =
            options.unit == .sentence
            || lexicon.codes.contains { code in code.negation != nil || code.patterns.contains { $0.negation != nil } }
    }

    /// A suggestion's unit (sentence index, -1 for the turn) and code.
    private struct GroupKey: Hashable {
        var unit: Int
        var code: Int
    }

    /// Suggestions of every document, by document, then position, then code (lexicon order).
    public func suggestions(in corpus: TokenizedCorpus) -> [Suggestion] {
        let matcher = LexiconMatcher(lexicon: lexicon, corpus: corpus)
        return corpus.documents.indices.flatMap { suggestions(ofDocument: $0, in: corpus, matcher: matcher) }
    }

    public func suggestions(ofDocument documentIndex: Int, in corpus: TokenizedCorpus, matcher: LexiconMatcher)
        -> [Suggestion]
    {
        let document = corpus.documents[documentIndex]
        var result: [Suggestion] = []
        for (segmentIndex, segment) in document.segments.enumerated() where options.roles.contains(segment.role) {
            let tokens = corpus.tokens[documentIndex][segmentIndex]
            guard !tokens.isEmpty else { continue }
            var matches = matcher.matches(in: tokens)
            // The turn's sentence ends, found once for the phrases and the sentences both.
            var breaks: [Bool]?
            if corpus.options.phrases == .sentence, matches.contains(where: { $0.end - $0.start > 1 }) {
                // Patterns of several words (and exclusions) stay inside a sentence.
                let found = SentenceBreaks.before(tokens, in: segment.text)
                breaks = found
                matches.removeAll { SentenceBreaks.within(found, $0.start, $0.end - 1) }
            }
            // Most turns match nothing: only those that do pay for scalars and sentences.
            guard matches.contains(where: { !$0.isExclusion }) else { continue }
            let slicer = ScalarSlicer(segment.text)
            let sentences = needsSentences ? Self.sentenceIndices(tokens, segment.text, breaks: breaks) : []
            let exclusions = matches.filter(\.isExclusion)
            var kept: [LexiconMatcher.Match] = []
            for match in matches where !match.isExclusion {
                let code = lexicon.codes[match.code]
                if exclusions.contains(where: { $0.code == match.code && $0.start < match.end && match.start < $0.end })
                {
                    continue
                }
                if let rule = code.patterns[match.pattern].negation ?? code.negation {
                    let negated = matcher.isNegated(
                        tokens, sentences: sentences, start: match.start, within: rule.within)
                    if negated != (rule.mode == .require) { continue }
                }
                kept.append(match)
            }
            // Group by unit and code, in order of first evidence.
            var order: [GroupKey] = []
            var groups: [GroupKey: [LexiconMatcher.Match]] = [:]
            for match in kept {
                let key = GroupKey(unit: options.unit == .sentence ? sentences[match.start] : -1, code: match.code)
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(match)
            }
            let sentenceRanges =
                options.unit == .sentence ? Self.sentenceRanges(tokens, sentences, slicer: slicer) : [:]
            for key in order {
                guard let group = groups[key], let first = group.first else { continue }
                let code = lexicon.codes[first.code]
                let sentence = options.unit == .sentence ? sentences[first.start] : nil
                let evidence = group.map { match in
                    let start = Int(tokens[match.start].start)
                    let end = Int(tokens[match.end - 1].end)
                    return Evidence(
                        pattern: code.patterns[match.pattern].text,
                        text: slicer.string(start, end),
                        range: ScalarRange(start: segment.range.start + start, end: segment.range.start + end),
                        tokenStart: match.start, tokenEnd: match.end)
                }
                let unitRange = sentence.flatMap { sentenceRanges[$0] } ?? (0, slicer.count)
                let occurrence = Self.occurrence(of: first, in: tokens)
                let firstText = joined((first.start..<first.end).map { corpus.forms[tokens[$0].form] }, separator: " ")
                let weights = group.compactMap { code.patterns[$0.pattern].weight }
                result.append(
                    Suggestion(
                        id: Self.id(
                            document: document.id, segment: segmentIndex, sentence: sentence, code: code.name,
                            text: firstText,
                            occurrence: occurrence),
                        documentID: document.id, segmentIndex: segmentIndex, sentenceIndex: sentence, code: code.name,
                        codePath: paths[first.code], evidence: evidence,
                        weight: (weights.max() ?? code.weight ?? 1) * Double(group.count),
                        speaker: segment.speaker, role: segment.role, participantID: segment.participantID,
                        attributes: corpus.participant(of: segment)?.attributes ?? [:],
                        // A whole turn shares the turn's string (copying it for each code
                        // suggested there was most of the suggester's copying).
                        text: unitRange == (0, slicer.count)
                            ? segment.text : slicer.string(unitRange.0, unitRange.1),
                        range: ScalarRange(
                            start: segment.range.start + unitRange.0, end: segment.range.start + unitRange.1),
                        context: Self.context(
                            segment.text, slicer, around: evidence[0].range.start - segment.range.start,
                            evidence[0].range.end - segment.range.start),
                        status: .pending, decisions: []))
            }
        }
        return result
    }

    /// One document's suggestions in the order ``suggestions(ofDocument:in:matcher:)`` gives
    /// them (by turn, then by first evidence, then by code in lexicon order), for suggestions
    /// computed code by code and put together.
    public func ordered(_ suggestions: [Suggestion]) -> [Suggestion] {
        let codeIndex = Dictionary(lexicon.codes.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        return suggestions.sorted { a, b in
            let first = (a.segmentIndex, a.evidence.first?.tokenStart ?? 0, a.evidence.first?.tokenEnd ?? 0)
            let second = (b.segmentIndex, b.evidence.first?.tokenStart ?? 0, b.evidence.first?.tokenEnd ?? 0)
            if first != second { return first < second }
            return (codeIndex[a.code] ?? .max) < (codeIndex[b.code] ?? .max)
        }
    }

    /// The stable id of a suggestion: 16 hex digits of SHA-256 over what it is about (its parts
    /// joined by U+001F). Coders' decisions refer to it, so it never changes between versions.
    public static func id(document: String, segment: Int, sentence: Int?, code: String, text: String, occurrence: Int)
        -> String
    {
        // The key's bytes built in one buffer and hashed in place: joining strings, copying the
        // key into `Data` and writing 64 hex digits to keep 16 was a sixth of the suggester.
        var key: [UInt8] = []
        key.reserveCapacity(document.utf8.count + code.utf8.count + text.utf8.count + 48)
        func append(_ part: String, last: Bool = false) {
            key.append(contentsOf: part.utf8)
            if !last { key.append(0x1F) }
        }
        append(document)
        append(String(segment))
        append(sentence.map(String.init) ?? "")
        append(code)
        append(text)
        append(String(occurrence), last: true)
        return ContentHash.hexPrefix(of: key, bytes: 8)
    }

    /// An id's 16 hex digits read as a number, as every id ``id(document:segment:sentence:code:text:occurrence:)``
    /// makes is; nil for any other text (a hand-edited log's). 64 well-mixed bits: what the
    /// suggestion index and the decisions' table key ids by.
    public static func idNumber(_ id: String) -> UInt64? {
        var id = id
        return id.withUTF8 { bytes -> UInt64? in
            guard bytes.count == 16 else { return nil }
            var value: UInt64 = 0
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt64(byte &- UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt64(byte &- UInt8(ascii: "a") &+ 10)
                default: return nil
                }
            }
            return value
        }
    }

    /// How many times the matched tokens' forms occurred earlier in the segment (0 for the first).
    static func occurrence(of match: LexiconMatcher.Match, in tokens: [Token]) -> Int {
        let length = match.end - match.start
        var count = 0
        // Compared in place: copying each candidate's forms into an array was 1.4 % of a cold run.
        for position in 0..<match.start where position + length <= tokens.count {
            var same = true
            for offset in 0..<length where tokens[position + offset].form != tokens[match.start + offset].form {
                same = false
                break
            }
            if same { count += 1 }
        }
        return count
    }

    /// The sentence of each token, by the sentence ends phrases stop at (``SentenceBreaks``): the
    /// units suggestions are grouped by, and negation's scope. (A new sentence began at every
    /// `.`, `!`, `?` and `…` between tokens, so a pause `(.)`, `Dr. Smith` or a hesitation cut one.)
    /// `breaks`: ``SentenceBreaks/before(_:in:)`` of these tokens, when already found.
    static func sentenceIndices(_ tokens: [Token], _ text: String, breaks: [Bool]? = nil) -> [Int] {
        var sentence = 0
        return (breaks ?? SentenceBreaks.before(tokens, in: text)).map { ends in
            if ends { sentence += 1 }
            return sentence
        }
    }

    /// Scalar ranges of each sentence in the segment text, from its first token to the end of
    /// its last with the punctuation that ends it (`.`, `?!`, `…`, a closing quotation mark or
    /// bracket): the sentence a coder reads and an export codes ("… and weekends", without its
    /// full stop, was the unit before).
    static func sentenceRanges(_ tokens: [Token], _ sentences: [Int], slicer: ScalarSlicer) -> [Int: (Int, Int)] {
        var ranges: [Int: (Int, Int)] = [:]
        for (token, sentence) in zip(tokens, sentences) {
            let start = ranges[sentence]?.0 ?? Int(token.start)
            ranges[sentence] = (start, Int(token.end))
        }
        for (sentence, (start, end)) in ranges {
            let after = slicer.checkedString(end, min(end + 8, slicer.count)) ?? ""
            let closing = after.unicodeScalars.prefix { Self.closesSentence.contains($0) }.count
            ranges[sentence] = (start, end + closing)
        }
        return ranges
    }

    private static let closesSentence: Set<Unicode.Scalar> = [
        ".", "!", "?", "…", "\"", "'", "\u{201D}", "\u{2019}", "\u{BB}", ")", "]",
    ]

    /// Up to 60 scalars either side of a span, cut at spaces, with ellipses where cut. The
    /// spaces are found in the text's UTF-8 (a space is one byte, never part of another scalar).
    static func context(_ text: String, _ slicer: ScalarSlicer, around start: Int, _ end: Int) -> String {
        guard let outer = slicer.utf8Range(max(0, start - 60), min(slicer.count, end + 60)),
            let span = slicer.utf8Range(start, end)
        else { return "" }
        var text = text
        let (from, to, count) = text.withUTF8 { bytes in
            var from = outer.lowerBound
            var to = outer.upperBound
            if from > 0, let space = (from..<span.lowerBound).first(where: { bytes[$0] == 0x20 }) { from = space + 1 }
            if to < bytes.count, let space = (span.upperBound..<to).last(where: { bytes[$0] == 0x20 }) { to = space }
            return (from, to, bytes.count)
        }
        let cut = text.utf8Slice(from..<to).collapsingWhitespace()
        return (from > 0 ? "…" : "") + cut + (to < count ? "…" : "")
    }
}
