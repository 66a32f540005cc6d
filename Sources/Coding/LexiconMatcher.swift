import Corpus
import Foundation
import TextAnalysis

/// A lexicon compiled once for a run: its pattern elements, the tables that find the elements
/// a word satisfies, and one trie over elements. Independent of any corpus, so a run compiles
/// it once and binds it to each document's vocabulary (``LexiconMatcher``) in time that grows
/// with the vocabulary, not the lexicon: 100,000 patterns cost their compilation once.
public final class CompiledLexicon: Sendable {
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

    /// The elements of one space by kind, each word mapped to the element indices it stands for.
    struct Lookup: Sendable {
        var exact: [String: [Int32]] = [:]
        /// Exact words of stem-mode codes, by their stem.
        var stems: [String: [Int32]] = [:]
        var prefixes: [String: [Int32]] = [:]
        var suffixes: [String: [Int32]] = [:]
        var infixes: [(String, Int32)] = []
        var longestPrefix = 0
        var longestSuffix = 0
        /// The first (last) two characters of every prefix (suffix) word, or its only one: most
        /// words of a document start with none, and skip the prefix (suffix) lookups altogether.
        var prefixGate: Set<Substring> = []
        var suffixGate: Set<Substring> = []

        /// No elements at all (most lexicons match no surface forms).
        var isEmpty: Bool { exact.isEmpty && stems.isEmpty && prefixes.isEmpty && suffixes.isEmpty && infixes.isEmpty }

        /// The elements a word (a form or surface of a document) satisfies.
        func classes(of word: String, stem: () -> String) -> [Int32] {
            var result = exact[word] ?? []
            if !stems.isEmpty, let byStem = stems[stem()] { result += byStem }
            if longestPrefix > 0, prefixGate.contains(word.prefix(1)) || prefixGate.contains(word.prefix(2)) {
                var prefix = ""
                for character in word.prefix(longestPrefix) {
                    prefix.append(character)
                    if let found = prefixes[prefix] { result += found }
                }
            }
            if longestSuffix > 0, suffixGate.contains(word.suffix(1)) || suffixGate.contains(word.suffix(2)) {
                var suffix = ""
                for character in word.reversed().prefix(longestSuffix) {
                    suffix.insert(character, at: suffix.startIndex)
                    if let found = suffixes[suffix] { result += found }
                }
            }
            for (infix, element) in infixes where word.contains(infix) { result.append(element) }
            return result
        }
    }

    /// The words of a ``Lookup`` that an ASCII word can equal, keyed by their bytes: the classes
    /// of an ASCII word come from one walk of a small byte trie that stays in cache, the same
    /// classes in the same order as ``Lookup/classes(of:stem:)`` gives. A `String` equals an
    /// ASCII word exactly when its canonical decomposition is that word, so each word is keyed
    /// by its decomposition where that is ASCII (`K`, the Kelvin sign, is `K`) and left out where
    /// not. Hand-written: no package matches words by prefix and suffix.
    /// A class: a binding calls it for every word, and a struct's many arrays were retained at
    /// each call.
    final class ASCIILookup: Sendable {
        /// The lookup's words as a trie of their bytes (read from the end for suffixes): a state
        /// per distinct beginning, each with the classes of the word it spells whole (`whole`)
        /// and of the wildcard part it spells (`part`). Walking a word's bytes finds its exact
        /// and wildcard classes at once and stops at the first byte no word continues with,
        /// most often the first or second: where each wildcard length was hashed and probed in
        /// a table, binding a lexicon to a document's words cost ~60 ns a word.
        struct Trie: Sendable {
            /// The root's children by byte (-1: none), the first step of every walk.
            private var root = [Int32](repeating: -1, count: 256)
            /// Every other state's children, by byte: which bytes have one, a bit each in four
            /// 64-bit words (`bytes[4 × state + byte / 64]`), and the children in byte order in
            /// `targets`, the block's first at `firsts[4 × state + byte / 64]`, so that a child is
            /// found by counting the bits below its own. A state's few edges scanned one by one
            /// mispredicted the scan's end at most bytes of most words.
            private var bytes: [UInt64] = []
            private var firsts: [Int32] = []
            private var targets: [Int32] = []
            /// Each state's classes, `whole` then `part`: `elements` from `classStarts[2 × state]`
            /// to `classStarts[2 × state + 1]`, and on to `classStarts[2 × state + 2]`.
            private var classStarts: [Int32] = []
            private var elements: [Int32] = []
            let fromEnd: Bool
            /// Whether any word was added.
            let isEmpty: Bool

