import Corpus
import Foundation

/// Term counts by group: the numbers behind "seven of eleven participants mentioned …".
public struct FrequencyTable: Sendable {
    /// A group's size: words (every token of its turns, stopwords included) is the base of rates.
    public struct Group: Sendable, Hashable, Codable {
        public var name: String
        public var words: Int
        public var participants: Int
        public var documents: Int
    }

    /// One term in one group, in the long format R and spreadsheets want.
    public struct Row: Sendable, Hashable, Codable {
        public var term: String
        public var group: String
        public var count: Int
        /// Occurrences per 1,000 words of the group.
        public var rate: Double
        public var participants: Int
        public var documents: Int
    }

    public let options: FrequencyCounter.Options
    /// Groups by name, numbers by value, a banded attribute's in its bands' order
    /// (``ParticipantTable/groupOrder(of:)``).
    public let groups: [Group]
    /// `counts[g]`: every term of group `g` with its counts (no minimum or top-N applied); nil
    /// once the group's rows are taken.
    private var counts: [GroupCounts?]

    /// One group's terms and their counts as the builder counted them: the group's forms in id
    /// order and a tally per id. Kept as they are, not copied into a dictionary by term, which
    /// held 60 more bytes a term (a third of a gigabyte grouped by participant at 100 MB).
    struct GroupCounts: Sendable {
        var terms: TermList
        var tallies: [Builder.Accumulator.Tally]
        /// How many of the group's participants said each term; empty when that is `uniform` for
        /// every term (a group of one participant and nobody else, or of no participant).
        var participants: [Int32]
        var uniform: Int32
        /// Where the terms and tallies are while on disk (both then empty): see ``loaded()``.
        var spilled: (file: ScratchFile, range: Range<Int64>)?

        /// The counts with their terms and tallies in memory, read back if they were on disk.
        func loaded() -> GroupCounts {
            guard let (file, range) = spilled else { return self }
            let (terms, tallies) = Self.read(range, of: file)
            return GroupCounts(terms: terms, tallies: tallies, participants: participants, uniform: uniform)
        }

        /// Terms and tallies written to `file` by ``encode(_:_:)``.
        static func read(_ range: Range<Int64>, of file: ScratchFile) -> (TermList, [Builder.Accumulator.Tally]) {
            // Read back from a file this process wrote in this run: failing here is the disk's
            // fault, and counting on without these terms would publish wrong frequencies.
            guard let bytes = file.read(range) else {
                preconditionFailure("the frequency table's scratch file could not be read back")
            }
            return decode(bytes)
        }

        /// Each term as its length, its bytes, its count and its documents, in varints (most
        /// counts of a group by participant are 1 or 2: a byte each).
        static func encode(_ terms: TermList, _ tallies: [Builder.Accumulator.Tally]) -> [UInt8] {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(tallies.count * 12)
            for (id, tally) in tallies.enumerated() {
                terms.withBytes(at: id) { form in
                    LEB128.append(UInt64(form.count), to: &bytes)
                    bytes.append(contentsOf: form)
                }
                LEB128.append(UInt64(tally.count), to: &bytes)
                LEB128.append(UInt64(tally.documents), to: &bytes)
            }
            return bytes
        }

        static func decode(_ bytes: [UInt8]) -> (TermList, [Builder.Accumulator.Tally]) {
            var terms = TermList()
            var tallies: [Builder.Accumulator.Tally] = []
            bytes.withUnsafeBufferPointer { bytes in
                var at = 0
                while at < bytes.count {
                    let length = Int(LEB128.read(bytes, at: &at))
                    terms.append(UnsafeBufferPointer(rebasing: bytes[at..<at + length]))
                    at += length
                    let count = Int(LEB128.read(bytes, at: &at))
                    tallies.append(.init(count: count, documents: Int32(LEB128.read(bytes, at: &at))))
                }
            }
            return (terms, tallies)
        }

        func termCount(at id: Int) -> TermCount {
            TermCount(
                count: tallies[id].count, participants: Int(participants.isEmpty ? uniform : participants[id]),
                documents: Int(tallies[id].documents))
        }
    }

    /// Groups per-document counts by the options' grouping, joining participants' attributes.
    ///
    /// Speakers whose participant fails the filter's participant or attribute conditions are left out.
    public init(merging documents: [DocumentCounts], participants: ParticipantTable, options: FrequencyCounter.Options)
    {
        var builder = Builder(participants: participants, options: options)
        for document in documents { builder.add(document) }
        self = builder.takeTable()
    }

    /// Whether every group's terms are one list (``SharedTerms``): a term's id is then the same
    /// in each group.
    private let sharesTerms: Bool

    /// Whether terms said once in the whole table are missing from it (a table of a minimum
    /// count of 2 or more, whose shared terms left them out: ``SharedTerms``): its rows and its
    /// keyness of a minimum count of 2 or more are what they would be, ``count(of:in:)`` of such
    /// a term is nil.
    public let omitsTermsHeardOnce: Bool

    init(
        options: FrequencyCounter.Options, groups: [Group], counts: [GroupCounts], sharesTerms: Bool = false,
        omitsTermsHeardOnce: Bool = false
    ) {
        precondition(
            !omitsTermsHeardOnce || options.minimumCount >= 2, "terms heard once are left out of tables that show none")
        self.options = options
        self.groups = groups
        self.counts = counts
        self.sharesTerms = sharesTerms
        self.omitsTermsHeardOnce = omitsTermsHeardOnce
    }

    /// A table built document by document, in document order: a pipeline folds each document's
    /// counts in as soon as it is counted and lets them go, so memory holds the table, not every
    /// document's counts.
    public struct Builder: Sendable {
        /// Terms are counted by id (one byte hash per term and speaker, no `String` hashing), in
        /// arrays per group; each group numbers its own terms, so a grouping by participant holds
        /// what each participant said, not the whole vocabulary per group.
        struct Accumulator: Sendable {
            var words = 0
            var participants: Set<String> = []
            var documents: Set<String> = []
            /// Whether speakers of no participant added terms (then each term's participants are
            /// counted, even in a group of one participant).
            var anonymous = false
            var vocabulary = Vocabulary(capacity: 0)
            /// Where a group without an index keeps its forms, its vocabulary then empty: a new
            /// group's first speaker's terms as they came (`adopted`, until the group is added to
            /// again or set aside), or a group set aside (``freeze(to:)``) in memory or on disk
            /// with its tallies (`count` of them; the array then empty).
            enum Aside: Sendable {
                case adopted(TermList)
                case kept(TermList)
                case spilled(ScratchFile, Range<Int64>, count: Int)
            }
            var aside: Aside?
            /// The last document that added to the group.
            var lastTouched: Int32 = -1
            /// A term's count and documents side by side (in separate arrays, counting a term of
            /// a large group's table missed the cache once for each), in 32 bits each: eight bytes
            /// a term, where a few groups' bigrams at 100 MB are 12 million terms. A term said
            /// more than 2³¹ times in one group (tens of gigabytes of text) stops the run rather
            /// than wrap.
            struct Tally: Sendable {
                private var occurrences: Int32 = 0
                var documents: Int32 = 0

                init(count: Int = 0, documents: Int32 = 0) {
                    occurrences = Int32(count)
                    self.documents = documents
                }

                var count: Int { Int(occurrences) }

                mutating func add(_ count: Int) { occurrences += Int32(count) }
            }
            var tallies: [Tally] = []

            mutating func grow(to size: Int) { tallies.pad(to: size, with: Tally()) }

            /// How many terms the group has.
            var size: Int {
                if case .spilled(_, _, let count) = aside { return count }
                return tallies.count
            }

