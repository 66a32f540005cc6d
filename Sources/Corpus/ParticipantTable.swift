import Foundation

/// A participant of a study with the attributes researchers group by (role, years in field …).
public struct Participant: Codable, Sendable, Hashable {
    public var id: String
    /// Attribute name → value, from the columns of `participants.csv` after the id column.
    public var attributes: [String: String]

    public init(id: String, attributes: [String: String]) {
        self.id = id
        self.attributes = attributes
    }
}

/// The participants of a study, in file order, with lookup by id and by transcript file.
public struct ParticipantTable: Codable, Sendable, Hashable {
    /// Attribute column names in file order (the id column excluded).
    public var attributeNames: [String]
    public var participants: [Participant] {
        didSet { lookup = ByID() }
    }
    /// The column that names each participant's transcript file(s), if the table has one.
    public var documentColumn: String?
    /// The values of banded attributes in their bands' order (``AttributeBand``): their groups
    /// are listed so (`low, medium, high`), others by name. Made as the table is banded, after
    /// it is read, and not stored with it.
    public var valueOrder: [String: [String]] = [:]
    /// ``byID``, made the first time it is asked for and shared by every copy of the table until
    /// its participants change: made anew at each asking, it was made for every document a run
    /// or `tmine kwic` tokenised (2,000 documents × 2,000 participants at 100 MB: a tenth of `tmine
    /// kwic`).
    private var lookup = ByID()

    enum CodingKeys: String, CodingKey {
        case attributeNames, participants, documentColumn
    }

    public init(attributeNames: [String], participants: [Participant], documentColumn: String? = nil) {
        self.attributeNames = attributeNames
        self.participants = participants
        self.documentColumn = documentColumn
    }

    public static let empty = ParticipantTable(attributeNames: [], participants: [])

    /// What to say of the first of `names` that is none of the table's attributes; nil when
    /// all are. Grouped or filtered by a column the table lacks (a typo, another spelling), every
    /// participant fell in one "(none)" group, or none passed, without a word. An array, not any
    /// sequence: the generic function asked the runtime whether `[String]` is a collection at
    /// every run (a scan of every conformance record, ~0.1 ms of the main thread).
    public func missingAttribute(among names: [String]) -> String? {
        guard let missing = names.first(where: { !attributeNames.contains($0) }) else { return nil }
        guard !attributeNames.isEmpty else {
            return
                "no participant attribute \"\(missing)\": there is no participants file, or it has no attribute columns"
        }
        return "no participant attribute \"\(missing)\"" + Self.didYouMean(missing, among: attributeNames)
            + " (the participants file has " + attributeNames.joined(separator: ", ") + ")"
    }

    /// `; did you mean "Role"?` when `name` is one of `names` but for case (a column or value
    /// typed by hand); else nothing.
    public static func didYouMean(_ name: String, among names: some Sequence<String>) -> String {
        names.first { $0.lowercased() == name.lowercased() }.map { "; did you mean \"\($0)\"?" } ?? ""
    }

