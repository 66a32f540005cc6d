import Corpus
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One coder's decisions, as an append-only log of events: who did what, when, and what the
/// status was before. Written only by people (through `tmine decide`, the review page, or by
/// hand), never by a pipeline run; never rewritten in place.
public struct DecisionLog: Sendable, Hashable, Codable {
    public var schemaVersion = 1
    public var coder: String
    public var events: [DecisionEvent]

    public init(coder: String, events: [DecisionEvent] = []) {
        self.coder = coder
        self.events = events
    }

    /// The log's version: the number of events. A writer that read version N may only append if
    /// the file is still at version N.
    public var version: Int { events.count }
}

/// One thing a coder did.
public struct DecisionEvent: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Hashable, Codable {
        case accept, reject, recode, note, undo
        /// A code the lexicon missed, on a stretch of text the coder chose.
        case manual
        /// Withdraws a manual coding (`manualID`).
        case removeManual
    }

    public var sequence: Int
    public var at: String
    public var action: Action
    public var suggestionID: String?
    /// The code chosen for `recode` and `manual`.
    public var code: String?
    public var note: String?
    /// The suggestion's status for this coder before the event.
    public var previousStatus: SuggestionStatus?
    /// What the suggestion was when decided: kept so a decision can be shown, re-attached or
    /// reported as orphaned after the lexicon changes.
    public var snapshot: Snapshot?
    public var manual: ManualCoding?
    public var manualID: String?
    /// Made on a review page sent no other coder's decisions (`tmine review --blind`): a
    /// judgement made independently, as agreement assumes. Absent otherwise.
    public var blind: Bool?

    public init(
        sequence: Int = 0, at: String = "", action: Action, suggestionID: String? = nil, code: String? = nil,
        note: String? = nil, previousStatus: SuggestionStatus? = nil, snapshot: Snapshot? = nil,
        manual: ManualCoding? = nil, manualID: String? = nil
    ) {
        self.sequence = sequence
        self.at = at
        self.action = action
        self.suggestionID = suggestionID
        self.code = code
        self.note = note
        self.previousStatus = previousStatus
        self.snapshot = snapshot
        self.manual = manual
        self.manualID = manualID
    }

    /// The essentials of a suggestion at the time of a decision.
    public struct Snapshot: Sendable, Hashable, Codable {
        public var documentID: String
        public var segmentIndex: Int
        public var code: String
        public var evidence: [String]

        public init(documentID: String, segmentIndex: Int, code: String, evidence: [String]) {
            self.documentID = documentID
            self.segmentIndex = segmentIndex
            self.code = code
            self.evidence = evidence
        }

        public init(_ suggestion: Suggestion) {
            self.init(
                documentID: suggestion.documentID, segmentIndex: suggestion.segmentIndex, code: suggestion.code,
                evidence: suggestion.evidence.map(\.text))
        }
    }
}

/// A code a coder applied to text the lexicon did not suggest.
public struct ManualCoding: Sendable, Hashable, Codable {
    public var id: String
    public var documentID: String
    public var segmentIndex: Int?
    /// Range in the document's plain text, in Unicode scalars.
    public var range: ScalarRange
    public var text: String
    public var code: String
    /// When the coder made it: the time of the log's event, given when a log is replayed (the
    /// event already holds it, so the coding inside the event leaves it out).
    public var at: String?

    public init(id: String, documentID: String, segmentIndex: Int?, range: ScalarRange, text: String, code: String) {
        self.id = id
        self.documentID = documentID
        self.segmentIndex = segmentIndex
        self.range = range
        self.text = text
        self.code = code
    }
}

/// What one coder's log says now: each suggestion's status, and the manual codings in force.
public struct CoderState: Sendable {
    public struct Entry: Sendable, Hashable {
        public var status: SuggestionStatus
        public var code: String?
        public var note: String?
        public var at: String
        public var snapshot: DecisionEvent.Snapshot?
        /// Whether the decision in force was made blind (``DecisionEvent/blind``).
        public var blind = false
        /// Earlier statuses, for undo.
        var history: [(status: SuggestionStatus, code: String?, blind: Bool)] = []

