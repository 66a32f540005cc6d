import Corpus
import Foundation
import Yams

/// Reads a YAML file strictly into values, collecting every problem with its line and column.
///
/// Unknown keys are errors that suggest the closest known key; anchors and aliases are refused,
/// since an alias bomb expands without bound; so are absurdly deep or large files.
final class YAMLNodeReader {
    let file: String
    private let text: String
    /// The file's lines, split when an error first quotes one.
    private lazy var lines: [Substring] = text.linesOfAnyEnding
    /// Kept alive while the nodes are read: Yams holds anchors weakly, through its parser.
    private var parser: Parser?
    private(set) var errors: [PipelineError] = []
    static let maximumBytes = 4 * 1024 * 1024
    static let maximumDepth = 64

    private init(file: String, text: String) {
        self.file = file
        self.text = text
    }

    /// Parses `text`; returns the reader (holding any errors) and the root node, if it parsed.
    static func parse(_ text: String, file: String) -> (YAMLNodeReader, Node?) {
        let reader = YAMLNodeReader(file: file, text: text)
        if text.utf8.count > maximumBytes {
            reader.error(
                at: nil, "the file is larger than \(maximumBytes / 1024 / 1024) MB; a pipeline or lexicon is small")
            return (reader, nil)
        }
        if let (line, column) = excessiveNesting(text) {
            reader.errors.append(
                PipelineError(
                    file: file, line: line, column: column,
                    message: "nesting deeper than \(maximumDepth) levels", sourceLine: reader.source(line)))
            return (reader, nil)
        }
        do {
            // Scalars are read as text and typed by the reader (`int`, `bool` below), so Yams's
            // default resolver, whose regular expressions were compiled at every command's start
            // (a few milliseconds), is not needed: keys are compared by their text, not as nodes.
            // UTF-8 named, not Yams's default: that one reads the environment at each parse (and
            // prints to standard output when YAMS_DEFAULT_ENCODING is set).
            // And nothing is constructed from the nodes, so the constructor has no maps:
            // `Constructor.default` built its maps of closures anew at every parse.
            let parser = try Parser(
                yaml: text, resolver: .basic, constructor: Constructor([:], [:], [:]), encoding: .utf8)
            reader.parser = parser
            guard let root = try parser.singleRoot() else {
                reader.error(at: nil, "the file is empty")
                return (reader, nil)
            }
            return (reader, root)
        } catch let error as YamlError {
            reader.errors.append(reader.convert(error))
            return (reader, nil)
        } catch {
            reader.error(at: nil, "cannot read YAML: \(error)")
            return (reader, nil)
        }
    }

