import Coding
import Corpus
import Foundation

/// A binary file under `out/<study>/.cache/`: a format tag, the key it was written under, then
/// its body. Read back only when tag and key match (the caller checks the body decodes to its
/// end); written atomically but without `fsync`, because a torn or lost file only means
/// recomputing, never trusting it.
enum CacheFile {
    /// A reader positioned at the body, or nil when the file is missing or another tag or key.
    static func reader(at path: String, tag: String, key: String) -> BinaryReader? {
        guard let bytes = AtomicFile.contents(of: path) else { return nil }
        var reader = BinaryReader(bytes)
        guard (try? reader.read(String.self)) == tag, (try? reader.read(String.self)) == key else { return nil }
        return reader
    }

    /// The whole body as one value.
    static func read<Value: BinaryCodable>(_: Value.Type, at path: String, tag: String, key: String) -> Value? {
        guard var reader = reader(at: path, tag: tag, key: key), let value = try? reader.read(Value.self),
            reader.isAtEnd
        else { return nil }
        return value
    }

    /// Writes tag, key and the body; false when it could not be written (not fatal to callers).
    @discardableResult
    static func write(
        at path: String, tag: String, key: String, capacity: Int = 4096, body: (inout BinaryWriter) -> Void
    ) -> Bool {
        var writer = BinaryWriter(capacity: capacity)
        writer.write(tag)
        writer.write(key)
        body(&writer)
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        return (try? AtomicFile.write(Data(writer.bytes), to: path, durable: false)) != nil
    }

    /// The body of a file written by ``writeChecked(at:tag:key:body:)``, if its SHA-256 is the one
    /// stored with it: for files whose damage could not be told from their decoding.
    static func checkedBody(at path: String, tag: String, key: String) -> ArraySlice<UInt8>? {
        guard var reader = reader(at: path, tag: tag, key: key), let hash = try? reader.read(String.self),
            let body = try? reader.readBytes(), reader.isAtEnd, ContentHash.of(body) == hash
        else { return nil }
        return body
    }

    /// Writes tag, key, the body's SHA-256 and the body.
    @discardableResult
    static func writeChecked(at path: String, tag: String, key: String, body: BinaryWriter) -> Bool {
        write(at: path, tag: tag, key: key, capacity: body.bytes.count + 256) { file in
            file.write(ContentHash.of(body.bytes[...]))
            body.bytes.withUnsafeBytes { file.writeBytes($0) }
        }
    }

    /// A file's size and modification time (nanoseconds), to tell whether it is the one recorded.
    static func stamp(of path: String) -> (size: Int64, modified: Int64)? {
        TranscriptHashes.Identity(of: path).map { ($0.size, $0.modified) }
    }
}
