import Corpus
import Foundation

/// A paragraph being built from a word processor's runs (Word, OpenDocument): its finished
/// lines and the current one, as UTF-8, and how much of each line's start is bold.
struct ParagraphLines {
    var lines: [SourceLine] = []
    /// Paragraphs of text boxes anchored in this one, read after it.
    var anchored: [SourceLine] = []
    var current: [UInt8] = []
    /// Scalars of `current` while its start is bold or blank; not kept up after that.
    var prefixLength = 0
    var boldPrefix = 0
    var inBoldPrefix = true

    /// Appends a run's text; a line break in it ends the line.
    mutating func append(_ text: UnsafeBufferPointer<UInt8>, bold: Bool) {
        var rest = text
        // `memchr`: runs rarely hold a line break, and most of a document is run text.
        while let base = rest.baseAddress, let found = memchr(base, 0x0A, rest.count) {
            let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            appendPiece(UnsafeBufferPointer(rebasing: rest[..<newline]), bold: bold)
            breakLine()
            rest = UnsafeBufferPointer(rebasing: rest[(newline + 1)...])
        }
        appendPiece(rest, bold: bold)
    }

    private mutating func appendPiece(_ piece: UnsafeBufferPointer<UInt8>, bold: Bool) {
        guard !piece.isEmpty else { return }
        current.append(contentsOf: piece)
        // Scalars are counted only while the line starts bold or blank (a label is short),
        // not for every piece of every line.
        guard inBoldPrefix else { return }
        if bold {
            prefixLength += UTF8Scalars.count(piece)
            boldPrefix = prefixLength
        } else if Self.hasNonBlank(piece) {
            inBoldPrefix = false
        } else {
            prefixLength += UTF8Scalars.count(piece)
        }
    }

    /// Whether the UTF-8 holds a scalar that is not blank; decodes only up to the first.
    private static func hasNonBlank(_ piece: UnsafeBufferPointer<UInt8>) -> Bool {
        var bytes = piece.makeIterator()
        var decoder = UTF8()
        while case .scalarValue(let scalar) = decoder.decode(&bytes) {
            if !scalar.isBlank { return true }
        }
        return false
    }

    mutating func breakLine() {
        lines.append(SourceLine(text: String(decoding: current, as: UTF8.self), boldPrefix: boldPrefix))
        current.removeAll(keepingCapacity: true)
        prefixLength = 0
        boldPrefix = 0
        inBoldPrefix = true
    }

    /// Ends the paragraph: its lines, then its text boxes' lines, go to `sink`.
    mutating func finish(into sink: inout [SourceLine]) {
        breakLine()
        sink += lines
        sink += anchored
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
