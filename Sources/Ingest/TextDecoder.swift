import Corpus
import Foundation

/// Decodes transcript bytes to a string: UTF-8 with or without BOM, UTF-16 and UTF-32 with BOM,
/// and UTF-16 and UTF-32 without BOM when their zero bytes give them away; text that is not
/// UTF-8 in the `fallback` encoding when one is set. Line ends (CRLF, CR) become LF.
///
/// Invalid UTF-8 is an error naming its byte offset, unless `replacingInvalid` is set, in which
/// case each bad sequence becomes U+FFFD.
struct TextDecoder {
    var replacingInvalid = false
    /// What to read text in that is not valid UTF-8 and has no BOM, instead of failing on it.
    var fallback: FallbackEncoding?
    /// Told when the fallback was used, for the document's notes.
    var fellBack: FallbackUse?
    /// Whether the reader can replace invalid bytes (the error's hint offers it).
    var canReplace = true

    func decode(_ data: Data, file: String) throws -> String {
        let bytes = [UInt8](data)
        var text: String
        let (form, length) = Self.form(of: bytes)
        switch form {
        case .utf8: text = try utf8(bytes[length...], offset: length, file: file)
        case .utf16(let littleEndian): text = try utf16(bytes[length...], littleEndian: littleEndian, file: file)
        case .utf32(let littleEndian): text = try utf32(bytes[length...], littleEndian: littleEndian, file: file)
        }
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        if text.containsByte(13) { text = text.withLineFeeds() }
        return text
    }

    /// A Unicode encoding form a byte order mark names.
    enum UnicodeForm {
        case utf8
        case utf16(littleEndian: Bool)
        case utf32(littleEndian: Bool)
    }