            /// Sets a group no document has added to lately aside: its forms and tallies written
            /// to `scratch`, or without one (or when it cannot be written) copied to arrays of
            /// their size; its vocabulary's index (or the speaker's list it adopted) let go. In a
            /// grouping by participant or document most groups are done with once their transcript
            /// is: the index and the arrays' room to grow were a third of the table, the rest
            /// nearly all of it.
            mutating func freeze(to scratch: ScratchFile?) {
                let forms: TermList
                switch aside {
                case nil:
                    forms = vocabulary.termList
                    vocabulary = Vocabulary(capacity: 0)
                case .adopted(let adopted): forms = adopted
                case .kept, .spilled: return
                }
                if let scratch, let range = scratch.append(GroupCounts.encode(forms, tallies)) {
                    aside = .spilled(scratch, range, count: tallies.count)
                    tallies = []
                } else {
                    aside = .kept(forms.compacted())
                    tallies = tallies.compacted()
                }
            }

            /// The vocabulary of a group set aside, made again: the forms keep their ids, so the
            /// tallies stand.
            mutating func thaw() {
                let forms: TermList
                switch aside {
                case nil: return
                case .adopted(let kept), .kept(let kept): forms = kept
                case .spilled(let file, let range, _): (forms, tallies) = GroupCounts.read(range, of: file)
                }
                var vocabulary = Vocabulary(capacity: forms.count)
                for index in forms.indices {
                    let id = forms.withBytes(at: index) { vocabulary.intern($0) }
                    // A form twice would shift every later id off its tally: wrong counts, silently.
                    precondition(id == index, "a group's forms are distinct")
                }
                self.vocabulary = vocabulary
                aside = nil
            }

            /// The group's forms in id order (none while they are on disk).
            var forms: TermList {
                switch aside {
                case .adopted(let forms), .kept(let forms): forms
                case nil, .spilled: vocabulary.termList
                }
            }

            /// Where the group's forms and tallies are on disk, if they are.
            var spilled: (file: ScratchFile, range: Range<Int64>)? {
                if case .spilled(let file, let range, _) = aside { return (file, range) }
                return nil
            }

            /// Counts one speaker's terms (in place: one access to the accumulator for all of
            /// them, not one per field and term); their ids are appended to `ids` if kept.
            ///
            /// A speaker's terms are distinct, so each counts a document once, unless other
            /// speakers of this document add to the group too: then `seen` (a bit per id, set by
            /// the speakers before; cleared by the caller through `touched`, which lists them) says
            /// which the document has counted already. A tally kept the last document of each
            /// term instead: four more bytes a term.
            mutating func add(
                _ terms: TermList, counts: [Int], document: Int32, ids: inout [Int32], keepingIDs: Bool,
                hashes: inout [UInt32], shared: Bool, seen: inout [UInt64], touched: inout [Int32]
            ) {
                if aside != nil { thaw() }
                lastTouched = document
                if !keepingIDs && !counts.isEmpty { anonymous = true }
                if vocabulary.count == 0 && tallies.isEmpty && !shared {
                    // A new group (most of a grouping by participant or document) whose only
                    // speaker in this document is this one takes the speaker's terms as they are:
                    // a speaker's terms are distinct, so their positions are their ids, and no
                    // term is hashed unless the group is added to again (``thaw()``). Interning
                    // them was most of the merge of a grouping by participant.
                    aside = .adopted(terms)
                    tallies = counts.map { Tally(count: $0, documents: 1) }
                    if keepingIDs { ids += 0..<Int32(counts.count) }
                    return
                }
                if shared { seen.pad(to: (vocabulary.count + counts.count) / 64 + 1, with: 0) }
                // A new group several speakers of this document share: room for the first one's terms at once.
                if vocabulary.count == 0 { vocabulary.reserve(counts.count) }
                // Counted into a local array: the vocabulary is busy interning meanwhile. It and
                // `ids` have room for every term to be new first (trimmed after), so that the loop
                // writes into buffers: grown a term at a time, each array's every write checked
                // that it was not shared, about a tenth of the merge.
                var counted: [Tally] = []
                swap(&counted, &tallies)
                counted.pad(to: vocabulary.count + counts.count, with: Tally())
                let firstID = ids.count
                if keepingIDs { ids.pad(to: firstID + counts.count, with: 0) }
                counted.withUnsafeMutableBufferPointer { counted in
                    ids.withUnsafeMutableBufferPointer { ids in
                        vocabulary.internEach(
                            terms, hashes: &hashes,
                            ahead: { id in
                                // The term's tally with its form's start: counting a term of a table larger
                                // than the cache waited on its tally most of all (46 % of this loop's samples).
                                Vocabulary.prefetch(UnsafeBufferPointer(counted), at: id)
                            }
                        ) { index, id in
                            if keepingIDs { ids[firstID + index] = id }
                            Self.count(
                                counts[index], of: id, in: counted, shared: shared, seen: &seen, touched: &touched)
                        }
                    }
                }
                counted.removeLast(counted.count - vocabulary.count)
                swap(&counted, &tallies)
            }

            /// Counts one speaker's terms by their ids among the terms several tables share
            /// (``SharedTerms``), `size` of them so far; the ids are appended to `ids` if
            /// kept. The group's vocabulary stays empty: its tallies are indexed by the shared ids.
            mutating func add(
                shared terms: [Int32], counts: [Int], size: Int, ids: inout [Int32], keepingIDs: Bool,
                shared: Bool, seen: inout [UInt64], touched: inout [Int32]
            ) {
                if !keepingIDs && !counts.isEmpty { anonymous = true }
                grow(to: size)
                if shared { seen.pad(to: size / 64 + 1, with: 0) }
                tallies.withUnsafeMutableBufferPointer { tallies in
                    for (index, id) in terms.enumerated() {
                        // A few terms ahead: the tallies of a large study's bigrams outgrow the cache.
                        if index + 8 < terms.count, terms[index + 8] >= 0 {
                            Vocabulary.prefetch(UnsafeBufferPointer(tallies), at: Int(terms[index + 8]))
                        }
                        // Not numbered yet: heard once so far (``SharedTerms``), counted when it is.
                        guard id >= 0 else { continue }
                        if keepingIDs { ids.append(id) }
                        Self.count(counts[index], of: id, in: tallies, shared: shared, seen: &seen, touched: &touched)
                    }
                }
            }

            /// Adds a speaker's count of the term `id` to its tally, and the document once: when
            /// other speakers of the document add to the group too (`shared`), only if `seen`
            /// has no bit for the id yet (then set, and the id listed in `touched`).
            @inline(__always)
            static func count(
                _ termCount: Int, of id: Int32, in tallies: UnsafeMutableBufferPointer<Tally>, shared: Bool,
                seen: inout [UInt64],
                touched: inout [Int32]
            ) {
                let at = Int(id)
                tallies[at].add(termCount)
                if shared {
                    let (word, bit) = (at >> 6, UInt64(1) << UInt64(at & 63))
                    guard seen[word] & bit == 0 else { return }
                    seen[word] |= bit
                    touched.append(id)
                }
                tallies[at].documents += 1
            }
        }
        /// Each participant speaker's term ids, one run per speaker in `spokenIDs`: a participant
        /// may speak in several documents, and counts once per term however often. A run is its
        /// ids sorted, as varint gaps: about a byte an id instead of four (they were a fifth of a
        /// large run's peak).
        struct Spoken: Sendable {
            var participant: Int32
            var slot: Int32
            var end: Int
        }

