import Foundation

/// Joins coders' decisions to a run's suggestions: by id, else (after a lexicon edit moved the
/// first evidence) by document, turn, code and evidence text; whatever is left is orphaned,
/// kept and reported, never dropped.
public struct DecisionMerger: Sendable {
    /// A decision whose suggestion no longer exists.
    public struct Orphan: Sendable, Hashable, Codable {
        public var coder: String
        public var suggestionID: String
        public var status: SuggestionStatus
        public var code: String?
        public var documentID: String?
        public var segmentIndex: Int?
        public var suggestedCode: String?
        /// The evidence the coder saw.
        public var evidence: [String]
    }

    public struct Result: Sendable {
        public var suggestions: [Suggestion]
        public var orphans: [Orphan]
        /// Decisions attached to a suggestion whose id changed (its evidence is still there).
        public var reattached: Int
        public var manual: [String: [ManualCoding]]
        /// Per coder: the suggestion id each decision was made on → the suggestion it is attached to now.
        public var attachments: [String: [String: String]]
    }

    public init() {}

    public func merge(_ suggestions: [Suggestion], states: [CoderState]) -> Result {
        var session = Session(states: states)
        var merged = suggestions
        // What each document gets written into the copy where it is: copied into a part of
        // their own and back, every string and array of every suggestion was retained twice,
        // each somewhere else on the heap (a sixth of the review page's state of 120,000).
        for (positions, joined, decisions) in Self.planned(suggestions, by: session) {
            for (index, decision) in decisions { merged[positions[index]].decisions.append(decision) }
            for position in positions { merged[position].status = Session.status(of: merged[position].decisions) }
            session.record(joined)
        }
        let (orphans, manual) = session.finish()
        return Result(
            suggestions: merged, orphans: orphans, reattached: session.reattached, manual: manual,
            attachments: session.attachments)
    }

    /// Each suggestion's status once merged, and `coder`'s own (pending without a decision), as
    /// ``merge(_:states:)`` leaves them, with every coder's manual codings; no suggestion copied.
    /// The review page's state lists every suggestion with these alone, where the copies the
    /// merge makes of 120,000 suggestions, and their freeing, were a fifth of it.
    public func statuses(of suggestions: [Suggestion], states: [CoderState], coder: String) -> (
        merged: [SuggestionStatus], mine: [SuggestionStatus], manual: [String: [ManualCoding]]
    ) {
        let session = Session(states: states)
        var merged = [SuggestionStatus](repeating: .pending, count: suggestions.count)
        var mine = merged
        for (positions, _, planned) in Self.planned(suggestions, by: session) {
            var added = [[CoderDecision]](repeating: [], count: positions.count)
            for (index, decision) in planned { added[index].append(decision) }
            for (index, position) in positions.enumerated() {
                let had = suggestions[position].decisions
                let decisions = had.isEmpty ? added[index] : had + added[index]
                merged[position] = Session.status(of: decisions)
                mine[position] = decisions.first { $0.coder == coder }?.status ?? .pending
            }
        }
        return (merged, mine, session.manual)
    }

    /// Each document's positions in `suggestions`, documents in order of first appearance (a
    /// document's suggestions are joined together), with what `session` joins to them
    /// (``Session/plan(document:)``; its positions index the document's). A document's
    /// suggestions side by side, as a run writes them, are planned where they are; others are
    /// copied together first.
    static func planned(_ suggestions: [Suggestion], by session: Session) -> [(
        positions: [Int], joined: Session.Joined, decisions: [(position: Int, decision: CoderDecision)]
    )] {
        suggestions.withUnsafeBufferPointer { all in
            var index: [String: Int] = [:]
            var documents: [[Int]] = []
            for position in all.indices {
                let document = all[position].documentID
                if let known = index[document] {
                    documents[known].append(position)
                } else {
                    index[document] = documents.count
                    documents.append([position])
                }
            }
            return documents.map { positions in
                let (first, last) = (positions[0], positions[positions.count - 1])
                let plan =
                    last - first + 1 == positions.count
                    ? session.plan(document: UnsafeBufferPointer(rebasing: all[first...last]))
                    : positions.map { all[$0] }.withUnsafeBufferPointer { session.plan(document: $0) }
                return (positions, plan.joined, plan.decisions)
            }
        }
    }

