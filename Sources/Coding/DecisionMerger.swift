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
        var merged = suggestions
        // Lookups by id, and by unit for decisions whose id is gone: built only when needed.
        var index: [String: Int] = [:]
        if !states.isEmpty {
            index.reserveCapacity(merged.count)
            for (position, suggestion) in merged.enumerated() { index[suggestion.id] = position }
        }
        func unitKey(_ document: String, _ segment: Int, _ code: String) -> String {
            document + "\u{1F}" + String(segment) + "\u{1F}" + code
        }
        lazy var byUnit: [String: [Int]] = merged.indices.reduce(into: [:]) { units, position in
            let suggestion = merged[position]
            units[unitKey(suggestion.documentID, suggestion.segmentIndex, suggestion.code), default: []].append(
                position)
        }
        var orphans: [Orphan] = []
        var reattached = 0
        var manual: [String: [ManualCoding]] = [:]
        var attachments: [String: [String: String]] = [:]
        for state in states.sorted(by: { $0.coder < $1.coder }) {
            manual[state.coder] = state.manual
            let decided = state.order.filter { id in
                guard let entry = state.entries[id] else { return false }
                return entry.status != .pending || entry.note != nil
            }
            var targets: [String: Int] = [:]
            var taken: Set<Int> = []
            // First every decision whose suggestion still has its id, then the rest by evidence.
            for id in decided {
                if let position = index[id] {
                    targets[id] = position
                    taken.insert(position)
                }
            }
            for id in decided where targets[id] == nil {
                guard let snapshot = state.entries[id]?.snapshot else { continue }
                let candidates = byUnit[unitKey(snapshot.documentID, snapshot.segmentIndex, snapshot.code)] ?? []
                if let position = candidates.first(where: { position in
                    !taken.contains(position)
                        && snapshot.evidence.contains(where: Set(merged[position].evidence.map(\.text)).contains)
                }) {
                    targets[id] = position
                    taken.insert(position)
                    reattached += 1
                }
            }
            for id in decided {
                guard let entry = state.entries[id] else { continue }
                guard let position = targets[id] else {
                    orphans.append(
                        Orphan(
                            coder: state.coder, suggestionID: id, status: entry.status, code: entry.code,
                            documentID: entry.snapshot?.documentID, segmentIndex: entry.snapshot?.segmentIndex,
                            suggestedCode: entry.snapshot?.code, evidence: entry.snapshot?.evidence ?? []))
                    continue
                }
                attachments[state.coder, default: [:]][id] = merged[position].id
                merged[position].decisions.append(
                    CoderDecision(
                        coder: state.coder, status: entry.status, code: entry.code, note: entry.note, at: entry.at))
            }
        }
        for position in merged.indices {
            guard !merged[position].decisions.isEmpty else {
                merged[position].status = .pending
                continue
            }
            let statuses = Set(merged[position].decisions.map(\.status).filter { $0 != .pending })
            let codes = Set(merged[position].decisions.filter { $0.status == .recoded }.compactMap(\.code))
            if statuses.isEmpty {
                merged[position].status = .pending
            } else if statuses.count == 1, codes.count <= 1, let only = statuses.first {
                merged[position].status = only
            } else {
                merged[position].status = .conflict
            }
        }
        return Result(
            suggestions: merged, orphans: orphans, reattached: reattached, manual: manual, attachments: attachments)
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
        var rows: [String: CodeRow] = [:]
        for code in lexicon.codes {
            rows[code.name] = CodeRow(code: code.name, counts: Counts(), patterns: [:], manual: 0)
        }
        for suggestion in merged.suggestions {
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
            for pattern in Set(suggestion.evidence.map(\.pattern)) { add(&row.patterns[pattern, default: Counts()]) }
            rows[suggestion.code] = row
        }
        for codings in merged.manual.values {
            for coding in codings {
                rows[coding.code, default: CodeRow(code: coding.code, counts: Counts(), patterns: [:], manual: 0)]
                    .manual += 1
            }
        }
        let order = Dictionary(
            lexicon.codes.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        codes = rows.values.sorted {
            (order[$0.code] ?? Int.max, $0.code) < (order[$1.code] ?? Int.max, $1.code)
        }
    }
}
