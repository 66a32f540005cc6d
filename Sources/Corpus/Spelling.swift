/// Names a known word close to a misspelt one ("did you mean …?"): a pipeline's keys, a
/// lexicon's codes.
public enum Spelling {
    /// The known word closest to `word`, if it is close enough to be a typo (an edit distance of
    /// at most 2, or a third of the word), case aside.
    public static func closest(to word: String, in known: [String]) -> String? {
        let lowered = word.lowercased()
        let scored = known.map { ($0, editDistance(lowered, $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, word.count / 3) ? best.0 : nil
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
