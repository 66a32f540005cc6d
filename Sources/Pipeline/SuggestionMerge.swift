import Coding
import Corpus
import Foundation

/// The suggest stage's merge, fed one document's suggestions at a time in document order:
/// attributes joined, coders' decisions attached, each suggestion tallied for the report and,
/// when suggestions.json is written, written into it. A run never holds every suggestion (with
/// its turn text, they were a third of a large run's peak memory). One thread at a time uses it
/// (the run's, then the task that finishes it): hence `@unchecked`.
struct SuggestionMerge: @unchecked Sendable {
    let stage: SuggestStage
    private let study: String
    private let lexiconSource: String
    private let byID: [String: Participant]
    private var session: DecisionMerger.Session
    private let coders: [String]
    /// Per document, what its joined suggestions depend on (``DecisionMerger/Session/keys()``).
    private let decisionKeys: [String: String]
    /// Decision logs that could not be read (they are left out, named).
    private(set) var warnings: [String] = []
    private var elements: Outputs.SuggestionElements?
    private(set) var tally = HTMLReport.Tally()
    private var byStatus: [String: Int] = [:]
    /// Suggestions by status, in `SuggestionStatus.allCases` order (added to `byStatus` by the
    /// summary: counting by each status's raw string hashed it for every suggestion), and the
    /// tally's numbers of the previous file's codes and of its participants (at position + 1,
    /// so that -1, no participant, has one), so that copying counts without hashing names.
    private var countedByStatus = [Int](repeating: 0, count: SuggestionStatus.allCases.count)
    private var tallyCodes: [Int] = []
    /// Per document of the previous file, whether this run copied it: its turns count as the
    /// previous totals have them (``TurnTally``). Empty when the previous layout has no totals.
    private var carried: [Bool] = []
    /// Per code of the previous file, its number in the report's ``TurnTally`` (numbered once).
    private var turnCodeNumbers: [Int] = []

    /// ``turnCodeNumbers``, the previous index's codes numbered in the turn tally the first time.
    private mutating func previousTurnCodes(_ previous: SuggestionIndex) -> [Int] {
        if turnCodeNumbers.isEmpty { turnCodeNumbers = previous.names.map { tally.turns.number(ofCode: $0) } }
        return turnCodeNumbers
    }
    private var tallyParticipants: [Int] = []
    /// Per code of the previous file, whether the report has all the examples it wants of it.
    private var examplesComplete: [Bool] = []
    /// This run's suggestions' ids and codes, for the next run to compare with.
    private var index = SuggestionIndex()
    /// The previous run's, as suggestions.json holds them now.
    private let previous: SuggestionIndex?
    /// Its keys by code, sorted while the documents are processed (what the summary compares
    /// this run's with).
    private let previousByCode: Deferred<[String: [UInt64]]>?
    /// The previous suggestions.json's layout (when made in this run's context) and the file,
    /// to copy documents' elements from; this run's layout as it is written.
    let previousLayout: SuggestionLayout?
    private let previousFile: FileHandle?
    /// The same file for the report's examples, read when the page is rendered.
    private let examplesFile: FileHandle?
    private var layout: SuggestionLayout?