    /// The merge done one document at a time, so that a run writes each document's suggestions
    /// as it goes instead of holding the corpus's. Joining needs nothing beyond the document: a
    /// suggestion id hashes its document's id, so a decision can only find its id again in the
    /// document its snapshot names, which is also where its evidence is looked for.
    public struct Session: Sendable {
        private struct Coder: Sendable {
            var state: CoderState
            /// Ids with a decision or a note, in order of the first decision on them.
            var decided: [String]
            /// Each decided id's entry, by its position in `decided`.
            var entries: [CoderState.Entry]
            /// Each decided id's position in `decided`.
            var order: SuggestionIDTable
            /// By position in `decided`: the suggestion each decision is attached to, once it is.
            var attachedTo: [String?]
            /// Attachments recorded for ids this coder has not decided (a join recorded elsewhere).
            var otherAttachments: [String: String] = [:]
        }
        private var coders: [Coder]
        /// Per document (as its snapshot names it): per coder, the positions of the decided ids
        /// (in `decided`), in order.
        private var bySnapshot: [String: [[Int]]] = [:]
        /// Decisions attached to a suggestion whose id changed.
        public private(set) var reattached = 0

        public init(states: [CoderState]) {
            self.init(states: states, documents: nil)
        }

        /// A session for the suggestions of `documents` alone, which join as in a session of
        /// every decision, made without the coders' other decisions: those whose snapshot names
        /// another document cannot join these (an id hashes its document's id, and a decision is
        /// reattached only in the document its snapshot names). The review page merges the
        /// documents a decision touched at every decision: the session of a whole study's
        /// decisions (42,000) was a fifth of it. Its orphans and attachments are not the study's.
        public init(states: [CoderState], documents: Set<String>) {
            self.init(states: states, documents: Optional(documents))
        }

        private init(states: [CoderState], documents: Set<String>?) {
            coders = states.sorted { $0.coder < $1.coder }.map { state in
                var decided: [String] = []
                var entries: [CoderState.Entry] = []
                func take(_ id: String) {
                    guard let entry = state.entries[id], entry.status != .pending || entry.note != nil else { return }
                    decided.append(id)
                    entries.append(entry)
                }
                if let documents {
                    // Found without hashing every id: the entries walked, then the few taken in
                    // the order of the coder's first decision on them.
                    var wanted: Set<String> = []
                    // One document (a decision's): compared, not hashed, with each entry's.
                    let only = documents.count == 1 ? documents.first : nil
                    for index in state.entries.indices {
                        // Read in place: a copy of each entry retained its strings and arrays.
                        if let document = state.entries.values[index].snapshot?.documentID,
                            only.map({ $0 != document }) ?? !documents.contains(document)
                        {
                            continue
                        }
                        wanted.insert(state.entries.keys[index])
                    }
                    if !wanted.isEmpty {
                        for id in state.order where wanted.contains(id) { take(id) }
                    }
                } else {
                    for id in state.order { take(id) }
                }
                return Coder(
                    state: state, decided: decided, entries: entries, order: SuggestionIDTable(decided),
                    attachedTo: Array(repeating: nil, count: decided.count))
            }
            for (index, coder) in coders.enumerated() {
                for (position, entry) in coder.entries.enumerated() {
                    guard let document = entry.snapshot?.documentID else { continue }
                    bySnapshot[document, default: Array(repeating: [], count: coders.count)][index].append(position)
                }
            }
        }

        /// Per coder: the suggestion id each decision was made on → the suggestion it is attached to now.
        public var attachments: [String: [String: String]] {
            var attachments: [String: [String: String]] = [:]
            for coder in coders {
                var attached = coder.otherAttachments
                for (position, suggestion) in coder.attachedTo.enumerated() {
                    if let suggestion { attached[coder.decided[position]] = suggestion }
                }
                if !attached.isEmpty { attachments[coder.state.coder] = attached }
            }
            return attachments
        }

        /// What joining each document depends on, so that a run can keep a document's joined
        /// suggestions while its key is unchanged: per document, every coder's decisions whose
        /// snapshot names it (a decision joins only the document its snapshot names: by id, as
        /// an id hashes its document's id, or by evidence there); for every document, the
        /// coders (decisions are recorded by a coder's position) and any decision without a
        /// snapshot, which could join any document by id.
        public func keys() -> (byDocument: [String: String], everywhere: String) {
            var everywhere = ContentHash.Combiner()
            var byDocument: [String: ContentHash.Combiner] = [:]
            for coder in coders {
                everywhere.add("coder", coder.state.coder)
                for (id, entry) in zip(coder.decided, coder.entries) {
                    let parts = [
                        coder.state.coder, id, entry.status.rawValue, entry.code ?? "\u{0}", entry.note ?? "\u{0}",
                        entry.at,
                    ]
                    guard let snapshot = entry.snapshot else {
                        for part in parts { everywhere.add(part) }
                        continue
                    }
                    let described = [String(snapshot.segmentIndex), snapshot.code, String(snapshot.evidence.count)]
                    for part in parts + described + snapshot.evidence {
                        byDocument[snapshot.documentID, default: ContentHash.Combiner()].add(part)
                    }
                }
            }
            return (byDocument.mapValues(\.hash), everywhere.hash)
        }

