import Coding
import Corpus
import Foundation
import TextAnalysis
import Yams

/// Reads lexicons: the project's YAML codebook, quanteda-style YAML dictionaries and LIWC `.dic`
/// dictionaries, reporting every problem with file, line and entry.
public enum LexiconReader {
    static let topKeys = ["lexicon", "description", "codes", "negations"]
    static let codeKeys = [
        "name", "description", "parent", "patterns", "exclude", "match", "negation", "weight", "examples",
    ]
    static let patternKeys = ["pattern", "negation", "weight"]

    /// Reads a lexicon file; the format comes from the extension (`.dic`) or the YAML's shape.
    public static func read(_ path: String) throws(PipelineErrors) -> Lexicon {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineErrors(errors: [
                PipelineError(file: path, message: AtomicFile.cannotRead("lexicon file", at: path))
            ])
        }
        let text = String(decoding: data, as: UTF8.self)
        var lexicon =
            path.lowercased().hasSuffix(".dic")
            ? try readLIWC(text, file: path) : try readYAML(text, file: path)
        lexicon.contentHash = ContentHash.of(data)
        lexicon.source = path
        let problems = lexicon.problems()
        if !problems.isEmpty {
            throw PipelineErrors(
                errors: problems.map {
                    PipelineError(file: path, line: $0.line, message: "\($0.entry): \($0.message)")
                })
        }
        return lexicon
    }

    public static func readYAML(_ text: String, file: String) throws(PipelineErrors) -> Lexicon {
        let (yaml, root) = YAMLNodeReader.parse(text, file: file)
        guard let root else { throw PipelineErrors(errors: yaml.errors) }
        let isCodebook: Bool =
            if case .mapping(let mapping) = root { mapping.keys.contains { $0.string == "codes" } } else { false }
        let lexicon = isCodebook ? codebook(root, yaml: yaml) : dictionary(root, yaml: yaml)
        if !yaml.errors.isEmpty {
            // With the codes' own problems (a parent misspelt, a code twice), so that one reading
            // names everything to mend; the patterns' are among the reader's errors already.
            let structural = lexicon.problems(patterns: false).map {
                PipelineError(file: file, line: $0.line, message: "\($0.entry): \($0.message)")
            }
            throw PipelineErrors(
                errors: (yaml.errors + structural).enumerated().sorted {
                    ($0.element.line ?? .max, $0.offset) < ($1.element.line ?? .max, $1.offset)
                }.map(\.element))
        }
        return lexicon
    }

    private static func codebook(_ root: Node, yaml: YAMLNodeReader) -> Lexicon {
        var lexicon = Lexicon(codes: [])
        for (key, _, value) in yaml.mapping(root, known: topKeys, what: "the lexicon") {
            switch key {
            case "codes":
                if case .mapping = value {
                    // The short form `codes: {code: [pattern, …]}` (the benchmark lexicon's).
                    for (name, keyNode, patterns) in yaml.mapping(value, known: [], what: "codes") {
                        lexicon.codes.append(
                            Code(
                                name: name, patterns: self.patterns(patterns, yaml: yaml, what: "\"\(name)\""),
                                line: keyNode.mark?.line))
                    }
                } else {
                    for item in yaml.sequence(value, what: "codes") {
                        if let code = code(item, yaml: yaml) { lexicon.codes.append(code) }
                    }
                }
            case "negations":
                lexicon.negations = yaml.strings(value, what: "negations")
            default:
                _ = yaml.string(value, what: key)
            }
        }
        return lexicon
    }

    private static func code(_ node: Node, yaml: YAMLNodeReader) -> Code? {
        var code = Code(name: "", line: node.mark?.line)
        var named = false
        for (key, _, value) in yaml.mapping(node, known: codeKeys, what: "a code") {
            switch key {
            case "name":
                code.name = yaml.string(value, what: "name") ?? ""
                named = !code.name.isEmpty
            case "description": code.description = yaml.string(value, what: "description")
            case "parent": code.parent = yaml.string(value, what: "parent")
            case "patterns": code.patterns = patterns(value, yaml: yaml, what: "patterns")
            case "exclude": code.exclusions = patterns(value, yaml: yaml, what: "exclude")
            case "match":
                if let text = yaml.string(value, what: "match") {
                    if let mode = Query.MatchMode(rawValue: text) {
                        code.match = mode
                    } else {
                        yaml.error(at: value, "match is surface, lower or stem")
                    }
                }
            case "negation": code.negation = negation(value, yaml: yaml)
            case "weight":
                if let weight = value.float, weight > 0 {
                    code.weight = weight
                } else {
                    yaml.error(at: value, "weight must be a positive number")
                }
            default:
                for (kind, _, texts) in yaml.mapping(value, known: ["match", "noMatch"], what: "examples") {
                    let list = yaml.strings(texts, what: "examples.\(kind)")
                    if kind == "match" { code.examples.match = list } else { code.examples.noMatch = list }
                }
            }
        }
        if !named {
            yaml.error(at: node, "a code needs a name")
            return nil
        }
        return code
    }

    private static func patterns(_ node: Node, yaml: YAMLNodeReader, what: String) -> [PatternEntry] {
        let items: [Node] = if case .sequence(let sequence) = node { Array(sequence) } else { [node] }
        var entries: [PatternEntry] = []
        for item in items {
            if case .mapping = item {
                var entry = PatternEntry("", line: item.mark?.line)
                for (key, _, value) in yaml.mapping(item, known: patternKeys, what: "a pattern") {
                    switch key {
                    case "pattern": entry.text = yaml.string(value, what: "pattern") ?? ""
                    case "negation": entry.negation = negation(value, yaml: yaml)
                    default:
                        if let weight = value.float, weight > 0 {
                            entry.weight = weight
                        } else {
                            yaml.error(at: value, "weight must be a positive number")
                        }
                    }
                }
                if entry.text.isEmpty { yaml.error(at: item, "a pattern entry needs `pattern:`") }
                entries.append(entry)
            } else if let text = yaml.string(item, what: "a pattern") {
                do throws(PatternError) {
                    _ = try PatternSyntax.parsing(text)
                } catch {
                    yaml.error(at: item, "pattern \"\(text)\": \(error.message)")
                }
                entries.append(PatternEntry(text, line: item.mark?.line))
            }
        }
        return entries
    }

    /// `negation: 3` (exclude within 3), `negation: true` (exclude within 3), or
    /// `negation: {mode: require, within: 2}`.
    private static func negation(_ node: Node, yaml: YAMLNodeReader) -> NegationRule? {
        if case .scalar = node {
            if let within = node.int { return NegationRule(mode: .exclude, within: within) }
            if let flag = node.bool { return flag ? NegationRule() : nil }
            yaml.error(at: node, "negation is a number of tokens, true, or {mode: exclude|require, within: N}")
            return nil
        }
        var rule = NegationRule()
        for (key, _, value) in yaml.mapping(node, known: ["mode", "within"], what: "negation") {
            if key == "mode" {
                if let text = yaml.string(value, what: "mode"), let mode = NegationRule.Mode(rawValue: text) {
                    rule.mode = mode
                } else {
                    yaml.error(at: value, "negation mode is exclude or require")
                }
            } else {
                rule.within = yaml.int(value, what: "within", range: 1...50) ?? 3
            }
        }
        return rule
    }

    /// A quanteda-style dictionary: keys are codes, values lists of patterns or nested keys
    /// (sub-codes).
    private static func dictionary(_ root: Node, yaml: YAMLNodeReader) -> Lexicon {
        var codes: [Code] = []
        func walk(_ node: Node, parent: String?) {
            for (key, keyNode, value) in yaml.mapping(node, known: [], what: "the dictionary") {
                var code = Code(name: key, parent: parent, line: keyNode.mark?.line)
                switch value {
                case .mapping:
                    codes.append(code)
                    walk(value, parent: key)
                default:
                    code.patterns = yaml.strings(value, what: "\"\(key)\"").map {
                        PatternEntry($0, line: value.mark?.line)
                    }
                    codes.append(code)
                }
            }
        }
        walk(root, parent: nil)
        return Lexicon(codes: codes)
    }

    private static func sameCategory(_ a: String, _ b: String) -> Bool {
        a == b || (Int(a).map { $0 == Int(b) } ?? false)
    }

    /// A LIWC dictionary: categories numbered between `%` lines, then `word<TAB>n<TAB>n…` lines.
    public static func readLIWC(_ text: String, file: String) throws(PipelineErrors) -> Lexicon {
        var errors: [PipelineError] = []
        var categories: [(number: String, name: String, line: Int)] = []
        var patterns: [String: [PatternEntry]] = [:]
        var section = 0
        // Line ends of any system: split on "\n", a Windows-saved dictionary was one long line.
        for (offset, raw) in text.linesOfAnyEnding.enumerated() {
            let line = offset + 1
            let content = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if content.isEmpty { continue }
            if content == "%" {
                section += 1
                continue
            }
            let fields = content.split(whereSeparator: { $0 == "\t" }).map { $0.trimmingCharacters(in: .whitespaces) }
            switch section {
            case 1:
                let parts = fields.count >= 2 ? fields : content.split(separator: " ", maxSplits: 1).map(String.init)
                guard parts.count >= 2 else {
                    errors.append(PipelineError(file: file, line: line, message: "a category line is NUMBER<TAB>NAME"))
                    continue
                }
                categories.append((parts[0], parts[1], line))
            case 2:
                // After a tab, category numbers apart by tabs or spaces; without one (dictionaries
                // saved with spaces), the numbers that end the line, the words before them the entry.
                let words = content.split(whereSeparator: \.isWhitespace).map(String.init)
                let numbers =
                    fields.count >= 2
                    ? fields.dropFirst().flatMap { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
                    : Array(words.reversed().prefix { $0.allSatisfy { ("0"..."9").contains($0) } }.reversed())
                let entry =
                    fields.count >= 2 ? fields[0] : words.dropLast(numbers.count).joined(separator: " ")
                guard !entry.isEmpty, !numbers.isEmpty else {
                    errors.append(PipelineError(file: file, line: line, message: "an entry is WORD<TAB>CATEGORY…"))
                    continue
                }
                for number in numbers {
                    // "01" and "1" name one category.
                    guard let category = categories.first(where: { Self.sameCategory($0.number, number) }) else {
                        errors.append(
                            PipelineError(
                                file: file, line: line,
                                message: "\"\(entry)\" names category \(number), which is not defined"))
                        continue
                    }
                    patterns[category.number, default: []].append(PatternEntry(entry, line: line))
                }
            default:
                errors.append(PipelineError(file: file, line: line, message: "a LIWC dictionary starts with a % line"))
            }
        }
        if !errors.isEmpty { throw PipelineErrors(errors: errors) }
        return Lexicon(
            codes: categories.map { Code(name: $0.name, patterns: patterns[$0.number] ?? [], line: $0.line) })
    }
}

