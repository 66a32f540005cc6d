import Corpus

/// Where a turn's sentences end between its tokens, so that a phrase ("protected time"), a
/// lexicon pattern of several words or an n-gram does not join the last word of one sentence to
/// the first of the next ("… felt protected. Time was short"), as WordSmith's clusters stop at
/// a sentence break; also the sentences suggestions are grouped by and negation looks in. Read
/// from the punctuation between tokens, which tokens do not keep.
public enum SentenceBreaks {
    /// For each token, whether a sentence ends between it and the token before (false for the
    /// first). A sentence ends at `!` or `?`, or at a `.` that is not part of an ellipsis
    /// (`...`), is followed by a space, quotation mark or bracket rather than by a letter or digit
    /// (`3.5`, `U.K`), comes before a word that does not begin in lower case (`etc. and`), and
    /// follows no title (`Dr. Patel`, ``titles``).
    /// Punctuation inside brackets between the tokens (Jefferson's `(.)`, a pause `(0.5)`,
    /// `[inaudible?]`) and `…` (a hesitation, as transcribers write it) end nothing.
    public static func before(_ tokens: [Token], in text: String) -> [Bool] {
        var breaks = [Bool](repeating: false, count: tokens.count)
        guard tokens.count > 1 else { return breaks }
        var text = text
        text.withUTF8 { bytes in
            // Only a gap that holds a `.`, `!` or `?` can end a sentence: those bytes are found
            // eight at a time and only their gaps read (following every token's scalar offsets
            // to its bytes was 5 % of `tmine freq --ngram 2`).
            var gap = 1
            var read = 0
            forEachStop(in: bytes) { byte, scalar in
                while gap < tokens.count, Int(tokens[gap].start) <= scalar { gap += 1 }
                // After the last token, inside a token (`3.5`), or in a gap already read.
                guard gap < tokens.count, Int(tokens[gap - 1].end) <= scalar, gap != read else { return }
                read = gap
                var start = byte
                for _ in 0..<(scalar - Int(tokens[gap - 1].end)) {
                    start -= 1
                    while bytes[start] & 0xC0 == 0x80 { start -= 1 }
                }
                var end = byte
                for _ in 0..<(Int(tokens[gap].start) - scalar) {
                    end += 1
                    while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
                }
                // The token before, when it is short enough to be a title (`Dr`).
                var word: Range<Int>?
                let length = Int(tokens[gap - 1].end - tokens[gap - 1].start)
                if length <= 4 {
                    var first = start
                    for _ in 0..<length {
                        first -= 1
                        while bytes[first] & 0xC0 == 0x80 { first -= 1 }
                    }
                    word = first..<start
                }
                breaks[gap] = endsSentence(bytes, start..<end, after: word)
            }
        }
        return breaks
    }

    /// Calls `body` with the offset of each `.`, `!` and `?` in `bytes` and the scalar offset
    /// it has in the text, in order; eight bytes at a time where none is one.
    private static func forEachStop(in bytes: UnsafeBufferPointer<UInt8>, _ body: (Int, Int) -> Void) {
        guard let base = bytes.baseAddress else { return }
        let raw = UnsafeRawPointer(base)
        @inline(__always) func holdsZero(_ word: UInt64) -> Bool {
            (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0
        }
        var scalar = 0
        @inline(__always) func visit(_ at: Int) {
            let byte = bytes[at]
            if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "!") || byte == UInt8(ascii: "?") { body(at, scalar) }
            if byte & 0xC0 != 0x80 { scalar += 1 }
        }
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            if holdsZero(word ^ 0x2E2E_2E2E_2E2E_2E2E) || holdsZero(word ^ 0x2121_2121_2121_2121)
                || holdsZero(word ^ 0x3F3F_3F3F_3F3F_3F3F)
            {
                for at in offset..<(offset + 8) { visit(at) }
            } else {
                scalar += 8 - UTF8Scalars.continuationCount(word)
            }
            offset += 8
        }
        while offset < bytes.count {
            visit(offset)
            offset += 1
        }
    }

    /// True when a sentence ends between any two of the tokens `first...last`.
    public static func within(_ breaks: [Bool], _ first: Int, _ last: Int) -> Bool {
        first < last && breaks[(first + 1)...last].contains(true)
    }

    /// Whether the punctuation in `gap` ends a sentence; `word` is the token before it when it
    /// could be a title.
    private static func endsSentence(_ bytes: UnsafeBufferPointer<UInt8>, _ gap: Range<Int>, after word: Range<Int>?)
        -> Bool
    {
        var depth = 0
        var ends = false
        for at in gap {
            switch bytes[at] {
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                // A bracket closed that the gap did not open (a note whose words are tokens,
                // `[inaudible?]` with notes kept): what came before it was inside the note.
                if depth == 0 { ends = false } else { depth -= 1 }
            case UInt8(ascii: "!"), UInt8(ascii: "?"):
                if depth == 0 { ends = true }
            case UInt8(ascii: ".") where depth == 0:
                let dotBefore = at > gap.lowerBound && bytes[at - 1] == UInt8(ascii: ".")
                let dotAfter = at + 1 < gap.upperBound && bytes[at + 1] == UInt8(ascii: ".")
                if !dotBefore && !dotAfter && at + 1 < gap.upperBound && !beginsLowercase(bytes, at: gap.upperBound)
                    && !(at == gap.lowerBound && word.map { titles.contains(bytes[$0].map(\.asciiLowercased)) } == true)
                {
                    ends = true
                }
            default:
                break
            }
        }
        return ends
    }

    /// Titles written with a full stop before a name (`Dr. Patel`, `Mrs. Jones`, `Prof. Smith`,
    /// `St. Thomas'`): the stop after them ends no sentence. English and German (`Hr.`, `Fr.`,
    /// `Frl.`), and those of Spanish and Portuguese (`Sra.`, `Srta.`, `Dra.`, `Dña.`), French
    /// (`Mme.`, `Mlle.`), Italian (`Sig.`, `Dott.`) and Dutch (`Dhr.`, `Mevr.`) interviews that
    /// are no English word (French `Me.`, Maître, would be `me.` at a sentence's end; `Mm.`, a
    /// filler, stays out).
    static let titles: Set<[UInt8]> = Set(
        [
            "dr", "drs", "mr", "mrs", "ms", "mx", "prof", "st", "mt", "jr", "sr", "hr", "fr", "nr", "vs", "cf", "frl",
            "sra", "srta", "dra", "d\u{F1}a", "mme", "mlle", "sig", "dott", "dhr", "mevr",
        ].map { Array($0.utf8) })

    private static func beginsLowercase(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        guard offset < bytes.count else { return false }
        let (value, _) = UTF8Scalars.decode(bytes, at: offset)
        return Unicode.Scalar(value)?.properties.isLowercase ?? false
    }
}
