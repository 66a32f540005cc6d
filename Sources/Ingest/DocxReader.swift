internal import CLibXML2
import Corpus
import Foundation

/// Reads the body text of a Word `.docx` in reading order, in memory, with libxml2's pull reader.
///
/// Paragraphs become lines and `w:br`/`w:cr` line breaks inside them too; `w:tab` is a tab;
/// table rows become one line with cells separated by tabs. Text in runs, hyperlinks, smart
/// tags, content controls, inserted and moved-to revisions and text boxes is kept; deleted and
/// moved-from revisions, field codes (only field results are text), and all but the first
/// branch of `mc:AlternateContent` are not. Comments, footnotes, endnotes, headers and footers
/// are separate parts, read only when asked for. The bold prefix of each line is kept: a bold
/// `Name:` is a strong speaker label.
struct DocxReader: TranscriptReader {
    var limits = ZipLimits()
    var extraParts: Set<DocxPart> = []

    func lines(of data: Data, file: String) throws -> [SourceLine] {
        let package = try ZipPackage(data: data, file: file, limits: limits)
        let mainPart = try mainDocumentPath(in: package)
        var lines = try WordprocessingState.lines(of: package.read(mainPart), file: file, entry: mainPart)
        if !extraParts.isEmpty {
            let relationships = try relationships(of: mainPart, in: package)
            for part in DocxPart.allCases where extraParts.contains(part) {
                for target in relationships where target.type.hasSuffix(part.relationshipSuffix) {
                    guard package.contains(target.path) else { continue }
                    lines += try WordprocessingState.lines(
                        of: package.read(target.path), file: file, entry: target.path)
                }
            }
        }
        return lines
    }

    /// The main document part named by the package relationships (usually `word/document.xml`).
    private func mainDocumentPath(in package: ZipPackage) throws -> String {
        if package.contains("_rels/.rels") {
            let targets = try Self.relationshipTargets(package.read("_rels/.rels"), base: "", file: package.file)
            if let main = targets.first(where: { $0.type.hasSuffix("/officeDocument") }), package.contains(main.path) {
                return main.path
            }
        }
        guard package.contains("word/document.xml") else {
            throw IngestError(
                .missingZipEntry, file: package.file, entry: "word/document.xml",
                message: "the zip package has no Word document part (word/document.xml)",
                hint: "is this really a .docx? Save it again from Word or LibreOffice as .docx")
        }
        return "word/document.xml"
    }

    private func relationships(of part: String, in package: ZipPackage) throws -> [(type: String, path: String)] {
        let folder = part.split(separator: "/").dropLast().joined(separator: "/")
        let name = part.split(separator: "/").last.map(String.init) ?? part
        let relsPath = (folder.isEmpty ? "" : folder + "/") + "_rels/" + name + ".rels"
        guard package.contains(relsPath) else { return [] }
        return try Self.relationshipTargets(package.read(relsPath), base: folder, file: package.file)
    }

    static func relationshipTargets(_ data: Data, base: String, file: String) throws -> [(type: String, path: String)] {
        try XMLEventParser.parse(data, file: file, entry: "_rels", makeHandler: RelationshipCollector.init).targets
            .map { ($0.type, resolve($0.target, base: base)) }
    }

    /// Resolves a relationship target against its source folder (`../x`, `/word/x`).
    static func resolve(_ target: String, base: String) -> String {
        if target.hasPrefix("/") { return String(target.dropFirst()) }
        var parts = base.split(separator: "/").map(String.init)
        for piece in target.split(separator: "/") {
            if piece == ".." {
                if !parts.isEmpty { parts.removeLast() }
            } else if piece != "." {
                parts.append(String(piece))
            }
        }
        return Corpus.joined(parts, separator: "/")
    }
}

/// The internal relationships of a `.rels` part: each `Relationship`'s type and target.
private struct RelationshipCollector: XMLEventHandler {
    private let relationship, targetMode, type, target: XMLName
    private(set) var targets: [(type: String, target: String)] = []

    init(intern: (String) -> XMLName) {
        (relationship, targetMode, type, target) = (
            intern("Relationship"), intern("TargetMode"), intern("Type"), intern("Target")
        )
    }

