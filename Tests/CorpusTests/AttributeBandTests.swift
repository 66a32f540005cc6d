import Testing

@testable import Corpus

@Suite struct AttributeBandTests {
    func table(_ years: [String]) -> ParticipantTable {
        ParticipantTable(
            attributeNames: ["role", "years"],
            participants: years.enumerated().map { index, value in
                Participant(
                    id: "P\(index + 1)", attributes: ["role": index % 2 == 0 ? "GP" : "Surgeon", "years": value])
            })
    }

    @Test func wholeNumbersGetInclusiveRangesFromZero() throws {
        let band = AttributeBand(name: "experience", source: "years", bounds: [5, 10])
        let banded = try table(["3", "12", "7", "", " 10 ", "5", "0", "4.0"]).banded(by: [band])
        #expect(banded.attributeNames == ["role", "years", "experience"])
        #expect(
            banded.participants.map { $0.attributes["experience"] } == [
                "0-4", "10+", "5-9", "", "10+", "5-9", "0-4", "0-4",
            ])
        // The column read stays as it was.
        #expect(banded.participants.map { $0.attributes["years"] } == ["3", "12", "7", "", " 10 ", "5", "0", "4.0"])
        #expect(banded.groupSizes(of: "experience") == "(none) (1), 0-4 (3), 5-9 (2), 10+ (2)")
    }

    @Test func fractionsGetHalfOpenRanges() throws {
        let band = AttributeBand(name: "hours", source: "years", bounds: [2.5, 5])
        let banded = try table(["2.5", "0.5", "4.99", "6"]).banded(by: [band])
        #expect(
            banded.participants.map { $0.attributes["hours"] } == [
                "2.5 to under 5", "0 to under 2.5", "2.5 to under 5", "5+",
            ])
        // Bounds that are whole and values that are not: the ranges must not claim 4 for 4.5.
        let whole = try table(["4.5", "1"]).banded(by: [AttributeBand(name: "y", source: "years", bounds: [5])])
        #expect(whole.participants.map { $0.attributes["y"] } == ["0 to under 5", "0 to under 5"])
    }

    @Test func bandNamesSortInTheBandsOrder() {
        let cases: [(bounds: [Double], values: [Double])] = [
            ([5, 10, 100], [0, 50]), ([1, 2, 3, 20], [0, 7]), ([2.5, 5, 12.5], [0.5]), ([0.5], [0, 3]),
        ]
        for (bounds, values) in cases {
            let names = AttributeBand(name: "x", source: "x", bounds: bounds).bandNames(values: values)
            #expect(names.count == bounds.count + 1)
            #expect(names.sorted(by: naturalPrecedes) == names, "\(names)")
            #expect(Set(names).count == names.count)
        }
        #expect(
            AttributeBand(name: "x", source: "x", bounds: [1, 2, 3]).bandNames(values: [0, 5]) == ["0", "1", "2", "3+"])
        // Below zero the first band is open (and sorts last: the order holds for numbers from 0).
        #expect(
            AttributeBand(name: "x", source: "x", bounds: [5, 10]).bandNames(values: [-2]) == ["under 5", "5-9", "10+"])
        #expect(
            AttributeBand(name: "x", source: "x", bounds: [-10, 0, 10]).bandNames(values: [-20]) == [
                "under -10", "-10 to -1", "0-9", "10+",
            ])
    }

    @Test func aBandInPlaceReplacesTheColumnAndLabelsNameTheBands() throws {
        let bands = [
            AttributeBand(name: "years", source: "years", bounds: [5]),
            AttributeBand(name: "stage", source: "years", bounds: [5], labels: ["early", "late"]),
        ]
        // The second band reads the first one's result: bands apply in order.
        #expect(throws: BandError.self) { try table(["3", "8"]).banded(by: bands) }
        let banded = try table(["3", "8"]).banded(by: bands.reversed())
        #expect(banded.participants.map { $0.attributes["years"] } == ["0-4", "5+"])
        #expect(banded.participants.map { $0.attributes["stage"] } == ["early", "late"])
        #expect(banded.attributeNames == ["role", "years", "stage"])
    }

    /// A banded attribute's groups are listed in its bands' order, labels and all (`early`,
    /// `mid`, `late`, not by name), after any group that is not a band; other attributes' by name.
    @Test func bandedGroupsAreListedInTheBandsOrder() throws {
        let bands = [
            AttributeBand(name: "stage", source: "years", bounds: [5, 10], labels: ["early", "mid", "late"]),
            AttributeBand(name: "signed", source: "years", bounds: [5, 10]),
        ]
        let banded = try table(["12", "3", "-1", "7", ""]).banded(by: bands)
        #expect(banded.valueOrder["stage"] == ["early", "mid", "late"])
        #expect(banded.valueOrder["signed"] == ["under 5", "5-9", "10+"])
        let names = ["late", "(none)", "early", "mid"]
        #expect(names.sorted(by: banded.groupOrder(of: "stage")) == ["(none)", "early", "mid", "late"])
        #expect(["10+", "5-9", "under 5"].sorted(by: banded.groupOrder(of: "signed")) == ["under 5", "5-9", "10+"])
        #expect(["P10", "P2"].sorted(by: banded.groupOrder(of: "role")) == ["P2", "P10"])
        #expect(["P10", "P2"].sorted(by: banded.groupOrder(of: nil)) == ["P2", "P10"])
        #expect(banded.groupSizes(of: "stage") == "(none) (1), early (2), mid (1), late (1)")
        // Combined, by the first attribute's order, then the second's.
        let combined = ["late | b", "early | b", "mid | a", "early | a", "(none) | a"]
        #expect(
            combined.sorted(by: banded.groupOrder(of: ["stage", "role"])) == [
                "(none) | a", "early | a", "early | b", "mid | a", "late | b",
            ])
        #expect(
            ["P10 | early", "P2 | late", "P2 | early"].sorted(by: banded.groupOrder(of: ["role", "stage"])) == [
                "P2 | early", "P2 | late", "P10 | early",
            ])
        #expect(["P10", "P2"].sorted(by: banded.groupOrder(of: [])) == ["P2", "P10"])
    }

    @Test func aValueThatIsNotANumberIsNamedWithItsParticipant() {
        let band = AttributeBand(name: "experience", source: "years", bounds: [5])
        #expect {
            try table(["3", "about 10", "5+", "2,5", "1e3", "inf", "7", "-", "."]).banded(by: [band])
        } throws: { error in
            let message = (error as? BandError)?.message ?? ""
            return message.contains("P2 \"about 10\", P3 \"5+\", P4 \"2,5\", P5 \"1e3\", P6 \"inf\" and 2 more")
                && message.hasPrefix("bands: years must be a number to be banded as experience, but is not for ")
                && !message.contains("P7")
        }
        // Banded in place, the column is named once.
        let inPlace = AttributeBand(name: "years", source: "years", bounds: [5])
        #expect {
            try table(["3", "5+"]).banded(by: [inPlace])
        } throws: { error in
            ((error as? BandError)?.message ?? "").hasPrefix(
                "bands: years must be a number to be banded, but is not for P2")
        }
    }

    @Test func aBandNeedsItsColumnAndAFreeName() {
        #expect {
            try table(["3"]).banded(by: [AttributeBand(name: "experience", source: "Years", bounds: [5])])
        } throws: { error in
            ((error as? BandError)?.message ?? "").contains("did you mean \"years\"")
        }
        #expect {
            try table(["3"]).banded(by: [AttributeBand(name: "role", source: "years", bounds: [5])])
        } throws: { error in
            ((error as? BandError)?.message ?? "").contains("\"role\" is already an attribute")
        }
    }

    /// Bounds as a pipeline or `--band` writes them: numbers, rising, at least one; the first
    /// that is wrong is named by its place.
    @Test func boundsAreNumbersThatRise() {
        #expect(AttributeBand.bounds(["5", "10", "12.5"]) == .success([5, 10, 12.5]))
        #expect(AttributeBand.bounds([]) == .failure(.none))
        #expect(AttributeBand.bounds(["5", "ten", "3"]) == .failure(.notANumber(at: 1)))
        #expect(AttributeBand.bounds(["5", "10", "10"]) == .failure(.notRising(at: 2)))
        #expect(AttributeBand.bounds(["5", "3"]) == .failure(.notRising(at: 1)))
    }

    @Test func numbersAreReadAsPeopleWriteThemInTables() {
        #expect(AttributeBand.number("12") == 12)
        #expect(AttributeBand.number(" 4.5\t") == 4.5)
        #expect(AttributeBand.number("-3") == -3)
        #expect(AttributeBand.number(".5") == 0.5)
        #expect(AttributeBand.number("007") == 7)
        for text in ["", " ", "-", ".", "1.2.3", "5+", "1e3", "0x10", "inf", "nan", "2,5", "+3", "1 000"] {
            #expect(AttributeBand.number(Substring(text)) == nil, "\(text)")
        }
    }
}
