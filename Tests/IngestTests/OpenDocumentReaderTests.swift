import Corpus
import Foundation
import Testing

@testable import Ingest

/// OpenDocument text (`.odt`). The two fixtures are LibreOffice 7.4's own: `soffice --headless
/// --convert-to odt` of `word-features.docx` and of the sample study's `interview-02.docx`.
@Suite struct OpenDocumentReaderTests {
    let ingestor: Ingestor

    init() throws { ingestor = try Ingestor() }

    /// An .odt LibreOffice wrote from a Word file reads as the Word file does: runs, tabs, line
    /// breaks, hyperlinks, content controls, fields, tracked insertions, text boxes and tables in
    /// reading order; its deletions and the non-breaking and soft hyphens as Word's are read.
    @Test func libreOfficesConversionOfAWordFileReadsAsTheWordFile() throws {
        let odt = try ingestor.read(file: Fixture.path("word-features.odt"))
        let docx = try ingestor.read(file: Fixture.path("word-features.docx"))
        #expect(odt.format == .odt)
        // LibreOffice computed the date field again when it converted the file.
        let dated = try #require(odt.text.firstMatch(of: /and \d+ \w+ \d{4}/))
        #expect(odt.text.replacingCharacters(in: dated.range, with: "and 2 April 2020") == docx.text)
        #expect(odt.turns.map(\.0) == docx.turns.map(\.0))
        #expect(!odt.text.contains("deleted") && !odt.text.contains("moved away"))
        #expect(odt.rangesAreExact())

        let interview = try ingestor.read(file: Fixture.path("interview-02.odt"))
        let original = try ingestor.read(
            file: Fixture.repositoryRoot.appendingPathComponent("Corpora/ai-doctors/interview-02.docx").path)
        #expect(interview.text == original.text)
        #expect(interview.segments.map(\.speaker) == original.segments.map(\.speaker))
        #expect(interview.segments.map(\.role) == original.segments.map(\.role))
        #expect(interview.segments.count > 10)
    }

