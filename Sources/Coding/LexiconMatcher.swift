import Corpus
import Foundation
import TextAnalysis

/// All of a lexicon's patterns compiled into one automaton over a corpus's token ids.
///
/// Each pattern word becomes an element resolved once against the vocabulary (wildcards by
/// binary search in the sorted vocabulary); each token id maps to the elements it satisfies; the
/// patterns form one trie over elements, walked from every token. So matching time grows with
/// the corpus, not with the number of patterns. Hand-written: no package on this machine
/// matches token patterns. Phrases match across line breaks inside a turn, never across turns.
public struct LexiconMatcher: Sendable {
    /// A match of one pattern (or exclusion) of one code: tokens `[start, end)` of a segment.
    public struct Match: Sendable, Hashable {
        public var code: Int
        public var pattern: Int
        public var isExclusion: Bool
        public var start: Int
        public var end: Int
    }

    enum Space: Hashable { case surface, form }

    struct ElementKey: Hashable {
        var space: Space
        var mode: Query.MatchMode
        var element: Query.Element
    }

    struct Node: Sendable {
        var edges: [(element: Int, gap: Int, child: Int)] = []
        var terminals: [(code: Int, pattern: Int, exclusion: Bool)] = []
    }

    let lexicon: Lexicon
    /// Element indices satisfied by each form id and each surface id.
    private var formClasses: [[Int32]]
    private var surfaceClasses: [[Int32]]
    private var elementSpaces: [Space]
    private var nodes: [Node] = [Node()]
    /// Root edges by element, for a direct lookup from each token.
    private var rootEdges: [Int: [Int]] = [:]
    private var negationForms: Set<Int32>

    /// Compiles the lexicon against the corpus's vocabularies.
    public init(lexicon: Lexicon, corpus: TokenizedCorpus) {
        self.lexicon = lexicon
        formClasses = Array(repeating: [], count: corpus.forms.count)
        surfaceClasses = Array(repeating: [], count: corpus.surfaces.count)
        elementSpaces = []
        negationForms = Set(
            lexicon.negations.compactMap { corpus.forms.id(of: Normalizer.normalize($0, options: corpus.options)) })
        var resolver = ElementResolver(corpus: corpus)
        var elementIndex: [ElementKey: Int] = [:]

        func index(of key: ElementKey) -> Int {
            if let known = elementIndex[key] { return known }
            let next = elementSpaces.count
            elementIndex[key] = next
            elementSpaces.append(key.space)
            for id in resolver.ids(for: key) {
                if key.space == .surface {
                    surfaceClasses[Int(id)].append(Int32(next))
                } else {
                    formClasses[Int(id)].append(Int32(next))
                }
            }
            return next
        }

        for (codeIndex, code) in lexicon.codes.enumerated() {
            let space: Space = code.match == .surface ? .surface : .form
            for (isExclusion, entries) in [(false, code.patterns), (true, code.exclusions)] {
                for (patternIndex, entry) in entries.enumerated() {
                    guard let syntax = PatternSyntax.parsed(entry.text) else { continue }
                    for sequence in syntax.sequences {
                        let steps = resolver.expand(sequence, mode: code.match)
                        guard !steps.isEmpty else { continue }
                        var node = 0
                        for (position, step) in steps.enumerated() {
                            let element = index(of: ElementKey(space: space, mode: code.match, element: step.element))
                            let gap = position == 0 ? 0 : step.gapBefore
                            if let existing = nodes[node].edges.first(where: { $0.element == element && $0.gap == gap })
                            {
                                node = existing.child
                            } else {
                                nodes.append(Node())
                                let child = nodes.count - 1
                                nodes[node].edges.append((element, gap, child))
                                if node == 0 { rootEdges[element, default: []].append(child) }
                                node = child
                            }
                        }
                        nodes[node].terminals.append((codeIndex, patternIndex, isExclusion))
                    }
                }
            }
        }
    }

