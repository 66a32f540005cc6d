import Corpus
import Foundation

/// One word token of a segment: its normalised form and exact spelling as vocabulary ids, and
/// where it stands in the segment's text (Unicode scalar offsets), so it traces back to the turn.
public struct Token: Sendable, Hashable {
    /// Id of the normalised form (case-folded, NFC, apostrophes unified) in the form vocabulary.
    public var form: Int32
    /// Id of the exact spelling in the surface vocabulary.
    public var surface: Int32
    /// Scalar offsets `[start, end)` into the segment text.
    public var start: Int32
    public var end: Int32
}

/// Splits text into word tokens, Unicode-aware, with an ASCII fast path over UTF-8 bytes.
///
/// A token is a run of letters and digits of any script (combining marks included), with an
/// internal apostrophe (`don't`, curly or straight, normalised to `'`) or hyphen (`work-life`)
/// and, in numbers, an internal `.` or `,` (`3.5`, `50,000`). URLs and e-mail addresses are one
/// token each; every Han, Hiragana or Katakana character is a token of its own; punctuation,
/// symbols and emoji are dropped; a transcriber's note in square brackets (`[laughs]`,
/// `[inaudible 00:12:03]`, `[hospital name]`) or double parentheses (`((laughs))`), a sound or a
/// pause in single ones (`(laughs)`, `(0.5)`) and a time between hashes (f4transkript's
/// `#00:01:23-4#`) are skipped unless ``Options/annotations`` keeps them.
/// Hand-written: no package on this machine tokenises text.
public struct Tokenizer: Sendable {
    /// How forms are normalised and what counts as part of a token.
    public struct Options: Sendable, Hashable, Codable {
        public enum CaseMode: String, Sendable, Hashable, Codable, CaseIterable {
            /// Full Unicode case folding (`Straße` → `strasse`, `İ` → `i̇`): the default.
            case fold
            /// Simple lower-casing (`Straße` → `straße`).
            case lower
            /// Keep case as written.
            case preserve
        }

        public var caseMode: CaseMode = .fold
        /// Fold diacritics away (`café` → `cafe`).
        public var foldDiacritics = false
        /// Keep an apostrophe between letters in the token (`don't`); else it splits.
        public var apostrophes = true
        /// Keep a trailing possessive apostrophe after `s` (`doctors'`).
        public var possessiveApostrophe = true
        /// Keep a hyphen between letters in the token (`work-life`); else it splits.
        public var hyphens = true
        /// Keep `.` or `,` between digits in a number (`3.5`, `50,000`); else it splits.
        public var numberSeparators = true
        /// Keep tokens that are numbers only.
        public var numbers = true
        /// Keep URLs and e-mail addresses as one token.
        public var urls = true
        /// Keep the words of transcribers' notes in square brackets (`[laughs]`, `[inaudible]`, an
        /// anonymised `[hospital name]`), double parentheses (`((coughs))`) or single ones around
        /// a sound (`(laughs)`, `(unv.)`); else such a stretch of one line, up to
        /// ``annotationLimit`` bytes, is skipped: it is not what the speaker said.
        public var annotations = false
        /// How far a phrase query, a lexicon pattern of several words or an n-gram may reach.
        public var phrases: PhraseScope = .sentence
        /// Keep single letters joined by full stops as one token (`U.K.`, `e.g.`, `a.m.`), its
        /// form without the stops (`uk`, so `UK` and `U.K.` are one word); else each letter is a
        /// token. The last full stop is left to end a sentence.
        public var initialisms = true

        /// How far a match of several words may reach in a turn.
        public enum PhraseScope: String, Sendable, Hashable, Codable, CaseIterable {
            /// Within a sentence (``SentenceBreaks``): "protected time" is not found in "… felt
            /// protected. Time was short", nor counted as a bigram there. The default.
            case sentence
            /// Anywhere in the turn, across sentence ends, as token-based concordancers (AntConc)
            /// and the shared benchmark task match.
            case turn
        }

        /// The longest note skipped, in bytes: a `[` without its `]` this close is a separator.
        public static let annotationLimit = 200

        public init() {}

        // Written by hand to read options saved before `annotations`, `phrases` and `initialisms` existed.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            caseMode = try container.decode(CaseMode.self, forKey: .caseMode)
            foldDiacritics = try container.decode(Bool.self, forKey: .foldDiacritics)
            apostrophes = try container.decode(Bool.self, forKey: .apostrophes)
            possessiveApostrophe = try container.decode(Bool.self, forKey: .possessiveApostrophe)
            hyphens = try container.decode(Bool.self, forKey: .hyphens)
            numberSeparators = try container.decode(Bool.self, forKey: .numberSeparators)
            numbers = try container.decode(Bool.self, forKey: .numbers)
            urls = try container.decode(Bool.self, forKey: .urls)
            annotations = try container.decodeIfPresent(Bool.self, forKey: .annotations) ?? false
            phrases = try container.decodeIfPresent(PhraseScope.self, forKey: .phrases) ?? .sentence
            initialisms = try container.decodeIfPresent(Bool.self, forKey: .initialisms) ?? true
        }
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Character classes of the scanner. `opening` (a `[` or `(` that may open a note) follows
    /// `letter` and `digit`, so that the gap loop stops at all three with one range check.
    enum Kind: UInt8 {
        case other, letter, digit, opening, mark, apostrophe, hyphen, separator, ideograph, ignorable
    }