        let options: FrequencyCounter.Options
        let byID: [String: Participant]
        /// How the groups are listed (``ParticipantTable/groupOrder(of:)``).
        let precedes: @Sendable (String, String) -> Bool
        var index: [String: Int] = [:]
        var accumulators: [Accumulator] = []
        var spoken: [Spoken] = []
        var spokenIDs: [UInt8] = []
        private var scratch: [Int32] = []
        private var hashes: [UInt32] = []
        /// The ids a group's speakers of this document have added to (one bit each, all clear
        /// between documents), listed in `touched`: see ``Accumulator/add``.
        private var seen: [UInt64] = []
        private var touched: [Int32] = []
        /// One bit per term id of a group, all clear between speakers; and one bit per word of
        /// them that has a bit set (see ``appendRun(of:vocabularySize:)``).
        private var marks: [UInt64] = []
        private var markedWords: [UInt64] = []
        var participantIndex: [String: Int32] = [:]
        var documentCount: Int32 = 0
        /// Where groups set aside go (``Accumulator/freeze(to:)``); none, they stay in memory.
        let scratchFolder: String?
        private var scratchFile: ScratchFile?
        private var scratchRefused = false

        /// Whether the groups count by the ids of ``SharedTerms`` (``add(_:shared:termCount:)``),
        /// each an array indexed by them, rather than each numbering its own terms.
        public let sharesTerms: Bool

        /// A builder whose groups set aside go to a scratch file in `scratchFolder`, if given;
        /// `sharingTerms`: one fed ids by ``SharedTerms`` (for a grouping of few groups).
        public init(
            participants: ParticipantTable, options: FrequencyCounter.Options, scratchFolder: String? = nil,
            sharingTerms: Bool = false
        ) {
            self.options = options
            self.scratchFolder = scratchFolder
            sharesTerms = sharingTerms
            byID = participants.byID
            precedes = participants.groupOrder(of: options.grouping.attributeNames)
        }

        /// Adds the next document's counts.
        public mutating func add(_ document: DocumentCounts) {
            add(document, numbered: nil)
        }

        /// Adds the next document's counts to a builder that shares terms: `shared` are its
        /// speakers' term ids (``SharedTerms/ids(of:)`` of this document), `termCount` how many
        /// terms the shared terms have now.
        public mutating func add(_ document: DocumentCounts, shared: SharedTerms.Numbered, termCount: Int) {
            precondition(sightings.count == Int(shared.firstSighting), "every document is given to the builder")
            add(document, numbered: (shared.ids, termCount))
            addHeardOnce(shared.earlier, termCount: termCount)
        }

        private mutating func add(_ document: DocumentCounts, numbered: (ids: [[Int32]], count: Int)?) {
            precondition(sharesTerms == (numbered != nil), "a builder sharing terms is given every document's ids")
            let documentIndex = documentCount
            documentCount += 1
            // Each speaker's group and participant, for terms it said once that a later document
            // numbers (``SharedTerms/Numbered/earlier``).
            let firstSighting = sightings.count
            if numbered != nil {
                sightings += repeatElement(Sighting(slot: -1, participant: -1), count: document.speakers.count)
            }
            // Each speaker's group; the speakers of a group taken one after the other, so that
            // those of a group several share in this document count its documents once.
            var speakers: [(slot: Int, speaker: Int)] = []
            for (position, speaker) in document.speakers.enumerated() {
                let participant = speaker.participantID.flatMap { byID[$0] }
                guard options.filter.accepts(participantID: speaker.participantID, participant: participant) else {
                    continue
                }
                let name = options.grouping.group(
                    participantID: speaker.participantID, participant: participant, documentID: document.documentID)
                if let known = index[name] {
                    speakers.append((known, position))
                } else {
                    speakers.append((accumulators.count, position))
                    index[name] = accumulators.count
                    accumulators.append(Accumulator())
                }
            }
            speakers.sort { ($0.slot, $0.speaker) < ($1.slot, $1.speaker) }
            for (order, (slot, position)) in speakers.enumerated() {
                let speaker = document.speakers[position]
                let shared =
                    (order > 0 && speakers[order - 1].slot == slot)
                    || (order + 1 < speakers.count && speakers[order + 1].slot == slot)
                accumulators[slot].words += speaker.words
                if let id = speaker.participantID { accumulators[slot].participants.insert(id) }
                if speaker.words > 0 { accumulators[slot].documents.insert(document.documentID) }
                if let numbered {
                    accumulators[slot].add(
                        shared: numbered.ids[position], counts: speaker.counts, size: numbered.count, ids: &scratch,
                        keepingIDs: speaker.participantID != nil, shared: shared, seen: &seen, touched: &touched)
                } else {
                    accumulators[slot].add(
                        speaker.terms, counts: speaker.counts, document: documentIndex, ids: &scratch,
                        keepingIDs: speaker.participantID != nil, hashes: &hashes, shared: shared, seen: &seen,
                        touched: &touched)
                }
                if shared && (order + 1 == speakers.count || speakers[order + 1].slot != slot) {
                    // The group's last speaker of this document: its marks cleared for the next.
                    for id in touched { seen[Int(id) >> 6] = 0 }
                    touched.removeAll(keepingCapacity: true)
                }
                var number: Int32 = -1
                if let id = speaker.participantID {
                    number = participantIndex[id] ?? Int32(participantIndex.count)
                    participantIndex[id] = number
                    keepRun(of: number, slot: slot)
                }
                if numbered != nil {
                    sightings[firstSighting + position] = Sighting(slot: Int32(slot), participant: number)
                }
            }
            // Among many groups (by participant, by document), those no document has added to
            // lately are set aside; a group of a few is left as it is.
            if !sharesTerms, accumulators.count > Self.freezingAbove, documentIndex % 32 == 31 {
                if scratchFile == nil, !scratchRefused, let scratchFolder {
                    scratchFile = ScratchFile(in: scratchFolder)
                    scratchRefused = scratchFile == nil
                }
                for slot in accumulators.indices where accumulators[slot].lastTouched < documentIndex - 16 {
                    accumulators[slot].freeze(to: scratchFile)
                }
            }
        }

        /// Groups a builder holds before it sets quiet ones aside.
        static let freezingAbove = 64

        /// Whether each term's participants are counted from the speakers' runs of ids: not by
        /// participant, where a group is one participant (its speakers of no participant are a
        /// group without any), so every term's count of them is known without them. The runs of
        /// a grouping by participant were every participant's every term, never read (bigrams at
        /// 100 MB: about 16 MB).
        private var countsParticipants: Bool {
            if case .participant = options.grouping { return false }
            return true
        }

        /// A speaker of a document (numbered as ``SharedTerms`` numbers them): its group's slot
        /// and its participant's number (-1: none; a slot of -1, a speaker the filter left out).
        struct Sighting: Sendable {
            var slot: Int32
            var participant: Int32
        }
        private var sightings: [Sighting] = []

