import Crypto
import Foundation

/// SHA-256 content hashes (swift-crypto), as lowercase hex: cache keys and the run report's
/// record of exactly which pipeline, lexicon and participants produced the outputs.
public enum ContentHash {
    public static func of(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    public static func of(_ text: String) -> String { of(Data(text.utf8)) }

    /// The hash of several parts, each length-prefixed so that no two lists collide.
    public static func combining(_ parts: [String]) -> String {
        var hasher = SHA256()
        for part in parts {
            let bytes = Data(part.utf8)
            hasher.update(data: Data(String(bytes.count).utf8) + Data([0x3A]) + bytes)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The hash of a value's canonical JSON (sorted keys): a stage's configuration hash.
    public static func of(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return of((try? encoder.encode(value)) ?? Data())
    }
}
