internal import CLibXML2
import Corpus
import Foundation

/// Reads the body text of an OpenDocument text file (`.odt`, as LibreOffice writes it and Google
/// Docs and Word export it) in memory, in reading order, as ``DocxReader`` reads Word.
///
/// Paragraphs and headings become lines, `text:line-break` breaks them, `text:tab` is a tab and
/// `text:s` its count of spaces; other white space is collapsed as ODF says. Table rows become
/// one line with cells separated by tabs, text boxes are read after their paragraph. Tracked
/// deletions, comments, footnotes, list numbers and index templates are not text. A span whose
/// style is bold (in `content.xml` or `styles.xml`, through parent styles) or a paragraph bold
/// by its own formatting counts as bold, so a bold `Name:` is a strong speaker label, as in
/// Word; a heading's style does not.
struct OpenDocumentReader: TranscriptReader {
    var limits = ZipLimits()

    func read(_ data: Data, file: String) throws -> TranscriptSource {
        .lines(try lines(of: data, file: file))
    }

    func lines(of data: Data, file: String) throws -> [SourceLine] {
        let package = try ZipPackage(data: data, file: file, limits: limits)
        // Encrypted entries are named in the manifest (the zip's own flags stay clear).
        if package.contains("META-INF/manifest.xml"),
            try package.read("META-INF/manifest.xml").range(of: Data("encryption-data".utf8)) != nil
        {
            throw IngestError(
                .encryptedDocument, file: file, message: "this OpenDocument file is password-protected (encrypted)",
                hint: "open it in LibreOffice and save it again without a password")
        }
        guard package.contains("content.xml") else {
            throw IngestError(
                .missingZipEntry, file: file, entry: "content.xml",
                message: "the OpenDocument package has no content part (content.xml)",
                hint: "the file is damaged; save it again from LibreOffice, or as .docx")
        }
        var styles = OpenDocumentStyles()
        if package.contains("styles.xml") {
            styles = try XMLEventParser.parse(
                package.read("styles.xml"), file: file, entry: "styles.xml",
                makeHandler: { OpenDocumentState(intern: $0, styles: styles) }
            ).styles
        }
        var content = try XMLEventParser.parse(
            package.read("content.xml"), file: file, entry: "content.xml",
            makeHandler: { OpenDocumentState(intern: $0, styles: styles) })
        return content.finish()
    }

    /// Whether the start of a zip package is an OpenDocument file's: its first entry, stored,
    /// is `mimetype`, holding the media type (the standard puts it there so that it can be read
    /// so). The media type, or nil for another package.
    static func mediaType(_ head: Data) -> String? {
        let bytes = [UInt8](head.prefix(200))
        guard bytes.count > 38, bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) else { return nil }
        let nameLength = Int(bytes[26]) | Int(bytes[27]) << 8
        let extraLength = Int(bytes[28]) | Int(bytes[29]) << 8
        guard nameLength == 8, bytes[30..<38].elementsEqual("mimetype".utf8) else { return nil }
        let start = 38 + extraLength
        guard start < bytes.count else { return nil }
        let type = bytes[start...].prefix { (0x21...0x7E).contains($0) }
        return String(decoding: type, as: UTF8.self)
    }
}

/// Whether named styles are bold: ODF's automatic styles (in `content.xml`) and common styles
/// (in `styles.xml`), by family and name, each with its parent.
struct OpenDocumentStyles {
    struct Style {
        var bold: Bool?
        var parent: String?
    }
    var styles: [String: Style] = [:]

    /// Whether text in the style is bold, through its parents when `inherited`; nil when none
    /// says.
    func isBold(_ name: String, family: String, inherited: Bool = true) -> Bool? {
        var current: String? = name
        var steps = 0
        while let name = current, steps < (inherited ? 16 : 1), let style = styles[family + ":" + name] {
            if let bold = style.bold { return bold }
            current = style.parent
            steps += 1
        }
        return nil
    }
}

