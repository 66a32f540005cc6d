import Corpus

/// Transcribers' notes (`[inaudible 00:12:03]`, `((laughs))`, `(0.5)`) counted by kind, with the
/// documents they are in: what the tokeniser leaves out of the words, shown rather than dropped
/// unseen, and a measure of a transcript's quality (how much was inaudible, how much redacted).
public struct NoteTally: Sendable {
    /// One kind of note: its normalised text (``kind(of:)``), how often it occurs, in how many
    /// documents, and its first spelling as written.
    public struct Row: Sendable, Codable, Equatable {
        public var note: String
        public var count: Int
        public var documents: Int
        public var example: String
    }

    private var counts: [String: (count: Int, documents: Int, example: String)] = [:]
    public private(set) var documents = 0

    public init() {}

    /// The notes of every turn of `document`.
    public init(document: Document) {
        documents = 1
        // A transcript writes its notes alike (`[laughs]` each time): each spelling's kind once.
        var kinds: [String: String] = [:]
        for segment in document.segments {
            // Most turns have no note: their bytes are copied only when one has.
            let ranges = Tokenizer.noteRanges(in: segment.text)
            guard !ranges.isEmpty else { continue }
            let utf8 = Array(segment.text.utf8)
            for range in ranges {
                let written = String(decoding: utf8[range], as: UTF8.self)
                let kind = kinds[written] ?? Self.kind(of: written)
                kinds[written] = kind
                if let entry = counts[kind] {
                    counts[kind] = (entry.count + 1, 1, entry.example)
                } else {
                    counts[kind] = (1, 1, written)
                }
            }
        }
    }

    /// Adds another document's or study's tally (the first example seen is kept).
    public mutating func add(_ other: NoteTally) {
        documents += other.documents
        for (kind, entry) in other.counts {
            if let mine = counts[kind] {
                counts[kind] = (mine.count + entry.count, mine.documents + entry.documents, mine.example)
            } else {
                counts[kind] = entry
            }
        }
    }

    /// Notes of every kind.
    public var count: Int { counts.values.reduce(0) { $0 + $1.count } }

    /// How many kinds of note there are.
    public var kinds: Int { counts.count }

    /// The kinds, most frequent first (then by their text).
    public var rows: [Row] {
        counts.map {
            Row(note: $0.key, count: $0.value.count, documents: $0.value.documents, example: $0.value.example)
        }
        .sorted { ($1.count, $0.note) < ($0.count, $1.note) }
    }

    /// A note's kind: lower-cased, without its digits, times and full stops, blanks collapsed
    /// (`[Inaudible 00:12:03]` → `[inaudible]`). What is left of a timed pause or micropause is
    /// `(pause)`; of a time alone, `[time]` or `(time)`, and `#time#` (f4transkript's).
    public static func kind(of note: String) -> String {
        guard let first = note.first, let last = note.last else { return note }
        if first == "#" { return "#time#" }
        let double = note.hasPrefix("((")
        let inner = note.dropFirst(double ? 2 : 1).dropLast(double ? 2 : 1)
        let words = String(
            inner.lowercased().unicodeScalars.filter { !("0"..."9").contains($0) && $0 != ":" && $0 != "." }
        )
        .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{A0}" })
        let open = double ? "((" : String(first)
        let close = double ? "))" : String(last)
        if words.isEmpty {
            return open + (first == "(" && !inner.contains(":") ? "pause" : "time") + close
        }
        return open + words.joined(separator: " ") + close
    }
}

extension NoteTally: BinaryCodable {
    public func write(to writer: inout BinaryWriter) {
        writer.write(documents)
        let kinds = counts.keys.sorted()
        writer.writeVarint(UInt64(kinds.count))
        for kind in kinds {
            let entry = counts[kind] ?? (0, 0, "")
            writer.write(kind)
            writer.write(entry.count)
            writer.write(entry.documents)
            writer.write(entry.example)
        }
    }

    public init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        documents = try reader.read()
        for _ in 0..<(try reader.readCount()) {
            let kind: String = try reader.read()
            counts[kind] = (try reader.read(), try reader.read(), try reader.read())
        }
    }
}
