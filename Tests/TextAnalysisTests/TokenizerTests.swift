import Corpus
import Foundation
import Testing

@testable import TextAnalysis

@Suite struct TokenizerTests {
    /// Every case mode, with diacritics folded and not.
    static let everyNormalisation = Tokenizer.Options.CaseMode.allCases.flatMap { caseMode in
        [false, true].map { foldDiacritics in
            var options = Tokenizer.Options()
            options.caseMode = caseMode
            options.foldDiacritics = foldDiacritics
            return options
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var forms: [String]
        var testDescription: String { text }
    }

    /// `text`'s tokens under `options`, each checked to lie in the text after the one before, and
    /// as many as ``Tokenizer/count(_:)`` counts.
    func orderedTokens(_ text: String, _ options: Tokenizer.Options) -> (
        tokens: [Token], forms: Vocabulary, surfaces: Vocabulary
    ) {
        var forms = Vocabulary()
        var surfaces = Vocabulary()
        let tokenizer = Tokenizer(options: options)
        let tokens = tokenizer.tokenize(text, forms: &forms, surfaces: &surfaces)
        #expect(tokenizer.count(text) == tokens.count, "\(text)")
        let scalars = text.unicodeScalars.count
        var previousEnd: Int32 = 0
        for token in tokens {
            #expect(token.start >= previousEnd && token.start < token.end && Int(token.end) <= scalars, "\(text)")
            previousEnd = token.end
        }
        return (tokens, forms, surfaces)
    }

    func forms(_ text: String, _ options: Tokenizer.Options = .init()) -> [String] {
        var forms = Vocabulary()
        var surfaces = Vocabulary()
        return Tokenizer(options: options).tokenize(text, forms: &forms, surfaces: &surfaces).map { forms[$0.form] }
    }

    @Test(arguments: [
        Case(text: "Don’t stop, don't.", forms: ["don't", "stop", "don't"]),
        Case(
            text: "the doctors' views and the doctor's", forms: ["the", "doctors'", "views", "and", "the", "doctor's"]),
        Case(text: "'quoted' word", forms: ["quoted", "word"]),
        Case(
            text: "work-life balance, well--known, COVID-19",
            forms: ["work-life", "balance", "well", "known", "covid-19"]),
        Case(text: "In 2020, 50% of 3.5 cost £50,000.", forms: ["in", "2020", "50", "of", "3.5", "cost", "50,000"]),
        Case(
            text: "see https://nhs.uk/ai?x=1, or www.Example.org.",
            forms: ["see", "https://nhs.uk/ai?x=1", "or", "www.example.org"]),
        Case(text: "write to jane.doe@uni.ac.uk.", forms: ["write", "to", "jane.doe@uni.ac.uk"]),
        // Each address found wherever its `@` lies: after a stray `@`, after a first address,
        // straight after one, and at the very end; a word before an `@` that is no address stays
        // a word.
        Case(
            text: "@ home @team a@b, mail x.y@nhs.net or z@ac.uk then q@r.io",
            forms: ["home", "team", "a", "b", "mail", "x.y@nhs.net", "or", "z@ac.uk", "then", "q@r.io"]),
        Case(text: "ab@cd.ef@gh.ij", forms: ["ab@cd.ef", "gh", "ij"]),
        Case(text: "great 👍🏽 idea 🎉 — yes!", forms: ["great", "idea", "yes"]),
        Case(text: "我是医生 and 東京タワー", forms: ["我", "是", "医", "生", "and", "東", "京", "タ", "ワ", "ー"]),
        Case(text: "cafe\u{301} café", forms: ["café", "café"]),
        Case(text: "İstanbul ISTANBUL ıstanbul", forms: ["i\u{307}stanbul", "istanbul", "ıstanbul"]),
        Case(text: "Straße STRASSE ẞ", forms: ["strasse", "strasse", "ss"]),
        Case(text: "ΟΔΟΣ οδος", forms: ["οδοσ", "οδοσ"]),
        Case(text: "co\u{00AD}operate", forms: ["cooperate"]),
        Case(text: "Ünïcödé naïve Москва", forms: ["ünïcödé", "naïve", "москва"]),
    ])
    func tokensAndFormsFollowTheRules(_ example: Case) {
        #expect(forms(example.text) == example.forms)
    }

    /// Eight bytes classed at once give the run of ASCII letters and digits that the byte table
    /// gives: every byte value at every place among letters and digits, and random words of
    /// any bytes.
    @Test func eightBytesAtOnceGiveTheLetterAndDigitRunOfTheByteTable() {
        func expected(_ bytes: [UInt8]) -> (Int, Bool) {
            let kinds = bytes.map { $0 < 0x80 ? Tokenizer.asciiKinds[Int($0)] : .other }
            let length = kinds.firstIndex { $0 != .letter && $0 != .digit } ?? 8
            return (length, kinds.prefix(length).contains(.letter))
        }
        func run(_ bytes: [UInt8]) -> (Int, Bool) {
            let word = bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
            let found = Tokenizer.letterOrDigitRun(word)
            return (found.length, found.letters)
        }
        var random = SplitMixGenerator(seed: 23)
        for base in [Array("Wordsmith".utf8.prefix(8)), Array("20261208".utf8), Array("a1b2C3d4".utf8)] {
            #expect(run(base) == expected(base))
            for place in 0..<8 {
                for value in UInt8.min...UInt8.max {
                    var bytes = base
                    bytes[place] = value
                    #expect(run(bytes) == expected(bytes), "\(bytes)")
                }
            }
        }
        let palette = Array("aZ09-'., \n".utf8) + [0x80, 0xC3, 0xA9, 0xFF, 0x7F, 0x40, 0x5B, 0x60, 0x7B, 0x2F, 0x3A]
        for _ in 0..<20_000 {
            let bytes = (0..<8).map { _ in
                Bool.random(using: &random)
                    ? palette[Int.random(in: 0..<palette.count, using: &random)]
                    : UInt8.random(in: 0...255, using: &random)
            }
            #expect(run(bytes) == expected(bytes), "\(bytes)")
        }
    }

    /// Texts of ASCII letters and digits in runs of any length, between spaces, punctuation,
    /// accented letters and emoji: each token is a maximal run of letters and digits, numbers
    /// left out where asked.
    @Test func tokensAreTheRunsOfLettersAndDigitsWhateverTheirLength() {
        var random = SplitMixGenerator(seed: 5)
        let pieces = ["a", "Z", "q", "7", "0", "é", " ", "  ", "!", ";", "\n", "😀", "Ω"]
        for numbers in [true, false] {
            var options = Tokenizer.Options()
            options.numbers = numbers
            for _ in 0..<300 {
                var text = ""
                for _ in 0..<Int.random(in: 0...60, using: &random) {
                    let piece = pieces[Int.random(in: 0..<pieces.count, using: &random)]
                    text += String(
                        repeating: piece, count: Int.random(in: 1...(piece.count == 1 ? 12 : 2), using: &random))
                }
                var forms = Vocabulary()
                var surfaces = Vocabulary()
                let tokens = Tokenizer(options: options).tokenize(text, forms: &forms, surfaces: &surfaces)
                let scalars = Array(text.unicodeScalars)
                let spelt = tokens.map { String(String.UnicodeScalarView(scalars[Int($0.start)..<Int($0.end)])) }
                var runs: [String] = []
                var current = ""
                for scalar in scalars {
                    if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                        current.unicodeScalars.append(scalar)
                    } else {
                        if !current.isEmpty { runs.append(current) }
                        current = ""
                    }
                }
                if !current.isEmpty { runs.append(current) }
                let kept = numbers ? runs : runs.filter { !$0.allSatisfy(\.isNumber) }
                #expect(spelt == kept, "\(text)")
            }
        }
    }