    /// Reads every coder's decision log in `decisions`; `writing` is the path of the
    /// suggestions.json to write (as the documents come), or nil when it is kept as it is (the
    /// report still needs the tally); `study` and `lexiconSource` are named in its head. With a
    /// `context` (everything but the lexicon the rendered suggestions depend on) the file's
    /// layout is recorded, and when `reusing`, documents whose suggestions are as the previous
    /// file (made in the same context) holds them are copied from it. `recycling` names an old
    /// suggestions.json no one needs any more, whose blocks the new one may be written over.
    /// Unless `trustingPrevious`, the suggestions.json there now is not read at all (perhaps
    /// damaged by a crash: see ``RunManifest``). `started`: the previous file's layout as the run
    /// read it once it knew the file is to be written again, and the copy of its elements it
    /// started then (``SuggestionSpeculation``); without it the layout is read here.
    /// `previousAhead`: the previous file's index (``SuggestionIndex/previous(in:)``) as another
    /// thread read it beside the run's setup (none, when it found none); read here without it.
    init(
        stage: SuggestStage, participants: ParticipantTable, decisions: DecisionFiles, out: String,
        writing path: String?, study: String, lexiconSource: String, context: String?,
        reusing: Bool = true, recycling: String? = nil, trustingPrevious: Bool = true,
        started: SuggestionSpeculation.Started? = nil, previousAhead: Deferred<SuggestionIndex?>? = nil
    ) throws(FileWriteError) {
        self.stage = stage
        self.study = study
        self.lexiconSource = lexiconSource
        let readsLayout = reusing && context != nil && trustingPrevious
        let storedLayout =
            readsLayout && started == nil
            ? Deferred { SuggestionLayout.stored(in: out).map { ($0.layout, $0.file) } } : nil
        previous = trustingPrevious ? (previousAhead.map(\.value) ?? SuggestionIndex.previous(in: out)) : nil
        previousByCode = previous.map { previous in Deferred { previous.byCode } }
        byID = participants.byID
        var states: [CoderState] = []
        if let reason = decisions.unlisted {
            warnings.append("no decisions merged: \(decisions.folder): cannot list the decisions folder: \(reason)")
        }
        for log in decisions.logs {
            do {
                states.append(CoderState(try DecisionStore.decode(log.bytes.map { Data($0) }, path: log.path)))
            } catch {
                warnings.append("decisions of \(log.name) not merged: \(error.description)")
            }
        }
        session = DecisionMerger.Session(states: states)
        coders = states.map(\.coder)
        // A document's elements depend on the decisions that may join it (its layout key has
        // them); what may join any document belongs to the context.
        let decisionKeys = session.keys()
        self.decisionKeys = decisionKeys.byDocument
        let context = context.map { ContentHash.combining([$0, decisionKeys.everywhere]) }
        let stored = readsLayout ? (started.map { $0.stored } ?? storedLayout?.value ?? nil) : nil
        if reusing, let context, let previous, let (layout, file) = stored,
            layout.fits(context: context, index: previous)
        {
            previousLayout = layout
            previousFile = file
            if layout.turnTotals != nil { carried = Array(repeating: false, count: layout.documents.count) }
            let copy = fcntl(file.fileDescriptor, F_DUPFD_CLOEXEC, 0)
            examplesFile = copy < 0 ? nil : FileHandle(fileDescriptor: copy, closeOnDealloc: true)
        } else {
            previousLayout = nil
            previousFile = nil
            examplesFile = nil
        }
        if path != nil, let context {
            layout = SuggestionLayout(context: context)
            // About as many as the previous file's: grown as they came, the tables were copied
            // over and over on the merge thread, and their new pages faulted in each time.
            layout?.reserveCapacity(documents: previousLayout?.documents.count ?? 0)
        }
        index.reserveCapacity(previous?.keys.count ?? 0)
        if let path {
            // The head is guessed with the orphaned decisions of the file this run may copy from
            // (decisions unchanged), else with none.
            elements = try Outputs.SuggestionElements(
                path: path, guess: file(orphans: [], manual: session.manual), orphans: previousLayout?.orphans,
                previous: previousFile?.fileDescriptor ?? -1, recycling: recycling, speculation: started?.speculation)
        } else {
            started?.speculation?.stop(keeping: 0, at: 0)
        }
    }

    /// One document's suggestions made ready on a worker: attributes and decisions joined,
    /// rendered for suggestions.json; or the document's elements in the previous file, when its
    /// suggestions are as they were.
    struct Prepared: Sendable {
        var suggestions: [Suggestion] = []
        var joined = DecisionMerger.Session.Joined()
        var rendered = Data()
        /// The document's id and suggest key, and the cache key of each code's suggestions.
        var document: (id: String, key: String, sources: [String])?
        var reused: SuggestionLayout.Document?
        /// A copied document's suggestions counted by code, status and participant, and the
        /// first few positions not rejected of each code (candidates for the report's examples).
        var groups: [(group: CopiedGroup, count: Int)] = []
        /// Packed as `code << 32 | position`, ascending: at most three of each code.
        var examples: [UInt64] = []
        /// A rendered document's turns by the codes suggested there, numbered by their place in
        /// `codeNames` (a copied document's count in the previous run's totals).
        var turnCodes = TurnCodes([])
        var codeNames: [String] = []
    }

    /// Suggestions of one code (its number in the previous index), status and participant (a
    /// position in the previous layout's participants, or -1).
    struct CopiedGroup: Hashable, Sendable {
        var code: Int32
        var status: SuggestionStatus
        var participant: Int
    }