        /// Counts terms speakers of earlier documents said once, numbered now that a later
        /// document said them again (or, from ``SharedTerms/finishHeardOnce()``, at the end):
        /// once each, in the group of the speaker who said it, one document more (an earlier
        /// one), and its participant among the term's.
        public mutating func addHeardOnce(_ earlier: [SharedTerms.Numbered.Earlier], termCount: Int) {
            guard !earlier.isEmpty else { return }
            // The ids by sighting: counted into place when they are many (at the end, from disk:
            // sorting a million pairs was most of this), sorted when they are a document's few.
            var ids: [Int32] = []
            var ranges: [(sighting: Int, range: Range<Int>)] = []
            if earlier.count * 8 >= sightings.count {
                var starts = [Int](repeating: 0, count: sightings.count + 1)
                for item in earlier { starts[Int(item.sighting) + 1] += 1 }
                for sighting in sightings.indices { starts[sighting + 1] += starts[sighting] }
                var places = starts
                ids = [Int32](repeating: 0, count: earlier.count)
                for item in earlier {
                    ids[places[Int(item.sighting)]] = item.id
                    places[Int(item.sighting)] += 1
                }
                for sighting in sightings.indices where starts[sighting + 1] > starts[sighting] {
                    ranges.append((sighting, starts[sighting]..<starts[sighting + 1]))
                }
            } else {
                let sorted = earlier.sorted { $0.sighting < $1.sighting }
                ids = sorted.map(\.id)
                var next = 0
                while next < sorted.count {
                    var end = next
                    while end < sorted.count && sorted[end].sighting == sorted[next].sighting { end += 1 }
                    ranges.append((Int(sorted[next].sighting), next..<end))
                    next = end
                }
            }
            for (number, range) in ranges {
                let sighting = sightings[number]
                guard sighting.slot >= 0 else { continue }
                let slot = Int(sighting.slot)
                accumulators[slot].grow(to: termCount)
                for id in ids[range] {
                    accumulators[slot].tallies[Int(id)].add(1)
                    accumulators[slot].tallies[Int(id)].documents += 1
                }
                guard sighting.participant >= 0 else { continue }
                scratch.removeAll(keepingCapacity: true)
                scratch += ids[range]
                keepRun(of: sighting.participant, slot: slot)
            }
        }

        /// Keeps the term ids in `scratch` as a run of `participant`'s in the group at `slot`
        /// (where it ``countsParticipants`` from runs), then empties `scratch`.
        private mutating func keepRun(of participant: Int32, slot: Int) {
            if countsParticipants {
                appendRun(of: scratch, vocabularySize: accumulators[slot].size)
                spoken.append(Spoken(participant: participant, slot: Int32(slot), end: spokenIDs.count))
            }
            scratch.removeAll(keepingCapacity: true)
        }

        /// Appends a speaker's term ids to `spokenIDs`, in order, as varint gaps. The ids are
        /// distinct: a bit each, read back in order, sorts them (a comparison sort of them was a
        /// fifth of ``add(_:)``). The words of bits holding any are marked too, and only those
        /// read: a speaker's few thousand ids among the millions of terms a table shares
        /// (``SharedTerms``) made reading every word between them most of this.
        private mutating func appendRun(of ids: [Int32], vocabularySize: Int) {
            let words = vocabularySize / 64 + 1
            marks.pad(to: words, with: 0)
            markedWords.pad(to: words / 64 + 1, with: 0)
            var lowest = Int.max
            var highest = -1
            for id in ids {
                let word = Int(id) >> 6
                marks[word] |= 1 << UInt64(id & 63)
                markedWords[word >> 6] |= 1 << UInt64(word & 63)
                lowest = min(lowest, word >> 6)
                highest = max(highest, word >> 6)
            }
            guard highest >= 0 else { return }
            var previous = 0
            for summary in lowest...highest where markedWords[summary] != 0 {
                var words = markedWords[summary]
                markedWords[summary] = 0
                while words != 0 {
                    let word = summary << 6 | words.trailingZeroBitCount
                    words &= words &- 1
                    var bits = marks[word]
                    marks[word] = 0
                    while bits != 0 {
                        let id = word << 6 | bits.trailingZeroBitCount
                        bits &= bits &- 1
                        LEB128.append(UInt64(id - previous), to: &spokenIDs)
                        previous = id
                    }
                }
            }
        }

        /// The table of every document added so far (`terms`: the shared terms' list, of a
        /// builder that shares terms).
        public func table(terms: TermList? = nil, omittingTermsHeardOnce: Bool = false) -> FrequencyTable {
            var copy = self
            return copy.takeTable(terms: terms, omittingTermsHeardOnce: omittingTermsHeardOnce)
        }

        /// The table of every document added so far, leaving the builder empty: each group's
        /// counts are let go as soon as its terms are made, so memory holds the counts or the
        /// terms of a group, not both (grouped by participant at 2,000 interviews, both were a
        /// third of a gigabyte).
        ///
        /// A builder that shares terms is given them (``SharedTerms/terms()``): every group's
        /// terms are that list, each group's tallies one per term (0 for a term it lacks);
        /// `omittingTermsHeardOnce` when they left out terms heard once
        /// (``SharedTerms/omitsTermsHeardOnce``).
        public mutating func takeTable(terms shared: TermList? = nil, omittingTermsHeardOnce: Bool = false)
            -> FrequencyTable
        {
            precondition(sharesTerms == (shared != nil), "a builder sharing terms is given them")
            var accumulators: [Accumulator] = []
            swap(&accumulators, &self.accumulators)
            if let shared { for slot in accumulators.indices { accumulators[slot].grow(to: shared.count) } }
            let (spoken, spokenIDs, index) = (self.spoken, self.spokenIDs, self.index)
            (self.spoken, self.spokenIDs, self.index, participantIndex, documentCount) = ([], [], [:], [:], 0)
            // A participant's speakers taken together count once per term: the runs by group, then
            // participant. A group of one participant and nobody else needs no count: it is 1.
            var runs = spoken.indices.map { ($0, spoken[$0]) }
            runs.sort { ($0.1.slot, $0.1.participant, $0.0) < ($1.1.slot, $1.1.participant, $1.0) }
            var participantCounts = [[Int32]](repeating: [], count: accumulators.count)
            var last: [Int32] = []
            var next = 0
            while next < runs.count {
                let slot = Int(runs[next].1.slot)
                let accumulator = accumulators[slot]
                let counted = accumulator.anonymous || accumulator.participants.count > 1
                var counts: [Int32] = counted ? Array(repeating: 0, count: accumulator.size) : []
                if counted {
                    last.removeAll(keepingCapacity: true)
                    last += repeatElement(-1, count: accumulator.size)
                }
                while next < runs.count && Int(runs[next].1.slot) == slot {
                    defer { next += 1 }
                    guard counted else { continue }
                    let (position, run) = runs[next]
                    var at = position == 0 ? 0 : spoken[position - 1].end
                    var id = 0
                    spokenIDs.withUnsafeBufferPointer { bytes in
                        while at < run.end {
                            id += Int(LEB128.read(bytes, at: &at))
                            if last[id] != run.participant {
                                last[id] = run.participant
                                counts[id] += 1
                            }
                        }
                    }
                }
                participantCounts[slot] = counts
            }
            let names = index.keys.sorted(by: precedes)
            var groups: [Group] = []
            var counts: [GroupCounts] = []
            for name in names {
                guard let slot = index[name] else { continue }
                let accumulator = accumulators[slot]
                groups.append(
                    Group(
                        name: name, words: accumulator.words, participants: accumulator.participants.count,
                        documents: accumulator.documents.count))
                counts.append(
                    GroupCounts(
                        terms: shared ?? accumulator.forms, tallies: accumulator.tallies,
                        participants: participantCounts[slot],
                        uniform: Int32(min(1, accumulator.participants.count)), spilled: accumulator.spilled))
            }
            return FrequencyTable(
                options: options, groups: groups, counts: counts, sharesTerms: shared != nil,
                omitsTermsHeardOnce: omittingTermsHeardOnce)
        }
    }

    /// One table fed document by document (`tmine freq`): through shared terms that leave out
    /// terms heard once (``SharedTerms``) when its minimum count is 2 or more and its groups are
    /// few, which holds a tenth of a large study's distinct bigrams; numbering each group's own
    /// terms otherwise.
    public struct OneTableBuilder: Sendable {
        private var builder: Builder
        private var shared: SharedTerms?

