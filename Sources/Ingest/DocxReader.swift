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
        var lines = try WordprocessingWalker.lines(of: package.read(mainPart), file: file, entry: mainPart)
        if !extraParts.isEmpty {
            let relationships = try relationships(of: mainPart, in: package)
            for part in DocxPart.allCases where extraParts.contains(part) {
                for target in relationships where target.type.hasSuffix(part.relationshipSuffix) {
                    guard package.contains(target.path) else { continue }
                    lines += try WordprocessingWalker.lines(
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
        try XMLPullReader.read(data, file: file, entry: "_rels") { reader in
            let relationship = reader.intern("Relationship")
            var targets: [(String, String)] = []
            while try reader.next() {
                guard reader.kind == .element, reader.isNamed(relationship),
                    reader.attribute("TargetMode") != "External",
                    let type = reader.attribute("Type"), let target = reader.attribute("Target")
                else { continue }
                targets.append((type, resolve(target, base: base)))
            }
            return targets
        }
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
        return parts.joined(separator: "/")
    }
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

/// Walks one WordprocessingML part (`document.xml`, `footnotes.xml` …) and collects its lines.
private struct WordprocessingWalker {
    /// A paragraph being built: its finished lines and the current one.
    struct Paragraph {
        var lines: [SourceLine] = []
        /// Paragraphs of text boxes anchored in this one, read after it.
        var anchored: [SourceLine] = []
        var current = ""
        /// Scalars of `current` while its start is bold or blank; not kept up after that.
        var prefixLength = 0
        var boldPrefix = 0
        var inBoldPrefix = true

        /// Appends a run's text; a line break in it ends the line. Whole pieces are appended at
        /// once: appending scalar by scalar was a third of reading a .docx.
        mutating func append(_ text: String, bold: Bool) {
            var rest = Substring(text)
            // Most runs hold no line break: one byte search, no index walking.
            if !rest.withUTF8({ $0.contains(0x0A) }) {
                appendPiece(rest, bold: bold)
                return
            }
            while let newline = rest.utf8.firstIndex(of: 0x0A) {
                appendPiece(rest[..<newline], bold: bold)
                breakLine()
                rest = rest[rest.utf8.index(after: newline)...]
            }
            appendPiece(rest, bold: bold)
        }

        private mutating func appendPiece(_ piece: Substring, bold: Bool) {
            guard !piece.isEmpty else { return }
            current += piece
            // Scalars are counted only while the line starts bold or blank (a label is short),
            // not for every piece of every line.
            guard inBoldPrefix else { return }
            if bold {
                prefixLength += piece.scalarCount
                boldPrefix = prefixLength
            } else if piece.unicodeScalars.contains(where: { !$0.isBlank }) {
                inBoldPrefix = false
            } else {
                prefixLength += piece.scalarCount
            }
        }

        mutating func breakLine() {
            lines.append(SourceLine(text: current, boldPrefix: boldPrefix))
            current = ""
            prefixLength = 0
            boldPrefix = 0
            inBoldPrefix = true
        }

        mutating func finish() -> [SourceLine] {
            breakLine()
            return lines + anchored
        }
    }

    enum FieldPart { case code, result }

    static func lines(of data: Data, file: String, entry: String) throws -> [SourceLine] {
        try XMLPullReader.read(data, file: file, entry: entry) { reader in
            try WordprocessingWalker().walk(reader)
        }
    }

    func walk(_ reader: XMLPullReader) throws -> [SourceLine] {
        let transitional = reader.intern("http://schemas.openxmlformats.org/wordprocessingml/2006/main")
        let strict = reader.intern("http://purl.oclc.org/ooxml/wordprocessingml/main")
        let compatibility = reader.intern("http://schemas.openxmlformats.org/markup-compatibility/2006")
        let p = reader.intern("p")
        let r = reader.intern("r")
        let t = reader.intern("t")
        let tab = reader.intern("tab")
        let br = reader.intern("br")
        let cr = reader.intern("cr")
        let noBreakHyphen = reader.intern("noBreakHyphen")
        let rPr = reader.intern("rPr")
        let b = reader.intern("b")
        let fldChar = reader.intern("fldChar")
        let tr = reader.intern("tr")
        let tc = reader.intern("tc")
        let alternateContent = reader.intern("AlternateContent")
        let choice = reader.intern("Choice")
        let fallback = reader.intern("Fallback")
        // Subtrees that hold no body text: deleted or moved-away revisions, field codes,
        // properties (which would otherwise lend their `w:b` to the text).
        let skipped = [
            "del", "moveFrom", "instrText", "delInstrText", "pPr", "sdtPr", "rPrChange", "tblPr",
            "trPr", "tcPr", "sectPr", "customXmlPr", "smartTagPr",
        ].map(reader.intern)

        var output: [[SourceLine]] = [[]]  // line sinks: the part, then one per open table cell
        var rows: [[[SourceLine]]] = []  // cells of each open table row
        var paragraphs: [Paragraph] = []  // open paragraphs (a text box nests one in another)
        var fields: [FieldPart] = []
        var alternates: [Bool] = []  // per open mc:AlternateContent: a branch was taken
        var runBold = false
        var inRunProperties = false
        var runPropertiesDepth = 0

        func emit(_ text: String) {
            guard !fields.contains(.code), !paragraphs.isEmpty else { return }
            paragraphs[paragraphs.count - 1].append(text, bold: runBold)
        }

        while try reader.next() {
            let kind = reader.kind
            if kind == .element {
                if reader.isInNamespace(transitional) || reader.isInNamespace(strict) {
                    if skipped.contains(where: reader.isNamed) {
                        try reader.skipElement()
                    } else if reader.isNamed(t) {
                        emit(try reader.readText())
                    } else if reader.isNamed(r) {
                        runBold = false
                    } else if reader.isNamed(rPr) {
                        inRunProperties = !reader.isEmptyElement
                        runPropertiesDepth = reader.depth
                    } else if reader.isNamed(b) {
                        if inRunProperties {
                            let value = reader.attribute("w:val") ?? "true"
                            runBold = !["0", "false", "off"].contains(value)
                        }
                    } else if reader.isNamed(tab) {
                        emit("\t")
                    } else if reader.isNamed(br) || reader.isNamed(cr) {
                        emit("\n")
                    } else if reader.isNamed(noBreakHyphen) {
                        emit("-")
                    } else if reader.isNamed(fldChar) {
                        switch reader.attribute("w:fldCharType") {
                        case "begin": fields.append(.code)
                        case "separate": if !fields.isEmpty { fields[fields.count - 1] = .result }
                        case "end": if !fields.isEmpty { fields.removeLast() }
                        default: break
                        }
                    } else if reader.isNamed(p) {
                        if reader.isEmptyElement {
                            output[output.count - 1].append(SourceLine(text: ""))
                        } else {
                            paragraphs.append(Paragraph())
                        }
                    } else if reader.isNamed(tc) {
                        output.append([])
                        if reader.isEmptyElement { rows[rows.count - 1].append(output.removeLast()) }
                    } else if reader.isNamed(tr) {
                        rows.append([])
                    }
                } else if reader.isInNamespace(compatibility) {
                    if reader.isNamed(alternateContent) {
                        if !reader.isEmptyElement { alternates.append(false) }
                    } else if reader.isNamed(choice) || reader.isNamed(fallback) {
                        if alternates.last == true {
                            try reader.skipElement()
                        } else if !alternates.isEmpty {
                            alternates[alternates.count - 1] = true
                        }
                    }
                }
            } else if kind == .endElement {
                if reader.isInNamespace(transitional) || reader.isInNamespace(strict) {
                    if reader.isNamed(p), var paragraph = paragraphs.popLast() {
                        if paragraphs.isEmpty {
                            output[output.count - 1] += paragraph.finish()
                        } else {
                            paragraphs[paragraphs.count - 1].anchored += paragraph.finish()
                        }
                    } else if reader.isNamed(rPr), inRunProperties, reader.depth == runPropertiesDepth {
                        inRunProperties = false
                    } else if reader.isNamed(tc), output.count > 1, !rows.isEmpty {
                        rows[rows.count - 1].append(output.removeLast())
                    } else if reader.isNamed(tr), let cells = rows.popLast() {
                        output[output.count - 1] += Self.rowLines(cells)
                    }
                } else if reader.isInNamespace(compatibility), reader.isNamed(alternateContent) {
                    _ = alternates.popLast()
                }
            }
        }
        while var paragraph = paragraphs.popLast() { output[0] += paragraph.finish() }
        return output[0]
    }

    /// A table row as text: cells separated by tabs, a cell's own paragraphs by line breaks.
    static func rowLines(_ cells: [[SourceLine]]) -> [SourceLine] {
        let text = cells.map { cell in cell.map(\.text).joined(separator: "\n") }.joined(separator: "\t")
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { SourceLine(text: String($0)) }
        if !lines.isEmpty {
            lines[0].isTableRow = cells.count > 1
            lines[0].boldPrefix = cells.first?.first?.boldPrefix ?? 0
        }
        return lines
    }
}

extension DocxReader {
    func read(_ data: Data, file: String) throws -> TranscriptSource {
        .lines(try lines(of: data, file: file))
    }
}
