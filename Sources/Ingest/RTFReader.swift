import Corpus
import Foundation

/// Reads a Rich Text Format file (`.rtf`: macOS TextEdit's default, WordPad, transcription
/// services' exports) into lines, as Word's body is read: paragraphs and `\line` breaks are lines,
/// `\tab` a tab, table rows one line with cells separated by tabs, bold (`\b`) kept for labels
/// (but not a heading's: a paragraph whose style the stylesheet names a heading or title, or
/// with an outline level, as a Word heading's style is not read as bold).
///
/// Written by hand: no package on this machine reads RTF, and Foundation's `NSAttributedString`
/// RTF import is not in swift-corelibs-foundation. Destinations that are not body text (font and
/// colour tables, styles, document info, pictures, objects, headers, footers, footnotes,
/// comments, list numbers, field instructions and every `\*` destination) are skipped, as are
/// hidden (`\v`) and deleted (`\deleted`) text; a field's result is kept. `\uN` is Unicode (with
/// its `\ucN` fallback skipped); `\'hh` and 8-bit bytes are in the code page of their font's
/// character set (`\fcharset204`: Cyrillic) or else the document's (`\ansicpg1250`), as WordPad
/// and older Word write text outside Western Europe: Windows' single-byte pages 874 and
/// 1250–1258, DOS's 437 and 850, Mac Roman, and the double-byte 932, 936, 949 and 950
/// (``CodePage``).
struct RTFReader: TranscriptReader {
    func read(_ data: Data, file: String) throws -> TranscriptSource {
        .lines(try lines(of: data, file: file))
    }

    func lines(of data: Data, file: String) throws -> [SourceLine] {
        try data.withUnsafeBytes { raw in
            var parser = RTFParser(bytes: raw.bindMemory(to: UInt8.self), file: file)
            return try parser.lines()
        }
    }
}

private struct RTFParser {
    /// Character and destination state, saved at `{` and restored at `}`.
    struct State {
        var bold = false
        var hidden = false
        var deleted = false
        var skipped = false
        var fallbackCount = 1
        /// `\fN`: the font, whose character set may give the bytes' code page.
        var font: Int?
    }

    /// Destinations whose text is not the body's, skipped to the end of their group.
    static let destinations: Set<String> = [
        "fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "header", "headerl", "headerr", "headerf",
        "footer", "footerl", "footerr", "footerf", "footnote", "annotation", "pntext", "pntxta", "pntxtb", "pn",
        "listtext", "listtable", "listoverridetable", "revtbl", "rsidtbl", "xe", "tc", "txe", "bkmkstart", "bkmkend",
        "fldinst", "themedata", "colorschememapping", "latentstyles", "datastore", "atnid", "atnauthor", "atndate",
        "atnref", "nonshppict", "filetbl", "generator", "xmlnstbl", "userprops", "docvar", "template", "falt",
        "panose", "fname", "mmathPr", "wgrffmtfilter", "pgdsctbl",
    ]
    static let maximumDepth = 2_000

    let bytes: UnsafeBufferPointer<UInt8>
    let file: String
    var index = 0
    var state = State()
    var saved: [State] = []
    var output: [SourceLine] = []
    var paragraph = ParagraphLines()
    /// Text of the current run, flushed to the paragraph when the formatting may change.
    var run: [UInt8] = []
    var runBold = false
    /// The paragraphs of the open table cell, and the cells of the open row.
    var cell: [SourceLine] = []
    var cells: [[SourceLine]] = []
    /// `\intbl`: the current paragraph is in a table cell.
    var inTable = false
    /// Fallback characters after a `\uN` still to skip.
    var fallbackLeft = 0
    var highSurrogate: UInt32?
    var codePage = 1252
    /// `\deffN`, and each font's code page (from its `\fcharsetN` or `\cpgN`) as the font
    /// table gives them, with the table's group depth and the entry being read.
    var defaultFont: Int?
    var fontPages: [Int: Int] = [:]
    var fontTableDepth: Int?
    var fontEntry: Int?
    /// Code pages met so far; a double-byte page's lead byte waiting for its trail byte.
    var pages: [Int: CodePage] = [:]
    var leadByte: (byte: UInt8, offset: Int)?
    /// The last token opened a group: a `\*` there marks an ignorable destination.
    var atGroupStart = false
    /// Paragraph styles named as headings or titles in the stylesheet, and the entry being read
    /// there (its `\sN` and name), with the stylesheet's group depth.
    var headingStyles: Set<Int> = []
    var stylesheetDepth: Int?
    var styleEntry: (number: Int?, name: [UInt8])?
    /// The current paragraph is a heading (its style's or its own outline level): its bold is
    /// the heading's, and a title is not a speaker's label.
    var inHeading = false

    init(bytes: UnsafeBufferPointer<UInt8>, file: String) {
        self.bytes = bytes
        self.file = file
    }

    private var visible: Bool { !state.skipped && !state.hidden && !state.deleted }

