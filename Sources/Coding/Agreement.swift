import Corpus
import Foundation

/// Inter-coder agreement on turns: percent agreement, Cohen's kappa (two coders) and
/// Krippendorff's alpha (nominal, any number of coders, missing judgements allowed), each with a
/// bootstrap confidence interval and a plain-language reading.
///
/// For each code, a unit (turn) is judged by a coder when the coder decided on a suggestion of
/// that code in the turn or coded it by hand; the judgement is "applied" (accepted, recoded to
/// the code, manual) or "not applied" (rejected, recoded away). Turns nobody judged do not count,
/// so uncoded text cannot inflate agreement.
public struct Agreement: Sendable, Codable {
    public struct Row: Sendable, Codable {
        public var code: String
        /// Units judged by at least two coders.
        public var pairableUnits: Int
        /// Units every coder judged (what kappa uses).
        public var unitsAllJudged: Int
        public var percentAgreement: Double?
        public var kappa: Double?
        public var kappaInterval: [Double]?
        public var alpha: Double?
        public var alphaInterval: [Double]?
        public var reading: String
    }

    public var coders: [String]
    public var codes: [Row]
    public var overall: Row
    /// Per coder, how many of their decisions in force were made blind (``DecisionEvent/blind``):
    /// what a methods section can say of the judgements' independence.
    public var decidedBlind: [BlindCount] = []

    /// A coder's decisions and codings by hand in force, and how many of each were made blind.
    public struct BlindCount: Sendable, Codable, Equatable {
        public var coder: String
        public var blind: Int
        public var decisions: Int
        public var codingsBlind: Int
        public var codings: Int

        /// `alice 2 of 3`, and the codings by hand when there are any.
        public var description: String {
            "\(coder) \(blind) of \(decisions)"
                + (codings > 0 ? " (codings by hand: \(codingsBlind) of \(codings))" : "")
        }
    }

    /// ``decidedBlind`` from the coders' states: decisions on suggestions (accepted, rejected,
    /// recoded) and manual codings, in the coders' order.
    public static func decidedBlind(_ states: [CoderState]) -> [BlindCount] {
        states.map { state in
            let decided = state.entries.values.filter { $0.status != .pending }
            return BlindCount(
                coder: state.coder, blind: decided.filter(\.blind).count, decisions: decided.count,
                codingsBlind: state.manual.filter { state.blindCodings.contains($0.id) }.count,
                codings: state.manual.count)
        }
    }

    /// Judgements per code: unit → coder → applied?
    public typealias Judgements = [String: [String: [String: Bool]]]

    /// Collects judgements from coders' logs alone: each decision's snapshot names its turn and
    /// code, so agreement needs no pipeline run.
    public static func judgements(from states: [CoderState]) -> Judgements {
        var result: Judgements = [:]
        for state in states {
            for entry in state.entries.values {
                guard let snapshot = entry.snapshot else { continue }
                let unit = "\(snapshot.documentID)#\(snapshot.segmentIndex)"
                switch entry.status {
                case .accepted:
                    result[snapshot.code, default: [:]][unit, default: [:]][state.coder] = true
                case .rejected:
                    result[snapshot.code, default: [:]][unit, default: [:]][state.coder] = false
                case .recoded:
                    result[snapshot.code, default: [:]][unit, default: [:]][state.coder] = false
                    if let code = entry.code { result[code, default: [:]][unit, default: [:]][state.coder] = true }
                default:
                    break
                }
            }
            for coding in state.manual {
                let unit = "\(coding.documentID)#\(coding.segmentIndex.map(String.init) ?? "?")"
                result[coding.code, default: [:]][unit, default: [:]][state.coder] = true
            }
        }
        return result
    }

    public init(judgements: Judgements, coders: [String], resamples: Int = 1000, seed: UInt64 = 2026) {
        self.coders = coders
        var rows: [Row] = []
        var all: [[String: Bool]] = []
        for code in judgements.keys.sorted() {
            let units = judgements[code]?.keys.sorted().compactMap { judgements[code]?[$0] } ?? []
            all += units
            rows.append(Self.row(code: code, units: units, coders: coders, resamples: resamples, seed: seed))
        }
        codes = rows
        overall = Self.row(code: "(all codes)", units: all, coders: coders, resamples: resamples, seed: seed)
    }

