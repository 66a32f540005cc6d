/// The Snowball English ("Porter2") stemmer, as Snowball 3.1 defines it (`english.sbl`).
///
/// Hand-written because no package on this machine stems English; checked word for word
/// against the `snowballstemmer` package over a large English word list in the tests. Works on
/// Unicode scalars: letters outside a–z are consonants to the algorithm, as in Snowball.
public enum PorterStemmer {
    public static func stem(_ word: String) -> String {
        var stemmer = Porter2(word: word.unicodeScalars.map(\.value))
        stemmer.run()
        return String(String.UnicodeScalarView(stemmer.w.compactMap(Unicode.Scalar.init)))
    }
}

private let a = UInt32(UInt8(ascii: "a"))
private func code(_ s: String) -> [UInt32] { s.unicodeScalars.map(\.value) }
private func char(_ s: Unicode.Scalar) -> UInt32 { s.value }

/// One word being stemmed: the letters, the regions R1 and R2, and whether a `y` became `Y`.
private struct Porter2 {
    var w: [UInt32]
    var p1 = 0
    var p2 = 0
    var yFound = false

    init(word: [UInt32]) { w = word }

    static let upperY = char("Y")
    static let y = char("y")

    // MARK: Among tables: suffix (or prefix) → result, as in english.sbl.

    static let prefixes = ["arsen", "commun", "emerg", "gener", "inter", "later", "organ", "past", "univers"]
        .map(code)
    static let step1aApostrophe: [([UInt32], Int)] = [(code("'s'"), 1), (code("'s"), 1), (code("'"), 1)]
    static let step1a: [([UInt32], Int)] = [
        (code("sses"), 1), (code("ied"), 2), (code("ies"), 2), (code("ss"), -1), (code("us"), -1), (code("s"), 3),
    ]
    static let step1bPrefixes: [([UInt32], Int)] = [(code("succ"), 1), (code("proc"), 1), (code("exc"), 1)]
    static let step1bIng: [([UInt32], Int)] = [
        (code("even"), 2), (code("cann"), 2), (code("inn"), 2), (code("earr"), 2), (code("herr"), 2),
        (code("out"), 2), (code("y"), 1),
    ]
    static let step1b: [([UInt32], Int)] = [
        (code("eedly"), 1), (code("ingly"), 2), (code("edly"), 2), (code("eed"), 1), (code("ing"), 3),
        (code("ed"), 2),
    ]
    static let step1bEnd: [([UInt32], Int)] = [
        (code("bb"), 2), (code("dd"), 2), (code("ff"), 2), (code("gg"), 2), (code("bl"), 1), (code("mm"), 2),
        (code("nn"), 2), (code("pp"), 2), (code("rr"), 2), (code("at"), 1), (code("tt"), 2), (code("iz"), 1),
    ]
    static let step2: [([UInt32], Int)] = [
        (code("anci"), 3), (code("enci"), 2), (code("ogi"), 14), (code("li"), 16), (code("bli"), 12),
        (code("abli"), 4), (code("alli"), 8), (code("fulli"), 9), (code("lessli"), 15), (code("ousli"), 10),
        (code("entli"), 5), (code("aliti"), 8), (code("biliti"), 12), (code("iviti"), 11), (code("tional"), 1),
        (code("ational"), 7), (code("alism"), 8), (code("ation"), 7), (code("ization"), 6), (code("izer"), 6),
        (code("ator"), 7), (code("iveness"), 11), (code("fulness"), 9), (code("ousness"), 10), (code("ogist"), 13),
    ]
    static let step2Replacements: [Int: String] = [
        1: "tion", 2: "ence", 3: "ance", 4: "able", 5: "ent", 6: "ize", 7: "ate", 8: "al", 9: "ful", 10: "ous",
        11: "ive", 12: "ble", 13: "og", 15: "less",
    ]
    static let step3: [([UInt32], Int)] = [
        (code("icate"), 4), (code("ative"), 6), (code("alize"), 3), (code("iciti"), 4), (code("ical"), 4),
        (code("tional"), 1), (code("ational"), 2), (code("ful"), 5), (code("ness"), 5),
    ]
    static let step3Replacements: [Int: String] = [1: "tion", 2: "ate", 3: "al", 4: "ic"]
    static let step4: [([UInt32], Int)] = [
        (code("ic"), 1), (code("ance"), 1), (code("ence"), 1), (code("able"), 1), (code("ible"), 1), (code("ate"), 1),
        (code("ive"), 1), (code("ize"), 1), (code("iti"), 1), (code("al"), 1), (code("ism"), 1), (code("ion"), 2),
        (code("er"), 1), (code("ous"), 1), (code("ant"), 1), (code("ent"), 1), (code("ment"), 1), (code("ement"), 1),
    ]
    static let exceptions: [[UInt32]: String?] = [
        code("andes"): nil, code("atlas"): nil, code("bias"): nil, code("cosmos"): nil, code("early"): "earli",
        code("gently"): "gentl", code("howe"): nil, code("idly"): "idl", code("news"): nil, code("only"): "onli",
        code("singly"): "singl", code("skies"): "sky", code("skis"): "ski", code("sky"): nil, code("ugly"): "ugli",
    ]