    /// What the standard says of white space, and the parts of the body that are not its text.
    @Test func whiteSpaceCollapsesAndCommentsNotesNumbersAndDeletionsAreLeftOut() throws {
        let document = try read(
            odt(
                body: """
                    <text:tracked-changes><text:changed-region text:id="c1"><text:deletion>\
                    <text:p>struck out</text:p></text:deletion></text:changed-region></text:tracked-changes>
                    <text:h text:outline-level="1">Interview 7: nurses</text:h>
                    <text:p>  Interviewer:   How did
                      you <text:s text:c="2"/>start?<office:annotation><dc:creator>JS</dc:creator>\
                    <text:p>memo to self</text:p></office:annotation></text:p>
                    <text:list><text:list-item><text:p><text:number>1.</text:number>P3:<text:tab/>By \
                    accident<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation>\
                    <text:note-body><text:p>a footnote</text:p></text:note-body></text:note>.<text:line-break/>\
                    Then on purpose.</text:p></text:list-item></text:list>
                    <table:table><table:table-row><table:table-cell><text:p>Interviewer</text:p></table:table-cell>\
                    <table:table-cell><text:p>And now?</text:p></table:table-cell>\
                    <table:covered-table-cell/></table:table-row></table:table>
                    <text:p>P3: <draw:frame><svg:title>a picture</svg:title><draw:text-box><text:p>In a box.</text:p>\
                    </draw:text-box></draw:frame>Still here.</text:p>
                    """), name: "odt-rules.odt")
        #expect(
            document.text == """
                Interview 7: nurses
                Interviewer: How did you   start?
                P3:\tBy accident.
                Then on purpose.
                Interviewer\tAnd now?
                P3: Still here.
                In a box.
                """)
        #expect(document.turns.map(\.0) == ["", "Interviewer", "P3", "Interviewer", "P3"])
        #expect(document.rangesAreExact())
    }

    /// A span bold by its style, directly or through a named style's parent, is a bold label;
    /// a heading's style is not.
    @Test func boldSpansAreLabelsWhateverStyleMakesThemBold() throws {
        let styles = """
            <office:styles><style:style style:name="Strong" style:family="text">\
            <style:text-properties fo:font-weight="700"/></style:style></office:styles>
            """
        let automatic = """
            <office:automatic-styles>\
            <style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>\
            <style:style style:name="T2" style:family="text" style:parent-style-name="Strong"/>\
            <style:style style:name="T3" style:family="text"><style:text-properties fo:font-weight="normal"/></style:style>\
            <style:style style:name="P1" style:family="paragraph"><style:text-properties fo:font-weight="bold"/></style:style>\
            </office:automatic-styles>
            """
        let document = try read(
            odt(
                body: """
                    <text:h>Ada Lovelace: a heading</text:h>
                    <text:p><text:span text:style-name="T1">Jane Smith:</text:span> How?</text:p>
                    <text:p><text:span text:style-name="T2">Ade Bello:</text:span> Fine.</text:p>
                    <text:p text:style-name="P1">Mo Khan:<text:span text:style-name="T3"> plain words</text:span></text:p>
                    <text:p><text:span text:style-name="T3">Not Bold:</text:span> words</text:p>
                    """, automaticStyles: automatic, styles: styles), name: "bold.odt")
        #expect(document.turns.map(\.0) == ["", "Jane Smith", "Ade Bello", "Mo Khan"])
        #expect(document.segments.last?.text == "plain words\nNot Bold: words")
    }

    /// An OpenDocument package is told by its `mimetype` entry whatever its name; one that is not
    /// a text document, a password-protected one and one without its content part are each
    /// named for what they are.
    @Test func openDocumentPackagesAreToldApartAndTheirProblemsNamed() throws {
        let body = "<text:p>P1: Hello.</text:p>"
        #expect(try read(odt(body: body), name: "misnamed.docx").format == .odt)
        #expect(try read(odt(body: body, mimetype: nil), name: "no-mimetype.odt").format == .odt)

        let sheet = ingestError {
            try read(odt(body: body, mimetype: "application/vnd.oasis.opendocument.spreadsheet"), name: "t.ods")
        }
        #expect(sheet?.code == .unsupportedFormat)
        #expect(sheet?.message.contains("spreadsheet") == true)

        let manifest = Data(
            "<manifest:manifest><manifest:file-entry manifest:full-path=\"content.xml\"><manifest:encryption-data/></manifest:file-entry></manifest:manifest>"
                .utf8)
        let encrypted = ingestError {
            try read(odt(body: body, extra: [("META-INF/manifest.xml", manifest)]), name: "locked.odt")
        }
        #expect(encrypted?.code == .encryptedDocument)

        let noContent = Fixture.odtPackage(entries: [("styles.xml", Data("<x/>".utf8))])
        let missing = ingestError { try read(noContent, name: "empty.odt") }
        #expect(missing?.code == .missingZipEntry)
        #expect(missing?.entry == "content.xml")

        let broken = ingestError { try read(odt(body: "<text:p>P1: unclosed"), name: "broken.odt") }
        #expect(broken?.code == .malformedXML)
        #expect(broken?.entry == "content.xml")
        #expect(broken?.file == "broken.odt")
    }

    private func read(_ data: Data, name: String) throws -> Document {
        try ingestor.read(data: data, source: name)
    }

    private func odt(
        body: String, automaticStyles: String = "", styles: String? = nil,
        mimetype: String? = "application/vnd.oasis.opendocument.text", extra: [(String, Data)] = []
    ) throws -> Data {
        let namespaces = """
            xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
            xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" \
            xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" \
            xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" \
            xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" \
            xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" \
            xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" \
            xmlns:dc="http://purl.org/dc/elements/1.1/"
            """
        let content = """
            <?xml version="1.0" encoding="UTF-8"?>
            <office:document-content \(namespaces)>\(automaticStyles)<office:body><office:text>\(body)</office:text></office:body></office:document-content>
            """
        var entries: [(String, Data)] = []
        if let mimetype { entries.append(("mimetype", Data(mimetype.utf8))) }
        entries.append(("content.xml", Data(content.utf8)))
        if let styles {
            entries.append(
                (
                    "styles.xml",
                    Data("<office:document-styles \(namespaces)>\(styles)</office:document-styles>".utf8)
                ))
        }
        return Fixture.odtPackage(entries: entries + extra)
    }
}