    /// ASCII's kinds when notes are skipped: `[` opens one, and `(` and `#` may (`((laughs))`,
    /// `#00:01:23-4#`).
    static let asciiKindsSkippingNotes: [Kind] = asciiKinds.enumerated().map { byte, kind in
        byte == Int(UInt8(ascii: "[")) || byte == Int(UInt8(ascii: "(")) || byte == Int(UInt8(ascii: "#"))
            ? .opening : kind
    }

    static let asciiKinds: [Kind] = (0..<128).map { byte -> Kind in
        switch UInt8(byte) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): .letter
        case UInt8(ascii: "0")...UInt8(ascii: "9"): .digit
        case UInt8(ascii: "'"): .apostrophe
        case UInt8(ascii: "-"): .hyphen
        case UInt8(ascii: "."), UInt8(ascii: ","): .separator
        default: .other
        }
    }

    static func kind(of scalar: Unicode.Scalar) -> Kind {
        let value = scalar.value
        if value < 128 { return asciiKinds[Int(value)] }
        if value < latinLimit { return latinKinds[Int(value) - 128] }
        return kind(beyondASCII: scalar)
    }

    /// Where the scalars told and normalised from tables end (``latinKinds``,
    /// ``Normalizer/latin(_:caseMode:)``): U+0300, the first combining mark. Every scalar below
    /// it is a starter.
    static let latinLimit: UInt32 = 0x300

    /// ``kind(of:)`` of the scalars from U+0080 to U+02FF, from a table made once by
    /// ``kind(beyondASCII:)``: asking Unicode's general category of every accented letter was
    /// 4.5 % of `tmine freq` on text with accents.
    static let latinKinds: [Kind] = (128..<latinLimit).compactMap(Unicode.Scalar.init).map(kind(beyondASCII:))

    static func kind(beyondASCII scalar: Unicode.Scalar) -> Kind {
        let value = scalar.value
        switch value {
        case 0x2019, 0x02BC: return .apostrophe
        case 0x2010, 0x2011: return .hyphen
        case 0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF: return .ignorable
        case 0x3040...0x309F, 0x30A0...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F,  // kana
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F:  // Han
            return .ideograph
        default:
            break
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .nonspacingMark, .spacingMark, .enclosingMark: return .mark
        case .decimalNumber, .letterNumber, .otherNumber: return .digit
        default: return .other
        }
    }

    /// Whether every token of `text` whose form is ASCII without an apostrophe or hyphen is
    /// spelt, case aside, by a stretch of the text's own bytes, whatever the options: so unless
    /// the text has a character beyond ASCII that can be part of a word (a letter, mark, digit
    /// or invisible character, which folding, normalising or dropping can turn into ASCII or
    /// take out of a word). Other characters separate tokens or are tokens of their own, and
    /// apostrophes and hyphens become ASCII ones only inside a token, whose form then has one.
    /// A lexicon edit judges a turn from its bytes by this, without tokenising it; so it reads
    /// the text's UTF-8 and decodes only the scalars beyond ASCII.
    public static func spellsPlainASCIIFormsInPlace(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < utf8.count {
            let lead = utf8[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            // Not where a scalar starts, or cut short (never, in a `String`): say no, as for a letter.
            let whole = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
            guard lead >= 0xC0, index + whole <= utf8.count else { return false }
            let (value, length) = UTF8Scalars.decode(utf8, at: index)
            guard let scalar = Unicode.Scalar(value) else { return false }
            switch kind(of: scalar) {
            case .other, .opening, .ideograph, .apostrophe, .hyphen, .separator: index += length
            case .letter, .digit, .mark, .ignorable: return false
            }
        }
        return true
    }

    /// Tokens of `text`, interning forms and spellings into the given vocabularies.
    public func tokenize(_ text: String, forms: inout Vocabulary, surfaces: inout Vocabulary) -> [Token] {
        var scratch = TokenScratch()
        return tokenize(text, forms: &forms, surfaces: &surfaces, scratch: &scratch)
    }

    /// The same, with buffers kept across calls that share the vocabularies (a corpus's segments).
    func tokenize(_ text: String, forms: inout Vocabulary, surfaces: inout Vocabulary, scratch: inout TokenScratch)
        -> [Token]
    {
        // Collected in the scratch buffer and copied out once: appending to a fresh array
        // reallocated it about seven times per turn.
        scratch.tokens.removeAll(keepingCapacity: true)
        var text = text
        text.withUTF8 { bytes in
            scan(bytes) { span in
                let token = scratch.intern(span, in: bytes, options: options, forms: &forms, surfaces: &surfaces)
                if let token { scratch.tokens.append(token) }
            }
        }
        // A real copy: `Array(scratch.tokens)` would share the buffer, and the next turn's
        // `removeAll` would then allocate a new one.
        return scratch.tokens.withUnsafeBufferPointer { found in
            [Token](unsafeUninitializedCapacity: found.count) { copy, count in
                count = copy.initialize(fromContentsOf: found)
            }
        }
    }

    /// The number of tokens of `text`, as ``tokenize(_:forms:surfaces:)`` would return, without
    /// interning them: for turns no analysis reads but whose words are counted.
    public func count(_ text: String) -> Int {
        var text = text
        var count = 0
        text.withUTF8 { bytes in
            scan(bytes) { span in
                if span.isKept(by: options) { count += 1 }
            }
        }
        return count
    }

    /// A token as found: byte and scalar bounds, and whether it needs the Unicode slow path.
    struct Span {
        var byteStart: Int
        var byteEnd: Int
        var scalarStart: Int
        var scalarEnd: Int
        /// Holds a non-ASCII scalar other than a curly apostrophe or Unicode hyphen.
        var needsUnicode: Bool
        var isNumber: Bool
        var isURL: Bool
        /// Single letters joined by full stops (`U.K`): its form leaves the stops out.
        var isInitialism = false

        /// Whether it is a token under these options (numbers may be left out).
        func isKept(by options: Options) -> Bool { options.numbers || !isNumber }
    }

    /// A word written as an initialism (`U.K.`, `e.g`): its spelling as the tokeniser keeps it
    /// (the last full stop left to the sentence) and its letters without the stops, for a query
    /// to find what the text's initialisms became; nil for any other word.
    public static func initialism(_ word: String) -> (spelling: String, letters: String)? {
        let spelling = word.hasSuffix(".") ? String(word.dropLast()) : word
        let parts = spelling.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count > 1 else { return nil }
        if parts.allSatisfy({ $0.count == 1 && $0.first?.isLetter == true }) { return (spelling, parts.joined()) }
        // `Ph.D.`, `M.Sc.` (``degreeEnd(_:from:)``): ASCII parts of one or two letters; a query
        // may leave the last stop out (`Ph.D`), which the text must have.
        var written = spelling + "."
        let isDegree = written.withUTF8 { degreeEnd($0, from: 0) == $0.count - 1 }
        return isDegree ? (spelling, parts.joined()) : nil
    }

    /// Where a degree or title written with stops ends (`Ph.D.`, `M.Sc.`, `B.Ed.`): ASCII letters
    /// in parts of one or two, each part followed by a full stop, some part of one letter and some
    /// of two, from `start`; the end of its last letter (its last stop is left to the sentence).
    /// Parts of single letters are the scanner's own rule (`U.K`, no last stop needed); with a part
    /// of two, the last stop is required, so that `Dr.No` or `vs.He`, a missing space, stay apart.
    static func degreeEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        func isLetter(_ at: Int) -> Bool { at < bytes.count && (bytes[at] | 0x20) &- 0x61 < 26 }
        var index = start
        var (ones, twos, parts) = (false, false, 0)
        while isLetter(index) {
            let partStart = index
            while isLetter(index) && index - partStart < 3 { index += 1 }
            let length = index - partStart
            guard length <= 2, index < bytes.count, bytes[index] == UInt8(ascii: ".") else { return nil }
            ones = ones || length == 1
            twos = twos || length == 2
            parts += 1
            index += 1
        }
        // No ASCII letter follows the last stop (the loop read it as a part); no digit may (`Ph.D.5`).
        guard parts >= 2, ones, twos, index == bytes.count || bytes[index] &- 0x30 >= 10 else { return nil }
        return index - 1
    }

    /// Finds token spans in UTF-8 bytes: the hot loop, with no `String` work.
    func scan(_ bytes: UnsafeBufferPointer<UInt8>, emit: (Span) -> Void) {
        // Read once: a static is reached through a `swift_once` check on every access.
        (options.annotations ? Self.asciiKinds : Self.asciiKindsSkippingNotes).withUnsafeBufferPointer { asciiKinds in
            scan(bytes, asciiKinds: asciiKinds, emit: emit)
        }
    }

    private func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, asciiKinds: UnsafeBufferPointer<Kind>, emit: (Span) -> Void
    ) {
        let count = bytes.count
        var index = 0
        var scalarIndex = 0
        // The next `@` at or after `index` (`count`: none). An e-mail address needs one after its
        // local part, so a word with none ahead skips the e-mail check, which would read the
        // word a second time; most texts have no `@` at all, found by one `memchr`.
        var nextAt = options.urls ? Self.nextAt(bytes, from: 0) : count

        // Decodes the scalar at a byte index: its kind, its length in bytes.
        func decode(_ at: Int) -> (Kind, Int, Bool) {
            let lead = bytes[at]
            if lead < 0x80 { return (asciiKinds[Int(lead)], 1, false) }
            var length = 1
            var value: UInt32
            if lead & 0xE0 == 0xC0 {
                length = 2
                value = UInt32(lead & 0x1F)
            } else if lead & 0xF0 == 0xE0 {
                length = 3
                value = UInt32(lead & 0x0F)
            } else {
                length = 4
                value = UInt32(lead & 0x07)
            }
            length = min(length, count - at)
            for offset in 1..<max(length, 1) { value = value << 6 | UInt32(bytes[at + offset] & 0x3F) }
            guard let scalar = Unicode.Scalar(value) else { return (.other, length, true) }
            let kind = Self.kind(of: scalar)
            let special = (kind == .apostrophe || kind == .hyphen)
            return (kind, length, !special)
        }

        while index < count {
            // ASCII spaces and punctuation between tokens, skipped in a tight loop.
            let gapStart = index
            while index < count, bytes[index] < 0x80 {
                let ascii = asciiKinds[Int(bytes[index])]
                if ascii == .letter || ascii == .digit || ascii == .opening { break }
                index += 1
            }
            scalarIndex += index - gapStart
            if index == count { break }
            let (kind, length, _) = decode(index)
            if kind == .opening {
                let end = Self.noteEnd(bytes, from: index)
                scalarIndex += scalarCount(bytes, index, end)
                index = end
                continue
            }
            if kind == .letter || kind == .digit {
                if options.urls, nextAt < index { nextAt = Self.nextAt(bytes, from: index) }
                if options.urls, let end = urlEnd(bytes, from: index, email: nextAt < count) {
                    let scalars = scalarCount(bytes, index, end)
                    emit(
                        Span(
                            byteStart: index, byteEnd: end, scalarStart: scalarIndex,
                            scalarEnd: scalarIndex + scalars, needsUnicode: false, isNumber: false, isURL: true))
                    scalarIndex += scalars
                    index = end
                    continue
                }
                let start = index
                let scalarStart = scalarIndex
                var needsUnicode = bytes[index] >= 0x80
                var allDigits = kind == .digit
                var initialism = false
                var previous = kind
                index += length
                scalarIndex += 1
                var end = index
                var scalarEnd = scalarIndex
                while index < count {
                    // ASCII letters and digits, the bulk of most tokens: eight bytes at a time,
                    // then the last few, and the byte that ends the run, in a tight loop.
                    let runStart = index
                    if let base = bytes.baseAddress {
                        while index + 8 <= count {
                            let (length, letters) = Self.letterOrDigitRun(
                                UInt64(
                                    littleEndian: UnsafeRawPointer(base).loadUnaligned(
                                        fromByteOffset: index, as: UInt64.self)))
                            if letters { allDigits = false }
                            index += length
                            if length < 8 { break }
                        }
                    }
                    while index < count, bytes[index] < 0x80 {
                        let ascii = asciiKinds[Int(bytes[index])]
                        if ascii == .letter {
                            allDigits = false
                        } else if ascii != .digit {
                            break
                        }
                        index += 1
                    }
                    if index > runStart {
                        scalarIndex += index - runStart
                        end = index
                        scalarEnd = scalarIndex
                        previous = asciiKinds[Int(bytes[index - 1])]
                        if index == count { break }
                    }
                    let (next, nextLength, unicode) = decode(index)
                    switch next {
                    case .letter, .digit, .mark, .ignorable:
                        if next == .letter { allDigits = false }
                        if unicode { needsUnicode = true }
                        index += nextLength
                        scalarIndex += 1
                        end = index
                        scalarEnd = scalarIndex
                        previous = next == .ignorable ? previous : next
                        continue
                    case .apostrophe, .hyphen, .separator:
                        let after = index + nextLength
                        // `U.K.`, `e.g.`: single letters joined by full stops.
                        if next == .separator, options.initialisms, bytes[index] == UInt8(ascii: "."),
                            previous == .letter, initialism || scalarEnd - scalarStart == 1, after < count
                        {
                            let (following, followingLength, unicode) = decode(after)
                            let beyond = after + followingLength
                            // The letter after the stop is one alone (`U.K`, not `U.Kx`).
                            let alone = beyond == count || ![.letter, .digit, .mark].contains(decode(beyond).0)
                            if following == .letter, alone {
                                initialism = true
                                if unicode { needsUnicode = true }
                                index = beyond
                                scalarIndex += 2
                                end = index
                                scalarEnd = scalarIndex
                                continue
                            }
                        }
                        // `Ph.D.`, `M.Sc.`: letters in ones and twos, a stop after each (ASCII).
                        if next == .separator, options.initialisms, !initialism, !needsUnicode,
                            bytes[index] == UInt8(ascii: "."), previous == .letter, index - start <= 2,
                            let last = Self.degreeEnd(bytes, from: start)
                        {
                            initialism = true
                            scalarIndex += last - index
                            index = last
                            end = index
                            scalarEnd = scalarIndex
                            continue
                        }
                        let allowed: Bool
                        switch next {
                        case .apostrophe: allowed = options.apostrophes
                        case .hyphen: allowed = options.hyphens
                        default: allowed = options.numberSeparators && previous == .digit
                        }
                        if allowed, after < count {
                            let (following, _, _) = decode(after)
                            let joins =
                                next == .separator
                                ? following == .digit
                                : following == .letter || following == .digit
                            if joins {
                                if next != .separator { allDigits = false }
                                index = after
                                scalarIndex += 1
                                previous = next
                                continue
                            }
                        }
                        if next == .apostrophe, options.apostrophes, options.possessiveApostrophe,
                            bytes[end - 1] | 0x20 == UInt8(ascii: "s"), previous == .letter
                        {
                            // `doctors'`: keep the apostrophe unless a word follows it.
                            let followedByWord = after < count && [.letter, .digit].contains(decode(after).0)
                            if !followedByWord {
                                end = after
                                scalarEnd = scalarIndex + 1
                                scalarIndex += 1
                                index = after
                            }
                        }
                    default:
                        break
                    }
                    break
                }
                emit(
                    Span(
                        byteStart: start, byteEnd: end, scalarStart: scalarStart, scalarEnd: scalarEnd,
                        needsUnicode: needsUnicode, isNumber: allDigits, isURL: false, isInitialism: initialism))
                continue
            }
            if kind == .ideograph {
                emit(
                    Span(
                        byteStart: index, byteEnd: index + length, scalarStart: scalarIndex,
                        scalarEnd: scalarIndex + 1, needsUnicode: true, isNumber: false, isURL: false))
            }
            index += length
            scalarIndex += 1
        }
    }

    /// The UTF-8 byte ranges of the notes in `text` that the tokeniser skips (unless
    /// ``Options/annotations`` keeps them), found by the same rule (``noteEnd(_:from:)``), in
    /// order. (A bracket inside a URL token is not looked at by the tokeniser and is here.)
    public static func noteRanges(in text: String) -> [Range<Int>] {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return [] }
            // Each byte that may open a note found by `memchr` (vectorised), not byte by byte:
            // most turns have none, and a study without notes paid 1 % of a cold run's CPU.
            func find(_ byte: UInt8, from start: Int) -> Int {
                guard start < bytes.count, let found = memchr(base + start, Int32(byte), bytes.count - start) else {
                    return bytes.count
                }
                return UnsafeRawPointer(found) - UnsafeRawPointer(base)
            }
            var next = noteOpenings.map { find($0, from: 0) }
            var ranges: [Range<Int>] = []
            var index = 0
            while true {
                for slot in next.indices where next[slot] < index { next[slot] = find(noteOpenings[slot], from: index) }
                let start = next.min() ?? bytes.count
                guard start < bytes.count else { return ranges }
                let end = noteEnd(bytes, from: start)
                if end > start + 1 { ranges.append(start..<end) }
                index = end
            }
        }
    }

    /// Of eight bytes (the first the lowest), how many from the first are ASCII letters or
    /// digits, and whether a letter is among those: each byte's class by the carry into its top
    /// bit (a byte's low seven bits plus a constant below 0x80 never carries into the next).
    /// Letters and digits checked a byte at a time left the loop at a different byte of every
    /// word, a misprediction a word; eight at a time, most words end in the first eight.
    @inline(__always)
    static func letterOrDigitRun(_ word: UInt64) -> (length: Int, letters: Bool) {
        let high: UInt64 = 0x8080_8080_8080_8080
        let low = word & ~high
        let folded = low | 0x2020_2020_2020_2020  // `A`–`Z` onto `a`–`z`
        let letter = (folded &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(folded &+ 0x0505_0505_0505_0505) & ~word & high
        let digit = (low &+ 0x5050_5050_5050_5050) & ~(low &+ 0x4646_4646_4646_4646) & ~word & high
        let length = (~(letter | digit) & high).trailingZeroBitCount >> 3
        let run: UInt64 = length == 8 ? .max : (1 << UInt64(8 * length)) &- 1
        return (length, letter & run != 0)
    }

    /// The bytes that may open a note (``asciiKindsSkippingNotes``'s openings).
    private static let noteOpenings: [UInt8] = (0..<128).filter { asciiKindsSkippingNotes[$0] == .opening }.map {
        UInt8($0)
    }

    /// Past the end of the note opened at `start`: a time between hashes
    /// (``timestampEnd(_:from:)``), the `]` after a `[`, or the `))` after a
    /// `((` (a comment in Jefferson's and GAT's transcription conventions), on the same line and
    /// within ``Options/annotationLimit`` bytes; a single `(` opens a note only around a pause
    /// (``pauseEnd(_:from:)``) or a sound (``eventEnd(_:from:)``), for else it holds speech
    /// (Jefferson's words heard unsure, an aside). Else past the opening alone, a separator. A
    /// second opening first ends the search: notes do not nest.
    private static func noteEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        if bytes[start] == UInt8(ascii: "#") { return timestampEnd(bytes, from: start) ?? start + 1 }
        let square = bytes[start] == UInt8(ascii: "[")
        guard square || (start + 1 < bytes.count && bytes[start + 1] == UInt8(ascii: "(")) else {
            return pauseEnd(bytes, from: start) ?? eventEnd(bytes, from: start) ?? start + 1
        }
        let opening = bytes[start]
        let closing = square ? UInt8(ascii: "]") : UInt8(ascii: ")")
        let limit = min(bytes.count, start + 2 + Options.annotationLimit)
        var index = square ? start + 1 : start + 2
        while index < limit {
            switch bytes[index] {
            case closing:
                if square { return index + 1 }
                return index + 1 < bytes.count && bytes[index + 1] == closing ? index + 2 : start + 1
            case opening, UInt8(ascii: "\n"), UInt8(ascii: "\r"): return start + 1
            default: index += 1
            }
        }
        return start + 1
    }

    /// Past a time between hashes, as f4transkript, f5transkript and MAXQDA put one at the end of
    /// each turn (`#00:01:23-4#`, tenths after the dash): a digit first, then digits, colons,
    /// full stops and dashes, within 16 bytes, and at least one colon.
    private static func timestampEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start + 1
        var colons = 0
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
        while index < min(bytes.count, start + 16) {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"): index += 1
            case UInt8(ascii: ":"):
                colons += 1
                index += 1
            case UInt8(ascii: "#"): return colons > 0 ? index + 1 : nil
            default: return nil
            }
        }
        return nil
    }

    /// Past a timed pause or micropause in single parentheses (`(0.5)`, `(.)`, Jefferson's
    /// notation) or a time (`(00:12:45)`): digits, full stops and colons only.
    private static func pauseEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start + 1
        while index < min(bytes.count, start + 14),
            bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ":")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index])
        {
            index += 1
        }
        guard index > start + 1, index < bytes.count, bytes[index] == UInt8(ascii: ")") else { return nil }
        return index + 1
    }

    /// Past a sound or event in single parentheses, as most transcription guides write one
    /// (`(laughs)`, `(long pause)`, `(clears throat)`, `(inaudible 00:12:03)`; Dresing and Pehl's
    /// `(lacht)`, `(unv.)`), or another speaker's interjection (`(I: mhm)`, `(Interviewer: yes)`):
    /// on one line, within ``eventLimit`` bytes, with one of ``eventWords`` as its first word (and
    /// four words at most) or its second (three at most), or a label of one or two words and a
    /// colon first. Anything else in single parentheses is speech.
    private static func eventEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let limit = min(bytes.count, start + 1 + eventLimit)
        var index = start + 1
        var wordStart: Int?
        var words = 0
        // Words that start with a letter (a time's digits are not counted), and the most of them
        // a note may have: four after a sound word first (`(laughs at the memory)`), three after
        // one second (`(Interviewer laughs briefly)`; `(I laugh at that)` is speech), any after a
        // label.
        var letterWords = 0
        var most = 0
        while index < limit {
            let byte = bytes[index]
            // Beyond ASCII, what the tokeniser keeps out of words (punctuation, symbols, a
            // no-break space: `(laughs…)`, `(«inaudible»)`) separates a note's words too.
            let (value, length) = UTF8Scalars.decode(bytes, at: index)
            let inWord =
                byte >= 0x80
                ? Unicode.Scalar(value).map { kind(of: $0) != .other } ?? false
                : byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            if inWord {
                if wordStart == nil { wordStart = index }
            } else if let first = wordStart {
                words += 1
                wordStart = nil
                if !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[first]) { letterWords += 1 }
                // Only the first two words are looked at; each `(` is rare, so its copy is cheap.
                // A colon right after them, from the parenthesis's first letter, ends a label: another
                // speaker's interjection inside the turn, as Dresing and Pehl write one (`(I: mhm)`).
                if most == 0, words <= 2 {
                    if byte == UInt8(ascii: ":"), index - start <= 21,
                        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[start + 1] | 0x20)
                    {
                        most = .max
                    } else if eventWords.contains(String(decoding: bytes[first..<index], as: UTF8.self).lowercased()) {
                        most = words == 1 ? 4 : 3
                    }
                }
            }
            switch byte {
            case UInt8(ascii: ")"): return letterWords <= most ? index + 1 : nil
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "\n"), UInt8(ascii: "\r"): return nil
            default: index += length
            }
        }
        return nil
    }

    /// The longest sound or event in single parentheses, in bytes.
    static let eventLimit = 60

    /// Words that make a parenthesised stretch a transcriber's note of a sound or an event rather
    /// than speech, in English, German (Dresing and Pehl's rules), French, Spanish and Dutch. Not
    /// nouns that an aside or words heard unsure could start with (`music`, `phone`, `noise`,
    /// `recording`, `break`): `(phone rings)` is a note by its verb.
    static let eventWords: Set<String> = [
        // English
        "laugh", "laughs", "laughed", "laughing", "laughter", "chuckle", "chuckles", "chuckling", "giggle",
        "giggles", "giggling", "smiles", "smiling", "sigh", "sighs", "sighing", "cough", "coughs", "coughing",
        "clears", "sniff", "sniffs", "sniffing", "yawns", "groans", "exhales", "inhales", "tuts", "whispers",
        "whispering", "mumbles", "mumbling", "crying", "cries", "sobbing", "sobs", "nods", "nodding", "shrugs",
        "gestures", "gesturing", "claps", "clapping", "applause", "hesitates", "hesitation", "pause", "pauses",
        "paused", "pausing", "silence", "inaudible", "unintelligible", "indistinct", "unclear",
        "incomprehensible", "crosstalk", "cross-talk", "overlap", "overlapping", "interruption", "interrupted",
        "interrupts", "interrupting", "knocking", "rings", "ringing", "beeps", "beeping", "buzzing",
        "redacted", "sic",
        // German
        "lacht", "lachen", "lachend", "lächelt", "schmunzelt", "seufzt", "hustet", "räuspert", "schnieft", "gähnt",
        "zögert", "stockt", "flüstert", "weint", "nickt", "klatscht", "atmet", "unv", "unverst", "unverständlich",
        "stille", "unterbrechung", "unterbricht", "störung", "klingelt", "klopft", "hintergrundgeräusche",
        "überlappend", "anonymisiert",
        // French
        "rire", "rires", "rit", "sourit", "soupir", "soupire", "tousse", "toux", "chuchote", "hésite", "inaudibles",
        "incompréhensible",
        // Spanish
        "risa", "risas", "ríe", "sonríe", "suspira", "suspiro", "tose", "pausa", "silencio", "ininteligible",
        "susurra",
        // Dutch
        "zucht", "hoest", "stilte", "onverstaanbaar", "pauze",
    ]

    private func scalarCount(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        var count = 0
        for index in from..<to where bytes[index] & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// The index of the first `@` at or after `from`, or the buffer's count when there is none.
    private static func nextAt(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard start < bytes.count, let base = bytes.baseAddress else { return bytes.count }
        guard let found = memchr(base + start, Int32(UInt8(ascii: "@")), bytes.count - start) else {
            return bytes.count
        }
        return UnsafeRawPointer(found) - UnsafeRawPointer(base)
    }

    /// The end of a URL (`http://…`, `https://…`, `www.…`) or, unless `email` is false (no `@`
    /// follows), an e-mail address starting here.
    func urlEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, email: Bool) -> Int? {
        func hasPrefix(_ prefix: StaticString) -> Bool {
            let length = prefix.utf8CodeUnitCount
            guard start + length <= bytes.count else { return false }
            let pointer = prefix.utf8Start
            for offset in 0..<length where bytes[start + offset] | 0x20 != pointer[offset] | 0x20 { return false }
            return true
        }
        func isURLByte(_ byte: UInt8) -> Bool {
            byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">")
                && byte != UInt8(ascii: "\"")
        }
        func trimTrailingPunctuation(_ end: Int) -> Int {
            var end = end
            while end > start, ".,;:!?)]}'\"".utf8.contains(bytes[end - 1]) { end -= 1 }
            return end
        }
        let first = bytes[start] | 0x20
        if first == UInt8(ascii: "h") || first == UInt8(ascii: "w"),
            hasPrefix("http://") || hasPrefix("https://") || hasPrefix("www.")
        {
            var end = start
            while end < bytes.count, isURLByte(bytes[end]) { end += 1 }
            return trimTrailingPunctuation(end)
        }
        guard email else { return nil }
        // E-mail: local part, @, a domain with a dot.
        let asciiKinds = Self.asciiKinds
        func isLocal(_ byte: UInt8) -> Bool {
            asciiKinds[Int(byte & 0x7F)] == .letter || asciiKinds[Int(byte & 0x7F)] == .digit
                || "._%+-".utf8.contains(byte)
        }
        var at = start
        while at < bytes.count, bytes[at] < 0x80, isLocal(bytes[at]) { at += 1 }
        guard at < bytes.count, at > start, bytes[at] == UInt8(ascii: "@") else { return nil }
        var end = at + 1
        var dots = 0
        while end < bytes.count, bytes[end] < 0x80,
            asciiKinds[Int(bytes[end])] == .letter || asciiKinds[Int(bytes[end])] == .digit
                || bytes[end] == UInt8(ascii: "-") || bytes[end] == UInt8(ascii: ".")
        {
            if bytes[end] == UInt8(ascii: ".") { dots += 1 }
            end += 1
        }
        end = trimTrailingPunctuation(end)
        guard dots > 0, end > at + 3, bytes[end - 1] != UInt8(ascii: ".") else { return nil }
        return end
    }
}

