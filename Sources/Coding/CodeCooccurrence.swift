import Corpus

/// Which codes are applied to the same turns (or the same transcripts), how often and where:
/// ATLAS.ti's code co-occurrence table and MAXQDA's code relations, for reading a study's themes
/// against each other ("hype" beside "culture clash") and going back to the turns that join them.
///
/// A unit (turn or transcript) carries a code when any of the given codings applies it there; a
/// pair's count is the units carrying both. Beside it, the c-coefficient (ATLAS.ti's: the units
/// with both over those with either, 0 to 1, so that two frequent codes do not look related for
/// their frequency alone) and each code's share of its units that carry the other.
public struct CodeCooccurrence: Sendable, Codable, Equatable {
    /// What counts as "together".
    public enum Unit: String, Sendable, Codable, CaseIterable {
        case turn, document
    }

    /// Whose codes: the codings people made or confirmed, or the suggestions before they have.
    public enum Basis: String, Sendable, Codable {
        /// Accepted suggestions (their code), recoded ones (the chosen code), codings by hand.
        case codings
        /// Suggestions not rejected by the coders who decided on them, as the report's matrix counts them.
        case suggestions
    }

    /// A code and how many units carry it.
    public struct CodeUnits: Sendable, Codable, Equatable {
        public var code: String
        public var units: Int

        public init(code: String, units: Int) {
            self.code = code
            self.units = units
        }
    }

    /// A unit carrying both codes of a pair: the transcript, and the turn when units are turns.
    public struct Place: Sendable, Codable, Equatable {
        public var documentID: String
        public var turn: Int?

        public init(documentID: String, turn: Int?) {
            self.documentID = documentID
            self.turn = turn
        }
    }

    /// Two codes (in the codebook's order) and the units carrying both.
    public struct Pair: Sendable, Codable, Equatable {
        public var codes: [String]
        public var units: Int
        /// Units with both over units with either (ATLAS.ti's c-coefficient).
        public var c: Double
        /// Of each code's units, the share that carries the other, in the order of ``codes``.
        public var shares: [Double]
        /// The units carrying both, in the order of the transcripts as they came.
        public var places: [Place]
    }

    public var unit: Unit
    public var basis: Basis
    /// The coders whose codings count (every coder's when not narrowed to one); none for suggestions.
    public var coders: [String]
    /// Whose turns were read, when not every speaker's: `participant P3`, `clinical_tech_split=Full-time tech`.
    public var turnsOf: String?
    /// Units carrying at least one code.
    public var codedUnits: Int
    /// Units carrying two codes or more.
    public var unitsWithSeveralCodes: Int
    /// Every code that is applied somewhere, in the codebook's order (codes it no longer has after it, by name).
    public var codes: [CodeUnits]
    /// Every pair applied together somewhere: most units first, then the higher c.
    public var pairs: [Pair]
    /// When pairs sharing fewer units were left out of ``pairs`` (``arranged(by:minimumUnits:)``),
    /// that minimum; nil when none was set.
    public var minimumUnits: Int?
    /// How many pairs the minimum left out.
    public var pairsLeftOut: Int?

    /// The order of the pairs: most units together first (frequent codes meet often), or the
    /// highest c-coefficient first (codes that seldom appear apart, however rare).
    public enum Order: String, Sendable, Codable, CaseIterable {
        case units, c
    }

    /// The table with only the pairs that share at least `minimumUnits` units (ATLAS.ti's
    /// minimum frequency: a c of 1.00 from one shared turn is no theme), in `order`. Ties keep
    /// the table's order (more units, then the codebook's).
    public func arranged(by order: Order, minimumUnits: Int = 1) -> CodeCooccurrence {
        var table = self
        if minimumUnits > 1 {
            table.pairs = pairs.filter { $0.units >= minimumUnits }
            table.minimumUnits = minimumUnits
            table.pairsLeftOut = pairs.count - table.pairs.count
        }
        if order == .c {
            table.pairs = table.pairs.enumerated().sorted { x, y in
                (y.element.c, y.element.units, x.offset) < (x.element.c, x.element.units, y.offset)
            }.map(\.element)
        }
        return table
    }

    /// Codes applied to units, gathered as a study's suggestions and codings are read (a
    /// document's at a time; a unit may be added to any number of times).
    public struct Tally: Sendable {
        public let unit: Unit
        private let codebook: [String: Int]
        private var codeNumbers: [String: Int] = [:]
        private var codeNames: [String] = []
        private var documentNumbers: [String: Int32] = [:]
        private var documentIDs: [String] = []
        /// Each unit's codes by number, sorted and distinct (a unit has a few).
        private var unitCodes: [UnitKey: [Int32]] = [:]

        private struct UnitKey: Hashable, Comparable {
            var document: Int32
            var turn: Int32

            static func < (a: Self, b: Self) -> Bool { (a.document, a.turn) < (b.document, b.turn) }
        }

        /// A tally of `unit`s whose codes are ordered as `codebook` lists them.
        public init(unit: Unit, codebook: [String]) {
            self.unit = unit
            self.codebook = CodeCooccurrence.positions(in: codebook)
        }

        /// Records that `code` is applied in turn `turn` of `documentID`.
        public mutating func add(code: String, documentID: String, turn: Int) {
            let document: Int32
            if let known = documentNumbers[documentID] {
                document = known
            } else {
                document = Int32(documentIDs.count)
                documentNumbers[documentID] = document
                documentIDs.append(documentID)
            }
            let number: Int
            if let known = codeNumbers[code] {
                number = known
            } else {
                number = codeNames.count
                codeNumbers[code] = number
                codeNames.append(code)
            }
            let key = UnitKey(document: document, turn: unit == .turn ? Int32(turn) : -1)
            let value = Int32(number)
            var codes = unitCodes[key] ?? []
            // Sorted and distinct, so that a pair is counted once a unit however often it is coded.
            let at = codes.firstIndex { $0 >= value } ?? codes.endIndex
            guard at == codes.endIndex || codes[at] != value else { return }
            codes.insert(value, at: at)
            unitCodes[key] = codes
        }