    // MARK: Groupings

    static func isVowel(_ c: UInt32) -> Bool {
        c == char("a") || c == char("e") || c == char("i") || c == char("o") || c == char("u") || c == char("y")
    }

    /// `v_WXY`: vowels plus `w`, `x` and `Y`.
    static func isVowelWXY(_ c: UInt32) -> Bool {
        isVowel(c) || c == char("w") || c == char("x") || c == upperY
    }

    static func isValidLI(_ c: UInt32) -> Bool { "cdeghkmnrt".unicodeScalars.contains { $0.value == c } }

    // MARK: Helpers

    /// The longest entry that ends at `end`, with its result.
    func suffix(_ table: [([UInt32], Int)], endingAt end: Int) -> (length: Int, result: Int)? {
        var best: (Int, Int)?
        for (entry, result) in table where entry.count <= end && entry.count > (best?.0 ?? -1) {
            if w[(end - entry.count)..<end].elementsEqual(entry) { best = (entry.count, result) }
        }
        return best
    }

    mutating func replace(from start: Int, to end: Int, with text: String) {
        w.replaceSubrange(start..<end, with: code(text))
    }

    /// Snowball's `shortv` looking backwards from `c`.
    func shortVowel(endingAt c: Int) -> Bool {
        if c >= 3, !Self.isVowelWXY(w[c - 1]), Self.isVowel(w[c - 2]), !Self.isVowel(w[c - 3]) { return true }
        if c == 2, !Self.isVowel(w[1]), Self.isVowel(w[0]) { return true }
        if c >= 4, w[(c - 4)..<c].elementsEqual(code("past")) { return true }
        return false
    }

    // MARK: The algorithm

    mutating func run() {
        if let exception = Self.exceptions[w] {
            if let replacement = exception { w = code(replacement) }
            return
        }
        guard w.count >= 3 else { return }
        prelude()
        markRegions()
        step1a()
        step1b()
        step1c()
        step2()
        step3()
        step4()
        step5()
        if yFound {
            for index in w.indices where w[index] == Self.upperY { w[index] = Self.y }
        }
    }

    mutating func prelude() {
        if w.first == char("'") { w.removeFirst() }
        if w.first == Self.y {
            w[0] = Self.upperY
            yFound = true
        }
        if w.count > 1 {
            for index in 1..<w.count where w[index] == Self.y && Self.isVowel(w[index - 1]) {
                w[index] = Self.upperY
                yFound = true
            }
        }
    }

    /// R1 and R2: after the first non-vowel following a vowel (R1 also after an exceptional prefix).
    mutating func markRegions() {
        let n = w.count
        p1 = n
        p2 = n
        func nextRegion(from start: Int) -> Int? {
            var index = start
            while index < n, !Self.isVowel(w[index]) { index += 1 }
            guard index < n else { return nil }
            index += 1
            while index < n, Self.isVowel(w[index]) { index += 1 }
            guard index < n else { return nil }
            return index + 1
        }
        if let prefix = Self.prefixes.filter({ $0.count <= n && w[0..<$0.count].elementsEqual($0) })
            .max(by: { $0.count < $1.count })
        {
            p1 = prefix.count
        } else if let start = nextRegion(from: 0) {
            p1 = start
        } else {
            return
        }
        if let start = nextRegion(from: p1) { p2 = start }
    }

