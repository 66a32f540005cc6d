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

    /// Lowercase hex of a digest, written straight into the string's storage from the digest's
    /// own bytes (hashes are on a hot path: ten thousand document keys a run), the digits from
    /// a constant table.
    static func hex(_ digest: some ContiguousBytes) -> String {
        let digits = ("0123456789abcdef" as StaticString).utf8Start
        return digest.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: bytes.count * 2) { text in
                for position in 0..<bytes.count {
                    let byte = bytes[position]
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
    ///
    /// The parts are laid out once, in a buffer on the stack when they are short, and hashed by
    /// one call: the streaming ``Combiner`` (its own buffer, a copy of the hasher's state, a call
    /// per part) was four fifths of hashing a lexicon edit's ~1,200 short keys, SHA-256's blocks
    /// the rest. The bytes, and so the hash, are the ``Combiner``'s.
    public static func combining(_ parts: [String]) -> String {
        var size = 0
        for part in parts { size += part.utf8.count + maximumPrefix }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(size, 1)) { buffer in
            var end = 0
            for var part in parts {
                end += writePrefix(part.utf8.count, to: UnsafeMutableBufferPointer(rebasing: buffer[end...]))
                part.withUTF8 { bytes in
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[end...]).initialize(fromContentsOf: bytes)
                    end += bytes.count
                }
            }
            return hex(SHA256.hash(data: UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[..<end]))))
        }
    }

    /// The longest `<length>:` a part can have (20 digits and the colon).
    fileprivate static let maximumPrefix = 21

    /// Writes `<length>:` at the start of `buffer`; how many bytes that took.
    fileprivate static func writePrefix(_ length: Int, to buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var digits = 0
        var rest = length
        repeat {
            digits += 1
            rest /= 10
        } while rest > 0
        rest = length
        for position in stride(from: digits - 1, through: 0, by: -1) {
            buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        buffer[digits] = UInt8(ascii: ":")
        return digits + 1
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
            // `<length>:<bytes>`, the length's digits from a buffer on the stack.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: ContentHash.maximumPrefix) { digits in
                let count = ContentHash.writePrefix(first.utf8.count + second.utf8.count, to: digits)
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: digits[..<count]))
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