        /// The table: `basis` and `coders` say whose codes were added.
        public func result(basis: Basis, coders: [String]) -> CodeCooccurrence {
            var units = [Int](repeating: 0, count: codeNames.count)
            var together: [UInt64: [UnitKey]] = [:]
            var several = 0
            for key in unitCodes.keys.sorted() {
                let codes = unitCodes[key] ?? []
                for code in codes { units[Int(code)] += 1 }
                guard codes.count > 1 else { continue }
                several += 1
                for first in codes.indices {
                    for second in codes.indices.dropFirst(first + 1) {
                        together[UInt64(codes[first]) << 32 | UInt64(codes[second]), default: []].append(key)
                    }
                }
            }
            return CodeCooccurrence(
                unit: unit, basis: basis, coders: coders, codebook: codebook, names: codeNames, units: units,
                pairs: together.map { key, keys in
                    (
                        Int(key >> 32), Int(key & 0xFFFF_FFFF), keys.count,
                        keys.map {
                            Place(documentID: documentIDs[Int($0.document)], turn: $0.turn >= 0 ? Int($0.turn) : nil)
                        }
                    )
                }, codedUnits: unitCodes.count, unitsWithSeveralCodes: several)
        }
    }

    /// The table from counts made elsewhere (the report's, a document at a time): codes numbered
    /// by their place in `names`, each one's units in `units`, each pair of them with its units
    /// (and the places, when kept). The codes and pairs are put in order here: the codebook's
    /// (given as each code's position), then codes it lacks by name; pairs with more units first.
    /// With a `limit`, only that many of the first pairs are kept (a report's few of thousands).
    public init(
        unit: Unit, basis: Basis, coders: [String], codebook: [String: Int], names: [String], units: [Int],
        pairs: [(Int, Int, Int, [Place])], codedUnits: Int, unitsWithSeveralCodes: Int, keeping limit: Int? = nil
    ) {
        let extra = names.filter { codebook[$0] == nil }.sorted()
        var rank = [Int](repeating: 0, count: names.count)
        for (number, name) in names.enumerated() {
            rank[number] = codebook[name] ?? (codebook.count + (extra.firstIndex(of: name) ?? 0))
        }
        self.unit = unit
        self.basis = basis
        self.coders = coders
        self.codedUnits = codedUnits
        self.unitsWithSeveralCodes = unitsWithSeveralCodes
        codes = names.indices.filter { units[$0] > 0 }.sorted { rank[$0] < rank[$1] }.map {
            CodeUnits(code: names[$0], units: units[$0])
        }
        // Ranked as numbers first, each pair made only if kept; a few of many chosen in one pass
        // (a report's 20 of thousands: sorting them all was most of drawing its section).
        typealias Ranked = (units: Int, c: Double, first: Int, second: Int, index: Int)
        let precedes = { (x: Ranked, y: Ranked) in (y.units, y.c, x.first, x.second) < (x.units, x.c, y.first, y.second)
        }
        var ranked = pairs.indices.map { index -> Ranked in
            let (a, b, both, _) = pairs[index]
            let c = Double(both) / Double(units[a] + units[b] - both)
            return (both, c, min(rank[a], rank[b]), max(rank[a], rank[b]), index)
        }
        if let limit, limit < ranked.count {
            var best: [Ranked] = []
            for entry in ranked where best.count < limit || precedes(entry, best[best.count - 1]) {
                best.insert(entry, at: best.firstIndex { precedes(entry, $0) } ?? best.count)
                if best.count > limit { best.removeLast() }
            }
            ranked = best
        } else {
            ranked.sort(by: precedes)
        }
        self.pairs = ranked.map { entry in
            var (a, b, both, places) = pairs[entry.index]
            if rank[b] < rank[a] { swap(&a, &b) }
            return Pair(
                codes: [names[a], names[b]], units: both, c: entry.c,
                shares: [Double(both) / Double(units[a]), Double(both) / Double(units[b])], places: places)
        }
    }

    /// Each code's units, by name: what a pair's shares are of.
    public var unitsByCode: [String: Int] {
        Dictionary(codes.map { ($0.code, $0.units) }, uniquingKeysWith: { first, _ in first })
    }

    /// Each code of `pair`, in order: its units (`units`: ``unitsByCode``) and the percentage of
    /// them that carry the other, rounded, as the tables print them.
    public static func sides(of pair: Pair, units: [String: Int]) -> [(units: Int, percent: Int)] {
        zip(pair.codes, pair.shares).map { code, share in (units[code] ?? 0, Int((share * 100).rounded())) }
    }

    /// Each code's position in `codebook` (the first, for a name given twice).
    public static func positions(in codebook: [String]) -> [String: Int] {
        var order: [String: Int] = [:]
        for (position, code) in codebook.enumerated() where order[code] == nil { order[code] = position }
        return order
    }
}

extension CoderDecision {
    /// The code this decision applies to `suggestion`'s text: its own when accepted, the chosen
    /// one when recoded; none when rejected or pending.
    public func appliedCode(of suggestion: Suggestion) -> String? {
        switch status {
        case .accepted: suggestion.code
        case .recoded: code ?? suggestion.code
        case .pending, .rejected, .conflict: nil
        }
    }
}
