import Coding
import Corpus
import Foundation
import Ingest

/// Exports a study's coded results: a REFI-QDA project (`.qdpx`) or codebook (`.qdc`) for NVivo,
/// ATLAS.ti, MAXQDA and QualCoder, and a long table of every coding for R, SPSS and spreadsheets
/// (CSV, or an Excel workbook).
///
/// Codings are the accepted suggestions (the suggested code), recoded ones (the chosen code) and
/// manual codings, per coder; a selection spans the coded unit, in code points of the plain text.
/// GUIDs derive from names, so exporting twice gives the same identifiers.
public struct Exporter: Sendable {
    public let configuration: PipelineConfiguration

    public init(configuration: PipelineConfiguration) { self.configuration = configuration }

    /// One coding a person made or confirmed.
    public struct Coding: Sendable {
        public var documentID: String
        public var segmentIndex: Int?
        public var range: ScalarRange
        public var code: String
        public var coder: String
        public var status: String
        public var at: String
        public var text: String
        /// The coded turn's speaker and participant, when known without reading the corpus.
        var turn: (speaker: String, participantID: String?)?
    }

    /// What every export needs: the codebook and every coding, with the coders who made them;
    /// made once for several exports at a time (each read suggestions.json and the decisions).
    public struct Codings: Sendable {
        var codes: [Outputs.SuggestionsFile.CodeInfo]
        var codings: [Coding]
        var coders: [String]
    }

    /// Every coding, the suggestions merged with the decisions a document at a time
    /// (``Decider/forEachMergedDocument(omitting:_:)``) and only the codings kept.
    public func codings() throws(PipelineError) -> Codings {
        var codings: [Coding] = []
        // A coding holds its suggestion's text and turn, not the context or the attributes.
        let end = try Decider(configuration: configuration).forEachMergedDocument(omitting: [.context, .attributes]) {
            suggestions in
            for suggestion in suggestions { codings += Self.codings(of: suggestion) }
        }
        for coder in end.manual.keys.sorted() {
            for coding in end.manual[coder] ?? [] {
                codings.append(
                    Coding(
                        documentID: coding.documentID, segmentIndex: coding.segmentIndex, range: coding.range,
                        code: coding.code, coder: coder, status: "manual", at: coding.at ?? "", text: coding.text))
            }
        }
        let coders = Set(codings.map(\.coder)).union(end.manual.keys).sorted()
        return Codings(codes: end.lexicon.codes, codings: codings, coders: coders)
    }

    /// `made`, or the codings read now.
    private func codings(_ made: Codings?) throws(PipelineError) -> Codings {
        if let made { return made }
        return try codings()
    }

    /// The codings a suggestion's decisions make: accepted (the suggested code) and recoded (the
    /// chosen code), one per coder.
    static func codings(of suggestion: Suggestion) -> [Coding] {
        suggestion.decisions.compactMap { decision in
            guard let code = decision.appliedCode(of: suggestion) else { return nil }
            var coding = Coding(
                documentID: suggestion.documentID, segmentIndex: suggestion.segmentIndex, range: suggestion.range,
                code: code, coder: decision.coder, status: decision.status.rawValue, at: decision.at,
                text: suggestion.text)
            coding.turn = (suggestion.speaker, suggestion.participantID)
            return coding
        }
    }

    /// A deterministic GUID (UUID layout, version 5 bits) for a kind of thing and its name.
    static func guid(_ kind: String, _ name: String) -> String {
        var hex = Array(ContentHash.combining(["refi-qda", kind, name]).prefix(32))
        hex[12] = "5"
        hex[16] = ["8", "9", "a", "b"][Int(String(hex[16]), radix: 16).map { $0 % 4 } ?? 0]
        let text = String(hex)
        func part(_ from: Int, _ to: Int) -> Substring {
            text[text.index(text.startIndex, offsetBy: from)..<text.index(text.startIndex, offsetBy: to)]
        }
        return [part(0, 8), part(8, 12), part(12, 16), part(16, 20), part(20, 32)].joined(separator: "-")
    }

    /// The codebook as REFI-QDA `Codes` elements, nested by parent.
    func codesXML(_ codes: [Outputs.SuggestionsFile.CodeInfo], indent: String) -> String {
        var children: [String: [Outputs.SuggestionsFile.CodeInfo]] = [:]
        for code in codes { children[code.parent ?? "", default: []].append(code) }
        func render(_ parent: String, _ depth: Int) -> String {
            (children[parent] ?? []).map { code in
                let pad = indent + String(repeating: "  ", count: depth)
                var xml =
                    "\(pad)<Code guid=\"\(Self.guid("code", code.name))\" name=\"\(XML.escape(code.name))\" isCodable=\"true\""
                let inner =
                    (code.description.map { "\(pad)  <Description>\(XML.escape($0))</Description>\n" } ?? "")
                    + render(code.name, depth + 1)
                xml += inner.isEmpty ? "/>\n" : ">\n" + inner + "\(pad)</Code>\n"
                return xml
            }.joined()
        }
        return render("", 0)
    }

