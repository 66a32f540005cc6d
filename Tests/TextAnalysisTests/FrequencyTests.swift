import Corpus
import Foundation
import Testing

@testable import TextAnalysis

@Suite struct FrequencyTests {
    /// A grouping's attribute names lose the spaces and tabs around them as Foundation's
    /// `.whitespaces` trims them (general category Zs, U+0009 and U+200B; line breaks and other
    /// format characters kept).
    @Test func groupingNamesAreTrimmedAsFoundationTrimsSpaces() {
        let blanks = [" ", "\t", "\u{A0}", "\u{2009}", "\u{3000}", "\n", "\u{200B}", "\u{200C}", "\u{FEFF}", ""]
        for left in blanks {
            for right in blanks {
                for name in ["role", "years in field", "é", ""] {
                    let text = left + name + right + "," + right + "split"
                    let expected = text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
                    #expect(Grouping(text) == .attributes(expected), "\(text.unicodeScalars.map(\.value))")
                }
            }
        }
    }

    let table = ParticipantTable(
        attributeNames: ["split"],
        participants: [
            Participant(id: "P1", attributes: ["split": "tech"]), Participant(id: "P2", attributes: ["split": "tech"]),
            Participant(id: "P3", attributes: ["split": "clinical"]),
        ])

    func sample() -> TokenizedCorpus {
        corpus(
            [
                ("Is time protected?", .interviewer, nil),
                ("We had no protected time.", .participant, "P1"),
                ("Time, time, time: the hype!", .participant, "P2"),
                ("Protected time is rare in clinics.", .participant, "P3"),
            ], participants: table)
    }

    @Test func countsRatesAndUsersPerGroupByHand() throws {
        var options = FrequencyCounter.Options()
        options.grouping = .attributes(["split"])
        let frequencies = FrequencyCounter(options: options).count(sample())
        // tech: "We had no protected time" (5) + "Time time time the hype" (5) = 10 words.
        #expect(frequencies.groups.map(\.name) == ["clinical", "tech"])
        #expect(frequencies.groups.map(\.words) == [6, 10])
        let time = try #require(frequencies.count(of: "time", in: "tech"))
        #expect(time == TermCount(count: 4, participants: 2, documents: 1))
        let row = try #require(frequencies.rows.first { $0.group == "tech" && $0.term == "time" })
        #expect(row.rate == 400)
        #expect(frequencies.count(of: "the", in: "tech") == nil)  // a stopword
        #expect(frequencies.count(of: "is", in: "clinical") == nil)
        #expect(frequencies.rows.first?.group == "clinical")
    }

    /// The terminal table lists each group's own top terms under it, in the rows' order, and
    /// says "1 participant", not "1 participants".
    @Test func theTerminalTableListsEachGroupsTopTermsUnderIt() {
        var options = FrequencyCounter.Options()
        options.grouping = .participant
        let frequencies = FrequencyCounter(options: options).count(sample())
        let text = frequencies.terminalTable(top: 2)
        var expected = ""
        for group in frequencies.groups {
            expected += "\(group.name): \(group.words) words, 1 participant, 1 document\n"
            expected += "  term                        count   per 1k  people  docs\n"
            for row in frequencies.rows.filter({ $0.group == group.name }).prefix(2) {
                expected += ("  " + row.term).padding(toLength: 28, withPad: " ", startingAt: 0)
                expected += String(repeating: " ", count: 7 - String(row.count).count) + String(row.count)
                let rate = FixedPoint.string(row.rate, digits: 2)
                expected += String(repeating: " ", count: 9 - rate.count) + rate + "     1/1     1\n"
            }
        }
        #expect(frequencies.groups.map(\.name) == ["P1", "P2", "P3"])
        #expect(text == expected)
        #expect(text.contains("  time                            3   600.00     1/1     1\n"))
    }

    @Test func interviewerSpeechIsLeftOutUnlessAsked() throws {
        var options = FrequencyCounter.Options()
        #expect(FrequencyCounter(options: options).count(sample()).count(of: "time", in: "corpus")?.count == 5)
        options.filter = .everyone
        #expect(FrequencyCounter(options: options).count(sample()).count(of: "time", in: "corpus")?.count == 6)
    }

    @Test func ngramsStayInsideTurnsAndSkipStopwords() throws {
        var options = FrequencyCounter.Options()
        options.ngram = 2
        let frequencies = FrequencyCounter(options: options).count(sample())
        #expect(frequencies.count(of: "protected time", in: "corpus")?.count == 2)
        #expect(frequencies.count(of: "time time", in: "corpus")?.count == 2)
        #expect(frequencies.count(of: "time protected", in: "corpus") == nil)  // across turns
        #expect(frequencies.count(of: "time is", in: "corpus") == nil)  // holds a stopword
    }