            /// A trie of `words` (keys that are not empty, each with its classes as a whole word
            /// and as a wildcard part), their classes appended in the order given.
            init(fromEnd: Bool, _ words: [(key: [UInt8], whole: Bool, elements: [Int32])]) {
                self.fromEnd = fromEnd
                // Built as arrays per state, then laid out flat.
                var children: [[(byte: UInt8, state: Int32)]] = [[]]
                var classes: [(whole: [Int32], part: [Int32])] = [([], [])]
                for (key, whole, found) in words where !key.isEmpty {
                    var state = 0
                    for index in key.indices {
                        let byte = fromEnd ? key[key.count - 1 - index] : key[index]
                        if let next = children[state].first(where: { $0.byte == byte }) {
                            state = Int(next.state)
                        } else {
                            children[state].append((byte, Int32(children.count)))
                            state = children.count
                            children.append([])
                            classes.append(([], []))
                        }
                    }
                    if whole { classes[state].whole += found } else { classes[state].part += found }
                }
                isEmpty = children.count == 1
                for (byte, state) in children[0] { root[Int(byte)] = state }
                bytes = Array(repeating: 0, count: 4 * children.count)
                firsts = Array(repeating: 0, count: 4 * children.count)
                for (state, next) in children.enumerated() where state > 0 {
                    let sorted = next.sorted { $0.byte < $1.byte }
                    for block in 0..<4 {
                        firsts[4 * state + block] = Int32(targets.count + sorted.count { Int($0.byte) < 64 * block })
                    }
                    for (byte, _) in sorted { bytes[4 * state + Int(byte >> 6)] |= 1 << UInt64(byte & 63) }
                    targets += sorted.map(\.state)
                }
                classStarts = [0]
                for (whole, part) in classes {
                    elements += whole
                    classStarts.append(Int32(elements.count))
                    elements += part
                    classStarts.append(Int32(elements.count))
                }
            }

            /// The byte `depth` steps into `word` from the trie's end.
            @inline(__always)
            private func byte(_ word: UnsafeBufferPointer<UInt8>, _ depth: Int) -> UInt8 {
                fromEnd ? word[word.count - 1 - depth] : word[depth]
            }

            /// The state `byte` leads to from `state`, or -1.
            @inline(__always)
            private func child(of state: Int32, _ byte: UInt8) -> Int32 {
                if state == 0 { return root[Int(byte)] }
                let block = 4 * Int(state) + Int(byte >> 6)
                let bit: UInt64 = 1 << UInt64(byte & 63)
                let present = bytes[block]
                guard present & bit != 0 else { return -1 }
                return targets[Int(firsts[block]) + (present & (bit &- 1)).nonzeroBitCount]
            }

            /// Appends the classes of the word spelt whole by `word`; says whether some wildcard
            /// part begins (ends) it, for ``appendParts(of:to:)``.
            @inline(__always)
            func appendWhole(of word: UnsafeBufferPointer<UInt8>, to result: inout [Int32]) -> Bool {
                var state: Int32 = 0
                var parts = false
                for depth in 0..<word.count {
                    state = child(of: state, byte(word, depth))
                    guard state > 0 else { return parts }
                    if classStarts[2 * Int(state) + 1] != classStarts[2 * Int(state) + 2] { parts = true }
                }
                if state > 0 {
                    result += elements[Int(classStarts[2 * Int(state)])..<Int(classStarts[2 * Int(state) + 1])]
                }
                return parts
            }

            /// Appends the classes of every wildcard part that begins (ends) `word`, shortest first.
            func appendParts(of word: UnsafeBufferPointer<UInt8>, to result: inout [Int32]) {
                var state: Int32 = 0
                for depth in 0..<word.count {
                    state = child(of: state, byte(word, depth))
                    guard state > 0 else { return }
                    result += elements[Int(classStarts[2 * Int(state) + 1])..<Int(classStarts[2 * Int(state) + 2])]
                }
            }
        }

        /// Exact words and prefixes, read from a word's start.
        let forward: Trie
        /// Suffixes, read from a word's end.
        let backward: Trie
        let infixes: [([UInt8], Int32)]
        let hasStems: Bool

        init(_ lookup: Lookup) {
            func key(_ word: String) -> [UInt8]? {
                // An ASCII word is its own decomposition: Foundation's, asked of every word of
                // the lexicon, was a third of a millisecond of a lexicon edit.
                let ascii = Array(word.utf8)
                if ascii.withUnsafeBufferPointer(UTF8Scalars.isASCII) { return ascii }
                let bytes = Array(word.decomposedStringWithCanonicalMapping.utf8)
                return bytes.withUnsafeBufferPointer(UTF8Scalars.isASCII) ? bytes : nil
            }
            func keyed(_ words: [String: [Int32]], whole: Bool) -> [(key: [UInt8], whole: Bool, elements: [Int32])] {
                words.compactMap { word, elements in key(word).map { ($0, whole, elements) } }
            }
            forward = Trie(fromEnd: false, keyed(lookup.exact, whole: true) + keyed(lookup.prefixes, whole: false))
            backward = Trie(fromEnd: true, keyed(lookup.suffixes, whole: false))
            infixes = lookup.infixes.compactMap { word, element in key(word).map { ($0, element) } }
            hasStems = !lookup.stems.isEmpty
        }