/// Reusable buffers that turn a token span into interned ids.
struct TokenScratch {
    var buffer: [UInt8] = []
    /// The tokens of the text being tokenised.
    var tokens: [Token] = []
    /// The form id of each spelling id: a spelling seen before needs no second lookup. Entry `i`
    /// is spelling `i`'s, appended only in step with the spelling vocabulary.
    var formOfSurface: [Int32] = []
    /// The normalised forms of non-ASCII spellings, for the options of the one tokeniser a
    /// scratch serves (fetched at the first such spelling).
    var normalized: WordMemo?

    init() { buffer.reserveCapacity(64) }

    mutating func intern(
        _ span: Tokenizer.Span, in bytes: UnsafeBufferPointer<UInt8>, options: Tokenizer.Options,
        forms: inout Vocabulary, surfaces: inout Vocabulary
    ) -> Token? {
        guard span.isKept(by: options) else { return nil }
        let surfaceBytes = UnsafeBufferPointer(rebasing: bytes[span.byteStart..<span.byteEnd])
        let hash = Vocabulary.hash(surfaceBytes)
        let surface = surfaces.intern(surfaceBytes, hash: hash)
        let token = { (form: Int32) in
            Token(form: form, surface: surface, start: Int32(span.scalarStart), end: Int32(span.scalarEnd))
        }
        if Int(surface) < formOfSurface.count { return token(formOfSurface[Int(surface)]) }
        // A new spelling that is its own form (ASCII letters and digits, in lower case when case
        // is folded: most spellings of most documents, each of which a document's vocabulary
        // meets anew) is interned as it is, with the hash it has.
        let form: Int32
        if !span.needsUnicode, !span.isInitialism, !options.foldDiacritics,
            Self.isOwnForm(surfaceBytes, lowering: options.caseMode != .preserve)
        {
            form = forms.intern(surfaceBytes, hash: hash)
        } else {
            makeForm(of: span, surfaceBytes, in: bytes, options: options)
            form = buffer.withUnsafeBufferPointer { forms.intern($0) }
        }
        if Int(surface) == formOfSurface.count { formOfSurface.append(form) }
        return token(form)
    }