    /// What preparing a document needs: nothing from other documents, so workers run it.
    struct Preparation: Sendable {
        let byID: [String: Participant]
        let joiner: DecisionMerger.Session
        let decisionKeys: [String: String]
        let render: Bool
        /// The previous file's index, whose codes copied documents are counted by.
        let previous: SuggestionIndex?

        /// The key of a document's elements in the layout: its suggest key, its participants'
        /// attributes, the decisions that may join it.
        func layoutKey(document id: String, suggest: String, speakers: String) -> String {
            suggest + "+" + speakers + "+" + (decisionKeys[id] ?? "")
        }

        /// A document copied from the previous file: its suggestions counted (not one by one
        /// on the merge thread: a large study copies a hundred thousand).
        func prepare(copying document: SuggestionLayout.Document) -> Prepared {
            guard let previous else { return Prepared(reused: document) }
            let count = document.statuses.count
            // Each suggestion's group packed in a number (code, status, participant + 1) and the
            // numbers sorted and counted: a dictionary of groups hashed each status's raw string,
            // for every suggestion of every copied document, beside the edit's copy. The first
            // three unrejected positions of each code are kept in slots by code number (the
            // positions come in order), not sorted: a small array per code and a sort of pairs
            // took longer than the counting itself.
            let codes = previous.names.count
            var slots = [Int32](repeating: -1, count: 3 * codes)
            var firstCode = codes
            var lastCode = -1
            // Through buffers: indexing the arrays checked bounds and, for the two written,
            // uniqueness at every suggestion (most of a lexicon edit's copied documents' count).
            var keys = [UInt64](unsafeUninitializedCapacity: count) { keys, initialized in
                previous.codes.withUnsafeBufferPointer { all in
                    document.statuses.withUnsafeBufferPointer { statuses in
                        document.participants.withUnsafeBufferPointer { participants in
                            slots.withUnsafeMutableBufferPointer { slots in
                                for position in 0..<count {
                                    let code = all[document.first + position]
                                    let status = statuses[position]
                                    keys[position] =
                                        UInt64(UInt32(bitPattern: code)) << 36
                                        | UInt64(HTMLReport.Tally.position(of: status)) << 32
                                        | UInt64(UInt32(truncatingIfNeeded: participants[position] + 1))
                                    guard status != .rejected, code >= 0, Int(code) < codes else { continue }
                                    let slot = 3 * Int(code)
                                    let free =
                                        slots[slot] < 0
                                        ? slot : slots[slot + 1] < 0 ? slot + 1 : slots[slot + 2] < 0 ? slot + 2 : -1
                                    if free >= 0 {
                                        slots[free] = Int32(truncatingIfNeeded: position)
                                        firstCode = min(firstCode, Int(code))
                                        lastCode = max(lastCode, Int(code))
                                    }
                                }
                            }
                        }
                    }
                }
                initialized = count
            }
            keys.sort()
            var groups: [(group: CopiedGroup, count: Int)] = []
            groups.reserveCapacity(min(count, 2 * codes + 2))
            var start = 0
            while start < keys.count {
                var end = start + 1
                while end < keys.count, keys[end] == keys[start] { end += 1 }
                let key = keys[start]
                groups.append(
                    (
                        CopiedGroup(
                            code: Int32(bitPattern: UInt32(truncatingIfNeeded: key >> 36)),
                            status: HTMLReport.Tally.statuses[Int(key >> 32 & 0xF)],
                            participant: Int(key & 0xFFFF_FFFF) - 1),
                        end - start
                    ))
                start = end
            }
            var examples: [UInt64] = []
            if firstCode <= lastCode {
                for slot in 3 * firstCode..<3 * (lastCode + 1) where slots[slot] >= 0 {
                    examples.append(UInt64(slot / 3) << 32 | UInt64(slots[slot]))
                }
            }
            return Prepared(reused: document, groups: groups, examples: examples)
        }

