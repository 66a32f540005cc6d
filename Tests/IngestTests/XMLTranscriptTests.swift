import Corpus
import Foundation
import Testing

@testable import Ingest

@Suite struct XMLTranscriptTests {
    @Test func teiUtterancesBecomeTurnsWithPersonRolesAndTimes() throws {
        let document = try read(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><profileDesc><particDesc><listPerson>
              <person xml:id="MOD" role="interviewer"><persName>Sam</persName></person>
              <person xml:id="P3" role="participant"/>
            </listPerson></particDesc></profileDesc></teiHeader>
            <text><timeline unit="s" origin="#T0"><when xml:id="T0" interval="0"/><when xml:id="T1" interval="12.5" since="#T0"/></timeline>
            <body>
              <u who="#MOD" start="#T0">How did you start?</u>
              <u who="#P3" start="#T1">By chance. <pause/><incident><desc>laughs</desc></incident> A friend's
                post.<note>inaudible 2s</note></u>
              <u who="#P3">Then a <unclear>fellowship</unclear>.</u>
            </body></text></TEI>
            """, name: "tei.xml")
        #expect(document.format == .tei)
        #expect(document.turns.map(\.0) == ["MOD", "P3"])
        #expect(document.segments[0].role == .interviewer)
        #expect(document.segments[1].participantID == "P3")
        #expect(document.segments[1].text == "By chance. A friend's post. Then a fellowship.")
        #expect(document.segments[1].start == 12.5)
        #expect(document.text == "MOD: How did you start?\nP3: By chance. A friend's post. Then a fellowship.")
        #expect(document.rangesAreExact())
    }

    /// Of a TEI `<choice>`, the corrected, regularised or expanded form is the text (both forms
    /// ran together: "tehthe"), wherever the choice sits; adjacent segments and line breaks part
    /// words ("seg.Second") unless a break is marked `break="no"`; a lone `<sic>` is what was said.
    @Test func teiChoicesReadOneFormAndSegmentsPartWords() throws {
        let document = try read(
            """
            <TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body>
              <u who="#P6"><seg>First part.</seg><seg>Second part.</seg></u>
              <u who="#P6">Hyphen-<lb break="no"/>ated, then<lb/>a line, <choice><sic>teh</sic><corr>the</corr></choice>
                <choice><orig>colour</orig><reg>color</reg></choice> and <emph><choice><abbr>NHS</abbr><expan>health
                service</expan></choice></emph> and <sic>alot</sic>.</u>
            </body></text></TEI>
            """, name: "tei.xml")
        #expect(
            document.segments.map(\.text) == [
                "First part. Second part. Hyphen-ated, then a line, the color and health service and alot."
            ])
        #expect(document.rangesAreExact())
    }

    @Test func transcriberTurnsTakeSpeakerNamesAndSplitOverlaps() throws {
        let document = try read(
            """
            <?xml version="1.0" encoding="ISO-8859-1"?>
            <!DOCTYPE Trans SYSTEM "trans-14.dtd">
            <Trans><Speakers><Speaker id="spk1" name="Interviewer"/><Speaker id="spk2" name="P8"/></Speakers>
            <Episode><Section type="report" startTime="0" endTime="20">
            <Turn speaker="spk1" startTime="0" endTime="4.2"><Sync time="0"/>Any mentors?</Turn>
            <Turn speaker="spk2" startTime="4.2" endTime="9"><Sync time="4.2"/>One, <Event desc="rire" type="noise"/>
            by luck.<Comment desc="door slams"/></Turn>
            <Turn speaker="spk1 spk2" startTime="9" endTime="10"><Sync time="9"/><Who nb="1"/>Right.<Who nb="2"/>Yes.</Turn>
            </Section></Episode></Trans>
            """, name: "x.trs")
        #expect(document.format == .transcriber)
        #expect(document.turns.map(\.0) == ["Interviewer", "P8", "Interviewer", "P8"])
        #expect(document.turns.map(\.1) == ["Any mentors?", "One, by luck.", "Right.", "Yes."])
        #expect(document.segments[1].start == 4.2)
        #expect(document.segments[1].end == 9)
        #expect(document.rangesAreExact())
    }

    @Test func elanTiersInterleaveByTimeAndSkipDependentTiers() throws {
        let document = try read(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <ANNOTATION_DOCUMENT FORMAT="3.0" VERSION="3.0"><HEADER TIME_UNITS="milliseconds"/>
            <TIME_ORDER><TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="0"/><TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="2000"/>
            <TIME_SLOT TIME_SLOT_ID="ts3" TIME_VALUE="2500"/><TIME_SLOT TIME_SLOT_ID="ts4"/>
            <TIME_SLOT TIME_SLOT_ID="ts5" TIME_VALUE="6000"/><TIME_SLOT TIME_SLOT_ID="ts6" TIME_VALUE="7000"/></TIME_ORDER>
            <TIER TIER_ID="P9" PARTICIPANT="P9" LINGUISTIC_TYPE_REF="lt">
              <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" TIME_SLOT_REF1="ts3" TIME_SLOT_REF2="ts4"><ANNOTATION_VALUE>I trained as a surgeon.</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
              <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a3" TIME_SLOT_REF1="ts4" TIME_SLOT_REF2="ts5"><ANNOTATION_VALUE>Then AI.</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
            </TIER>
            <TIER TIER_ID="Interviewer" LINGUISTIC_TYPE_REF="lt">
              <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>Your route?</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
              <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a4" TIME_SLOT_REF1="ts5" TIME_SLOT_REF2="ts6"><ANNOTATION_VALUE>Thanks.</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
            </TIER>
            <TIER TIER_ID="P9-translation" PARENT_REF="P9" LINGUISTIC_TYPE_REF="tr">
              <ANNOTATION><REF_ANNOTATION ANNOTATION_ID="a5" ANNOTATION_REF="a2"><ANNOTATION_VALUE>Ich bin Chirurg.</ANNOTATION_VALUE></REF_ANNOTATION></ANNOTATION>
            </TIER>
            </ANNOTATION_DOCUMENT>
            """, name: "x.eaf")
        #expect(document.format == .elan)
        #expect(document.turns.map(\.0) == ["Interviewer", "P9", "Interviewer"])
        #expect(document.turns.map(\.1) == ["Your route?", "I trained as a surgeon. Then AI.", "Thanks."])
        #expect(document.segments[1].start == 2.5)
        #expect(!document.text.contains("Chirurg"))
    }

