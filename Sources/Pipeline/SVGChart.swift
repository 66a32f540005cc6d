import Corpus
import Foundation

/// Small SVG charts for the HTML report, drawn by hand: no charting package exists on this
/// machine, and the report must open offline with no scripts. Colours are the Okabe–Ito
/// colour-blind-safe palette and a light-to-dark blue ramp; every chart has a title, axis labels
/// and the numbers as text.
public enum SVGChart {
    public static let palette = [
        "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
    ]
    /// Sequential ramp for heat maps, light to dark (ColorBrewer's Blues; the fifth shade its
    /// #2171b5, on which white counts read at 5.1:1, where #3182bd gave either ink 4.15:1).
    public static let ramp = ["#f7fbff", "#c6dbef", "#9ecae1", "#6baed6", "#2171b5", "#08519c"]

    /// A horizontal bar chart with a labelled value axis.
    public static func barChart(
        title: String, items: [(label: String, value: Double)], axisLabel: String, colour: String = palette[0],
        width: Int = 520, empty: String = "nothing to chart"
    ) -> String {
        let labelWidth = 170
        let barArea = width - labelWidth - 60
        let rowHeight = 20
        let titleLines = wrap(title, width: width)
        let below = (titleLines.count - 1) * titleLineHeight
        // No bars: the title and why, not an axis running from 0 to 0.
        if items.isEmpty { return note(title: titleLines, empty, width: width) }
        let height = 40 + items.count * rowHeight + 40 + below
        let maximum = max(items.map(\.value).max() ?? 0, 1e-9)
        let ticks = niceTicks(maximum)
        var svg = opening(label: title, width: width, height: height)
        svg += "<title>\(XML.escape(title))</title>" + titleText(titleLines)
        let top = 28 + below
        let scale = Double(barArea) / (ticks.last ?? maximum)
        for tick in ticks {
            let x = labelWidth + Int((tick * scale).rounded())
            svg +=
                "<line x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(top + items.count * rowHeight)\" class=\"grid\"/>"
            svg +=
                "<text x=\"\(x)\" y=\"\(top + items.count * rowHeight + 14)\" class=\"tick\" text-anchor=\"middle\">\(format(tick))</text>"
        }
        for (index, item) in items.enumerated() {
            let y = top + index * rowHeight
            let length = max(1, Int((item.value * scale).rounded()))
            svg +=
                "<text x=\"\(labelWidth - 6)\" y=\"\(y + 14)\" class=\"label\" text-anchor=\"end\">\(XML.escape(truncate(item.label, 24)))</text>"
            svg +=
                "<rect class=\"bar\" x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(length)\" height=\"\(rowHeight - 6)\" fill=\"\(colour)\">"
                + "<title>\(XML.escape(item.label)): \(format(item.value))</title></rect>"
            svg += "<text x=\"\(labelWidth + length + 4)\" y=\"\(y + 14)\" class=\"value\">\(format(item.value))</text>"
        }
        svg +=
            "<text x=\"\(labelWidth + barArea / 2)\" y=\"\(height - 4)\" class=\"axis-label\" text-anchor=\"middle\">\(XML.escape(axisLabel))</text>"
        return svg + "</svg>"
    }

    /// A heat map of counts (rows × columns) with the counts written in the cells and a legend.
    public static func heatMap(title: String, rows: [String], columns: [String], values: [[Int]]) -> String {
        var svg = ""
        heatMap(title: title, rows: rows, columns: columns, values: values) { svg += $0 }
        return svg
    }