        /// `document`: its id, suggest key and its codes' cache keys, for the layout.
        func prepare(_ suggestions: [Suggestion], document: (id: String, key: String, sources: [String])?) -> Prepared {
            guard !suggestions.isEmpty else { return Prepared(document: document) }
            var suggestions = suggestions
            for index in suggestions.indices {
                suggestions[index].attributes =
                    suggestions[index].participantID.flatMap { byID[$0]?.attributes } ?? [:]
            }
            let joined = joiner.join(document: &suggestions)
            var names: [String] = []
            var numbers: [String: Int32] = [:]
            var turns: [UInt64] = []
            turns.reserveCapacity(suggestions.count)
            // Read in place: a loop over the array copied each suggestion, every string of it retained.
            suggestions.withUnsafeBufferPointer { suggestions in
                for index in suggestions.indices where suggestions[index].status != .rejected {
                    let code = numbers[suggestions[index].code] ?? Int32(names.count)
                    if code == Int32(names.count) {
                        numbers[suggestions[index].code] = code
                        names.append(suggestions[index].code)
                    }
                    turns.append(TurnCodes.entry(turn: suggestions[index].segmentIndex, code: code))
                }
            }
            return Prepared(
                suggestions: suggestions, joined: joined,
                rendered: render ? Outputs.SuggestionElements.render(suggestions) : Data(), document: document,
                turnCodes: TurnCodes(turns), codeNames: names)
        }
    }

    var preparation: Preparation {
        Preparation(
            byID: byID, joiner: session, decisionKeys: decisionKeys, render: elements != nil, previous: previous)
    }

    /// Adds one document's prepared suggestions (documents in order).
    mutating func add(_ prepared: Prepared) {
        if let reused = prepared.reused, let previousLayout, let previous {
            add(reused: reused, prepared, from: previousLayout, previous)
            return
        }
        session.record(prepared.joined)
        // Read in place: the loop's iterator, and then the array's subscript, copied each
        // suggestion (a retain of each of its strings and a release after): 17 of the 58
        // samples of this merge in a cold run's profile.
        prepared.suggestions.withUnsafeBufferPointer { suggestions in
            for position in suggestions.indices {
                tally.add(suggestions, at: position)
                countedByStatus[HTMLReport.Tally.position(of: suggestions[position].status)] += 1
                index.append(id: suggestions[position].id, code: suggestions[position].code)
            }
        }
        let numbers = prepared.codeNames.map { tally.turns.number(ofCode: $0) }
        tally.turns.add(prepared.turnCodes) { numbers[Int($0)] }
        let offset = elements?.append(rendered: prepared.rendered)
        if let document = prepared.document, layout != nil {
            layout?.add(
                id: document.id, key: document.key, sources: document.sources, offset: offset ?? 0,
                length: prepared.rendered.count, statuses: prepared.suggestions.map(\.status),
                participants: prepared.suggestions.map(\.participantID),
                turns: prepared.suggestions.map(\.segmentIndex), joined: prepared.joined)
        }
    }

    /// A document whose suggestions are as the previous file holds them: counted from its
    /// layout, its elements copied from that file when it is written. The report's examples
    /// are read from the file, for the few documents that give one, with the page.
    private mutating func add(
        reused: SuggestionLayout.Document, _ prepared: Prepared, from old: SuggestionLayout,
        _ oldIndex: SuggestionIndex
    ) {
        session.record(reused.joined)
        index.append(reused.first..<reused.first + reused.statuses.count, from: oldIndex)
        // The previous file's code and participant numbers, turned into the tally's once each.
        if tallyCodes.isEmpty { tallyCodes = Array(repeating: -1, count: oldIndex.names.count) }
        if tallyParticipants.isEmpty { tallyParticipants = Array(repeating: -1, count: old.participants.count + 1) }
        for (group, count) in prepared.groups {
            if tallyCodes[Int(group.code)] < 0 {
                tallyCodes[Int(group.code)] = tally.number(ofCode: oldIndex.names[Int(group.code)])
            }
            let person = group.participant + 1
            if tallyParticipants[person] < 0 {
                tallyParticipants[person] = tally.number(
                    ofParticipant: group.participant < 0 ? nil : old.participants[group.participant])
            }
            tally.count(
                code: tallyCodes[Int(group.code)], status: group.status, participant: tallyParticipants[person],
                times: count)
            countedByStatus[HTMLReport.Tally.position(of: group.status)] += count
        }
        if carried.isEmpty {
            // A previous layout with no totals (saved by a run that closed no decisions): counted here.
            let numbers = previousTurnCodes(oldIndex)
            let turns = oldIndex.codes.withUnsafeBufferPointer { TurnCodes(of: reused, codes: $0) }
            tally.turns.add(turns) { numbers[Int($0)] }
        } else {
            carried[reused.position] = true
        }
        var code = -1
        var wanted = 0
        for packed in prepared.examples {
            let position = Int(packed & 0xFFFF_FFFF)
            if Int(packed >> 32) != code {
                code = Int(packed >> 32)
                // Once a code has its examples it wants none again (examples are only added):
                // asked by name for every code of every copied document, it hashed them all.
                if examplesComplete.isEmpty { examplesComplete = Array(repeating: false, count: oldIndex.names.count) }
                wanted = examplesComplete[code] ? 0 : tally.examplesWanted(code: oldIndex.names[code])
                if wanted == 0 { examplesComplete[code] = true }
            }
            guard wanted > 0 else { continue }
            wanted -= 1
            if let examplesFile {
                let offset = old.start + reused.offset
                tally.add(
                    example: .copied(examplesFile, offset..<offset + Int64(reused.length), position: position),
                    code: oldIndex.names[code])
            }
        }
        guard reused.length > 0 else {
            layout?.add(copying: reused, from: old, offset: 0)
            return
        }
        let offset = elements?.append(previous: old.start + reused.offset, count: reused.length)
        layout?.add(copying: reused, from: old, offset: offset ?? 0)
    }