    /// An independent tier without a participant that holds the transcriber's comments or a
    /// translation (by its id or its type) is not a speaker's words: its turns are of role other
    /// (a "Comments" tier was a participant speaker, its notes counted as participants' words).
    @Test func elanCommentAndTranslationTiersAreNotSpeakers() throws {
        let document = try read(
            """
            <ANNOTATION_DOCUMENT FORMAT="3.0" VERSION="3.0"><HEADER TIME_UNITS="milliseconds"/>
            <TIME_ORDER><TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="0"/><TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="2000"/>
            <TIME_SLOT TIME_SLOT_ID="ts3" TIME_VALUE="2500"/><TIME_SLOT TIME_SLOT_ID="ts4" TIME_VALUE="5000"/></TIME_ORDER>
            <TIER TIER_ID="Interviewer" LINGUISTIC_TYPE_REF="lt">
              <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>Your route?</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
            </TIER>
            <TIER TIER_ID="Sprecherin" PARTICIPANT="P9" LINGUISTIC_TYPE_REF="lt">
              <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" TIME_SLOT_REF1="ts3" TIME_SLOT_REF2="ts4"><ANNOTATION_VALUE>Chirurgie.</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
            </TIER>
            <TIER TIER_ID="Transcriber comments" LINGUISTIC_TYPE_REF="lt">
              <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a3" TIME_SLOT_REF1="ts3" TIME_SLOT_REF2="ts4"><ANNOTATION_VALUE>check audio</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
            </TIER>
            <TIER TIER_ID="English" LINGUISTIC_TYPE_REF="free_translation">
              <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a4" TIME_SLOT_REF1="ts3" TIME_SLOT_REF2="ts4"><ANNOTATION_VALUE>Surgery.</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
            </TIER>
            </ANNOTATION_DOCUMENT>
            """, name: "x.eaf")
        #expect(document.turns.map(\.0) == ["Interviewer", "P9", "Transcriber comments", "English"])
        #expect(document.segments.map(\.role) == [.interviewer, .participant, .other, .other])
        #expect(document.segments[1].participantID == "P9")
        #expect(ELANReader.isTranscribers("transcriber-notes") && !ELANReader.isTranscribers("Notarzt"))
    }