    @Test func tokensKeepTheirScalarRangeIntoTheText() {
        let text = "👍🏽 Café, work-life!"
        var forms = Vocabulary()
        var surfaces = Vocabulary()
        let tokens = Tokenizer().tokenize(text, forms: &forms, surfaces: &surfaces)
        let scalars = Array(text.unicodeScalars)
        let spans = tokens.map { String(String.UnicodeScalarView(scalars[Int($0.start)..<Int($0.end)])) }
        #expect(spans == ["Café", "work-life"])
        #expect(tokens.map { surfaces[$0.surface] } == ["Café", "work-life"])
        #expect(tokens[0].start == 3)
    }

    @Test func optionsTurnRulesOff() {
        var options = Tokenizer.Options()
        options.apostrophes = false
        options.hyphens = false
        options.numberSeparators = false
        options.foldDiacritics = true
        options.urls = false
        #expect(
            forms("Don't work-life 3.5 café www.nhs.uk", options) == [
                "don", "t", "work", "life", "3", "5", "cafe", "www", "nhs", "uk",
            ])
        options.numbers = false
        options.caseMode = .preserve
        #expect(forms("In 2020 Straße", options) == ["In", "Straße"])
        options.caseMode = .lower
        #expect(forms("Straße", options) == ["straße"])
    }

    @Test func eachDistinctFormIsInternedOnce() {
        var forms = Vocabulary()
        var surfaces = Vocabulary()
        let tokens = Tokenizer().tokenize("Time time TIME time", forms: &forms, surfaces: &surfaces)
        #expect(Set(tokens.map(\.form)).count == 1)
        #expect(Set(tokens.map(\.surface)).count == 3)
        #expect(forms.count == 1)
        #expect(forms.id(of: "time") == tokens[0].form)
        #expect(forms.id(of: "absent") == nil)
    }

    @Test func vocabularyGrowsPastItsFirstTableSize() {
        var vocabulary = Vocabulary(capacity: 4)
        let ids = (0..<10_000).map { vocabulary.intern("w\($0)") }
        #expect(ids == (0..<10_000).map(Int32.init))
        // Every form is found again after the table has doubled ten times (each doubling moves
        // a form by hash bits its slot did not hold before), and none that was never added is.
        #expect((0..<10_000).allSatisfy { vocabulary.id(of: "w\($0)") == Int32($0) })
        #expect((10_000..<20_000).allSatisfy { vocabulary.id(of: "w\($0)") == nil })
        #expect(vocabulary[1234] == "w1234")
    }

    /// Forms are compared as words, not a byte at a time: at every length from 0 to 40, a form
    /// that differs from a stored one in any single byte is new, and the stored one itself is
    /// found; asked through the vocabulary and of the comparison directly.
    @Test func aFormDifferingInAnyOneByteIsNewAtEveryLength() {
        var random = SplitMixGenerator(seed: 11)
        for length in 0...40 {
            let stored = (0..<length).map { _ in UInt8.random(in: 97...122, using: &random) }
            var vocabulary = Vocabulary(capacity: 4)
            let id = stored.withUnsafeBufferPointer { vocabulary.intern($0) }
            #expect(stored.withUnsafeBufferPointer { vocabulary.intern($0) } == id)
            #expect(vocabulary.count == 1)
            for position in 0..<length {
                var changed = stored
                changed[position] ^= 0x20
                #expect(changed.withUnsafeBufferPointer { vocabulary.id(of: $0) } == nil, "\(length) at \(position)")
                let same = stored.withUnsafeBufferPointer { one in
                    changed.withUnsafeBufferPointer { Vocabulary.same(one, at: 0, $0) }
                }
                #expect(!same, "\(length) at \(position)")
            }
        }
    }

    /// A term list is copied 8 bytes a form where a form is that short: forms of every length
    /// from 0 to 20, in any order, repeated, the last of the vocabulary among them (whose 8
    /// bytes would run past the end), come out byte for byte.
    @Test func termListsCopyFormsOfEveryLengthInTheOrderAsked() {
        var vocabulary = Vocabulary(capacity: 4)
        let forms = (0...20).map { length in String((0..<length).map { Character(UnicodeScalar(97 + $0 % 26)!) }) }
        for form in forms { _ = vocabulary.intern(form) }
        var random = SplitMixGenerator(seed: 7)
        for count in [0, 1, 5, 21, 200] {
            let ids = (0..<count).map { _ in Int32.random(in: 0...20, using: &random) } + [20, 0, 1]
            let list = vocabulary.termList(ids)
            #expect(list.count == ids.count)
            #expect(list.indices.map { list[$0] } == ids.map { forms[Int($0)] })
        }
        #expect(vocabulary.termList([0, 0]).indices.map { vocabulary.termList([0, 0])[$0] } == ["", ""])
    }

    /// The hash reads a form in pieces that depend on its length (1–3, 4–7, 8–16 and longer
    /// bytes): forms of every length up to 70 that differ in one byte anywhere stay apart, and
    /// each is found again where the bytes around it differ (nothing outside it is read).
    /// `U.K.`, `e.g.` and `a.m.` are one token each, its form without the full stops (so `UK`
    /// and `U.K.` are one word), the last stop left out of the spelling to end a sentence; a word
    /// of two letters or more, a number or a stop before a letter's second letter keeps its old
    /// split. Without the setting each letter is a token, as before.
    @Test func initialismsAreOneTokenWithoutTheirStops() {
        var forms = Vocabulary()
        var surfaces = Vocabulary()
        let text = "The U.S.A. and U.K.-based e.g. at 9 a.m., J.K. Rowling, \u{C9}.U. and 3.5 end.Then U.Kx i.e"
        let tokens = Tokenizer().tokenize(text, forms: &forms, surfaces: &surfaces)
        #expect(
            tokens.map { surfaces[$0.surface] } == [
                "The", "U.S.A", "and", "U.K", "based", "e.g", "at", "9", "a.m", "J.K", "Rowling", "\u{C9}.U", "and",
                "3.5", "end", "Then", "U", "Kx", "i.e",
            ])
        #expect(
            tokens.map { forms[$0.form] } == [
                "the", "usa", "and", "uk", "based", "eg", "at", "9", "am", "jk", "rowling", "\u{E9}u", "and", "3.5",
                "end", "then", "u", "kx", "ie",
            ])
        let scalars = Array(text.unicodeScalars)
        for token in tokens {
            #expect(
                String(String.UnicodeScalarView(scalars[Int(token.start)..<Int(token.end)])) == surfaces[token.surface])
        }
        var split = Tokenizer.Options()
        split.initialisms = false
        #expect(self.forms("the U.K. e.g. a.m.", split) == ["the", "u", "k", "e", "g", "a", "m"])
        #expect(Tokenizer.initialism("U.K.")! == ("U.K", "UK"))
        #expect(Tokenizer.initialism("e.g")! == ("e.g", "eg"))
        for word in ["UK", "U.", "3.5", "U.Kxy", "U..K", ".U.K", "U.K.."] {
            #expect(Tokenizer.initialism(word) == nil, "\(word)")
        }
        // `U.Kx` has a degree's shape (as `M.Sc`): one token where the text writes its last stop.
        #expect(Tokenizer.initialism("U.Kx")! == ("U.Kx", "UKx"))
        #expect(self.forms("U.Kx. then U.Kx") == ["ukx", "then", "u", "kx"])
    }

    /// Letters, full stops, digits and spaces in any order: every token spells the text at its
    /// range, in order, counting agrees, an initialism's form is its letters without the stops
    /// (lower case; `U.K-based`, `U.K’s` go on as other words do), and without the setting no
    /// token holds a full stop before a letter.
    /// Degrees written with stops are one token too (`Ph.D.` → `phd`, `M.Sc.` → `msc`): letters
    /// in parts of one and two, each followed by a stop, the last stop written; without it, or with
    /// parts of two alone (`Dr.No`, a missing space), they stay apart, as before a digit (`Ph.D.5`).
    @Test func degreesWrittenWithStopsAreOneToken() {
        #expect(
            forms("a Ph.D. in AI, an M.Sc.” and a B.Ed.; Dr.No and St.Jo. apart, Ph.D.5 and Ph.D", .init()) == [
                "a", "phd", "in", "ai", "an", "msc", "and", "a", "bed", "dr", "no", "and", "st", "jo", "apart", "ph",
                "d", "5", "and", "ph", "d",
            ])
        var split = Tokenizer.Options()
        split.initialisms = false
        #expect(forms("a Ph.D. and M.Sc.", split) == ["a", "ph", "d", "and", "m", "sc"])
        // A query names one as the text has it, its last stop written or not.
        #expect(Tokenizer.initialism("Ph.D.")! == ("Ph.D", "PhD"))
        #expect(Tokenizer.initialism("M.Sc")! == ("M.Sc", "MSc"))
        for word in ["Dr.No", "St.Jo.", "Ph.Dxy.", "Phd.D.", "Ph.D.5", "Ph..D."] {
            #expect(Tokenizer.initialism(word) == nil, "\(word)")
        }
        #expect(Normalizer.form(of: "Ph.D", options: .init()) == "phd")
    }

    @Test func initialismsInAnyArrangementSpellTheirText() {
        let pieces = ["U", "k", ".", ". ", " ", "É", "3", "ab", "-", "\u{301}", "’", "\n"]
        for text in randomTexts(of: pieces, seed: 20_261_207) {
            let scalars = Array(text.unicodeScalars)
            for joined in [true, false] {
                var options = Tokenizer.Options()
                options.initialisms = joined
                let (tokens, forms, surfaces) = orderedTokens(text, options)
                for token in tokens {
                    let spelt = String(String.UnicodeScalarView(scalars[Int(token.start)..<Int(token.end)]))
                    #expect(spelt == surfaces[token.surface], "\(text)")
                    // A full stop before a letter (one between digits is a number's, `3.5`).
                    let characters = Array(spelt)
                    if zip(characters, characters.dropFirst()).contains(where: { $0 == "." && $1.isLetter }) {
                        #expect(joined, "\(text): \(spelt)")
                        #expect(
                            forms[token.form]
                                == Normalizer.normalize(spelt.replacingOccurrences(of: ".", with: ""), options: options),
                            "\(text): \(spelt)")
                    }
                }
            }
        }
    }

    @Test func formsDifferingInAnyOneByteHaveTheirOwnIds() {
        func withForm<Result>(
            _ form: [UInt8], between filler: UInt8, _ body: (UnsafeBufferPointer<UInt8>) -> Result
        ) -> Result {
            let padded = [UInt8](repeating: filler, count: 8) + form + [UInt8](repeating: filler, count: 8)
            return padded.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[8..<(8 + form.count)])) }
        }
        var vocabulary = Vocabulary(capacity: 4)
        var forms: [[UInt8]] = [[]]
        for length in 1...70 {
            let base = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            forms.append(base)
            for position in 0..<length {
                var changed = base
                changed[position] = UInt8(ascii: "Z")
                forms.append(changed)
            }
        }
        let ids = forms.map { form in withForm(form, between: 0) { vocabulary.intern($0) } }
        #expect(ids == (0..<Int32(forms.count)).map { $0 })
        for (form, id) in zip(forms, ids) {
            #expect(withForm(form, between: 0xA5) { vocabulary.id(of: $0) } == id)
            #expect(vocabulary.withBytes(of: id) { Array($0) } == form)
        }
        #expect(vocabulary.id(of: "abZZ") == nil)
        #expect(vocabulary.id(of: "") == 0)
    }

    /// Word filters on disk (`.cache/words.bin`) hold bits placed by ``Vocabulary/wordHash(_:)``:
    /// if it gave other values under the same file tag, a stored filter would say wrongly that a
    /// document lacks a word, and a lexicon edit would keep that document's suggestions stale.
    /// These values pin it (every length class: 0, 1–3, 4–7, 8–16, over 16 bytes).
    @Test func storedWordHashesKeepTheirValues() {
        func hash(_ word: String) -> UInt64 {
            var word = word
            return word.withUTF8 { Vocabulary.wordHash($0) }
        }
        let pinned: [(String, UInt64)] = [
            ("", 0), ("a", 0x8450_8DC9_03C3_1551), ("ai", 0x37B9_F8CA_D5E9_EA92), ("time", 0xF822_0440_B5BD_7D6E),
            ("protected", 0xE083_B7E5_5896_8756), ("interoperability", 0x2556_8FA3_F705_D012),
            ("interoperabilities", 0x2391_D251_402A_F2D7),
        ]
        for (word, value) in pinned { #expect(hash(word) == value, "\(word)") }
    }

    @Test func forEachFormGivesEveryFormInIdOrder() {
        var vocabulary = Vocabulary(capacity: 4)
        let words = ["", "time", "protected", "time", "é", "interoperability"]
        for word in words { _ = vocabulary.intern(word) }
        var seen: [String] = []
        vocabulary.forEachForm { seen.append(String(decoding: $0, as: UTF8.self)) }
        #expect(seen == ["", "time", "protected", "é", "interoperability"])
        #expect(seen == vocabulary.forms)
    }

    /// ASCII text takes a short cut past the scalar-by-scalar path; it must give what that path
    /// gives, byte for byte, for every ASCII character and every case mode.
    @Test func asciiTextNormalisesAsTheUnicodePathDoes() {
        let every = String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self)
        let texts = [every, "", "Don't", "WORK-LIFE", "NHS-wide AI", "x1Y2z3"] + every.map { String($0) }
        for options in Self.everyNormalisation {
            for text in texts {
                #expect(
                    Array(Normalizer.normalize(text, options: options).utf8)
                        == Array(Normalizer.unicode(text, options: options).utf8))
            }
        }
        #expect(Normalizer.normalize("Straße", options: .init()) == "strasse")
        #expect(Normalizer.normalize("Don’t", options: .init()) == "don't")
    }

    /// Text of Latin letters takes a short cut past Foundation's normalisation and the case
    /// mapping's strings (`Normalizer.latin`): every scalar below U+0300 alone, and random
    /// spellings mixing them with ASCII, apostrophes, hyphens, invisible characters and scalars
    /// beyond the range (a combining accent, Greek, Cyrillic, Han, `µ`, `İ`), must give what the
    /// scalar-by-scalar path gives, byte for byte, in every case mode.
    @Test func latinTextNormalisesAsTheUnicodePathDoes() {
        var random = SplitMixGenerator(seed: 300)
        let latin = (0x80..<0x300).compactMap(Unicode.Scalar.init)
        let others: [Unicode.Scalar] = [
            "\u{2019}", "\u{02BC}", "\u{2010}", "\u{2011}", "\u{00AD}", "\u{200B}", "\u{0301}", "\u{03A3}", "\u{0416}",
            "\u{4E2D}", "\u{00B5}", "\u{0130}", "\u{1E9E}",
        ]
        var texts = latin.map { String($0) } + latin.map { "A" + String($0) + "z" }
        for _ in 0..<3_000 {
            let length = Int(random.next() % 9) + 1
            let scalars = (0..<length).map { _ -> Unicode.Scalar in
                switch random.next() % 10 {
                case 0: others[Int(random.next() % UInt64(others.count))]
                case 1, 2, 3: Unicode.Scalar(UInt8(65 + random.next() % 58))
                default: latin[Int(random.next() % UInt64(latin.count))]
                }
            }
            texts.append(String(String.UnicodeScalarView(scalars)))
        }
        var short = 0
        for options in Self.everyNormalisation {
            for text in texts {
                if !options.foldDiacritics, Normalizer.latin(text, caseMode: options.caseMode) != nil { short += 1 }
                #expect(
                    Array(Normalizer.normalize(text, options: options).utf8)
                        == Array(Normalizer.unicode(text, options: options).utf8), "\(text) \(options.caseMode)")
            }
        }
        // Most of them take the short cut: the comparison is of it, not of the long way twice.
        #expect(short > texts.count * 2)
        #expect(Normalizer.normalize("Égalité", options: .init()) == "égalité")
        #expect(Normalizer.normalize("STRAẞE", options: .init()) == "strasse")
    }

    /// Scalars up to U+02FF are told from a table: each must be told as Unicode's properties
    /// tell it, and so must the ones after the table.
    @Test func latinScalarsAreToldByTheirProperties() {
        #expect(Tokenizer.latinKinds.count == 0x300 - 128)
        for value in 128..<0x400 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(Tokenizer.kind(of: scalar) == Tokenizer.kind(beyondASCII: scalar), "\(value)")
        }
        #expect(Tokenizer.kind(of: "\u{00E9}") == .letter && Tokenizer.kind(of: "\u{00AD}") == .ignorable)
        #expect(Tokenizer.kind(of: "\u{02BC}") == .apostrophe && Tokenizer.kind(of: "\u{00B2}") == .digit)
    }

    /// Why `Normalizer.latin` need not compose: every scalar below U+0300 is a starter, and no
    /// pair of them composes or reorders (NFC leaves each pair as it is; a precomposed letter's
    /// decomposition composes back to it, and no starter here composes with the one before).
    @Test func latinTextIsInNFC() {
        let latin = (0..<0x300).compactMap(Unicode.Scalar.init)
        var changed: [String] = []
        for first in latin {
            #expect(first.properties.canonicalCombiningClass == .notReordered)
            for second in latin {
                let text = String(String.UnicodeScalarView([first, second]))
                if text.precomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual(text.unicodeScalars) {
                    continue
                }
                changed.append(text)
            }
        }
        #expect(changed.isEmpty)
    }

    /// Non-ASCII spellings are normalised once a process (`WordMemo`) and the form taken from
    /// there afterwards: every document, under every case and diacritics option, must get the
    /// forms that normalising each spelling gives, the second time round as the first.
    @Test func formsOfNonASCIISpellingsAreTheNormalisersEveryTime() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "é", "e\u{0301}", "È", "ß", "ẞ", "İ", "ı", "Σ", "ς", "ﬁ", "Å", "\u{212B}", "ö", "Ö", "ñ", "Ǆ", "ǅ", "a",
            "B",
            "x", "’", "\u{200B}", "ά", "ω\u{0345}", "Ⅻ",
        ]
        let words = (0..<300).map { _ in
            (0..<Int.random(in: 1...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
                .joined()
        }
        var checked = 0
        for options in Self.everyNormalisation {
            for _ in 0..<3 {
                let text = words.shuffled(using: &generator).prefix(200).joined(separator: " ")
                var forms = Vocabulary()
                var surfaces = Vocabulary()
                let tokens = Tokenizer(options: options).tokenize(text, forms: &forms, surfaces: &surfaces)
                for token in tokens {
                    #expect(forms[token.form] == Normalizer.normalize(surfaces[token.surface], options: options))
                    checked += 1
                }
            }
        }
        #expect(checked > 3_000)
    }

    /// A memo's values are what the function gives, whether worked out, found, or past its limit,
    /// and each word is kept once however many threads work it out at once.
    @Test func aWordMemoGivesWhatItsFunctionGives() {
        let memo = WordMemo(limit: 50)
        let words = (0..<200).map { "wörd\($0 % 120)" }
        let value: @Sendable (String) -> String = { String($0.reversed()).uppercased() }
        let right = ConcurrentCounter()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for word in words.shuffled() {
                var buffer: [UInt8] = Array("kept:".utf8)
                var spelt = word
                spelt.withUTF8 { bytes in memo.appendValue(of: bytes, to: &buffer) { value(word) } }
                if buffer == Array("kept:\(value(word))".utf8) { right.add() }
            }
        }
        #expect(right.value == 4 * words.count)
        #expect(memo.count == 50)
    }

    /// Transcribers' notes in square brackets are not the speaker's words: skipped, with the
    /// scalar offsets of the words after them still exact; kept when asked. A `[` with no `]` on
    /// its line (or too far) is a separator.
    @Test func notesInSquareBracketsAreSkippedUnlessKept() {
        let text = "So [laughs] the [inaudible 00:12:03] rota at [Hospital name]’s ward [é] works[pause]now"
        #expect(forms(text) == ["so", "the", "rota", "at", "s", "ward", "works", "now"])
        var keep = Tokenizer.Options()
        keep.annotations = true
        #expect(
            forms(text, keep) == [
                "so", "laughs", "the", "inaudible", "00", "12", "03", "rota", "at", "hospital", "name", "s", "ward",
                "é", "works", "pause", "now",
            ])
        #expect(forms("a [b\nc] d [e [f] g") == ["a", "b", "c", "d", "e", "g"])
        // Jefferson's comments in double parentheses; words heard unsure, in single ones, are speech.
        #expect(forms("so ((laughs)) the (ward) was ((just) fine") == ["so", "the", "ward", "was", "just", "fine"])
        // Sounds and events in single parentheses, by their first or second word, are notes; other
        // words there are speech, as is a parenthesis that does not close on its line.
        #expect(
            forms(
                "so (Laughs) the (long pause) rota (inaudible 00:12:03) was (I: mhm) fine (lacht) (unv.) "
                    + "(Räuspert sich) (P3 sighs) (in the pause) (laughs\nno)")
                == ["so", "the", "rota", "was", "fine", "in", "the", "pause", "laughs", "no"])
        // Another speaker's interjection (a label and a colon first) is not the speaker's words;
        // a colon later, or after a number or a full stop, is speech.
        #expect(
            forms("yes (Interviewer: mhm) (Int 2: ja) (so I said: no) (1:05 pm) (e.g.: this) (P3:)")
                == ["yes", "so", "i", "said", "no", "1", "05", "pm", "eg", "this"])
        #expect(forms("ok (laughs " + String(repeating: "x", count: 60) + ")").count == 3)
        // A noun an aside could start with is no note by itself; a sound's verb is.
        #expect(
            forms("the (music therapy) (phone rings) (break room)") == ["the", "music", "therapy", "break", "room"])
        // Punctuation, symbols and a no-break space separate a note's words; a curly apostrophe does not.
        #expect(
            forms("so (laughs…) (\u{A0}laughs\u{A0}) (laughs—briefly) (“inaudible”) («rires») (laugh’s echo)")
                == ["so", "laugh's", "echo"])
        // A sound word first, four words at most (a time's digits not counted); second, three.
        #expect(
            forms(
                "(laughs at the memory) (inaudible 00:12:03 here) (laughs at it all again) (P3 laughs briefly) (I laugh at that)"
            )
                == ["laughs", "at", "it", "all", "again", "i", "laugh", "at", "that"])
        #expect(forms("so (laughs) then", keep) == ["so", "laughs", "then"])
        // Timed pauses and micropauses (Jefferson) are notes; a parenthesised word with a number is not.
        #expect(forms("well (0.5) no (.) yes (3) (2 of them)") == ["well", "no", "yes", "2", "of", "them"])
        #expect(forms("so (00:12:45) then (1:05 pm)") == ["so", "then", "1", "05", "pm"])
        // f4transkript's time at a turn's end; a hash that opens no time separates, as before.
        #expect(
            forms("Gar keine. #00:01:02-0# Und #1:05# dann #5 #x:1# ##") == [
                "gar", "keine", "und", "dann", "5", "x", "1",
            ])
        #expect(forms("Gar keine. #00:01:02-0#", keep) == ["gar", "keine", "00", "01", "02-0"])
        #expect(forms("a [" + String(repeating: "x ", count: 150) + "] b").count == 152)
        var vocabulary = Vocabulary()
        var spellings = Vocabulary()
        let tokens = Tokenizer().tokenize(text, forms: &vocabulary, surfaces: &spellings)
        let scalars = Array(text.unicodeScalars)
        #expect(
            tokens.map { String(String.UnicodeScalarView(scalars[Int($0.start)..<Int($0.end)])) } == [
                "So", "the", "rota", "at", "s", "ward", "works", "now",
            ])
        #expect(Tokenizer().count(text) == tokens.count)
    }

    /// Brackets, parentheses, pauses and line ends in any order: every token lies inside the
    /// text, after the one before, spells the text at its range, and counting agrees, with notes
    /// skipped or kept; and skipping drops exactly tokens, never adds or moves one.
    @Test func notesInAnyArrangementLeaveTokensInPlace() {
        let pieces = [
            "[", "]", "(", "((", ")", "))", ".", "0", "ab", " ", "\n", "é", "’s", "-", "((x", "0.5)", "#", ":",
            "laughs", "(Pause", "räuspert", "(I: ",
        ]
        for text in randomTexts(of: pieces, seed: 20_261_205) {
            let scalars = Array(text.unicodeScalars)
            var spans: [[String]] = []
            for keep in [false, true] {
                var options = Tokenizer.Options()
                options.annotations = keep
                let tokens = orderedTokens(text, options).tokens
                spans.append(
                    tokens.map {
                        "\($0.start):" + String(String.UnicodeScalarView(scalars[Int($0.start)..<Int($0.end)]))
                    })
            }
            #expect(Set(spans[0]).isSubset(of: Set(spans[1])), "\(text)")
        }
    }

    @Test func countingTokensAgreesWithTokenisingThem() throws {
        let study = try SampleStudy.corpus()
        let texts =
            [
                "Don’t stop, don't.", "In 2020, 50% of 3.5 cost £50,000.", "see https://nhs.uk/ai?x=1, or www.a.org.",
                "我是医生 and 東京タワー", "co\u{00AD}operate 12 34", "", "a [laughs] b [c ((d)) (e) ((f) g",
            ] + study.documents.flatMap { $0.segments.map(\.text) }
        for numbers in [true, false] {
            var options = Tokenizer.Options()
            options.numbers = numbers
            var forms = Vocabulary()
            var surfaces = Vocabulary()
            let tokenizer = Tokenizer(options: options)
            for text in texts {
                #expect(tokenizer.count(text) == tokenizer.tokenize(text, forms: &forms, surfaces: &surfaces).count)
            }
        }
    }

    @Test func onlyTheTurnsOfTheRolesAskedForAreTokenised() {
        let all = corpus([
            ("Any questions about protected time?", .interviewer, nil),
            ("Protected time, yes.", .participant, "P1"),
            ("Thanks.", .interviewer, nil),
        ])
        let participants = TokenizedCorpus(documents: all.documents, roles: [.participant])
        #expect(participants.tokenizedRoles == [.participant])
        #expect(participants.tokens[0].map(\.count) == [0, 3, 0])
        #expect(participants.tokens[0][1].map { participants.forms[$0.form] } == ["protected", "time", "yes"])
        #expect(participants.forms.id(of: "questions") == nil)
        #expect(all.tokens[0].map(\.count) == [5, 3, 1])
        #expect(all.tokenizedRoles == nil)
    }

    @Test func stopwordFilesNormaliseTheirWords() {
        let list = Stopwords.parse("# mine\nUm\nDon’t  # curly\n\nE.g.\n")
        #expect(list.words == ["um", "don't", "eg"])
        #expect(Stopwords.english.words.contains("don't"))
        // An initialism is listed as the tokeniser makes it, or as written when it splits them.
        var split = Tokenizer.Options()
        split.initialisms = false
        #expect(Stopwords.parse("e.g.", options: split).words == ["e.g."])
        #expect(Normalizer.form(of: "U.K.", options: .init()) == "uk")
    }
}

/// `count` texts of one to 24 of `pieces` each, drawn by a seeded generator: the same every run.
func randomTexts(of pieces: [String], seed: UInt64, count: Int = 3_000) -> [String] {
    var random = SplitMixGenerator(seed: seed)
    return (0..<count).map { _ in
        (0..<Int.random(in: 1...24, using: &random)).map { _ in pieces[Int.random(in: pieces.indices, using: &random)] }
            .joined()
    }
}
