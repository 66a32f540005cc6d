import Corpus
import Foundation
import TextAnalysis

/// The KWIC stage's merge: kwic.json written line by line, in document order, as each chunk of
/// documents finishes, so a run never holds the corpus's lines. A document whose lines the
/// previous kwic.json has, made from the same key in the same context (its ``OutputLayout``), is
/// copied from there. With a sort order the lines must all be there before the first is written;
/// they wait in memory then, and nothing is copied. One thread at a time uses it (the merge's,
/// then the task that finishes it): hence `@unchecked`.
struct KWICMerge: @unchecked Sendable {
    let sink: AtomicFile.Writer
    private let concordancer: Concordancer
    private let byID: [String: Participant]
    private var stream: Outputs.KWICStream
    private var waiting: [ConcordanceLine]?
    private var previous: PreviousCopy?
    /// This file's layout as documents are added; none with a sort order.
    private(set) var layout: OutputLayout?
    /// The stage's queries, their place there, and each one's hits and documents so far.
    private let queries: [String]
    private let place: [String: Int]
    private var hits: [Int]
    private var documents: [Int]

    /// Lines separated in the file by `,`, a line break and four spaces.
    private static let separator: Int64 = 6

    /// A merge writing kwic.json at `path`, over the old file at `recycling` when it may (see
    /// ``Corpus/AtomicFile/Writer/init(path:durable:recycling:)``), copying from `previous` (a
    /// layout made in `context`, see ``OutputLayout/load(_:in:context:)``).
    init(
        stage: KWICStage, participants: ParticipantTable, path: String, recycling: String? = nil,
        previous: (layout: OutputLayout, file: FileHandle)? = nil, context: String = ""
    ) throws(FileWriteError) {
        sink = try AtomicFile.Writer(path: path, durable: !OutputFlush.deferred, recycling: recycling)
        concordancer = Concordancer(options: stage.options)
        byID = participants.byID
        stream = Outputs.KWICStream(to: sink)
        let sorted = !stage.options.sort.isEmpty
        waiting = sorted ? [] : nil
        self.previous = sorted ? nil : previous.map(PreviousCopy.init)
        layout = sorted ? nil : OutputLayout(output: (path as NSString).lastPathComponent, context: context)
        queries = stage.queries
        place = Dictionary(stage.queries.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        hits = Array(repeating: 0, count: queries.count)
        documents = hits
    }

    /// Each query's hits and the documents they are in, in the stage's order, for the lines added
    /// (a query listed twice has the lines of the first).
    var queryHits: [RunReport.QueryHits] {
        queries.map { query in
            let index = place[query] ?? 0
            return RunReport.QueryHits(query: query, hits: hits[index], documents: documents[index])
        }
    }

    /// Counts one document's lines (`tally`: the hits of each query).
    private mutating func count(_ tally: [Int]) {
        guard tally.count == queries.count else { return }
        for index in tally.indices where tally[index] > 0 {
            hits[index] += tally[index]
            documents[index] += 1
        }
    }

    /// Adds one document's lines, in order (`id` and `key` name the document and what made its
    /// lines, for the layout).
    mutating func add(_ lines: [ConcordanceLine], id: String? = nil, key: String? = nil) {
        var tally = Array(repeating: 0, count: queries.count)
        defer { count(tally) }
        if waiting != nil {
            let accepted = lines.compactMap { concordancer.accept($0, byID: byID) }
            for line in accepted { if let index = place[line.query] { tally[index] += 1 } }
            waiting?.append(contentsOf: accepted)
            return
        }
        // Each line written with its speaker's attributes, not copied to hold them first.
        var range: Range<Int64> = 0..<0
        var start: Int64?
        for line in lines {
            guard let attributes = concordancer.attributes(of: line, byID: byID) else { continue }
            if start == nil {
                if previous?.pending != nil {
                    stream.flush()
                    previous?.copy(into: sink)
                }
                stream.separateLine()
                start = stream.end
            }
            stream.append(line, attributes: attributes)
            if let index = place[line.query] { tally[index] += 1 }
        }
        if let start { range = start..<stream.end }
        if let id, let key { layout?.add(id: id, key: key, range: range, tally: tally) }
    }

    /// Adds the document `id`'s lines as the previous file has them (`range`, from its layout).
    mutating func add(id: String, key: String, previous range: Range<Int64>) {
        guard var copy = previous, layout != nil else {
            preconditionFailure("a document is copied only from the previous file this merge was given")
        }
        var start: Int64 = 0
        if !range.isEmpty {
            start = stream.end + copy.pendingCount + (stream.hasLines ? Self.separator : Self.separator - 1)
            copy.add(
                range, separator: Self.separator, first: !stream.hasLines, into: sink, flushing: { stream.flush() },
                separating: { stream.spliceLine() })
        }
        let tally = copy.layout.entry(id)?.tally ?? []
        previous = copy
        count(tally)
        layout?.add(id: id, key: key, range: start..<start + Int64(range.count), tally: tally)
    }

    /// Ends kwic.json with `file`'s fields (its lines are not read); the caller commits `sink`.
    mutating func finish(_ file: Outputs.KWICFile) {
        if let waiting {
            for line in concordancer.sorted(waiting) { stream.append(line, attributes: line.attributes) }
            self.waiting = []
        }
        stream.flush()
        previous?.copy(into: sink)
        stream.finish(file)
    }
}

/// Each KWIC query's hits as the kwic.json in place has them (`.cache/kwic-hits.bin`, under that
/// file's identity): what a run that keeps kwic.json reports and warns of, read in a few
/// microseconds rather than by counting the file's lines.
enum KWICHits {
    private static let tag = "tmine-kwic-hits-\(BinaryWriter.formatVersion)"

    private static func paths(in out: String) -> (output: String, cache: String) {
        (
            (out as NSString).appendingPathComponent("kwic.json"),
            (out as NSString).appendingPathComponent(".cache/kwic-hits.bin")
        )
    }

    static func save(_ hits: [RunReport.QueryHits], in out: String) {
        let (output, cache) = paths(in: out)
        CacheFile.write(describing: output, at: cache, tag: tag, capacity: hits.count * 48 + 16) { writer in
            writer.writeVarint(UInt64(hits.count))
            for query in hits {
                writer.write(query.query)
                writer.write(query.hits)
                writer.write(query.documents)
            }
        }
    }

    /// The hits of kwic.json as it is, when they were saved for that very file and its queries
    /// are `queries`.
    static func load(in out: String, queries: [String]) -> [RunReport.QueryHits]? {
        let (output, cache) = paths(in: out)
        guard var reader = CacheFile.reader(describing: output, at: cache, tag: tag)?.reader else { return nil }
        do throws(BinaryReader.Error) {
            let hits = try (0..<reader.readCount()).map { _ throws(BinaryReader.Error) in
                RunReport.QueryHits(
                    query: try reader.read(String.self), hits: try reader.read(Int.self),
                    documents: try reader.read(Int.self))
            }
            guard reader.isAtEnd, hits.map(\.query) == queries else { return nil }
            return hits
        } catch {
            return nil
        }
    }
}
