import Corpus
import TextAnalysis

/// A codebook with the words and phrases that suggest each code: themes, codes and sub-codes.
///
/// Read from YAML, LIWC `.dic` or quanteda-style dictionaries by the pipeline; validated by
/// ``Lexicon/problems()``. `contentHash` identifies exactly which lexicon produced a suggestion.
public struct Lexicon: Sendable, Hashable, Codable {
    public var codes: [Code]
    /// Words that negate what follows (for ``NegationRule``); the default English list unless set.
    public var negations: [String]
    /// SHA-256 of the file the lexicon was read from.
    public var contentHash: String
    public var source: String

    public init(
        codes: [Code], negations: [String] = Lexicon.englishNegations, contentHash: String = "", source: String = ""
    ) {
        self.codes = codes
        self.negations = negations
        self.contentHash = contentHash
        self.source = source
    }

    /// Negation words in the spirit of WordStat's default list.
    public static let englishNegations = [
        "no", "not", "never", "none", "nobody", "nothing", "neither", "nor", "nowhere", "without", "hardly",
        "barely", "scarcely", "lack", "lacks", "lacking", "cannot", "can't", "don't", "doesn't", "didn't", "isn't",
        "aren't", "wasn't", "weren't", "won't", "wouldn't", "shouldn't", "couldn't", "haven't", "hasn't", "hadn't",
        "mustn't", "needn't", "ain't",
    ]

    public func code(named name: String) -> Code? { codes.first { $0.name == name } }

    /// The path from the top theme down to a code (`["Barriers", "Lack of protected time"]`).
    public func path(of name: String) -> [String] {
        Self.path(of: name) { code(named: $0)?.parent }
    }

    /// Every code's path, in the codes' order: one pass over a table of parents by name, where
    /// ``path(of:)`` searches the codes for each step.
    public var paths: [[String]] {
        var parents: [String: String?] = [:]
        for code in codes where parents[code.name] == nil { parents[code.name] = .some(code.parent) }
        return codes.map { code in Self.path(of: code.name) { parents[$0] ?? nil } }
    }

    private static func path(of name: String, parent: (String) -> String?) -> [String] {
        var path: [String] = []
        var current: String? = name
        var seen: Set<String> = []
        while let step = current, seen.insert(step).inserted {
            path.insert(step, at: 0)
            current = parent(step)
        }
        return path
    }

    /// Every structural problem: duplicate codes, missing or cyclic parents, and (unless a
    /// reader has told them already, with their columns) unusable patterns. Each message follows
    /// the code's name.
    public func problems(patterns checkPatterns: Bool = true) -> [LexiconProblem] {
        var problems: [LexiconProblem] = []
        var seen: [String: Int?] = [:]
        for code in codes {
            if let first = seen[code.name] {
                problems.append(
                    LexiconProblem(
                        line: code.line, entry: code.name,
                        message: "the code is defined twice" + (first.map { " (first on line \($0))" } ?? "")))
            } else {
                seen[code.name] = code.line
            }
        }
        for code in codes {
            if let parent = code.parent, seen[parent] == nil {
                problems.append(
                    LexiconProblem(
                        line: code.line, entry: code.name,
                        message: "parent \"\(parent)\" is not a code"
                            + (Spelling.closest(to: parent, in: codes.map(\.name)).map { "; did you mean \"\($0)\"?" }
                                ?? "")))
            }
            var visited: Set<String> = [code.name]
            var current = code.parent
            while let step = current {
                if !visited.insert(step).inserted {
                    problems.append(
                        LexiconProblem(
                            line: code.line, entry: code.name,
                            message: "the code is its own ancestor (a cycle of parents through \"\(step)\")"))
                    break
                }
                current = self.code(named: step)?.parent
            }
            // A pattern listed twice (as written, or quoted once) made each of its matches
            // evidence twice, and counted twice in the lexicon report.
            for list in [code.patterns, code.exclusions] {
                var seen: [PatternSyntax: String] = [:]
                for entry in list {
                    guard let syntax = try? PatternSyntax.parsing(entry.text) else { continue }
                    if let first = seen.updateValue(entry.text, forKey: syntax) {
                        problems.append(
                            LexiconProblem(
                                line: entry.line ?? code.line, entry: code.name,
                                message: "pattern \"\(first)\" is listed twice"
                                    + (first == entry.text ? "" : " (as \"\(entry.text)\")")))
                    }
                }
            }
            for entry in code.patterns + code.exclusions where checkPatterns {
                do {
                    _ = try PatternSyntax.parsing(entry.text)
                } catch {
                    problems.append(
                        LexiconProblem(
                            line: entry.line ?? code.line, entry: code.name,
                            message: "pattern \"\(entry.text)\": \(error.message)"))
                }
            }
        }
        return problems
    }
}

/// A code of the codebook and how the lexicon suggests it.
public struct Code: Sendable, Hashable, Codable {
    public var name: String
    public var description: String?
    /// The code above this one (theme → code → sub-code).
    public var parent: String?
    public var patterns: [PatternEntry]
    /// Patterns that veto a match they overlap (`hype cycle` against `hype`).
    public var exclusions: [PatternEntry]
    public var match: Query.MatchMode
    public var negation: NegationRule?
    public var weight: Double?
    public var examples: Examples
    /// Line of the definition in its file.
    public var line: Int?

    public init(
        name: String, description: String? = nil, parent: String? = nil, patterns: [PatternEntry] = [],
        exclusions: [PatternEntry] = [], match: Query.MatchMode = .lower, negation: NegationRule? = nil,
        weight: Double? = nil, examples: Examples = Examples(), line: Int? = nil
    ) {
        self.name = name
        self.description = description
        self.parent = parent
        self.patterns = patterns
        self.exclusions = exclusions
        self.match = match
        self.negation = negation
        self.weight = weight
        self.examples = examples
        self.line = line
    }
}

/// One pattern as written, with its own negation rule or weight when it has one.
public struct PatternEntry: Sendable, Hashable, Codable, ExpressibleByStringLiteral {
    public var text: String
    public var negation: NegationRule?
    public var weight: Double?
    public var line: Int?

    public init(_ text: String, negation: NegationRule? = nil, weight: Double? = nil, line: Int? = nil) {
        self.text = text
        self.negation = negation
        self.weight = weight
        self.line = line
    }

    public init(stringLiteral value: String) { self.init(value) }
}

/// WordStat-style negation: a match preceded within `within` tokens of its sentence by a
/// negation word is dropped (`exclude`) or is the only kind kept (`require`).
public struct NegationRule: Sendable, Hashable, Codable {
    public enum Mode: String, Sendable, Hashable, Codable { case exclude, require }
    public var mode: Mode
    public var within: Int

    public init(mode: Mode = .exclude, within: Int = 3) {
        self.mode = mode
        self.within = within
    }
}

/// Texts a code must and must not match: the lexicon's own unit tests.
public struct Examples: Sendable, Hashable, Codable {
    public var match: [String]
    public var noMatch: [String]

    public init(match: [String] = [], noMatch: [String] = []) {
        self.match = match
        self.noMatch = noMatch
    }
}

/// A structural problem of a lexicon, with the line and entry it is about.
public struct LexiconProblem: Sendable, Hashable, Error {
    public var line: Int?
    public var entry: String
    public var message: String
}