    /// Puts the form of a spelling that is not its own in `buffer`.
    private mutating func makeForm(
        of span: Tokenizer.Span, _ surfaceBytes: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>,
        options: Tokenizer.Options
    ) {
        buffer.removeAll(keepingCapacity: true)
        defer { if span.isInitialism { buffer.removeAll { $0 == UInt8(ascii: ".") } } }
        if span.needsUnicode || options.foldDiacritics {
            let normalize = { Normalizer.normalize(String(decoding: surfaceBytes, as: UTF8.self), options: options) }
            if UTF8Scalars.isASCII(surfaceBytes) {
                buffer.append(contentsOf: normalize().utf8)
            } else {
                // Through Unicode's tables once a process for each spelling (see `WordMemo`).
                let memo = normalized ?? WordMemo.normalized(for: options)
                normalized = memo
                memo.appendValue(of: surfaceBytes, to: &buffer, work: normalize)
            }
        } else {
            // ASCII, possibly with a curly apostrophe or Unicode hyphen: map byte by byte.
            let lower = options.caseMode != .preserve
            var index = span.byteStart
            while index < span.byteEnd {
                let byte = bytes[index]
                if byte < 0x80 {
                    buffer.append(lower ? byte.asciiLowercased : byte)
                    index += 1
                } else {
                    // U+2019 / U+02BC → `'`; U+2010 / U+2011 → `-` (the only non-ASCII here).
                    let isApostrophe = (byte == 0xE2 && bytes[index + 2] == 0x99) || byte == 0xCA
                    buffer.append(isApostrophe ? UInt8(ascii: "'") : UInt8(ascii: "-"))
                    index += byte >= 0xE0 ? 3 : 2
                }
            }
        }
    }