    /// Participants by id (the first row wins if an id repeats), for joins over many turns.
    public var byID: [String: Participant] {
        lookup.made {
            Dictionary(participants.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// A table's ``byID``, once made. Not part of the table's value: tables equal without it.
    private final class ByID: @unchecked Sendable, Hashable {
        private let lock = NSLock()
        private var made: [String: Participant]?

        func made(_ make: () -> [String: Participant]) -> [String: Participant] {
            lock.withLock {
                if let made { return made }
                let dictionary = make()
                made = dictionary
                return dictionary
            }
        }

        static func == (lhs: ByID, rhs: ByID) -> Bool { true }
        func hash(into hasher: inout Hasher) {}
    }

    public subscript(id: String) -> Participant? {
        participants.first { $0.id == id }
    }

    /// Resolves a label-derived id such as `P03` or `p3` to the table's spelling (`P3`).
    ///
    /// Ids compare case-insensitively and with leading zeros in their number ignored, so a
    /// transcript may write `P03` for the table's `P3`. Returns nil when no row matches.
    /// For one lookup; many lookups should build a ``ParticipantIndex`` once.
    public func canonicalID(for raw: String) -> String? {
        ParticipantIndex(self).canonicalID(for: raw)
    }

    /// The participant whose document column names this file (by file name or name without
    /// extension), or without such a column the one the file is named by. For one lookup; see
    /// ``ParticipantIndex``.
    public func participant(forDocument fileName: String) -> Participant? {
        ParticipantIndex(self).participant(forDocument: fileName)
    }

    static func stem(_ name: String) -> String {
        let last = name.split(separator: "/").last.map(String.init) ?? name
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return last }
        return String(last[..<dot])
    }

    public static func comparisonKey(_ id: String) -> String {
        var letters = ""
        var digits = ""
        for scalar in id.unicodeScalars {
            if ("0"..."9").contains(scalar) {
                digits.unicodeScalars.append(scalar)
            } else if !digits.isEmpty {
                return id.lowercased()  // digits then letters: compare as written
            } else if scalar != " " && scalar != "_" && scalar != "-" {
                letters.unicodeScalars.append(scalar)
            }
        }
        let number = digits.drop { $0 == "0" }
        return letters.lowercased() + "#" + (number.isEmpty && !digits.isEmpty ? "0" : String(number))
    }
}

extension Unicode.Scalar {
    /// Unicode White_Space, told by value: the property table lookup costs far more than a few
    /// compares, and a transcript's curly apostrophes and dashes asked it at every one.
    package var isBlank: Bool { Self.isBlank(value) }

    /// Whether the scalar of this value is White_Space: the property's 25 scalars (unchanged
    /// since Unicode 6.3 took out U+180E), checked against the property of every scalar by a test.
    @inline(__always)
    package static func isBlank(_ value: UInt32) -> Bool {
        if value < 0x80 { return value == 0x20 || (0x09...0x0D).contains(value) }
        switch value {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}

// Written for `Substring` (a `String` is passed as its whole substring): generic code over
// `StringProtocol` from another module is not specialised, and ran ten times slower.

extension StringProtocol {
    /// Runs of whitespace (line breaks included) become one space; the ends are trimmed.
    package func collapsingWhitespace() -> String { Substring(self).collapsedWhitespace() }

    /// How many Unicode scalars: UTF-8 bytes that start a scalar, counted without decoding.
    package var scalarCount: Int { Substring(self).scalarCount }

    /// The string without leading and trailing Unicode whitespace.
    package func trimmingWhitespace() -> String { Substring(self).trimmedWhitespace() }
}

extension String {
    /// Whether the UTF-8 holds this byte (``Substring/containsByte(_:)``).
    package func containsByte(_ byte: UInt8) -> Bool { Substring(self).containsByte(byte) }

    /// The text with each CRLF and each lone CR made an LF, byte by byte: both are ASCII, never
    /// part of a longer UTF-8 sequence. Foundation's `replacingOccurrences`, twice, was three
    /// quarters of reading a study whose files have Windows line ends (and left a CR that a
    /// combining mark follows, taking the two as one character).
    package func withLineFeeds() -> String {
        var text = self
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return "" }
            return String(unsafeUninitializedCapacity: bytes.count) { out in
                var read = 0
                var written = 0
                while read < bytes.count {
                    // The run up to the next CR copied whole.
                    let end =
                        memchr(base + read, 13, bytes.count - read).map {
                            UnsafeRawPointer($0) - UnsafeRawPointer(base)
                        } ?? bytes.count
                    let run = UnsafeBufferPointer(rebasing: bytes[read..<end])
                    _ = UnsafeMutableBufferPointer(rebasing: out[written..<written + run.count]).initialize(
                        fromContentsOf: run)
                    written += run.count
                    read = end
                    guard read < bytes.count else { break }
                    out[written] = 10
                    written += 1
                    read += read + 1 < bytes.count && bytes[read + 1] == 10 ? 2 : 1
                }
                return written
            }
        }
    }
}

extension Substring {
    /// Whether the UTF-8 holds this byte, by `memchr` (`utf8.contains` walks the view byte by
    /// byte through the generic `Sequence` path).
    package func containsByte(_ byte: UInt8) -> Bool {
        var text = self
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return false }
            return memchr(base, Int32(byte), bytes.count) != nil
        }
    }

    /// How many Unicode scalars: UTF-8 bytes that start a scalar, counted without decoding.
    package var scalarCount: Int {
        var text = self
        return text.withUTF8(UTF8Scalars.count)
    }

    fileprivate func collapsedWhitespace() -> String {
        // ASCII text without runs of blanks or line breaks, the common case, is returned as is
        // (told from its bytes: iterating the substring's `utf8` view was half the time of
        // collapsing an ELAN file's annotations).
        var text = self
        let plain = text.withUTF8 { bytes in
            var previousBlank = true
            for byte in bytes {
                if byte >= 0x80 || byte < 0x20 || (byte == 0x20 && previousBlank) { return false }
                previousBlank = byte == 0x20
            }
            return !previousBlank
        }
        if plain { return String(self) }
        // Built by copying the UTF-8 bytes of what is kept, a run of printable ASCII and single
        // spaces at a time; other scalars are decoded only to ask whether they are white space.
        // Walking `unicodeScalars` and encoding each again was a hundredth of a cold run (KWIC
        // and suggestion contexts); a byte at a time, a twelfth of reading Transcriber files.
        return text.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { result in
                var count = 0
                var pendingSpace = false
                var offset = 0
                while offset < bytes.count {
                    // The run of printable ASCII from here, with the single spaces inside it.
                    var end = offset
                    while end < bytes.count {
                        let byte = bytes[end]
                        if byte > 0x20 && byte < 0x80 {
                            end += 1
                        } else if byte == 0x20, end > offset, end + 1 < bytes.count, bytes[end + 1] > 0x20,
                            bytes[end + 1] < 0x80
                        {
                            end += 2
                        } else {
                            break
                        }
                    }
                    let length: Int
                    let blank: Bool
                    if end > offset {
                        length = end - offset
                        blank = false
                    } else {
                        let (value, scalarLength) = UTF8Scalars.decode(bytes, at: offset)
                        length = scalarLength
                        blank = Unicode.Scalar.isBlank(value)
                    }
                    if blank {
                        pendingSpace = count > 0
                    } else {
                        if pendingSpace {
                            result[count] = 0x20
                            count += 1
                            pendingSpace = false
                        }
                        _ = UnsafeMutableBufferPointer(rebasing: result[count..<count + length]).initialize(
                            fromContentsOf: UnsafeBufferPointer(rebasing: bytes[offset..<offset + length]))
                        count += length
                    }
                    offset += length
                }
                return count
            }
        }
    }

    fileprivate func trimmedWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isBlank }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isBlank }) ?? first
        // Cut by index, not rebuilt scalar by scalar: turns are long.
        return String(self[first..<scalars.index(after: last)])
    }
}