    @Test func externalEntitiesAreNeverRead() throws {
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID()).txt")
        try "TOP-SECRET-CONTENT".write(to: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secret) }
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE TEI [<!ENTITY xxe SYSTEM "file://\(secret.path)"><!ENTITY web SYSTEM "http://127.0.0.1:9/x">]>
            <TEI><text><body><u who="#P1">leak: &xxe; &web; end</u></body></text></TEI>
            """
        let outcome = Result { try read(xml, name: "xxe.xml") }
        if case .success(let document) = outcome {
            #expect(!document.text.contains("TOP-SECRET"))
            #expect(document.segments.first?.text.hasPrefix("leak:") == true)
        }
    }

    @Test func entityExpansionBombDoesNotExpand() throws {
        var entities = "<!ENTITY lol0 \"lollollollollollollollollollol\">"
        for level in 1...9 {
            let previous = String(repeating: "&lol\(level - 1);", count: 10)
            entities += "<!ENTITY lol\(level) \"\(previous)\">"
        }
        let xml =
            "<?xml version=\"1.0\"?><!DOCTYPE TEI [\(entities)]><TEI><text><body><u who=\"#P1\">&lol9;</u></body></text></TEI>"
        let outcome = Result { try read(xml, name: "bomb.xml") }
        if case .success(let document) = outcome {
            #expect(document.text.utf8.count < 10_000)
        }
    }

    @Test func malformedXMLNamesLineAndColumn() throws {
        let xml =
            "<?xml version=\"1.0\"?>\n<TEI><text><body>\n<u who=\"#P1\">fine</u>\n<u who=\"#P1\">broken</x>\n</body></text></TEI>"
        let error = try #require(ingestError { try read(xml, name: "broken.xml") })
        #expect(error.code == .malformedXML)
        #expect(error.line == 4)
        #expect(error.column != nil)
        #expect(error.description.hasPrefix("broken.xml:4:"))
    }

    /// Bytes that are not in the encoding the XML declares are an encoding error naming the
    /// encoding, the place and the bytes, in a TEI file and in a Word body alike. libxml2 says
    /// what went wrong only on its generic channel, which printed it on stderr (five lines) and
    /// left the error a bare "the XML is malformed".
    @Test func bytesNotInTheDeclaredEncodingAreAnEncodingErrorNamingIt() throws {
        let ingestor = try Ingestor()
        let tei =
            Data(
                "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n<TEI><text><body><u who=\"#P1\">caf".utf8)
            + Data([0xFF, 0xFE, 0x80]) + Data("</u></body></text></TEI>".utf8)
        let error = try #require(ingestError { try ingestor.read(data: tei, source: "sjis.xml") })
        #expect(error.code == .invalidEncoding)
        #expect(error.line == 2)
        #expect(error.message.contains("declares the encoding Shift_JIS"))
        #expect(error.message.contains("0xFF 0xFE 0x80"))
        #expect(error.hint?.contains("UTF-8") == true)

        let body =
            "<?xml version=\"1.0\" encoding=\"EUC-JP\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/"
            + "wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>P1: x"
        let word = Fixture.docxPackage(entries: [
            (
                "word/document.xml",
                Data(body.utf8) + Data([0x8E, 0xFF]) + Data("</w:t></w:r></w:p></w:body></w:document>".utf8)
            )
        ])
        let wordError = try #require(ingestError { try ingestor.read(data: word, source: "eucjp.docx") })
        #expect(wordError.code == .invalidEncoding)
        #expect(wordError.entry == "word/document.xml")
        #expect(wordError.message.contains("declares the encoding EUC-JP"))

        // libxml2's own encoding errors (here invalid UTF-8) are told as such, on one line.
        let utf8 =
            Data("<?xml version=\"1.0\"?>\n<TEI><text><body><u who=\"#P1\">caf".utf8) + Data([0xE9])
            + Data(" ok</u></body></text></TEI>".utf8)
        let utf8Error = try #require(ingestError { try ingestor.read(data: utf8, source: "latin.xml") })
        #expect(utf8Error.code == .invalidEncoding)
        #expect(utf8Error.line == 2)
        #expect(!utf8Error.description.contains("\n"))
        // A declared encoding the bytes are in is read as such.
        let latin1 =
            Data("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<TEI><text><body><u who=\"#P1\">caf".utf8)
            + Data([0xE9]) + Data("</u></body></text></TEI>".utf8)
        #expect(try ingestor.read(data: latin1, source: "latin1.xml").segments.map(\.text) == ["café"])
    }

    @Test func absurdNestingIsRefused() throws {
        let depth = 5_000
        let xml =
            "<TEI><text><body><u who=\"#P1\">" + String(repeating: "<seg>", count: depth) + "x"
            + String(repeating: "</seg>", count: depth) + "</u></body></text></TEI>"
        #expect(ingestError { try read(xml, name: "deep.xml") }?.code == .malformedXML)
    }

    @Test func unknownXMLRootIsNamed() throws {
        let error = ingestError { try read("<?xml version=\"1.0\"?><html5thing/>", name: "x.xml") }
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.message.contains("<html5thing>") == true)
    }
}