    mutating func lines() throws -> [SourceLine] {
        while index < bytes.count {
            let byte = bytes[index]
            let groupStart = atGroupStart
            atGroupStart = false
            switch byte {
            case UInt8(ascii: "{"):
                flush()
                guard saved.count < Self.maximumDepth else {
                    throw IngestError(
                        .malformedTranscript, file: file, byteOffset: index,
                        message: "RTF groups nested over \(Self.maximumDepth) deep")
                }
                saved.append(state)
                fallbackLeft = 0
                atGroupStart = true
                index += 1
                if let depth = stylesheetDepth, saved.count == depth + 1 { styleEntry = (nil, []) }
            case UInt8(ascii: "}"):
                flush()
                index += 1
                if let depth = stylesheetDepth {
                    if saved.count == depth + 1, let entry = styleEntry {
                        let name = String(decoding: entry.name, as: UTF8.self).lowercased()
                        if let number = entry.number, ["heading", "title", "subtitle"].contains(where: name.hasPrefix) {
                            headingStyles.insert(number)
                        }
                        styleEntry = nil
                    } else if saved.count == depth {
                        stylesheetDepth = nil
                    }
                }
                if saved.count == fontTableDepth { fontTableDepth = nil }
                guard let outer = saved.popLast() else { break }
                state = outer
                fallbackLeft = 0
                if saved.isEmpty { index = bytes.count }
            case UInt8(ascii: "\\"):
                try control(groupStart: groupStart)
            case 0x0A, 0x0D:
                index += 1
            default:
                index += 1
                if styleEntry != nil, saved.count == (stylesheetDepth ?? 0) + 1 {
                    styleEntry?.name.append(byte)
                } else if fallbackLeft > 0 {
                    fallbackLeft -= 1
                } else if byte >= 0x80 || leadByte != nil {
                    try codePageByte(byte, at: index - 1)
                } else if visible {
                    append(byte)
                }
            }
        }
        flush()
        if !paragraph.current.isEmpty || !paragraph.lines.isEmpty { paragraph.finish(into: &output) }
        return output
    }

    // MARK: - Control words and symbols