        public static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.status == rhs.status && lhs.code == rhs.code && lhs.note == rhs.note && lhs.at == rhs.at
                && lhs.snapshot == rhs.snapshot
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(status)
            hasher.combine(code)
            hasher.combine(note)
        }
    }

    public var coder: String
    public var entries: [String: Entry] = [:]
    /// Suggestion ids in order of the first decision on them.
    public var order: [String] = []
    public var manual: [ManualCoding] = []
    /// The ids of the manual codings in force that were made blind (``DecisionEvent/blind``).
    public var blindCodings: Set<String> = []
    /// How many events made this state: the log's version.
    public private(set) var version = 0

    /// Replays a log.
    public init(_ log: DecisionLog) {
        coder = log.coder
        for event in log.events { apply(event) }
    }

    /// The state after one more event of the log.
    public mutating func apply(_ event: DecisionEvent) {
        version += 1
        switch event.action {
        case .manual:
            // A coding already in force (the same coder, text and code: the same id) is not
            // counted twice.
            if var coding = event.manual, !manual.contains(where: { $0.id == coding.id }) {
                coding.at = coding.at ?? event.at
                manual.append(coding)
                if event.blind == true { blindCodings.insert(coding.id) }
            }
        case .removeManual:
            manual.removeAll { $0.id == event.manualID }
            if let id = event.manualID { blindCodings.remove(id) }
        default:
            guard let id = event.suggestionID else { return }
            var entry = entries[id] ?? Entry(status: .pending, at: event.at, snapshot: event.snapshot)
            if entries[id] == nil { order.append(id) }
            if let snapshot = event.snapshot { entry.snapshot = snapshot }
            switch event.action {
            case .accept, .reject, .recode:
                entry.history.append((entry.status, entry.code, entry.blind))
                entry.status = event.action == .accept ? .accepted : event.action == .reject ? .rejected : .recoded
                entry.code = event.action == .recode ? event.code : nil
                entry.blind = event.blind == true
            case .undo:
                if let earlier = entry.history.popLast() {
                    (entry.status, entry.code, entry.blind) = (earlier.status, earlier.code, earlier.blind)
                }
            case .note:
                entry.note = event.note
            default:
                break
            }
            entry.at = event.at
            entries[id] = entry
        }
    }

    public func status(of id: String) -> SuggestionStatus { entries[id]?.status ?? .pending }
}

/// Reads and appends to `decisions/<coder>.json`, safely against concurrent writers.
///
/// An append takes an exclusive `flock` on a lock file beside the log, re-reads the log, checks
/// the version the caller saw (when given), appends, and writes atomically.
public enum DecisionStore {
    /// The log at `path`, or an empty one for `coder` when the file does not exist yet.
    public static func read(_ path: String, coder: String) throws(DecisionError) -> DecisionLog {
        guard FileManager.default.fileExists(atPath: path) else { return DecisionLog(coder: coder) }
        return try decode(FileManager.default.contents(atPath: path), path: path)
    }

    /// The log in a decisions file's bytes, read already (nil: it could not be read); `path`
    /// names the file in errors.
    public static func decode(_ data: Data?, path: String) throws(DecisionError) -> DecisionLog {
        guard let data else {
            throw DecisionError(file: path, message: AtomicFile.cannotRead("decisions file", at: path))
        }
        if let log = readByHand(data) { return log }
        do {
            return try JSONDecoder().decode(DecisionLog.self, from: data)
        } catch DecodingError.keyNotFound(let key, let context) where context.codingPath.isEmpty {
            // Another JSON file (corpus.json, say): not a decisions file at all.
            throw DecisionError(
                file: path,
                message: "this is not a decisions file, or one damaged (it has no \"\(key.stringValue)\"); "
                    + "it was left exactly as it is")
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw DecisionError(
                file: path,
                message:
                    "this is not valid JSON (a damaged decisions file, or another file); it was left exactly as it is")
        } catch {
            throw DecisionError(
                file: path, message: "the decisions file is not valid (\(error)); it was left exactly as it is")
        }
    }

