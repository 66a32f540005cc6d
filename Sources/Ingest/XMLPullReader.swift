internal import CLibXML2
import Foundation

/// A safe, streaming view of one XML document through libxml2's pull reader (`xmlTextReader`).
///
/// The reader never touches the network, never loads a DTD or external entity and never
/// substitutes entities, so an XXE file cannot leak a local file and an entity bomb cannot
/// expand. libxml2's default limits (node size, nesting depth 256) stay on. This type is the
/// only owner of the `xmlTextReaderPtr` and frees it when `read` returns.
final class XMLPullReader {
    enum NodeKind: Int32 {
        case element = 1
        case text = 3
        case cdata = 4
        case entityReference = 5
        case whitespace = 13
        case significantWhitespace = 14
        case endElement = 15
        case other = 0
    }

    /// A name interned in the reader's dictionary: comparing two is a pointer comparison.
    struct Name: Equatable {
        fileprivate let pointer: UnsafePointer<xmlChar>?
    }

    private let reader: xmlTextReaderPtr
    private let errors: XMLErrorSink
    let file: String
    let entry: String?

    private init(reader: xmlTextReaderPtr, errors: XMLErrorSink, file: String, entry: String?) {
        self.reader = reader
        self.errors = errors
        self.file = file
        self.entry = entry
    }

    deinit {
        xmlFreeTextReader(reader)
    }

    /// Parses `data` with a reader handed to `body`; the reader is valid only inside `body`.
    ///
    /// Wraps `xmlReaderForMemory` with `XML_PARSE_NONET` and without `XML_PARSE_NOENT`,
    /// `XML_PARSE_DTDLOAD` or `XML_PARSE_HUGE`. Throws ``IngestError`` (`malformedXML`) with the
    /// file, entry, line and column of the first error libxml2 reports.
    static func read<T>(
        _ data: Data, file: String, entry: String? = nil, body: (XMLPullReader) throws -> T
    ) throws -> T {
        try XMLSafety.withDocument(data, file: file, entry: entry) { bytes, count in
            guard let raw = xmlReaderForMemory(bytes, count, file, nil, XMLSafety.options) else {
                throw IngestError(.malformedXML, file: file, entry: entry, message: "libxml2 could not start reading")
            }
            let sink = XMLErrorSink()
            let reader = XMLPullReader(reader: raw, errors: sink, file: file, entry: entry)
            let context = Unmanaged.passUnretained(sink).toOpaque()
            xmlTextReaderSetStructuredErrorHandler(raw, xmlErrorCollector, context)
            return try withExtendedLifetime(sink) { try body(reader) }
        }
    }

    /// Advances to the next node; false at the end of the document. Wraps `xmlTextReaderRead`.
    func next() throws -> Bool {
        let result = xmlTextReaderRead(reader)
        if result == 1 {
            if let error = errors.ingestError(file: file, entry: entry) { throw error }
            return true
        }
        if result == 0 {
            if let error = errors.ingestError(file: file, entry: entry) { throw error }
            return false
        }
        throw errors.ingestError(file: file, entry: entry)
            ?? IngestError(
                .malformedXML, file: file, entry: entry, line: line, column: column, message: "the XML is malformed")
    }