        /// A table of `options`; groups set aside, and terms heard once above `heardOnceInMemory`
        /// of them, go to a scratch file in `scratchFolder`, if given.
        public init(
            participants: ParticipantTable, options: FrequencyCounter.Options, scratchFolder: String? = nil,
            heardOnceInMemory: Int = SharedTerms.heardOnceInMemory
        ) {
            let sharing = options.minimumCount >= 2 && SharedTerms.suit(options.grouping, among: participants)
            builder = Builder(
                participants: participants, options: options, scratchFolder: scratchFolder, sharingTerms: sharing)
            if sharing {
                shared = SharedTerms(
                    participants: participants, filter: options.filter, omittingTermsHeardOnce: true,
                    scratchFolder: scratchFolder, spillingAbove: heardOnceInMemory)
            }
        }

        /// Adds the next document's counts.
        public mutating func add(_ document: DocumentCounts) {
            if let ids = shared?.ids(of: document), let count = shared?.count {
                builder.add(document, shared: ids, termCount: count)
            } else {
                builder.add(document)
            }
        }

        /// The table of every document added.
        public consuming func takeTable() -> FrequencyTable {
            guard var shared = shared.take() else { return builder.takeTable() }
            builder.addHeardOnce(shared.finishHeardOnce(), termCount: shared.count)
            return builder.takeTable(terms: shared.terms(), omittingTermsHeardOnce: true)
        }
    }

    /// Rows sorted by group, then count (descending), then term; minimum count and top-N applied.
    public var rows: [Row] {
        var copy = self
        return copy.takeRows()
    }

    /// ``rows``, leaving the table without its terms (its groups stay, its rows are then none):
    /// each group's terms are let go once its rows are made, so memory holds a group's terms or
    /// its rows, not every group's both. Keyness and counts need the terms: take them first.
    public mutating func takeRows() -> [Row] {
        var parts = takeRows(ofGroups: groups.indices)
        // Joined group by group, each group's rows let go once copied: `flatMap` held every row
        // twice (0.35 GB twice for 2,000 participants).
        var rows: [Row] = []
        rows.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for index in parts.indices {
            rows.append(contentsOf: parts[index])
            parts[index] = []
        }
        return rows
    }

    /// The rows of the groups at `indices`, a list per group (none for a group whose rows were
    /// taken), each group's terms let go once its rows are made: a writer that takes a few
    /// groups at a time holds their rows, not the table's (5.5 million for 2,000 participants).
    public mutating func takeRows(ofGroups indices: Range<Int>) -> [[Row]] {
        let make = takeGroups(indices)
        return ConcurrentSlots<[Row]>.map(indices.count) { position in
            let group = make(position)
            return group.rows(0..<group.count)
        }
    }

    /// The groups at `indices` in row order, ready to be made into rows a slice at a time
    /// (``GroupRows``), each group's counts taken from the table (none for a group whose rows
    /// were taken).
    ///
    /// Each group's terms are ordered on a core of its own (the serial end of a run) unless not
    /// `concurrently` (a writer that orders the next groups on one core while the other writes).
    public mutating func takeRowOrders(ofGroups indices: Range<Int>, concurrently: Bool = true) -> [GroupRows] {
        let make = takeGroups(indices)
        return concurrently ? ConcurrentSlots<GroupRows>.map(indices.count, make) : (0..<indices.count).map(make)
    }

    /// The groups at `indices` taken from the table, and what orders the `n`-th of them (read
    /// back from disk if it was there): each is let go by the table once taken, by the caller
    /// once used.
    private mutating func takeGroups(_ indices: Range<Int>) -> @Sendable (Int) -> GroupRows {
        var taken: [TakenOnce<GroupCounts>?] = []
        for index in indices {
            taken.append(counts[index].map(TakenOnce.init))
            counts[index] = nil
        }
        let (groups, options, first, boxes) = (groups, options, indices.lowerBound, taken)
        return { position in
            let group = groups[first + position]
            guard let counts = boxes[position]?.take()?.loaded() else {
                return GroupRows(group: group, counts: nil, order: [])
            }
            return GroupRows(group: group, counts: counts, order: Self.rowOrder(of: counts, options: options))
        }
    }

    /// One group's rows in order, made a slice at a time: a group of millions of terms (a few
    /// groups' bigrams) is written without all its rows in memory at once.
    public struct GroupRows: Sendable {
        public let group: Group
        let counts: GroupCounts?
        /// The group's term ids in row order.
        let order: [Int32]

        public var count: Int { order.count }

        /// The rows at `range` of the group's order.
        public func rows(_ range: Range<Int>) -> [Row] {
            guard let counts else { return [] }
            return order[range].map { id in
                let tally = counts.tallies[Int(id)]
                return Row(
                    term: counts.terms[Int(id)], group: group.name, count: tally.count,
                    rate: FrequencyTable.rate(tally.count, of: group.words),
                    participants: Int(counts.participants.isEmpty ? counts.uniform : counts.participants[Int(id)]),
                    documents: Int(tally.documents))
            }
        }
    }

    /// A group's term ids in row order: by count (descending), then term in UTF-8 byte order
    /// (which is scalar order); minimum count and top-N applied. Sorted as small keys, a term's
    /// first eight bytes compared as one integer (most terms of a table occur once or twice, so
    /// nearly every comparison was of two strings), and rows made only for the ids kept: sorting
    /// the rows themselves held them twice, and made a string of every term when 15 are shown.
    static func rowOrder(of counts: GroupCounts, options: FrequencyCounter.Options) -> [Int32] {
        // Sixteen bytes: a group of millions of terms (bigrams) sorts millions of keys.
        struct Key {
            var prefix: UInt64
            var count: Int32
            var id: Int32
        }
        var keys: [Key] = []
        // Room for every term at once: grown by doubling, a group of millions held two arrays.
        keys.reserveCapacity(counts.tallies.count)
        for (id, tally) in counts.tallies.enumerated() where tally.count > 0 && tally.count >= options.minimumCount {
            let prefix = counts.terms.withBytes(at: id, Self.prefix)
            keys.append(Key(prefix: prefix, count: Int32(tally.count), id: Int32(id)))
        }
        let terms = counts.terms
        func precedes(_ a: Key, _ b: Key) -> Bool {
            if a.count != b.count { return a.count > b.count }
            if a.prefix != b.prefix { return a.prefix < b.prefix }
            return terms.withBytes(at: Int(a.id)) { left in terms.withBytes(at: Int(b.id)) { bytesPrecede(left, $0) } }
        }
        // By count and prefix as twelve digits of a byte (a table of bigrams holds millions of
        // terms, most counted once or twice, so that nearly every comparison went on to the
        // prefix and many to the bytes), then by the terms' bytes.
        sort(
            &keys, digits: 12,
            digit: { key, place in
                place < 8
                    ? UInt8(truncatingIfNeeded: key.prefix >> (8 * place))
                    : UInt8(truncatingIfNeeded: ~UInt32(bitPattern: key.count) >> (8 * (place - 8)))
            },
            by: precedes)
        return keys.prefix(options.top ?? keys.count).map(\.id)
    }

    /// The order of `count` keyness rows: signed G² descending (`signed(i)`, the `i`-th row's),
    /// then term in UTF-8 byte order, which is scalar order (`withTerm(i, body)` hands `body`
    /// the `i`-th row's bytes). Ordered as keys by ``sort(_:digits:digit:by:)`` (G² and the
    /// term's first eight bytes, then the terms' bytes): sorting the rows themselves (a string
    /// and seven numbers each) by comparison was four fifths of keyness for bigrams, most of
    /// whose G² values tie, and comparing their strings by scalars was a tenth of it still.
    static func keynessOrder(
        count: Int, signed: (Int) -> Double, withTerm term: (Int, (UnsafeBufferPointer<UInt8>) -> Void) -> Void
    ) -> [Int32] {
        // Escaping nowhere: called within itself to compare two terms.
        withoutActuallyEscaping(term) { withTerm in
            keynessOrder(count: count, signed: signed, escapingTerm: withTerm)
        }
    }

