import Corpus

extension FrequencyTable {
    /// Terms numbered once for the tables of several groupings of one n-gram size whose groups
    /// are few (``Grouping/groupLimit(among:)``): each of those tables then counts a speaker's
    /// terms into arrays by these ids, instead of interning every term into its own groups
    /// again. Two groupings of two groups each (split, years) interned a large study's bigrams
    /// four times over, millions of terms each, waiting on memory for every one.
    ///
    /// Tables that show no term counted fewer than twice (a minimum count of 2 or more) are not
    /// given a term until it is heard a second time (``omitsTermsHeardOnce``): until then it is
    /// kept aside with the speaker who said it, and counted for that speaker when it is numbered
    /// (``Numbered/earlier``). Nine in ten of a large study's distinct bigrams are said once, and
    /// each numbered term costs every sharing group a tally (8 bytes) and every participant who
    /// said it a place in the participants' runs, a third of the sample study's shape at 100 MB.
    public struct SharedTerms: Sendable {
        private var vocabulary = Vocabulary(capacity: 0)
        private var hashes: [UInt32] = []
        private let filter: SegmentFilter
        private let byID: [String: Participant]
        /// Whether terms heard once so far go unnumbered (see the type's notes).
        public let omitsTermsHeardOnce: Bool
        /// The terms heard once so far (and those numbered since, whose ``vocabulary`` id
        /// `heardOnce` then holds as `-1 - id`); each term's speaker, `heardOnce[term]`, is its
        /// sighting: speakers numbered in document order, every speaker of a document one.
        private var once = Vocabulary(capacity: 0)
        private var heardOnce: [Int32] = []
        private var sightings: Int32 = 0
        /// Where the terms heard once go once `once` holds ``spillingAbove`` of them
        /// (``spillHeardOnce()``), each of ``buckets`` of their hashes in its own ranges of the
        /// scratch file; without a folder, or when the file cannot be made or written, they stay
        /// in memory.
        private let scratchFolder: String?
        private var scratch: ScratchFile?
        private var spillRefused = false
        private var spilled: [[Range<Int64>]] = []
        /// How many terms each part holds on disk.
        private var spilledTerms: [Int] = []
        /// Set by ``finishHeardOnce()``: no document may follow.
        private var finished = false
        let spillingAbove: Int

        /// The parts terms heard once are set aside in by their hash's top bits: each part of a
        /// large study's is small enough to be met again in the processor's cache.
        static let buckets = 256

        /// How many terms heard once are kept in memory before they go to a run on disk: about
        /// 15 MB of them (their bytes, start, slot and sighting), where a large study's bigrams
        /// heard once were 100 MB of the sample study's shape at 100 MB.
        public static let heardOnceInMemory = 1 << 19

        /// The most groups a grouping may have to share terms (`(none)` among them): each of its
        /// groups heard keeps a tally for every term of the study (8 bytes), where a group of its
        /// own keeps ~33 bytes for each term it has; with a few groups, each has a good part of them.
        public static let groupLimit = 8

        /// Whether a table of `grouping` may count by shared terms (``groupLimit``).
        public static func suit(_ grouping: Grouping, among participants: ParticipantTable) -> Bool {
            (grouping.groupLimit(among: participants) ?? .max) <= groupLimit
        }

        /// Terms for tables whose options have `filter`: a speaker it leaves out is not numbered.
        /// `omittingTermsHeardOnce` for tables whose minimum count is 2 or more; the terms heard
        /// once go to a scratch file in `scratchFolder`, if given, above `spillingAbove` of them.
        public init(
            participants: ParticipantTable, filter: SegmentFilter, omittingTermsHeardOnce: Bool = false,
            scratchFolder: String? = nil, spillingAbove: Int = Self.heardOnceInMemory
        ) {
            self.filter = filter
            byID = participants.byID
            omitsTermsHeardOnce = omittingTermsHeardOnce
            self.scratchFolder = scratchFolder
            self.spillingAbove = spillingAbove
        }

        /// How many terms are numbered.
        public var count: Int { vocabulary.count }

        /// One document's speakers' term ids, for every sharing builder.
        public struct Numbered: Sendable {
            /// Each speaker's term ids in the order of the speaker's terms (none for a speaker the
            /// filter leaves out); -1 for a term not numbered yet (heard once so far).
            public var ids: [[Int32]]
            /// Terms this document numbered that a speaker of an earlier document said once: each
            /// is counted once more, for that speaker (`sighting`), by every builder.
            public var earlier: [Earlier]
            /// The sighting number of the document's first speaker; the others follow it.
            public var firstSighting: Int32