    mutating func start(_ element: XMLElementStart) {
        let unprefixed: (UnsafePointer<xmlChar>?) -> Bool = { $0 == nil }
        guard element.localName == relationship, element.attribute(targetMode, namespace: unprefixed) != "External",
            let type = element.attribute(type, namespace: unprefixed),
            let target = element.attribute(target, namespace: unprefixed)
        else { return }
        targets.append((type, target))
    }

    func end(localName: XMLName, namespace: UnsafePointer<xmlChar>?) {}
    func characters(_ text: UnsafeBufferPointer<UInt8>) {}
}

/// Parts of a Word document beside the body, left out unless asked for.
public enum DocxPart: String, Sendable, Codable, CaseIterable {
    case headers, footers, footnotes, endnotes, comments

    var relationshipSuffix: String {
        switch self {
        case .headers: "/header"
        case .footers: "/footer"
        case .footnotes: "/footnotes"
        case .endnotes: "/endnotes"
        case .comments: "/comments"
        }
    }
}

/// The walk through a WordprocessingML part: open paragraphs, table rows and cells, fields,
/// run properties, and the subtree being skipped.
private struct WordprocessingState: XMLEventHandler {
    enum FieldPart { case code, result }

    /// WordprocessingML's namespace, transitional and strict. Its own value: a method of the
    /// whole state called per element copied the state (288 bytes) each time.
    private let main: MainNamespace
    private let compatibility: XMLName
    private let p, r, t, tab, br, cr, noBreakHyphen, rPr, rPrChange, b, val, fldChar, fldCharType, tr, tc: XMLName
    private let alternateContent, choice, fallback: XMLName
    /// Subtrees that hold no body text: deleted or moved-away revisions, field codes,
    /// properties (which would otherwise lend their `w:b` to the text); in run properties, the
    /// old properties of a revision (`rPrChange`).
    private let skipped: [XMLName]

    private var output: [[SourceLine]] = [[]]  // line sinks: the part, then one per open table cell
    private var rows: [[[SourceLine]]] = []  // cells of each open table row
    private var paragraphs: [ParagraphLines] = []  // open paragraphs (a text box nests one in another)
    private var spare: [UInt8] = []  // an empty byte buffer with capacity, for the next paragraph
    private var fields: [FieldPart] = []
    private var alternates: [Bool] = []  // per open mc:AlternateContent: a branch was taken
    private var runBold = false
    private var inRunProperties = false
    private var runPropertiesDepth = 0
    private var depth = 0
    /// The depth of the subtree being skipped, or of the `w:t` whose text goes to the paragraph
    /// as it comes (a text's fields and run properties cannot change inside it).
    private var skipDepth: Int?
    private var textDepth: Int?
    /// Events so far, and the count when each open element started: an element that ends with
    /// none since it started had no content (`<w:p/>`), which SAX does not tell apart.
    private var events = 0
    private var startEvents: [Int] = []

    init(intern: (String) -> XMLName) {
        main = MainNamespace(
            transitional: intern("http://schemas.openxmlformats.org/wordprocessingml/2006/main"),
            strict: intern("http://purl.oclc.org/ooxml/wordprocessingml/main"))
        compatibility = intern("http://schemas.openxmlformats.org/markup-compatibility/2006")
        (p, r, t, tab, br, cr) = (intern("p"), intern("r"), intern("t"), intern("tab"), intern("br"), intern("cr"))
        (noBreakHyphen, rPr, rPrChange) = (intern("noBreakHyphen"), intern("rPr"), intern("rPrChange"))
        (b, val) = (intern("b"), intern("val"))
        (fldChar, fldCharType, tr, tc) = (intern("fldChar"), intern("fldCharType"), intern("tr"), intern("tc"))
        (alternateContent, choice, fallback) = (intern("AlternateContent"), intern("Choice"), intern("Fallback"))
        skipped = [
            "del", "moveFrom", "instrText", "delInstrText", "pPr", "sdtPr", "tblPr",
            "trPr", "tcPr", "sectPr", "customXmlPr", "smartTagPr",
        ].map(intern)
    }

    /// The lines of one WordprocessingML part (`document.xml`, `footnotes.xml` …), in one pass.
    static func lines(of data: Data, file: String, entry: String) throws -> [SourceLine] {
        var state = try XMLEventParser.parse(data, file: file, entry: entry, makeHandler: Self.init)
        return state.finish()
    }

