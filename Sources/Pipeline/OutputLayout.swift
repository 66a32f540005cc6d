import Corpus
import Foundation

/// Where each document sits in corpus.json and what it was made from
/// (`.cache/corpus-layout.bin`, under the identity of the file it describes). When corpus.json is
/// written again because some documents came, went or changed, every other document is copied
/// from the previous file by the kernel instead of being decoded from the cache and rendered:
/// that was a quarter of a run that added one transcript to 2,000.
struct CorpusLayout: Sendable {
    /// A document's bytes in the file (its JSON object, without the separator before it) and the
    /// ingest key of the document they render: its bytes depend on nothing else but its id.
    struct Entry: Sendable, Equatable {
        var ingestKey: String
        var range: Range<Int64>
    }

    private(set) var entries: [String: Entry] = [:]
    /// Document ids in file order.
    private(set) var order: [String] = []

    init() {}

    func entry(_ id: String) -> Entry? {
        entries[id]
    }

    mutating func add(id: String, ingestKey: String, range: Range<Int64>) {
        if entries.updateValue(Entry(ingestKey: ingestKey, range: range), forKey: id) == nil { order.append(id) }
    }

    private static let tag = "tmine-corpus-layout-1-\(BinaryWriter.formatVersion)"

    private static func path(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/corpus-layout.bin")
    }

    private static var file: String { "corpus.json" }

    /// The layout of corpus.json as it is now and the file opened to copy from; nil when there is
    /// none, or the layout describes another file (written since, or by hand).
    static func load(in out: String) -> (CorpusLayout, FileHandle)? {
        let file = (out as NSString).appendingPathComponent(Self.file)
        guard let (opened, identity, body) = CacheFile.reader(describing: file, at: path(in: out), tag: tag) else {
            return nil
        }
        var reader = body
        do throws(BinaryReader.Error) {
            var layout = CorpusLayout()
            for _ in 0..<(try reader.readCount()) {
                let id = try reader.read(String.self)
                let key = try reader.read(String.self)
                let start = Int64(try reader.read(Int.self))
                let length = Int64(try reader.read(Int.self))
                guard start >= 0, length >= 0, start <= identity.size - length else { throw BinaryReader.Error() }
                layout.add(id: id, ingestKey: key, range: start..<start + length)
            }
            guard reader.isAtEnd else { return nil }
            return (layout, opened)
        } catch {
            return nil
        }
    }

    /// Records the layout of the corpus.json just put in place.
    func save(in out: String) {
        let file = (out as NSString).appendingPathComponent(Self.file)
        CacheFile.write(describing: file, at: Self.path(in: out), tag: Self.tag, capacity: order.count * 200 + 64) {
            writer in
            writer.writeVarint(UInt64(order.count))
            for id in order {
                guard let entry = entries[id] else { continue }
                writer.write(id)
                writer.write(entry.ingestKey)
                writer.write(Int(entry.range.lowerBound))
                writer.write(Int(entry.range.count))
            }
        }
    }
}