        /// What joining one document attached: recorded into the session by ``record(_:)``.
        public struct Joined: Sendable {
            /// Per decision attached: its coder's position (coders sorted by name), the id it was
            /// made on, the id of the suggestion it is attached to now.
            public fileprivate(set) var attached: [(coder: Int, decision: String, suggestion: String)] = []
            /// How many of them were attached by evidence, their suggestion's id having changed.
            public fileprivate(set) var reattached = 0

            /// Nothing attached (a document without suggestions).
            public init() {}

            /// A join recorded earlier (kept with a document's suggestions, for the same decisions).
            public init(attached: [(coder: Int, decision: String, suggestion: String)], reattached: Int) {
                self.attached = attached
                self.reattached = reattached
            }
        }

        /// Attaches decisions to one document's suggestions (all of it, all of the same document)
        /// and sets their status.
        public mutating func merge(document suggestions: inout [Suggestion]) {
            record(join(document: &suggestions))
        }

        /// ``merge(document:)`` without recording: it changes nothing but `suggestions`, so
        /// documents can be joined on several threads and recorded in order after.
        public func join(document suggestions: inout [Suggestion]) -> Joined {
            let (joined, decisions) = suggestions.withUnsafeBufferPointer { plan(document: $0) }
            for (position, decision) in decisions { suggestions[position].decisions.append(decision) }
            for position in suggestions.indices {
                suggestions[position].status = Self.status(of: suggestions[position].decisions)
            }
            return joined
        }

        /// What ``join(document:)`` adds to a document's suggestions, leaving them as they are:
        /// each decision with the position of the suggestion it joins, in the order it is added.
        public func plan(document suggestions: UnsafeBufferPointer<Suggestion>) -> (
            joined: Joined, decisions: [(position: Int, decision: CoderDecision)]
        ) {
            var joined = Joined()
            var decisions: [(position: Int, decision: CoderDecision)] = []
            if !coders.isEmpty, let document = suggestions.first?.documentID {
                let snapshots = bySnapshot[document]
                for index in coders.indices {
                    let coder = coders[index]
                    var targets: [(order: Int, position: Int)] = []
                    var taken: Set<Int> = []
                    // First every decision whose suggestion still has its id, then the rest by evidence.
                    for position in suggestions.indices {
                        if let order = coder.order.position(of: suggestions[position].id) {
                            targets.append((order, position))
                            taken.insert(position)
                        }
                    }
                    if let waiting = snapshots?[index], !waiting.isEmpty {
                        let matched = Set(targets.map(\.order))
                        for order in waiting where !matched.contains(order) {
                            guard let snapshot = coder.entries[order].snapshot else { continue }
                            let evidence = Set(snapshot.evidence)
                            if let position = suggestions.indices.first(where: { position in
                                !taken.contains(position) && suggestions[position].segmentIndex == snapshot.segmentIndex
                                    && suggestions[position].code == snapshot.code
                                    && suggestions[position].evidence.contains { evidence.contains($0.text) }
                            }) {
                                targets.append((order, position))
                                taken.insert(position)
                                joined.reattached += 1
                            }
                        }
                    }
                    targets.sort { $0.order < $1.order }
                    for (order, position) in targets {
                        let entry = coder.entries[order]
                        joined.attached.append((index, coder.decided[order], suggestions[position].id))
                        decisions.append(
                            (
                                position,
                                CoderDecision(
                                    coder: coder.state.coder, status: entry.status, code: entry.code, note: entry.note,
                                    at: entry.at)
                            ))
                    }
                }
            }
            return (joined, decisions)
        }

        /// Takes a joined document's decisions as attached (call in document order).
        public mutating func record(_ joined: Joined) {
            reattached += joined.reattached
            for (index, decision, suggestion) in joined.attached where coders.indices.contains(index) {
                if let position = coders[index].order.position(of: decision) {
                    coders[index].attachedTo[position] = suggestion
                } else {
                    coders[index].otherAttachments[decision] = suggestion
                }
            }
        }