            public struct Earlier: Sendable, Hashable {
                public var id: Int32
                public var sighting: Int32
            }
        }

        /// Each speaker's term ids in the order of the speaker's terms (none for a speaker the
        /// filter leaves out), new terms numbered: what every sharing builder is given.
        public mutating func ids(of document: DocumentCounts) -> Numbered {
            // Between documents: a term's sightings in one document are all in memory together.
            precondition(!finished, "no document follows the terms heard once being met again")
            if omitsTermsHeardOnce && once.count >= spillingAbove && !spillRefused { spillHeardOnce() }
            let first = sightings
            sightings += Int32(document.speakers.count)
            var earlier: [Numbered.Earlier] = []
            var ids = document.speakers.enumerated().map { position, speaker in
                let participant = speaker.participantID.flatMap { byID[$0] }
                guard filter.accepts(participantID: speaker.participantID, participant: participant) else {
                    return [Int32]()
                }
                var ids: [Int32] = []
                ids.reserveCapacity(speaker.terms.count)
                if omitsTermsHeardOnce {
                    numberHeardTwice(
                        speaker.terms, counts: speaker.counts, sighting: first + Int32(position),
                        firstOfDocument: first,
                        into: &ids, earlier: &earlier)
                } else {
                    vocabulary.internEach(speaker.terms, hashes: &hashes, ahead: { _ in }) { _, id in ids.append(id) }
                }
                return ids
            }
            if omitsTermsHeardOnce {
                // A term one speaker of this document said once and a later one said again was
                // numbered after the first speaker's list was made: that list learns its id here.
                for speaker in ids.indices {
                    for index in ids[speaker].indices where ids[speaker][index] < -1 {
                        let state = heardOnce[Int(-2 - ids[speaker][index])]
                        ids[speaker][index] = state < 0 ? -1 - state : -1
                    }
                }
            }
            return Numbered(ids: ids, earlier: earlier, firstSighting: first)
        }

        /// A speaker's term ids (``ids(of:)``) when terms heard once are left unnumbered: a term
        /// is numbered the second time it is heard (or at once, if its speaker says it twice).
        /// A term first heard here is listed as `-2 - its place in once`, resolved when the
        /// document is done; a term a speaker of an earlier document said once is listed in `earlier`.
        private mutating func numberHeardTwice(
            _ terms: TermList, counts: [Int], sighting: Int32, firstOfDocument: Int32, into ids: inout [Int32],
            earlier: inout [Numbered.Earlier]
        ) {
            hashes.removeAll(keepingCapacity: true)
            for index in terms.indices { hashes.append(terms.withBytes(at: index) { Vocabulary.hash($0) }) }
            // Slots fetched a few terms ahead: a large study's terms outgrow the cache.
            let distance = 8
            for index in hashes.indices.prefix(distance) { vocabulary.prefetch(hash: hashes[index]) }
            for index in hashes.indices {
                if index + distance < hashes.count { vocabulary.prefetch(hash: hashes[index + distance]) }
                let hash = hashes[index]
                let id: Int32 = terms.withBytes(at: index) { bytes in
                    if let known = vocabulary.id(of: bytes, hash: hash) { return known }
                    if counts[index] >= 2 {
                        guard let heard = once.id(of: bytes, hash: hash) else {
                            return vocabulary.intern(bytes, hash: hash)
                        }
                        return number(
                            bytes, hash: hash, heard: heard, firstOfDocument: firstOfDocument, earlier: &earlier)
                    }
                    let before = once.count
                    let heard = once.intern(bytes, hash: hash)
                    guard Int(heard) < before else {
                        heardOnce.append(sighting)
                        return -2 - heard
                    }
                    return number(bytes, hash: hash, heard: heard, firstOfDocument: firstOfDocument, earlier: &earlier)
                }
                ids.append(id)
            }
        }