/// A table's lookups by id spelling and by transcript file, built once for a batch: searching
/// the table for every label of every transcript made ingest grow with documents × participants
/// (a 2,000-participant study spent most of its ingest there).
public struct ParticipantIndex: Sendable {
    public let table: ParticipantTable
    /// Comparison key of each id → row (the first row wins).
    private var byKey: [String: Int] = [:]
    /// Each document-column entry → rows, and each entry's name without extension → rows.
    private var byEntry: [String: Int] = [:]
    private var byEntryStem: [String: Int] = [:]

    public init(_ table: ParticipantTable) {
        self.table = table
        for (row, participant) in table.participants.enumerated() {
            let key = ParticipantTable.comparisonKey(participant.id)
            if byKey[key] == nil { byKey[key] = row }
            guard let column = table.documentColumn, let value = participant.attributes[column] else { continue }
            for entry in value.split(separator: ";") {
                let trimmed = entry.trimmingWhitespace()
                if byEntry[trimmed] == nil { byEntry[trimmed] = row }
                let stem = ParticipantTable.stem(trimmed)
                if byEntryStem[stem] == nil { byEntryStem[stem] = row }
            }
        }
    }

    /// The document-column entries that name none of `files` (paths), with their participant,
    /// matched as ``participant(forDocument:)`` matches: by name, or name without extension.
    public func entriesNamingNoFile(_ files: [String]) -> [(participant: String, entry: String)] {
        guard let column = table.documentColumn else { return [] }
        var names = Set(files)
        var stems: Set<String> = []
        for file in files {
            names.insert((file as NSString).lastPathComponent)
            stems.insert(ParticipantTable.stem(file))
        }
        var unmatched: [(participant: String, entry: String)] = []
        for participant in table.participants {
            guard let value = participant.attributes[column] else { continue }
            for entry in value.split(separator: ";") {
                let trimmed = entry.trimmingWhitespace()
                guard !trimmed.isEmpty, !names.contains(trimmed), !stems.contains(trimmed),
                    !stems.contains(ParticipantTable.stem(trimmed))
                else { continue }
                unmatched.append((participant.id, trimmed))
            }
        }
        return unmatched
    }

    /// Resolves a label-derived id such as `P03` or `p3` to the table's spelling (`P3`):
    /// case-insensitive, leading zeros in the number ignored. Nil when no row matches.
    public func canonicalID(for raw: String) -> String? {
        byKey[ParticipantTable.comparisonKey(raw)].map { table.participants[$0].id }
    }

    /// The first participant whose document column names this file, by file name or name
    /// without extension; without such a column, the participant whose id the file is named by
    /// (`P01.docx` for `P1`, as ids are matched), as researchers name one file per participant.
    public func participant(forDocument fileName: String) -> Participant? {
        guard table.documentColumn != nil else {
            return byKey[ParticipantTable.comparisonKey(ParticipantTable.stem(fileName))].map { table.participants[$0] }
        }
        let stem = ParticipantTable.stem(fileName)
        let rows = [byEntry[fileName], byEntry[stem], byEntryStem[stem]].compactMap { $0 }
        return rows.min().map { table.participants[$0] }
    }
}

/// Whether `left` sorts before `right` byte by byte (a prefix first).
public func bytesPrecede(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
    let common = min(left.count, right.count)
    if common > 0, let l = left.baseAddress, let r = right.baseAddress {
        let order = memcmp(l, r, common)
        if order != 0 { return order < 0 }
    }
    return left.count < right.count
}

/// Whether `a` sorts before `b` by their UTF-8 bytes (the order of their scalars), compared as
/// bytes: the generic comparison of two UTF-8 views was most of sorting a study's paths. The
/// bytes are borrowed in place (copies of the strings made for `withUTF8` cost a third of
/// sorting 2,000 paths or 30,000 terms); a string without contiguous UTF-8 is made so first.
public func utf8Precedes(_ a: String, _ b: String) -> Bool {
    if let borrowed = a.utf8.withContiguousStorageIfAvailable({ left in
        b.utf8.withContiguousStorageIfAvailable { right in bytesPrecede(left, right) }
    }), let result = borrowed {
        return result
    }
    var (a, b) = (a, b)
    return a.withUTF8 { left in b.withUTF8 { right in bytesPrecede(left, right) } }
}