        /// One status from every coder's decision on a suggestion.
        static func status(of decisions: [CoderDecision]) -> SuggestionStatus {
            // Most suggestions have no decision, or one coder's: no sets made for them.
            if decisions.isEmpty { return .pending }
            if decisions.count == 1 { return decisions[0].status }
            let statuses = Set(decisions.map(\.status).filter { $0 != .pending })
            let codes = Set(decisions.filter { $0.status == .recoded }.compactMap(\.code))
            if statuses.isEmpty { return .pending }
            if statuses.count == 1, codes.count <= 1, let only = statuses.first { return only }
            return .conflict
        }

        /// After every document: the decisions attached to nothing (orphans, kept and reported),
        /// and every coder's manual codings.
        public func finish() -> (orphans: [Orphan], manual: [String: [ManualCoding]]) {
            var orphans: [Orphan] = []
            for coder in coders {
                for (position, id) in coder.decided.enumerated() where coder.attachedTo[position] == nil {
                    let entry = coder.entries[position]
                    orphans.append(
                        Orphan(
                            coder: coder.state.coder, suggestionID: id, status: entry.status, code: entry.code,
                            documentID: entry.snapshot?.documentID, segmentIndex: entry.snapshot?.segmentIndex,
                            suggestedCode: entry.snapshot?.code, evidence: entry.snapshot?.evidence ?? []))
                }
            }
            return (orphans, manual)
        }

        /// Every coder's manual codings (known from the start: they depend on no document).
        public var manual: [String: [ManualCoding]] {
            Dictionary(coders.map { ($0.state.coder, $0.state.manual) }, uniquingKeysWith: { $1 })
        }
    }
}

/// Per code and pattern, what coders made of the lexicon's suggestions: the numbers a researcher
/// tunes a lexicon with.
public struct LexiconFeedback: Sendable, Codable {
    public struct Counts: Sendable, Hashable, Codable {
        public var suggested = 0
        public var accepted = 0
        public var rejected = 0
        public var recoded = 0
        public var conflict = 0
        /// Accepted out of judged (accepted + rejected + recoded), when any were judged.
        public var precision: Double? {
            let judged = accepted + rejected + recoded
            return judged == 0 ? nil : Double(accepted) / Double(judged)
        }
    }

    public struct CodeRow: Sendable, Codable {
        public var code: String
        public var counts: Counts
        public var patterns: [String: Counts]
        /// Manual codings of this code: text the lexicon missed.
        public var manual: Int

        /// Of the passages coders gave this code, the share the lexicon found: accepted suggestions
        /// over accepted plus manual codings; nil without manual codings (recall is unknown then).
        public var recall: Double? {
            guard manual > 0 else { return nil }
            return Double(counts.accepted) / Double(counts.accepted + manual)
        }
    }

    public var codes: [CodeRow]

    public init(lexicon: Lexicon, merged: DecisionMerger.Result) {
        var tally = Tally(lexicon: lexicon)
        tally.add(merged.suggestions)
        tally.add(manual: merged.manual)
        self = tally.feedback
    }

    init(codes: [CodeRow]) { self.codes = codes }

    /// The feedback counted as merged suggestions come, a document's at a time.
    public struct Tally: Sendable {
        private var rows: [String: CodeRow] = [:]
        private let order: [String: Int]

        public init(lexicon: Lexicon) {
            for code in lexicon.codes {
                rows[code.name] = CodeRow(code: code.name, counts: Counts(), patterns: [:], manual: 0)
            }
            order = Dictionary(
                lexicon.codes.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        }

        public mutating func add(_ suggestions: [Suggestion]) {
            for suggestion in suggestions {
                var row =
                    rows[suggestion.code] ?? CodeRow(code: suggestion.code, counts: Counts(), patterns: [:], manual: 0)
                func add(_ counts: inout Counts) {
                    counts.suggested += 1
                    switch suggestion.status {
                    case .accepted: counts.accepted += 1
                    case .rejected: counts.rejected += 1
                    case .recoded: counts.recoded += 1
                    case .conflict: counts.conflict += 1
                    case .pending: break
                    }
                }
                add(&row.counts)
                for pattern in Set(suggestion.evidence.map(\.pattern)) {
                    add(&row.patterns[pattern, default: Counts()])
                }
                rows[suggestion.code] = row
            }
        }

        public mutating func add(manual: [String: [ManualCoding]]) {
            for codings in manual.values {
                for coding in codings {
                    rows[coding.code, default: CodeRow(code: coding.code, counts: Counts(), patterns: [:], manual: 0)]
                        .manual += 1
                }
            }
        }

        public var feedback: LexiconFeedback {
            LexiconFeedback(
                codes: rows.values.sorted {
                    (order[$0.code] ?? Int.max, $0.code) < (order[$1.code] ?? Int.max, $1.code)
                })
        }
    }
}