    private static func keynessOrder(
        count: Int, signed: (Int) -> Double,
        escapingTerm withTerm: @escaping (Int, (UnsafeBufferPointer<UInt8>) -> Void) -> Void
    ) -> [Int32] {
        struct Key {
            var statistic: UInt64
            var prefix: UInt64
            var index: Int32
        }
        func termPrecedes(_ a: Int32, _ b: Int32) -> Bool {
            var result = false
            withTerm(Int(a)) { left in withTerm(Int(b)) { result = bytesPrecede(left, $0) } }
            return result
        }
        var keys: [Key] = []
        keys.reserveCapacity(count)
        var orderable = true
        for index in 0..<count {
            let statistic = signed(index)
            if statistic.isNaN { orderable = false }
            // Descending as unsigned integers order ascending (-0 is 0, as `!=` has it).
            let bits = (statistic + 0).bitPattern
            let ascending = bits >> 63 == 1 ? ~bits : bits | 1 << 63
            var prefix: UInt64 = 0
            withTerm(index) { prefix = Self.prefix($0) }
            keys.append(Key(statistic: ~ascending, prefix: prefix, index: Int32(index)))
        }
        guard orderable else {
            // NaN orders nowhere as bits do: every pair compared as the rows' G² compare.
            keys.sort { a, b in
                let (left, right) = (signed(Int(a.index)), signed(Int(b.index)))
                return left != right ? left > right : termPrecedes(a.index, b.index)
            }
            return keys.map(\.index)
        }
        sort(
            &keys, digits: 16,
            digit: { key, place in
                UInt8(truncatingIfNeeded: place < 8 ? key.prefix >> (8 * place) : key.statistic >> (8 * (place - 8)))
            },
            by: { a, b in
                if a.statistic != b.statistic { return a.statistic < b.statistic }
                if a.prefix != b.prefix { return a.prefix < b.prefix }
                return termPrecedes(a.index, b.index)
            })
        return keys.map(\.index)
    }

    /// A term's first eight bytes as one integer, big-endian and zero-padded: integers order
    /// as the bytes do, up to a tie of the prefix.
    static func prefix(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var prefix: UInt64 = 0
        for offset in 0..<8 { prefix = prefix << 8 | UInt64(offset < bytes.count ? bytes[offset] : 0) }
        return prefix
    }

    /// Sorts `keys` by `precedes`, an order that begins with `digits` byte digits
    /// (`digit(key, 0)` the least significant) and, where those tie, compares further. Many
    /// keys (1,024 or more) by ``radixSort(_:digits:digit:by:)``; fewer by `precedes` alone.
    static func sort<Element>(
        _ keys: inout [Element], digits: Int, digit: (Element, Int) -> UInt8, by precedes: (Element, Element) -> Bool
    ) {
        guard keys.count >= 1024 else {
            keys.sort(by: precedes)
            return
        }
        keys.withUnsafeMutableBufferPointer { radixSort($0, digits: digits, digit: digit, by: precedes) }
    }

    /// Sorts `keys` in place by their digits, the most significant first (an American flag
    /// sort: each range's keys counted by a digit, then moved into their digit's part of the
    /// range by swaps), each part then by the next digit; a part of a few keys, or one whose
    /// every digit ties, by `precedes`. A range whose keys share a digit goes on to the next.
    /// In place: the least significant digit first needed a copy of the keys to move them
    /// into, and two groups of bigrams ordered side by side held four arrays of a group's
    /// terms' keys, a quarter of `tmine freq --by split --ngram 2`'s peak at 100 MB.
    /// Hand-written: neither the standard library nor swift-algorithms has a radix sort.
    private static func radixSort<Element>(
        _ keys: UnsafeMutableBufferPointer<Element>, digits: Int, digit: (Element, Int) -> UInt8,
        by precedes: (Element, Element) -> Bool
    ) {
        var counts = [Int](repeating: 0, count: 256)
        var heads = [Int](repeating: 0, count: 256)
        var ends = [Int](repeating: 0, count: 256)
        var ranges: [(start: Int, end: Int, place: Int)] = [(0, keys.count, digits - 1)]
        while let (start, end, place) = ranges.popLast() {
            guard end - start > 32, place >= 0 else {
                var few = UnsafeMutableBufferPointer(rebasing: keys[start..<end])
                few.sort(by: precedes)
                continue
            }
            for value in 0..<256 { counts[value] = 0 }
            for index in start..<end { counts[Int(digit(keys[index], place))] += 1 }
            guard counts[Int(digit(keys[start], place))] < end - start else {
                ranges.append((start, end, place - 1))
                continue
            }
            var total = start
            for value in 0..<256 {
                heads[value] = total
                total += counts[value]
                ends[value] = total
            }
            for value in 0..<256 {
                while heads[value] < ends[value] {
                    // The key at the head of this digit's part goes to the head of its own
                    // digit's, whose key comes back in its place, until one of this digit does.
                    var key = keys[heads[value]]
                    var home = Int(digit(key, place))
                    while home != value {
                        swap(&key, &keys[heads[home]])
                        heads[home] += 1
                        home = Int(digit(key, place))
                    }
                    keys[heads[value]] = key
                    heads[value] += 1
                }
            }
            var part = start
            for value in 0..<256 where counts[value] > 0 {
                if counts[value] > 1 { ranges.append((part, part + counts[value], place - 1)) }
                part += counts[value]
            }
        }
    }

    /// The counts of one term in one group, if it occurs there (nil once the rows are taken, and
    /// for a term said once in a table that ``omitsTermsHeardOnce``).
    public func count(of term: String, in group: String) -> TermCount? {
        // A search of the group's forms: tables are read by their rows; this is for a question or two.
        guard let index = groups.firstIndex(where: { $0.name == group }), let counts = counts[index]?.loaded(),
            let id = counts.terms.firstIndex(of: term), counts.tallies[id].count > 0
        else { return nil }
        return counts.termCount(at: id)
    }

    /// `count` per 1,000 of `words` (0 of none).
    public static func rate(_ count: Int, of words: Int) -> Double {
        words == 0 ? 0 : Double(count) * 1000 / Double(words)
    }