    mutating func step1a() {
        if let match = suffix(Self.step1aApostrophe, endingAt: w.count) { w.removeLast(match.length) }
        guard let match = suffix(Self.step1a, endingAt: w.count) else { return }
        let end = w.count
        let start = end - match.length
        switch match.result {
        case 1:
            replace(from: start, to: end, with: "ss")
        case 2:
            replace(from: start, to: end, with: start >= 2 ? "i" : "ie")
        case 3:
            // Delete `s` if a vowel stands somewhere before the letter preceding it.
            guard start > 0 else { return }
            if w[0..<(start - 1)].contains(where: Self.isVowel) { w.removeLast() }
        default:
            break
        }
    }

    mutating func step1b() {
        let end = w.count
        let match = suffix(Self.step1b, endingAt: end) ?? (0, -1)
        let start = end - match.length
        switch match.result {
        case 1:  // eed, eedly
            if start >= p1 {
                let prefix = suffix(Self.step1bPrefixes, endingAt: start)
                if let prefix, start - prefix.length == 0 { return }
                replace(from: start, to: end, with: "ee")
            }
            return
        case 2:  // ed, edly, ingly
            break
        case 3:  // ing
            if let before = suffix(Self.step1bIng, endingAt: start) {
                let c = start - before.length
                if before.result == 1 {
                    if c == 1, !Self.isVowel(w[0]) {
                        replace(from: c, to: end, with: "ie")
                        return
                    }
                } else if c == 0 {
                    return
                }
            }
        default:
            return
        }
        guard w[0..<start].contains(where: Self.isVowel) else { return }
        w.removeLast(match.length)
        let ending = suffix(Self.step1bEnd, endingAt: w.count)
        switch ending?.result {
        case 1:
            w.append(char("e"))
        case 2:
            let c = w.count - 2
            if c == 1, "aeo".unicodeScalars.contains(where: { $0.value == w[0] }) { return }
            w.removeLast()
        default:
            if w.count == p1, shortVowel(endingAt: w.count) { w.append(char("e")) }
        }
    }

    mutating func step1c() {
        guard let last = w.last, last == Self.y || last == Self.upperY else { return }
        let c = w.count - 1
        guard c >= 2, !Self.isVowel(w[c - 1]) else { return }
        w[c] = char("i")
    }

    mutating func step2() {
        let end = w.count
        guard let match = suffix(Self.step2, endingAt: end) else { return }
        let start = end - match.length
        guard start >= p1 else { return }
        switch match.result {
        case 14:
            if start > 0, w[start - 1] == char("l") { replace(from: start, to: end, with: "og") }
        case 16:
            if start > 0, Self.isValidLI(w[start - 1]) { w.removeLast(match.length) }
        default:
            if let replacement = Self.step2Replacements[match.result] {
                replace(from: start, to: end, with: replacement)
            }
        }
    }

    mutating func step3() {
        let end = w.count
        guard let match = suffix(Self.step3, endingAt: end) else { return }
        let start = end - match.length
        guard start >= p1 else { return }
        switch match.result {
        case 5:
            w.removeLast(match.length)
        case 6:
            if start >= p2 { w.removeLast(match.length) }
        default:
            if let replacement = Self.step3Replacements[match.result] {
                replace(from: start, to: end, with: replacement)
            }
        }
    }

    mutating func step4() {
        let end = w.count
        guard let match = suffix(Self.step4, endingAt: end) else { return }
        let start = end - match.length
        guard start >= p2 else { return }
        if match.result == 1 {
            w.removeLast(match.length)
        } else if start > 0, w[start - 1] == char("s") || w[start - 1] == char("t") {
            w.removeLast(match.length)
        }
    }

    mutating func step5() {
        guard let last = w.last else { return }
        let start = w.count - 1
        if last == char("e") {
            if start >= p2 || (start >= p1 && !shortVowel(endingAt: start)) { w.removeLast() }
        } else if last == char("l") {
            if start >= p2, start > 0, w[start - 1] == char("l") { w.removeLast() }
        }
    }
}
