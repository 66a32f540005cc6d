import Corpus

extension ConcordanceLine: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(query)
        writer.write(documentID)
        writer.write(segmentIndex)
        writer.write(speaker)
        writer.write(role)
        writer.write(participantID)
        writer.write(attributes)
        writer.write(tokenIndex)
        writer.write(tokenCount)
        writer.write(left)
        writer.write(match)
        writer.write(right)
        writer.write(range)
        writer.write(leftWords)
        writer.write(rightWords)
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(
            query: try reader.read(), documentID: try reader.read(), segmentIndex: try reader.read(),
            speaker: try reader.read(), role: try reader.read(), participantID: try reader.read(),
            attributes: try reader.read(), tokenIndex: try reader.read(), tokenCount: try reader.read(),
            left: try reader.read(), match: try reader.read(), right: try reader.read(), range: try reader.read(),
            leftWords: try reader.read(), rightWords: try reader.read())
    }
}

extension DocumentCounts.Speaker: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(participantID)
        writer.write(words)
        writer.write(terms)
        writer.write(counts)
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        let participantID: String? = try reader.read()
        let words: Int = try reader.read()
        let terms: TermList = try reader.read()
        let counts: [Int] = try reader.read()
        guard terms.count == counts.count else { throw BinaryReader.Error() }
        self.init(participantID: participantID, words: words, terms: terms, counts: counts)
    }
}

/// Written as a `[String]` is: the count, then each term's length and bytes.
extension TermList: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        withPacked { writer.writeStrings(bytes: $0, ends: $1) }
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init()
        try reader.readStrings { append($0) }
    }
}

extension DocumentCounts: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(documentID)
        writer.write(speakers)
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(documentID: try reader.read(), speakers: try reader.read())
    }
}

extension FrequencyTable.Group: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(name)
        writer.write(words)
        writer.write(participants)
        writer.write(documents)
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(
            name: try reader.read(), words: try reader.read(), participants: try reader.read(),
            documents: try reader.read())
    }
}

extension FrequencyTable.Row: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(term)
        writer.write(group)
        writer.write(count)
        writer.write(rate)
        writer.write(participants)
        writer.write(documents)
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(
            term: try reader.read(), group: try reader.read(), count: try reader.read(), rate: try reader.read(),
            participants: try reader.read(), documents: try reader.read())
    }
}

extension Keyness.Row: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(term)
        writer.write(targetCount)
        writer.write(referenceCount)
        writer.write(targetRate)
        writer.write(referenceRate)
        writer.write(logLikelihood)
        writer.write(pValue)
        writer.write(logRatio)
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(
            term: try reader.read(), targetCount: try reader.read(), referenceCount: try reader.read(),
            targetRate: try reader.read(), referenceRate: try reader.read(), logLikelihood: try reader.read(),
            pValue: try reader.read(), logRatio: try reader.read())
    }
}

extension Keyness: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(target)
        writer.write(reference)
        writer.write(targetWords)
        writer.write(referenceWords)
        // As an array of rows is written, a row made at a time.
        writer.writeVarint(UInt64(count))
        for index in 0..<count { row(at: index).write(to: &writer) }
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        let (target, reference): (String, String) = (try reader.read(), try reader.read())
        let (targetWords, referenceWords): (Int, Int) = (try reader.read(), try reader.read())
        let count = try reader.readCount()
        var terms = TermList()
        var counts: [Counts] = []
        counts.reserveCapacity(count)
        for _ in 0..<count {
            let row = try Row(from: &reader)
            guard let pair = Counts.read(target: row.targetCount, reference: row.referenceCount) else {
                throw BinaryReader.Error()
            }
            terms.append(row.term)
            counts.append(pair)
        }
        self.init(
            target: target, reference: reference, targetWords: targetWords, referenceWords: referenceWords,
            terms: terms, counts: counts)
    }
}