    /// The encoding form the bytes' BOM names and the BOM's length, or nil without one. UTF-32
    /// LE's BOM begins with UTF-16 LE's; a UTF-16 file does not begin with U+0000, so the longer
    /// one wins, as in Python's and ICU's detection.
    static func byteOrderMark(_ bytes: some Collection<UInt8>) -> (form: UnicodeForm, length: Int)? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8, 3) }
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return (.utf32(littleEndian: true), 4) }
        if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return (.utf32(littleEndian: false), 4) }
        if bytes.starts(with: [0xFF, 0xFE]) { return (.utf16(littleEndian: true), 2) }
        if bytes.starts(with: [0xFE, 0xFF]) { return (.utf16(littleEndian: false), 2) }
        return nil
    }

    /// The encoding form of the bytes and the length of its BOM: the one a BOM names, else
    /// UTF-32 or UTF-16 when their zero bytes give them away, else UTF-8.
    static func form(of bytes: [UInt8]) -> (form: UnicodeForm, bomLength: Int) {
        if let named = byteOrderMark(bytes) { return (named.form, named.length) }
        if let littleEndian = looksLikeBOMlessUTF32(bytes) { return (.utf32(littleEndian: littleEndian), 0) }
        if let littleEndian = looksLikeBOMlessUTF16(bytes) { return (.utf16(littleEndian: littleEndian), 0) }
        return (.utf8, 0)
    }

    /// In UTF-32 every character's top byte is zero and the next is at most 0x10 (in text, nearly
    /// always zero too), which UTF-8 and UTF-16 text never have in every fourth byte; nil when the
    /// first units are not all so.
    static func looksLikeBOMlessUTF32(_ bytes: [UInt8]) -> Bool? {
        let sample = bytes.prefix(4096)
        guard sample.count >= 4, sample.count % 4 == 0 else { return nil }
        func allUnits(_ isUnit: (UInt8, UInt8, UInt8, UInt8) -> Bool) -> Bool {
            stride(from: sample.startIndex, to: sample.endIndex, by: 4).allSatisfy {
                isUnit(sample[$0], sample[$0 + 1], sample[$0 + 2], sample[$0 + 3])
            }
        }
        // U+0000 is never text: a unit of four zeros is not taken for a character.
        if allUnits({ a, b, c, d in d == 0 && c <= 0x10 && a | b | c != 0 }) { return true }
        if allUnits({ a, b, c, d in a == 0 && b <= 0x10 && b | c | d != 0 }) { return false }
        return nil
    }

    /// UTF-16 text of mostly Latin script has a zero in every other byte; nil when it does not.
    static func looksLikeBOMlessUTF16(_ bytes: [UInt8]) -> Bool? {
        let sample = bytes.prefix(4096)
        guard sample.count >= 4, sample.count % 2 == 0 else { return nil }
        var evenZeros = 0
        var oddZeros = 0
        for (index, byte) in sample.enumerated() where byte == 0 {
            if index % 2 == 0 { evenZeros += 1 } else { oddZeros += 1 }
        }
        let pairs = sample.count / 2
        if oddZeros * 10 >= pairs * 6 && evenZeros * 10 < pairs { return true }
        if evenZeros * 10 >= pairs * 6 && oddZeros * 10 < pairs { return false }
        return nil
    }

    private func utf8(_ bytes: ArraySlice<UInt8>, offset: Int, file: String) throws -> String {
        // Valid text (nearly all of it) is validated once, as the string is made; only invalid
        // text is scanned again to say where.
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        if let fallback, offset == 0 {
            fellBack?.used = true
            switch fallback.decode(bytes, replacingUnassigned: replacingInvalid) {
            case .success(let text): return text
            case .failure(let unassigned):
                throw IngestError(
                    .invalidEncoding, file: file, byteOffset: unassigned.offset,
                    message: "neither UTF-8 nor \(fallback.rawValue): byte \(unassigned.offset) is unassigned in it",
                    hint: "save the file as UTF-8, or set the pipeline to replace invalid bytes")
            }
        }
        if let invalid = Self.firstInvalidUTF8(bytes) {
            if !replacingInvalid {
                let line = bytes[bytes.startIndex..<invalid].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
                throw IngestError(
                    .invalidEncoding, file: file, line: line, byteOffset: invalid,
                    message: "invalid UTF-8 at byte \(invalid)",
                    hint: "save the file as UTF-8; if Word or Excel saved it on Windows, set "
                        + "fallbackEncoding: windows-1252 (or the page of its language: windows-1250 Central "
                        + "European, windows-1251 Cyrillic, windows-1253 Greek, windows-1254 Turkish …) under the "
                        + "pipeline's inputs (tmine extract: --fallback-encoding windows-1252)"
                        + (canReplace ? "; or set the pipeline to replace invalid bytes" : ""))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func utf16(_ bytes: ArraySlice<UInt8>, littleEndian: Bool, file: String) throws -> String {
        guard bytes.count % 2 == 0 else {
            throw IngestError(
                .invalidEncoding, file: file, byteOffset: bytes.endIndex - 1,
                message: "UTF-16 text has an odd number of bytes", hint: "the file may be truncated")
        }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let first = UInt16(bytes[index])
            let second = UInt16(bytes[index + 1])
            units.append(littleEndian ? first | second << 8 : first << 8 | second)
            index += 2
        }
        // An invalid unit is U+FFFD, or, unless replacing, where reading stops and the error is.
        var invalid: Int?
        let text = Self.transcoded(units.count * 3) { index in
            guard index < units.count, invalid == nil else { return nil }
            let unit = UInt32(units[index])
            switch unit {
            case 0xD800...0xDBFF where index + 1 < units.count && (0xDC00...0xDFFF).contains(units[index + 1]):
                return (0x10000 + (unit - 0xD800) << 10 + (UInt32(units[index + 1]) - 0xDC00), 2)
            case 0xD800...0xDFFF:
                if replacingInvalid { return (0xFFFD, 1) }
                invalid = index
                return nil
            default: return (unit, 1)
            }
        }
        if let invalid {
            throw IngestError(
                .invalidEncoding, file: file, byteOffset: bytes.startIndex + invalid * 2,
                message: "invalid UTF-16 at byte \(bytes.startIndex + invalid * 2)")
        }
        return text
    }

    /// UTF-8 of the scalars `next` gives from a unit index (a scalar's value, or U+FFFD for an
    /// invalid unit, and how many units it took; nil where reading ends), at most `capacity` bytes. Hand-written: the
    /// standard library transcodes UTF-16 and UTF-32 by its generic, unspecialised path, which,
    /// like appending scalar by scalar to a string's view, was three quarters of reading such a
    /// file.
    static func transcoded(_ capacity: Int, _ next: (Int) -> (scalar: UInt32, units: Int)?) -> String {
        String(unsafeUninitializedCapacity: capacity) { out in
            var written = 0
            var index = 0
            while let (scalar, units) = next(index) {
                index += units
                switch scalar {
                case 0..<0x80:
                    out[written] = UInt8(scalar)
                    written += 1
                case 0x80..<0x800:
                    out[written] = UInt8(0xC0 | scalar >> 6)
                    out[written + 1] = UInt8(0x80 | scalar & 0x3F)
                    written += 2
                case 0x800..<0x10000:
                    out[written] = UInt8(0xE0 | scalar >> 12)
                    out[written + 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
                    out[written + 2] = UInt8(0x80 | scalar & 0x3F)
                    written += 3
                default:
                    out[written] = UInt8(0xF0 | scalar >> 18)
                    out[written + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
                    out[written + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
                    out[written + 3] = UInt8(0x80 | scalar & 0x3F)
                    written += 4
                }
            }
            return written
        }
    }

    private func utf32(_ bytes: ArraySlice<UInt8>, littleEndian: Bool, file: String) throws -> String {
        guard bytes.count % 4 == 0 else {
            throw IngestError(
                .invalidEncoding, file: file, byteOffset: bytes.endIndex - bytes.count % 4,
                message: "UTF-32 text ends in a part of a character (\(bytes.count % 4) bytes)",
                hint: "the file may be truncated")
        }
        var units: [UInt32] = []
        units.reserveCapacity(bytes.count / 4)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let (a, b, c, d) = (
                UInt32(bytes[index]), UInt32(bytes[index + 1]), UInt32(bytes[index + 2]), UInt32(bytes[index + 3])
            )
            let unit = littleEndian ? a | b << 8 | c << 16 | d << 24 : a << 24 | b << 16 | c << 8 | d
            units.append(unit)
            index += 4
        }
        var invalid: Int?
        let text = Self.transcoded(units.count * 4) { index in
            guard index < units.count, invalid == nil else { return nil }
            if Unicode.Scalar(units[index]) != nil { return (units[index], 1) }
            if replacingInvalid { return (0xFFFD, 1) }
            invalid = index
            return nil
        }
        if let invalid {
            let offset = bytes.startIndex + invalid * 4
            throw IngestError(
                .invalidEncoding, file: file, byteOffset: offset,
                message: "invalid UTF-32 at byte \(offset) (no character has the code \(units[invalid]))",
                hint: "save the file as UTF-8, or set the pipeline to replace invalid bytes")
        }
        return text
    }

    /// Index of the first byte that does not start or continue a valid UTF-8 sequence.
    static func firstInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer(UTF8Scalars.firstInvalid).map { bytes.startIndex + $0 }
    }
}

/// A single-byte encoding that text which is not UTF-8 is read in, when the pipeline names one
/// (`inputs.fallbackEncoding`): what Word's "Plain Text" and Excel's "CSV" save on Windows. Only
/// for files that are not valid UTF-8 and have no BOM, so a folder may mix the two.
public enum FallbackEncoding: String, Sendable, Hashable, Codable, CaseIterable {
    /// Windows-1252 (Western Europe), which is also ISO-8859-1 (Latin-1) for every printable
    /// character.
    case windows1252 = "windows-1252"
    /// Windows' other single-byte code pages, which Word's "Plain Text" and Excel's "CSV" write
    /// on a Windows of that language: Central European, Cyrillic, Greek, Turkish, Hebrew, Arabic,
    /// Baltic, Vietnamese, Thai.
    case windows1250 = "windows-1250"
    case windows1251 = "windows-1251"
    case windows1253 = "windows-1253"
    case windows1254 = "windows-1254"
    case windows1255 = "windows-1255"
    case windows1256 = "windows-1256"
    case windows1257 = "windows-1257"
    case windows1258 = "windows-1258"
    case windows874 = "windows-874"

    /// The encoding a pipeline names, by any of its usual names (`cp1251`; Latin-1's, read as
    /// Windows-1252 as browsers read it), in any case.
    public init?(named name: String) {
        let aliases = ["latin-1": "windows-1252", "latin1": "windows-1252", "iso-8859-1": "windows-1252"]
        var lowered = name.lowercased()
        if lowered.hasPrefix("cp") { lowered = "windows-" + lowered.dropFirst(2) }
        self.init(rawValue: aliases[lowered] ?? lowered)
    }

    /// The page's decoder (Windows-1252's is the table below).
    var codePage: CodePage? {
        self == .windows1252 ? nil : CodePage(Int(rawValue.dropFirst("windows-".count)) ?? 0)
    }

    /// What to say of a name that is none of them.
    public static func unknown(_ name: String) -> String {
        "unknown fallback encoding \"\(name)\"; use " + allCases.map(\.rawValue).joined(separator: ", ")
    }

    /// The text, or the offset of the first byte the code page leaves unassigned (U+FFFD for
    /// each with `replacingUnassigned`). Hand-written, a table of 32: Foundation's
    /// `String(data:encoding: .windowsCP1252)` gives nil for a file with any such byte, without
    /// saying where.
    func decode(_ bytes: ArraySlice<UInt8>, replacingUnassigned: Bool) -> Result<String, UnassignedByte> {
        let page = codePage
        var unassigned: Int?
        let text = TextDecoder.transcoded(bytes.count * 4) { index in
            guard index < bytes.count, unassigned == nil else { return nil }
            let byte = bytes[bytes.startIndex + index]
            let decoded: Unicode.Scalar? =
                if byte < 0x80 { Unicode.Scalar(byte) } else if let page { page.scalar(byte) } else {
                    Self.windows1252(byte)
                }
            if let decoded { return (decoded.value, 1) }
            if replacingUnassigned { return (0xFFFD, 1) }
            unassigned = bytes.startIndex + index
            return nil
        }
        if let unassigned { return .failure(UnassignedByte(offset: unassigned)) }
        return .success(text)
    }

    /// The scalar one byte stands for in Windows-1252; nil for a byte it leaves unassigned.
    static func windows1252(_ byte: UInt8) -> Unicode.Scalar? {
        guard byte >= 0x80, byte < 0xA0 else { return Unicode.Scalar(byte) }
        let value = Self.windows1252High[Int(byte) - 0x80]
        return value == 0 ? nil : Unicode.Scalar(value)
    }

    /// Where a byte the encoding leaves unassigned is.
    struct UnassignedByte: Error {
        var offset: Int
    }

    /// Bytes 0x80–0x9F of Windows-1252 (0: unassigned).
    private static let windows1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E,
        0x0178,
    ]
}

/// Whether a ``TextDecoder`` read a file in its fallback encoding (one per file read).
final class FallbackUse: @unchecked Sendable {
    var used = false
}