/// The walk through `styles.xml` (styles only) or `content.xml` (styles, then the body).
private struct OpenDocumentState: XMLEventHandler {
    var styles: OpenDocumentStyles
    private let textNS, styleNS, foNS, officeNS, tableNS: XMLName
    private let p, h, span, s, c, tab, lineBreak, styleName: XMLName
    private let style, name, family, parentStyleName, textProperties, fontWeight: XMLName
    private let body, tableRow, tableCell: XMLName
    /// Subtrees that are not the body's text, by namespace.
    private let skippedText, skippedOffice, skippedTable: [XMLName]

    private var output: [[SourceLine]] = [[]]  // line sinks: the body, then one per open table cell
    private var rows: [[[SourceLine]]] = []  // cells of each open table row
    private var paragraphs: [ParagraphLines] = []  // open paragraphs (a text box nests one in another)
    /// Per open paragraph: the last character written was collapsible white space (or none yet).
    private var afterSpace: [Bool] = []
    /// Per open paragraph or span: whether its text is bold.
    private var bold: [Bool] = []
    /// Per open element: whether text directly in it is the document's (a `text:` element).
    private var holdsText: [Bool] = []
    private var scratch: [UInt8] = []
    private var currentStyle: (key: String, style: OpenDocumentStyles.Style)?
    private var inBody = false
    private var depth = 0
    private var skipDepth: Int?

    init(intern: (String) -> XMLName, styles: OpenDocumentStyles) {
        self.styles = styles
        textNS = intern("urn:oasis:names:tc:opendocument:xmlns:text:1.0")
        styleNS = intern("urn:oasis:names:tc:opendocument:xmlns:style:1.0")
        foNS = intern("urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0")
        officeNS = intern("urn:oasis:names:tc:opendocument:xmlns:office:1.0")
        tableNS = intern("urn:oasis:names:tc:opendocument:xmlns:table:1.0")
        (p, h, span, s, c, tab) = (intern("p"), intern("h"), intern("span"), intern("s"), intern("c"), intern("tab"))
        (lineBreak, styleName) = (intern("line-break"), intern("style-name"))
        (style, name, family) = (intern("style"), intern("name"), intern("family"))
        (parentStyleName, textProperties, fontWeight) = (
            intern("parent-style-name"), intern("text-properties"), intern("font-weight")
        )
        (body, tableRow, tableCell) = (intern("body"), intern("table-row"), intern("table-cell"))
        skippedText = [
            "tracked-changes", "note", "number", "sequence-decls", "variable-decls", "user-field-decls", "ruby-text",
            "table-of-content-source", "illustration-index-source", "object-index-source", "user-index-source",
            "table-index-source", "alphabetical-index-source", "bibliography-source",
        ].map(intern)
        skippedOffice = ["annotation", "forms", "binary-data"].map(intern)
        skippedTable = ["covered-table-cell", "table-columns", "table-column"].map(intern)
    }

    private var isBold: Bool { bold.last ?? false }

    private mutating func emit(_ text: UnsafeBufferPointer<UInt8>) {
        guard !paragraphs.isEmpty, !text.isEmpty else { return }
        paragraphs[paragraphs.count - 1].append(text, bold: isBold)
        afterSpace[afterSpace.count - 1] = false
    }

    private mutating func emit(_ text: String) {
        var text = text
        text.withUTF8 { emit($0) }
    }

