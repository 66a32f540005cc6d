import Crypto
import Foundation

/// SHA-256 content hashes (swift-crypto), as lowercase hex: cache keys and the run report's
/// record of exactly which pipeline, lexicon and participants produced the outputs.
public enum ContentHash {
    public static func of(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// The hash of bytes in memory, without copying them into `Data` first.
    public static func of(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.withUnsafeBytes { hex(SHA256.hash(data: $0)) }
    }

    /// The first `count` bytes of the hash of `bytes`, as `2 × count` hex digits: what
    /// ``of(_:)-(ArraySlice<UInt8>)`` begins with.
    public static func hexPrefix(of bytes: [UInt8], bytes count: Int) -> String {
        bytes.withUnsafeBytes { hex(SHA256.hash(data: $0).prefix(count)) }
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of a digest, without a formatted string per byte (hashes are on a hot path).
    static func hex(_ digest: some Sequence<UInt8>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func of(_ text: String) -> String { of(Data(text.utf8)) }

    /// The hash of several parts, each length-prefixed so that no two lists collide.
    public static func combining(_ parts: [String]) -> String {
        var hasher = SHA256()
        for part in parts {
            // `<length>:<bytes>`, fed straight from the strings (no `Data` per part).
            var part = part
            var prefix = String(part.utf8.count) + ":"
            prefix.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            part.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return hex(hasher.finalize())
    }

    /// The hash of a value's canonical JSON (sorted keys): a stage's configuration hash.
    public static func of(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return of((try? encoder.encode(value)) ?? Data())
    }
}
