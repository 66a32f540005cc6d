import Corpus
import Foundation

/// Where each document's part sits in an output written document by document (corpus.json,
/// kwic.json) and what it was made from (`.cache/corpus-layout.bin`, `.cache/kwic-layout.bin`,
/// under the identity of the file it describes). When the output is written again because some
/// documents came, went or changed, every other document's part is copied from the previous file
/// by the kernel instead of being decoded from the cache and rendered: corpus.json's were a
/// quarter of a run that added one transcript to 2,000, kwic.json's a sixth.
struct OutputLayout: Sendable {
    /// A document's bytes in the file (from its first element to its last, without the separator
    /// before them; empty when it has none), the key of what they render, and what the output
    /// counts of them (kwic.json: the hits of each query by each of `names`, its participants),
    /// for a copy to count without reading them.
    struct Entry: Sendable, Equatable {
        var key: String
        var range: Range<Int64>
        var tally: [Int] = []
        var names: [String] = []
    }

    /// The output's file name.
    let output: String
    /// What a document's bytes depend on besides its own key (the participants' attributes in
    /// a KWIC line, say); a layout made in another context is not copied from.
    let context: String
    private(set) var entries: [String: Entry] = [:]
    /// Document ids in file order.
    private(set) var order: [String] = []

    init(output: String, context: String = "") {
        self.output = output
        self.context = context
    }

    func entry(_ id: String) -> Entry? {
        entries[id]
    }

    /// The previous file's bytes of the document `id` made from `key`, if it has them.
    func range(of id: String, key: String) -> Range<Int64>? {
        guard let entry = entries[id], entry.key == key else { return nil }
        return entry.range
    }

    mutating func add(id: String, key: String, range: Range<Int64>, tally: [Int] = [], names: [String] = []) {
        let entry = Entry(key: key, range: range, tally: tally, names: names)
        if entries.updateValue(entry, forKey: id) == nil { order.append(id) }
    }

    private var tag: String { "tmine-\(Self.stem(output))-layout-3-\(BinaryWriter.formatVersion)" }

    private static func stem(_ output: String) -> String { (output as NSString).deletingPathExtension }

    static func path(of output: String, in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/\(stem(output))-layout.bin")
    }

    /// The layout of `output` as it is now, made in `context` (any, when nil), and the file opened
    /// to copy from; nil when there is none, or it describes another file (written since, or by
    /// hand), or it was made in another context.
    static func load(_ output: String, in out: String, context: String? = "") -> (
        layout: OutputLayout, file: FileHandle
    )? {
        var layout = OutputLayout(output: output, context: context ?? "")
        let file = (out as NSString).appendingPathComponent(output)
        guard
            let (opened, identity, body) = CacheFile.reader(
                describing: file, at: path(of: output, in: out), tag: layout.tag)
        else { return nil }
        var reader = body
        do throws(BinaryReader.Error) {
            let made = try reader.read(String.self)
            guard context == nil || made == context else { return nil }
            layout = OutputLayout(output: output, context: made)
            for _ in 0..<(try reader.readCount()) {
                let id = try reader.read(String.self)
                let key = try reader.read(String.self)
                let start = Int64(try reader.read(Int.self))
                let length = Int64(try reader.read(Int.self))
                guard start >= 0, length >= 0, start <= identity.size - length else { throw BinaryReader.Error() }
                let tally = try reader.read([Int].self)
                let names = try reader.read([String].self)
                layout.add(id: id, key: key, range: start..<start + length, tally: tally, names: names)
            }
            guard reader.isAtEnd else { return nil }
            return (layout, opened)
        } catch {
            return nil
        }
    }

    /// Records the layout of the output just put in place.
    func save(in out: String) {
        let file = (out as NSString).appendingPathComponent(output)
        CacheFile.write(
            describing: file, at: Self.path(of: output, in: out), tag: tag,
            capacity: order.count * 200 + context.utf8.count + 64
        ) { writer in
            writer.write(context)
            writer.writeVarint(UInt64(order.count))
            for id in order {
                guard let entry = entries[id] else { continue }
                writer.write(id)
                writer.write(entry.key)
                writer.write(Int(entry.range.lowerBound))
                writer.write(Int(entry.range.count))
                writer.write(entry.tally)
                writer.write(entry.names)
            }
        }
    }
}

/// The documents of an output's previous file still to copy into the new one (see
/// ``OutputLayout``), as one stretch while they follow one another there: a document right after
/// the one before it, one separator apart, extends the stretch, and a stretch is copied by the
/// kernel when it breaks or grows long (so that the disk writes the file as documents come).
struct PreviousCopy {
    let layout: OutputLayout
    let file: FileHandle
    private(set) var pending: Range<Int64>?

    init(_ previous: (layout: OutputLayout, file: FileHandle)) {
        (layout, file) = previous
    }

    /// Bytes of the pending stretch, not yet in the new file.
    var pendingCount: Int64 { pending.map { Int64($0.count) } ?? 0 }

    /// Adds a document's bytes there (`range`) after what `writer` has: to the pending stretch
    /// when they follow it `separator` bytes apart there (and the new file's array has elements
    /// already: not `first`); else as a new stretch, once `flushing` has handed `writer` what the
    /// caller holds, the pending stretch is copied, and `separating` has written the separator.
    mutating func add(
        _ range: Range<Int64>, separator: Int64, first: Bool, into writer: AtomicFile.Writer,
        flushing: () -> Void = {}, separating: () -> Void
    ) {
        if !first, let stretch = pending, stretch.upperBound + separator == range.lowerBound {
            pending = stretch.lowerBound..<range.upperBound
        } else {
            flushing()
            copy(into: writer)
            separating()
            pending = range
        }
        copyIfLong(into: writer)
    }

    /// Copies the pending stretch to the end of `writer`.
    mutating func copy(into writer: AtomicFile.Writer) {
        guard let stretch = pending else { return }
        pending = nil
        writer.append(from: file.fileDescriptor, range: stretch)
    }

    /// Copies the pending stretch once it is long.
    private mutating func copyIfLong(into writer: AtomicFile.Writer) {
        if pendingCount >= AtomicFile.writebackStep { copy(into: writer) }
    }
}