    /// Decisions attached to no suggestion, and every coder's manual codings (once summarised).
    private var ends: (orphans: [DecisionMerger.Orphan], manual: [String: [ManualCoding]])?

    /// Closes the coders' decisions: those that joined no suggestion, and their manual codings
    /// (which the report's tally takes). Before ``summary()``, ``changes()`` and ``finish()``.
    mutating func closeDecisions() {
        let (orphans, manual) = session.finish()
        ends = (orphans, manual)
        for (position, status) in SuggestionStatus.allCases.enumerated() where countedByStatus[position] > 0 {
            byStatus[status.rawValue, default: 0] += countedByStatus[position]
        }
        countedByStatus = countedByStatus.map { _ in 0 }
        for coder in manual.keys.sorted() { tally.add(manualCodings: manual[coder] ?? []) }
        if let previousLayout, let totals = previousLayout.turnTotals, let previous {
            // The previous run's turns, less the documents not copied (changed, or gone).
            tally.turns.add(totals)
            let numbers = previousTurnCodes(previous)
            previous.codes.withUnsafeBufferPointer { codes in
                for (position, document) in previousLayout.documents.enumerated() where !carried[position] {
                    tally.turns.add(TurnCodes(of: document, codes: codes), sign: -1) { numbers[Int($0)] }
                }
            }
        }
        layout?.turnTotals = tally.turns.totals
    }

    /// The run's suggestions summed up, but what changed per code (``changes()``, the costly part,
    /// which the report page does not need).
    func summary() -> RunReport.Suggestions {
        RunReport.Suggestions(
            total: index.keys.count, byStatus: byStatus, lexiconHash: stage.lexicon.contentHash, coders: coders,
            perCode: [], orphaned: ends?.orphans ?? [], reattached: session.reattached)
    }

    /// What changed since the last run, per code.
    func changes() -> [RunReport.Suggestions.CodeChange] {
        let before = previousByCode?.value ?? [:]
        let after = index.byCode(onBothCores: false)
        var perCode: [RunReport.Suggestions.CodeChange] = []
        for code in stage.lexicon.codes.map(\.name)
            + before.keys.filter({ stage.lexicon.code(named: $0) == nil }).sorted()
        {
            let old = before[code] ?? []
            let new = after[code] ?? []
            let (added, removed) = SuggestionIndex.difference(from: old, to: new)
            perCode.append(
                .init(code: code, total: new.count, added: previous == nil ? new.count : added, removed: removed))
        }
        return perCode
    }

    /// suggestions.json's fields but its suggestions.
    private func file(orphans: [DecisionMerger.Orphan], manual: [String: [ManualCoding]]) -> Outputs.SuggestionsFile {
        Outputs.SuggestionsFile(
            study: study,
            lexicon: .init(
                source: lexiconSource, hash: stage.lexicon.contentHash,
                codes: stage.lexicon.codes.map {
                    Outputs.SuggestionsFile.CodeInfo(
                        name: $0.name, parent: $0.parent, description: $0.description,
                        path: stage.lexicon.path(of: $0.name))
                }),
            unit: stage.options.unit.rawValue, suggestions: [],
            manualCodings: manual.keys.sorted().flatMap { coder in
                (manual[coder] ?? []).map { Outputs.SuggestionsFile.CoderManualCoding(coder: coder, coding: $0) }
            },
            orphanedDecisions: orphans)
    }

