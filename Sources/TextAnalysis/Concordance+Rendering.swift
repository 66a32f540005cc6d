extension Concordance {
    /// Tab-separated lines with a header: document, turn, speaker, participant, token, left, match, right.
    public var tsv: String {
        var text = "document\tturn\tspeaker\tparticipant\ttoken\tleft\tmatch\tright\tstart\tend\n"
        for line in lines {
            let fields = [
                line.documentID, String(line.segmentIndex), line.speaker, line.participantID ?? "",
                String(line.tokenIndex), line.left, line.match, line.right, String(line.range.start),
                String(line.range.end),
            ]
            text += fields.map { $0.replacingTabs() }.joined(separator: "\t") + "\n"
        }
        return text
    }

    /// A concordance for the terminal: the match centred, the left context right-aligned in
    /// `width` characters and cut from the left, the right context cut at `width`.
    public func aligned(width: Int) -> String {
        var text = ""
        let labels = lines.map { "\($0.documentID) \($0.segmentIndex) \($0.participantID ?? $0.speaker)" }
        let labelWidth = labels.map(\.count).max() ?? 0
        for (line, label) in zip(lines, labels) {
            let left = line.left.count > width ? "…" + line.left.suffix(width - 1) : line.left
            let right = line.right.count > width ? line.right.prefix(width - 1) + "…" : line.right
            text += label.padding(toLength: labelWidth) + "  "
            text += String(repeating: " ", count: max(0, width - left.count)) + left
            text += "  [" + line.match + "]  " + right + "\n"
        }
        return text
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }

    func replacingTabs() -> String {
        String(map { $0 == "\t" || $0 == "\n" ? " " : $0 })
    }
}