        /// Numbers a term heard once before (`heard`, its place in `once`), listing that earlier
        /// sighting in `earlier` unless it was in this document (whose lists are resolved after).
        private mutating func number(
            _ bytes: UnsafeBufferPointer<UInt8>, hash: UInt32, heard: Int32, firstOfDocument: Int32,
            earlier: inout [Numbered.Earlier]
        ) -> Int32 {
            let sighting = heardOnce[Int(heard)]
            // A term numbered is found in the vocabulary before `once` is asked.
            precondition(sighting >= 0, "a term numbered is not heard once")
            let id = vocabulary.intern(bytes, hash: hash)
            heardOnce[Int(heard)] = -1 - id
            if sighting < firstOfDocument { earlier.append(.init(id: id, sighting: sighting)) }
            return id
        }

        /// Writes the terms heard once (and not numbered since) to the scratch file, each as its
        /// hash, sighting, length and bytes, in ``buckets`` parts by hash; `once` is then
        /// emptied. When the file cannot be made or written, they stay, and so do the ones heard
        /// after them.
        private mutating func spillHeardOnce() {
            guard let scratchFolder else {
                spillRefused = true
                return
            }
            let (heardOnce, once) = (self.heardOnce, self.once)
            // Each part's size and terms, then the terms in part order (counted into place), then
            // each part written from a buffer of its own size: a buffer of the whole spill (10 MB
            // at 512K terms) was the run's peak whenever a spill came late.
            var hashes = [UInt32](repeating: 0, count: once.count)
            var sizes = [Int](repeating: 0, count: Self.buckets)
            var starts = [Int](repeating: 0, count: Self.buckets + 1)
            for id in heardOnce.indices where heardOnce[id] >= 0 {
                let (hash, length) = once.withBytes(of: Int32(id)) { (Vocabulary.hash($0), $0.count) }
                hashes[id] = hash
                let bucket = Self.bucket(of: hash)
                sizes[bucket] +=
                    4 + LEB128.size(of: UInt64(heardOnce[id])) + LEB128.size(of: UInt64(length)) + length
                starts[bucket + 1] += 1
            }
            for bucket in 0..<Self.buckets { starts[bucket + 1] += starts[bucket] }
            var places = starts
            var ordered = [Int32](repeating: 0, count: starts[Self.buckets])
            for id in heardOnce.indices where heardOnce[id] >= 0 {
                let bucket = Self.bucket(of: hashes[id])
                ordered[places[bucket]] = Int32(id)
                places[bucket] += 1
            }
            if scratch == nil { scratch = ScratchFile(in: scratchFolder) }
            var written: [(bucket: Int, range: Range<Int64>)] = []
            for bucket in 0..<Self.buckets where starts[bucket + 1] > starts[bucket] {
                let bytes = [UInt8](unsafeUninitializedCapacity: sizes[bucket]) { buffer, count in
                    for id in ordered[starts[bucket]..<starts[bucket + 1]] {
                        let hash = hashes[Int(id)]
                        for shift in stride(from: 0, to: 32, by: 8) {
                            buffer[count] = UInt8(truncatingIfNeeded: hash >> UInt32(shift))
                            count += 1
                        }
                        LEB128.write(UInt64(heardOnce[Int(id)]), into: buffer, at: &count)
                        once.withBytes(of: id) { term in
                            LEB128.write(UInt64(term.count), into: buffer, at: &count)
                            if let destination = buffer.baseAddress, let source = term.baseAddress {
                                (destination + count).initialize(from: source, count: term.count)
                            }
                            count += term.count
                        }
                    }
                }
                // A part that cannot be written: the spill's parts are not counted as on disk,
                // and its terms stay in memory.
                guard let range = scratch?.append(bytes) else {
                    spillRefused = true
                    return
                }
                written.append((bucket, range))
            }
            if spilled.isEmpty {
                (spilled, spilledTerms) = (
                    Array(repeating: [], count: Self.buckets), Array(repeating: 0, count: Self.buckets)
                )
            }
            for (bucket, range) in written {
                spilled[bucket].append(range)
                spilledTerms[bucket] += starts[bucket + 1] - starts[bucket]
            }
            self.once = Vocabulary(capacity: 0)
            self.heardOnce = []
        }

        /// The part of terms heard once a term of this ``Vocabulary/hash(_:)`` goes to.
        static func bucket(of hash: UInt32) -> Int { Int(hash >> 24) * buckets >> 8 }

        /// Whether terms heard once went to disk.
        var hasSpilled: Bool { !spilled.isEmpty }

