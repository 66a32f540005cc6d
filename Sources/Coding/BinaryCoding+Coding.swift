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

extension Suggestion: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
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
        writer.write(text)
        writer.write(range)
        writer.write(context)
        writer.write(status)
        writer.write(decisions)
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(
            id: try reader.read(), documentID: try reader.read(), segmentIndex: try reader.read(),
            sentenceIndex: try reader.read(), code: try reader.read(), codePath: try reader.read(),
            evidence: try reader.read(), weight: try reader.read(),
            speaker: try reader.read(), role: try reader.read(), participantID: try reader.read(),
            attributes: try reader.read(), text: try reader.read(), range: try reader.read(),
            context: try reader.read(), status: try reader.read(), decisions: try reader.read())
    }
}