    /// Every pattern and exclusion match in one segment's tokens, sorted by start, end, code, pattern.
    public func matches(in tokens: [Token]) -> [Match] {
        var found: [Match] = []
        guard !tokens.isEmpty else { return [] }
        func classes(_ position: Int) -> ArraySlice<Int32> {
            let token = tokens[position]
            let forms = formClasses[Int(token.form)]
            let surfaces = surfaceClasses[Int(token.surface)]
            return surfaces.isEmpty ? forms[...] : (forms + surfaces)[...]
        }
        func walk(_ node: Int, _ position: Int, _ start: Int) {
            for terminal in nodes[node].terminals {
                found.append(
                    Match(
                        code: terminal.code, pattern: terminal.pattern, isExclusion: terminal.exclusion, start: start,
                        end: position))
            }
            for edge in nodes[node].edges {
                var probe = position
                while probe < tokens.count && probe <= position + edge.gap {
                    if classes(probe).contains(Int32(edge.element)) { walk(edge.child, probe + 1, start) }
                    probe += 1
                }
            }
        }
        for start in tokens.indices {
            for element in classes(start) {
                for child in rootEdges[Int(element)] ?? [] { walk(child, start + 1, start) }
            }
        }
        // One match per pattern and start: the shortest.
        found.sort {
            ($0.start, $0.code, $0.pattern, $0.isExclusion ? 1 : 0, $0.end) < (
                $1.start, $1.code, $1.pattern, $1.isExclusion ? 1 : 0, $1.end
            )
        }
        var unique: [Match] = []
        for match in found {
            if let last = unique.last, last.start == match.start, last.code == match.code,
                last.pattern == match.pattern,
                last.isExclusion == match.isExclusion
            {
                continue
            }
            unique.append(match)
        }
        unique.sort { ($0.start, $0.end, $0.code, $0.pattern) < ($1.start, $1.end, $1.code, $1.pattern) }
        return unique
    }

    /// Whether a negation word stands within `within` tokens before `start`, in the same sentence.
    func isNegated(_ tokens: [Token], sentences: [Int], start: Int, within: Int) -> Bool {
        var position = start - 1
        while position >= 0, position >= start - within, sentences[position] == sentences[start] {
            if negationForms.contains(tokens[position].form) { return true }
            position -= 1
        }
        return false
    }
}

/// Resolves pattern elements to the vocabulary ids they match.
struct ElementResolver {
    let corpus: TokenizedCorpus
    private var sortedForms: [(String, Int32)]?
    private var sortedReversedForms: [(String, Int32)]?
    private var sortedSurfaces: [(String, Int32)]?
    private var sortedReversedSurfaces: [(String, Int32)]?
    private var formsByStem: [Int32: [Int32]]?

    init(corpus: TokenizedCorpus) { self.corpus = corpus }

    /// A pattern word tokenised like the text: `50%` is `50`; a word the tokeniser splits becomes
    /// consecutive words (a wildcard stays on the last). Memoised across documents: the result
    /// depends only on the pattern and the tokeniser settings.
    mutating func expand(_ steps: [PatternSyntax.Step], mode: Query.MatchMode) -> [PatternSyntax.Step] {
        let key = ExpansionKey(steps: steps, mode: mode, options: corpus.options)
        if let known = ExpansionMemo.shared[key] { return known }
        let result = expandUncached(steps, mode: mode)
        ExpansionMemo.shared[key] = result
        return result
    }

    private func expandUncached(_ steps: [PatternSyntax.Step], mode: Query.MatchMode) -> [PatternSyntax.Step] {
        var result: [PatternSyntax.Step] = []
        let tokenizer = Tokenizer(options: corpus.options)
        for step in steps {
            let (text, rebuild): (String, (String) -> Query.Element) =
                switch step.element {
                case .exact(let word): (word, { .exact($0) })
                case .prefix(let word): (word, { .prefix($0) })
                case .suffix(let word): (word, { .suffix($0) })
                case .infix(let word): (word, { .infix($0) })
                }
            var forms = Vocabulary()
            var surfaces = Vocabulary()
            let tokens = tokenizer.tokenize(text, forms: &forms, surfaces: &surfaces)
            guard !tokens.isEmpty else { return [] }
            for (index, token) in tokens.enumerated() {
                let word = mode == .surface ? surfaces[token.surface] : forms[token.form]
                let element = index == tokens.count - 1 ? rebuild(word) : .exact(word)
                result.append(PatternSyntax.Step(element: element, gapBefore: index == 0 ? step.gapBefore : 0))
            }
        }
        return result
    }