        /// The terms heard once that went to disk, met again: a term said at more than one of
        /// those sightings (and those still in memory), or numbered after it went to disk, is
        /// numbered now if it was not, and each of its sightings returned for the builders to
        /// count (``Builder/addHeardOnce(_:termCount:)``) before their tables are taken; a term
        /// heard once in all is let go. A part of their hashes at a time: its terms from disk
        /// numbered in a table of their own, then the numbered terms and those still in memory
        /// of that part looked up in it, all within the processor's cache.
        public mutating func finishHeardOnce() -> [Numbered.Earlier] {
            finished = true
            guard let scratch, !spilled.isEmpty else { return [] }
            let (parts, partTerms) = (spilled, spilledTerms)
            (spilled, spilledTerms) = ([], [])
            // The numbered terms and those still heard once, by part.
            func byPart(_ vocabulary: Vocabulary, where included: (Int) -> Bool) -> [[(id: Int32, hash: UInt32)]] {
                var parts = [[(id: Int32, hash: UInt32)]](repeating: [], count: Self.buckets)
                for id in 0..<vocabulary.count where included(id) {
                    let hash = vocabulary.withBytes(of: Int32(id), Vocabulary.hash)
                    parts[Self.bucket(of: hash)].append((Int32(id), hash))
                }
                return parts
            }
            let heardOnce = self.heardOnce
            let numbered = byPart(vocabulary) { _ in true }
            let remaining = byPart(once) { heardOnce[$0] >= 0 }
            var earlier: [Numbered.Earlier] = []
            var bytes: [UInt8] = []
            var local = Vocabulary(capacity: 0)
            var sightings: [(local: Int32, sighting: Int32)] = []
            var heard: [Int32] = []
            var target: [Int32] = []
            for part in 0..<Self.buckets where !parts[part].isEmpty {
                bytes.removeAll(keepingCapacity: true)
                for range in parts[part] {
                    // Read back from a file this process wrote in this run: failing here is the
                    // disk's fault, and going on without these terms would publish wrong frequencies.
                    guard let read = scratch.read(range) else {
                        preconditionFailure("the scratch file of terms heard once could not be read back")
                    }
                    bytes += read
                }
                // Sized once for the part's terms: grown by doubling, the part hashed every term again.
                local = Vocabulary(capacity: partTerms[part])
                sightings.removeAll(keepingCapacity: true)
                heard.removeAll(keepingCapacity: true)
                bytes.withUnsafeBufferPointer { bytes in
                    var at = 0
                    while at < bytes.count {
                        var hash: UInt32 = 0
                        for shift in stride(from: 0, to: 32, by: 8) {
                            hash |= UInt32(bytes[at]) << UInt32(shift)
                            at += 1
                        }
                        let sighting = Int32(LEB128.read(bytes, at: &at))
                        let length = Int(LEB128.read(bytes, at: &at))
                        let id = local.intern(UnsafeBufferPointer(rebasing: bytes[at..<at + length]), hash: hash)
                        at += length
                        if Int(id) == heard.count { heard.append(0) }
                        heard[Int(id)] += 1
                        sightings.append((id, sighting))
                    }
                }
                // What each term of the part becomes: -1 let go, else its id.
                target.removeAll(keepingCapacity: true)
                target += repeatElement(-1, count: local.count)
                for (id, hash) in numbered[part] {
                    vocabulary.withBytes(of: id) { term in
                        if let known = local.id(of: term, hash: hash) { target[Int(known)] = id }
                    }
                }
                for (id, hash) in remaining[part] {
                    once.withBytes(of: id) { term in
                        guard let known = local.id(of: term, hash: hash) else { return }
                        sightings.append((known, heardOnce[Int(id)]))
                        heard[Int(known)] += 1
                    }
                }
                for known in 0..<local.count where target[known] < 0 && heard[known] >= 2 {
                    target[known] = local.withBytes(of: Int32(known)) { term in
                        vocabulary.intern(term, hash: Vocabulary.hash(term))
                    }
                }
                for (known, sighting) in sightings where target[Int(known)] >= 0 {
                    earlier.append(.init(id: target[Int(known)], sighting: sighting))
                }
            }
            return earlier
        }

        /// Every term in id order, for the sharing builders' tables (the index let go with this).
        public consuming func terms() -> TermList { vocabulary.termList }
    }
}