    /// `codebook.qdc`: the codebook alone, from suggestions.json's head.
    public func codebook() throws(PipelineError) -> Data {
        let path = try OutputFlush.trusted("suggestions.json", in: configuration.outputFolder)
        var codes = ElementRuns.suggestions.outside(path, \Outputs.SuggestionsFile.suggestions)?.lexicon.codes
        if codes == nil { codes = try Decider(configuration: configuration).lastSuggestions().lexicon.codes }
        let xml =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            + "<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\" origin=\"TranscriptMiner \(PipelineRunner.version)\">\n"
            + "  <Codes>\n" + codesXML(codes ?? [], indent: "    ") + "  </Codes>\n</CodeBook>\n"
        return Data(xml.utf8)
    }

    /// A `.qdpx` package: `project.qde` and one plain-text file per transcript under `Sources/`.
    /// The transcripts are read from corpus.json and deflated on whichever core is free as they
    /// come; `project.qde`, made meanwhile, is the package's last entry.
    public func project(_ made: Codings? = nil) throws(PipelineError) -> Data {
        let study = try codings(made)
        let codingsByDocument = Dictionary(grouping: study.codings, by: \.documentID)
        let package = PackageWriter()
        var sources = ""
        var documentsByParticipant: [String: [String]] = [:]
        let corpus = try Outputs.forEachDocument(of: configuration) { document in
            let participant =
                document.segments.first { $0.role == .participant && $0.participantID != nil }?.participantID ?? ""
            documentsByParticipant[participant, default: []].append(document.id)
            let source = Self.guid("source", document.id)
            sources +=
                "    <TextSource guid=\"\(source)\" name=\"\(XML.escape(document.id))\" plainTextPath=\"internal://\(source).txt\">\n"
            for (index, coding) in (codingsByDocument[document.id] ?? []).enumerated() {
                let key =
                    "\(document.id)|\(coding.range.start)|\(coding.range.end)|\(coding.code)|\(coding.coder)|\(index)"
                let user = Self.guid("user", coding.coder)
                let time = coding.at.isEmpty ? "" : " creationDateTime=\"\(coding.at)\""
                sources +=
                    "      <PlainTextSelection guid=\"\(Self.guid("selection", key))\" name=\"\(XML.escape(String(coding.text.prefix(60))))\" "
                    + "startPosition=\"\(coding.range.start)\" endPosition=\"\(coding.range.end)\" creatingUser=\"\(user)\"\(time)>\n"
                sources +=
                    "        <Coding guid=\"\(Self.guid("coding", key))\" creatingUser=\"\(user)\"\(time)>"
                    + "<CodeRef targetGUID=\"\(Self.guid("code", coding.code))\"/></Coding>\n"
                sources += "      </PlainTextSelection>\n"
            }
            sources += "    </TextSource>\n"
            package.addInBackground("Sources/\(source).txt", Data(document.text.utf8))
        }
        let tool = Self.guid("user", "TranscriptMiner")
        var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        xml +=
            "<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"\(XML.escape(configuration.study))\" "
            + "origin=\"TranscriptMiner \(PipelineRunner.version)\" creatingUserGUID=\"\(tool)\">\n"
        xml += "  <Users>\n    <User guid=\"\(tool)\" name=\"TranscriptMiner\"/>\n"
        for coder in study.coders {
            xml += "    <User guid=\"\(Self.guid("user", coder))\" name=\"\(XML.escape(coder))\"/>\n"
        }
        xml += "  </Users>\n"
        if !study.codes.isEmpty {
            xml +=
                "  <CodeBook>\n    <Codes>\n" + codesXML(study.codes, indent: "      ")
                + "    </Codes>\n  </CodeBook>\n"
        }
        let table = corpus.participants
        if !table.attributeNames.isEmpty {
            xml += "  <Variables>\n"
            for name in table.attributeNames {
                xml +=
                    "    <Variable guid=\"\(Self.guid("variable", name))\" name=\"\(XML.escape(name))\" typeOfVariable=\"Text\"/>\n"
            }
            xml += "  </Variables>\n"
        }
        if !table.participants.isEmpty {
            xml += "  <Cases>\n"
            for participant in table.participants {
                xml +=
                    "    <Case guid=\"\(Self.guid("case", participant.id))\" name=\"\(XML.escape(participant.id))\">\n"
                for name in table.attributeNames {
                    xml +=
                        "      <VariableValue><VariableRef targetGUID=\"\(Self.guid("variable", name))\"/>"
                        + "<TextValue>\(XML.escape(participant.attributes[name] ?? ""))</TextValue></VariableValue>\n"
                }
                for document in documentsByParticipant[participant.id] ?? [] {
                    xml += "      <SourceRef targetGUID=\"\(Self.guid("source", document))\"/>\n"
                }
                xml += "    </Case>\n"
            }
            xml += "  </Cases>\n"
        }
        if !sources.isEmpty { xml += "  <Sources>\n" + sources + "  </Sources>\n" }
        xml += "</Project>\n"
        package.add("project.qde", Data(xml.utf8))
        return package.data()
    }