        /// Appends the elements an ASCII word satisfies; `stemClasses` gives those of its stem.
        func appendClasses(
            of word: UnsafeBufferPointer<UInt8>, to result: inout [Int32], stemClasses: () -> [Int32]
        ) {
            let prefixed = forward.appendWhole(of: word, to: &result)
            if hasStems { result += stemClasses() }
            if prefixed { forward.appendParts(of: word, to: &result) }
            if !backward.isEmpty { backward.appendParts(of: word, to: &result) }
            for (infix, element) in infixes where word.firstRange(of: infix) != nil { result.append(element) }
        }
    }

    let lexicon: Lexicon
    let options: Tokenizer.Options
    let nodes: [Node]
    /// The children of the root's edges, by element: element `e`'s are
    /// `rootChildren[rootStarts[e]..<rootStarts[e + 1]]`, looked up by index from each token
    /// (a dictionary hashed every class of every token).
    let rootStarts: [Int]
    let rootChildren: [Int]
    let forms: Lookup
    let surfaces: Lookup
    let negations: [String]
    /// The exact words of the forms' lookup as UTF-8, for ``couldMatch(encodedForms:)``.
    let exactWords: [([UInt8], [Int32])]
    /// The exact words, then the fixed parts of the wildcards (a form a wildcard matches holds
    /// its part's bytes): what ``couldMatch(text:)`` looks for in a turn, and
    /// ``couldMatch(encodedForms:)`` in a document's cached forms before reading any.
    let formParts: [([UInt8], [Int32])]
    /// Whether a form satisfies a word or wildcard only where it holds the part's very bytes:
    /// every part is ASCII, without a character that has a look-alike beyond ASCII.
    let formPartsAreBytes: Bool
    /// Each exact word's length and first byte in one integer: a document's form is compared
    /// with a word only when these agree (most forms of most documents agree with none).
    let exactKeys: [Int]
    /// The lookups' words an ASCII word can be, by their bytes.
    let asciiForms: ASCIILookup
    let asciiSurfaces: ASCIILookup
    /// The classes of every non-ASCII form and spelling already bound in this run.
    let formMemo = ClassMemo()
    let surfaceMemo = ClassMemo()