/// Writes a lexicon as the project's YAML codebook.
public enum LexiconWriter {
    public static func yaml(_ lexicon: Lexicon) throws -> String {
        func patternNode(_ entry: PatternEntry) -> Node {
            guard entry.negation != nil || entry.weight != nil else { return Node(entry.text) }
            var pairs: [(Node, Node)] = [(Node("pattern"), Node(entry.text))]
            if let rule = entry.negation { pairs.append((Node("negation"), negationNode(rule))) }
            if let weight = entry.weight { pairs.append((Node("weight"), Node(String(weight)))) }
            return Node(pairs)
        }
        func negationNode(_ rule: NegationRule) -> Node {
            Node([(Node("mode"), Node(rule.mode.rawValue)), (Node("within"), Node(String(rule.within)))])
        }
        var codes: [Node] = []
        for code in lexicon.codes {
            var pairs: [(Node, Node)] = [(Node("name"), Node(code.name))]
            if let parent = code.parent { pairs.append((Node("parent"), Node(parent))) }
            if let description = code.description { pairs.append((Node("description"), Node(description))) }
            if code.match != .lower { pairs.append((Node("match"), Node(code.match.rawValue))) }
            if !code.patterns.isEmpty { pairs.append((Node("patterns"), Node(code.patterns.map(patternNode)))) }
            if !code.exclusions.isEmpty { pairs.append((Node("exclude"), Node(code.exclusions.map(patternNode)))) }
            if let rule = code.negation { pairs.append((Node("negation"), negationNode(rule))) }
            if let weight = code.weight { pairs.append((Node("weight"), Node(String(weight)))) }
            if !code.examples.match.isEmpty || !code.examples.noMatch.isEmpty {
                pairs.append(
                    (
                        Node("examples"),
                        Node([
                            (Node("match"), Node(code.examples.match.map { Node($0) })),
                            (Node("noMatch"), Node(code.examples.noMatch.map { Node($0) })),
                        ])
                    ))
            }
            codes.append(Node(pairs))
        }
        var top: [(Node, Node)] = []
        if lexicon.negations != Lexicon.englishNegations {
            top.append((Node("negations"), Node(lexicon.negations.map { Node($0) })))
        }
        top.append((Node("codes"), Node(codes)))
        return try Yams.serialize(node: Node(top), allowUnicode: true)
    }
}
