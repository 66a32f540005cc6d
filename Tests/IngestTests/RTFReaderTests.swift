import Corpus
import Foundation
import Testing

@testable import Ingest

/// Rich Text Format (`.rtf`). The two fixtures are LibreOffice 7.4's own: `soffice --headless
/// --convert-to rtf` of `word-features.docx` and of the sample study's `interview-02.docx`.
@Suite struct RTFReaderTests {
    let ingestor: Ingestor

    init() throws { ingestor = try Ingestor() }

    /// An RTF LibreOffice wrote from a Word file reads as the Word file does; its heading, bold
    /// by its style, is not a label.
    @Test func libreOfficesRTFOfAWordFileReadsAsTheWordFile() throws {
        let interview = try ingestor.read(file: Fixture.path("interview-02.rtf"))
        let original = try ingestor.read(
            file: Fixture.repositoryRoot.appendingPathComponent("Corpora/ai-doctors/interview-02.docx").path)
        #expect(interview.format == .rtf)
        #expect(interview.text == original.text)
        #expect(interview.segments.map(\.speaker) == original.segments.map(\.speaker))
        #expect(interview.segments.map(\.role) == original.segments.map(\.role))

        let features = try ingestor.read(file: Fixture.path("word-features.rtf"))
        #expect(
            features.text.hasPrefix(
                "Interviewer: Tell me about protected time?\nP3: We had\tnone\nat all, a work-life balance.\n"
                    + "See the guidance and Leeds.\n"))
        #expect(features.text.contains("Tracked: inserted moved here\n"))
        #expect(features.text.contains("Interviewer\tA question in a table?\nP3\tFirst paragraph of a cell.\n"))
        #expect(!features.text.contains("HYPERLINK") && !features.text.contains("deleted"))
        #expect(!features.text.contains("Times New Roman") && !features.text.contains("LibreOffice"))
        #expect(features.turns.map(\.0) == ["Interviewer", "P3", "Interviewer", "P3"])
        #expect(features.rangesAreExact())
    }

    /// macOS TextEdit's layout: `\` at a line's end ends the paragraph, bold toggled by `\b` and
    /// `\b0`, Windows-1252 bytes as `\'hh`, `\uN` with no fallback (`\uc0`), a surrogate pair.
    @Test func textEditsRTFBecomesTurns() throws {
        let rtf = #"""
            {\rtf1\ansi\ansicpg1252\cocoartf2639
            \cocoatextscaling0\cocoaplatform0{\fonttbl\f0\fswiss\fcharset0 Helvetica;\f1\fswiss\fcharset0 Helvetica-Bold;}
            {\colortbl;\red255\green255\blue255;}
            {\*\expandedcolortbl;;}
            \paperw11900\paperh16840\margl1440\margr1440\vieww11520\viewh8400\viewkind0
            \pard\tx566\tx1133\pardirnatural\partightenfactor0

            \f1\b\fs24 \cf0 Jane Smith:
            \f0\b0  How did you start with AI?\
            \

            \f1\b Ade Bello:
            \f0\b0  By accident \'96 a caf\'e9 chat. \uc0\u8220 Hype\u8221  everywhere \u-10179\u-8704 .\
            }
            """#
        let document = try ingestor.read(data: Data(rtf.utf8), source: "textedit.rtf")
        #expect(document.format == .rtf)
        #expect(document.turns.map(\.0) == ["Jane Smith", "Ade Bello"])
        #expect(
            document.segments.map(\.text) == [
                "How did you start with AI?", "By accident \u{2013} a café chat. \u{201C}Hype\u{201D} everywhere 😀.",
            ])
        #expect(document.rangesAreExact())
    }

    /// What Word puts in an RTF beside the body: none of it is text. A field keeps its result, a
    /// `\uN` its character and not its fallback, and a cell's paragraphs stay in the cell.
    @Test func destinationsHiddenAndDeletedTextAreNotRead() throws {
        let rtf = #"""
            {\rtf1\ansi\deff0{\fonttbl{\f0 Calibri;}}{\stylesheet{\s1\b Heading 1;}{\s2 Normal;}}
            {\info{\author Jane Smith}{\title Secret title}}{\header \pard header words\par}
            {\*\generator Word;}\uc1
            \pard\s1\b Ada Lovelace: a heading\par
            \pard\s2\plain {\b Interviewer:} Tell me {\v hidden words}about {\deleted struck }protected time?\par
            {\pict\wmetafile8 0a0b0c0d}{\*\bkmkstart x}{\*\bkmkend x}
            \pard {\b P3:} We had{\super \chftn}{\footnote \pard footnote words\par} none at all\u8212-{\field{\*\fldinst HYPERLINK "x"}{\fldrslt the guidance}}.\par
            {\*\annotation comment words}\pard P3:\tab Binary {\bin4 {}\}} data.\par
            \trowd\cellx1000\cellx2000\pard\intbl Interviewer\cell\pard\intbl And now?\par more\cell\row
            \pard P3: \{braces\} and \\ slash\line second line}
            """#
        let document = try ingestor.read(data: Data(rtf.utf8), source: "word.rtf")
        #expect(
            document.text == """
                Ada Lovelace: a heading
                Interviewer: Tell me about protected time?
                P3: We had none at all\u{2014}the guidance.
                P3:\tBinary  data.
                Interviewer\tAnd now?
                more
                P3: {braces} and \\ slash
                second line
                """)
        #expect(document.turns.map(\.0) == ["", "Interviewer", "P3", "P3", "Interviewer", "P3"])
    }

    /// An RTF is read whatever its name; text in a code page other than Windows-1252 is named
    /// with its byte; groups nested without end are refused; a missing closing brace is not an
    /// error.
    /// Text outside Western Europe as WordPad and older Word write it: bytes in the document's
    /// code page, or in the code page of their font's character set, single- or double-byte (a
    /// trail byte may be a plain or escaped ASCII character).
    @Test func rtfBytesAreReadInTheirFontsOrTheDocumentsCodePage() throws {
        func text(_ rtf: String) throws -> [String] {
            try ingestor.read(data: Data(rtf.utf8), source: "x.rtf").segments.map(\.text)
        }
        // WordPad on Russian Windows.
        #expect(
            try text(
                #"{\rtf1\ansi\ansicpg1251\deff0{\fonttbl{\f0\fnil\fcharset204 Calibri;}}\f0 P1: \'cf\'f0\'e8\'e2\'e5\'f2\par}"#
            )
                == ["Привет"])
        // A Western document with a Central European font for one run; `\plain` goes back to the
        // default font.
        #expect(
            try text(
                #"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss\fcharset0 Arial;}{\f1\fswiss\fcharset238 Arial CE;}}"#
                    + #"P1: caf\'e9 {\f1 \'b9\'e6\'9c} \f1\'b9\plain\'b9\par}"#) == ["café ąćś ą¹"])
        // Greek as 8-bit bytes in the document's code page.
        let greek = Data(#"{\rtf1\ansi\ansicpg1253 P1: "#.utf8) + Data([0xC3, 0xE5, 0xE9, 0xDC]) + Data(#"\par}"#.utf8)
        #expect(try ingestor.read(data: greek, source: "el.rtf").segments.map(\.text) == ["Γειά"])
        // Japanese (Shift JIS) with a trail byte escaped as `\{`, and Big5 with one as a letter.
        #expect(
            try text(
                #"{\rtf1\ansi\ansicpg932{\fonttbl{\f0\fcharset128 MS Mincho;}}\f0 P1: \'82\'a0\'93\'fa\'96\{\par}"#)
                == ["あ日本"])
        #expect(try text(#"{\rtf1\ansi\ansicpg950 P1: \'a7A\'a6n\par}"#) == ["你好"])
        // An old Mac's RTF.
        #expect(try text(#"{\rtf1\mac\deff0 P1: \'8a\'9a\par}"#) == ["äö"])
    }

    @Test func rtfIsToldByItsContentAndItsProblemsNamed() throws {
        let misnamed = try ingestor.read(file: Fixture.path("really-rtf.docx"))
        #expect(misnamed.format == .rtf)
        #expect(misnamed.turns.map(\.0) == ["Interviewer"])
        #expect(misnamed.segments.map(\.text) == ["hello"])

        let johab = ingestError {
            try ingestor.read(data: Data(#"{\rtf1\ansi\ansicpg1361 P1: \'8a\par}"#.utf8), source: "johab.rtf")
        }
        #expect(johab?.code == .invalidEncoding)
        #expect(johab?.byteOffset == 28)
        #expect(johab?.message.contains("code page 1361") == true)
        // The same byte as a `\uN`'s fallback is never read.
        let unicode = try ingestor.read(
            data: Data(#"{\rtf1\ansi\ansicpg1251 P1: \u1072\'e0\par}"#.utf8), source: "u.rtf")
        #expect(unicode.segments.map(\.text) == ["а"])

        let deep = ingestError {
            try ingestor.read(data: Data(("{\\rtf1 " + String(repeating: "{", count: 5_000)).utf8), source: "deep.rtf")
        }
        #expect(deep?.code == .malformedTranscript)
        #expect(deep?.file == "deep.rtf")

        let open = try ingestor.read(data: Data(#"{\rtf1\ansi P1: no end"#.utf8), source: "open.rtf")
        #expect(open.segments.map(\.text) == ["no end"])
    }
}