    /// Appends events, numbering and timestamping them. Throws ``DecisionError`` with
    /// `isConflict` when the log moved past `expectedVersion`.
    @discardableResult
    ///
    /// `afterWriting` is given the log as written, the coder's state after the append and the new
    /// file's stamp, taken while the log is still locked, so that a cache of states (the review
    /// server's) need not read the log again; given back as `known` while the file still has
    /// that stamp, the next append neither decodes nor replays the log (at 36,000 events, two
    /// fifths of a decision on the review page).
    public static func append(
        _ events: [DecisionEvent], to path: String, coder: String, expectedVersion: Int? = nil, now: Date = Date(),
        known: Written? = nil, afterWriting: (Written) -> Void = { _ in }
    ) throws(DecisionError) -> DecisionLog {
        var known = known
        return try append(
            events, to: path, coder: coder, expectedVersion: expectedVersion, now: now, taking: &known,
            afterWriting: afterWriting)
    }

    /// ``append(_:to:coder:expectedVersion:now:known:afterWriting:)`` that takes `known` (left
    /// nil) and extends its log and state in place when no one else holds them (a cache that
    /// let go of them first): copied, every append copied the log's events and the state's
    /// entries (36,000 each), and then freed the old ones, two fifths of a decision's time.
    public static func append(
        _ events: [DecisionEvent], to path: String, coder: String, expectedVersion: Int? = nil, now: Date = Date(),
        taking known: inout Written?, afterWriting: (Written) -> Void = { _ in }
    ) throws(DecisionError) -> DecisionLog {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: folder.isEmpty ? "." : folder, withIntermediateDirectories: true)
        } catch {
            throw DecisionError(file: path, message: "cannot create the decisions folder")
        }
        let lockPath = (folder.isEmpty ? "." : folder) + "/." + (path as NSString).lastPathComponent + ".lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw DecisionError(
                file: path, message: "cannot lock the decisions file: " + AtomicFile.describe(writeError: errno))
        }
        defer { close(descriptor) }
        flock(descriptor, LOCK_EX)
        defer { flock(descriptor, LOCK_UN) }

        var status = stat()
        let exists = stat(path, &status) == 0
        var log = DecisionLog(coder: coder)
        var state = CoderState(log)
        var written: Data?
        var byHand = false
        // Written by an append, so laid out as `append(_:into:of:_:)` expects, like a log read by hand:
        // its log and state swapped out, not copied (see above), and its bytes as written.
        if var taken = known.take(), exists, taken.stamp == AtomicFile.FileStamp(status), taken.log.coder == coder {
            swap(&log, &taken.log)
            swap(&state, &taken.state)
            written = taken.bytes
            byHand = true
        } else {
            written = exists ? FileManager.default.contents(atPath: path) : nil
            if let read = written.flatMap(readByHand) {
                log = read
                byHand = true
            } else if exists {
                log = try decode(written, path: path)
            }
            // One replay, then kept up event by event: replaying the whole log for each event
            // made a batch of n decisions on a log of m cost n × m (3,000 ids on a log of 24,000
            // events: minutes).
            state = CoderState(log)
        }
        let before = log.events.count
        if let expectedVersion, expectedVersion != log.version {
            throw DecisionError(
                file: path,
                message: "the decisions changed since they were read (version \(expectedVersion), now "
                    + "\(log.version)); reload and try again", isConflict: true)
        }
        let stamp = isoTimestamp(now)
        for var event in events {
            event.sequence = log.events.count + 1
            if event.at.isEmpty { event.at = stamp }
            if let id = event.suggestionID, event.previousStatus == nil {
                event.previousStatus = state.status(of: id)
            }
            log.events.append(event)
            state.apply(event)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            var data: Data
            // Taken from `written`, so that the bytes are extended in place (see `append(_:into:of:_:)`).
            if byHand, var bytes = written.take(), try append(log.events[before...], into: &bytes, of: log, encoder) {
                data = bytes
            } else {
                data = try encoder.encode(log)
                data.append(0x0A)
            }
            try AtomicFile.write(data, to: path)
            if stat(path, &status) == 0 {
                afterWriting(Written(log: log, state: state, stamp: AtomicFile.FileStamp(status), bytes: data))
            }
        } catch let error as FileWriteError {
            throw DecisionError(file: path, message: error.message)
        } catch {
            throw DecisionError(file: path, message: "cannot encode the decisions: \(error)")
        }
        return log
    }
}

