import Foundation
import Ingest

/// A one-sheet Excel workbook (`.xlsx`, Office Open XML SpreadsheetML) of a header and rows.
///
/// For the researchers who open the codings in Excel, where a CSV goes wrong: its UTF-8 read as
/// the system's code page (`cafÃ©`), `1-5` taken for a date, a turn starting `-` or `=` for a
/// formula. Here every text is a string cell, numbers are numbers, the header is bold, frozen
/// and filtered. Hand-written: no package on this machine writes spreadsheets; the parts are
/// zipped by ``PackageWriter``.
public struct Spreadsheet {
    /// A cell: text, or a number Excel may sum and sort as one.
    enum Cell: Equatable {
        case text(String)
        case number(Int)
    }

    var sheetName: String
    var header: [String]
    var rows: [[Cell]]
    /// Column widths in characters, by column; the others Excel's default.
    var widths: [Int: Int] = [:]

    /// Excel's most characters in a cell, in UTF-16 units; longer text is cut (the whole is in the CSV).
    public static let cellLimit = 32_767
    /// Excel's most rows in a sheet, the header's among them.
    static let rowLimit = 1_048_576

    /// `<Application>` of the workbook's `docProps/app.xml`: how an earlier export is told from
    /// a workbook of the researcher's own (or one Excel has saved since), which is never written over.
    static let application = "TranscriptMiner"

    /// The package's bytes, and how many cells were cut at ``cellLimit``.
    func package() -> (data: Data, cut: Int) {
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        var cut = 0
        // The sheet's XML made as bytes, as the zip takes it: made as a `String` it was held
        // twice, the text and its UTF-8 copy (the sheet is most of the workbook, the codings'
        // text and all).
        var sheet = Data()
        sheet += """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="\(main)">\
            <sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" \
            state="frozen"/></sheetView></sheetViews>
            """
        if !widths.isEmpty {
            sheet += "<cols>"
            for (column, width) in widths.sorted(by: { $0.key < $1.key }) {
                sheet += "<col min=\"\(column + 1)\" max=\"\(column + 1)\" width=\"\(width)\" customWidth=\"1\"/>"
            }
            sheet += "</cols>"
        }
        sheet += "<sheetData>"
        let letters = header.indices.map(Self.columnName)
        func append(_ cells: [Cell], row: Int, style: String) {
            sheet += "<row r=\"\(row)\">"
            for (column, cell) in cells.enumerated() {
                let reference = letters[column] + String(row)
                switch cell {
                case .number(let value):
                    sheet += "<c r=\"\(reference)\"\(style)><v>\(value)</v></c>"
                case .text(let value):
                    var value = value
                    if value.utf16.count > Self.cellLimit {
                        value = Self.cut(value)
                        cut += 1
                    }
                    // Kept as written: leading or trailing spaces and line breaks.
                    sheet +=
                        "<c r=\"\(reference)\" t=\"inlineStr\"\(style)><is><t xml:space=\"preserve\">"
                        + XML.escape(value) + "</t></is></c>"
                }
            }
            sheet += "</row>"
        }
        append(header.map(Cell.text), row: 1, style: " s=\"1\"")
        for (index, row) in rows.enumerated() { append(row, row: index + 2, style: "") }
        let last = (letters.last ?? "A") + String(rows.count + 1)
        sheet += "</sheetData><autoFilter ref=\"A1:\(last)\"/></worksheet>"

        let name = XML.escape(sheetName)
        let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        let package = "http://schemas.openxmlformats.org/package/2006"
        let type = "application/vnd.openxmlformats-officedocument"
        // A relationships part: rId1, rId2 … of these types and targets.
        func links(_ targets: [(type: String, target: String)]) -> String {
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"\(package)/relationships\">"
                + targets.enumerated().map { index, link in
                    "<Relationship Id=\"rId\(index + 1)\" Type=\"\(relationships)/\(link.type)\" Target=\"\(link.target)\"/>"
                }
                .joined() + "</Relationships>"
        }
        let parts: [(String, String)] = [
            (
                "[Content_Types].xml",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Types xmlns="\(package)/content-types">\
                <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
                <Default Extension="xml" ContentType="application/xml"/>\
                <Override PartName="/xl/workbook.xml" ContentType="\(type).spreadsheetml.sheet.main+xml"/>\
                <Override PartName="/xl/worksheets/sheet1.xml" ContentType="\(type).spreadsheetml.worksheet+xml"/>\
                <Override PartName="/xl/styles.xml" ContentType="\(type).spreadsheetml.styles+xml"/>\
                <Override PartName="/docProps/app.xml" ContentType="\(type).extended-properties+xml"/>\
                </Types>
                """
            ),
            (
                "_rels/.rels",
                links([("officeDocument", "xl/workbook.xml"), ("extended-properties", "docProps/app.xml")])
            ),
            (
                "docProps/app.xml",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">\
                <Application>\(Self.application)</Application></Properties>
                """
            ),
            (
                "xl/workbook.xml",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <workbook xmlns="\(main)" xmlns:r="\(relationships)">\
                <sheets><sheet name="\(name)" sheetId="1" r:id="rId1"/></sheets>\
                <definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">\
                '\(name.replacingOccurrences(of: "'", with: "''"))'!$A$1:$\(letters.last ?? "A")$\(rows.count + 1)\
                </definedName></definedNames></workbook>
                """
            ),
            ("xl/_rels/workbook.xml.rels", links([("worksheet", "worksheets/sheet1.xml"), ("styles", "styles.xml")])),
            (
                "xl/styles.xml",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <styleSheet xmlns="\(main)">\
                <fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
                <font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
                <fills count="2"><fill><patternFill patternType="none"/></fill>\
                <fill><patternFill patternType="gray125"/></fill></fills>\
                <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
                <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
                <cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
                <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>\
                <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
                </styleSheet>
                """
            ),
        ]
        return (
            PackageWriter.zip(parts.map { ($0.0, Data($0.1.utf8)) } + [("xl/worksheets/sheet1.xml", sheet)]), cut
        )
    }

    /// `text` cut to fit a cell, an ellipsis last: whole characters up to ``cellLimit`` UTF-16
    /// units, as Excel counts them (an emoji is two, a letter with its accent apart is two).
    static func cut(_ text: String) -> String {
        var units = 0
        var end = text.startIndex
        for character in text {
            units += character.utf16.count
            guard units <= cellLimit - 1 else { break }
            end = text.index(after: end)
        }
        return String(text[..<end]) + "…"
    }

    /// The letters of a column: A … Z, AA … AZ, BA …
    static func columnName(_ index: Int) -> String {
        var index = index + 1
        var name = ""
        while index > 0 {
            let remainder = (index - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + remainder))) + name
            index = (index - 1) / 26
        }
        return name
    }

    /// Whether the workbook `data` is an earlier export: its `docProps/app.xml` names
    /// ``application``.
    static func madeThis(_ data: Data, file: String) -> Bool {
        guard let properties = try? ZipPackage.entry("docProps/app.xml", of: data, file: file) else { return false }
        return properties.range(of: Data("<Application>\(application)</Application>".utf8)) != nil
    }
}

extension Data {
    /// Appends a text's UTF-8 bytes.
    fileprivate static func += (data: inout Data, text: String) { data.append(contentsOf: text.utf8) }
}