    mutating func start(_ element: XMLElementStart) {
        depth += 1
        guard skipDepth == nil else { return }
        let local = element.localName
        let namespace = element.namespace
        let inText = textNS.isNamespace(namespace)
        holdsText.append(inText)
        if inText {
            if skippedText.contains(local) {
                skipDepth = depth
            } else if local == p || local == h {
                guard inBody else { return }
                paragraphs.append(ParagraphLines())
                afterSpace.append(true)
                // A paragraph is bold by its own formatting, as Word's runs are, not by a
                // named style such as a heading's: a title is not a speaker's label.
                let named = local == p ? element.attribute(styleName, namespace: textNS.isNamespace) : nil
                bold.append(named.flatMap { styles.isBold($0, family: "paragraph", inherited: false) } ?? false)
            } else if local == span {
                let named = element.attribute(styleName, namespace: textNS.isNamespace)
                bold.append(named.flatMap { styles.isBold($0, family: "text") } ?? isBold)
            } else if local == s {
                let count = element.attribute(c, namespace: textNS.isNamespace).flatMap { Int($0) } ?? 1
                emit(String(repeating: " ", count: min(max(count, 1), 1000)))
            } else if local == tab {
                emit("\t")
            } else if local == lineBreak {
                emit("\n")
            }
        } else if styleNS.isNamespace(namespace) {
            if local == style, let named = element.attribute(name, namespace: styleNS.isNamespace) {
                let kind = element.attribute(family, namespace: styleNS.isNamespace) ?? ""
                currentStyle = (
                    kind + ":" + named,
                    .init(parent: element.attribute(parentStyleName, namespace: styleNS.isNamespace))
                )
            } else if local == textProperties, currentStyle != nil,
                let weight = element.attribute(fontWeight, namespace: foNS.isNamespace)
            {
                currentStyle?.style.bold = weight == "bold" || (Int(weight).map { $0 >= 600 } ?? false)
            }
        } else if officeNS.isNamespace(namespace) {
            if skippedOffice.contains(local) {
                skipDepth = depth
            } else if local == body {
                inBody = true
            }
        } else if tableNS.isNamespace(namespace) {
            if skippedTable.contains(local) {
                skipDepth = depth
            } else if local == tableCell, inBody {
                output.append([])
            } else if local == tableRow, inBody {
                rows.append([])
            }
        }
    }

    mutating func end(localName local: XMLName, namespace: UnsafePointer<xmlChar>?) {
        defer { depth -= 1 }
        if let level = skipDepth {
            guard level == depth else { return }
            skipDepth = nil
        }
        _ = holdsText.popLast()
        if textNS.isNamespace(namespace) {
            if local == p || local == h, var paragraph = paragraphs.popLast() {
                _ = afterSpace.popLast()
                _ = bold.popLast()
                if paragraphs.isEmpty {
                    paragraph.finish(into: &output[output.count - 1])
                } else {
                    paragraph.finish(into: &paragraphs[paragraphs.count - 1].anchored)
                }
            } else if local == span {
                _ = bold.popLast()
            }
        } else if styleNS.isNamespace(namespace), local == style, let current = currentStyle {
            styles.styles[current.key] = current.style
            currentStyle = nil
        } else if tableNS.isNamespace(namespace), inBody {
            if local == tableCell, output.count > 1, !rows.isEmpty {
                rows[rows.count - 1].append(output.removeLast())
            } else if local == tableRow, let cells = rows.popLast(), !cells.isEmpty {
                output[output.count - 1] += ParagraphLines.rowLines(cells)
            }
        } else if officeNS.isNamespace(namespace), local == body {
            inBody = false
        }
    }

    /// Text directly in a `text:` element of an open paragraph, its white space collapsed:
    /// runs of blanks, tabs and line ends are one space, none at the paragraph's start. A
    /// non-breaking hyphen (U+2011) is a hyphen and a soft hyphen (U+00AD) nothing, as Word's
    /// `w:noBreakHyphen` and `w:softHyphen` are read: LibreOffice writes them as characters.
    mutating func characters(_ piece: UnsafeBufferPointer<UInt8>) {
        guard skipDepth == nil, holdsText.last == true, !paragraphs.isEmpty else { return }
        var space = afterSpace[afterSpace.count - 1]
        scratch.removeAll(keepingCapacity: true)
        var index = 0
        while index < piece.count {
            let byte = piece[index]
            index += 1
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                if !space { scratch.append(0x20) }
                space = true
                continue
            }
            space = false
            if byte == 0xC2, index < piece.count, piece[index] == 0xAD {
                index += 1
            } else if byte == 0xE2, index + 1 < piece.count, piece[index] == 0x80, piece[index + 1] == 0x91 {
                scratch.append(UInt8(ascii: "-"))
                index += 2
            } else {
                scratch.append(byte)
            }
        }
        scratch.withUnsafeBufferPointer { emit($0) }
        afterSpace[afterSpace.count - 1] = space
    }

    mutating func finish() -> [SourceLine] {
        while var paragraph = paragraphs.popLast() { paragraph.finish(into: &output[0]) }
        return output[0]
    }
}