    /// The heat map a row at a time: a study of thousands of participants makes it megabytes.
    public static func heatMap(
        title: String, rows: [String], columns: [String], values: [[Int]], emit: (String) -> Void
    ) {
        let labelWidth = 230
        let cell = 34
        // Column names longer than a cell's five characters (groups, where participants' ids fit)
        // are written on a slant, up to 24 characters: cut to five, "full-time tech" and
        // "part-time clinical" read "full…" and "part…".
        let slanted = columns.contains { $0.count > 5 }
        let shown = slanted ? min(24, columns.map(\.count).max() ?? 0) : 5
        // A slanted name rises and runs right by about 0.7 of its ~6.5 px a character.
        let slant = slanted ? shown * 46 / 10 : 0
        let headerHeight = 60 + slant
        // At least as wide as the legend, whose highest count ends it: a matrix of two columns
        // cut that count off.
        let width = max(labelWidth + columns.count * cell + 20 + slant, labelWidth + (ramp.count - 1) * 24 + 20)
        let height = headerHeight + rows.count * cell + 50
        let maximum = max(values.flatMap { $0 }.max() ?? 0, 1)
        var svg = opening(label: title, width: width, height: height)
        svg += "<title>\(XML.escape(title))</title>" + titleText([title])
        for (column, name) in columns.enumerated() {
            let x = labelWidth + column * cell + cell / 2
            let y = headerHeight - 8
            svg +=
                slanted
                ? "<text x=\"\(x - 4)\" y=\"\(y)\" class=\"label\" transform=\"rotate(-45 \(x - 4) \(y))\">"
                    + "\(XML.escape(truncate(name, shown)))</text>"
                : "<text x=\"\(x)\" y=\"\(y)\" class=\"label\" text-anchor=\"middle\">\(XML.escape(truncate(name, 5)))</text>"
        }
        // Each label escaped once, not once per cell (the matrix of a large study has 100,000).
        let columnTitles = columns.map { Array(XML.escape($0).utf8) }
        let rampBytes = ramp.map { Array($0.utf8) }
        var cells = SVGBytes(capacity: columns.count * 170)
        for (row, name) in rows.enumerated() {
            let y = headerHeight + row * cell
            let rowTitle = Array(XML.escape(name).utf8)
            svg +=
                "<text x=\"\(labelWidth - 6)\" y=\"\(y + cell / 2 + 4)\" class=\"label\" text-anchor=\"end\">\(XML.escape(truncate(name, 34)))</text>"
            emit(svg)
            svg = ""
            // Bytes, one row at a time: appending each cell's pieces to a `String` was most of
            // rendering the report of a large study.
            cells.bytes.removeAll(keepingCapacity: true)
            for column in columns.indices {
                let value = row < values.count && column < values[row].count ? values[row][column] : 0
                let x = labelWidth + column * cell
                cells.append("<rect x=\"")
                cells.append(x)
                cells.append("\" y=\"")
                cells.append(y)
                cells.append("\" width=\"")
                cells.append(cell - 2)
                cells.append("\" height=\"")
                cells.append(cell - 2)
                cells.append("\" fill=\"")
                let shade = self.shade(value, of: maximum)
                if value == 0 {
                    cells.append("#ffffff")
                } else {
                    cells.bytes += rampBytes[shade]
                }
                cells.append("\" class=\"cell\"><title>")
                cells.bytes += rowTitle
                cells.append(" × ")
                cells.bytes += columnTitles[column]
                cells.append(": ")
                cells.append(value)
                cells.append("</title></rect>")
                if value > 0 {
                    cells.append("<text x=\"")
                    cells.append(x + cell / 2 - 1)
                    cells.append("\" y=\"")
                    cells.append(y + cell / 2 + 4)
                    // White on the two darkest shades, dark ink on the others: 4.5:1 or more on
                    // each (the report's CSS sets the colour: a `fill` attribute yields to it).
                    cells.append(shade >= ramp.count - 2 ? "\" class=\"count light\"" : "\" class=\"count\"")
                    cells.append(" text-anchor=\"middle\">")
                    cells.append(value)
                    cells.append("</text>")
                }
            }
            emit(String(decoding: cells.bytes, as: UTF8.self))
        }
        // Legend: the ramp with its range; where every count has a shade of its own (a highest
        // count of 5 or less), each count's shade under its number ("1 … 1" said nothing when
        // every count was 1).
        let legendY = headerHeight + rows.count * cell + 16
        svg += "<text x=\"\(labelWidth - 6)\" y=\"\(legendY + 12)\" class=\"label\" text-anchor=\"end\">count</text>"
        func swatch(_ index: Int, _ colour: String) {
            svg +=
                "<rect x=\"\(labelWidth + index * 24)\" y=\"\(legendY)\" width=\"24\" height=\"14\" fill=\"\(colour)\"/>"
        }
        if maximum < ramp.count {
            for value in 1...maximum {
                swatch(value - 1, ramp[shade(value, of: maximum)])
                svg +=
                    "<text x=\"\(labelWidth + (value - 1) * 24 + 12)\" y=\"\(legendY + 28)\" class=\"tick\" text-anchor=\"middle\">\(value)</text>"
            }
        } else {
            for (index, colour) in ramp.dropFirst().enumerated() { swatch(index, colour) }
            svg += "<text x=\"\(labelWidth)\" y=\"\(legendY + 28)\" class=\"tick\">1</text>"
            svg +=
                "<text x=\"\(labelWidth + (ramp.count - 1) * 24)\" y=\"\(legendY + 28)\" class=\"tick\" text-anchor=\"end\">\(maximum)</text>"
        }
        emit(svg + "</svg>")
    }

