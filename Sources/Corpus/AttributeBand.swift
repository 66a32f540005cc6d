/// A numeric participant attribute put into ranges, as a new attribute or in place of the
/// column: years in field `3, 7, 12 …` grouped by value are as many groups of one as there are
/// participants; banded at 5 and 10 they are `0-4`, `5-9` and `10+`.
public struct AttributeBand: Sendable, Hashable, Codable {
    /// The attribute the bands make (the column itself when it is `source`).
    public var name: String
    /// The column whose numbers are banded.
    public var source: String
    /// Where each band after the first starts, ascending.
    public var bounds: [Double]
    /// The bands' names, one more than the bounds; nil for ranges written out (`5-9`).
    public var labels: [String]?

    public init(name: String, source: String, bounds: [Double], labels: [String]? = nil) {
        self.name = name
        self.source = source
        self.bounds = bounds
        self.labels = labels
    }

    /// A number as people write them in a table: `12`, `4.5`, `-3`, `.5`, blanks around it
    /// allowed; nil for anything else (`about 10`, `5+`, `2,5`, `1e3`, `inf`), which Swift's
    /// `Double(_:)` would partly take.
    public static func number(_ text: Substring) -> Double? {
        var bytes = Array(text.utf8)
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        bytes.removeFirst(bytes.prefix { $0 == 0x20 || $0 == 0x09 }.count)
        var at = bytes.first == UInt8(ascii: "-") ? 1 : 0
        var digits = 0
        var point = false
        while at < bytes.count {
            switch bytes[at] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: ".") where !point: point = true
            default: return nil
            }
            at += 1
        }
        guard digits > 0 else { return nil }
        return Double(String(decoding: bytes, as: UTF8.self))
    }

    /// What is wrong with a band's bounds as written.
    public enum BoundsProblem: Error, Equatable {
        case none
        case notANumber(at: Int)
        case notRising(at: Int)
    }

    /// Bounds as written (a pipeline's list, `--band`'s commas): each a ``number(_:)``, each
    /// above the one before, at least one.
    public static func bounds(_ texts: [Substring]) -> Result<[Double], BoundsProblem> {
        var bounds: [Double] = []
        for (index, text) in texts.enumerated() {
            guard let bound = number(text) else { return .failure(.notANumber(at: index)) }
            if let last = bounds.last, bound <= last { return .failure(.notRising(at: index)) }
            bounds.append(bound)
        }
        return bounds.isEmpty ? .failure(.none) : .success(bounds)
    }

    /// `5`, `2.5`: a bound as it is written in a label.
    public static func written(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(describing: value)
    }

    /// The band names for a column whose numbers are `values`: `labels` when given; else whole
    /// ranges (`0-4`, `5-9`, `10+`, a hyphen as people type it in `--where`) when every bound and
    /// value is a whole number, half-open ones (`0 to under 2.5`, `2.5 to under 5`, `5+`)
    /// otherwise. The first band starts at 0 unless a value is below 0 (`under 5`). Each name
    /// starts with its number, so groups sort in order (``naturalPrecedes(_:_:)``).
    public func bandNames(values: [Double]) -> [String] {
        if let labels { return labels }
        let whole = (bounds + values).allSatisfy { $0 == $0.rounded() }
        let lowest: Double? = values.allSatisfy { $0 >= 0 } ? 0 : nil
        return (0...bounds.count).map { band in
            if band == bounds.count { return Self.written(bounds[band - 1]) + "+" }
            let start = band == 0 ? lowest : bounds[band - 1]
            let end = bounds[band]
            guard let start, start < end else { return "under " + Self.written(end) }
            guard whole else { return Self.written(start) + " to under " + Self.written(end) }
            if end - 1 == start { return Self.written(start) }
            return Self.written(start) + (start < 0 ? " to " : "-") + Self.written(end - 1)
        }
    }

    /// The band `value` falls in: the number of bounds at or below it.
    public func band(of value: Double) -> Int {
        var band = 0
        while band < bounds.count && bounds[band] <= value { band += 1 }
        return band
    }
}