extension DecisionStore {
    /// A log as an append wrote it: its events, the coder's state after them, and the file's
    /// stamp (size, inode, time) just after; see ``append(_:to:coder:expectedVersion:now:known:afterWriting:)``.
    public struct Written: Sendable {
        public var log: DecisionLog
        public var state: CoderState
        public var stamp: AtomicFile.FileStamp
        /// The file's bytes: the next append extends them rather than read the file again.
        public var bytes: Data
    }

    /// The log read by ``JSONReader`` (a 13 MB log of 36,000 events: `JSONDecoder` took 0.45 s of
    /// every decision); nil when it does not read the file, which `JSONDecoder` then decodes.
    static func readByHand(_ data: Data) -> DecisionLog? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> DecisionLog? in
            var reader = JSONReader(raw.bindMemory(to: UInt8.self))
            guard let log = try? DecisionLog(reading: &reader), reader.isAtEnd else { return nil }
            return log
        }
    }

    /// `data` (the file `log` was read from, before `events`) with `events` put in before its
    /// events array closes: the bytes `encoder` gives the whole log, when `data` is as it gave
    /// them. Encoding the whole log again took 0.45 s of every decision at 36,000 events. Only
    /// for a file ``readByHand(_:)`` read, so with no key after its events but the schema
    /// version. Extended where it is when nothing else holds
    /// it (the review server's log as it last wrote it; copied, a 13 MB log and its fresh pages
    /// were a fifth of a decision); false, and `data` as it was, unless it ends as expected.
    static func append(
        _ events: ArraySlice<DecisionEvent>, into data: inout Data, of log: DecisionLog, _ encoder: JSONEncoder
    ) throws -> Bool {
        let tail = Data("\n  ],\n  \"schemaVersion\" : \(log.schemaVersion)\n}\n".utf8)
        // The byte before is the last event's closing brace: the array is not empty.
        guard data.count > tail.count, data.suffix(tail.count) == tail,
            data[data.endIndex - tail.count - 1] == UInt8(ascii: "}")
        else { return false }
        // Encoded first, so that an event that cannot be leaves `data` as it was.
        var added = Data()
        for event in events {
            added.append(contentsOf: ",\n".utf8)
            // Each line of the event one level in (4 spaces), but for the blank line the encoder
            // leaves inside an empty array.
            let encoded = try encoder.encode(event)
            var lineStart = true
            for byte in encoded {
                if lineStart && byte != 0x0A { added.append(contentsOf: "    ".utf8) }
                added.append(byte)
                lineStart = byte == 0x0A
            }
        }
        data.removeLast(tail.count)
        data.append(added)
        data.append(tail)
        return true
    }
}

/// A decisions file that cannot be read or written, or a stale write.
public struct DecisionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var isConflict = false
    public var description: String { "\(file): error: \(message)" }
}