    /// Keyness of `target` against `reference` (another group) or, when nil, all other groups.
    ///
    /// Throws ``KeynessError`` when a group does not exist, or when either side has no words.
    /// Rows are sorted by signed G²: terms the target over-uses first, most distinctive first.
    public func keyness(of target: String, against reference: String? = nil, minimumCount: Int = 1) throws(KeynessError)
        -> Keyness
    {
        precondition(!counts.contains { $0 == nil }, "keyness of a table whose rows were taken: take them last")
        // Its terms said once are not counted (``omitsTermsHeardOnce``): rows of them would be missing.
        precondition(minimumCount >= 2 || !omitsTermsHeardOnce, "keyness of a table without its terms said once")
        guard let targetIndex = groups.firstIndex(where: { $0.name == target }) else {
            throw KeynessError(group: target, known: groups.map(\.name))
        }
        let referenceIndices: [Int]
        if let reference {
            guard let index = groups.firstIndex(where: { $0.name == reference }) else {
                throw KeynessError(group: reference, known: groups.map(\.name))
            }
            referenceIndices = [index]
        } else {
            referenceIndices = groups.indices.filter { $0 != targetIndex }
        }
        let targetWords = groups[targetIndex].words
        let referenceWords = referenceIndices.reduce(0) { $0 + groups[$1].words }
        guard targetWords > 0 && referenceWords > 0 else {
            let empty = targetWords == 0 ? target : reference
            throw KeynessError(group: target, known: groups.map(\.name), reason: .noWords(empty))
        }
        // The reference's terms looked up among the target's, indexed in place; a term only the
        // reference has is numbered in a vocabulary of its own when several groups may share it.
        // Interning both sides into one fresh vocabulary copied every term: for two groups'
        // bigrams at 100 MB, 0.16 GB at the run's peak.
        let targetCounts = counts[targetIndex]?.loaded()
        let targetTermList = targetCounts?.terms ?? []
        // Groups of one list of terms (``SharedTerms``) are compared id by id, with no index.
        var targetTerms = sharesTerms ? Vocabulary(capacity: 0) : Vocabulary(indexing: targetTermList)
        var referenceCounts = [Int](repeating: 0, count: targetTermList.count)
        var others = Vocabulary(capacity: 0)
        var otherCounts: [Int] = []
        // A single reference's terms the target lacks, by id.
        var referenceOnly: [Int32] = []
        let single = referenceIndices.count == 1 ? counts[referenceIndices[0]]?.loaded() : nil
        for index in referenceIndices {
            guard let group = single ?? counts[index]?.loaded() else { continue }
            for (id, tally) in group.tallies.enumerated() where tally.count > 0 {
                if sharesTerms {
                    referenceCounts[id] += tally.count
                    continue
                }
                group.terms.withBytes(at: id) { bytes in
                    if let known = targetTerms.id(of: bytes) {
                        referenceCounts[Int(known)] += tally.count
                    } else if single != nil {
                        if tally.count >= minimumCount { referenceOnly.append(Int32(id)) }
                    } else {
                        let other = Int(others.intern(bytes))
                        if other == otherCounts.count { otherCounts.append(0) }
                        otherCounts[other] += tally.count
                    }
                }
            }
        }
        // Each row's term (an id among the target's terms, or, complemented, among the other
        // terms) and counts, then the rows' order, then their terms and counts in that order.
        let targetTallies = targetCounts?.tallies ?? []
        var terms: [Int32] = []
        var pairs: [Keyness.Counts] = []
        for id in targetTallies.indices {
            let (a, b) = (targetTallies[id].count, referenceCounts[id])
            guard (a > 0 || b > 0) && a + b >= minimumCount else { continue }
            terms.append(Int32(id))
            pairs.append(Keyness.Counts(target: a, reference: b))
        }
        (referenceCounts, targetTerms) = ([], Vocabulary(capacity: 0))
        // The other terms: a single reference's own (by their ids in it), or the ones numbered.
        let otherTerms: TermList
        if let single {
            otherTerms = single.terms
            for id in referenceOnly {
                terms.append(~id)
                pairs.append(Keyness.Counts(target: 0, reference: single.tallies[Int(id)].count))
            }
            referenceOnly = []
        } else {
            otherTerms = others.termList
            for (other, b) in otherCounts.enumerated() where b >= minimumCount {
                terms.append(~Int32(other))
                pairs.append(Keyness.Counts(target: 0, reference: b))
            }
        }
        func withTerm(_ row: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
            let id = terms[row]
            id >= 0 ? targetTermList.withBytes(at: Int(id), body) : otherTerms.withBytes(at: Int(~id), body)
        }
        let order = Self.keynessOrder(
            count: pairs.count,
            signed: { pairs[$0].statistic(targetWords: targetWords, referenceWords: referenceWords).signed },
            withTerm: withTerm)
        var ordered = TermList()
        ordered.reserve(
            terms: order.count,
            bytes: order.reduce(0) { total, row in
                var length = 0
                withTerm(Int(row)) { length = $0.count }
                return total + length
            })
        for row in order { withTerm(Int(row)) { ordered.append($0) } }
        return Keyness(
            target: target, reference: reference ?? "rest", targetWords: targetWords, referenceWords: referenceWords,
            terms: ordered, counts: order.map { pairs[Int($0)] })
    }
}

/// A comparison keyness cannot make: a group named that the table does not have, or one side
/// with no words (a grouping of one group has no rest to compare it against), where every term's
/// G² would be 0 and the comparison an empty chart.
public struct KeynessError: Error, Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var known: [String]
    public enum Reason: Sendable, Hashable {
        /// `group` is not in the table; `known` are its groups.
        case unknownGroup
        /// The group of this name has no words, or (`nil`) the other groups, `group`'s rest.
        case noWords(String?)
    }
    public var reason: Reason

    public init(group: String, known: [String], reason: Reason = .unknownGroup) {
        (self.group, self.known, self.reason) = (group, known, reason)
    }

    /// The groups named, at most ``namesShown`` of them: grouped by participant, a study of
    /// 2,000 interviews listed every one of them in a screenful of ids.
    public var description: String {
        switch reason {
        case .unknownGroup: break
        case .noWords(let empty?): return "\"\(empty)\" has no words: nothing to compare"
        case .noWords(nil): return "\"\(group)\" is the only group with words: there is no rest to compare it against"
        }
        // No document read, or none with words of the roles counted: "the groups are: " and nothing.
        guard !known.isEmpty else { return "no group \"\(group)\": no words were counted" }
        let named = known.prefix(Self.namesShown).map { "\"\($0)\"" }.joined(separator: ", ")
        let more = known.count > Self.namesShown ? ", and \(known.count - Self.namesShown) more" : ""
        return "no group \"\(group)\"; the groups are: " + named + more
    }

    static let namesShown = 20
}

/// Keyness of one group against a reference.
///
/// Kept as each row's term and two counts, in row order, its rows made when asked for (their
/// rates and statistics follow from the counts and the two sizes): two groups' bigrams at
/// 100 MB are three million rows, 72 bytes and a string each, and were held twice while sorted.
public struct Keyness: Sendable, Hashable {
    public struct Row: Sendable, Hashable, Codable {
        public var term: String
        public var targetCount: Int
        public var referenceCount: Int
        public var targetRate: Double
        public var referenceRate: Double
        /// Dunning's log-likelihood G² (Rayson & Garside 2000), always ≥ 0.
        public var logLikelihood: Double
        /// P-value of G² under χ² with one degree of freedom.
        public var pValue: Double
        /// Hardie's log ratio: log₂ of the ratio of relative frequencies (zero counts as 0.5).
        public var logRatio: Double

        /// G² signed by direction: positive when the target uses the term more.
        public var signedLogLikelihood: Double { logRatio < 0 ? -logLikelihood : logLikelihood }
    }

    /// A row's counts in the target and the reference, in 32 bits each (a term said more than
    /// 2³¹ times stops the run rather than wrap, as a table's tallies do).
    struct Counts: Sendable, Hashable {
        private var targetCount: Int32
        private var referenceCount: Int32

        init(target: Int, reference: Int) {
            (targetCount, referenceCount) = (Int32(target), Int32(reference))
        }

        /// Counts read from a file: nil for any a row cannot have.
        static func read(target: Int, reference: Int) -> Counts? {
            let range = 0...Int(Int32.max)
            return range.contains(target) && range.contains(reference)
                ? Counts(target: target, reference: reference) : nil
        }

        var target: Int { Int(targetCount) }
        var reference: Int { Int(referenceCount) }

        func statistic(targetWords: Int, referenceWords: Int) -> LogLikelihood.Statistic {
            LogLikelihood.statistic(a: target, b: reference, c: targetWords, d: referenceWords)
        }
    }

    public var target: String
    public var reference: String
    public var targetWords: Int
    public var referenceWords: Int
    private var terms: TermList
    private var counts: [Counts]

