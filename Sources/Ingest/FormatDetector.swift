import Corpus
import Foundation

/// Tells a transcript's format from its content, using the extension only where content
/// cannot tell; names what a file is when it is something TranscriptMiner does not read.
enum FormatDetector {
    static func detect(_ data: Data, file: String) throws -> TranscriptFormat {
        guard !data.isEmpty else {
            throw IngestError(.emptyFile, file: file, message: "the file is empty (0 bytes)")
        }
        let head = [UInt8](data.prefix(8))
        let ext = (file as NSString).pathExtension.lowercased()
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            if let type = OpenDocumentReader.mediaType(data) {
                guard type.hasPrefix("application/vnd.oasis.opendocument.text") else {
                    let kind = type.split(separator: ".").last.map { " " + $0.split(separator: "-")[0] } ?? ""
                    throw IngestError(
                        .unsupportedFormat, file: file,
                        message: "this is an OpenDocument\(kind) file, not a text document",
                        hint: "copy the transcript into a text document (.odt or .docx)")
                }
                return .odt
            }
            return ext == "odt" ? .odt : .docx
        }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            throw compoundFileError(data, file: file)
        }
        let text = sniffText(data)
        // Only the start is compared: lower-casing all 512 characters was most of detecting.
        let lowered = String(text.prefix(16)).lowercased()
        if lowered.hasPrefix("{\\rtf") { return .rtf }
        if lowered.hasPrefix("%pdf") {
            throw IngestError(
                .unsupportedFormat, file: file, message: "this is a PDF\(misnamed(ext, "pdf"))",
                hint: "export the transcript from its source as .docx or .txt")
        }
        if lowered.hasPrefix("<!doctype html") || lowered.hasPrefix("<html") {
            throw IngestError(
                .unsupportedFormat, file: file, message: "this is an HTML page\(misnamed(ext, "html"))",
                hint: "open it in Word and save it as .docx, or save the page as plain text")
        }
        if text.hasPrefix("WEBVTT") || ext == "vtt" { return .webvtt }
        if ext == "srt" || looksLikeSubRip(text) { return .subrip }
        if text.hasPrefix("<") {
            return try xmlFormat(data, file: file)
        }
        // A NUL byte where no UTF-16 or UTF-32 is seen: a binary file (a damaged Word file, an
        // audio file, a database) that read as text kept its printable bytes as words.
        // Searched through the bytes' buffer: `Data`'s own iterator, a call per byte, was a
        // twentieth of reading a text transcript.
        if case .utf8 = TextDecoder.form(of: [UInt8](data.prefix(512))).form,
            data.prefix(4096).withUnsafeBytes({ $0.contains(0) })
        {
            let package = ["docx", "odt"].contains(ext)
            throw IngestError(
                .unsupportedFormat, file: file,
                message: package
                    ? "this is named .\(ext) but is neither a \(ext == "odt" ? "OpenDocument" : "Word") package nor text: "
                        + "a damaged or misnamed file"
                    : "this is a binary file, not text",
                hint: package
                    ? "open it in the program that made it and save it again"
                    : "export the transcript from its source as .docx or .txt")
        }
        return .text
    }

    /// What a document read as plain text says of a name that promised a package (`.docx`,
    /// `.odt`): read all the same, but the researcher may have the wrong file.
    static func misnamedTextNote(_ format: TranscriptFormat, file: String) -> String? {
        let ext = (file as NSString).pathExtension.lowercased()
        guard format == .text, ["docx", "odt"].contains(ext) else { return nil }
        return "named .\(ext) but it is plain text: read as text"
    }

    /// SubRip's first cue: its number alone on a line, then its timing ("00:00:01,000 --> …").
    /// Scalar by scalar: most files fail at their first one.
    private static func looksLikeSubRip(_ text: String) -> Bool {
        var scalars = text.unicodeScalars.makeIterator()
        var digits = 0
        var next = scalars.next()
        while let scalar = next, ("0"..."9").contains(scalar) {
            digits += 1
            next = scalars.next()
        }
        while let scalar = next, scalar == " " || scalar == "\t" { next = scalars.next() }
        guard (1...9).contains(digits), next == "\n" else { return false }
        var timing = String.UnicodeScalarView()
        var length = 0
        while let scalar = scalars.next(), scalar != "\n", length < 80 {
            timing.append(scalar)
            length += 1
        }
        return WebVTTReader.cueTiming(String(timing))?.start != nil
    }

    private static func misnamed(_ ext: String, _ real: String) -> String {
        ext.isEmpty || ext == real ? "" : " although it is named .\(ext)"
    }

    /// The first characters after a BOM and leading blanks, decoded leniently as the whole file
    /// will be (``TextDecoder``), so that XML or WebVTT in any Unicode encoding form is told apart
    /// from plain text. The first 512 bytes: after any BOM, whole UTF-16 or UTF-32 units.
    private static func sniffText(_ data: Data) -> String {
        let head = data.count > 512 ? data.prefix(512) : data
        var text =
            (try? TextDecoder(replacingInvalid: true).decode(head, file: ""))
            ?? String(decoding: head, as: UTF8.self)
        while let first = text.unicodeScalars.first, first.isBlank || first == "\u{FEFF}" {
            text.unicodeScalars.removeFirst()
        }
        return text
    }

    /// An OLE compound file: an encrypted OOXML package or an old binary Word document.
    private static func compoundFileError(_ data: Data, file: String) -> IngestError {
        func containsUTF16(_ name: String) -> Bool {
            let needle = Data(name.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
            return data.range(of: needle) != nil
        }
        if containsUTF16("EncryptedPackage") || containsUTF16("EncryptionInfo") {
            return IngestError(
                .encryptedDocument, file: file,
                message: "this Word document is password-protected (encrypted)",
                hint: "open it in Word, remove the password (File > Info > Protect Document) and save it as .docx")
        }
        if containsUTF16("WordDocument") {
            return IngestError(
                .legacyWordDocument, file: file,
                message: "this is an old binary Word document (.doc, Word 97-2003)",
                hint: "open it in Word or LibreOffice and save it as .docx")
        }
        return IngestError(
            .unsupportedFormat, file: file, message: "this is an old Office binary file, not a transcript format",
            hint: "save it as .docx or .txt")
    }

    private static func xmlFormat(_ data: Data, file: String) throws -> TranscriptFormat {
        // libxml2 (2.9) takes a UTF-32 BOM for UTF-16's and finds no document, and fails to
        // convert UTF-32 LE without one; said plainly.
        if case .utf32 = TextDecoder.form(of: [UInt8](data.prefix(4096))).form {
            throw IngestError(
                .invalidEncoding, file: file, byteOffset: 0, message: "this XML is in UTF-32, which is not read",
                hint: "save it as UTF-8 or UTF-16")
        }
        let root: String = try XMLPullReader.read(data, file: file) { reader in
            while try reader.next() {
                if reader.kind == .element { return reader.localName }
            }
            return ""
        }
        switch root {
        case "TEI", "teiCorpus": return .tei
        case "Trans": return .transcriber
        case "ANNOTATION_DOCUMENT": return .elan
        case "document", "wordDocument", "package":
            throw IngestError(
                .unsupportedFormat, file: file, message: "this is Word XML (<\(root)>), not a .docx package",
                hint: "open it in Word and save it as .docx")
        default:
            throw IngestError(
                .unsupportedFormat, file: file,
                message: "XML with root element <\(root)> is not a transcript format TranscriptMiner reads",
                hint: "TEI (<TEI>), Transcriber (<Trans>) and ELAN (<ANNOTATION_DOCUMENT>) are read")
        }
    }
}
