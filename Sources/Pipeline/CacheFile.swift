import CLibDeflate
import Corpus
import Foundation

/// A binary file under `out/<study>/.cache/`: a format tag, the key it was written under, its
/// body, then a CRC-32 of all that. Read back only when the checksum, tag and key match (the
/// caller checks the body decodes to its end); written atomically but without `fsync`, because
/// a torn, lost or damaged file only means recomputing, never trusting it.
enum CacheFile {
    /// A reader positioned at the body (the checksum left out), or nil when the file is missing,
    /// damaged, or another tag or key.
    static func reader(at path: String, tag: String, key: String) -> BinaryReader? {
        guard let (found, reader) = keyedReader(at: path, tag: tag), found == key else { return nil }
        return reader
    }

    /// The key a file was written under and a reader of its body (nil when the file is not one
    /// of `tag` or fails its checksum).
    static func keyedReader(at path: String, tag: String) -> (key: String, reader: BinaryReader)? {
        guard let bytes = AtomicFile.contents(of: path), let checked = Checksum.verified(bytes[...]) else { return nil }
        var reader = BinaryReader(checked)
        guard (try? reader.read(String.self)) == tag, let key = try? reader.read(String.self) else { return nil }
        return (key, reader)
    }

    /// A cache file describing another file (a layout of an output): that file opened, its
    /// identity, and a reader of the body, only when the cache file was written for that very
    /// file (its size, inode and times; see ``write(describing:at:tag:capacity:body:)``).
    static func reader(describing file: String, at path: String, tag: String)
        -> (file: FileHandle, identity: TranscriptHashes.Identity, reader: BinaryReader)?
    {
        guard let opened = FileHandle(forReadingAtPath: file),
            let identity = TranscriptHashes.Identity(descriptor: opened.fileDescriptor),
            let reader = reader(at: path, tag: tag, key: identity.stamp)
        else { return nil }
        return (opened, identity, reader)
    }

    /// Writes a cache file describing `file` as it is now (nothing when it cannot be read).
    static func write(
        describing file: String, at path: String, tag: String, capacity: Int, body: (inout BinaryWriter) -> Void
    ) {
        guard let identity = TranscriptHashes.Identity(of: file) else { return }
        write(at: path, tag: tag, key: identity.stamp, capacity: capacity, body: body)
    }

    /// The whole body as one value.
    static func read<Value: BinaryCodable>(_: Value.Type, at path: String, tag: String, key: String) -> Value? {
        reader(at: path, tag: tag, key: key).flatMap(whole)
    }

    /// The whole body as one value, and the key it was written under, whichever that is.
    static func read<Value: BinaryCodable>(_: Value.Type, at path: String, tag: String) -> (key: String, value: Value)?
    {
        guard let (key, reader) = keyedReader(at: path, tag: tag), let value: Value = whole(reader) else { return nil }
        return (key, value)
    }

    private static func whole<Value: BinaryCodable>(_ body: BinaryReader) -> Value? {
        var reader = body
        guard let value = try? reader.read(Value.self), reader.isAtEnd else { return nil }
        return value
    }

    /// Writes tag, key, the body and the checksum; false when it could not be written (not
    /// fatal to callers).
    @discardableResult
    static func write(
        at path: String, tag: String, key: String, capacity: Int = 4096, body: (inout BinaryWriter) -> Void
    ) -> Bool {
        var writer = BinaryWriter(capacity: capacity + 8)
        writer.write(tag)
        writer.write(key)
        body(&writer)
        Checksum.append(to: &writer)
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        // Missing for a moment rather than renamed over: see ``AtomicFile/write(_:to:durable:removingFirst:)``.
        return (try? AtomicFile.write(writer.bytes, to: path, durable: false, removingFirst: true)) != nil
    }

    /// A file's size and modification time (nanoseconds), to tell whether it is the one recorded.
    static func stamp(of path: String) -> (size: Int64, modified: Int64)? {
        TranscriptHashes.Identity(of: path).map { ($0.size, $0.modified) }
    }

    /// ``stamp(of:)`` of a file already open.
    static func stamp(descriptor: Int32) -> (size: Int64, modified: Int64)? {
        TranscriptHashes.Identity(descriptor: descriptor).map { ($0.size, $0.modified) }
    }
}

/// CRC-32 (libdeflate's, several gigabytes a second) over the cache's files and record parts:
/// their decoding checks only structure, so a flipped byte inside a text or a number that still
/// decodes would otherwise be used. It guards against damage, not tampering: the cache lies in
/// the researcher's own folder beside the transcripts it was made from.
enum Checksum {
    /// The CRC-32, widened to the fixed 8 bytes it is stored in.
    static func of(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.withUnsafeBytes { of($0) }
    }

    static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        continuing(0, with: bytes)
    }

    /// The checksum of the bytes `checksum` was of, followed by `bytes`: a file's, a piece at a time.
    static func continuing(_ checksum: UInt64, with bytes: UnsafeRawBufferPointer) -> UInt64 {
        UInt64(libdeflate_crc32(UInt32(truncatingIfNeeded: checksum), bytes.baseAddress, bytes.count))
    }

    /// Appends the checksum of everything written so far.
    static func append(to writer: inout BinaryWriter) {
        writer.writeFixed(of(writer.bytes[...]))
    }

    /// The bytes before the checksum ``append(to:)`` ended them with, if it matches them.
    static func verified(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard bytes.count >= 8 else { return nil }
        let content = bytes.dropLast(8)
        var trailer = BinaryReader(bytes.suffix(8))
        guard let stored = try? trailer.readFixed(), stored == of(content) else { return nil }
        return content
    }
}