    init(target: String, reference: String, targetWords: Int, referenceWords: Int, terms: TermList, counts: [Counts]) {
        (self.target, self.reference, self.targetWords, self.referenceWords) =
            (target, reference, targetWords, referenceWords)
        (self.terms, self.counts) = (terms, counts)
    }

    /// Keyness with these rows, in this order; each row's rates and statistics are made again
    /// from its counts and the two sizes.
    public init(target: String, reference: String, targetWords: Int, referenceWords: Int, rows: [Row]) {
        self.init(
            target: target, reference: reference, targetWords: targetWords, referenceWords: referenceWords,
            terms: TermList(rows.map(\.term)),
            counts: rows.map { Counts(target: $0.targetCount, reference: $0.referenceCount) })
    }

    /// How many rows there are.
    public var count: Int { counts.count }

    /// The rows at `range`, made from their counts.
    public func rows(_ range: Range<Int>) -> [Row] { range.map(row(at:)) }

    /// The first `limit` rows that are `included`, made a few at a time until there are as many.
    public func firstRows(_ limit: Int, where included: (Row) -> Bool) -> [Row] {
        rows(0..<length(through: limit, where: included)).filter(included)
    }

    /// How many rows there are up to the `limit`-th that is `included`, that one with them
    /// (all of them when fewer are): the part of the comparison those rows are in.
    public func length(through limit: Int, where included: (Row) -> Bool) -> Int {
        var (found, length) = (0, 0)
        while found < limit, length < count {
            if included(row(at: length)) { found += 1 }
            length += 1
        }
        return length
    }

    /// The comparison with its first `length` rows only.
    public func prefix(_ length: Int) -> Keyness {
        let kept = 0..<min(max(0, length), count)
        return Keyness(
            target: target, reference: reference, targetWords: targetWords, referenceWords: referenceWords,
            terms: TermList(terms, ids: kept.map(Int32.init)), counts: Array(counts[kept]))
    }

    /// Every row (for a few: ``rows(_:)`` makes a slice of them).
    public var rows: [Row] { rows(0..<count) }

    /// The row at `index`, made from its counts.
    public func row(at index: Int) -> Row {
        let pair = counts[index]
        let (a, b) = (pair.target, pair.reference)
        let statistic = LogLikelihood(a: a, b: b, c: targetWords, d: referenceWords)
        return Row(
            term: terms[index], targetCount: a, referenceCount: b,
            targetRate: FrequencyTable.rate(a, of: targetWords),
            referenceRate: FrequencyTable.rate(b, of: referenceWords),
            logLikelihood: statistic.g2, pValue: statistic.pValue, logRatio: statistic.logRatio)
    }
}

extension Keyness: Codable {
    private enum CodingKeys: String, CodingKey { case target, reference, targetWords, referenceWords, rows }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try container.decode([Row].self, forKey: .rows)
        guard rows.allSatisfy({ Counts.read(target: $0.targetCount, reference: $0.referenceCount) != nil }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .rows, in: container, debugDescription: "a count below 0 or above 2³¹ - 1")
        }
        self.init(
            target: try container.decode(String.self, forKey: .target),
            reference: try container.decode(String.self, forKey: .reference),
            targetWords: try container.decode(Int.self, forKey: .targetWords),
            referenceWords: try container.decode(Int.self, forKey: .referenceWords), rows: rows)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(target, forKey: .target)
        try container.encode(reference, forKey: .reference)
        try container.encode(targetWords, forKey: .targetWords)
        try container.encode(referenceWords, forKey: .referenceWords)
        try container.encode(rows, forKey: .rows)
    }
}

/// The log-likelihood statistic of one term in two corpora.
///
/// With a, b the term's counts and c, d the corpus sizes: E₁ = c(a+b)/(c+d), E₂ = d(a+b)/(c+d),
/// G² = 2(a ln(a/E₁) + b ln(b/E₂)), a zero count contributing nothing.
public struct LogLikelihood: Sendable, Hashable {
    public let g2: Double
    public let pValue: Double
    public let logRatio: Double

    public init(a: Int, b: Int, c: Int, d: Int) {
        let statistic = Self.statistic(a: a, b: b, c: c, d: d)
        (g2, logRatio) = (statistic.g2, statistic.logRatio)
        // Survival function of χ² with 1 df: P(X > g2) = erfc(√(g2/2)).
        pValue = erfc((g2 / 2).squareRoot())
    }

    /// G² and the log ratio without the p-value: what orders keyness rows.
    struct Statistic {
        var g2: Double
        var logRatio: Double
        /// G² signed by direction, as ``Keyness/Row/signedLogLikelihood`` has it.
        var signed: Double { logRatio < 0 ? -g2 : g2 }
    }

    static func statistic(a: Int, b: Int, c: Int, d: Int) -> Statistic {
        let (a, b, c, d) = (Double(a), Double(b), Double(c), Double(d))
        var g2 = 0.0
        if c > 0 && d > 0 {
            let expectedA = c * (a + b) / (c + d)
            let expectedB = d * (a + b) / (c + d)
            if a > 0 { g2 += a * Foundation.log(a / expectedA) }
            if b > 0 { g2 += b * Foundation.log(b / expectedB) }
            g2 *= 2
        }
        let relativeA = (a == 0 ? 0.5 : a) / max(c, 1)
        let relativeB = (b == 0 ? 0.5 : b) / max(d, 1)
        return Statistic(g2: max(0, g2), logRatio: Foundation.log2(relativeA / relativeB))
    }
}

/// One table's rows in order, handed out a piece at a time: up to 65,536 rows, from as
/// many groups as fill it or from a slice of one large group (two groups' bigrams are millions
/// of rows each). The groups are put in row order ``groupsAtATime`` at a time,
/// as the pieces reach them, and each is let go once its rows are handed out.
public struct FrequencyRowPieces: Sendable {
    public static let rowsAtATime = 1 << 16
    /// Groups put in row order at a time.
    public static let groupsAtATime = 32
    private let rowsAtATime: Int
    private var table: FrequencyTable?
    private var orders: [FrequencyTable.GroupRows?] = []
    /// The first group not yet ordered, the group being handed out, and its next row.
    private var (nextGroup, position, offset) = (0, 0, 0)

    /// Pieces of `table`'s rows; hand the table over (`consume`), so that each group is let go
    /// once its rows are handed out.
    public init(table: FrequencyTable?, rowsAtATime: Int = Self.rowsAtATime) {
        self.table = table
        self.rowsAtATime = max(1, rowsAtATime)
    }

    /// The next piece, or none when every row has been handed out; groups are ordered on both
    /// cores if `concurrently`.
    public mutating func next(concurrently: Bool = true) -> [FrequencyTable.Row] {
        var piece: [FrequencyTable.Row] = []
        while piece.count < rowsAtATime {
            if position == orders.count {
                let groups = table?.groups.count ?? 0
                guard nextGroup < groups else { break }
                let range = nextGroup..<min(groups, nextGroup + Self.groupsAtATime)
                orders = table?.takeRowOrders(ofGroups: range, concurrently: concurrently) ?? []
                (nextGroup, position, offset) = (range.upperBound, 0, 0)
                continue
            }
            guard let group = orders[position] else { break }
            let end = min(group.count, offset + rowsAtATime - piece.count)
            piece += group.rows(offset..<end)
            offset = end
            if offset == group.count {
                orders[position] = nil
                (position, offset) = (position + 1, 0)
            }
        }
        return piece
    }
}

extension Array {
    /// Lengthens the array to `count` elements with copies of `element`; one as long already
    /// is left as it is.
    mutating func pad(to count: Int, with element: Element) {
        if self.count < count { append(contentsOf: repeatElement(element, count: count - self.count)) }
    }
}
