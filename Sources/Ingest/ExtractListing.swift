import Corpus
import Foundation

/// What `tmine extract` prints, made one document at a time so that a folder of any size is
/// written as it is read: turn lines, plain texts, or the documents as JSON (one object for one
/// file, else an array, in the bytes `JSONEncoder` gives the whole array).
public struct ExtractListing: Sendable {
    public enum Format: Sendable {
        /// One turn per line, `SPEAKER<TAB>turn`, line breaks and tabs in a turn made spaces;
        /// prefixed by the document id and a tab when `withIDs`.
        case turns(withIDs: Bool)
        /// Each document's plain text, documents separated by a form feed on a line of its own.
        case plain
        /// Each document as JSON with sorted keys; an array of them unless `single`.
        case json(single: Bool)
    }

    public let format: Format
    private var wroteAny = false

    public init(format: Format) { self.format = format }

    /// Appends a document's ``body(of:)`` and what separates it from the one before.
    public mutating func append(body: [UInt8], to bytes: inout [UInt8]) {
        switch format {
        case .turns, .json(single: true): break
        case .plain: if wroteAny { bytes.append(contentsOf: "\n\u{0C}\n".utf8) }
        case .json(single: false): bytes.append(contentsOf: wroteAny ? ",\n  ".utf8 : "[\n  ".utf8)
        }
        bytes.append(contentsOf: body)
        wroteAny = true
    }

    /// A document's part of the listing without what separates it from the one before: made on
    /// whichever core read the document (encoding JSON was most of `extract --format json`).
    public func body(of document: Document) throws -> [UInt8] {
        var bytes: [UInt8] = []
        switch format {
        case .turns(let withIDs):
            for segment in document.segments {
                if withIDs {
                    bytes.append(contentsOf: document.id.utf8)
                    bytes.append(UInt8(ascii: "\t"))
                }
                if segment.speaker.isEmpty {
                    bytes.append(contentsOf: "(\(segment.role.rawValue))".utf8)
                } else {
                    bytes.append(contentsOf: segment.speaker.utf8)
                }
                bytes.append(UInt8(ascii: "\t"))
                Self.appendOnOneLine(segment.text, to: &bytes)
                bytes.append(UInt8(ascii: "\n"))
            }
        case .plain:
            bytes.append(contentsOf: document.text.utf8)
        case .json(let single):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let encoded = try encoder.encode(document)
            guard !single else { return Array(encoded) }
            // The array's pretty form is each element's with every line but the empty ones
            // (inside an empty array) indented by two more spaces: JSON escapes a line break
            // inside a string, so each one in `encoded` is layout.
            bytes.reserveCapacity(encoded.count + encoded.count / 8)
            encoded.withUnsafeBytes { encoded in
                var lineStart = 0
                while let end = encoded[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
                    bytes.append(contentsOf: encoded[lineStart...end])
                    if end + 1 < encoded.count, encoded[end + 1] != UInt8(ascii: "\n") {
                        bytes.append(contentsOf: "  ".utf8)
                    }
                    lineStart = end + 1
                }
                bytes.append(contentsOf: encoded[lineStart...])
            }
        }
        return bytes
    }

    /// Appends what follows the last document (nothing when there was none).
    public func end(to bytes: inout [UInt8]) {
        guard wroteAny else { return }
        switch format {
        case .turns: break
        case .plain: bytes.append(UInt8(ascii: "\n"))
        case .json(let single): bytes.append(contentsOf: (single ? "\n" : "\n]\n").utf8)
        }
    }

    /// The turn's UTF-8 with every line break and tab a space (CR LF one space), so that a turn
    /// stays one line of its column. Bytes, not `String.replacingOccurrences` and concatenation,
    /// with which a 100 MB folder took 9–11 s as turns against 0.4 s as plain text; and in runs
    /// between breaks, not byte by byte (a byte's append was 28 % of such an extract).
    static func appendOnOneLine(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                // Every break is below 0x0E; most bytes are not.
                guard byte < 0x0E,
                    byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t")
                else {
                    index += 1
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                bytes.append(UInt8(ascii: " "))
                if byte == UInt8(ascii: "\r"), index + 1 < utf8.count, utf8[index + 1] == UInt8(ascii: "\n") {
                    index += 1
                }
                index += 1
                runStart = index
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
    }
}