    /// No document follows: what is left of the previous file to copy is started.
    mutating func documentsEnded() {
        elements?.endElements()
    }

    /// After ``closeDecisions()``: suggestions.json completed, to commit (nil when it is not written).
    mutating func finish() throws -> AtomicFile.Writer? {
        let (orphans, manual) = ends ?? session.finish()
        guard var elements else { return nil }
        let (sink, start, encodedOrphans) = try elements.finish(file(orphans: orphans, manual: manual))
        self.elements = elements
        layout?.start = start
        layout?.orphans = encodedOrphans
        return sink
    }

    /// Records the ids and layout of the suggestions.json just written (call once it is in place),
    /// and lets go of the previous file.
    func saveIndex(in out: String) {
        // Closed on another thread: closing the last descriptor of a file replaced meanwhile
        // frees its pages, a twentieth of a second for a 200 MB file, which the run need not wait for.
        if let previousFile { DispatchQueue.global().async { try? previousFile.close() } }
        // Side by side: one after the other, they were the last thing a lexicon edit waited for.
        let (index, layout) = (index, layout)
        inParallel(2) { part in
            if part == 0 {
                index.save(in: out)
            } else if let layout {
                layout.save(in: out)
            } else {
                SuggestionLayout.remove(in: out)
            }
        }
    }
}

/// The ids and codes of the suggestions in `suggestions.json`, kept in `.cache/suggestions.bin`
/// under the size and time of the file they describe: the next run compares its suggestions with
/// them without parsing the whole JSON file again (which carries every turn's text). Ids are
/// held as 64-bit keys and codes as numbers: a large study has hundreds of thousands.
struct SuggestionIndex: Sendable {
    var keys: [UInt64] = []
    /// Per key, its code's position in `names`.
    var codes: [Int32] = []
    var names: [String] = []
    private var numbers: [String: Int32] = [:]

    private static let tag = "tmine-suggestion-keys-\(BinaryWriter.formatVersion)"

    mutating func reserveCapacity(_ count: Int) {
        keys.reserveCapacity(count)
        codes.reserveCapacity(count)
    }

    static func path(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/suggestions.bin")
    }

