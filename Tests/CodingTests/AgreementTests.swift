import Corpus
import Testing

@testable import Coding

@Suite struct AgreementTests {
    /// The worked example of Cohen's kappa in most textbooks (and Wikipedia): 50 proposals, both
    /// yes 20, A yes B no 5, A no B yes 10, both no 15: p_o = .70, p_e = .50, κ = .40.
    @Test func cohensKappaMatchesTheTextbookExample() throws {
        let pairs =
            Array(repeating: (1, 1), count: 20) + Array(repeating: (1, 0), count: 5)
            + Array(repeating: (0, 1), count: 10) + Array(repeating: (0, 0), count: 15)
        let kappa = try #require(Agreement.cohensKappa(pairs))
        #expect(abs(kappa - 0.4) < 1e-12)
    }

    /// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 coders, 12 units with
    /// missing values; nominal α = 0.743.
    @Test func krippendorffsAlphaMatchesThePublishedExample() throws {
        let a: [Int?] = [1, 2, 3, 3, 2, 1, 4, 1, 2, nil, nil, nil]
        let b: [Int?] = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nil, 3]
        let c: [Int?] = [nil, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nil]
        let d: [Int?] = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nil]
        let matrix = (0..<12).map { [a[$0], b[$0], c[$0], d[$0]] }
        let alpha = try #require(Agreement.krippendorffAlpha(matrix))
        #expect(abs(alpha - 0.743) < 0.0005)
    }

    @Test func perfectAndChanceAgreement() {
        #expect(Agreement.cohensKappa([(1, 1), (0, 0), (1, 1), (0, 0)]) == 1)
        #expect(Agreement.krippendorffAlpha([[1, 1], [0, 0], [1, 1], [0, 0]]) == 1)
        #expect(Agreement.cohensKappa([(1, 0), (0, 1), (1, 0), (0, 1)]) ?? 0 < 0)
    }

    /// Coders who accepted every suggestion of a code agree perfectly, but κ and α are 0/0 there:
    /// undefined, and said so, where they were given as 1.000, as if measured.
    @Test func withoutVariationKappaAndAlphaAreUndefinedAndSaidToBe() {
        #expect(Agreement.cohensKappa([(1, 1), (1, 1), (1, 1)]) == nil)
        #expect(Agreement.krippendorffAlpha([[1, 1], [1, 1], [1, nil]]) == nil)
        let units = Array(repeating: ["a": true, "b": true], count: 12)
        let row = Agreement.row(code: "Hype", units: units, coders: ["a", "b"], resamples: 200, seed: 1)
        #expect(row.percentAgreement == 1 && row.kappa == nil && row.alpha == nil)
        #expect(row.kappaInterval == nil && row.alphaInterval == nil)
        #expect(row.reading.hasPrefix("κ and α are undefined where every judgement is the same"))
        let one = Agreement.row(
            code: "Hype", units: [["a": true, "b": true]], coders: ["a", "b"], resamples: 200, seed: 1)
        #expect(one.reading.contains("too few units") && one.reading.contains("undefined"))
    }

    /// The bootstrap intervals counted from each unit's 0s and 1s are the general computation's
    /// to the last bit, for any number of coders (weights 1/(m−1) that are not exact in binary
    /// too), missing judgements, units with one judgement, and resamples where κ or α is undefined.
    @Test func binaryBootstrapIntervalsAreTheGeneralComputations() {
        var generator = SplitMixGenerator(seed: 20_261_207)
        func random(_ bound: Int) -> Int { Int(generator.next() % UInt64(bound)) }
        var compared = (kappa: 0, alpha: 0)
        for trial in 0..<300 {
            let coders = 2 + random(4)
            let count = [2, 3, 5, 12, 40][random(5)]
            // Mostly one value in some trials, so that resamples without variation occur.
            let skew = [2, 3, 10, 40][random(4)]
            let matrix: [[Int?]] = (0..<count).map { _ in
                (0..<coders).map { _ in random(4) == 0 ? nil : (random(skew) == 0 ? 0 : 1) }
            }
            let seed = UInt64(trial)
            let general = Agreement.bootstrap(matrix, resamples: 200, seed: seed) { Agreement.krippendorffAlpha($0) }
            #expect(BinaryBootstrap.alpha(matrix, resamples: 200, seed: seed) == general, "trial \(trial)")
            if general != nil { compared.alpha += 1 }
            let pairs = matrix.map { ($0[0] ?? 0, $0[1] ?? 1) }
            let kappa = Agreement.bootstrap(pairs, resamples: 200, seed: seed) { Agreement.cohensKappa($0) }
            #expect(BinaryBootstrap.kappa(pairs, resamples: 200, seed: seed) == kappa, "trial \(trial)")
            if kappa != nil { compared.kappa += 1 }
        }
        // Intervals were made, not only agreed on being undefined.
        #expect(compared.alpha > 100 && compared.kappa > 100)
        // Another value than 0 and 1: the general computation's.
        let other: [[Int?]] = [[0, 2], [1, 1], [2, 2], [0, nil, 1], [2, 1]]
        #expect(
            BinaryBootstrap.alpha(other, resamples: 50, seed: 1)
                == Agreement.bootstrap(other, resamples: 50, seed: 1) { Agreement.krippendorffAlpha($0) })
        #expect(BinaryBootstrap.alpha(other, resamples: 50, seed: 1) != nil)
    }

    @Test func judgementsComeFromLogsAndUncodedTurnsDoNotCount() throws {
        func log(_ coder: String, _ decisions: [(String, Int, DecisionEvent.Action, String?)]) -> CoderState {
            CoderState(
                DecisionLog(
                    coder: coder,
                    events: decisions.enumerated().map { index, item in
                        DecisionEvent(
                            sequence: index + 1, at: "t", action: item.2, suggestionID: "\(item.0)-\(item.1)",
                            code: item.3,
                            snapshot: .init(documentID: "d", segmentIndex: item.1, code: item.0, evidence: ["x"]))
                    }))
        }
        var alice: [(String, Int, DecisionEvent.Action, String?)] = []
        var bob: [(String, Int, DecisionEvent.Action, String?)] = []
        for turn in 0..<20 {
            alice.append(("Hype", turn, turn % 3 == 0 ? .reject : .accept, nil))
            bob.append(("Hype", turn, turn % 4 == 0 ? .reject : .accept, nil))
        }
        bob.append(("Hype", 99, .accept, nil))  // only bob judged this turn: not pairable
        alice.append(("Time", 5, .recode, "Hype"))
        let judgements = Agreement.judgements(from: [log("alice", alice), log("bob", bob)])
        #expect(judgements["Hype"]?.count == 21)
        let agreement = Agreement(judgements: judgements, coders: ["alice", "bob"], resamples: 200)
        let hype = try #require(agreement.codes.first { $0.code == "Hype" })
        #expect(hype.pairableUnits == 20)
        #expect(hype.unitsAllJudged == 20)
        // Agree on 15 of 20 turns (turns 0, 12 both reject; 4, 8, 16 and 3, 6, 9, 15, 18 differ … ).
        let expected = (0..<20).filter { ($0 % 3 == 0) == ($0 % 4 == 0) }.count
        #expect(hype.percentAgreement == Double(expected) / 20)
        let interval = try #require(hype.kappaInterval)
        let kappa = try #require(hype.kappa)
        #expect(interval[0] <= kappa && kappa <= interval[1])
        #expect(!hype.reading.isEmpty)
        #expect(agreement.codes.first { $0.code == "Time" }?.pairableUnits == 0)
    }
}

@Suite struct FeedbackTests {
    @Test func precisionAndRecallPerCode() {
        let found = suggest([Code(name: "Hype", patterns: ["hype"])], ["hype", "more hype", "hype again"])
        let log = DecisionLog(
            coder: "alice",
            events: [
                DecisionEvent(sequence: 1, at: "t", action: .accept, suggestionID: found[0].id),
                DecisionEvent(sequence: 2, at: "t", action: .accept, suggestionID: found[1].id),
                DecisionEvent(sequence: 3, at: "t", action: .reject, suggestionID: found[2].id),
                DecisionEvent(
                    sequence: 4, at: "t", action: .manual,
                    manual: ManualCoding(
                        id: "m", documentID: "doc", segmentIndex: 0, range: ScalarRange(start: 4, end: 8), text: "hype",
                        code: "Hype")),
            ])
        let merged = DecisionMerger().merge(found, states: [CoderState(log)])
        let row = LexiconFeedback(lexicon: Lexicon(codes: [Code(name: "Hype", patterns: ["hype"])]), merged: merged)
            .codes[0]
        #expect(row.counts.precision == 2.0 / 3.0)
        #expect(row.recall == 2.0 / 3.0)
        #expect(row.manual == 1)
    }
}