    /// The first place where flow brackets or indentation nest deeper than the limit: its line,
    /// and its column in characters. Scanned as bytes (everything it looks for is ASCII, and
    /// UTF-8 never puts an ASCII byte inside another character): by Characters it was a tenth
    /// of reading a 3 kB lexicon. A CRLF, one Character, never equalled "\n": every line of such
    /// a file was counted as line 1.
    static func excessiveNesting(_ text: String) -> (Int, Int)? {
        var text = text
        return text.withUTF8 { bytes -> (Int, Int)? in
            var depth = 0
            var line = 1
            var lineStart = 0
            var quote: UInt8?
            var indentation = 0
            var atLineStart = true
            func place(_ index: Int) -> (Int, Int) {
                (line, String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart...index]), as: UTF8.self).count)
            }
            for index in bytes.indices {
                let byte = bytes[index]
                // A line ends at LF, CRLF or CR, as for the parser (and ``lines``).
                if byte == 0x0A || (byte == 0x0D && (index + 1 == bytes.count || bytes[index + 1] != 0x0A)) {
                    line += 1
                    lineStart = index + 1
                    atLineStart = true
                    indentation = 0
                    continue
                }
                if atLineStart {
                    if byte == 0x20 || byte == 0x2D {  // " ", "-"
                        indentation += 1
                        if indentation > maximumDepth * 8 { return place(index) }
                        continue
                    }
                    atLineStart = false
                }
                if let open = quote {
                    if byte == open { quote = nil }
                    continue
                }
                switch byte {
                case 0x22, 0x27: quote = byte
                case 0x5B, 0x7B:  // "[", "{"
                    depth += 1
                    if depth > maximumDepth { return place(index) }
                case 0x5D, 0x7D: depth = max(0, depth - 1)
                default: break
                }
            }
            return nil
        }
    }

    func source(_ line: Int?) -> String? {
        guard let line, line >= 1, line <= lines.count else { return nil }
        return String(lines[line - 1])
    }

    /// Adds a problem found in another file (a lexicon named by the pipeline).
    func report(_ problem: PipelineError) { errors.append(problem) }

    func error(at node: Node?, _ message: String) {
        let mark = node?.mark
        errors.append(
            PipelineError(
                file: file, line: mark?.line, column: mark?.column, message: message, sourceLine: source(mark?.line)))
    }

    private func convert(_ error: YamlError) -> PipelineError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return PipelineError(
                file: file, line: mark.line, column: mark.column, message: "YAML: \(problem)",
                sourceLine: source(mark.line))
        default:
            return PipelineError(file: file, message: "YAML: \(error)")
        }
    }

    // MARK: Typed access

    /// The entries of a mapping, in order; unknown keys are reported with a suggestion.
    func mapping(_ node: Node, known: [String], what: String) -> [(key: String, keyNode: Node, value: Node)] {
        guard refuseAnchor(node), case .mapping(let mapping) = node else {
            error(at: node, "\(what) must be a mapping of keys to values")
            return []
        }
        var entries: [(String, Node, Node)] = []
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                error(at: keyNode, "keys in \(what) must be plain names")
                continue
            }
            guard refuseAnchor(value) else { continue }
            if !known.isEmpty && !known.contains(key) {
                var message = "unknown key \"\(key)\" in \(what)"
                if let suggestion = Spelling.closest(to: key, in: known) {
                    message += "; did you mean \"\(suggestion)\"?"
                } else {
                    message += "; known keys: " + known.joined(separator: ", ")
                }
                error(at: keyNode, message)
                continue
            }
            if !seen.insert(key).inserted {
                error(at: keyNode, "\"\(key)\" appears twice in \(what)")
                continue
            }
            entries.append((key, keyNode, value))
        }
        return entries
    }

    func string(_ node: Node, what: String) -> String? {
        guard refuseAnchor(node), case .scalar(let scalar) = node else {
            error(at: node, "\(what) must be a text value")
            return nil
        }
        return scalar.string
    }

    /// A text naming one of a setting's values; `values` (what they are) is the error otherwise.
    func choice<Value: RawRepresentable>(_ node: Node, what: String, _ values: String) -> Value?
    where Value.RawValue == String {
        guard let text = string(node, what: what) else { return nil }
        guard let value = Value(rawValue: text) else {
            error(at: node, values)
            return nil
        }
        return value
    }

    func int(_ node: Node, what: String, range: ClosedRange<Int>) -> Int? {
        guard refuseAnchor(node), case .scalar(let scalar) = node, let value = Self.decimal(scalar) ?? node.int else {
            error(at: node, "\(what) must be a whole number")
            return nil
        }
        guard range.contains(value) else {
            error(at: node, "\(what) must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return value
    }

    /// A plain scalar written as a decimal without sign, `_` or leading zero, read here: Yams
    /// reads every whole number through Foundation's `replacingOccurrences`, which asked the
    /// runtime about two protocols in every run (a scan of every conformance record each, 0.2
    /// ms). Yams reads any other spelling (and refuses quoted ones) as before.
    static func decimal(_ scalar: Node.Scalar) -> Int? {
        guard scalar.style == .plain || scalar.style == .any, let first = scalar.string.utf8.first,
            first != UInt8(ascii: "0") || scalar.string.utf8.count == 1,
            scalar.string.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return Int(scalar.string)
    }

    func bool(_ node: Node, what: String) -> Bool? {
        guard refuseAnchor(node), case .scalar = node, let value = node.bool else {
            error(at: node, "\(what) must be true or false")
            return nil
        }
        return value
    }

    /// A list of texts; a single text is a list of one.
    func strings(_ node: Node, what: String) -> [String] {
        stringNodes(node, what: what).map(\.text)
    }

    /// ``strings(_:what:)`` with each text's node, for errors that point at the entry.
    func stringNodes(_ node: Node, what: String) -> [(text: String, node: Node)] {
        guard refuseAnchor(node) else { return [] }
        switch node {
        case .scalar(let scalar): return [(scalar.string, node)]
        case .sequence(let sequence):
            return sequence.compactMap { element in
                guard refuseAnchor(element), case .scalar(let scalar) = element else {
                    error(at: element, "each entry of \(what) must be a text value")
                    return nil
                }
                return (scalar.string, element)
            }
        case .mapping:
            error(at: node, "\(what) must be a list")
            return []
        case .alias:
            error(at: node, "YAML aliases are not allowed here")
            return []
        }
    }

    func sequence(_ node: Node, what: String) -> [Node] {
        guard refuseAnchor(node), case .sequence(let sequence) = node else {
            error(at: node, "\(what) must be a list")
            return []
        }
        return Array(sequence)
    }

    /// Anchors (`&a`) and aliases (`*a`) are refused: pipeline files need neither, and an alias
    /// bomb would expand into billions of nodes.
    private func refuseAnchor(_ node: Node) -> Bool {
        if case .alias = node {
            error(at: node, "YAML aliases (*name) are not allowed in pipeline and lexicon files")
            return false
        }
        if node.anchor != nil {
            error(at: node, "YAML anchors (&name) are not allowed in pipeline and lexicon files")
            return false
        }
        return true
    }
}
