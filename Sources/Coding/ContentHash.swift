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
        bytes.withUnsafeBytes { hex(Array(SHA256.hash(data: $0).prefix(count))) }
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of a digest, written straight into the string's storage from the digest's
    /// own bytes (hashes are on a hot path: ten thousand document keys a run).
    static func hex(_ digest: some ContiguousBytes) -> String {
        digest.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: bytes.count * 2) { text in
                for (position, byte) in bytes.enumerated() {
                    text[2 * position] = digits[Int(byte >> 4)]
                    text[2 * position + 1] = digits[Int(byte & 0x0F)]
                }
                return bytes.count * 2
            }
        }
    }

    public static func of(_ text: String) -> String { of(Data(text.utf8)) }

    /// The hash of several parts, each length-prefixed so that no two lists collide.
    public static func combining(_ parts: [String]) -> String {
        var combiner = Combiner()
        for part in parts { combiner.add(part) }
        return combiner.hash
    }

    /// ``combining(_:)`` fed a part at a time, for a list too long to build first (a batch's
    /// keys, two thousand parts and more each run).
    public struct Combiner {
        private var hasher = SHA256()

        public init() {}

        public mutating func add(_ part: String) { add(part, "") }

        /// The part `first + second`, without making that string: the same hash.
        public mutating func add(_ first: String, _ second: String) {
            // `<length>:<bytes>`, the length's digits from a buffer on the stack: a `String`
            // made for each was a third of hashing a run's ten thousand document keys.
            var length = first.utf8.count + second.utf8.count
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { digits in
                var start = 23
                digits[start] = UInt8(ascii: ":")
                repeat {
                    start -= 1
                    digits[start] = UInt8(ascii: "0") + UInt8(length % 10)
                    length /= 10
                } while length > 0
                hasher.update(bufferPointer: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: digits[start..<24])))
            }
            feed(first)
            feed(second)
        }

        private mutating func feed(_ text: String) {
            if text.utf8.withContiguousStorageIfAvailable({ hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) })
                == nil
            {
                hasher.update(data: Data(text.utf8))
            }
        }

        public var hash: String { hex(hasher.finalize()) }
    }

    /// The hash of a value's canonical JSON (sorted keys): a stage's configuration hash.
    public static func of(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return of((try? encoder.encode(value)) ?? Data())
    }
}