    @Test func ngramsStayInsideSentencesUnlessPhrasesReachTheTurn() throws {
        let turns: [(String, SpeakerRole, String?)] = [
            ("We felt protected. Time was short, protected time.", .participant, "P1"),
            ("Protected... time? Hype! Data (.) hype.", .participant, "P1"),
        ]
        var options = FrequencyCounter.Options()
        options.ngram = 2
        options.removeStopwords = false
        let within = FrequencyCounter(options: options).count(corpus(turns))
        #expect(within.count(of: "protected time", in: "corpus")?.count == 2)
        #expect(within.count(of: "time hype", in: "corpus") == nil)
        #expect(within.count(of: "hype data", in: "corpus") == nil)
        #expect(within.count(of: "data hype", in: "corpus")?.count == 1)
        var turn = Tokenizer.Options()
        turn.phrases = .turn
        let across = FrequencyCounter(options: options).count(corpus(turns, options: turn))
        #expect(across.count(of: "protected time", in: "corpus")?.count == 3)
        #expect(across.count(of: "time hype", in: "corpus")?.count == 1)
        // Words are counted alike either way.
        options.ngram = 1
        #expect(
            FrequencyCounter(options: options).count(corpus(turns)).count(of: "time", in: "corpus")?.count
                == FrequencyCounter(options: options).count(corpus(turns, options: turn)).count(
                    of: "time", in: "corpus")?
                .count)
    }

    /// Each speaker's bigrams and trigrams are counted over all their turns, never across two:
    /// the counts of a random document equal the tokens' n-grams counted by hand, with stopwords
    /// kept and left out, and each term is listed once.
    @Test func eachSpeakersNgramsAreTheirTurnsNgramsCountedByHand() throws {
        var random = SplitMixGenerator(seed: 62)
        let words = ["time", "the", "café", "ελπίδα", "protected", "hype", "a", "data"]
        var turns: [(String, SpeakerRole, String?)] = []
        for _ in 0..<60 {
            let length = Int.random(in: 1...12, using: &random)
            let said = (0..<length).map { _ in words[Int.random(in: 0..<words.count, using: &random)] }
            turns.append(
                (said.joined(separator: " "), .participant, ["P1", "P2", "P3"][Int.random(in: 0..<3, using: &random)]))
        }
        let tokenized = corpus(turns, participants: table)
        let stopwords = Set(
            words.filter { word in tokenized.forms.id(of: word).map { tokenized.isStopword[Int($0)] } ?? false })
        #expect(stopwords == ["the", "a"])
        for n in [2, 3] {
            for removeStopwords in [false, true] {
                var options = FrequencyCounter.Options()
                (options.ngram, options.removeStopwords) = (n, removeStopwords)
                var byHand: [String: [String: Int]] = [:]
                for (said, _, person) in turns {
                    let tokens = said.split(separator: " ").map(String.init)
                    guard let person, tokens.count >= n else { continue }
                    for start in 0...(tokens.count - n) {
                        let gram = tokens[start..<(start + n)]
                        if removeStopwords && gram.contains(where: stopwords.contains) { continue }
                        byHand[person, default: [:]][gram.joined(separator: " "), default: 0] += 1
                    }
                }
                let counts = FrequencyCounter(options: options).counts(ofDocument: 0, in: tokenized)
                #expect(counts.speakers.count == 3)
                for speaker in counts.speakers {
                    let person = try #require(speaker.participantID)
                    #expect(Set(speaker.terms).count == speaker.terms.count)
                    #expect(
                        Dictionary(uniqueKeysWithValues: zip(speaker.terms, speaker.counts)) == byHand[person] ?? [:])
                }
            }
        }
    }

    /// The frequencies stage caches each document's per-speaker counts: words and n-grams come
    /// back as they were counted, and an entry whose terms and counts differ in length is refused
    /// (it would be recomputed), never read as a shorter list.
    @Test func documentCountsSurviveTheBinaryCacheAndMismatchedListsAreRefused() throws {
        for n in [1, 2] {
            var options = FrequencyCounter.Options()
            options.ngram = n
            let corpus = sample()
            let counts = corpus.documents.indices.map {
                FrequencyCounter(options: options).counts(ofDocument: $0, in: corpus)
            }
            #expect(counts.flatMap(\.speakers).contains { $0.terms.contains(n == 1 ? "protected" : "protected time") })
            var writer = BinaryWriter()
            writer.write(counts)
            var reader = BinaryReader(writer.bytes)
            #expect(try reader.read([DocumentCounts].self) == counts)
        }
        var writer = BinaryWriter()
        writer.write("P1" as String?)
        writer.write(3)
        writer.write(["time", "hype"])
        writer.write([3])
        var reader = BinaryReader(writer.bytes)
        #expect(throws: BinaryReader.Error.self) { try reader.read(DocumentCounts.Speaker.self) }
    }

    /// Term lists are cached byte for byte as a `[String]` is, read back from one, and compare and
    /// encode to JSON as the strings they hold.
    @Test func termListsReadAndWriteAsTheirStrings() throws {
        let strings = ["time", "", "work-life", "naïve", "东京", "protected time"]
        let list = TermList(strings)
        #expect(Array(list) == strings)
        var packed = BinaryWriter()
        packed.write(list)
        var plain = BinaryWriter()
        plain.write(strings)
        #expect(packed.bytes == plain.bytes)
        var reader = BinaryReader(plain.bytes)
        #expect(try reader.read(TermList.self) == list)
        #expect(try JSONEncoder().encode(list) == JSONEncoder().encode(strings))
        #expect(try JSONDecoder().decode(TermList.self, from: JSONEncoder().encode(strings)) == list)
        #expect(TermList(["a", "bc"]) != TermList(["ab", "c"]))
    }

    /// A document's distinct forms are cached from its vocabulary's bytes as their strings would be.
    @Test func aVocabularyListsItsFormsInIdOrderAsTheirStrings() {
        var vocabulary = Vocabulary()
        for form in ["time", "naïve", "东京", "time", "work-life", "a", "naïve"] { _ = vocabulary.intern(form) }
        #expect(Array(vocabulary.termList) == ["time", "naïve", "东京", "work-life", "a"])
        #expect(Array(vocabulary.termList) == vocabulary.forms)
        var packed = BinaryWriter()
        packed.write(vocabulary.termList)
        var plain = BinaryWriter()
        plain.write(vocabulary.forms)
        #expect(packed.bytes == plain.bytes)
        #expect(Vocabulary().termList.isEmpty)
    }

    /// A participant interviewed twice, with others in between, counts once per term; a document
    /// counts once per term however many of its speakers said it.
    @Test func participantsAndDocumentsCountOnceWhereverTheySpeak() throws {
        func speaker(_ id: String?, _ terms: [String: Int]) -> DocumentCounts.Speaker {
            DocumentCounts.Speaker(participantID: id, words: terms.values.reduce(0, +), terms: terms)
        }
        let documents = [
            DocumentCounts(documentID: "a", speakers: [speaker(nil, ["time": 1]), speaker("P1", ["time": 2])]),
            DocumentCounts(documentID: "b", speakers: [speaker("P2", ["time": 1, "hype": 1])]),
            DocumentCounts(
                documentID: "c", speakers: [speaker("P1", ["time": 1, "hype": 3]), speaker("P3", ["time": 1])]),
        ]
        var options = FrequencyCounter.Options()
        options.filter = .everyone
        let corpus = FrequencyTable(merging: documents, participants: table, options: options)
        #expect(corpus.count(of: "time", in: "corpus") == TermCount(count: 6, participants: 3, documents: 3))
        #expect(corpus.count(of: "hype", in: "corpus") == TermCount(count: 4, participants: 2, documents: 2))
        options.grouping = .attributes(["split"])
        let bySplit = FrequencyTable(merging: documents, participants: table, options: options)
        #expect(bySplit.count(of: "time", in: "tech") == TermCount(count: 4, participants: 2, documents: 3))
        #expect(bySplit.count(of: "time", in: "clinical") == TermCount(count: 1, participants: 1, documents: 1))
        // By document, a group of one participant and an interviewer: a term only the interviewer
        // said has no participant.
        options.grouping = .document
        let byDocument = FrequencyTable(
            merging: [
                DocumentCounts(
                    documentID: "a", speakers: [speaker(nil, ["time": 1, "rota": 2]), speaker("P1", ["time": 2])])
            ],
            participants: table, options: options)
        #expect(byDocument.count(of: "time", in: "a") == TermCount(count: 3, participants: 1, documents: 1))
        #expect(byDocument.count(of: "rota", in: "a") == TermCount(count: 2, participants: 0, documents: 1))
        // By participant, a participant who speaks in two documents is one participant of each
        // of its terms; the speakers of no participant, none. Known without their runs of ids,
        // which are not kept.
        options.grouping = .participant
        var builder = FrequencyTable.Builder(participants: table, options: options)
        for document in documents { builder.add(document) }
        #expect(builder.spoken.isEmpty && builder.spokenIDs.isEmpty)
        let byParticipant = builder.takeTable()
        #expect(byParticipant.count(of: "time", in: "P1") == TermCount(count: 3, participants: 1, documents: 2))
        #expect(byParticipant.count(of: "hype", in: "P1") == TermCount(count: 3, participants: 1, documents: 1))
        #expect(byParticipant.count(of: "time", in: "(none)") == TermCount(count: 1, participants: 0, documents: 1))
        #expect(byParticipant.rows.allSatisfy { $0.participants == ($0.group == "(none)" ? 0 : 1) })
    }

    @Test func aTableTakenWhileDocumentsArriveLeavesTheRestToCount() {
        func speaker(_ id: String?, _ terms: [String: Int]) -> DocumentCounts.Speaker {
            DocumentCounts.Speaker(participantID: id, words: terms.values.reduce(0, +), terms: terms)
        }
        let documents = [
            DocumentCounts(documentID: "a", speakers: [speaker("P1", ["time": 2, "hype": 1])]),
            DocumentCounts(documentID: "b", speakers: [speaker("P2", ["time": 1])]),
            DocumentCounts(documentID: "c", speakers: [speaker("P1", ["time": 1]), speaker("P3", ["hype": 2])]),
        ]
        var options = FrequencyCounter.Options()
        options.filter = .everyone
        var builder = FrequencyTable.Builder(participants: table, options: options)
        builder.add(documents[0])
        builder.add(documents[1])
        let early = builder.table()
        builder.add(documents[2])
        let late = builder.table()
        #expect(early.count(of: "time", in: "corpus") == TermCount(count: 3, participants: 2, documents: 2))
        #expect(late.count(of: "time", in: "corpus") == TermCount(count: 4, participants: 2, documents: 3))
        #expect(late.count(of: "hype", in: "corpus") == TermCount(count: 3, participants: 2, documents: 2))
        #expect(late.rows == FrequencyTable(merging: documents, participants: table, options: options).rows)
        // Taken, the table is the same, the builder empty after it (and the copy it was taken
        // from untouched).
        var taken = builder
        let whole = taken.takeTable()
        #expect(whole.rows == late.rows && whole.groups == late.groups)
        #expect(taken.takeTable().groups.isEmpty)
        taken.add(documents[2])
        #expect(taken.takeTable().count(of: "time", in: "corpus") == TermCount(count: 1, participants: 1, documents: 1))
        #expect(builder.table().rows == late.rows)
        // Rows taken leave the groups and let the terms go.
        var spent = late
        #expect(spent.takeRows() == late.rows)
        #expect(spent.groups == late.groups && spent.count(of: "time", in: "corpus") == nil && spent.rows.isEmpty)
        #expect(late.count(of: "time", in: "corpus")?.count == 4)
    }

    /// A table of many groups hands its rows over a few groups at a time (as the pipeline writes
    /// frequencies.json and `tmine freq --json` writes its rows): the pieces, joined, are the
    /// rows worked out from the documents by hand, with minimum count and top-N; a group taken
    /// has no counts left, the others keep theirs; and keyness, read from the counts themselves,
    /// is the comparison worked out by hand.
    @Test func rowsTakenAFewGroupsAtATimeAreTheRowsWorkedOutByHand() throws {
        var random = SplitMixGenerator(seed: 61)
        let words = ["time", "hype", "data", "straße", "日本", "e\u{301}", "a", "ab", "protected", "rota"]
        let people = (1...75).map { Participant(id: "P\($0)", attributes: [:]) }
        var documents: [DocumentCounts] = []
        // By participant: term → (count, documents); a participant may speak in several documents,
        // and twice in one.
        var byHand: [String: [String: (count: Int, documents: Set<Int>)]] = [:]
        var spoken: [String: Int] = [:]
        for document in 0..<90 {
            var speakers: [DocumentCounts.Speaker] = []
            for person in [people[document % 75], people[(document * 7 + 3) % 75]] {
                var terms: [String: Int] = [:]
                for word in words where Int.random(in: 0..<3, using: &random) > 0 {
                    terms[word + String(Int.random(in: 0..<4, using: &random))] = Int.random(in: 1...3, using: &random)
                }
                let said = terms.values.reduce(0, +)
                speakers.append(DocumentCounts.Speaker(participantID: person.id, words: said, terms: terms))
                spoken[person.id, default: 0] += said
                for (term, count) in terms {
                    var entry = byHand[person.id, default: [:]][term] ?? (0, [])
                    entry.count += count
                    entry.documents.insert(document)
                    byHand[person.id, default: [:]][term] = entry
                }
            }
            documents.append(DocumentCounts(documentID: "d\(document)", speakers: speakers))
        }
        let participants = ParticipantTable(attributeNames: [], participants: people)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scratch-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A folder inside a file cannot be made: the groups set aside stay in memory.
        let unusable = folder + "-file/inside"
        try Data().write(to: URL(fileURLWithPath: folder + "-file"))
        defer { try? FileManager.default.removeItem(atPath: folder + "-file") }
        for (minimum, top, scratch) in [
            (1, nil, nil), (2, 5, nil), (1, nil, folder), (2, 5, folder), (1, nil, unusable),
        ] as [(Int, Int?, String?)] {
            var options = FrequencyCounter.Options()
            options.grouping = .participant
            options.minimumCount = minimum
            options.top = top
            // Groups nobody has added to lately are set aside as documents arrive (in memory, or
            // in a scratch file unlinked at once), and made again when one does: some are here.
            var builder = FrequencyTable.Builder(participants: participants, options: options, scratchFolder: scratch)
            var (thawed, addedAgain) = (0, 0)
            func resting(_ accumulator: FrequencyTable.Builder.Accumulator) -> Bool {
                switch accumulator.aside {
                case .kept: scratch != folder
                case .spilled: scratch == folder
                case .adopted, nil: false
                }
            }
            // A new group takes its first speaker's terms unindexed; some are added to again
            // before they are set aside.
            func adopted(_ accumulator: FrequencyTable.Builder.Accumulator) -> Bool {
                if case .adopted = accumulator.aside { return true }
                return false
            }
            for document in documents {
                let asleep = Set(builder.index.filter { resting(builder.accumulators[$0.value]) }.keys)
                let fresh = Set(builder.index.filter { adopted(builder.accumulators[$0.value]) }.keys)
                builder.add(document)
                thawed += document.speakers.filter { asleep.contains($0.participantID ?? "") }.count
                addedAgain += document.speakers.filter { fresh.contains($0.participantID ?? "") }.count
            }
            #expect(thawed > 0 && addedAgain > 0 && builder.accumulators.contains(where: resting))
            if scratch == folder { #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty) }
            let table = builder.table()
            #expect(table.groups.map(\.name) == people.map(\.id))
            var expected: [FrequencyTable.Row] = []
            for person in people {
                let said = spoken[person.id] ?? 0
                var rows = (byHand[person.id] ?? [:]).filter { $0.value.count >= minimum }.map { term, numbers in
                    FrequencyTable.Row(
                        term: term, group: person.id, count: numbers.count,
                        rate: Double(numbers.count) * 1000 / Double(said), participants: 1,
                        documents: numbers.documents.count)
                }
                rows.sort {
                    $0.count != $1.count ? $0.count > $1.count : $0.term.utf8.lexicographicallyPrecedes($1.term.utf8)
                }
                expected += rows.prefix(top ?? rows.count)
            }
            #expect(table.rows == expected)
            // In pieces of 50 rows, filled from several groups or cut from one.
            var pieces: [[FrequencyTable.Row]] = []
            var source = FrequencyRowPieces(table: table, rowsAtATime: 50)
            while case let piece = source.next(), !piece.isEmpty { pieces.append(piece) }
            #expect(Array(pieces.joined()) == expected)
            #expect(pieces.dropLast().allSatisfy { $0.count == 50 } && pieces.last?.count ?? 0 <= 50)
            // Some groups taken, ordered on one core or two, their rows made in slices: the same
            // rows; the rest keep their counts.
            var part = table
            let serial = part.takeRowOrders(ofGroups: 10..<20, concurrently: false).map { group in
                stride(from: 0, to: group.count, by: 3).flatMap { group.rows($0..<min(group.count, $0 + 3)) }
            }
            var other = table
            #expect(other.takeRows(ofGroups: 10..<20) == serial)
            #expect(Array(serial.joined()) == expected.filter { (11...20).map { "P\($0)" }.contains($0.group) })
            let heard = try #require(byHand["P12"]?.keys.first)
            #expect(part.count(of: heard, in: "P12") == nil)
            let kept = try #require(byHand["P30"]?.first)
            #expect(
                part.count(of: kept.key, in: "P30")
                    == TermCount(count: kept.value.count, participants: 1, documents: kept.value.documents.count))
        }
        // Keyness of P5 against the rest, from the same counts by hand.
        let table = FrequencyTable(
            merging: documents, participants: participants,
            options: {
                var options = FrequencyCounter.Options()
                options.grouping = .participant
                return options
            }())
        let keyness = try table.keyness(of: "P5", minimumCount: 3)
        var sides: [String: (a: Int, b: Int)] = [:]
        for (person, terms) in byHand {
            for (term, numbers) in terms {
                if person == "P5" {
                    sides[term, default: (0, 0)].a += numbers.count
                } else {
                    sides[term, default: (0, 0)].b += numbers.count
                }
            }
        }
        let targetWords = spoken["P5"] ?? 0
        let referenceWords = spoken.values.reduce(0, +) - targetWords
        let expected = sides.filter { $0.value.a + $0.value.b >= 3 }.map { term, side in
            (term, side.a, side.b, LogLikelihood(a: side.a, b: side.b, c: targetWords, d: referenceWords))
        }.sorted {
            let (left, right) = (
                $0.3.logRatio < 0 ? -$0.3.g2 : $0.3.g2, $1.3.logRatio < 0 ? -$1.3.g2 : $1.3.g2
            )
            return left != right ? left > right : $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars)
        }
        #expect(keyness.targetWords == targetWords && keyness.referenceWords == referenceWords)
        #expect(keyness.rows.map(\.term) == expected.map(\.0))
        #expect(keyness.rows.map(\.targetCount) == expected.map(\.1))
        #expect(keyness.rows.map(\.referenceCount) == expected.map(\.2))
        #expect(keyness.rows.map(\.logLikelihood) == expected.map(\.3.g2))
        // Against one other group: terms both said, terms only P5 said and terms only P6 said.
        let (five, six) = (byHand["P5"] ?? [:], byHand["P6"] ?? [:])
        let shared = Set(five.keys).intersection(six.keys)
        #expect(!shared.isEmpty && shared.count < five.count && shared.count < six.count)
        let pair = try table.keyness(of: "P5", against: "P6")
        #expect(pair.referenceWords == spoken["P6"] ?? -1)
        var pairSides: [String: [Int]] = [:]
        for term in Set(five.keys).union(six.keys) {
            pairSides[term] = [five[term]?.count ?? 0, six[term]?.count ?? 0]
        }
        #expect(
            Dictionary(uniqueKeysWithValues: pair.rows.map { ($0.term, [$0.targetCount, $0.referenceCount]) })
                == pairSides)
        #expect(
            pair.rows.allSatisfy {
                $0.logLikelihood
                    == LogLikelihood(
                        a: $0.targetCount, b: $0.referenceCount, c: pair.targetWords, d: pair.referenceWords
                    ).g2
            })
    }

    /// One table fed document by document (`tmine freq`) with a minimum count of 2 and few groups
    /// leaves out terms heard once, in memory or a hundred at a time on disk, and has the rows and
    /// keyness of a builder counting every term; by participant it counts every term.
    @Test func oneTableOfAMinimumCountOfTwoIsTheTableOfEveryTerm() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("one-table-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var random = SplitMixGenerator(seed: 273)
        let people = (1...8).map { Participant(id: "P\($0)", attributes: ["split": $0 % 2 == 0 ? "tech" : "clinical"]) }
        let participants = ParticipantTable(attributeNames: ["split"], participants: people)
        let documents = (0..<40).map { document in
            DocumentCounts(
                documentID: "d\(document)",
                speakers: [nil, people.randomElement(using: &random)?.id].map { id in
                    var terms: [String: Int] = [:]
                    for _ in 0..<60 { terms["t\(Int.random(in: 0..<2000, using: &random))", default: 0] += 1 }
                    return DocumentCounts.Speaker(participantID: id, words: 70, terms: terms)
                })
        }
        for (grouping, inMemory) in [
            (Grouping.attributes(["split"]), 1 << 19), (.attributes(["split"]), 100), (.participant, 100),
        ] {
            var options = FrequencyCounter.Options()
            options.grouping = grouping
            options.filter = .everyone
            options.minimumCount = 2
            var one = FrequencyTable.OneTableBuilder(
                participants: participants, options: options, scratchFolder: folder, heardOnceInMemory: inMemory)
            var every = FrequencyTable.Builder(participants: participants, options: options)
            for document in documents {
                one.add(document)
                every.add(document)
            }
            let (a, b) = (one.takeTable(), every.takeTable())
            #expect(a.omitsTermsHeardOnce == (grouping != .participant))
            // The scratch file's folder is made when terms heard once go to disk.
            #expect(FileManager.default.fileExists(atPath: folder) == (inMemory == 100))
            #expect(a.groups == b.groups)
            #expect(a.rows == b.rows && !a.rows.isEmpty)
            if grouping != .participant {
                #expect(try a.keyness(of: "tech", minimumCount: 2) == b.keyness(of: "tech", minimumCount: 2))
            }
        }
    }

    /// Keyness of a group the table lacks names the groups it has, the first 20 of many, or that
    /// there are none.
    @Test func keynessOfAMissingGroupNamesTheFirstGroupsOfMany() {
        let few = KeynessError(group: "P1", known: ["P0001", "P0002"])
        #expect(few.description == #"no group "P1"; the groups are: "P0001", "P0002""#)
        let many = KeynessError(group: "P1", known: (1...2000).map { String(format: "P%04d", $0) })
        #expect(many.description.hasSuffix(#""P0019", "P0020", and 1980 more"#))
        #expect(!many.description.contains("P0021"))
        // No groups at all (nothing read): said so, not "the groups are: " and nothing.
        #expect(KeynessError(group: "GP", known: []).description == #"no group "GP": no words were counted"#)
    }

    /// For each grouping, a builder fed shared terms' ids and one numbering its own terms.
    static func builders(
        of groupings: [Grouping], filter: SegmentFilter, minimumCount: Int = 1, participants: ParticipantTable
    ) -> (sharing: [FrequencyTable.Builder], own: [FrequencyTable.Builder]) {
        let options = groupings.map { grouping in
            var options = FrequencyCounter.Options()
            options.grouping = grouping
            options.filter = filter
            options.minimumCount = minimumCount
            return options
        }
        return (
            options.map { FrequencyTable.Builder(participants: participants, options: $0, sharingTerms: true) },
            options.map { FrequencyTable.Builder(participants: participants, options: $0) }
        )
    }

    /// A group's keyness against the rest, or why the table refused it.
    static func keyness(_ table: FrequencyTable, _ group: String, minimumCount: Int = 1) -> Result<
        Keyness, KeynessError
    > {
        Result { () throws(KeynessError) in try table.keyness(of: group, minimumCount: minimumCount) }
    }

    /// Tables of few groups fed ids of terms they share (``FrequencyTable/SharedTerms``) are the
    /// tables each builder makes numbering its own terms: rows, groups, counts and keyness, with
    /// speakers of no participant, a participant missing an attribute, a participant in several
    /// documents, several speakers of one group in a document, and a group heard in the first
    /// document only (its tallies end before the terms do); thousands of rare terms, so that
    /// ids run far apart, and the corpus table's counts worked out by hand. Speakers the filter
    /// leaves out are not numbered.
    @Test func tablesSharingTermsAreTheTablesOfTheirOwnTerms() throws {
        var random = SplitMixGenerator(seed: 63)
        let people = (1...12).map { number in
            Participant(
                id: "P\(number)",
                attributes: number == 12
                    ? ["split": "tech"]
                    : ["split": number % 2 == 0 ? "tech" : "clinical", "years": number % 3 == 0 ? "5+" : "1-5"])
        }
        let visitor = Participant(id: "P13", attributes: ["split": "visitor", "years": "1-5"])
        let participants = ParticipantTable(attributeNames: ["split", "years"], participants: people + [visitor])
        #expect(Grouping.attributes(["split"]).groupLimit(among: participants) == 4)
        #expect(Grouping.attributes(["split", "years"]).groupLimit(among: participants) == 7)
        #expect(Grouping.corpus.groupLimit(among: participants) == 1)
        #expect(Grouping.participant.groupLimit(among: participants) == nil)
        let words = ["time", "hype", "data", "straße", "日本", "e\u{301}", "a", "protected", "rota", "mentor"]
        func speaker(_ id: String?, role: SpeakerRole) -> DocumentCounts.Speaker {
            var terms: [String: Int] = [:]
            for word in words where Int.random(in: 0..<3, using: &random) == 0 {
                let form = role == .interviewer ? "asked-" + word : word + String(Int.random(in: 0..<3, using: &random))
                terms[form] = Int.random(in: 1...4, using: &random)
            }
            for _ in 0..<(id == nil ? 0 : 150) { terms["t\(Int.random(in: 0..<6000, using: &random))"] = 1 }
            return DocumentCounts.Speaker(participantID: id, words: terms.values.reduce(0, +) + 2, terms: terms)
        }
        var documents: [DocumentCounts] = []
        var heard: [String: Set<String>] = [:]
        for document in 0..<40 {
            // An interviewer (no participant), then one to three participants, who may share a group.
            var speakers = [speaker(nil, role: .interviewer)]
            if document == 0 { speakers.append(speaker(visitor.id, role: .participant)) }
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                speakers.append(speaker(people.randomElement(using: &random)?.id, role: .participant))
            }
            for spoken in speakers { heard[spoken.participantID ?? "", default: []].formUnion(spoken.terms) }
            documents.append(DocumentCounts(documentID: "d\(document)", speakers: speakers))
        }
        let tech = SegmentFilter(attributes: ["split": ["tech"]])
        for filter in [tech, .everyone] {
            let groupings: [Grouping] = [.attributes(["split"]), .attributes(["years"]), .corpus]
            var shared = FrequencyTable.SharedTerms(participants: participants, filter: filter)
            var (sharing, own) = Self.builders(of: groupings, filter: filter, participants: participants)
            for document in documents {
                let ids = shared.ids(of: document)
                for index in groupings.indices {
                    sharing[index].add(document, shared: ids, termCount: shared.count)
                    own[index].add(document)
                }
            }
            // Only the speakers the filter lets in are numbered.
            let numbered = heard.filter { id, _ in
                filter.accepts(participantID: id.isEmpty ? nil : id, participant: participants.byID[id])
            }
            #expect(shared.count == numbered.values.reduce(Set()) { $0.union($1) }.count)
            #expect(numbered.count < heard.count || filter == .everyone)
            #expect(shared.count > 3000)
            var byHand: [String: (count: Int, participants: Set<String>, documents: Set<String>)] = [:]
            for document in documents {
                for spoken in document.speakers
                where filter.accepts(
                    participantID: spoken.participantID,
                    participant: spoken.participantID.flatMap { participants.byID[$0] })
                {
                    for (term, count) in zip(spoken.terms, spoken.counts) {
                        var entry = byHand[term] ?? (0, [], [])
                        entry.count += count
                        if let id = spoken.participantID { entry.participants.insert(id) }
                        entry.documents.insert(document.documentID)
                        byHand[term] = entry
                    }
                }
            }
            let terms = shared.terms()
            for index in groupings.indices {
                let (a, b) = (sharing[index].table(terms: terms), own[index].table())
                #expect(a.groups == b.groups)
                // P12 has no years: a group of its own in that grouping.
                #expect(
                    a.groups.contains { $0.name == "(none)" } == (index == 1 || (index == 0 && filter == .everyone)))
                #expect(a.rows == b.rows && !a.rows.isEmpty)
                if groupings[index] == .corpus {
                    #expect(a.rows.count == byHand.count)
                    for row in a.rows {
                        let expected = byHand[row.term]
                        #expect(
                            expected.map {
                                TermCount(
                                    count: $0.count, participants: $0.participants.count, documents: $0.documents.count)
                            }
                                == TermCount(count: row.count, participants: row.participants, documents: row.documents)
                        )
                    }
                }
                for group in b.groups.map(\.name) {
                    for term in ["time0", "asked-hype", "mentor2"] {
                        #expect(a.count(of: term, in: group) == b.count(of: term, in: group))
                    }
                    // The corpus's one group has no rest: both tables refuse it alike.
                    #expect(Self.keyness(a, group) == Self.keyness(b, group))
                    for other in b.groups.map(\.name) where other != group {
                        #expect(try a.keyness(of: group, against: other) == b.keyness(of: group, against: other))
                    }
                }
            }
        }
    }

    /// Tables of a minimum count of 2 whose shared terms leave out terms heard once
    /// (``FrequencyTable/SharedTerms/omitsTermsHeardOnce``) have the rows, groups and keyness of
    /// tables that count every term: a term said once and again in a later document by the same
    /// participant, by another, or first by an interviewer; said by two speakers of one document;
    /// said twice by its first speaker; participants in several documents; speakers the filter
    /// leaves out. Only terms heard at least twice (by the speakers let in) are numbered. The
    /// same whether the terms heard once stay in memory or go to disk a few hundred at a time
    /// (met again when the tables are taken), or cannot go to disk (a folder inside a file).
    @Test func termsHeardOnceAreLeftOutWithoutChangingRowsOrKeyness() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("heard-once-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "".write(toFile: folder + "-file", atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: folder + "-file") }
        var random = SplitMixGenerator(seed: 71)
        let people = (1...9).map { number in
            Participant(
                id: "P\(number)",
                attributes: ["split": number % 2 == 0 ? "tech" : "clinical", "years": number % 3 == 0 ? "5+" : "1-5"])
        }
        let participants = ParticipantTable(attributeNames: ["split", "years"], participants: people)
        func speaker(_ id: String?) -> DocumentCounts.Speaker {
            var terms: [String: Int] = [:]
            // Rare terms, most said once or twice in all; a few said more than once by a speaker.
            for _ in 0..<(id == nil ? 40 : 120) {
                terms["t\(Int.random(in: 0..<12000, using: &random))"] =
                    Int.random(in: 0..<12, using: &random) == 0 ? 2 : 1
            }
            if let id { terms["said-by-\(id)"] = 1 }
            return DocumentCounts.Speaker(participantID: id, words: terms.values.reduce(0, +) + 3, terms: terms)
        }
        var documents: [DocumentCounts] = []
        for document in 0..<60 {
            var speakers = [speaker(nil)]
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                speakers.append(speaker(people.randomElement(using: &random)?.id))
            }
            documents.append(DocumentCounts(documentID: "d\(document)", speakers: speakers))
        }
        let modes: [(filter: SegmentFilter, scratch: String?, spills: Bool)] = [
            (SegmentFilter(attributes: ["split": ["tech"]]), nil, false), (.everyone, nil, false),
            (SegmentFilter(attributes: ["split": ["tech"]]), folder, true), (.everyone, folder, true),
            (.everyone, folder + "-file/inside", false),
        ]
        for (filter, scratch, spills) in modes {
            let groupings: [Grouping] = [.attributes(["split"]), .attributes(["years"]), .corpus]
            var shared = FrequencyTable.SharedTerms(
                participants: participants, filter: filter, omittingTermsHeardOnce: true, scratchFolder: scratch,
                spillingAbove: scratch == nil ? FrequencyTable.SharedTerms.heardOnceInMemory : 300)
            var (sharing, own) = Self.builders(
                of: groupings, filter: filter, minimumCount: 2, participants: participants)
            var earlier = 0
            for document in documents {
                let ids = shared.ids(of: document)
                earlier += ids.earlier.count
                for index in groupings.indices {
                    sharing[index].add(document, shared: ids, termCount: shared.count)
                    own[index].add(document)
                }
            }
            var heard: [String: Int] = [:]
            for document in documents {
                for spoken in document.speakers
                where filter.accepts(
                    participantID: spoken.participantID,
                    participant: spoken.participantID.flatMap { participants.byID[$0] })
                {
                    for (term, count) in zip(spoken.terms, spoken.counts) { heard[term, default: 0] += count }
                }
            }
            // Numbered: the terms heard twice or more, and only those.
            #expect(shared.hasSpilled == spills)
            let atTheEnd = shared.finishHeardOnce()
            #expect(atTheEnd.isEmpty != spills)
            for index in groupings.indices { sharing[index].addHeardOnce(atTheEnd, termCount: shared.count) }
            #expect(shared.count == heard.values.filter { $0 >= 2 }.count)
            #expect(heard.values.filter { $0 == 1 }.count > 500)
            #expect(earlier > 500 || spills)
            let terms = shared.terms()
            for index in groupings.indices {
                let a = sharing[index].table(terms: terms, omittingTermsHeardOnce: true)
                let b = own[index].table()
                #expect(a.omitsTermsHeardOnce && !b.omitsTermsHeardOnce)
                #expect(a.groups == b.groups)
                #expect(a.rows == b.rows && !a.rows.isEmpty)
                #expect(a.rows.contains { $0.participants > 1 } && a.rows.contains { $0.documents > 1 })
                for group in b.groups.map(\.name) {
                    #expect(Self.keyness(a, group, minimumCount: 2) == Self.keyness(b, group, minimumCount: 2))
                    for other in b.groups.map(\.name) where other != group {
                        #expect(
                            try a.keyness(of: group, against: other, minimumCount: 3)
                                == b.keyness(of: group, against: other, minimumCount: 3))
                    }
                }
            }
        }
    }

    @Test func stemsAndGroupingsByParticipantDocumentAndCombination() throws {
        var options = FrequencyCounter.Options()
        options.stem = true
        options.grouping = .participant
        let byParticipant = FrequencyCounter(options: options).count(sample())
        #expect(byParticipant.groups.map(\.name) == ["P1", "P2", "P3"])
        #expect(byParticipant.count(of: "clinic", in: "P3")?.count == 1)
        #expect(byParticipant.count(of: "protect", in: "P1")?.count == 1)
        options.grouping = Grouping("split,split")
        #expect(
            FrequencyCounter(options: options).count(sample()).groups.map(\.name) == [
                "clinical | clinical", "tech | tech",
            ])
    }

    /// A grouping by a banded attribute and another lists its groups by the bands' order first:
    /// `early | …`, `mid | …`, `late | …`, not by name.
    @Test func combinedGroupsOfABandedAttributeFollowTheBands() throws {
        let people = try ParticipantTable(
            attributeNames: ["years", "split"],
            participants: [
                Participant(id: "P1", attributes: ["years": "12", "split": "tech"]),
                Participant(id: "P2", attributes: ["years": "2", "split": "tech"]),
                Participant(id: "P3", attributes: ["years": "7", "split": "clinical"]),
                Participant(id: "P4", attributes: ["years": "3", "split": "clinical"]),
            ]
        ).banded(by: [
            AttributeBand(name: "stage", source: "years", bounds: [5, 10], labels: ["early", "mid", "late"])
        ])
        let documents = ["P1", "P2", "P3", "P4"].map { id in
            DocumentCounts(
                documentID: id, speakers: [DocumentCounts.Speaker(participantID: id, words: 1, terms: ["time": 1])])
        }
        var options = FrequencyCounter.Options()
        options.grouping = Grouping("stage,split")
        let table = FrequencyTable(merging: documents, participants: people, options: options)
        #expect(table.groups.map(\.name) == ["early | clinical", "early | tech", "mid | clinical", "late | tech"])
    }

    @Test func minimumCountAndTopFilterRows() {
        var options = FrequencyCounter.Options()
        options.minimumCount = 2
        #expect(FrequencyCounter(options: options).count(sample()).rows.map(\.term) == ["time", "protected"])
        options.minimumCount = 1
        options.top = 1
        #expect(FrequencyCounter(options: options).count(sample()).rows.map(\.term) == ["time"])
    }

    /// Rows sort by count, then by term's bytes; terms alike in their first eight bytes, shorter
    /// than eight, holding NUL, or not ASCII, sort as a plain comparison of their strings says.
    @Test func rowsSortByCountThenTermWhateverTheTermsShare() {
        let stems = ["", "a", "ab", "abcdefgh", "abcdefg", "abcdefghi", "\u{0}", "a\u{0}", "é", "e\u{301}", "ß", "日本"]
        var random = SystemRandomNumberGenerator()
        var counts: [String: Int] = [:]
        while counts.count < 3000 {
            let term =
                stems.randomElement(using: &random)! + stems.randomElement(using: &random)!
                + String(Int.random(in: 0..<40, using: &random))
            counts[term] = Int.random(in: 1...4, using: &random)
        }
        let expected = counts.sorted {
            $0.value != $1.value ? $0.value > $1.value : $0.key.utf8.lexicographicallyPrecedes($1.key.utf8)
        }
        var options = FrequencyCounter.Options()
        options.filter = .everyone
        let speaker = DocumentCounts.Speaker(participantID: "P1", words: 3000, terms: counts)
        for top in [nil, 7] as [Int?] {
            options.top = top
            let table = FrequencyTable(
                merging: [DocumentCounts(documentID: "d", speakers: [speaker])], participants: table, options: options)
            #expect(table.rows.map(\.term) == expected.prefix(top ?? expected.count).map(\.key))
        }
    }

    /// Worked by hand: a=10, b=5, c=1,000, d=2,000 → E₁=5, E₂=10,
    /// G² = 2(10 ln 2 + 5 ln ½) = 10 ln 2 = 6.9315; p = P(χ²₁ > 6.9315) = 0.008471;
    /// log ratio = log₂((10/1000)/(5/2000)) = log₂ 4 = 2.
    @Test func logLikelihoodMatchesTheWorkedExample() {
        let statistic = LogLikelihood(a: 10, b: 5, c: 1000, d: 2000)
        #expect(abs(statistic.g2 - 6.931_472) < 1e-5)
        #expect(abs(statistic.pValue - 0.008_471) < 1e-5)
        #expect(statistic.logRatio == 2)
    }

    /// Worked by hand: 50 in 100,000 words against 10 in 100,000: E₁ = E₂ = 30,
    /// G² = 2(50 ln(5/3) + 10 ln(1/3)) = 2(25.5413 − 10.9861) = 29.1104.
    @Test func logLikelihoodOfEqualCorporaAndZeroCounts() {
        let equal = LogLikelihood(a: 50, b: 10, c: 100_000, d: 100_000)
        #expect(abs(equal.g2 - 29.1104) < 1e-3)
        let zero = LogLikelihood(a: 0, b: 8, c: 1000, d: 1000)
        #expect(abs(zero.g2 - 2 * 8 * log(2.0)) < 1e-9)  // E₂ = 4: 2·8·ln 2
        #expect(zero.logRatio == log2(0.5 / 8))
    }

    @Test func keynessRanksWhatTheTargetOveruses() throws {
        var options = FrequencyCounter.Options()
        options.grouping = .attributes(["split"])
        let frequencies = FrequencyCounter(options: options).count(sample())
        let keyness = try frequencies.keyness(of: "tech")
        #expect(keyness.reference == "rest")
        #expect(keyness.targetWords == 10 && keyness.referenceWords == 6)
        // "hype" (1 of 10 against 0 of 6: G² = 2 ln 1.6 = 0.940) outranks "time" (4 of 10 against
        // 1 of 6: G² = 0.718).
        #expect(keyness.rows.prefix(2).map(\.term) == ["hype", "time"])
        #expect(abs(keyness.rows[0].logLikelihood - 2 * log(1.6)) < 1e-12)
        let time = try #require(keyness.rows.first { $0.term == "time" })
        #expect(time.targetCount == 4 && time.referenceCount == 1)
        #expect(time.logLikelihood == LogLikelihood(a: 4, b: 1, c: 10, d: 6).g2)
        #expect(keyness.rows.last?.logRatio ?? 0 < 0)
        #expect(throws: KeynessError.self) { try frequencies.keyness(of: "nobody") }
        let printed = keyness.terminalTable(top: 2)
        #expect(printed.hasSuffix("(p is each term's own, not corrected for the \(keyness.count) terms compared)\n"))
    }

    /// A comparison with nothing on one side (the only group of its grouping, or a reference
    /// that said nothing) gives every term a G² of 0: refused with the reason, not an empty chart.
    @Test func keynessWithNoWordsOnOneSideIsRefusedWithTheReason() throws {
        var options = FrequencyCounter.Options()
        options.grouping = .attributes(["split"])
        options.filter.participantIDs = ["P1", "P2"]
        let alone = FrequencyCounter(options: options).count(sample())
        #expect(alone.groups.map(\.name) == ["tech"])
        #expect {
            try alone.keyness(of: "tech")
        } throws: { error in
            (error as? KeynessError)?.reason == .noWords(nil)
                && "\(error)" == #""tech" is the only group with words: there is no rest to compare it against"#
        }
        options.filter = SegmentFilter()
        let both = FrequencyCounter(options: options).count(sample())
        #expect(try both.keyness(of: "tech").referenceWords == 6)
    }

    /// A large group's rows are ordered by a radix sort on count and the terms' first eight
    /// bytes, then by whole terms where those tie: the order must be the one a comparison of
    /// count, then term, gives, for shared prefixes, terms shorter than eight bytes, non-ASCII
    /// and counts of every size.
    @Test func aLargeGroupsRowsComeByCountThenTermAsASortWouldOrderThem() {
        var random = SplitMixGenerator(seed: 0x5027)
        let starts = ["and the", "and then", "that the", "a", "ab", "é", "éa", "zz top", "in the end", "the best of"]
        var seen = Set<String>()
        var terms: [String] = []
        while terms.count < 5000 {
            let start = starts[Int(random.next() % UInt64(starts.count))]
            let term = random.next() % 4 == 0 ? start : start + " " + String(random.next() % 900, radix: 36)
            if seen.insert(term).inserted { terms.append(term) }
        }
        let counts = terms.map { _ in
            switch random.next() % 10 {
            case 0: Int(random.next() % 100_000_000)
            case 1, 2: Int(random.next() % 70_000)
            default: Int(random.next() % 3)
            }
        }
        let group = FrequencyTable.GroupCounts(
            terms: TermList(terms), tallies: counts.map { .init(count: $0, documents: 1) }, participants: [],
            uniform: 1)
        for (minimum, top) in [(1, nil), (2, nil), (1, 100)] as [(Int, Int?)] {
            var options = FrequencyCounter.Options()
            options.minimumCount = minimum
            options.top = top
            let kept = terms.indices.filter { counts[$0] > 0 && counts[$0] >= minimum }
            let expected = kept.sorted {
                counts[$0] != counts[$1] ? counts[$0] > counts[$1] : utf8Precedes(terms[$0], terms[$1])
            }
            #expect(kept.count >= 1024)
            #expect(
                FrequencyTable.rowOrder(of: group, options: options) == expected.prefix(top ?? .max).map(Int32.init))
        }
    }

    /// Many keyness rows are ordered as keys (signed G², then the term's first eight bytes) and
    /// then by term: the order must be the one comparing the rows gives, for the ties of G² that
    /// small counts make, shared prefixes, non-ASCII terms and G² of 0 on either side (-0 is 0);
    /// with a G² that is not a number (which orders nowhere), every row still comes once.
    @Test func manyKeynessRowsComeBySignedG2ThenTermAsComparingThemWould() {
        var random = SplitMixGenerator(seed: 0x6E55)
        let starts = ["and the", "and then", "a", "ab", "é", "éa", "in the end", "zz"]
        var seen = Set<String>()
        var terms: [String] = []
        var signed: [Double] = []
        while terms.count < 4000 {
            let start = starts[Int(random.next() % UInt64(starts.count))]
            let term = random.next() % 4 == 0 ? start : start + " " + String(random.next() % 900, radix: 36)
            guard seen.insert(term).inserted else { continue }
            let (a, b) = (Int(random.next() % 4), Int(random.next() % 4))
            let row = LogLikelihood(a: a, b: b, c: 50_000, d: 60_000)
            var statistic = row.logRatio < 0 ? -row.g2 : row.g2
            if random.next() % 10 == 0 { statistic = random.next() % 2 == 0 ? -0.0 : 0 }
            terms.append(term)
            signed.append(statistic)
        }
        let list = TermList(terms)
        let expected = terms.indices.sorted { a, b in
            let (left, right) = (signed[a], signed[b])
            return left != right ? left > right : utf8Precedes(terms[a], terms[b])
        }
        let order = FrequencyTable.keynessOrder(
            count: terms.count, signed: { signed[$0] }, withTerm: { list.withBytes(at: $0, $1) })
        #expect(order.map { terms[Int($0)] } == expected.map { terms[$0] })
        signed[17] = .nan
        let withNaN = FrequencyTable.keynessOrder(
            count: terms.count, signed: { signed[$0] }, withTerm: { list.withBytes(at: $0, $1) })
        #expect(withNaN.sorted() == Array(0..<Int32(terms.count)))
    }

    /// Keyness keeps its rows as terms and counts and makes them when asked: a row made is the
    /// row its counts give, in the file of the cache and in JSON alike, a slice as the whole.
    @Test func keynessRowsMadeFromTheirCountsAreTheSameInEveryForm() throws {
        let rows = [("hype", 9, 1), ("protected time", 0, 4), ("é", 2, 2)].map { term, a, b in
            let statistic = LogLikelihood(a: a, b: b, c: 1000, d: 3000)
            return Keyness.Row(
                term: term, targetCount: a, referenceCount: b, targetRate: FrequencyTable.rate(a, of: 1000),
                referenceRate: FrequencyTable.rate(b, of: 3000), logLikelihood: statistic.g2,
                pValue: statistic.pValue, logRatio: statistic.logRatio)
        }
        let keyness = Keyness(target: "t", reference: "rest", targetWords: 1000, referenceWords: 3000, rows: rows)
        #expect(keyness.rows == rows)
        #expect(keyness.rows(1..<3) == Array(rows[1..<3]))
        #expect(keyness.firstRows(1) { $0.logRatio < 0 } == [rows[1]])
        var writer = BinaryWriter()
        writer.write(keyness)
        var reader = BinaryReader(writer.bytes)
        #expect(try reader.read(Keyness.self) == keyness)
        let json = try JSONEncoder().encode(keyness)
        #expect(try JSONDecoder().decode(Keyness.self, from: json) == keyness)
        let tooMany = try JSONEncoder().encode(
            Keyness(target: "t", reference: "rest", targetWords: 1000, referenceWords: 3000, rows: Array(rows[1...]))
        )
        .replacing(Array("\"targetCount\":0".utf8), with: Array("\"targetCount\":\(1 << 40)".utf8))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Keyness.self, from: tooMany) }
    }
}