    static func row(code: String, units: [[String: Bool]], coders: [String], resamples: Int, seed: UInt64) -> Row {
        let pairable = units.filter { $0.count >= 2 }
        let complete = units.filter { unit in coders.allSatisfy { unit[$0] != nil } }
        let matrix = pairable.map { unit in coders.map { unit[$0].map { $0 ? 1 : 0 } } }
        let percent = Self.percentAgreement(matrix)
        var kappa: Double?
        var kappaInterval: [Double]?
        if coders.count == 2 {
            let pairs = complete.compactMap { unit -> (Int, Int)? in
                guard let a = unit[coders[0]], let b = unit[coders[1]] else { return nil }
                return (a ? 1 : 0, b ? 1 : 0)
            }
            kappa = cohensKappa(pairs)
            kappaInterval = BinaryBootstrap.kappa(pairs, resamples: resamples, seed: seed)
        }
        let alpha = krippendorffAlpha(matrix)
        let alphaInterval = BinaryBootstrap.alpha(matrix, resamples: resamples, seed: seed)
        return Row(
            code: code, pairableUnits: pairable.count, unitsAllJudged: complete.count, percentAgreement: percent,
            kappa: kappa, kappaInterval: kappaInterval, alpha: alpha, alphaInterval: alphaInterval,
            reading: reading(alpha: alpha, kappa: kappa, units: pairable.count))
    }

    /// The share of coder pairs that agree, over units with at least two judgements.
    static func percentAgreement(_ matrix: [[Int?]]) -> Double? {
        var agree = 0
        var pairs = 0
        for unit in matrix {
            let values = unit.compactMap { $0 }
            for i in values.indices {
                for j in values.indices where j > i {
                    pairs += 1
                    if values[i] == values[j] { agree += 1 }
                }
            }
        }
        return pairs == 0 ? nil : Double(agree) / Double(pairs)
    }

    /// Cohen's kappa for two coders over categories (κ = (p_o − p_e) / (1 − p_e)).
    public static func cohensKappa(_ pairs: [(Int, Int)]) -> Double? {
        guard !pairs.isEmpty else { return nil }
        let n = Double(pairs.count)
        let categories = Set(pairs.flatMap { [$0.0, $0.1] })
        let observed = Double(pairs.filter { $0.0 == $0.1 }.count) / n
        var expected = 0.0
        for category in categories {
            let a = Double(pairs.filter { $0.0 == category }.count) / n
            let b = Double(pairs.filter { $0.1 == category }.count) / n
            expected += a * b
        }
        // Every judgement in one category: κ is 0/0, undefined (it was given as 1, which made a
        // code both coders accepted every time look measured, and pulled bootstrap intervals up).
        guard expected < 1 else { return nil }
        return (observed - expected) / (1 - expected)
    }

    /// Krippendorff's alpha, nominal metric, from a units × coders matrix with missing values
    /// (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability": α = 1 − D_o / D_e from
    /// the coincidence matrix of pairable values).
    public static func krippendorffAlpha(_ matrix: [[Int?]]) -> Double? {
        var coincidence: [Int: [Int: Double]] = [:]
        for unit in matrix {
            let values = unit.compactMap { $0 }
            let m = Double(values.count)
            guard m >= 2 else { continue }
            for i in values.indices {
                for j in values.indices where j != i {
                    coincidence[values[i], default: [:]][values[j], default: 0] += 1 / (m - 1)
                }
            }
        }
        let totals = coincidence.mapValues { $0.values.reduce(0, +) }
        let n = totals.values.reduce(0, +)
        guard n > 1 else { return nil }
        var observed = 0.0
        for (c, row) in coincidence {
            for (k, value) in row where k != c { observed += value }
        }
        var expected = 0.0
        for (c, nc) in totals {
            for (k, nk) in totals where k != c { expected += nc * nk }
        }
        expected /= (n - 1)
        // No variation in the values: α is undefined (Krippendorff 2011), as κ is.
        guard expected > 0 else { return nil }
        return 1 - observed / expected
    }

    /// A 95 % percentile bootstrap interval over units.
    static func bootstrap<Unit>(_ units: [Unit], resamples: Int, seed: UInt64, statistic: ([Unit]) -> Double?)
        -> [Double]?
    {
        resampled(units.count, resamples: resamples, seed: seed) { drawn in statistic(drawn.map { units[$0] }) }
    }

