import Coding
import Corpus

/// The report's codes suggested together: per code the turns it is suggested in and not rejected,
/// per pair of codes the turns with both, and the turns with a code and with several, as
/// `tmine cooccurrence --suggestions` counts them.
///
/// After a lexicon edit most documents' suggestions are copied from the previous file as they
/// were: their turns count as they did, so a run starts from the previous run's totals
/// (``Totals``, kept in the suggestions' layout), takes away the documents it does not copy and
/// adds those it makes. Counted a copied document at a time, they were 3–6 % of a lexicon edit at
/// 10 MB.
struct TurnTally: Sendable {
    /// Codes numbered by name, as they come (apart from the report's other counts: a code known
    /// only from the previous totals must not show in them).
    private var numbers: [String: Int] = [:]
    private var names: [String] = []
    private var codeTurns: [Int] = []
    private var pairTurns = PairCounts()
    private var codedTurns = 0
    private var turnsWithSeveralCodes = 0
    /// Scratch for ``add(_:number:sign:)``: a document's codes by their numbers here.
    private var numbered: [Int] = []

    /// A code's number here, given it if new.
    mutating func number(ofCode code: String) -> Int {
        if let known = numbers[code] { return known }
        numbers[code] = names.count
        names.append(code)
        return names.count - 1
    }

    /// Adds a document's turns by their codes (`sign` -1: takes them away), its codes given
    /// numbers here by `number`. On the merge thread, which every document waits for: indexes
    /// into buffers, no slices (each retained its array and released it, per code).
    mutating func add(_ turns: TurnCodes, sign: Int = 1, number: (Int32) -> Int) {
        guard !turns.codes.isEmpty else { return }
        numbered.removeAll(keepingCapacity: true)
        var highest = -1
        for code in turns.codes {
            let mapped = number(code)
            numbered.append(mapped)
            highest = max(highest, mapped)
        }
        if codeTurns.count <= highest { codeTurns += repeatElement(0, count: highest + 1 - codeTurns.count) }
        pairTurns.reserve(highest)
        codedTurns += sign * turns.ends.count
        var start = 0
        numbered.withUnsafeBufferPointer { numbered in
            codeTurns.withUnsafeMutableBufferPointer { codeTurns in
                for end in turns.ends {
                    if end - start > 1 { turnsWithSeveralCodes += sign }
                    for index in start..<end {
                        codeTurns[numbered[index]] += sign
                        for other in index + 1..<end { pairTurns.add(numbered[index], numbered[other], sign) }
                    }
                    start = end
                }
            }
        }
    }

    /// What the turns add up to, by code name: kept with the layout for the next run.
    struct Totals: Sendable, Equatable {
        var names: [String] = []
        var codeTurns: [Int] = []
        /// Each pair as positions in `names` and its turns.
        var first: [Int] = []
        var second: [Int] = []
        var pairTurns: [Int] = []
        var coded = 0
        var several = 0
    }

    /// Each code's turns by its number (a code numbered but never added has none).
    private var turnsByNumber: [Int] { names.indices.map { $0 < codeTurns.count ? codeTurns[$0] : 0 } }

    var totals: Totals {
        let pairs = pairTurns.all
        return Totals(
            names: names, codeTurns: turnsByNumber,
            first: pairs.map(\.a), second: pairs.map(\.b), pairTurns: pairs.map(\.count), coded: codedTurns,
            several: turnsWithSeveralCodes)
    }

    /// Adds a previous run's totals (its codes numbered here by name).
    mutating func add(_ totals: Totals) {
        let mapped = totals.names.map { number(ofCode: $0) }
        if codeTurns.count < names.count { codeTurns += repeatElement(0, count: names.count - codeTurns.count) }
        for (position, count) in totals.codeTurns.enumerated() { codeTurns[mapped[position]] += count }
        pairTurns.reserve(names.count - 1)
        for index in totals.pairTurns.indices {
            pairTurns.add(mapped[totals.first[index]], mapped[totals.second[index]], totals.pairTurns[index])
        }
        codedTurns += totals.coded
        turnsWithSeveralCodes += totals.several
    }

    /// The codes suggested together in turns (its first `limit` pairs), and how many pairs there are.
    func cooccurrence(codebook: [String], keeping limit: Int) -> (table: CodeCooccurrence, pairs: Int) {
        let pairs = pairTurns.all
        let table = CodeCooccurrence(
            unit: .turn, basis: .suggestions, coders: [], codebook: CodeCooccurrence.positions(in: codebook),
            names: names, units: turnsByNumber,
            pairs: pairs.map { ($0.a, $0.b, $0.count, []) }, codedUnits: codedTurns,
            unitsWithSeveralCodes: turnsWithSeveralCodes, keeping: limit)
        return (table, pairs.count)
    }
}

