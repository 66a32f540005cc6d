import Coding
import Corpus
import Foundation
import TextAnalysis

/// A code as far as its suggestions go: its settings (everything but its patterns and
/// exclusions: match mode, negation, weight, place in the tree, the negation words, the stage's
/// options) and its pattern entries. Descriptions, examples and line numbers are left out, so
/// that editing them, or adding a line above, matches nothing again.
struct CodeVersion: Sendable, Hashable, BinaryCodable {
    /// A pattern as written and the key of everything a match of it carries (text, negation, weight).
    struct Entry: Sendable, Hashable, BinaryCodable {
        var text: String
        var key: String

        init(_ entry: PatternEntry) {
            text = entry.text
            key = CodeVersion.key(of: entry)
        }

        func write(to writer: inout BinaryWriter) {
            writer.write(text)
            writer.write(key)
        }

        init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
            text = try reader.read()
            key = try reader.read()
        }
    }

    var name: String
    var settings: String
    var patterns: [Entry]
    var exclusions: [Entry]

    /// The code's cache key: a lexicon edit changes only the keys of the codes it touches.
    var key: String {
        ContentHash.combining(
            ["code", settings] + patterns.map(\.key) + ["exclusions"] + exclusions.map(\.key))
    }

    init(_ code: Code, in lexicon: Lexicon, shared: String) {
        name = code.name
        settings = ContentHash.combining([
            Self.settingsKey(of: code), joined(lexicon.path(of: code.name), separator: "\u{1F}"), shared,
        ])
        patterns = code.patterns.map(Entry.init)
        exclusions = code.exclusions.map(Entry.init)
    }

    // The keys of a definition's fields, each named and length-prefixed (``ContentHash/Combiner``),
    // written by hand: `JSONEncoder` took ~4 µs a pattern, for 175 patterns and 40 codes on both
    // cores before every run's first document. `definitionKeysHoldEveryField` fails when a field
    // is added to these types and not here.

    /// A pattern's definition: all but its line.
    static func key(of entry: PatternEntry) -> String {
        var combiner = ContentHash.Combiner()
        combiner.add("pattern")
        combiner.add(entry.text)
        add(entry.negation, entry.weight, to: &combiner)
        return combiner.hash
    }

    /// A code's settings: all but its patterns, exclusions, description, examples and line.
    static func settingsKey(of code: Code) -> String {
        var combiner = ContentHash.Combiner()
        combiner.add("code")
        combiner.add(code.name)
        combiner.add(code.parent.map { "+" + $0 } ?? "-")
        combiner.add(code.match.rawValue)
        add(code.negation, code.weight, to: &combiner)
        return combiner.hash
    }

    private static func add(_ negation: NegationRule?, _ weight: Double?, to combiner: inout ContentHash.Combiner) {
        combiner.add(negation.map { "+" + $0.mode.rawValue } ?? "-")
        combiner.add(negation.map { String($0.within) } ?? "")
        combiner.add(weight.map { "+" + String($0.bitPattern, radix: 16) } ?? "-")
    }

    /// The pattern and exclusion texts added or removed since `old`, when nothing else differs:
    /// same name and settings, and the entries both have in the same order (a match's evidence
    /// is ordered by pattern). A document in which none of them can match keeps the old
    /// version's suggestions. Nil when the versions differ otherwise.
    func changedTexts(since old: CodeVersion) -> [String]? {
        guard name == old.name, settings == old.settings else { return nil }
        var changed: [String] = []
        for (new, previous) in [(patterns, old.patterns), (exclusions, old.exclusions)] {
            let newKeys = Set(new.map(\.key))
            let oldKeys = Set(previous.map(\.key))
            let added = new.filter { !oldKeys.contains($0.key) }
            let removed = previous.filter { !newKeys.contains($0.key) }
            guard new.filter({ oldKeys.contains($0.key) }) == previous.filter({ newKeys.contains($0.key) })
            else { return nil }
            changed += (added + removed).map(\.text)
        }
        return changed
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(name)
        writer.write(settings)
        writer.write(patterns)
        writer.write(exclusions)
    }

    init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        name = try reader.read()
        settings = try reader.read()
        patterns = try reader.read()
        exclusions = try reader.read()
    }
}

/// The code versions of the last run (and those still carried over) by key (`.cache/codes.bin`), and for each code of this run
/// the earlier versions its cached suggestions may be carried over from: a lexicon edit then
/// matches a code again only in the documents whose words could match what the edit changed.
struct CodeHistory: Sendable {
    /// An earlier version of a code, and the lexicon of the texts changed since, compiled to test
    /// a document's vocabulary.
    struct Carry: Sendable {
        var key: String
        /// The code's version with no patterns (``CodeHistory/absentKey(of:)``): its suggestions
        /// are none in every document, known without the cache.
        var isEmpty = false
        private let compiled: Lazy<CompiledLexicon>
        /// Compiled when first asked for: a run whose documents' words are not known never asks.
        var probe: CompiledLexicon { compiled.value }

        init(key: String, isEmpty: Bool = false, probe: @escaping @Sendable () -> CompiledLexicon) {
            self.key = key
            self.isEmpty = isEmpty
            compiled = Lazy(probe)
        }
    }

    /// By code index: earlier versions the code's suggestions can be carried over from, the
    /// version with no patterns last (a code just added has no other).
    let carries: [[Carry]]
    /// Whether a code not as the last run recorded it has a wildcard: the run may then ask the
    /// word index's heads (``HeadIndex``) of every document.
    let changesWildcards: Bool
    private let versions: [String: CodeVersion]
    private let used = UsedKeys()