    /// A 95 % percentile bootstrap interval over `count` units, `statistic` given each resample's
    /// units by their positions, drawn with replacement.
    static func resampled(_ count: Int, resamples: Int, seed: UInt64, statistic: ([Int]) -> Double?) -> [Double]? {
        guard count >= 2, resamples > 0 else { return nil }
        var generator = SplitMixGenerator(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var drawn = [Int](repeating: 0, count: count)
        for _ in 0..<resamples {
            for index in drawn.indices { drawn[index] = Int(generator.next() % UInt64(count)) }
            if let value = statistic(drawn) { values.append(value) }
        }
        guard values.count >= resamples / 2 else { return nil }
        values.sort()
        return [
            values[Int(Double(values.count) * 0.025)], values[min(values.count - 1, Int(Double(values.count) * 0.975))],
        ]
    }

    /// What a figure means, in words a methods section can use.
    static func reading(alpha: Double?, kappa: Double?, units: Int) -> String {
        let value = kappa ?? alpha
        let undefined = "κ and α are undefined where every judgement is the same (no chance agreement to beat)"
        if units < 10 {
            return "too few units judged by two or more coders (\(units)) for a stable figure"
                + (value == nil && units > 0 ? "; " + undefined : "")
        }
        guard let value else { return undefined }
        let strength: String
        switch value {
        case ..<0: strength = "worse than chance"
        case ..<0.2: strength = "slight"
        case ..<0.4: strength = "fair"
        case ..<0.6: strength = "moderate"
        case ..<0.8: strength = "substantial"
        default: strength = "almost perfect"
        }
        var text = "\(strength) agreement (Landis & Koch)"
        if let alpha {
            text +=
                alpha >= 0.8
                ? "; α ≥ .80: reliable"
                : alpha >= 0.667
                    ? "; .667 ≤ α < .80: tentative conclusions only"
                    : "; α < .667: not reliable enough to draw conclusions (Krippendorff)"
        }
        return text
    }
}

/// The bootstrap intervals of κ and α for judgements that are 0 or 1 ("not applied", "applied"),
/// each resample counted from what each unit holds rather than recomputed from its values: the
/// general computations make dictionaries and arrays for every resample, and their thousand
/// resamples for each code and for all codes were nine tenths of `tmine agreement` (2.9 s for a
/// 100 MB study with 42,000 decisions). Each sum is made as the general computation makes it,
/// addition by addition in the same order, so the intervals are the same to the last bit.
enum BinaryBootstrap {
    /// κ's interval (pairs holding another value than 0 and 1: the general computation's).
    static func kappa(_ pairs: [(Int, Int)], resamples: Int, seed: UInt64) -> [Double]? {
        guard pairs.allSatisfy({ (0...1).contains($0.0) && (0...1).contains($0.1) }) else {
            return Agreement.bootstrap(pairs, resamples: resamples, seed: seed) { Agreement.cohensKappa($0) }
        }
        let kinds = pairs.map { $0.0 * 2 + $0.1 }
        return Agreement.resampled(pairs.count, resamples: resamples, seed: seed) { drawn in
            var counts = (0, 0, 0, 0)
            for unit in drawn {
                switch kinds[unit] {
                case 0: counts.0 += 1
                case 1: counts.1 += 1
                case 2: counts.2 += 1
                default: counts.3 += 1
                }
            }
            let n = Double(drawn.count)
            let observed = Double(counts.0 + counts.3) / n
            // A category absent from the resample adds a product of 0, which changes no sum.
            var expected = 0.0
            expected += Double(counts.0 + counts.1) / n * (Double(counts.0 + counts.2) / n)
            expected += Double(counts.2 + counts.3) / n * (Double(counts.1 + counts.3) / n)
            guard expected < 1 else { return nil }
            return (observed - expected) / (1 - expected)
        }
    }

    /// α's interval for a units × coders matrix (holding another value than 0, 1 and missing
    /// ones: the general computation's).
    static func alpha(_ matrix: [[Int?]], resamples: Int, seed: UInt64) -> [Double]? {
        // Each unit's 0s and 1s, and what each of its ordered pairs of values adds, 1 / (m - 1).
        var units: [(zeros: Int, ones: Int, weight: Double)] = []
        units.reserveCapacity(matrix.count)
        for unit in matrix {
            var (zeros, ones) = (0, 0)
            for value in unit {
                switch value {
                case 0?: zeros += 1
                case 1?: ones += 1
                case nil: break
                default:
                    return Agreement.bootstrap(matrix, resamples: resamples, seed: seed) {
                        Agreement.krippendorffAlpha($0)
                    }
                }
            }
            let m = Double(zeros + ones)
            units.append((zeros, ones, 1 / (m - 1)))
        }
        return Agreement.resampled(units.count, resamples: resamples, seed: seed) { drawn in
            // The coincidences, each cell added to as the general computation adds to it: once
            // for each ordered pair of a unit's values, unit after unit.
            var (o00, o01, o10, o11) = (0.0, 0.0, 0.0, 0.0)
            for index in drawn {
                let unit = units[index]
                guard unit.zeros + unit.ones >= 2 else { continue }
                for _ in 0..<unit.zeros * (unit.zeros - 1) { o00 += unit.weight }
                for _ in 0..<unit.zeros * unit.ones {
                    o01 += unit.weight
                    o10 += unit.weight
                }
                for _ in 0..<unit.ones * (unit.ones - 1) { o11 += unit.weight }
            }
            let n0 = o00 + o01
            let n1 = o10 + o11
            let n = n0 + n1
            guard n > 1 else { return nil }
            let observed = o01 + o10
            // One value alone makes no product: α is undefined, as in the general computation.
            var expected = 0.0
            expected += n0 * n1
            expected += n1 * n0
            expected /= (n - 1)
            guard expected > 0 else { return nil }
            return 1 - observed / expected
        }
    }
}