/// Turns per pair of code numbers: a square of counts while the codes are few (an add is an
/// index, where hashing each document's pairs on the merge thread was a tenth of a lexicon edit
/// at 10 MB), a dictionary past ``squareLimit`` codes.
struct PairCounts: Sendable {
    private var side = 0
    private var square: [Int32] = []
    private var table: [UInt64: Int]?

    /// The most codes counted in a square (4 MB of counts).
    static let squareLimit = 1024

    /// Room for pairs of codes numbered up to `highest` (a square grown once for a document).
    mutating func reserve(_ highest: Int) {
        if table == nil && highest >= side { grow(to: highest + 1) }
    }

    mutating func add(_ first: Int, _ second: Int, _ count: Int) {
        let (a, b) = (min(first, second), max(first, second))
        if table == nil && b >= side { grow(to: b + 1) }
        if table != nil {
            table?[UInt64(a) << 32 | UInt64(b), default: 0] += count
        } else {
            square[a * side + b] += Int32(count)
        }
    }

    private mutating func grow(to needed: Int) {
        let wider = max(needed, min(side * 2, Self.squareLimit), 64)
        guard wider <= Self.squareLimit else {
            table = Dictionary(uniqueKeysWithValues: all.map { (UInt64($0.a) << 32 | UInt64($0.b), $0.count) })
            square = []
            side = 0
            return
        }
        var grown = [Int32](repeating: 0, count: wider * wider)
        for a in 0..<side {
            for b in a..<side { grown[a * wider + b] = square[a * side + b] }
        }
        (square, side) = (grown, wider)
    }

    /// Every pair with turns, `a < b`.
    var all: [(a: Int, b: Int, count: Int)] {
        if let table {
            return table.compactMap { $0.value > 0 ? (Int($0.key >> 32), Int($0.key & 0xFFFF_FFFF), $0.value) : nil }
                .sorted { ($0.a, $0.b) < ($1.a, $1.b) }
        }
        var pairs: [(a: Int, b: Int, count: Int)] = []
        for a in 0..<side {
            for b in a + 1..<side where square[a * side + b] > 0 {
                pairs.append((a, b, Int(square[a * side + b])))
            }
        }
        return pairs
    }
}

/// One document's turns by the codes suggested in them and not rejected: each turn's codes,
/// distinct, one turn after another. Made where the document's suggestions are made ready (on
/// a worker), its codes by the numbers the caller gave them (the previous index's, or its own
/// list's); counted by ``TurnTally``, pairs and all, into arrays by code number (sorting or
/// hashing each document's pairs cost more than the counting).
struct TurnCodes: Sendable {
    var codes: [Int32] = []
    /// Where each turn's codes end in `codes`.
    var ends: [Int] = []

    /// From each suggestion not rejected as `turn << 32 | code` (both under 2³¹), in any order.
    init(_ entries: [UInt64]) {
        guard !entries.isEmpty else { return }
        // A document's suggestions come by turn: sorted already, as a rule.
        let entries = zip(entries, entries.dropFirst()).allSatisfy { $0 <= $1 } ? entries : entries.sorted()
        codes.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            if index > 0 && entries[index - 1] >> 32 != entry >> 32 { ends.append(codes.count) }
            if index == 0 || entries[index - 1] != entry { codes.append(Int32(truncatingIfNeeded: entry)) }
        }
        ends.append(codes.count)
    }

    /// A copied document's turns as the previous layout and index have them: its suggestions'
    /// turns and statuses, and their codes' numbers in the index (`codes`, the whole file's).
    init(of document: SuggestionLayout.Document, codes: UnsafeBufferPointer<Int32>) {
        var entries: [UInt64] = []
        entries.reserveCapacity(document.statuses.count)
        let turns = document.turns
        for position in document.statuses.indices where document.statuses[position] != .rejected {
            let code = codes[document.first + position]
            guard code >= 0, turns[position] >= 0 else { continue }
            entries.append(Self.entry(turn: turns[position], code: code))
        }
        self.init(entries)
    }

    /// The entry ``init(_:)`` reads for a suggestion in `turn` of code number `code`.
    static func entry(turn: Int, code: Int32) -> UInt64 { UInt64(turn) << 32 | UInt64(UInt32(code)) }
}
