import CSV
import Corpus
import Foundation

/// Reads `participants.csv`: a header row, the participant id in the first column, every
/// further column an attribute, separated by commas, semicolons or tabs (told from the header).
/// Parsed by yaslab/CSV.swift after our own decoding (BOM, UTF-16, CRLF). Ragged rows are padded or trimmed with a warning; a duplicate id, an empty
/// id column or a quote left open is an error naming the line.
public struct ParticipantsReader {
    /// Header names (case-insensitive) taken for the column naming each participant's transcript.
    public static let documentColumnNames: Set<String> = [
        "file", "filename", "document", "transcript", "source", "doc",
    ]

    /// What to read a file that is not UTF-8 in (Excel's "CSV" on Windows), with a warning.
    public var fallback: FallbackEncoding?

    public init(fallback: FallbackEncoding? = nil) { self.fallback = fallback }

    public func read(file path: String) throws -> (table: ParticipantTable, warnings: [String]) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw IngestError(
                .unreadableFile, file: path, message: AtomicFile.cannotRead("participants file", at: path))
        }
        return try read(data: data, file: path)
    }

    /// The header row's separator: a comma, or the semicolon Excel writes where the comma is the
    /// decimal mark (German, French, Dutch … settings), or the tab of Excel's "Unicode Text",
    /// whichever the header holds most of outside quotes (a comma when none). Read with commas,
    /// such a file was one column, and no participant had any attribute.
    static func delimiter(of text: String) -> Unicode.Scalar {
        var counts: [Unicode.Scalar: Int] = [",": 0, ";": 0, "\t": 0]
        var quoted = false
        var started = false
        for scalar in text.unicodeScalars {
            if scalar == "\"" {
                quoted.toggle()
            } else if scalar == "\n" || scalar == "\r", !quoted {
                if started { break }
            } else if !quoted, counts[scalar] != nil {
                counts[scalar]? += 1
            }
            if !scalar.properties.isWhitespace { started = true }
        }
        let (comma, semicolon, tab) = (counts[","] ?? 0, counts[";"] ?? 0, counts["\t"] ?? 0)
        if semicolon > comma, semicolon >= tab { return ";" }
        if tab > comma, tab > semicolon { return "\t" }
        return ","
    }

    public func read(data: Data, file: String) throws -> (table: ParticipantTable, warnings: [String]) {
        let fellBack = FallbackUse()
        let text = try TextDecoder(fallback: fallback, fellBack: fellBack, canReplace: false).decode(data, file: file)
        let delimiter = Self.delimiter(of: text)
        if let line = Self.unclosedQuoteLine(text, delimiter: delimiter) {
            throw IngestError(
                .malformedParticipants, file: file, line: line,
                message: "a quote opened on this line is never closed",
                hint: "close the quoted field with \" or remove the stray quote")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: false, delimiter: delimiter)
        } catch {
            throw IngestError(.malformedParticipants, file: file, message: "cannot parse the CSV: \(error)")
        }
        var line = 1
        var header: [String]?
        var participants: [Participant] = []
        // By the key labels are matched with: "p3" or "P03" beside "P3" was a second participant
        // whom no label could ever name.
        var firstLine: [String: (line: Int, id: String)] = [:]
        var warnings: [String] = []
        if let fallback, fellBack.used {
            warnings.append("\(file) is not UTF-8: read as \(fallback.rawValue), the fallback encoding")
        }
        while let row = reader.next() {
            let rowLine = line
            // Line breaks inside quoted fields, counted by byte: by `Character`, they were a sixth
            // of reading 2,000 participants. (The text's line breaks are all `\n` by now.)
            line += 1 + row.reduce(0) { $0 + $1.utf8.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 } }
            let fields = row.map { $0.trimmingWhitespace() }
            if fields.allSatisfy(\.isEmpty) { continue }
            guard let columns = header else {
                guard let first = fields.first, !first.isEmpty else {
                    throw IngestError(
                        .malformedParticipants, file: file, line: rowLine, column: 1,
                        message: "the header row has no id column (its first column is empty)",
                        hint: "name the first column, e.g. \"participant\"")
                }
                header = fields
                continue
            }
            let id = fields[0]
            guard !id.isEmpty else {
                throw IngestError(
                    .malformedParticipants, file: file, line: rowLine, column: 1,
                    message: "this row has no participant id")
            }
            let key = ParticipantTable.comparisonKey(id)
            if let earlier = firstLine[key] {
                throw IngestError(
                    .malformedParticipants, file: file, line: rowLine, column: 1,
                    message: "participant \"\(id)\" is listed twice (first on line \(earlier.line)"
                        + (earlier.id == id
                            ? ")"
                            : " as \"\(earlier.id)\": ids are matched regardless of case, leading zeros, spaces, - and _)")
                )
            }
            firstLine[key] = (rowLine, id)
            if fields.count != columns.count {
                warnings.append(
                    "\(file):\(rowLine): row has \(fields.count) fields, the header \(columns.count); "
                        + (fields.count < columns.count ? "missing values are empty" : "extra values are ignored"))
            }
            var attributes = [String: String](minimumCapacity: columns.count)
            for (index, name) in columns.enumerated().dropFirst() where !name.isEmpty {
                attributes[name] = index < fields.count ? fields[index] : ""
            }
            participants.append(Participant(id: id, attributes: attributes))
        }
        guard let columns = header else {
            throw IngestError(.malformedParticipants, file: file, line: 1, message: "the file has no header row")
        }
        let attributeNames = columns.dropFirst().filter { !$0.isEmpty }
        let documentColumn = attributeNames.first { Self.documentColumnNames.contains($0.lowercased()) }
        return (
            ParticipantTable(
                attributeNames: Array(attributeNames), participants: participants,
                documentColumn: documentColumn), warnings
        )
    }

    /// The line of a quote that is never closed, or nil when quotes balance (RFC 4180: a
    /// field starting with `"` ends at a `"` not followed by another `"`). Fields start after
    /// `delimiter`: taken as always a comma, a quote left open in a table of semicolons or tabs
    /// went unseen, and the rest of the file was read as that one field.
    static func unclosedQuoteLine(_ text: String, delimiter: Unicode.Scalar) -> Int? {
        var line = 1
        var inQuotes = false
        var quotePending = false
        var openedOn = 0
        var atFieldStart = true
        for scalar in text.unicodeScalars {
            if inQuotes {
                if quotePending {
                    quotePending = false
                    if scalar == "\"" { continue }
                    inQuotes = false
                } else {
                    if scalar == "\"" { quotePending = true }
                    if scalar == "\n" { line += 1 }
                    continue
                }
            }
            if scalar == "\"" && atFieldStart {
                inQuotes = true
                openedOn = line
                atFieldStart = false
                continue
            }
            if scalar == "\n" { line += 1 }
            atFieldStart = scalar == delimiter || scalar == "\n"
        }
        return inQuotes && !quotePending ? openedOn : nil
    }
}