    /// Whether a spelling's form is its bytes as they are: all ASCII (no curly apostrophe or
    /// Unicode hyphen to map) and, when `lowering`, no capital letter.
    @inline(__always)
    static func isOwnForm(_ bytes: UnsafeBufferPointer<UInt8>, lowering: Bool) -> Bool {
        for byte in bytes where byte >= 0x80 || (lowering && byte &- 0x41 < 26) { return false }
        return true
    }
}

/// Unicode normalisation of one token's text: apostrophes and hyphens unified, invisible
/// characters dropped, case folded, NFC, and diacritics folded when asked for.
public enum Normalizer {
    /// The form a word written alone (a query's, a stopword list's) has as a token: normalised,
    /// and an initialism (`U.K.`) its letters when the options join initialisms.
    public static func form(of word: String, options: Tokenizer.Options) -> String {
        if options.initialisms, let initialism = Tokenizer.initialism(word) {
            return normalize(initialism.letters, options: options)
        }
        return normalize(word, options: options)
    }

    public static func normalize(_ text: String, options: Tokenizer.Options) -> String {
        // ASCII has no invisible characters, composes and folds to itself, and its apostrophe
        // and hyphen are the unified ones: only its case can change. A pipeline normalises its
        // KWIC queries for every document, and the Unicode path below cost ~1 % of a run.
        if text[...].isAllASCII {
            guard options.caseMode != .preserve else { return text }
            return String(unsafeUninitializedCapacity: text.utf8.count) { buffer in
                var count = 0
                for byte in text.utf8 {
                    buffer[count] = byte.asciiLowercased
                    count += 1
                }
                return count
            }
        }
        if !options.foldDiacritics, let latin = latin(text, caseMode: options.caseMode) { return latin }
        return unicode(text, options: options)
    }

