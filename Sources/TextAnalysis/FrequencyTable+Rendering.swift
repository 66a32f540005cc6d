import Corpus
import Foundation

extension FrequencyTable {
    /// The top terms of each group as a plain-text table.
    public func terminalTable(top: Int) -> String {
        var text = ""
        let rows = self.rows
        // Rows come group by group in the groups' order: each group's are the run from `next`
        // (a filter of every row for each group was quadratic: 2,000 participants' tables).
        var next = rows.startIndex
        for group in groups {
            text +=
                "\(group.name): \(group.words.counted("word")), \(group.participants.counted("participant")), "
                + "\(group.documents.counted("document"))\n"
            text +=
                "  term".padding(toLength: 28) + "count".leftPadded(7) + "per 1k".leftPadded(9)
                + "people".leftPadded(8) + "docs".leftPadded(6) + "\n"
            while next < rows.endIndex && rows[next].group != group.name { next += 1 }
            let start = next
            while next < rows.endIndex && rows[next].group == group.name { next += 1 }
            for row in rows[start..<next].prefix(top) {
                text +=
                    ("  " + row.term).padding(toLength: 28) + String(row.count).leftPadded(7)
                    + FixedPoint.string(row.rate, digits: 2).leftPadded(9)
                    + "\(row.participants)/\(group.participants)"
                    .leftPadded(8) + "\(row.documents)".leftPadded(6) + "\n"
            }
        }
        return text
    }
}

extension Keyness {
    /// The most distinctive terms of the target as a plain-text table.
    public func terminalTable(top: Int) -> String {
        var text = "keyness of \"\(target)\" (\(targetWords) words) against \(reference) (\(referenceWords) words)\n"
        text +=
            "  term".padding(toLength: 28) + "target".leftPadded(8) + "ref".leftPadded(7) + "G2".leftPadded(9)
            + "p".leftPadded(9) + "log ratio".leftPadded(11) + "\n"
        for row in rows(0..<min(max(0, top), count)) {
            text +=
                ("  " + row.term).padding(toLength: 28) + String(row.targetCount).leftPadded(8)
                + String(row.referenceCount).leftPadded(7)
                + FixedPoint.string(row.signedLogLikelihood, digits: 2).leftPadded(9)
                + FixedPoint.string(row.pValue, digits: 4).leftPadded(9)
                + FixedPoint.string(row.logRatio, digits: 2).leftPadded(11)
                + "\n"
        }
        // As the report says it: a reader taking p < 0.05 as a finding would find about one
        // term in twenty by chance alone.
        return text + "  (p is each term's own, not corrected for the \(count.counted("term")) compared)\n"
    }
}
