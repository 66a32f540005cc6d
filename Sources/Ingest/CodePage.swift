import Foundation

/// A legacy code page, as Windows and DOS wrote text before UTF-8 (an RTF's `\ansicpg1251`, a
/// Word "Plain Text" file saved on Russian Windows), decoded by Foundation's converters: a
/// single-byte page through a table of its upper half, made once for all of them; a double-byte
/// page's characters as they come.
struct CodePage: Sendable {
    let number: Int
    let encoding: String.Encoding
    /// Bytes that start a two-byte character (a double-byte page's).
    private let leads: [ClosedRange<UInt8>]

    /// Foundation's encodings by code page (CoreFoundation's Windows, DOS and Mac encodings; Mac
    /// Roman by CoreFoundation's number, 0: `String.Encoding.macOSRoman` decodes wrongly on Linux).
    /// Not 1252: ``FallbackEncoding/windows1252(_:)``'s table reads it.
    private static let encodings: [Int: UInt] = [
        437: 0x0400, 850: 0x0410, 874: 0x041D, 932: 0x0420, 936: 0x0421, 949: 0x0422, 950: 0x0423,
        1250: 0x0501, 1251: 0x0502, 1253: 0x0503, 1254: 0x0504, 1255: 0x0505, 1256: 0x0506, 1257: 0x0507,
        1258: 0x0508, 10_000: 0x0000,
    ]

    /// Every single-byte page's bytes 0x80–0xFF (0: unassigned, as is a C1 control Foundation
    /// maps an unassigned byte to), made at the first use of any: ~3 ms.
    private static let upperHalves: [Int: [UInt32]] = Dictionary(
        uniqueKeysWithValues: encodings.keys.filter { ![932, 936, 949, 950].contains($0) }.map { number in
            let encoding = String.Encoding(rawValue: 0x8000_0000 | encodings[number, default: 0])
            return (
                number,
                (0x80...0xFF).map { byte -> UInt32 in
                    guard let text = String(data: Data([UInt8(byte)]), encoding: encoding),
                        let scalar = text.unicodeScalars.first, text.unicodeScalars.count == 1,
                        !(0x80...0x9F).contains(scalar.value)
                    else { return 0 }
                    return scalar.value
                }
            )
        })

    /// The code page of an RTF font's `\fcharsetN` (nil: the document's, or none to decode).
    static func of(charset: Int) -> Int? {
        [
            77: 10_000, 128: 932, 129: 949, 134: 936, 136: 950, 161: 1253, 162: 1254, 163: 1258,
            177: 1255, 178: 1256, 186: 1257, 204: 1251, 222: 874, 238: 1250, 255: 437,
        ][charset]
    }

    /// Nil for a code page not read.
    init?(_ number: Int) {
        guard let raw = Self.encodings[number] else { return nil }
        self.number = number
        encoding = String.Encoding(rawValue: 0x8000_0000 | raw)
        switch number {
        case 932: leads = [0x81...0x9F, 0xE0...0xFC]
        case 936, 949, 950: leads = [0x81...0xFE]
        default: leads = []
        }
    }

    func isLead(_ byte: UInt8) -> Bool { leads.contains { $0.contains(byte) } }

    /// The character one byte stands for; nil for a byte the page leaves unassigned (or a lead
    /// byte alone).
    func scalar(_ byte: UInt8) -> Unicode.Scalar? {
        guard byte >= 0x80 else { return Unicode.Scalar(byte) }
        if let upper = Self.upperHalves[number] {
            let value = upper[Int(byte) - 0x80]
            return value == 0 ? nil : Unicode.Scalar(value)
        }
        return String(data: Data([byte]), encoding: encoding)?.unicodeScalars.first
    }

    /// The characters of a double-byte page's lead and trail byte (U+FFFD when they are none).
    func scalars(_ lead: UInt8, _ trail: UInt8) -> [Unicode.Scalar] {
        guard let text = String(data: Data([lead, trail]), encoding: encoding) else { return ["\u{FFFD}"] }
        return Array(text.unicodeScalars)
    }
}