    /// ``unicode(_:options:)`` for text whose scalars, case mapped, all lie below U+0300 (Latin
    /// letters, IPA, spacing modifiers; apostrophes, hyphens and invisible characters as it
    /// treats them); nil for any other text. Such text is in NFC already: each of those scalars
    /// is a starter that no scalar composes with (``latinTextIsInNFC`` checks every pair), so
    /// the mapped scalars are the form, each scalar's mapping taken from a table made once by
    /// ``caseFold(_:)`` and the standard library's lowercase mapping. Written by hand because
    /// three `String`s a scalar to fold its case, and Foundation's normalisation through
    /// `NSString`, were a sixth of counting the words of a text with accents, each new spelling
    /// normalised once.
    static func latin(_ text: String, caseMode: Tokenizer.Options.CaseMode) -> String? {
        let mappings: [[UInt8]?]? =
            switch caseMode {
            case .preserve: nil
            case .lower: LatinMappings.lower
            case .fold: LatinMappings.fold
            }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 128 {
                bytes.append(caseMode == .preserve ? UInt8(value) : UInt8(value).asciiLowercased)
                continue
            }
            switch Tokenizer.kind(of: scalar) {
            case .ignorable: continue
            case .apostrophe: bytes.append(0x27)
            case .hyphen: bytes.append(0x2D)
            default:
                guard value < Tokenizer.latinLimit else { return nil }
                guard let mappings else {
                    UTF8.encode(scalar) { bytes.append($0) }
                    continue
                }
                guard let mapped = mappings[Int(value)] else { return nil }
                bytes.append(contentsOf: mapped)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Each scalar below ``Tokenizer/latinLimit``'s lowercase mapping and case folding in UTF-8,
    /// nil where it leaves the range (`µ` folds to Greek `μ`, `İ` lowers to `i` and a combining dot).
    enum LatinMappings {
        private static let limit = Tokenizer.latinLimit
        static let lower = table { $0.properties.lowercaseMapping.unicodeScalars }
        static let fold = table { Normalizer.caseFold($0) }

        private static func table(_ mapping: (Unicode.Scalar) -> String.UnicodeScalarView) -> [[UInt8]?] {
            (0..<limit).map { value in
                guard let scalar = Unicode.Scalar(value) else { return nil }
                let mapped = mapping(scalar)
                guard mapped.allSatisfy({ $0.value < limit }) else { return nil }
                return Array(String(mapped).utf8)
            }
        }
    }

    /// ``normalize(_:options:)`` scalar by scalar, for any text.
    static func unicode(_ text: String, options: Tokenizer.Options) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch Tokenizer.kind(of: scalar) {
            case .ignorable: continue
            case .apostrophe: scalars.append("'")
            case .hyphen: scalars.append("-")
            default:
                switch options.caseMode {
                case .preserve: scalars.append(scalar)
                case .lower: scalars.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                case .fold: scalars.append(contentsOf: caseFold(scalar))
                }
            }
        }
        var result = String(scalars).precomposedStringWithCanonicalMapping
        if options.foldDiacritics {
            let stripped = result.decomposedStringWithCanonicalMapping.unicodeScalars.filter {
                $0.properties.generalCategory != .nonspacingMark
            }
            result = String(String.UnicodeScalarView(stripped)).precomposedStringWithCanonicalMapping
        }
        return result
    }

    /// Full case folding of one scalar, as lower(upper(lower(c))): `ß`/`ẞ` → `ss`, `ς` → `σ`,
    /// `İ` → `i̇`. Dotless `ı` folds to itself, as in Unicode's (non-Turkic) CaseFolding.txt.
    static func caseFold(_ scalar: Unicode.Scalar) -> String.UnicodeScalarView {
        if scalar.value < 128 {
            let value = scalar.value >= 65 && scalar.value <= 90 ? scalar.value | 0x20 : scalar.value
            return String.UnicodeScalarView([Unicode.Scalar(UInt8(value))])
        }
        if scalar == "\u{0131}" { return String.UnicodeScalarView([scalar]) }
        let lower = scalar.properties.lowercaseMapping
        let upper = lower.unicodeScalars.map { $0.properties.uppercaseMapping }.joined()
        let folded = upper.unicodeScalars.map { $0.properties.lowercaseMapping }.joined()
        return folded.unicodeScalars
    }
}