    private mutating func control(groupStart: Bool) throws {
        let start = index
        index += 1
        guard index < bytes.count else { return }
        let first = bytes[index]
        guard isLetter(first) else {
            index += 1
            try symbol(first, groupStart: groupStart, at: start)
            return
        }
        var name: [UInt8] = []
        while index < bytes.count, isLetter(bytes[index]), name.count < 32 {
            name.append(bytes[index])
            index += 1
        }
        var parameter: Int?
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var digits = 0
        var value = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]), digits < 10 {
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            digits += 1
            index += 1
        }
        if digits > 0 { parameter = negative ? -value : value }
        if index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
        try word(String(decoding: name, as: UTF8.self), parameter)
    }

    private mutating func symbol(_ symbol: UInt8, groupStart: Bool, at start: Int) throws {
        switch symbol {
        case UInt8(ascii: "'"):
            guard index + 1 < bytes.count, let high = UTF8Scalars.hexDigit(bytes[index]),
                let low = UTF8Scalars.hexDigit(bytes[index + 1])
            else {
                return
            }
            index += 2
            if fallbackLeft > 0 {
                fallbackLeft -= 1
            } else {
                try codePageByte(high << 4 | low, at: start)
            }
        case UInt8(ascii: "*"):
            if groupStart { state.skipped = true }
        case UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            if fallbackLeft > 0 {
                fallbackLeft -= 1
            } else if leadByte != nil {
                try codePageByte(symbol, at: start)
            } else if visible {
                append(symbol)
            }
        case UInt8(ascii: "~"): emit("\u{A0}")
        case UInt8(ascii: "_"): emit("-")
        case 0x0A, 0x0D: if !state.skipped { endParagraph() }
        default: break  // `\-` (an optional hyphen), `\|`, `\:`: nothing to read
        }
    }

    private mutating func word(_ name: String, _ parameter: Int?) throws {
        let on = (parameter ?? 1) != 0
        if state.skipped {
            // Only what changes how the bytes after it are read, and a stylesheet entry's number.
            if name == "bin" { index = min(bytes.count, index + max(0, parameter ?? 0)) }
            if name == "s", styleEntry != nil { styleEntry?.number = parameter ?? 0 }
            if fontTableDepth != nil {
                switch name {
                case "f": fontEntry = parameter
                case "fcharset":
                    if let font = fontEntry, let page = CodePage.of(charset: parameter ?? 0) { fontPages[font] = page }
                case "cpg": if let font = fontEntry, let page = parameter, page != 0 { fontPages[font] = page }
                default: break
                }
            }
            return
        }
        switch name {
        case "par", "sect": endParagraph()
        case "line": emit("\n")
        case "tab": emit("\t")
        case "cell": endCell()
        case "row": endRow()
        case "nestcell": emit("\t")
        case "nestrow": emit("\n")
        case "intbl": inTable = true
        case "pard": (inTable, inHeading) = (false, false)
        case "s": inHeading = headingStyles.contains(parameter ?? 0)
        case "outlinelevel": inHeading = (0...8).contains(parameter ?? 0)
        case "stylesheet":
            state.skipped = true
            stylesheetDepth = saved.count
        case "fonttbl":
            state.skipped = true
            fontTableDepth = saved.count
        case "f": state.font = parameter
        case "deff": defaultFont = parameter
        case "b":
            flush()
            state.bold = on
        case "plain":
            flush()
            (state.bold, state.hidden, state.deleted, state.font) = (false, false, false, nil)
        case "v": state.hidden = on
        case "deleted": state.deleted = on
        case "uc": state.fallbackCount = max(0, parameter ?? 1)
        case "u": unicode(parameter ?? 0)
        case "ansicpg": codePage = parameter ?? 1252
        case "mac": codePage = 10_000
        case "pc": codePage = 437
        case "pca": codePage = 850
        case "bin":
            // Binary data: its bytes are skipped unread.
            index = min(bytes.count, index + max(0, parameter ?? 0))
        case "emdash": emit("\u{2014}")
        case "endash": emit("\u{2013}")
        case "bullet": emit("\u{2022}")
        case "lquote": emit("\u{2018}")
        case "rquote": emit("\u{2019}")
        case "ldblquote": emit("\u{201C}")
        case "rdblquote": emit("\u{201D}")
        case "emspace", "enspace", "qmspace": emit(" ")
        default:
            if Self.destinations.contains(name) { state.skipped = true }
        }
    }

    // MARK: - Text

    private mutating func unicode(_ parameter: Int) {
        let value = UInt32(truncatingIfNeeded: parameter < 0 ? parameter + 65_536 : parameter) & 0xFFFF
        defer { fallbackLeft = state.fallbackCount }
        guard visible else { return }
        if (0xD800...0xDBFF).contains(value) {
            highSurrogate = value
            return
        }
        var scalarValue = value
        if (0xDC00...0xDFFF).contains(value), let high = highSurrogate {
            scalarValue = 0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00)
        }
        highSurrogate = nil
        appendScalar(Unicode.Scalar(scalarValue) ?? "\u{FFFD}")
    }

    /// A byte of the text's code page (from `\'hh` or 8-bit text; an ASCII byte only as a
    /// double-byte character's trail byte).
    private mutating func codePageByte(_ byte: UInt8, at offset: Int) throws {
        guard visible else { return }
        let number = (state.font ?? defaultFont).flatMap { fontPages[$0] } ?? codePage
        if let lead = leadByte {
            leadByte = nil
            for scalar in pages[number]?.scalars(lead.byte, byte) ?? ["\u{FFFD}"] { appendScalar(scalar) }
            return
        }
        guard byte >= 0x80 else {
            append(byte)
            return
        }
        if number == 1252 || number == 0 {
            appendScalar(FallbackEncoding.windows1252(byte) ?? "\u{FFFD}")
            return
        }
        if pages[number] == nil { pages[number] = CodePage(number) }
        guard let page = pages[number] else {
            throw IngestError(
                .invalidEncoding, file: file, byteOffset: offset,
                message: "this RTF's text is in code page \(number), which is not read",
                hint: "open it in Word, LibreOffice or TextEdit and save it as .docx or as UTF-8 text")
        }
        if page.isLead(byte) {
            leadByte = (byte, offset)
        } else {
            appendScalar(page.scalar(byte) ?? "\u{FFFD}")
        }
    }

    /// A character a control word or symbol stands for: skipped as a `\uN`'s fallback, if one
    /// is due (a control word counts as one character there).
    private mutating func emit(_ scalar: Unicode.Scalar) {
        if fallbackLeft > 0 {
            fallbackLeft -= 1
        } else {
            appendScalar(scalar)
        }
    }

    private mutating func appendScalar(_ scalar: Unicode.Scalar) {
        guard visible else { return }
        UTF8.encode(scalar) { append($0) }
    }

    private mutating func append(_ byte: UInt8) {
        let bold = state.bold && !inHeading
        if bold != runBold {
            flush()
            runBold = bold
        }
        run.append(byte)
    }

    private mutating func flush() {
        guard !run.isEmpty else { return }
        run.withUnsafeBufferPointer { paragraph.append($0, bold: runBold) }
        run.removeAll(keepingCapacity: true)
    }

    // MARK: - Paragraphs and tables

    private mutating func endParagraph() {
        flush()
        if inTable {
            paragraph.finish(into: &cell)
        } else {
            paragraph.finish(into: &output)
        }
        paragraph = ParagraphLines()
    }

    private mutating func endCell() {
        flush()
        paragraph.finish(into: &cell)
        paragraph = ParagraphLines()
        cells.append(cell)
        cell = []
    }

    private mutating func endRow() {
        flush()
        guard !cells.isEmpty else { return }
        output += ParagraphLines.rowLines(cells)
        cells = []
    }

    private func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
