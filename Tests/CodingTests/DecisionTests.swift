import Corpus
import Foundation
import Testing

@testable import Coding

@Suite struct DecisionTests {
    /// `written` with `events` put in as an append puts them (``DecisionStore/append(_:into:of:_:)``),
    /// or nil when it would encode the whole log instead.
    static func appending(
        _ events: ArraySlice<DecisionEvent>, to written: Data, of log: DecisionLog, _ encoder: JSONEncoder
    ) throws -> Data? {
        var data = written
        return try DecisionStore.append(events, into: &data, of: log, encoder) ? data : nil
    }

    func temporaryLog() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("decisions-\(UUID())/alice.json").path
    }

    /// Ids are SHA-256 of the suggestion's parts joined by U+001F, cut to 16 hex digits
    /// (computed here with Python's hashlib): decisions made with earlier versions keep their
    /// suggestions.
    @Test func idsAreThoseEarlierVersionsGave() {
        #expect(
            CodeSuggester.id(
                document: "interview_03", segment: 12, sentence: nil, code: "hype", text: "snake oil", occurrence: 0)
                == "ada72d50f883ed4e")
        #expect(
            CodeSuggester.id(
                document: "interview_03", segment: 12, sentence: 2, code: "protected time", text: "protected time",
                occurrence: 1) == "98304598b2a2c7df")
        #expect(
            CodeSuggester.id(
                document: "é👍🏽", segment: 0, sentence: nil, code: "culture clash", text: "cultures clash", occurrence: 0)
                == "2a37300276e291e9")
    }

    @Test func idsAreStableAndIndependentOfOtherCodes() {
        let turns = ["There is a lot of hype and no protected time.", "More hype."]
        let hype = Code(name: "Hype", patterns: ["hype"])
        let time = Code(name: "Time", patterns: ["protected time"])
        let first = suggest([hype, time], turns)
        let again = suggest([hype, time], turns)
        #expect(first.map(\.id) == again.map(\.id))
        // Edit one entry: only its suggestions change.
        let edited = suggest([hype, Code(name: "Time", patterns: ["protected time", "no"])], turns)
        #expect(Set(first.filter { $0.code == "Hype" }.map(\.id)) == Set(edited.filter { $0.code == "Hype" }.map(\.id)))
        #expect(Set(first.map(\.id)).count == first.count)
    }

    @Test func suggestionsRoundTripThroughTheCacheWithTheirTextsCutFromTheDocument() throws {
        // Sentences longer than a context (60 characters either side of the evidence).
        let padding = String(repeating: "and so on and so forth ", count: 4)
        let turns = [
            "There is a lot of hype \(padding)and no protected time \(padding)today.", "More hype.",
            "Hype again \(padding)here. And protected time \(padding)there.",
        ]
        let text = corpus(turns).documents[0].text
        var suggestions = suggest(
            [Code(name: "Hype", patterns: ["hype"]), Code(name: "Time", patterns: ["protected time"])], turns,
            unit: .sentence)
        // Units are whole turns (the first two) and sentences of a turn (the third's two).
        #expect(suggestions.count == 5)
        let sentences = ["Hype again \(padding)here.", "And protected time \(padding)there."]
        #expect(suggestions.filter { $0.segmentIndex == 2 }.map(\.text) == sentences)
        suggestions[0].status = .recoded
        suggestions[0].decisions = [
            CoderDecision(coder: "alice", status: .recoded, code: "Time", note: "not hype", at: "2026-11-29T10:00:00Z")
        ]
        // A text that is not the document's at its range is kept as it is.
        suggestions[2].text = "More hype!"
        let byCode = Dictionary(grouping: suggestions, by: \.code)
        var writer = BinaryWriter()
        writer.write(CachedSuggestions(byCode, document: corpus(turns).documents[0]))
        // Only the text that differs is written; the others are not written again.
        let written = String(decoding: writer.bytes, as: UTF8.self)
        #expect(written.contains("More hype!"))
        #expect(!written.contains(turns[0]))
        #expect(!written.contains(sentences[0]) && !written.contains(sentences[1]))
        var reader = BinaryReader(writer.bytes)
        let cached = try reader.read(CachedSuggestions.self)
        #expect(reader.isAtEnd)
        #expect(!cached.isComplete)
        #expect(cached.completed(from: text) == byCode)
        // Cut from a shorter text (another document's), a range falls outside it: not trusted.
        #expect(cached.completed(from: "P1: More hype.") == nil)
    }

    @Test func logsAreAppendOnlyWithWhoWhenAndPreviousStatus() throws {
        let path = temporaryLog()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let snapshot = DecisionEvent.Snapshot(documentID: "d", segmentIndex: 0, code: "Hype", evidence: ["hype"])
        try DecisionStore.append(
            [DecisionEvent(action: .accept, suggestionID: "s1", snapshot: snapshot)], to: path, coder: "alice")
        let log = try DecisionStore.append(
            [
                DecisionEvent(action: .recode, suggestionID: "s1", code: "Time"),
                DecisionEvent(action: .undo, suggestionID: "s1"),
            ],
            to: path, coder: "alice")
        #expect(log.events.map(\.sequence) == [1, 2, 3])
        #expect(log.events.map(\.previousStatus) == [.pending, .accepted, .recoded])
        #expect(log.events.allSatisfy { !$0.at.isEmpty })
        let state = CoderState(log)
        #expect(state.status(of: "s1") == .accepted)  // the recode was undone
        let reread = try DecisionStore.read(path, coder: "alice")
        #expect(reread == log)
    }

    @Test func aBatchRecordsThePreviousStatusesOfOneDecisionAtATime() throws {
        var random = SplitMixGenerator(seed: 11)
        let actions: [DecisionEvent.Action] = [.accept, .reject, .recode, .undo, .note]
        let events = (0..<300).map { _ in
            let action = actions[Int.random(in: 0..<actions.count, using: &random)]
            return DecisionEvent(
                action: action, suggestionID: "s\(Int.random(in: 0..<12, using: &random))",
                code: action == .recode ? "Time" : nil, note: action == .note ? "see" : nil)
        }
        let batch = temporaryLog()
        let single = temporaryLog()
        defer {
            for path in [batch, single] {
                try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
            }
        }
        try DecisionStore.append(Array(events[..<40]), to: batch, coder: "alice")
        let batched = try DecisionStore.append(Array(events[40...]), to: batch, coder: "alice")
        var alone = DecisionLog(coder: "alice")
        for event in events { alone = try DecisionStore.append([event], to: single, coder: "alice") }
        #expect(batched.events.map(\.previousStatus) == alone.events.map(\.previousStatus))
        #expect(Set(batched.events.compactMap(\.previousStatus)).count >= 4)
        let (after, afterAlone) = (CoderState(batched), CoderState(alone))
        #expect(after.order == afterAlone.order)
        #expect(after.order.map { after.entries[$0]?.code } == afterAlone.order.map { afterAlone.entries[$0]?.code })
        #expect(after.order.map(after.status(of:)) == afterAlone.order.map(afterAlone.status(of:)))
    }

    /// Events of every shape: each optional field present or not (`blind` among them), evidence
    /// empty or not, text with quotes, slashes, line breaks and characters beyond the BMP.
    static func randomEvents(_ count: Int, seed: UInt64) -> [DecisionEvent] {
        var random = SplitMixGenerator(seed: seed)
        let texts = ["hype", "a/b \"quoted\"", "line\nbreak\ttab", "naïve 🩺", ""]
        func text() -> String { texts[Int.random(in: 0..<texts.count, using: &random)] }
        func maybe(_ value: String) -> String? { Bool.random(using: &random) ? value : nil }
        return (0..<count).map { index in
            let actions: [DecisionEvent.Action] = [.accept, .reject, .recode, .note, .undo, .manual, .removeManual]
            let action = actions[Int.random(in: 0..<actions.count, using: &random)]
            let evidence = (0..<Int.random(in: 0...2, using: &random)).map { _ in text() }
            var event = DecisionEvent(
                sequence: index + 1, at: "2026-12-04T0\(index % 10):00:00Z", action: action,
                suggestionID: maybe("s\(index % 7)"), code: maybe(text()), note: maybe(text()),
                previousStatus: Bool.random(using: &random) ? SuggestionStatus.accepted : nil,
                snapshot: Bool.random(using: &random)
                    ? .init(documentID: text(), segmentIndex: index, code: text(), evidence: evidence) : nil,
                manual: action == .manual
                    ? ManualCoding(
                        id: "m\(index)", documentID: text(), segmentIndex: Bool.random(using: &random) ? index : nil,
                        range: ScalarRange(start: index, end: index + 3), text: text(), code: text()) : nil,
                manualID: action == .removeManual ? "m\(index - 1)" : nil)
            // Made on a blind review page, or not said.
            event.blind = Bool.random(using: &random) ? true : nil
            return event
        }
    }

    @Test func logsReadByHandAreWhatJSONDecoderReads() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        for seed in 1...5 as ClosedRange<UInt64> {
            let log = DecisionLog(coder: "alice", events: Self.randomEvents(60, seed: seed))
            for data in [try encoder.encode(log), try JSONEncoder().encode(log)] {
                let byHand = try #require(DecisionStore.readByHand(data))
                #expect(byHand == (try JSONDecoder().decode(DecisionLog.self, from: data)))
                #expect(byHand == log)
            }
        }
        // A key of its own, or a key twice, is left to JSONDecoder, which reads the log all the same.
        let extra = Data(#"{"coder":"bob","events":[],"mine":[1],"schemaVersion":1}"#.utf8)
        #expect(DecisionStore.readByHand(extra) == nil)
        #expect(try DecisionStore.decode(extra, path: "bob.json") == DecisionLog(coder: "bob"))
        #expect(DecisionStore.readByHand(Data(#"{"coder":"a","coder":"b","events":[],"schemaVersion":1}"#.utf8)) == nil)
        #expect(DecisionStore.readByHand(Data(#"{"coder":"bob","events":[]}"#.utf8)) == nil)
        // `blind` is true, false or null, as JSONDecoder reads it; anything else is left to it.
        func blind(_ value: String) -> DecisionLog? {
            DecisionStore.readByHand(
                Data(
                    #"{"coder":"a","events":[{"action":"accept","at":"x","blind":\#(value),"sequence":1}],"schemaVersion":1}"#
                        .utf8))
        }
        #expect(blind("true")?.events.first?.blind == true && blind("false")?.events.first?.blind == false)
        #expect(blind("null")?.events.first?.blind == nil && blind("null") != nil)
        #expect(blind("tru") == nil && blind("\"yes\"") == nil)
        // An undo takes back the decision's blindness with it.
        var state = CoderState(DecisionLog(coder: "a"))
        var seen = DecisionEvent(action: .accept, suggestionID: "s")
        var unseen = DecisionEvent(action: .reject, suggestionID: "s")
        (seen.blind, unseen.blind) = (nil, true)
        for event in [seen, unseen] { state.apply(event) }
        #expect(state.entries["s"]?.blind == true)
        state.apply(DecisionEvent(action: .undo, suggestionID: "s"))
        #expect(state.entries["s"]?.blind == false && state.entries["s"]?.status == .accepted)
        // A coding by hand made blind is blind while in force; withdrawn and made again seeing
        // others' decisions, it is not.
        let coding = ManualCoding(
            id: "m", documentID: "d", segmentIndex: 0, range: ScalarRange(start: 0, end: 4), text: "hype", code: "C")
        var made = DecisionEvent(action: .manual, manual: coding)
        made.blind = true
        state.apply(made)
        #expect(state.blindCodings == ["m"])
        state.apply(DecisionEvent(action: .removeManual, manualID: "m"))
        #expect(state.blindCodings.isEmpty)
        state.apply(DecisionEvent(action: .manual, manual: coding))
        #expect(state.manual.map(\.id) == ["m"] && state.blindCodings.isEmpty)
    }

    /// New events are put in before the file's events array closes, in the bytes encoding the
    /// whole log gives; a file that ends otherwise (written by hand) is encoded whole, its events kept.
    @Test func appendingWritesTheBytesOfTheWholeLogsEncoding() throws {
        let path = temporaryLog()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let events = Self.randomEvents(120, seed: 9).map { event in
            var event = event
            (event.sequence, event.at) = (0, "")
            return event
        }
        var log = DecisionLog(coder: "alice")
        for batch in [events[..<1], events[1..<2], events[2..<50], events[50...]] {
            let before = try DecisionStore.read(path, coder: "alice")
            let beforeBytes = try? Data(contentsOf: URL(fileURLWithPath: path))
            log = try DecisionStore.append(Array(batch), to: path, coder: "alice")
            let written = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(written == (try encoder.encode(log)) + Data("\n".utf8))
            // Put in place, not encoded whole, once there is a log to put them in.
            if let beforeBytes {
                let appended = try Self.appending(
                    log.events[before.events.count...], to: beforeBytes, of: before, encoder)
                #expect(appended == written)
            }
        }
        #expect(log.events.count == 120 && log.events.map(\.sequence) == Array(1...120))
        // Written by hand, on one line: encoded whole after the append, nothing lost.
        try JSONEncoder().encode(log).write(to: URL(fileURLWithPath: path))
        #expect(try Self.appending([], to: try JSONEncoder().encode(log), of: log, encoder) == nil)
        let empty = DecisionLog(coder: "alice")
        #expect(
            try Self.appending([], to: try encoder.encode(empty) + Data("\n".utf8), of: empty, encoder) == nil)
        let after = try DecisionStore.append(
            [DecisionEvent(action: .accept, suggestionID: "s1")], to: path, coder: "alice")
        #expect(Array(after.events.prefix(120)) == log.events && after.events.count == 121)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == (try encoder.encode(after)) + Data("\n".utf8))
    }

    /// An append given back what the previous one wrote reuses it while the file is unchanged,
    /// and writes what reading the file would have written; once another writer has changed the
    /// file (another stamp), the file is read again.
    @Test func anAppendReusesTheLogItWroteWhileTheFileIsUnchanged() throws {
        let path = temporaryLog()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let copy = path + ".copy"
        let events = Self.randomEvents(90, seed: 11).map { event in
            var event = event
            (event.sequence, event.at, event.previousStatus) = (0, "", nil)
            return event
        }
        var known: DecisionStore.Written?
        // A third file appended to as the review server's cache does: the log taken from it,
        // extended in place, and given back once written.
        let taken = path + ".taken"
        var held: DecisionStore.Written?
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for batch in [events[..<1], events[1..<30], events[30..<31], events[31...]] {
            let reused = try DecisionStore.append(Array(batch), to: path, coder: "alice", now: now, known: known) {
                known = $0
            }
            let read = try DecisionStore.append(Array(batch), to: copy, coder: "alice", now: now)
            var handed = held.take()
            let extended = try DecisionStore.append(
                Array(batch), to: taken, coder: "alice", now: now, taking: &handed
            ) { held = $0 }
            #expect(handed == nil && held?.log == read && held?.state.version == read.version)
            #expect(reused == read && extended == read)
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: path)) == (try Data(contentsOf: URL(fileURLWithPath: copy))))
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: taken)) == (try Data(contentsOf: URL(fileURLWithPath: copy))))
            #expect(held?.bytes == (try Data(contentsOf: URL(fileURLWithPath: copy))))
            #expect(known?.log == read && known.map { CoderState($0.log).entries == $0.state.entries } == true)
            #expect(known?.state.version == read.version)
        }
        // Another writer: the stamp differs, so the file's events count, not the ones known.
        let stale = try #require(known)
        try DecisionStore.append(
            [DecisionEvent(action: .note, suggestionID: "x", note: "other")], to: path, coder: "alice")
        let after = try DecisionStore.append(
            [DecisionEvent(action: .accept, suggestionID: "x")], to: path, coder: "alice", known: stale)
        #expect(after.events.count == 92 && after.events[90].note == "other")
        #expect(after.events[91].previousStatus == .pending)
        // The same stamp is trusted: a known log with an event fewer is what the next append extends.
        var trusted: DecisionStore.Written?
        try DecisionStore.append([DecisionEvent(action: .reject, suggestionID: "y")], to: copy, coder: "alice") {
            trusted = $0
        }
        var shortened = try #require(trusted)
        shortened.log.events.removeFirst()
        let extended = try DecisionStore.append(
            [DecisionEvent(action: .accept, suggestionID: "y")], to: copy, coder: "alice", known: shortened)
        #expect(extended.events.count == shortened.log.events.count + 1)
        #expect(extended.events.last?.previousStatus == .rejected)
    }

    @Test func aStaleWriterIsToldToReload() throws {
        let path = temporaryLog()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try DecisionStore.append([DecisionEvent(action: .accept, suggestionID: "a")], to: path, coder: "alice")
        #expect {
            try DecisionStore.append(
                [DecisionEvent(action: .reject, suggestionID: "a")], to: path, coder: "alice", expectedVersion: 0)
        } throws: { error in
            (error as? DecisionError)?.isConflict == true
        }
        #expect(try DecisionStore.read(path, coder: "alice").events.count == 1)
    }

    @Test func anUnreadableLogIsReportedAndLeftAlone() throws {
        let path = temporaryLog()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "{ broken".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: DecisionError.self) {
            try DecisionStore.append([DecisionEvent(action: .accept, suggestionID: "a")], to: path, coder: "alice")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{ broken")
    }

    @Test func decisionsAttachReattachOrOrphanButAreNeverLost() {
        let turns = ["We had no protected time at all.", "The hype is loud."]
        let original = suggest(
            [Code(name: "Time", patterns: ["protected time"]), Code(name: "Hype", patterns: ["hype"])], turns)
        let time = original.first { $0.code == "Time" }!
        let hype = original.first { $0.code == "Hype" }!
        let log = DecisionLog(
            coder: "alice",
            events: [
                DecisionEvent(sequence: 1, at: "t1", action: .accept, suggestionID: time.id, snapshot: .init(time)),
                DecisionEvent(sequence: 2, at: "t2", action: .reject, suggestionID: hype.id, snapshot: .init(hype)),
            ])
        // The lexicon changes: "Time" now matches earlier in the turn ("no" first), "Hype" is gone.
        let edited = suggest([Code(name: "Time", patterns: ["no protected", "protected time"])], turns)
        let merged = DecisionMerger().merge(edited, states: [CoderState(log)])
        #expect(merged.suggestions.count == 1)
        #expect(merged.suggestions[0].status == .accepted)
        #expect(merged.reattached == 1)
        #expect(merged.orphans.map(\.suggestionID) == [hype.id])
        #expect(merged.orphans[0].evidence == ["hype"])
    }

    @Test func decisionsJoinOneDocumentAtATimeAndReattachOnlyInTheirOwnDocument() {
        let turns = ["We had no protected time at all.", "The hype is loud."]
        let found = suggest(
            [Code(name: "Time", patterns: ["protected time"]), Code(name: "Hype", patterns: ["hype"])], turns)
        // Two documents saying the same: the same units, the same evidence, other ids.
        func document(_ id: String) -> [Suggestion] {
            found.map { suggestion in
                var suggestion = suggestion
                suggestion.documentID = id
                suggestion.id = id + "-" + suggestion.code
                return suggestion
            }
        }
        let snapshot = DecisionEvent.Snapshot(
            documentID: "a", segmentIndex: 0, code: "Time", evidence: ["protected time"])
        let alice = DecisionLog(
            coder: "alice",
            events: [
                DecisionEvent(sequence: 1, at: "t1", action: .accept, suggestionID: "old-a-Time", snapshot: snapshot),
                DecisionEvent(sequence: 2, at: "t2", action: .accept, suggestionID: "gone"),
                DecisionEvent(sequence: 3, at: "t3", action: .reject, suggestionID: "b-Hype"),
                DecisionEvent(
                    sequence: 4, at: "t4", action: .accept, suggestionID: "old-c",
                    snapshot: .init(documentID: "c", segmentIndex: 0, code: "Time", evidence: ["protected time"])),
            ])
        let bob = DecisionLog(
            coder: "bob", events: [DecisionEvent(sequence: 1, at: "t", action: .accept, suggestionID: "b-Hype")])
        var session = DecisionMerger.Session(states: [CoderState(bob), CoderState(alice)])
        var a = document("a")
        var b = document("b")
        session.merge(document: &a)
        session.merge(document: &b)
        let (orphans, _) = session.finish()
        #expect(a.map(\.status) == [.accepted, .pending])
        #expect(a[0].decisions.map(\.coder) == ["alice"])
        #expect(b.map(\.status) == [.pending, .conflict])
        #expect(b[0].decisions.isEmpty)
        #expect(b[1].decisions.map(\.coder) == ["alice", "bob"])
        #expect(session.reattached == 1)
        #expect(session.attachments["alice"]?["old-a-Time"] == "a-Time")
        #expect(orphans.map(\.suggestionID) == ["gone", "old-c"])
        // The whole corpus at once joins the same way.
        let whole = DecisionMerger().merge(document("a") + document("b"), states: [CoderState(alice), CoderState(bob)])
        #expect(whole.suggestions == a + b)
        #expect(whole.orphans == orphans)
        // Documents whose suggestions take turns join the same and keep their places; the
        // suggestions handed to the merge stay as they were.
        let mixed = zip(document("a"), document("b")).flatMap { [$0, $1] }
        let interleaved = DecisionMerger().merge(mixed, states: [CoderState(alice), CoderState(bob)])
        #expect(interleaved.suggestions == zip(a, b).flatMap { [$0, $1] })
        #expect(interleaved.orphans == orphans)
        #expect(mixed == zip(document("a"), document("b")).flatMap { [$0, $1] })
    }

    @Test func coderDisagreementIsAConflict() {
        let found = suggest([Code(name: "Hype", patterns: ["hype"])], ["hype"])
        let id = found[0].id
        let alice = DecisionLog(
            coder: "alice", events: [DecisionEvent(sequence: 1, at: "t", action: .accept, suggestionID: id)])
        let bob = DecisionLog(
            coder: "bob", events: [DecisionEvent(sequence: 1, at: "t", action: .reject, suggestionID: id)])
        let merged = DecisionMerger().merge(found, states: [CoderState(alice), CoderState(bob)])
        #expect(merged.suggestions[0].status == .conflict)
        #expect(merged.suggestions[0].decisions.map(\.coder) == ["alice", "bob"])
    }

    /// Two coders' random decisions on three documents (some without a snapshot, some on
    /// suggestions a lexicon edit then moved, so that they reattach by their evidence): a
    /// session made for one document, or two, joins them as the session of every decision does.
    @Test func aSessionForSomeDocumentsJoinsThemAsTheWholeSessionDoes() {
        var generator = SplitMixGenerator(seed: 20_261_207)
        let words = ["hype", "time", "protected", "data", "trust", "culture", "clash", "safety"]
        func pick<T>(_ items: [T]) -> T { items[Int(generator.next() % UInt64(items.count))] }
        let turns = (0..<3).map { _ in
            (0..<8).map { _ in (0..<8).map { _ in pick(words) }.joined(separator: " ") }
        }
        func corpus(_ codes: [Code]) -> [[Suggestion]] {
            ["a", "b", "c"].enumerated().map { number, document in
                suggest(codes, turns[number]).map { suggestion in
                    var suggestion = suggestion
                    suggestion.documentID = document
                    suggestion.id = document + "-" + suggestion.id
                    return suggestion
                }
            }
        }
        var codes = (0..<3).map { Code(name: "C\($0)", patterns: [PatternEntry(words[$0])]) }
        var logs = [DecisionLog(coder: "alice"), DecisionLog(coder: "bob")]
        for round in 0..<4 {
            let found = corpus(codes).flatMap { $0 }
            for _ in 0..<12 where !found.isEmpty {
                let target = pick(found)
                let coder = Int(generator.next() % 2)
                let action: DecisionEvent.Action = pick([.accept, .reject, .undo, .note])
                logs[coder].events.append(
                    DecisionEvent(
                        sequence: logs[coder].events.count + 1, at: "t\(round)", action: action,
                        suggestionID: target.id, note: action == .note ? "why" : nil,
                        snapshot: generator.next() % 5 == 0 ? nil : .init(target)))
            }
            // The evidence each code matches first moves: ids change, snapshots stay.
            codes[round % codes.count].patterns.insert(PatternEntry(pick(words)), at: 0)
        }
        let states = logs.map { CoderState($0) }
        let documents = corpus(codes)
        let whole = DecisionMerger.Session(states: states)
        var (joined, reattached) = (0, 0)
        for asked in [["a"], ["b"], ["c"], ["a", "c"]] {
            let some = DecisionMerger.Session(states: states, documents: Set(asked))
            for document in documents where asked.contains(document.first?.documentID ?? "") {
                var expected = document
                var part = document
                let expectedJoin = whole.join(document: &expected)
                let partJoin = some.join(document: &part)
                #expect(part == expected, "\(asked)")
                #expect(partJoin.reattached == expectedJoin.reattached)
                joined += expected.filter { !$0.decisions.isEmpty }.count
                reattached += expectedJoin.reattached
            }
        }
        // The decisions did join, some by their evidence: the comparison is not of suggestions without any.
        #expect(joined > 10 && reattached > 0)
        // The statuses the review page lists, made without copying a suggestion, are the merge's:
        // documents side by side or taking turns, and a suggestion with a decision already.
        let flat = documents.flatMap { $0 }
        let mixed = flat.indices.sorted { ($0 % 3, $0) < ($1 % 3, $1) }.map { flat[$0] }
        var seeded = flat
        seeded[0].decisions = [CoderDecision(coder: "carol", status: .rejected, code: nil, note: nil, at: "t")]
        for suggestions in [flat, mixed, seeded] {
            let merged = DecisionMerger().merge(suggestions, states: states)
            #expect(merged.suggestions.contains { $0.status == .conflict || $0.decisions.count > 1 })
            for coder in ["alice", "bob", "carol"] {
                let statuses = DecisionMerger().statuses(of: suggestions, states: states, coder: coder)
                #expect(statuses.merged == merged.suggestions.map(\.status))
                #expect(
                    statuses.mine
                        == merged.suggestions.map { suggestion in
                            suggestion.decisions.first { $0.coder == coder }?.status ?? .pending
                        })
                #expect(statuses.manual == merged.manual)
            }
        }
    }

    /// Random lexicon edits and random decisions over many rounds: every decision is always
    /// present, attached to a suggestion or listed as orphaned, never lost.
    @Test func decisionsSurviveRandomLexiconEditsAndDecisions() {
        var generator = SplitMixGenerator(seed: 20_261_129)
        let words = [
            "hype", "time", "protected", "data", "trust", "culture", "clash", "regulation", "safety", "mentor",
        ]
        let turns = (0..<12).map { _ in
            (0..<10).map { _ in words[Int(generator.next() % UInt64(words.count))] }.joined(separator: " ")
        }
        var codes = (0..<4).map { Code(name: "C\($0)", patterns: [PatternEntry(words[$0])]) }
        var events: [DecisionEvent] = []
        var decided: Set<String> = []
        for round in 0..<60 {
            // Edit: add, remove or change a pattern of a random code.
            let target = Int(generator.next() % UInt64(codes.count))
            let word = words[Int(generator.next() % UInt64(words.count))]
            switch generator.next() % 3 {
            case 0: codes[target].patterns.append(PatternEntry(word))
            case 1: if codes[target].patterns.count > 1 { codes[target].patterns.removeFirst() }
            default:
                codes[target].patterns = [PatternEntry(word + (round % 2 == 0 ? "" : " " + words[round % words.count]))]
            }
            let current = suggest(codes, turns)
            // Decide on a few current suggestions.
            for _ in 0..<3 where !current.isEmpty {
                let pick = current[Int(generator.next() % UInt64(current.count))]
                let action: DecisionEvent.Action = generator.next() % 2 == 0 ? .accept : .reject
                events.append(
                    DecisionEvent(
                        sequence: events.count + 1, at: "t\(round)", action: action, suggestionID: pick.id,
                        snapshot: .init(pick)))
                decided.insert(pick.id)
            }
            let state = CoderState(DecisionLog(coder: "alice", events: events))
            let merged = DecisionMerger().merge(current, states: [state])
            let attached = merged.attachments["alice"] ?? [:]
            let orphaned = Set(merged.orphans.map(\.suggestionID))
            for id in decided {
                // Exactly one of: attached to a suggestion that shows the decision, or orphaned.
                #expect((attached[id] != nil) != orphaned.contains(id), "round \(round): \(id)")
                if let target = attached[id] {
                    let suggestion = merged.suggestions.first { $0.id == target }
                    #expect(suggestion?.decisions.contains { $0.coder == "alice" } == true)
                }
            }
            // One decision per coder per suggestion.
            #expect(merged.suggestions.allSatisfy { $0.decisions.filter { $0.coder == "alice" }.count <= 1 })
            #expect(attached.count + orphaned.count == decided.count)
        }
    }
}