    /// Every coding as a row: document, turn, speaker, participant, attributes, code, status, coder, text.
    /// A suggestion knows its turn's speaker and participant; corpus.json's documents are read
    /// only for manual codings.
    public func csv(_ made: Codings? = nil) throws(PipelineError) -> Data {
        let table = try codingTable(made)
        var text = table.header.map(csvField).joined(separator: ",") + "\n"
        for row in table.rows {
            text +=
                row.map { cell in
                    switch cell {
                    case .text(let value): csvField(value)
                    case .number(let value): String(value)
                    }
                }
                .joined(separator: ",") + "\n"
        }
        return Data(text.utf8)
    }

    /// The CSV's rows as an Excel workbook (``Spreadsheet``), and how many codings' text was cut
    /// at Excel's limit for a cell.
    public func spreadsheet(_ made: Codings? = nil) throws(PipelineError) -> (data: Data, cut: Int) {
        let table = try codingTable(made)
        guard table.rows.count < Spreadsheet.rowLimit else {
            throw PipelineError(
                file: configuration.outputFolder,
                message: "\(table.rows.count) codings are more rows than a sheet holds; export them as CSV")
        }
        // The text wide, the coded span's numbers narrow, the rest to fit a name or a date.
        var widths: [Int: Int] = [:]
        for (column, name) in table.header.enumerated() {
            widths[column] = name == "text" ? 80 : ["turn", "start", "end"].contains(name) ? 8 : 18
        }
        let sheet = Spreadsheet(sheetName: "Codings", header: table.header, rows: table.rows, widths: widths)
        return sheet.package()
    }

    /// One row per coding: where it is (document, turn, speaker, participant and their
    /// attributes), the code, who coded it and when, the span and its text.
    func codingTable(_ made: Codings? = nil) throws(PipelineError) -> (header: [String], rows: [[Spreadsheet.Cell]]) {
        let study = try codings(made)
        let needed = Set(study.codings.filter { $0.turn == nil && $0.segmentIndex != nil }.map(\.documentID))
        var turns: [String: [Int: Segment]] = [:]
        let corpus =
            needed.isEmpty
            ? try Outputs.corpusWithoutDocuments(of: configuration)
            : try Outputs.forEachDocument(of: configuration) { document in
                guard needed.contains(document.id), turns[document.id] == nil else { return }
                turns[document.id] = Dictionary(
                    document.segments.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
            }
        let names = corpus.participants.attributeNames
        let participants = corpus.participants.byID
        let header =
            ["document", "turn", "speaker", "participant"] + names
            + ["code", "status", "coder", "at", "start", "end", "text"]
        let rows = study.codings.map { coding -> [Spreadsheet.Cell] in
            let turn =
                coding.turn
                ?? coding.segmentIndex.flatMap { index in
                    turns[coding.documentID]?[index].map { (speaker: $0.speaker, participantID: $0.participantID) }
                }
            let participant = turn?.participantID.flatMap { participants[$0] }
            return [
                .text(coding.documentID), coding.segmentIndex.map { .number($0) } ?? .text(""),
                .text(turn?.speaker ?? ""), .text(turn?.participantID ?? ""),
            ]
                + names.map { .text(participant?.attributes[$0] ?? "") }
                + [
                    .text(coding.code), .text(coding.status), .text(coding.coder), .text(coding.at),
                    .number(coding.range.start), .number(coding.range.end), .text(coding.text),
                ]
        }
        return (header, rows)
    }
}

/// XML text escaping for the exports (hand-written: the exports are generated, not parsed, and
/// libxml2 stays inside the Ingest module).
enum XML {
    /// `text` with `& < > "` and line breaks and tabs as references, and the characters XML 1.0
    /// forbids (other controls, U+FFFE, U+FFFF) dropped. Works on the UTF-8 bytes: text that
    /// needs nothing (most of it) is returned as it is after one pass; appending scalar by
    /// scalar was 2 % of a lexicon edit's CPU for the report's few passages.
    static func escape(_ text: String) -> String {
        var text = text
        let escaped: [UInt8]? = text.withUTF8 { bytes in
            // 0xEF leads the three-byte forms of U+F000–U+FFFF, among them U+FFFE and U+FFFF.
            func special(_ byte: UInt8) -> Bool {
                byte < 0x20 || byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte == 0xEF
            }
            guard var index = bytes.firstIndex(where: special) else { return nil }
            var result = [UInt8](bytes[..<index])
            result.reserveCapacity(bytes.count + 16)
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case 0x26: result += "&amp;".utf8
                case 0x3C: result += "&lt;".utf8
                case 0x3E: result += "&gt;".utf8
                case 0x22: result += "&quot;".utf8
                case 0x0A: result += "&#10;".utf8
                case 0x09: result += "&#9;".utf8
                case 0x0D: result += "&#13;".utf8
                case ..<0x20: continue
                case 0xEF where index + 1 < bytes.count && bytes[index] == 0xBF && bytes[index + 1] >= 0xBE:
                    index += 2  // U+FFFE or U+FFFF
                default: result.append(byte)
                }
            }
            return result
        }
        return escaped.map { String(decoding: $0, as: UTF8.self) } ?? text
    }
}