    /// Compiles the patterns of every code, or only of `codes` (indices into the lexicon's codes,
    /// which matches keep).
    public init(lexicon: Lexicon, options: Tokenizer.Options, codes: Set<Int>? = nil) {
        self.lexicon = lexicon
        self.options = options
        var nodes = [Node()]
        var rootEdges: [Int: [Int]] = [:]
        var forms = Lookup()
        var surfaces = Lookup()
        var elementIndex: [ElementKey: Int] = [:]

        func index(of key: ElementKey) -> Int {
            if let known = elementIndex[key] { return known }
            let next = elementIndex.count
            elementIndex[key] = next
            let element = Int32(next)
            func add(_ lookup: inout Lookup) {
                switch key.element {
                case .exact(let word) where key.mode == .stem:
                    lookup.stems[PorterStemmer.stem(word), default: []].append(element)
                case .exact(let word): lookup.exact[word, default: []].append(element)
                case .prefix(let word):
                    lookup.prefixes[word, default: []].append(element)
                    lookup.longestPrefix = max(lookup.longestPrefix, word.count)
                    lookup.prefixGate.insert(Substring(word.prefix(2)))
                case .suffix(let word):
                    lookup.suffixes[word, default: []].append(element)
                    lookup.longestSuffix = max(lookup.longestSuffix, word.count)
                    lookup.suffixGate.insert(Substring(word.suffix(2)))
                case .infix(let word): lookup.infixes.append((word, element))
                }
            }
            if key.space == .surface { add(&surfaces) } else { add(&forms) }
            return next
        }

        for (codeIndex, code) in lexicon.codes.enumerated() where codes?.contains(codeIndex) ?? true {
            let space: Space = code.match == .surface ? .surface : .form
            for (isExclusion, entries) in [(false, code.patterns), (true, code.exclusions)] {
                for (patternIndex, entry) in entries.enumerated() {
                    guard let syntax = PatternSyntax.parsed(entry.text) else { continue }
                    for sequence in syntax.sequences {
                        let steps = Self.expand(sequence, mode: code.match, options: options)
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
        self.nodes = nodes
        var starts = [0]
        var children: [Int] = []
        for element in 0..<elementIndex.count {
            children += rootEdges[element] ?? []
            starts.append(children.count)
        }
        rootStarts = starts
        rootChildren = children
        self.forms = forms
        self.surfaces = surfaces
        asciiForms = ASCIILookup(forms)
        asciiSurfaces = ASCIILookup(surfaces)
        exactWords = forms.exact.map { (Array($0.key.utf8), $0.value) }
        exactKeys = exactWords.map { Self.key(length: $0.0.count, first: $0.0.first ?? 0) }
        formParts =
            exactWords + (Array(forms.prefixes) + Array(forms.suffixes)).map { (Array($0.key.utf8), $0.value) }
            + forms.infixes.map { (Array($0.0.utf8), [$0.1]) }
        formPartsAreBytes = formParts.allSatisfy { Self.isPlainBytes($0.0) }
        negations = lexicon.negations.map { Normalizer.form(of: $0, options: options) }
    }

    /// A pattern word tokenised like the text: `50%` is `50`; a word the tokeniser splits becomes
    /// consecutive words (a wildcard stays on the last).
    static func expand(_ steps: [PatternSyntax.Step], mode: Query.MatchMode, options: Tokenizer.Options)
        -> [PatternSyntax.Step]
    {
        var result: [PatternSyntax.Step] = []
        let tokenizer = Tokenizer(options: options)
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
}

extension CompiledLexicon {
    /// Whether some pattern matches spellings (surface forms), so ``couldMatch(forms:surfaces:)``
    /// needs them.
    public var matchesSpellings: Bool { !surfaces.isEmpty }

    /// Whether some pattern could match a text made of these words (a document's distinct
    /// forms and surfaces): every element on some path through the trie is satisfied by one of
    /// the words. Order and gaps are ignored, so it may say yes wrongly, never no wrongly; a
    /// lexicon edit uses it to keep a document's suggestions without tokenising it again.
    public func couldMatch(forms: [String], surfaces: [String]) -> Bool {
        var satisfied: Set<Int32> = []
        for form in forms { satisfied.formUnion(self.forms.classes(of: form) { PorterStemmer.stem(form) }) }
        if !self.surfaces.isEmpty {
            for surface in surfaces { satisfied.formUnion(self.surfaces.classes(of: surface) { surface }) }
        }
        return reachesTerminal(satisfied)
    }

    /// ``couldMatch(forms:surfaces:)`` read straight from a document's forms as ``BinaryWriter``
    /// stores a `[String]`, without making a string of each ASCII word: a lexicon edit asks it
    /// of every document. Whole words are compared as bytes; other elements (stems, wildcards)
    /// are looked up as the matcher looks up an ASCII word (``ASCIILookup``), other words as
    /// strings. Nil when the lexicon matches spellings (they are not among the forms), or the
    /// bytes are not such an array.
    ///
    /// Where the lexicon has no stems, the bytes are searched first for each word and each
    /// wildcard's fixed part: a form a word or wildcard matches holds those bytes, so most
    /// documents are ruled out by a few `memmem`s without reading a form (a wildcard edit read
    /// every document's forms, ~0.25 s of CPU at 100 MB). That holds under any reading of the
    /// bytes, so bytes that are not such an array may be answered false too. In a document that
    /// holds a part, only the forms it is found in are judged, when every part is plain bytes
    /// (``formPartsAreBytes``).
    public func couldMatch(encodedForms: ArraySlice<UInt8>) -> Bool? {
        guard surfaces.isEmpty else { return nil }
        let searched = forms.stems.isEmpty && !formParts.isEmpty
        let firstOffsets = searched ? encodedForms.withUnsafeBufferPointer(formPartOffsets(in:)) : []
        if searched, !couldMatch(holding: { firstOffsets[$0] != nil }) {
            return false
        }
        let wholeWords = isWholeWords
        // Taken once: read through `self` inside the closure, each was retained and released
        // for every word (two fifths of judging a document).
        let (ascii, stems, exactKeys, exactWords) = (asciiForms, forms.stems, exactKeys, exactWords)
        var satisfied: Set<Int32> = []
        var classes: [Int32] = []
        func judge(_ form: UnsafeBufferPointer<UInt8>) {
            if wholeWords {
                let key = Self.key(length: form.count, first: form.first ?? 0)
                for index in exactKeys.indices where exactKeys[index] == key {
                    if exactWords[index].0.elementsEqual(form) { satisfied.formUnion(exactWords[index].1) }
                }
            } else if UTF8Scalars.isASCII(form) {
                classes.removeAll(keepingCapacity: true)
                ascii.appendClasses(of: form, to: &classes) {
                    stems[PorterStemmer.stem(String(decoding: form, as: UTF8.self))] ?? []
                }
                if !classes.isEmpty { satisfied.formUnion(classes) }
            } else {
                let word = String(decoding: form, as: UTF8.self)
                satisfied.formUnion(forms.classes(of: word) { PorterStemmer.stem(word) })
            }
        }
        var reader = BinaryReader(encodedForms)
        do throws(BinaryReader.Error) {
            if searched, formPartsAreBytes {
                // Only a form holding a part's bytes can satisfy its elements: the forms are
                // found by searching for the parts (some document holds one), not read one by
                // one (judging every form of such a document was most of a wildcard edit).
                let ranges = try reader.readStringRanges()
                guard reader.isAtEnd else { return nil }
                encodedForms.withUnsafeBufferPointer { buffer in
                    judgeForms(holdingPartsIn: buffer, ranges: ranges, from: firstOffsets) {
                        judge(UnsafeBufferPointer(rebasing: buffer[$0]))
                    }
                }
            } else {
                try reader.readStrings(judge)
                guard reader.isAtEnd else { return nil }
            }
        } catch {
            return nil
        }
        return reachesTerminal(satisfied)
    }

    /// Calls `judge` once with the range of each form (of `ranges`, in `bytes`) that holds a part
    /// of ``formParts``: each part is searched for from where it was first found (`firsts`, by
    /// part; nil: nowhere), then from the end of the last form it was found in.
    private func judgeForms(
        holdingPartsIn bytes: UnsafeBufferPointer<UInt8>, ranges: [Range<Int>], from firsts: [Int?],
        _ judge: (Range<Int>) -> Void
    ) {
        let raw = UnsafeRawBufferPointer(bytes)
        var judged = Set<Int>()
        for ((part, _), first) in zip(formParts, firsts) {
            guard let first else { continue }
            part.withUnsafeBytes { needle in
                var from = first
                while let offset = raw.firstOffset(of: needle, from: from) {
                    // The last form starting at or before the offset (binary search).
                    var low = 0
                    var high = ranges.count
                    while low < high {
                        let middle = (low + high) / 2
                        if ranges[middle].lowerBound <= offset { low = middle + 1 } else { high = middle }
                    }
                    let form = low - 1
                    guard form >= 0, offset + needle.count <= ranges[form].upperBound else {
                        from = offset + 1
                        continue
                    }
                    if judged.insert(form).inserted { judge(ranges[form]) }
                    from = ranges[form].upperBound
                }
            }
        }
    }

    /// ``couldMatch(forms:surfaces:)`` asked of filters of a document's forms: of each word
    /// whether the document has it (`has`), and of each wildcard's fixed start of `headLength`
    /// bytes or more whether a form starts with its first `headLength` (`starts`). Both may say
    /// yes wrongly, and so may this. A start not found only where its very bytes are
    /// (``isPlainBytes(_:)``), a shorter one, and every end or inside, is taken as there. Nil when
    /// the lexicon has stems or spellings.
    public func couldMatch(
        documentHas has: (UnsafeBufferPointer<UInt8>) -> Bool, headLength: Int,
        startingWith starts: (UnsafeBufferPointer<UInt8>) -> Bool
    ) -> Bool? {
        guard surfaces.isEmpty, forms.stems.isEmpty else { return nil }
        var satisfied: Set<Int32> = []
        for (word, elements) in exactWords where word.withUnsafeBufferPointer(has) { satisfied.formUnion(elements) }
        for (start, elements) in forms.prefixes {
            // A form a start matches begins with its characters: with its bytes, when plain.
            var start = start
            let found = start.withUTF8 { bytes in
                guard bytes.count >= headLength, Self.isPlainBytes(bytes) else { return true }
                return starts(UnsafeBufferPointer(rebasing: bytes.prefix(headLength)))
            }
            if found { satisfied.formUnion(elements) }
        }
        for elements in forms.suffixes.values { satisfied.formUnion(elements) }
        for (_, element) in forms.infixes { satisfied.insert(element) }
        return reachesTerminal(satisfied)
    }

    /// Whether some pattern could match one text (a turn), judged from its bytes without
    /// tokenising it: a token whose form is plain ASCII is a stretch of the text's bytes, case
    /// aside (``Tokenizer/spellsPlainASCIIFormsInPlace(_:)``), so a word the text does not hold
    /// in any case is none of its tokens, nor the start, end or inside of one (wildcards). Yes
    /// for a word beyond ASCII, for one with an apostrophe or hyphen in a text beyond ASCII
    /// (curly ones become straight), and for a text whose letters beyond ASCII may fold into it.
    /// Nil when the lexicon has stems or spellings.
    public func couldMatch(text: String) -> Bool? {
        guard surfaces.isEmpty, forms.stems.isEmpty, !formParts.isEmpty else { return nil }
        var text = text
        return text.withUTF8 { bytes in
            let ascii = UTF8Scalars.isASCII(bytes)
            if !ascii && !Tokenizer.spellsPlainASCIIFormsInPlace(bytes) { return true }
            return couldMatch(holding: { part in
                let word = formParts[part].0
                return word.contains { $0 >= 0x80 } || (!ascii && word.contains { $0 == 0x27 || $0 == 0x2D })
                    || word.withUnsafeBufferPointer { Self.contains($0, ignoringASCIICaseIn: bytes) }
            })
        }
    }

    /// Whether some path through the trie has every element satisfied, when a word or fixed part
    /// of ``formParts`` satisfies its elements where `holds` says the text has its bytes (asked
    /// once a part, by its index). The trie is walked only when some part is there: most texts
    /// hold none.
    private func couldMatch(holding holds: (Int) -> Bool) -> Bool {
        var satisfied: Set<Int32> = []
        for (part, (_, elements)) in formParts.enumerated() where holds(part) { satisfied.formUnion(elements) }
        return !satisfied.isEmpty && reachesTerminal(satisfied)
    }

    /// The ASCII characters that a scalar beyond ASCII equals in a `String` (its canonical
    /// decomposition is that character): `;` (the Greek question mark), `K` (the Kelvin sign) and
    /// `` ` `` (the Greek varia). A form may equal, start or end with a word holding one without
    /// holding its bytes. A test checks every scalar.
    static let asciiWithLookalikes: [UInt8] = Array(";K`".utf8)

    /// Whether a word or fixed part is found only where its very bytes are: not empty, ASCII,
    /// without a character that has a look-alike beyond ASCII.
    static func isPlainBytes(_ part: some Collection<UInt8>) -> Bool {
        !part.isEmpty && !part.contains { $0 >= 0x80 || asciiWithLookalikes.contains($0) }
    }

    /// Where `bytes` (a document's forms) first hold each word and fixed part of ``formParts``
    /// (nil: nowhere), searched for as they are: forms are folded as the patterns' words are. A
    /// part that is not plain bytes (``isPlainBytes(_:)``) is taken as held, at 0 (a form may
    /// spell it otherwise). A part nowhere is in no form, whatever the bytes' framing.
    private func formPartOffsets(in bytes: UnsafeBufferPointer<UInt8>) -> [Int?] {
        let raw = UnsafeRawBufferPointer(bytes)
        return formParts.map { part, _ in
            guard Self.isPlainBytes(part) else { return 0 }
            return part.withUnsafeBytes { raw.firstOffset(of: $0, from: 0) }
        }
    }

    /// Whether `text` holds `word`'s bytes, ASCII letters in either case.
    static func contains(_ word: UnsafeBufferPointer<UInt8>, ignoringASCIICaseIn text: UnsafeBufferPointer<UInt8>)
        -> Bool
    {
        guard !word.isEmpty else { return true }
        guard word.count <= text.count else { return false }
        let first = word[0].asciiLowercased
        var start = 0
        while start <= text.count - word.count {
            if text[start].asciiLowercased == first {
                var index = 1
                while index < word.count, text[start + index].asciiLowercased == word[index].asciiLowercased {
                    index += 1
                }
                if index == word.count { return true }
            }
            start += 1
        }
        return false
    }

    /// Whether every element is a whole form (no stems, wildcards or spellings).
    private var isWholeWords: Bool {
        !exactWords.isEmpty && forms.stems.isEmpty && forms.prefixes.isEmpty && forms.suffixes.isEmpty
            && forms.infixes.isEmpty && surfaces.isEmpty
    }

    private static func key(length: Int, first: UInt8) -> Int { length << 8 | Int(first) }

    /// Whether some path through the trie has every element satisfied.
    private func reachesTerminal(_ satisfied: Set<Int32>) -> Bool {
        var pending = satisfied.filter { $0 >= 0 && Int($0) + 1 < rootStarts.count }.flatMap { element in
            rootChildren[rootStarts[Int(element)]..<rootStarts[Int(element) + 1]]
        }
        var seen: Set<Int> = []
        while let node = pending.popLast() {
            guard seen.insert(node).inserted else { continue }
            if !nodes[node].terminals.isEmpty { return true }
            pending += nodes[node].edges.filter { satisfied.contains(Int32($0.element)) }.map(\.child)
        }
        return false
    }
}

/// A compiled lexicon bound to one corpus's vocabularies: each token id maps to the elements it
/// satisfies, and the trie is walked from every token, so matching time grows with the corpus,
/// not with the number of patterns. Hand-written: no package on this machine matches token
/// patterns. Phrases match across line breaks inside a turn, never across turns.
public struct LexiconMatcher: Sendable {
    /// A match of one pattern (or exclusion) of one code: tokens `[start, end)` of a segment.
    public struct Match: Sendable, Hashable {
        public var code: Int
        public var pattern: Int
        public var isExclusion: Bool
        public var start: Int
        public var end: Int
    }

    let compiled: CompiledLexicon
    var lexicon: Lexicon { compiled.lexicon }
    /// Element indices satisfied by each form id and each surface id.
    private var formClasses: WordClasses
    private var surfaceClasses: WordClasses
    private var negationForms: Set<Int32>

    /// Compiles the lexicon and binds it to the corpus (for one-off use; a run compiles once).
    public init(lexicon: Lexicon, corpus: TokenizedCorpus) {
        self.init(compiled: CompiledLexicon(lexicon: lexicon, options: corpus.options), corpus: corpus)
    }

    /// Binds a compiled lexicon to the corpus's vocabularies (tokenised with the same options).
    public init(compiled: CompiledLexicon, corpus: TokenizedCorpus) {
        self.compiled = compiled
        let forms = corpus.forms
        // The parts of the corpus and lexicon the closures read, taken once: reading them inside
        // copied the whole structs (a dozen references) for every word.
        let stems = corpus.stems
        let stemOfForm = corpus.stemOfForm
        let asciiForms = compiled.asciiForms
        let stemElements = compiled.forms.stems
        let compute = { (id: Int32) in compiled.forms.classes(of: forms[id]) { stems[stemOfForm[Int(id)]] } }
        // Without stem-mode codes the closure reads nothing of the corpus: capturing the stem
        // tables anyway retained and released each of them for every word bound.
        formClasses =
            asciiForms.hasStems
            ? compiled.formMemo.classes(
                of: forms,
                ascii: { id, bytes, result in
                    asciiForms.appendClasses(of: bytes, to: &result) { stemElements[stems[stemOfForm[Int(id)]]] ?? [] }
                }, compute: compute)
            : compiled.formMemo.classes(
                of: forms, ascii: { _, bytes, result in asciiForms.appendClasses(of: bytes, to: &result) { [] } },
                compute: compute)
        let surfaces = corpus.surfaces
        surfaceClasses =
            compiled.surfaces.isEmpty
            ? WordClasses(none: surfaces.count)
            : compiled.surfaceMemo.classes(of: surfaces) { id, bytes, result in
                compiled.asciiSurfaces.appendClasses(of: bytes, to: &result) {
                    compiled.surfaces.stems[surfaces[id]] ?? []
                }
            } compute: { id in
                compiled.surfaces.classes(of: surfaces[id]) { surfaces[id] }
            }
        negationForms = Set(compiled.negations.compactMap { forms.id(of: $0) })
    }

    /// Every pattern and exclusion match in one segment's tokens, sorted by start, end, code, pattern.
    public func matches(in tokens: [Token]) -> [Match] {
        guard !tokens.isEmpty else { return [] }
        // The class tables read through buffers for the whole segment: a slice of them per token
        // cost a retain and a release of each table for every token of a corpus, where most
        // tokens have no class at all.
        var found = formClasses.withUnsafeBuffers { formStarts, formElements in
            surfaceClasses.withUnsafeBuffers { surfaceStarts, surfaceElements in
                tokens.withUnsafeBufferPointer { tokens in
                    var found: [Match] = []
                    func forms(_ position: Int) -> Range<Int> {
                        let id = Int(tokens[position].form)
                        return Int(formStarts[id])..<Int(formStarts[id + 1])
                    }
                    func surfaces(_ position: Int) -> Range<Int> {
                        let id = Int(tokens[position].surface)
                        return Int(surfaceStarts[id])..<Int(surfaceStarts[id + 1])
                    }
                    func has(_ position: Int, _ element: Int32) -> Bool {
                        forms(position).contains { formElements[$0] == element }
                            || surfaces(position).contains { surfaceElements[$0] == element }
                    }
                    func walk(_ node: Int, _ position: Int, _ start: Int) {
                        for terminal in compiled.nodes[node].terminals {
                            found.append(
                                Match(
                                    code: terminal.code, pattern: terminal.pattern, isExclusion: terminal.exclusion,
                                    start: start, end: position))
                        }
                        for edge in compiled.nodes[node].edges {
                            var probe = position
                            while probe < tokens.count && probe <= position + edge.gap {
                                if has(probe, Int32(edge.element)) { walk(edge.child, probe + 1, start) }
                                probe += 1
                            }
                        }
                    }
                    compiled.rootStarts.withUnsafeBufferPointer { rootStarts in
                        compiled.rootChildren.withUnsafeBufferPointer { rootChildren in
                            func walkRoot(_ element: Int32, _ start: Int) {
                                let element = Int(element)
                                for index in rootStarts[element]..<rootStarts[element + 1] {
                                    walk(rootChildren[index], start + 1, start)
                                }
                            }
                            for start in tokens.indices {
                                for index in forms(start) { walkRoot(formElements[index], start) }
                                for index in surfaces(start) { walkRoot(surfaceElements[index], start) }
                            }
                        }
                    }
                    return found
                }
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

/// The element classes of the non-ASCII words bound so far in a run, shared by every document's
/// binding (tables keyed by the words' bytes): most words recur from document to document, and
/// finding such a word's classes costs several hash lookups and substrings by `Character`, while
/// finding it here costs one byte hash. ASCII words (nearly all of an English corpus) skip the
/// memo: ``CompiledLexicon/ASCIILookup`` finds theirs in small tables that stay in cache, where
/// a run-wide table of every word missed it (a tenth of a cold run's samples). One table per
/// core, each behind its own lock, a binding taking whichever is free: with one table the
/// workers queued for it (a document holds it for all its words).
final class ClassMemo: @unchecked Sendable {
    private final class Shard: @unchecked Sendable {
        var words = Vocabulary(capacity: 1 << 10)
        var classes: [[Int32]] = []
        let lock = NSLock()
    }
    private let shards = (0..<max(1, activeCores)).map { _ in Shard() }

    /// The classes of every word of `vocabulary`: `ascii` appends an ASCII word's, `compute`
    /// gives another word's not seen before.
    func classes(
        of vocabulary: Vocabulary, ascii: (Int32, UnsafeBufferPointer<UInt8>, inout [Int32]) -> Void,
        compute: (Int32) -> [Int32]
    ) -> WordClasses {
        let shard =
            shards.first { $0.lock.try() }
            ?? {
                shards[0].lock.lock()
                return shards[0]
            }()
        defer { shard.lock.unlock() }
        // The forms in one pass over the vocabulary's bytes, not looked up by id one by one; the
        // starts written into an array of their size.
        var elements: [Int32] = []
        let starts = [Int32](unsafeUninitializedCapacity: vocabulary.count + 1) { starts, made in
            starts[0] = 0
            var id: Int32 = 0
            vocabulary.forEachForm { bytes in
                if UTF8Scalars.isASCII(bytes) {
                    ascii(id, bytes, &elements)
                } else {
                    let known = shard.words.count
                    let memo = Int(shard.words.intern(bytes))
                    if memo == known { shard.classes.append(compute(id)) }
                    elements += shard.classes[memo]
                }
                id += 1
                starts[Int(id)] = Int32(elements.count)
            }
            made = Int(id) + 1
        }
        return WordClasses(starts: starts, elements: elements)
    }
}

/// The element classes of each word of a vocabulary, by its id, in one array: most words have
/// none, and an array per word cost a retain and release for each.
struct WordClasses: Sendable {
    var starts: [Int32] = [0]
    var elements: [Int32] = []

    init(starts: [Int32], elements: [Int32]) {
        self.starts = starts
        self.elements = elements
    }

    /// `count` words without classes.
    init(none count: Int) { starts = Array(repeating: 0, count: count + 1) }

    subscript(id: Int32) -> ArraySlice<Int32> { elements[Int(starts[Int(id)])..<Int(starts[Int(id) + 1])] }

    /// `body` with the starts and the elements as buffers (no retain per word looked up).
    func withUnsafeBuffers<Result>(
        _ body: (UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>) -> Result
    ) -> Result {
        starts.withUnsafeBufferPointer { starts in elements.withUnsafeBufferPointer { body(starts, $0) } }
    }
}

extension PatternSyntax {
    private static let memo = SyntaxMemo()

    /// The parse of a pattern, remembered for the process: reading a lexicon checks each of its
    /// patterns, its problems check them again, and every document's matcher compiles them.
    public static func parsing(_ text: String) throws(PatternError) -> PatternSyntax {
        try memo.parse(text).get()
    }

    static func parsed(_ text: String) -> PatternSyntax? { try? parsing(text) }
}

private final class SyntaxMemo: @unchecked Sendable {
    private var values: [String: Result<PatternSyntax, PatternError>] = [:]
    private let lock = NSLock()

    func parse(_ text: String) -> Result<PatternSyntax, PatternError> {
        if let known = lock.withLock({ values[text] }) { return known }
        let parsed = Result { () throws(PatternError) in try PatternSyntax(text) }
        lock.withLock { values[text] = parsed }
        return parsed
    }
}
