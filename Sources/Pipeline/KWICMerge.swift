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
    /// The stage's queries, their place there, and each one's documents and hits by speaker (a
    /// participant, or `""` for a line of no participant's, numbered as they come) so far.
    private let queries: [String]
    private let place: [String: Int]
    private var documents: [Int]
    private var counting: KWICTally.Counting

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
        documents = Array(repeating: 0, count: queries.count)
        counting = KWICTally.Counting(queries: queries.count)
    }

    /// Each query's hits, the documents they are in and its hits by group, in the stage's order,
    /// for the lines added (a query listed twice has the lines of the first).
    var tally: KWICTally { KWICTally(queries, documents: documents, counting: counting) }

    /// One document's lines as counted: the hits of each query by each of `names` (participant
    /// ids, `""` for none), at `tally[name * queries + query]`.
    private struct Tally {
        var counts: [Int] = []
        var names: [String] = []
        var slots: [String: Int] = [:]

        mutating func add(query: Int, participant: String?, queries: Int) {
            let name = participant ?? ""
            let slot: Int
            // A transcript's lines are mostly one participant's: the last slot first, unhashed.
            if let last = names.indices.last, names[last] == name {
                slot = last
            } else if let known = slots[name] {
                slot = known
            } else {
                slot = names.count
                slots[name] = slot
                names.append(name)
                counts += Array(repeating: 0, count: queries)
            }
            counts[slot * queries + query] += 1
        }
    }

    /// Counts one document's lines (a ``Tally``'s counts and names).
    private mutating func count(_ counts: [Int], names: [String]) {
        guard counts.count == names.count * queries.count else { return }
        let numbers = names.map { counting.number($0) }
        for query in queries.indices {
            var found = false
            for (slot, number) in numbers.enumerated() {
                let count = counts[slot * queries.count + query]
                guard count > 0 else { continue }
                counting.add(count, query: query, speaker: number)
                found = true
            }
            if found { documents[query] += 1 }
        }
    }

    /// Adds one document's lines, in order (`id` and `key` name the document and what made its
    /// lines, for the layout).
    mutating func add(_ lines: [ConcordanceLine], id: String? = nil, key: String? = nil) {
        var tally = Tally()
        defer { count(tally.counts, names: tally.names) }
        if waiting != nil {
            let accepted = lines.compactMap { concordancer.accept($0, byID: byID) }
            for line in accepted {
                if let query = place[line.query] {
                    tally.add(query: query, participant: line.participantID, queries: queries.count)
                }
            }
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
            if let query = place[line.query] {
                tally.add(query: query, participant: line.participantID, queries: queries.count)
            }
        }
        if let start { range = start..<stream.end }
        if let id, let key { layout?.add(id: id, key: key, range: range, tally: tally.counts, names: tally.names) }
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
        let entry = copy.layout.entry(id)
        previous = copy
        count(entry?.tally ?? [], names: entry?.names ?? [])
        layout?.add(
            id: id, key: key, range: start..<start + Int64(range.count), tally: entry?.tally ?? [],
            names: entry?.names ?? [])
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

/// Each KWIC query's hits by speaker, the speakers named once (``RunReport/QueryHits/bySpeaker``
/// counts by their number): what groups the hits, kept for a run that keeps kwic.json.
struct KWICTally: Sendable, Equatable, BinaryCodable {
    /// Participant ids, `""` for speakers of no participant.
    var speakers: [String]
    var queries: [RunReport.QueryHits]

    /// Hits counted by query and speaker as they come, each speaker numbered at first sight.
    struct Counting {
        private(set) var speakers: [String] = []
        private var numbers: [String: Int] = [:]
        /// `hits[query][speaker]`, as long as the highest speaker counted for the query.
        private(set) var hits: [[Int]]

        init(queries: Int) { hits = Array(repeating: [], count: queries) }

        mutating func number(_ speaker: String) -> Int {
            if let known = numbers[speaker] { return known }
            numbers[speaker] = speakers.count
            speakers.append(speaker)
            return speakers.count - 1
        }

        mutating func add(_ count: Int, query: Int, speaker: Int) {
            if hits[query].count <= speaker {
                hits[query] += Array(repeating: 0, count: speaker + 1 - hits[query].count)
            }
            hits[query][speaker] += count
        }
    }

    /// The tally of `counting`, the queries `texts` in order, each in `documents` documents.
    init(_ texts: [String], documents: [Int], counting: Counting) {
        speakers = counting.speakers
        queries = texts.indices.map { index in
            let hits =
                counting.hits[index] + Array(repeating: 0, count: counting.speakers.count - counting.hits[index].count)
            return RunReport.QueryHits(
                query: texts[index], hits: hits.reduce(0, +), documents: documents[index], groups: [], bySpeaker: hits)
        }
    }

    /// The tally of concordance lines joined to their speakers and filtered (`tmine kwic`'s),
    /// in the order of `queries`.
    init(lines: [ConcordanceLine], queries texts: [String]) {
        var counting = Counting(queries: texts.count)
        var documents = Array(repeating: Set<String>(), count: texts.count)
        let place = Dictionary(texts.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        for line in lines {
            guard let query = place[line.query] else { continue }
            counting.add(1, query: query, speaker: counting.number(line.participantID ?? ""))
            documents[query].insert(line.documentID)
        }
        self.init(texts, documents: documents.map(\.count), counting: counting)
    }

    /// The attributes queries are counted by: every one with few enough values to compare, but
    /// the column naming transcripts.
    static func groupAttributes(_ participants: ParticipantTable) -> [String] {
        participants.attributeNames.filter { name in
            name != participants.documentColumn
                && Set(participants.participants.compactMap { $0.attributes[name] }).count
                    <= RunReport.QueryHits.groupLimit
        }
    }

    /// The queries with their groups (by `chosen` attributes, or every one with few enough
    /// values). `words` (every token each participant said in the turns
    /// searched, `""` for speakers of no participant; speakers `filter` leaves out are not
    /// counted) gives each group its words and rate, and brings in the groups that spoke
    /// without a hit.
    ///
    /// Each speaker's group under every attribute is found once and numbered (a slot), and the
    /// hits are kept by speaker number: a lexicon edit groups 20 queries' hits by 200 speakers,
    /// and looking their groups up by name for every query and attribute was a tenth of its time.
    func grouped(
        participants: ParticipantTable, words: [String: Int]?, filter: SegmentFilter, attributes chosen: [String]? = nil
    ) -> [RunReport.QueryHits] {
        let byID = participants.byID
        let attributes = chosen ?? Self.groupAttributes(participants)
        // Chosen names as `tmine freq --by` reads them (`participant`, `role,split`); the run
        // report's are the table's columns, whatever they are called.
        let groupings = attributes.map { chosen == nil ? Grouping.attributes([$0]) : Grouping($0) }
        var values = Array(repeating: [String](), count: attributes.count)
        var slotOfValue = Array(repeating: [String: Int](), count: attributes.count)
        func slots(_ id: String) -> [Int] {
            attributes.indices.map { attribute in
                let value = groupings[attribute].group(participantID: id, participant: byID[id], documentID: "")
                if let slot = slotOfValue[attribute][value] { return slot }
                slotOfValue[attribute][value] = values[attribute].count
                values[attribute].append(value)
                return values[attribute].count - 1
            }
        }
        let speakerSlots = speakers.map(slots)
        let counted = (words ?? [:]).filter {
            $0.value > 0 && filter.accepts(participantID: $0.key.isEmpty ? nil : $0.key, participant: byID[$0.key])
        }
        let spokenSlots = counted.map { (slots($0.key), $0.value) }
        // Every slot is known: each attribute's values in order, and each group's words.
        let order = values.indices.map { attribute in
            let (names, precedes) = (
                values[attribute], participants.groupOrder(of: groupings[attribute].attributeNames)
            )
            return names.indices.sorted { precedes(names[$0], names[$1]) }
        }
        var spoken = values.map { Array(repeating: 0, count: $0.count) }
        for (slots, count) in spokenSlots {
            for (attribute, slot) in slots.enumerated() { spoken[attribute][slot] += count }
        }
        return queries.map { query in
            var query = query
            var found = values.map { Array(repeating: (hits: 0, participants: 0), count: $0.count) }
            for (speaker, count) in query.bySpeaker.enumerated() where count > 0 {
                for (attribute, slot) in speakerSlots[speaker].enumerated() {
                    found[attribute][slot].hits += count
                    if !speakers[speaker].isEmpty { found[attribute][slot].participants += 1 }
                }
            }
            query.groups = []
            for attribute in attributes.indices {
                for slot in order[attribute] where found[attribute][slot].hits > 0 || spoken[attribute][slot] > 0 {
                    // Words are known only with `words`; a group of hits without them (speakers
                    // the frequencies did not count) has no rate.
                    let group = found[attribute][slot]
                    let words = words == nil || spoken[attribute][slot] == 0 ? nil : spoken[attribute][slot]
                    query.groups.append(
                        .init(
                            attribute: attributes[attribute], value: values[attribute][slot], hits: group.hits,
                            participants: group.participants, words: words,
                            rate: words.map { FrequencyTable.rate(group.hits, of: $0) }))
                }
            }
            return query
        }
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(speakers)
        writer.write(queries)
    }

    init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        speakers = try reader.read()
        queries = try reader.read()
        guard queries.allSatisfy({ $0.bySpeaker.count == speakers.count }) else { throw BinaryReader.Error() }
    }
}

extension RunReport.QueryHits {
    /// Each query's hits in `lines` (joined to their speakers and filtered, as `tmine kwic` has
    /// them) by the groups of `attribute`, each with its words (`words`: every token each
    /// speaker said in the turns searched) and hits per 1,000 of them: a pipeline's rated
    /// groups, for one attribute of any number of values, `participant`, or a combination of
    /// attributes (`role,split`, groups named `GP | tech`) as ``Grouping`` reads it.
    public static func byGroup(
        _ lines: [ConcordanceLine], queries: [String], attribute: String, participants: ParticipantTable,
        words: [String: Int], filter: SegmentFilter
    ) -> [Self] {
        KWICTally(lines: lines, queries: queries).grouped(
            participants: participants, words: words, filter: filter, attributes: [attribute])
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

    static func save(_ tally: KWICTally, in out: String) {
        let (output, cache) = paths(in: out)
        CacheFile.write(
            describing: output, at: cache, tag: tag,
            capacity: 16 + tally.speakers.count * 16 + tally.queries.count * (48 + tally.speakers.count * 2)
        ) { $0.write(tally) }
    }

    /// The hits of kwic.json as it is, when they were saved for that very file and its queries
    /// are `queries`.
    static func load(in out: String, queries: [String]) -> KWICTally? {
        let (output, cache) = paths(in: out)
        guard var reader = CacheFile.reader(describing: output, at: cache, tag: tag)?.reader,
            let tally = try? reader.read(KWICTally.self), reader.isAtEnd, tally.queries.map(\.query) == queries
        else { return nil }
        return tally
    }
}

extension RunReport.QueryHits: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(query)
        writer.write(hits)
        writer.write(documents)
        writer.write(bySpeaker)
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(
            query: try reader.read(String.self), hits: try reader.read(Int.self), documents: try reader.read(Int.self),
            groups: [], bySpeaker: try reader.read([Int].self))
    }
}