    var kind: NodeKind { NodeKind(rawValue: xmlTextReaderNodeType(reader)) ?? .other }
    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }
    var depth: Int { Int(xmlTextReaderDepth(reader)) }
    var line: Int { Int(xmlTextReaderGetParserLineNumber(reader)) }
    var column: Int { Int(xmlTextReaderGetParserColumnNumber(reader)) }

    func intern(_ name: String) -> Name { Name(pointer: xmlTextReaderConstString(reader, name)) }

    /// True when the current node's local name is `name` (pointer comparison in the dictionary).
    func isNamed(_ name: Name) -> Bool { xmlTextReaderConstLocalName(reader) == name.pointer }

    func isInNamespace(_ namespace: Name) -> Bool { xmlTextReaderConstNamespaceUri(reader) == namespace.pointer }

    var localName: String { xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? "" }

    /// The text of the current text, CDATA or whitespace node.
    var value: String { xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? "" }

    /// The value of an attribute of the current element by qualified name (`w:val`, `xml:id`).
    func attribute(_ qualifiedName: String) -> String? {
        guard xmlTextReaderMoveToAttribute(reader, qualifiedName) == 1 else { return nil }
        defer { xmlTextReaderMoveToElement(reader) }
        return xmlTextReaderConstValue(reader).map { String(cString: $0) }
    }

    /// Which child elements' text is read, and which part words, for ``readText(_:)``.
    struct TextRules {
        /// Elements that contribute nothing (editorial notes, non-verbal events).
        var skipped: [Name] = []
        /// Elements whose start and end part words (`<seg>`, `<lb/>`), unless `break="no"`.
        var boundaries: [Name] = []
        /// An element holding alternatives for the same text (TEI's `<choice>`) …
        var choice: Name?
        /// … and those of its children not taken (`<sic>` beside `<corr>`).
        var notChosen: [Name] = []
    }

    /// The concatenated text below the current element, leaving the reader on its end tag.
    func readText(_ rules: TextRules = TextRules()) throws -> String {
        guard kind == .element, !isEmptyElement else { return "" }
        let start = depth
        var text = ""
        var skipDepth: Int?
        // Depths of the open `choice` elements.
        var choices: [Int] = []
        func isBoundary() -> Bool { rules.boundaries.contains(where: isNamed) && attribute("break") != "no" }
        while try next() {
            let current = kind
            if current == .endElement && depth == start { break }
            if let level = skipDepth {
                if current == .endElement && depth == level { skipDepth = nil }
                continue
            }
            switch current {
            case .element
            where rules.skipped.contains(where: isNamed)
                || (choices.last == depth - 1 && rules.notChosen.contains(where: isNamed)):
                if !isEmptyElement { skipDepth = depth }
            case .element:
                if isBoundary() { text += " " }
                if let choice = rules.choice, isNamed(choice), !isEmptyElement { choices.append(depth) }
            case .endElement:
                if choices.last == depth { choices.removeLast() }
                if isBoundary() { text += " " }
            case .text, .cdata, .whitespace, .significantWhitespace:
                text += value
            default:
                break
            }
        }
        return text
    }

    /// Skips the current element's subtree, leaving the reader on its end tag.
    func skipElement() throws {
        guard kind == .element, !isEmptyElement else { return }
        let start = depth
        while try next() {
            if kind == .endElement && depth == start { return }
        }
    }
}

/// Collects libxml2's structured errors for one parse (pull reader or SAX), keeping the first
/// fatal one.
final class XMLErrorSink {
    private var firstFatal: (line: Int?, column: Int?, message: String, isEncoding: Bool)?

    /// libxml2's errors about the document's encoding, rather than its markup.
    private static let encodingCodes: Set<UInt32> = [
        XML_ERR_UNKNOWN_ENCODING.rawValue, XML_ERR_UNSUPPORTED_ENCODING.rawValue, XML_ERR_ENCODING_NAME.rawValue,
        XML_ERR_INVALID_ENCODING.rawValue,
    ]

    func note(_ error: xmlErrorPtr) {
        guard firstFatal == nil, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        let message = error.pointee.message.map { String(cString: $0) } ?? "unknown error"
        // Some messages go on over a second line ("… indicate encoding !\nBytes: 0xE9 …").
        let oneLine = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        firstFatal = (
            error.pointee.line > 0 ? Int(error.pointee.line) : nil,
            error.pointee.int2 > 0 ? Int(error.pointee.int2) : nil,
            oneLine,
            Self.encodingCodes.contains(UInt32(error.pointee.code))
                || (error.pointee.code == XML_ERR_INVALID_CHAR.rawValue
                    && oneLine.hasPrefix("Input is not proper UTF-8"))
        )
    }