extension DecisionLog: JSONReadable {
    /// Stricter than the `Decodable` conformance: a key other than the log's three, or one of
    /// them twice, is refused (and `JSONDecoder` reads the file), so that a log read this way is
    /// known to end with its events and its schema version, where ``DecisionStore`` appends.
    public init(reading reader: inout JSONReader) throws(JSONReader.Failure) {
        var schemaVersion: Int?
        var coder: String?
        var events: [DecisionEvent]?
        try reader.object { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
            switch key {
            case "schemaVersion" where schemaVersion == nil: schemaVersion = try reader.int()
            case "coder" where coder == nil: coder = try reader.string()
            case "events" where events == nil: events = try reader.elements(DecisionEvent.self)
            default: throw reader.failure("a key other than the log's own: \(key)")
            }
        }
        self.init(coder: try reader.required(coder, "coder"), events: try reader.required(events, "events"))
        self.schemaVersion = try reader.required(schemaVersion, "schemaVersion")
    }
}

extension DecisionEvent: JSONReadable {
    public init(reading reader: inout JSONReader) throws(JSONReader.Failure) {
        var sequence: Int?
        var at: String?
        var action: Action?
        var suggestionID: String?
        var code: String?
        var note: String?
        var previousStatus: SuggestionStatus?
        var snapshot: Snapshot?
        var manual: ManualCoding?
        var manualID: String?
        var blind: Bool?
        try reader.object { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
            switch key {
            case "sequence": sequence = try reader.int()
            case "at": at = try reader.string()
            case "action": action = try reader.value(Action.self)
            case "suggestionID": suggestionID = try reader.optionalString()
            case "code": code = try reader.optionalString()
            case "note": note = try reader.optionalString()
            case "previousStatus": previousStatus = try reader.null() ? nil : try reader.value(SuggestionStatus.self)
            case "snapshot": snapshot = try reader.null() ? nil : try Snapshot(reading: &reader)
            case "manual": manual = try reader.null() ? nil : try ManualCoding(reading: &reader)
            case "manualID": manualID = try reader.optionalString()
            case "blind": blind = try reader.null() ? nil : try reader.bool()
            default: try reader.skipValue()
            }
        }
        self.init(
            sequence: try reader.required(sequence, "sequence"), at: try reader.required(at, "at"),
            action: try reader.required(action, "action"), suggestionID: suggestionID, code: code, note: note,
            previousStatus: previousStatus, snapshot: snapshot, manual: manual, manualID: manualID)
        self.blind = blind
    }
}

extension DecisionEvent.Snapshot: JSONReadable {
    public init(reading reader: inout JSONReader) throws(JSONReader.Failure) {
        var documentID: String?
        var segmentIndex: Int?
        var code: String?
        var evidence: [String]?
        try reader.object { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
            switch key {
            case "documentID": documentID = try reader.string()
            case "segmentIndex": segmentIndex = try reader.int()
            case "code": code = try reader.string()
            case "evidence": evidence = try reader.strings()
            default: try reader.skipValue()
            }
        }
        self.init(
            documentID: try reader.required(documentID, "documentID"),
            segmentIndex: try reader.required(segmentIndex, "segmentIndex"), code: try reader.required(code, "code"),
            evidence: try reader.required(evidence, "evidence"))
    }
}

extension ManualCoding: JSONReadable {
    public init(reading reader: inout JSONReader) throws(JSONReader.Failure) {
        var id: String?
        var documentID: String?
        var segmentIndex: Int?
        var range: ScalarRange?
        var text: String?
        var code: String?
        var at: String?
        try reader.object { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
            switch key {
            case "id": id = try reader.string()
            case "documentID": documentID = try reader.string()
            case "segmentIndex": segmentIndex = try reader.optionalInt()
            case "range": range = try ScalarRange(reading: &reader)
            case "text": text = try reader.string()
            case "code": code = try reader.string()
            case "at": at = try reader.optionalString()
            default: try reader.skipValue()
            }
        }
        self.init(
            id: try reader.required(id, "id"), documentID: try reader.required(documentID, "documentID"),
            segmentIndex: segmentIndex, range: try reader.required(range, "range"),
            text: try reader.required(text, "text"), code: try reader.required(code, "code"))
        self.at = at
    }
}