    mutating func ids(for key: LexiconMatcher.ElementKey) -> [Int32] {
        let surface = key.space == .surface
        let vocabulary = surface ? corpus.surfaces : corpus.forms
        switch key.element {
        case .exact(let word):
            if key.mode == .stem {
                let stem = PorterStemmer.stem(word)
                guard let stemID = corpus.stems.id(of: stem) else { return [] }
                if formsByStem == nil {
                    var map: [Int32: [Int32]] = [:]
                    for (form, stem) in corpus.stemOfForm.enumerated() { map[stem, default: []].append(Int32(form)) }
                    formsByStem = map
                }
                return formsByStem?[stemID] ?? []
            }
            return vocabulary.id(of: word).map { [$0] } ?? []
        case .prefix(let word):
            let sorted =
                surface
                ? sortedVocabulary(\.sortedSurfaces, corpus.surfaces, reversed: false)
                : sortedVocabulary(\.sortedForms, corpus.forms, reversed: false)
            return Self.range(of: word, in: sorted)
        case .suffix(let word):
            let sorted =
                surface
                ? sortedVocabulary(\.sortedReversedSurfaces, corpus.surfaces, reversed: true)
                : sortedVocabulary(\.sortedReversedForms, corpus.forms, reversed: true)
            return Self.range(of: String(word.reversed()), in: sorted)
        case .infix(let word):
            return (0..<Int32(vocabulary.count)).filter { vocabulary[$0].contains(word) }
        }
    }

    private mutating func sortedVocabulary(
        _ keyPath: WritableKeyPath<ElementResolver, [(String, Int32)]?>, _ vocabulary: Vocabulary, reversed: Bool
    ) -> [(String, Int32)] {
        if let cached = self[keyPath: keyPath] { return cached }
        let sorted = (0..<Int32(vocabulary.count)).map {
            (reversed ? String(vocabulary[$0].reversed()) : vocabulary[$0], $0)
        }
        .sorted { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) }
        self[keyPath: keyPath] = sorted
        return sorted
    }

    /// Ids of the entries starting with `prefix`, found by binary search.
    static func range(of prefix: String, in sorted: [(String, Int32)]) -> [Int32] {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle].0.unicodeScalars.lexicographicallyPrecedes(prefix.unicodeScalars) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        var ids: [Int32] = []
        while low < sorted.count, sorted[low].0.hasPrefix(prefix) {
            ids.append(sorted[low].1)
            low += 1
        }
        return ids
    }
}

struct ExpansionKey: Hashable {
    var steps: [PatternSyntax.Step]
    var mode: Query.MatchMode
    var options: Tokenizer.Options
}

/// Expanded patterns shared by the per-document matchers of a run.
final class ExpansionMemo: @unchecked Sendable {
    static let shared = ExpansionMemo()
    private var values: [ExpansionKey: [PatternSyntax.Step]] = [:]
    private let lock = NSLock()

    subscript(key: ExpansionKey) -> [PatternSyntax.Step]? {
        get { lock.withLock { values[key] } }
        set { lock.withLock { values[key] = newValue } }
    }
}

extension PatternSyntax {
    private static let memo = SyntaxMemo()

    /// The parse of a pattern, remembered: every document's matcher compiles the same patterns.
    static func parsed(_ text: String) -> PatternSyntax? {
        if let known = memo[text] { return known }
        let syntax = try? PatternSyntax(text)
        memo[text] = syntax
        return syntax
    }
}

private final class SyntaxMemo: @unchecked Sendable {
    private var values: [String: PatternSyntax?] = [:]
    private let lock = NSLock()

    subscript(text: String) -> PatternSyntax?? {
        get { lock.withLock { values[text] } }
        set { lock.withLock { values[text] = newValue ?? nil } }
    }
}