    /// An id's key: its 16 hex digits read as a number, as every id the tool makes is; any other
    /// text (a hand-edited file) by its FNV-1a hash.
    static func key(_ id: String) -> UInt64 {
        if let number = CodeSuggester.idNumber(id) { return number }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    mutating func append(id: String, code: String) {
        append(key: Self.key(id), code: code)
    }

    /// Suggestions of `previous` (positions there), kept: their keys copied as one run.
    mutating func append(_ positions: Range<Int>, from previous: SuggestionIndex) {
        if translation.isEmpty { translation = Array(repeating: -1, count: previous.names.count) }
        keys.append(contentsOf: previous.keys[positions])
        for code in previous.codes[positions] {
            if translation[Int(code)] < 0 {
                let name = previous.names[Int(code)]
                let number = numbers[name] ?? Int32(names.count)
                if number == Int32(names.count) {
                    names.append(name)
                    numbers[name] = number
                }
                translation[Int(code)] = number
            }
            codes.append(translation[Int(code)])
        }
    }

    /// Per code number of the index copied from (``append(_:from:)``), its number here.
    private var translation: [Int32] = []

    mutating func append(key: UInt64, code: String) {
        keys.append(key)
        if let number = numbers[code] {
            codes.append(number)
        } else {
            let number = Int32(names.count)
            names.append(code)
            numbers[code] = number
            codes.append(number)
        }
    }

    /// Each code's keys, sorted, each once (grouped by number and sorted: hashing every key
    /// into a set per code was most of summarising a large run), codes on both cores: at the
    /// end of a lexicon edit, sorting 120,000 keys on one was the run's summary while the other
    /// core idled.
    var byCode: [String: [UInt64]] { byCode(onBothCores: true) }

    /// ``byCode``, on one core when others have work (what changed per code is compared beside
    /// the report page and the end of suggestions.json).
    func byCode(onBothCores: Bool) -> [String: [UInt64]] {
        var lists = Array(repeating: [UInt64](), count: names.count)
        for (key, code) in zip(keys, codes) { lists[Int(code)].append(key) }
        let unsorted = lists
        let sorted =
            onBothCores
            ? ConcurrentSlots<[UInt64]>.map(lists.count) { Self.sortedUnique(unsorted[$0]) }
            : unsorted.map(Self.sortedUnique)
        var result: [String: [UInt64]] = [:]
        for (number, name) in names.enumerated() {
            // A name twice (only in a damaged index) has its lists merged.
            result[name] = result[name].map { Self.sortedUnique($0 + sorted[number]) } ?? sorted[number]
        }
        return result
    }

    /// The keys in ascending order, each once. Sorted by radix, a byte per pass: keys are
    /// uniform (hex of SHA-256), and comparison sorts of every code's keys, for this run's index
    /// and the previous one, were a twentieth of the work of a lexicon edit. Hand-written: no
    /// package on this machine sorts integers by radix.
    static func sortedUnique(_ keys: [UInt64]) -> [UInt64] {
        var sorted = keys
        if keys.count <= 64 {
            sorted.sort()
        } else {
            var other = keys
            // Every byte's counts in one pass over the keys, where a pass for each byte before
            // its own placing pass was half the passes.
            var counts = [Int](repeating: 0, count: 8 * 256)
            counts.withUnsafeMutableBufferPointer { counts in
                for key in keys {
                    for byte in 0..<8 { counts[byte << 8 | Int(truncatingIfNeeded: key >> (8 * byte)) & 0xFF] += 1 }
                }
                for byte in 0..<8 {
                    let digits = UnsafeMutableBufferPointer(rebasing: counts[byte << 8..<(byte + 1) << 8])
                    // A byte every key shares orders nothing.
                    if digits.contains(keys.count) { continue }
                    var start = 0
                    for digit in digits.indices {
                        let count = digits[digit]
                        digits[digit] = start
                        start += count
                    }
                    let shift = UInt64(8 * byte)
                    sorted.withUnsafeBufferPointer { source in
                        other.withUnsafeMutableBufferPointer { target in
                            for key in source {
                                let digit = Int(truncatingIfNeeded: key >> shift) & 0xFF
                                target[digits[digit]] = key
                                digits[digit] += 1
                            }
                        }
                    }
                    swap(&sorted, &other)
                }
            }
        }
        var unique: [UInt64] = []
        unique.reserveCapacity(sorted.count)
        for key in sorted where unique.last != key { unique.append(key) }
        return unique
    }

    /// How many of `new` are not in `old`, and of `old` not in `new` (both sorted, each once).
    static func difference(from old: [UInt64], to new: [UInt64]) -> (added: Int, removed: Int) {
        var (o, n, common) = (0, 0, 0)
        while o < old.count, n < new.count {
            if old[o] == new[n] {
                common += 1
                o += 1
                n += 1
            } else if old[o] < new[n] {
                o += 1
            } else {
                n += 1
            }
        }
        return (new.count - common, old.count - common)
    }

    /// The previous suggestions: from the index when it describes the file as it is, else
    /// from the file itself; nil when there is no previous file.
    static func previous(in out: String) -> SuggestionIndex? {
        let file = (out as NSString).appendingPathComponent("suggestions.json")
        guard let stamp = CacheFile.stamp(of: file) else { return nil }
        if var reader = CacheFile.reader(at: path(in: out), tag: tag, key: "\(stamp.size) \(stamp.modified)"),
            let index = try? read(&reader), reader.isAtEnd
        {
            return index
        }
        if let index = scan(file) { return index }
        // A file not as the tool writes it (edited by hand): decode just ids and codes.
        struct Previous: Decodable {
            struct Entry: Decodable {
                var id: String
                var code: String
            }
            var suggestions: [Entry]
        }
        guard let data = FileManager.default.contents(atPath: file),
            let decoded = try? JSONDecoder().decode(Previous.self, from: data)
        else { return nil }
        var index = SuggestionIndex()
        for entry in decoded.suggestions { index.append(id: entry.id, code: entry.code) }
        return index
    }

    /// The ids and codes of a suggestions.json as the tool writes it, read a megabyte at a
    /// time: each suggestion is a line of its own inside the `suggestions` array (see
    /// ``JSONWriter``). Decoding the whole file took five times its size in memory (a 200 MB
    /// file at 100 MB of transcripts). Nil when the file is not laid out so.
    static func scan(_ file: String) -> SuggestionIndex? {
        guard let handle = FileHandle(forReadingAtPath: file) else { return nil }
        defer { try? handle.close() }
        var index = SuggestionIndex()
        var inArray = false
        var done = false
        var pending: [UInt8] = []
        // Returns false when the line is not what the tool writes.
        func take(_ line: ArraySlice<UInt8>) -> Bool {
            if !inArray {
                if line.elementsEqual("  \"suggestions\" : [".utf8) { inArray = true }
                return true
            }
            if line.elementsEqual("  ]".utf8) || line.elementsEqual("  ],".utf8) {
                done = true
                return true
            }
            guard line.starts(with: "    {".utf8), let (id, code) = idAndCode(line.dropFirst(4)) else { return false }
            index.append(id: id, code: code)
            return true
        }
        while !done {
            guard let block = try? handle.read(upToCount: 1 << 20) else { return nil }
            if block.isEmpty { break }
            pending += block
            var start = pending.startIndex
            while !done, let end = pending[start...].firstIndex(of: 0x0A) {
                guard take(pending[start..<end]) else { return nil }
                start = end + 1
            }
            pending.removeSubrange(..<start)
        }
        return done ? index : nil
    }

    /// The `id` and `code` fields of one suggestion written on one line (`{...}` or `{...},`),
    /// not those of an object inside it (a participant attribute may be called `code`).
    private static func idAndCode(_ record: ArraySlice<UInt8>) -> (id: String, code: String)? {
        var id: String?
        var code: String?
        var depth = 0
        var index = record.startIndex
        // The end of the string opening at `start` (its closing quote).
        func stringEnd(_ start: Int) -> Int? {
            var end = start + 1
            while end < record.endIndex {
                switch record[end] {
                case 0x22: return end
                case 0x5C: end += 2
                default: end += 1
                }
            }
            return nil
        }
        func string(_ open: Int, _ close: Int) -> String? {
            let body = record[(open + 1)..<close]
            guard body.contains(0x5C) else { return String(decoding: body, as: UTF8.self) }
            return try? JSONDecoder().decode(String.self, from: Data(record[open...close]))
        }
        while index < record.endIndex {
            switch record[index] {
            case 0x22:
                guard let close = stringEnd(index) else { return nil }
                let isKey = depth == 1 && close + 1 < record.endIndex && record[close + 1] == 0x3A
                let name = record[(index + 1)..<close]
                if isKey, name.elementsEqual("id".utf8) || name.elementsEqual("code".utf8) {
                    let open = close + 2
                    guard open < record.endIndex, record[open] == 0x22, let end = stringEnd(open),
                        let value = string(open, end)
                    else { return nil }
                    if name.count == 2 { id = value } else { code = value }
                    index = end + 1
                } else {
                    index = close + 1
                }
                continue
            case 0x7B, 0x5B: depth += 1
            case 0x7D, 0x5D: depth -= 1
            default: break
            }
            index += 1
        }
        guard depth == 0, let id, let code else { return nil }
        return (id, code)
    }

    private static func read(_ reader: inout BinaryReader) throws(BinaryReader.Error) -> SuggestionIndex {
        var index = SuggestionIndex()
        index.names = try reader.read([String].self)
        let count = try reader.readCount()
        index.keys.reserveCapacity(count)
        index.codes.reserveCapacity(count)
        for _ in 0..<count {
            index.keys.append(try reader.readFixed())
            let code = try reader.readVarint()
            guard code < UInt64(index.names.count) else { throw BinaryReader.Error() }
            index.codes.append(Int32(code))
        }
        return index
    }

    /// Records the suggestions just written to `suggestions.json` (call after writing it).
    func save(in out: String) {
        let file = (out as NSString).appendingPathComponent("suggestions.json")
        guard let stamp = CacheFile.stamp(of: file) else { return }
        CacheFile.write(
            at: Self.path(in: out), tag: Self.tag, key: "\(stamp.size) \(stamp.modified)",
            capacity: keys.count * 10 + 1024
        ) { writer in
            writer.write(names)
            writer.writeVarint(UInt64(keys.count))
            for (key, code) in zip(keys, codes) {
                writer.writeFixed(key)
                writer.writeVarint(UInt64(code))
            }
        }
    }
}