/// Suggestions read by ``JSONReader`` as `JSONDecoder` reads them, whatever their text holds.
@Suite struct SuggestionReadingTests {
    @Test func randomSuggestionsAreReadAsJSONDecoderReadsThem() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "é", "ß", "😀", "日", "\u{2028}", "]", ",",
            "{",
        ]
        func text() -> String {
            (0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
                .joined()
        }
        for _ in 0..<200 {
            let decisions = (0..<Int.random(in: 0...2, using: &generator)).map { _ in
                CoderDecision(
                    coder: text(), status: SuggestionStatus.allCases.randomElement(using: &generator)!,
                    code: Bool.random(using: &generator) ? text() : nil,
                    note: Bool.random(using: &generator) ? text() : nil,
                    at: text())
            }
            let suggestion = Suggestion(
                id: text(), documentID: text(), segmentIndex: Int.random(in: 0...100_000, using: &generator),
                sentenceIndex: Bool.random(using: &generator) ? Int.random(in: 0...50, using: &generator) : nil,
                code: text(),
                codePath: [text(), text()],
                evidence: [
                    Evidence(
                        pattern: text(), text: text(), range: ScalarRange(start: 3, end: 9), tokenStart: 1, tokenEnd: 2)
                ],
                weight: [1, 2.5, 0.1, 1e-7, 3.0000000000000004].randomElement(using: &generator)!, speaker: text(),
                role: SpeakerRole.allCases.randomElement(using: &generator)!,
                participantID: Bool.random(using: &generator) ? text() : nil,
                attributes: [text(): text(), "role": text()],
                text: text(), range: ScalarRange(start: 0, end: 100), context: text(),
                status: SuggestionStatus.allCases.randomElement(using: &generator)!, decisions: decisions)
            var bytes = Array(try JSONEncoder().encode(suggestion))
            let read = try bytes.withUnsafeMutableBufferPointer { buffer in
                var reader = JSONReader(UnsafeBufferPointer(buffer))
                return try Suggestion(reading: &reader)
            }
            #expect(read == suggestion)
            #expect(read == (try JSONDecoder().decode(Suggestion.self, from: Data(bytes))))
        }
    }
}
