import Corpus
import Foundation
import Testing

@testable import Ingest

@Suite struct DocxReaderTests {
    let ingestor: Ingestor

    init() throws { ingestor = try Ingestor() }

    @Test func wordBodyConstructsReadInReadingOrder() throws {
        let document = try ingestor.read(file: Fixture.path("word-features.docx"))
        #expect(document.format == .docx)
        #expect(
            document.text == """
                Interviewer: Tell me about protected time?
                P3: We had\tnone
                at all, a work-life balance.
                See the guidance and Leeds.
                Content control text
                Field: field result and 2 April 2020
                Tracked: inserted moved here
                Before box. After box.
                Text box text
                Interviewer\tA question in a table?
                P3\tFirst paragraph of a cell.
                Second paragraph of a cell.

                """)
        #expect(document.rangesAreExact())
    }

    @Test func fieldCodesDeletedTextAndSecondBranchNeverAppear() throws {
        let text = try ingestor.read(file: Fixture.path("word-features.docx")).text
        #expect(!text.contains("HYPERLINK"))
        #expect(!text.contains("DATE"))
        #expect(!text.contains("deleted"))
        #expect(!text.contains("moved away"))
        #expect(text.components(separatedBy: "Text box text").count == 2)
    }

    @Test func paragraphPropertiesDoNotMakeRunsBold() throws {
        // The first paragraph's mark is bold (w:pPr/w:rPr/w:b) but its runs are not.
        let lines = try DocxReader().lines(
            of: Data(contentsOf: URL(fileURLWithPath: Fixture.path("word-features.docx"))), file: "f")
        #expect(lines[0].boldPrefix == 0)
        #expect(lines[1].boldPrefix == 3)  // "P3:" is a bold run
    }

    @Test func commentsFootnotesAndHeadersOnlyWhenAsked() throws {
        let plain = try ingestor.read(file: Fixture.path("word-features.docx")).text
        #expect(!plain.contains("comment") && !plain.contains("footnote") && !plain.contains("CONFIDENTIAL"))
        let all = try Ingestor(options: IngestOptions(docxParts: [.comments, .footnotes, .headers]))
            .read(file: Fixture.path("word-features.docx")).text
        #expect(all.contains("A coder's comment"))
        #expect(all.contains("A footnote"))
        #expect(all.contains("CONFIDENTIAL header"))
    }

    @Test func tableRowsBecomeTurnsCellByCell() throws {
        let document = try ingestor.read(file: Fixture.path("word-features.docx"))
        let last = try #require(document.segments.last)
        #expect(last.speaker == "P3")
        #expect(last.text == "First paragraph of a cell.\nSecond paragraph of a cell.")
        #expect(document.segments.dropLast().last?.text == "A question in a table?")
    }

    /// A transcript table's header row names its columns, not a speaker: no turn of its own.
    @Test func aTableHeaderRowIsNoTurn() throws {
        func row(_ cells: String...) -> String {
            "<w:tr>" + cells.map { "<w:tc>" + Fixture.paragraph($0) + "</w:tc>" }.joined() + "</w:tr>"
        }
        let body =
            "<w:tbl>" + row("Time", "Speaker", "Transcript") + row("00:00:01", "Interviewer", "How did you start?")
            + row("00:00:05", "P3", "By accident.") + "</w:tbl>"
        let document = try ingestor.read(data: Fixture.docx(body: body), source: "table.docx")
        #expect(document.turns.map(\.0) == ["Interviewer", "P3"])
        #expect(document.segments.map(\.text) == ["How did you start?", "By accident."])
    }

    @Test func boldNameStartsATurnButPlainNameDoesNot() throws {
        let body =
            Fixture.paragraph("Jane Smith:", " How did you start?", boldFirst: true)
            + Fixture.paragraph("Note: this was recorded on Teams.")
            + Fixture.paragraph("Dr Ade Bello:", " By accident, really.", boldFirst: true)
        let document = try ingestor.read(data: Fixture.docx(body: body), source: "bold.docx")
        #expect(document.segments.map(\.speaker) == ["Jane Smith", "Dr Ade Bello"])
        #expect(document.segments[0].text == "How did you start?\nNote: this was recorded on Teams.")
        #expect(document.segments[0].role == .interviewer)  // asks the questions
        #expect(document.segments[1].role == .participant)
    }

    @Test func wordSplitsOfALabelOverRunsStillMakeALabel() throws {
        let body = Fixture.paragraph("Part", "icipant 3", ": I trained as a surgeon.")
        let document = try ingestor.read(data: Fixture.docx(body: body), source: "split.docx")
        #expect(document.segments.map(\.participantID) == ["P3"])
        #expect(document.segments[0].text == "I trained as a surgeon.")
    }

    @Test func strictOOXMLNamespaceIsRead() throws {
        let xml = Data(
            """
            <?xml version="1.0"?><w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body>
            <w:p><w:r><w:t>P2: strict text</w:t></w:r></w:p></w:body></w:document>
            """.utf8)
        let archive = Fixture.docxPackage(entries: [("word/document.xml", xml)])
        let document = try ingestor.read(data: archive, source: "strict.docx")
        #expect(document.turns.map(\.1) == ["strict text"])
    }

    @Test func boldIsReadWhateverPrefixTheWordNamespaceHas() throws {
        // Word writes `w:`, other tools `ns0:` or none; `val="0"` turns bold off either way.
        func speakers(_ bold: String) throws -> [String] {
            let xml = """
                <?xml version="1.0"?><document xmlns="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
                xmlns:ns0="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><body>
                <p><r><rPr>\(bold)</rPr><t>Jane Smith:</t></r><r><t xml:space="preserve"> How did you start?</t></r></p>
                <ns0:p><ns0:r><ns0:t>P1: By accident.</ns0:t></ns0:r></ns0:p></body></document>
                """
            let archive = Fixture.docxPackage(entries: [("word/document.xml", Data(xml.utf8))])
            return try ingestor.read(data: archive, source: "prefix.docx").segments.map(\.speaker)
        }
        #expect(try speakers("<ns0:b/>") == ["Jane Smith", "P1"])
        #expect(try speakers("<b ns0:val=\"1\"/>") == ["Jane Smith", "P1"])
        #expect(try speakers("<ns0:b ns0:val=\"0\"/>") == ["", "P1"])
        #expect(try speakers("<b ns0:val=\"false\"/>") == ["", "P1"])
    }

    @Test func runsAsWordWritesThemReadAsTheParagraphsText() throws {
        // Word splits a paragraph into runs wherever it was edited, each with its fonts, size
        // and language, and puts spelling marks, bookmarks and comment anchors between them.
        var random = SplitMixGenerator(seed: 66)
        let words = ["we", "had", "protected", "time,", "don’t", "&amp;", "you", "know", "é", "AI", "hype"]
        let properties = """
            <w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/><w:sz w:val="22"/><w:szCs w:val="22"/>\
            <w:lang w:val="en-GB"/>
            """
        for _ in 0..<40 {
            let label = ["Jane Smith:", "P3:", "Interviewer:", ""].randomElement(using: &random)!
            let said = (0..<Int.random(in: 1...30, using: &random)).map { _ in words.randomElement(using: &random)! }
            let text = label.isEmpty ? said.joined(separator: " ") : label + " " + said.joined(separator: " ")
            var pieces: [String] = []
            var rest = Substring(text)
            while !rest.isEmpty {
                let cut = rest.index(
                    rest.startIndex, offsetBy: Int.random(in: 1...12, using: &random), limitedBy: rest.endIndex)
                pieces.append(String(rest[..<(cut ?? rest.endIndex)]))
                rest = rest[(cut ?? rest.endIndex)...]
            }
            // A piece that splits an entity would not be XML; keep each entity in one piece.
            pieces = pieces.reduce(into: []) { merged, piece in
                if let last = merged.last, let amp = last.lastIndex(of: "&"), !last[amp...].contains(";") {
                    merged[merged.count - 1] += piece
                } else {
                    merged.append(piece)
                }
            }
            let bold = !label.isEmpty && Bool.random(using: &random)
            var word = #"<w:p w14:paraId="1A2B3C4D" w:rsidR="00A1B2C3"><w:pPr><w:rPr><w:b/></w:rPr></w:pPr>"#
            var offset = 0
            var boldWidth = 0  // scalars of the text in bold runs: the runs that start in the label
            for piece in pieces {
                let isBold = bold && offset < label.count
                offset += piece.count
                if isBold { boldWidth += piece.replacingOccurrences(of: "&amp;", with: "&").unicodeScalars.count }
                let run = """
                    <w:r w:rsidR="00B7C8D9"><w:rPr>\(properties)\(isBold ? "<w:b/><w:bCs/>" : "")</w:rPr>\
                    <w:t xml:space="preserve">\(piece)</w:t></w:r>
                    """
                switch Int.random(in: 0..<5, using: &random) {
                case 0: word += #"<w:proofErr w:type="spellStart"/>"# + run + #"<w:proofErr w:type="spellEnd"/>"#
                case 1: word += #"<w:bookmarkStart w:id="1" w:name="_Hlk1"/>"# + run + #"<w:bookmarkEnd w:id="1"/>"#
                case 2:
                    word +=
                        #"<w:commentRangeStart w:id="2"/>"# + run + #"<w:commentRangeEnd w:id="2"/>"#
                        + #"<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:commentReference w:id="2"/></w:r>"#
                default: word += run
                }
            }
            word += "</w:p>"
            let xml = """
                <?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" \
                xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"><w:body>\(word)</w:body></w:document>
                """
            let lines = try DocxReader().lines(
                of: Fixture.docxPackage(entries: [("word/document.xml", Data(xml.utf8))]), file: "word.docx")
            let plain = text.replacingOccurrences(of: "&amp;", with: "&")
            #expect(lines.map(\.text) == [plain])
            #expect(lines.first?.boldPrefix == boldWidth, "\(word)")
        }
    }

    @Test func onlyARunsCurrentPropertiesMakeItBold() throws {
        // A tracked change of formatting keeps the run's old properties in w:rPrChange.
        func boldPrefix(_ properties: String) throws -> Int? {
            let body = """
                <w:p><w:r><w:rPr>\(properties)</w:rPr><w:t>Jane:</w:t></w:r><w:r><w:t xml:space="preserve"> Yes.</w:t></w:r></w:p>
                """
            return try DocxReader().lines(of: Fixture.docx(body: body), file: "change.docx").first?.boldPrefix
        }
        let change = #"<w:rPrChange w:id="5" w:author="A" w:date="2026-01-01T00:00:00Z"><w:rPr>"#
        #expect(try boldPrefix(#"<w:rFonts w:ascii="Arial"/><w:b/><w:lang w:val="en-GB"/>"#) == 5)
        #expect(try boldPrefix(#"<w:rFonts w:ascii="Arial"/>"# + change + "<w:b/></w:rPr></w:rPrChange>") == 0)
        #expect(try boldPrefix("<w:b/>" + change + #"<w:b w:val="0"/></w:rPr></w:rPrChange>"#) == 5)
        #expect(try boldPrefix(#"<w:b w:val="off"/>"# + change + "<w:b/></w:rPr></w:rPrChange>") == 0)
    }

    /// A transcript with no text (a Word file holding a scanned page, captions without cues, a
    /// text file of blank lines) was read as a document of no turns and left out of every count
    /// without a word; it is now a failure that says what it may be.
    @Test func aTranscriptWithNoTextFailsAndSaysWhatItMayBe() throws {
        let scanned = try Fixture.docx(body: "<w:p/><w:p><w:r><w:drawing/></w:r></w:p>")
        let picture = try #require(ingestError { try ingestor.read(data: scanned, source: "scan.docx") })
        #expect(picture.code == .noTurns && picture.file == "scan.docx")
        #expect(picture.message.contains("scanned page") && picture.hint?.contains("OCR") == true)
        for (text, name) in [("\n \n\t\n", "blank.txt"), ("WEBVTT\n\nNOTE no cues yet\n", "empty.vtt")] {
            let error = try #require(ingestError { try ingestor.read(data: Data(text.utf8), source: name) })
            #expect(error.code == .noTurns && error.file == name && error.hint == nil)
        }
    }

    struct BrokenCase: Sendable, CustomTestStringConvertible {
        var file: String
        var code: IngestError.Code
        var entry: String?
        var line: Int?
        var testDescription: String { file }
    }

    @Test(arguments: [
        BrokenCase(file: "truncated.docx", code: .invalidZip),
        BrokenCase(file: "no-document-part.docx", code: .missingZipEntry, entry: "word/document.xml"),
        BrokenCase(file: "zip-bomb.docx", code: .zipLimitExceeded, entry: "word/document.xml"),
        BrokenCase(file: "broken-xml.docx", code: .malformedXML, entry: "word/document.xml", line: 5),
        BrokenCase(file: "legacy-word.doc", code: .legacyWordDocument),
        BrokenCase(file: "encrypted.docx", code: .encryptedDocument),
        BrokenCase(file: "really-html.docx", code: .unsupportedFormat),
        BrokenCase(file: "empty.docx", code: .emptyFile),
        // Found by the fuzzer: a directory offset past the end made ZIPFoundation trap.
        BrokenCase(file: "fuzz-zip-offset-past-end.docx", code: .invalidZip),
    ])
    func brokenWordFilesGetAClearError(_ broken: BrokenCase) throws {
        let path = try Fixture.path(broken.file)
        let error = try #require(ingestError { try ingestor.read(file: path) })
        #expect(error.code == broken.code)
        #expect(error.file == path)
        #expect(error.entry == broken.entry)
        if let line = broken.line { #expect(error.line == line) }
        #expect(error.description.hasPrefix(path))
    }

    @Test func entryNamesAndTargetsOutsideThePackageAreNeverFollowedAndNestedZipsNeverOpened() throws {
        let document = """
            <?xml version="1.0" encoding="UTF-8"?>
            <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>\(
                Fixture.paragraph("P1: inside the package."))</w:body></w:document>
            """
        let type = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        let relationships = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="r1" Type="\(type)/footnotes" Target="../../../../../../etc/passwd"/>
            <Relationship Id="r2" Type="\(type)/comments" Target="/etc/hostname"/>
            <Relationship Id="r3" Type="\(type)/endnotes" Target="../outside.xml"/>
            </Relationships>
            """
        let secret = """
            <w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote>\(
                Fixture.paragraph("SECRET"))</w:footnote></w:footnotes>
            """
        // A nested "bomb": 50 MB of zeros zipped inside the package, as an embedded object.
        let inner = PackageWriter.zip([(path: "zeros.bin", data: Data(count: 50_000_000))])
        let package = Fixture.docxPackage(entries: [
            ("word/document.xml", Data(document.utf8)),
            ("word/_rels/document.xml.rels", Data(relationships.utf8)),
            ("../outside.xml", Data(secret.utf8)),
            ("/etc/passwd", Data(secret.utf8)),
            ("word/embeddings/inner.docx", inner),
        ])
        let ingestor = try Ingestor(options: IngestOptions(docxParts: Set(DocxPart.allCases)))
        let read = try ingestor.read(data: package, source: "odd.docx")
        // Targets resolve inside the package only (`..` stops at its root), entries are looked up
        // by name in the zip, never on disk, and embedded packages are never opened.
        #expect(read.text == "P1: inside the package.")
        #expect(!read.text.contains("root:") && !read.text.contains("SECRET"))
    }

    /// A file with NUL bytes and no UTF-16 or UTF-32 in sight is binary: refused, where its
    /// printable bytes were read as a turn of words; a .docx that is not a package says so. Plain
    /// text named .docx is read as text, with a note (the researcher may have the wrong file).
    @Test func aBinaryFileIsRefusedAndTextNamedDocxIsReadWithANote() throws {
        let binary = Data([0x67, 0x61, 0x72, 0x62, 0x00, 0x01, 0x9C, 0x62, 0x69, 0x6E, 0x00, 0x00, 0x0A])
        for name in ["damaged.docx", "recording.wav", "notes"] {
            let error = try #require(ingestError { try ingestor.read(data: binary, source: name) }, "\(name)")
            #expect(error.code == .unsupportedFormat && error.file == name)
            #expect(
                error.message.contains(
                    name.hasSuffix(".docx") ? "neither a Word package nor text" : "a binary file, not text"))
        }
        let text = try ingestor.read(data: Data("P1: Hype, mostly.\n".utf8), source: "interview.docx")
        #expect(text.segments.map(\.text) == ["Hype, mostly."])
        #expect(text.notes == ["named .docx but it is plain text: read as text"])
        #expect(try ingestor.read(data: Data("P1: Hype.\n".utf8), source: "interview.txt").notes.isEmpty)
        // UTF-16 without a BOM has NUL bytes and is text.
        let utf16 = "P1: Hype, mostly.\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(try ingestor.read(data: Data(utf16), source: "bomless.txt").segments.map(\.text) == ["Hype, mostly."])
    }

    @Test func legacyAndEncryptedFilesSayWhatToDo() throws {
        let legacy = try #require(ingestError { try ingestor.read(file: Fixture.path("legacy-word.doc")) })
        #expect(legacy.description.contains("save it as .docx"))
        let encrypted = try #require(ingestError { try ingestor.read(file: Fixture.path("encrypted.docx")) })
        #expect(encrypted.description.contains("password"))
    }

    @Test func entryInflatingPastTheSizeLimitFails() throws {
        let body = Fixture.paragraph(String(repeating: "word ", count: 50_000))
        let limits = ZipLimits(maximumEntrySize: 100_000, maximumCompressionRatio: 10_000)
        let error = ingestError {
            try Ingestor(options: IngestOptions(zipLimits: limits)).read(
                data: Fixture.docx(body: body), source: "big.docx")
        }
        #expect(error?.code == .zipLimitExceeded)
    }

    /// One way a package can be damaged: a field of the body's directory record changed, or the
    /// first byte of its compressed data.
    struct Damage: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var offset: Int?  // in the directory record; nil: the compressed data's first byte
        var value: UInt8
        var code: IngestError.Code
        var says: String
    }

    @Test(arguments: [
        Damage(testDescription: "checksum", offset: 16, value: 0x01, code: .invalidZip, says: "checksum"),
        // The size the body declares, made smaller than what it inflates to.
        Damage(testDescription: "declared size", offset: 25, value: 0x00, code: .zipLimitExceeded, says: "declares"),
        Damage(testDescription: "method", offset: 10, value: 12, code: .invalidZip, says: "method 12"),
        Damage(testDescription: "encryption flag", offset: 8, value: 0x01, code: .invalidZip, says: "encrypted"),
        // A final block of the reserved type 3.
        Damage(
            testDescription: "deflate data", offset: nil, value: 0x07, code: .invalidZip, says: "cannot be inflated"),
    ])
    func aDamagedEntryIsAnErrorNamingIt(_ damage: Damage) throws {
        let text = String(repeating: "P1: a damaged sentence. ", count: 20)
        var package = [UInt8](try Fixture.docx(body: Fixture.paragraph(text)))
        let name = Array("word/document.xml".utf8)
        let signature: [UInt8] = [0x50, 0x4B, 0x01, 0x02]
        var found: Int?
        for at in 0..<(package.count - 46 - name.count) where Array(package[at..<at + 4]) == signature {
            if Array(package[(at + 46)..<(at + 46 + name.count)]) == name { found = at }
        }
        let record = try #require(found)
        if let offset = damage.offset {
            package[record + offset] = damage.offset == 16 ? package[record + offset] ^ damage.value : damage.value
        } else {
            func u16(_ at: Int) -> Int { Int(package[at]) | Int(package[at + 1]) << 8 }
            let local = u16(record + 42) | u16(record + 44) << 16
            package[local + 30 + u16(local + 26) + u16(local + 28)] = damage.value
        }
        let error = try #require(ingestError { try ingestor.read(data: Data(package), source: "damaged.docx") })
        #expect(error.code == damage.code && error.entry == "word/document.xml" && error.file == "damaged.docx")
        #expect(error.description.contains(damage.says), "\(error.description)")
    }

    /// Zip writers may store a small part uncompressed (method 0); the package here is written
    /// byte by byte, not by the zip library the reader could share assumptions with.
    @Test func aStoredEntryIsReadAsIs() throws {
        let document = Array(
            """
            <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>\(
                Fixture.paragraph("P2: stored, not deflated."))</w:body></w:document>
            """.utf8)
        let name = Array("word/document.xml".utf8)
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in document {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        crc ^= 0xFFFF_FFFF
        func le(_ value: Int, _ bytes: Int) -> [UInt8] { (0..<bytes).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        let sizes = le(Int(crc), 4) + le(document.count, 4) + le(document.count, 4)
        let local =
            le(0x0403_4B50, 4) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + sizes + le(name.count, 2)
            + le(0, 2) + name + document
        let central =
            le(0x0201_4B50, 4) + le(20, 2) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + sizes
            + le(name.count, 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(0, 4) + name
        let end =
            le(0x0605_4B50, 4) + le(0, 2) + le(0, 2) + le(1, 2) + le(1, 2) + le(central.count, 4)
            + le(local.count, 4) + le(0, 2)
        let read = try ingestor.read(data: Data(local + central + end), source: "stored.docx")
        #expect(read.text == "P2: stored, not deflated.")
    }

    @Test func aWordBodyNeverReadsExternalEntitiesNorExpandsEntityBombsNorNestsWithoutLimit() throws {
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID()).txt")
        try "TOP-SECRET-CONTENT".write(to: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secret) }
        let namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        func package(entities: String, text: String) throws -> Data {
            let document = """
                <?xml version="1.0" encoding="UTF-8"?><!DOCTYPE w:document [\(entities)]>
                <w:document xmlns:w="\(namespace)"><w:body>\(Fixture.paragraph(text))</w:body></w:document>
                """
            return Fixture.docxPackage(entries: [("word/document.xml", Data(document.utf8))])
        }
        // External entities: the references are dropped, nothing is read.
        let external = "<!ENTITY xxe SYSTEM \"file://\(secret.path)\"><!ENTITY web SYSTEM \"http://127.0.0.1:9/x\">"
        let read = try ingestor.read(
            data: package(entities: external, text: "P1: leak &xxe; &web; end"), source: "xxe.docx")
        #expect(!read.text.contains("TOP-SECRET"))
        #expect(read.text.hasPrefix("P1: leak") && read.text.hasSuffix("end"))
        // An entity bomb is refused or left unexpanded.
        var bomb = "<!ENTITY lol0 \"lollollollollollollollollollol\">"
        for level in 1...9 {
            bomb += "<!ENTITY lol\(level) \"\(String(repeating: "&lol\(level - 1);", count: 10))\">"
        }
        let outcome = Result {
            try ingestor.read(data: package(entities: bomb, text: "P1: &lol9;"), source: "bomb.docx")
        }
        switch outcome {
        case .success(let document): #expect(document.text.utf8.count < 1_000)
        case .failure(let error): #expect((error as? IngestError)?.code == .malformedXML)
        }
        let deep =
            "<w:document xmlns:w=\"\(namespace)\"><w:body><w:p><w:r><w:t>P1: "
            + String(repeating: "<w:x>", count: 5_000) + "deep" + String(repeating: "</w:x>", count: 5_000)
            + "</w:t></w:r></w:p></w:body></w:document>"
        let nested = Fixture.docxPackage(entries: [("word/document.xml", Data(deep.utf8))])
        let repetitive = try Ingestor(options: IngestOptions(zipLimits: ZipLimits(maximumCompressionRatio: 100_000)))
        #expect(ingestError { try repetitive.read(data: nested, source: "deep.docx") }?.code == .malformedXML)
    }

    @Test func aFolderNamedLikeADocxIsNotAFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folder-\(UUID()).docx")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(ingestError { try ingestor.read(file: folder.path) }?.code == .isDirectory)
    }
}