    /// The keys of earlier versions some document's suggestions were carried over from.
    private final class UsedKeys: @unchecked Sendable {
        var keys: Set<String> = []
        let lock = NSLock()
    }

    /// The key of `name`'s version with no patterns, which suggests nothing anywhere: a document
    /// none of whose words the code's patterns could match has its suggestions (none) as that
    /// version has them, whatever the code was before, even when it was not in the lexicon.
    static func absentKey(of name: String) -> String {
        ContentHash.combining(["code with no patterns", name])
    }

    /// The name of the code an earlier version (by key) was a version of.
    func name(ofVersion key: String) -> String? {
        versions[key]?.name
    }

    /// Notes that a document kept the suggestions of this earlier version (so it is kept).
    func carried(from key: String) {
        used.lock.withLock { _ = used.keys.insert(key) }
    }

    private static let tag = "tmine-codes-\(BinaryWriter.formatVersion)"

    private static func path(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/codes.bin")
    }

    /// The earlier versions recorded in `out`, for the current codes of `lexicon` (`current`:
    /// their versions, in order).
    init(lexicon: Lexicon, current: [CodeVersion], out: String, options: Tokenizer.Options) {
        let versions =
            CacheFile.read([String: CodeVersion].self, at: Self.path(in: out), tag: Self.tag, key: "") ?? [:]
        self.versions = versions
        changesWildcards = zip(lexicon.codes, current).contains { code, current in
            versions[current.key] == nil && code.patterns.contains { $0.text.contains("*") }
        }
        carries = zip(lexicon.codes, current).map { code, current in
            // Hashed once per code, not once per stored version (forty codes by forty versions).
            let currentKey = current.key
            func probe(_ patterns: [PatternEntry]) -> @Sendable () -> CompiledLexicon {
                let changed = Code(name: code.name, patterns: patterns, match: code.match)
                return { CompiledLexicon(lexicon: Lexicon(codes: [changed], negations: []), options: options) }
            }
            let earlier = versions.compactMap { key, old -> Carry? in
                guard key != currentKey, let texts = current.changedTexts(since: old) else { return nil }
                return Carry(key: key, probe: probe(texts.map { PatternEntry($0) }))
            }
            // Where none of the code's patterns could match, its suggestions are none.
            return earlier + [Carry(key: Self.absentKey(of: code.name), isEmpty: true, probe: probe(code.patterns))]
        }
    }

    /// Records this run's versions for the next run, and the earlier ones suggestions were
    /// carried over from (a document whose cache is older than those is matched again).
    func save(_ current: [CodeVersion], in out: String) {
        var kept = Dictionary(current.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for key in used.lock.withLock({ used.keys }) { kept[key] = versions[key] }
        guard kept != versions else { return }
        CacheFile.write(at: Self.path(in: out), tag: Self.tag, key: "") { $0.write(kept) }
    }
}

/// The codes of the previous suggestions layout matched to this run's, by key or by name: a
/// lexicon edit that adds, removes or renames a code leaves most documents' suggestions as they
/// were, and those documents are still copied from the previous file.
struct CodeAlignment: Sendable {
    /// Per key number of the previous layout, the current code it is a version of, or -1.
    private let codeOfKey: [Int]
    /// Per code number of the previous suggestion index, the current code of that name, or -1.
    private let codeOfIndexCode: [Int]
    private let index: SuggestionIndex?
    private let count: Int

    init(
        layout: SuggestionLayout, index: SuggestionIndex?, codes: [CodeVersion], absentKeys: [String],
        history: CodeHistory?
    ) {
        var byName: [String: Int] = [:]
        var byKey: [String: Int] = [:]
        for (number, code) in codes.enumerated() {
            byName[code.name] = number
            byKey[code.key] = number
            byKey[absentKeys[number]] = number
        }
        codeOfKey = layout.keys.map { key in
            byKey[key] ?? history?.name(ofVersion: key).flatMap { byName[$0] } ?? -1
        }
        codeOfIndexCode = index?.names.map { byName[$0] ?? -1 } ?? []
        self.index = index
        count = codes.count
    }

    /// Per current code, the position in `document`'s sources of an earlier version of it, or -1
    /// (a code added since, or whose version is not known). `aligned` when each code is at its
    /// own position and no other is there. Nil when the codes are not in the lexicon's order: the
    /// suggestions of one place are ordered by code.
    func positions(in document: SuggestionLayout.Document) -> (positions: [Int], aligned: Bool)? {
        var positions = [Int](repeating: -1, count: count)
        var aligned = document.sources.count == count
        var last = -1
        for (position, key) in document.sources.enumerated() {
            let code = codeOfKey[key]
            guard code >= 0 else {
                aligned = false
                continue
            }
            guard code > last else { return nil }
            if code != position { aligned = false }
            last = code
            positions[code] = position
        }
        return (positions, aligned)
    }

    /// Whether each of `document`'s suggestions (in the previous index) is of a code found among
    /// its sources (`positions`, as ``positions(in:)`` gives them): none is of a removed code.
    func suggestions(of document: SuggestionLayout.Document, areAllOf positions: [Int]) -> Bool {
        guard let index else { return false }
        let range = document.first..<document.first + document.statuses.count
        guard range.upperBound <= index.codes.count else { return false }
        return index.codes[range].allSatisfy { code in
            let current = codeOfIndexCode.indices.contains(Int(code)) ? codeOfIndexCode[Int(code)] : -1
            return current >= 0 && positions[current] >= 0
        }
    }
}
