import Corpus
import Foundation
import TextAnalysis

/// The parsed form of a lexicon pattern: one or two sequences of words with allowed gaps.
///
/// Syntax: a word or wildcard (`hype`, `regulat*`, `*ology`); a phrase (`protected time`, quoted
/// or not); a phrase with gaps (`protected ~2 time`: up to two tokens between); proximity
/// (`time NEAR/5 protected`: either order, up to five tokens between).
public struct PatternSyntax: Sendable, Hashable {
    /// A word of a sequence and how many tokens may stand between it and the word before.
    public struct Step: Sendable, Hashable {
        public var element: Query.Element
        public var gapBefore: Int
    }

    /// Alternatives: one sequence, or both orders for `NEAR`.
    public var sequences: [[Step]]

    public init(_ text: String) throws(PatternError) {
        let words = Query.words(of: text)
        guard !words.isEmpty else { throw PatternError(message: "the pattern is empty") }
        if let word = Query.operatorWord(in: words) {
            throw PatternError(
                message: word == "NEAR"
                    ? "NEAR takes a distance, as in silver NEAR/5 bullet"
                    : "a pattern has no \(word): list each word or phrase as a pattern of its own (any one suggests the code)"
            )
        }
        if let near = words.firstIndex(where: Self.isNear) {
            guard let distance = Int(words[near].dropFirst(5)), distance >= 0, distance <= 100 else {
                throw PatternError(message: "NEAR takes a distance, as in NEAR/5")
            }
            let left = try Self.steps(Array(words[..<near]))
            let right = try Self.steps(Array(words[(near + 1)...]))
            guard !left.isEmpty, !right.isEmpty else {
                throw PatternError(message: "NEAR needs words on both sides")
            }
            var forward = left
            forward += [Step(element: right[0].element, gapBefore: distance)] + right.dropFirst()
            var backward = right
            backward += [Step(element: left[0].element, gapBefore: distance)] + left.dropFirst()
            sequences = [forward, backward]
        } else {
            sequences = [try Self.steps(words)]
        }
    }

    /// `NEAR/`, in any case, at the start of a word: an ASCII word compared byte by byte (an
    /// upper-cased copy of every word was a fifth of reading a lexicon).
    static func isNear(_ word: Substring) -> Bool {
        guard word.isAllASCII else { return word.uppercased().hasPrefix("NEAR/") }
        return word.utf8.count >= 5
            && zip(word.utf8, "near/".utf8).allSatisfy { $0.asciiLowercased == $1 }
    }

    static func steps(_ words: [Substring]) throws(PatternError) -> [Step] {
        var steps: [Step] = []
        var gap = 0
        for word in words {
            if word.hasPrefix("~") {
                guard let value = Int(word.dropFirst()), value >= 0, value <= 100 else {
                    throw PatternError(message: "a gap is written ~N, as in protected ~2 time")
                }
                guard !steps.isEmpty else { throw PatternError(message: "a gap cannot start a pattern") }
                gap = value
                continue
            }
            let element: Query.Element
            do {
                element = try Query.element(word, in: String(word))
            } catch {
                throw PatternError(message: error.message)
            }
            steps.append(Step(element: element, gapBefore: steps.isEmpty ? 0 : gap))
            gap = 0
        }
        if gap > 0 { throw PatternError(message: "a gap cannot end a pattern") }
        if words.last?.hasPrefix("~") == true { throw PatternError(message: "a gap cannot end a pattern") }
        return steps
    }
}

/// A pattern that cannot be parsed.
public struct PatternError: Error, Sendable, Hashable {
    public var message: String
}