    private struct MainNamespace {
        let transitional, strict: XMLName

        func contains(_ namespace: UnsafePointer<xmlChar>?) -> Bool {
            transitional.isNamespace(namespace) || strict.isNamespace(namespace)
        }
    }

    private mutating func emit(_ text: UnsafeBufferPointer<UInt8>) {
        guard !fields.contains(.code), !paragraphs.isEmpty else { return }
        paragraphs[paragraphs.count - 1].append(text, bold: runBold)
    }

    private mutating func emit(_ text: StaticString) {
        text.withUTF8Buffer { emit($0) }
    }

    mutating func start(_ element: XMLElementStart) {
        events += 1
        depth += 1
        startEvents.append(events)
        guard skipDepth == nil, textDepth == nil else { return }
        let name = element.localName
        if main.contains(element.namespace) {
            if inRunProperties {
                // Most of a Word body's elements are a run's fonts, sizes and language; in run
                // properties only bold and the properties' old revision matter (the schema
                // allows no text, break, field or paragraph there).
                if name == b {
                    let value = element.attribute(val, namespace: main.contains) ?? "true"
                    runBold = !["0", "false", "off"].contains(value)
                } else if name == rPrChange {
                    skipDepth = depth
                }
            } else if name == t {
                textDepth = depth
            } else if name == r {
                runBold = false
            } else if name == rPr {
                inRunProperties = true
                runPropertiesDepth = depth
            } else if skipped.contains(name) {
                skipDepth = depth
            } else if name == tab {
                emit("\t")
            } else if name == br || name == cr {
                emit("\n")
            } else if name == noBreakHyphen {
                emit("-")
            } else if name == fldChar {
                switch element.attribute(fldCharType, namespace: main.contains) {
                case "begin": fields.append(.code)
                case "separate": if !fields.isEmpty { fields[fields.count - 1] = .result }
                case "end": if !fields.isEmpty { fields.removeLast() }
                default: break
                }
            } else if name == p {
                // The last paragraph's byte buffer is reused: one allocation less per line.
                paragraphs.append(ParagraphLines(current: spare))
                spare = []
            } else if name == tc {
                output.append([])
            } else if name == tr {
                rows.append([])
            }
        } else if compatibility.isNamespace(element.namespace) {
            if name == alternateContent {
                alternates.append(false)
            } else if name == choice || name == fallback {
                if alternates.last == true {
                    skipDepth = depth
                } else if !alternates.isEmpty {
                    alternates[alternates.count - 1] = true
                }
            }
        }
    }

    mutating func end(localName name: XMLName, namespace: UnsafePointer<xmlChar>?) {
        let isEmpty = startEvents.popLast() == events
        defer { depth -= 1 }
        if let level = skipDepth {
            if level == depth { skipDepth = nil }
            return
        }
        if let level = textDepth {
            if level == depth { textDepth = nil }
            return
        }
        if main.contains(namespace) {
            if name == p, var paragraph = paragraphs.popLast() {
                if isEmpty {
                    output[output.count - 1].append(SourceLine(text: ""))
                } else if paragraphs.isEmpty {
                    paragraph.finish(into: &output[output.count - 1])
                } else {
                    paragraph.finish(into: &paragraphs[paragraphs.count - 1].anchored)
                }
                spare = paragraph.current
            } else if name == rPr, inRunProperties, depth == runPropertiesDepth {
                inRunProperties = false
            } else if name == tc, output.count > 1, !rows.isEmpty {
                rows[rows.count - 1].append(output.removeLast())
            } else if name == tr, let cells = rows.popLast(), !isEmpty {
                output[output.count - 1] += ParagraphLines.rowLines(cells)
            }
        } else if compatibility.isNamespace(namespace), name == alternateContent {
            _ = alternates.popLast()
        }
    }

    mutating func characters(_ piece: UnsafeBufferPointer<UInt8>) {
        events += 1
        if textDepth != nil, skipDepth == nil { emit(piece) }
    }

    mutating func finish() -> [SourceLine] {
        while var paragraph = paragraphs.popLast() { paragraph.finish(into: &output[0]) }
        return output[0]
    }
}

extension DocxReader {
    func read(_ data: Data, file: String) throws -> TranscriptSource {
        .lines(try lines(of: data, file: file))
    }
}