    /// The index in ``ramp`` of a count's shade: blank for none, the darkest for the highest;
    /// counts up to 5 each have a shade of their own.
    static func shade(_ value: Int, of maximum: Int) -> Int {
        value == 0 ? 0 : min(ramp.count - 1, 1 + (value * (ramp.count - 2)) / maximum)
    }

    /// Counts of non-negative values in equal bins of a round width (1, 2 or 5 times a
    /// power of ten) from zero, about a dozen of them; labelled `low–high`, both inclusive.
    public static func bins(_ values: [Int]) -> [(label: String, count: Int)] {
        guard let maximum = values.max(), maximum > 0 else { return values.isEmpty ? [] : [("0", values.count)] }
        let width = max(1, Int(roundStep(atLeast: max(Double(maximum + 1) / 12, 1)).rounded()))
        var counts = [Int](repeating: 0, count: maximum / width + 1)
        for value in values { counts[max(0, value) / width] += 1 }
        return counts.enumerated().map { bin, count in
            let low = bin * width
            return (width == 1 ? "\(low)" : "\(low)–\(low + width - 1)", count)
        }
    }

    /// Round tick values covering `0...maximum` (1, 2 or 5 times a power of ten).
    static func niceTicks(_ maximum: Double) -> [Double] {
        guard maximum > 0 else { return [0, 1] }
        let step = roundStep(atLeast: maximum / 4)
        var ticks: [Double] = []
        var value = 0.0
        while value < maximum + step * 0.999 {
            ticks.append(value)
            value += step
        }
        return ticks
    }

    /// The smallest 1, 2 or 5 times a power of ten that is at least `rough` (> 0).
    static func roundStep(atLeast rough: Double) -> Double {
        let power = pow(10, floor(log10(rough)))
        return [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? rough
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : FixedPoint.string(value, digits: 2)
    }

    static func truncate(_ text: String, _ length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }

    /// A chart with nothing to draw: its title's lines, then `text` saying why.
    static func note(title lines: [String], _ text: String, width: Int) -> String {
        let height = 16 + lines.count * titleLineHeight + 10
        var svg = opening(label: joined(lines, separator: " "), width: width, height: height) + titleText(lines)
        svg += "<text x=\"0\" y=\"\(16 + lines.count * titleLineHeight)\" class=\"tick\">\(XML.escape(text))</text>"
        return svg + "</svg>"
    }

    /// A chart's `<svg>` tag: its size and, for screen readers, its name.
    private static func opening(label: String, width: Int, height: Int) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(XML.escape(label))\">"
    }

    /// A chart title's lines, from the top.
    private static func titleText(_ lines: [String]) -> String {
        joined(
            lines.enumerated().map { index, line in
                "<text x=\"0\" y=\"\(16 + index * titleLineHeight)\" class=\"chart-title\">\(XML.escape(line))</text>"
            }, separator: "")
    }

    /// Pixels between a chart title's lines (its text is 14 px).
    static let titleLineHeight = 18

    /// A chart title in the lines it takes on a chart `width` pixels wide, at most two, words
    /// kept whole where they fit (at ~8 px a character of the title's bold 14 px), the second
    /// shortened with "…" if the title is longer still: SVG text does not wrap, and a group's
    /// long name ("Full-time clinician, working with AI in spare time (1 participant)") ran off
    /// its chart.
    static func wrap(_ title: String, width: Int) -> [String] {
        let limit = max(12, width / 8)
        guard title.count > limit else { return [title] }
        let head = title.prefix(limit + 1)
        // Before the last parenthesis that fits in the line's second half, which keeps
        // "(1 participant)" whole, else at the last space (a word longer than the line is cut
        // where the line ends).
        let spaces = head.indices.filter { $0 > title.startIndex && head[$0] == " " }
        let half = title.index(title.startIndex, offsetBy: limit / 2)
        let cut =
            spaces.last { $0 >= half && head.index(after: $0) < head.endIndex && head[head.index(after: $0)] == "(" }
            ?? spaces.last ?? title.index(title.startIndex, offsetBy: limit)
        let first = String(title[..<cut])
        let rest = title[cut...].drop { $0 == " " }
        return rest.isEmpty ? [first] : [first, truncate(String(rest), limit)]
    }
}

/// A byte buffer for the cells of a large chart: literal text and decimal integers appended
/// without making a `String` of each.
struct SVGBytes {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func append(_ number: Int) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        let start = bytes.count
        var magnitude = number.magnitude
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }
}
