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

    public static func of(_ text: String) -> String {
        // Through the string's own bytes: `Data(text.utf8)` cost a run-time conformance lookup
        // (a scan of every conformance record) the first time, besides the copy.
        var text = text
        return text.withUTF8 { hex(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }

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
        /// Parts gathered before they are hashed: SHA-256 streams, so the hash is the same, and a
        /// call to the hasher per part and per length was most of hashing a run's document keys
        /// (2,000 documents: 10,000 parts and more).
        private var pending: [UInt8] = []
        private static let batch = 16_384

        public init() {
            pending.reserveCapacity(Self.batch)
        }

        public mutating func add(_ part: String) { add(part, "") }

        /// The part `first + second`, without making that string: the same hash.
        public mutating func add(_ first: String, _ second: String) {
            var length = first.utf8.count + second.utf8.count
            // `<length>:<bytes>`, the length's digits from a buffer on the stack.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { digits in
                var start = 23
                digits[start] = UInt8(ascii: ":")
                repeat {
                    start -= 1
                    digits[start] = UInt8(ascii: "0") + UInt8(length % 10)
                    length /= 10
                } while length > 0
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<24]))
            }
            feed(first)
            feed(second)
        }

        private mutating func feed(_ text: String) {
            var text = text
            text.withUTF8 { bytes in
                if pending.count + bytes.count > Self.batch { flush() }
                if bytes.count >= Self.batch {
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
                } else {
                    pending.append(contentsOf: bytes)
                }
            }
        }

        private mutating func flush() {
            pending.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            pending.removeAll(keepingCapacity: true)
        }

        public var hash: String {
            var hasher = hasher
            pending.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            return hex(hasher.finalize())
        }
    }
}