/// Why the participants could not be banded: a column missing, a name taken, a value that is
/// not a number. The message names the participants and values.
public struct BandError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension ParticipantTable {
    /// The table with each band's attribute set for every participant (empty where the column is
    /// empty), in the order given; a band may read an attribute an earlier one made.
    public func banded(by bands: [AttributeBand]) throws(BandError) -> ParticipantTable {
        var table = self
        for band in bands {
            if let missing = table.missingAttribute(among: [band.source]) {
                throw BandError(message: "bands: " + missing)
            }
            if band.name != band.source, table.attributeNames.contains(band.name) {
                throw BandError(
                    message: "bands: \"\(band.name)\" is already an attribute; give the bands another name, or "
                        + "write `\(band.source): [bounds]` to band the column in place")
            }
            var numbers: [Double?] = []
            var wrong: [String] = []
            for participant in table.participants {
                let text = participant.attributes[band.source] ?? ""
                if text.allSatisfy({ $0 == " " || $0 == "\t" }) {
                    numbers.append(nil)
                } else if let number = AttributeBand.number(Substring(text)) {
                    numbers.append(number)
                } else {
                    numbers.append(nil)
                    wrong.append("\(participant.id) \"\(text)\"")
                }
            }
            guard wrong.isEmpty else {
                let shown =
                    wrong.prefix(5).joined(separator: ", ") + (wrong.count > 5 ? " and \(wrong.count - 5) more" : "")
                // The band's own name only when it is another attribute's ("as experience").
                let named = band.name == band.source ? "" : " as \(band.name)"
                throw BandError(
                    message: "bands: \(band.source) must be a number to be banded\(named), but is not for "
                        + shown + "; leave a cell empty where it is not known")
            }
            let names = band.bandNames(values: numbers.compactMap { $0 })
            for (index, number) in numbers.enumerated() {
                table.participants[index].attributes[band.name] = number.map { names[band.band(of: $0)] } ?? ""
            }
            table.valueOrder[band.name] = names
            if !table.attributeNames.contains(band.name) { table.attributeNames.append(band.name) }
        }
        return table
    }
}

extension ParticipantTable {
    /// `0-4 (3), 5-9 (4), 10+ (4)`: an attribute's values in order with how many participants
    /// have each (`(none)` for an empty cell), for a person checking a banding.
    public func groupSizes(of attribute: String) -> String {
        var sizes: [String: Int] = [:]
        for participant in participants {
            let value = participant.attributes[attribute] ?? ""
            sizes[value.isEmpty ? "(none)" : value, default: 0] += 1
        }
        return sizes.keys.sorted(by: groupOrder(of: attribute)).map { "\($0) (\(sizes[$0] ?? 0))" }
            .joined(separator: ", ")
    }

    /// What joins the values of a group by several attributes into its name (`early | tech`).
    public static let combinedGroupSeparator = " | "

    /// How the groups of a grouping by `attributes` are listed: by one attribute as
    /// ``groupOrder(of:)-(String?)`` lists its values; by several (groups named `a | b`), by the
    /// first attribute's value in its order, then the second's, and so on (so `early | …` before
    /// `mid | …` before `late | …`); by none (participant, document) by name with numbers in order.
    public func groupOrder(of attributes: [String]) -> @Sendable (String, String) -> Bool {
        guard attributes.count > 1 else { return groupOrder(of: attributes.first) }
        let orders = attributes.map { groupOrder(of: $0) }
        return { a, b in
            let separator = Self.combinedGroupSeparator
            let (left, right) = (a.components(separatedBy: separator), b.components(separatedBy: separator))
            // A value holding the separator splits in more parts: such names keep the plain order.
            guard left.count == orders.count, right.count == orders.count else { return naturalPrecedes(a, b) }
            for (index, precedes) in orders.enumerated() where left[index] != right[index] {
                return precedes(left[index], right[index])
            }
            return false
        }
    }

    /// How the groups of `attribute` (nil: of a grouping by anything else) are listed: a banded
    /// attribute's in its bands' order, after any group that is not a band (`(none)`); every
    /// other by name with numbers in order (``naturalPrecedes(_:_:)``).
    public func groupOrder(of attribute: String?) -> @Sendable (String, String) -> Bool {
        guard let attribute, let order = valueOrder[attribute] else { return naturalPrecedes }
        let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return { a, b in
            switch (rank[a], rank[b]) {
            case (let x?, let y?): x < y
            case (nil, nil): naturalPrecedes(a, b)
            case (nil, _?): true
            case (_?, nil): false
            }
        }
    }
}