    /// The first fatal error as the ingest error that names file, entry, line and column.
    func ingestError(file: String, entry: String?) -> IngestError? {
        firstFatal.map { first in
            first.isEncoding
                ? IngestError(
                    .invalidEncoding, file: file, entry: entry, line: first.line, column: first.column,
                    message: "encoding problem in the XML: \(first.message)", hint: XMLSafety.encodingHint)
                : IngestError(
                    .malformedXML, file: file, entry: entry, line: first.line, column: first.column,
                    message: "malformed XML: \(first.message)")
        }
    }
}

private func xmlErrorCollector(_ context: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let context, let error else { return }
    Unmanaged<XMLErrorSink>.fromOpaque(context).takeUnretainedValue().note(error)
}

/// Process-wide libxml2 settings that must hold before any document is parsed.
enum XMLSafety {
    /// libxml2 set up, once a process, before its first parse.
    private static let setUp: Void = {
        xmlInitParser()
        // Refuse every external entity or DTD, whatever the options of any caller say.
        xmlSetExternalEntityLoader { _, _, _ in nil }
    }()

    /// The options of every parse: no network; errors go to the structured handler, not stderr.
    static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

    /// Installs the settings, then hands `body` the document's bytes (never a null pointer, even
    /// when empty) and their count; a part of 2 GB or more is refused, naming the file.
    static func withDocument<T>(
        _ data: Data, file: String, entry: String?, _ body: (UnsafePointer<CChar>?, Int32) throws -> T
    ) throws -> T {
        _ = setUp
        guard data.count < Int(Int32.max) else {
            throw IngestError(.zipLimitExceeded, file: file, entry: entry, message: "XML part is larger than 2 GB")
        }
        clibxml2_begin_generic_messages()
        do {
            return try data.withUnsafeBytes { buffer in
                let empty: [CChar] = [0]
                return try empty.withUnsafeBufferPointer { fallback in
                    try body(
                        buffer.baseAddress?.assumingMemoryBound(to: CChar.self) ?? fallback.baseAddress,
                        Int32(buffer.count))
                }
            }
        } catch let error as IngestError where error.code == .malformedXML {
            throw encodingError(replacing: error, data: data) ?? error
        }
    }

    /// The error to give instead of `error` when libxml2 stopped because the document's bytes
    /// are not in the encoding it declares: libxml2 says so only on its generic channel (kept
    /// by ``clibxml2_begin_generic_messages()``), and to its parser as a bare "encoder error".
    static func encodingError(replacing error: IngestError, data: Data) -> IngestError? {
        let messages = String(cString: clibxml2_generic_messages())
        guard let failed = messages.range(of: "input conversion failed") else { return nil }
        // "… input conversion failed due to input error, bytes 0xFF 0xFE 0x80 0x20": the bytes
        // from where it stopped.
        let bytes = messages[failed.upperBound...].range(of: "bytes ").map { start in
            " (from \(messages[start.upperBound...].prefix { $0 != "\n" }.trimmingCharacters(in: .whitespaces)))"
        }
        let message =
            declaredEncoding(data).map { "the XML declares the encoding \($0), but its bytes are not valid in it" }
            ?? "the XML's bytes are not valid in its encoding"
        return IngestError(
            .invalidEncoding, file: error.file, entry: error.entry, line: error.line, column: error.column,
            message: message + (bytes ?? ""), hint: encodingHint)
    }

    static let encodingHint = "save it as UTF-8, or correct the encoding its first line declares"

    /// The encoding named by the XML declaration at the start of `data`, when it is written in
    /// an ASCII-compatible encoding.
    static func declaredEncoding(_ data: Data) -> String? {
        let head = String(decoding: data.prefix(200), as: UTF8.self).drop { $0 == "\u{FEFF}" }
        guard head.hasPrefix("<?xml"), let end = head.range(of: "?>"),
            let name = head[..<end.lowerBound].range(of: "encoding")
        else { return nil }
        let rest = head[name.upperBound..<end.lowerBound].drop { $0 == " " || $0 == "=" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        let value = rest.dropFirst().prefix { $0 != quote }
        return value.isEmpty ? nil : String(value)
    }
}
