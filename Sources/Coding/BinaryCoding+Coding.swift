import Corpus

extension SuggestionStatus: BinaryCodable {}

extension Evidence: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(pattern)
        writer.write(text)
        writer.write(range)
        writer.write(tokenStart)
        writer.write(tokenEnd)
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(
            pattern: try reader.read(), text: try reader.read(), range: try reader.read(),
            tokenStart: try reader.read(), tokenEnd: try reader.read())
    }
}

extension CoderDecision: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(coder)
        writer.write(status)
        writer.write(code)
        writer.write(note)
        writer.write(at)
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(
            coder: try reader.read(), status: try reader.read(), code: try reader.read(), note: try reader.read(),
            at: try reader.read())
    }
}

/// One document's suggestions by code, as the stage cache keeps them. A suggestion's text is its
/// document's text at its range (the suggester cuts it so), so it is not written again: it was
/// two thirds of the cached suggestions. A text that differs is written whole, flagged; the
/// others are cut from the document when read (``completed(from:)``).
public struct CachedSuggestions: BinaryCodable {
    public private(set) var byCode: [String: [Suggestion]]
    /// For writing: the document. For reading: nil.
    private let document: Document?
    /// Suggestions read without their text, by code and position.
    private var uncut: [(code: String, index: Int)] = []

    public init(_ byCode: [String: [Suggestion]], document: Document) {
        self.byCode = byCode
        self.document = document
    }

    /// Whether every suggestion holds its text (as read, or nothing was left to cut).
    public var isComplete: Bool { uncut.isEmpty }

    /// The suggestions with every text, those not written cut from the document's text (not read
    /// when none is to be cut); nil when a range is not within it (a record of another document,
    /// or no document, is not trusted).
    public func completed(from text: String) -> [String: [Suggestion]]? {
        guard !uncut.isEmpty else { return byCode }
        let slicer = ScalarSlicer(text)
        var byCode = byCode
        for (code, index) in uncut {
            guard let range = byCode[code]?[index].range, let cut = slicer.checkedString(range.start, range.end)
            else { return nil }
            byCode[code]?[index].text = cut
        }
        return byCode
    }

    public func write(to writer: inout BinaryWriter) {
        let segments = document?.segments ?? []
        // Most units are whole turns, told apart by the turn's range and string; only others
        // need the document's text indexed.
        var slicer: ScalarSlicer?
        func isCutFromDocument(_ suggestion: Suggestion) -> Bool {
            if segments.indices.contains(suggestion.segmentIndex) {
                let segment = segments[suggestion.segmentIndex]
                if segment.range == suggestion.range { return segment.text == suggestion.text }
            }
            if slicer == nil { slicer = ScalarSlicer(document?.text ?? "") }
            return slicer?.holds(suggestion.text, at: suggestion.range.start, suggestion.range.end) == true
        }
        writer.writeVarint(UInt64(byCode.count))
        for (code, suggestions) in byCode {
            writer.write(code)
            writer.writeVarint(UInt64(suggestions.count))
            for suggestion in suggestions {
                suggestion.write(to: &writer)
                if isCutFromDocument(suggestion) {
                    writer.writeVarint(0)
                } else {
                    writer.writeVarint(1)
                    writer.write(suggestion.text)
                }
            }
        }
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        document = nil
        byCode = [:]
        let codes = try reader.readCount()
        byCode.reserveCapacity(codes)
        for _ in 0..<codes {
            let code: String = try reader.read()
            let count = try reader.readCount()
            var suggestions: [Suggestion] = []
            suggestions.reserveCapacity(count)
            for index in 0..<count {
                var suggestion = try Suggestion(from: &reader)
                switch try reader.readVarint() {
                case 0: uncut.append((code, index))
                case 1: suggestion.text = try reader.read()
                default: throw BinaryReader.Error()
                }
                suggestions.append(suggestion)
            }
            byCode[code] = suggestions
        }
    }
}

/// All of a suggestion but its text, which ``CachedSuggestions`` writes or cuts from its document.
extension Suggestion {
    fileprivate func write(to writer: inout BinaryWriter) {
        writer.write(id)
        writer.write(documentID)
        writer.write(segmentIndex)
        writer.write(sentenceIndex)
        writer.write(code)
        writer.write(codePath)
        writer.write(evidence)
        writer.write(weight)
        writer.write(speaker)
        writer.write(role)
        writer.write(participantID)
        writer.write(attributes)
        writer.write(range)
        writer.write(context)
        writer.write(status)
        writer.write(decisions)
    }

    fileprivate init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(
            id: try reader.read(), documentID: try reader.read(), segmentIndex: try reader.read(),
            sentenceIndex: try reader.read(), code: try reader.read(), codePath: try reader.read(),
            evidence: try reader.read(), weight: try reader.read(),
            speaker: try reader.read(), role: try reader.read(), participantID: try reader.read(),
            attributes: try reader.read(), text: "", range: try reader.read(),
            context: try reader.read(), status: try reader.read(), decisions: try reader.read())
    }
}
