import Foundation

/// Words mapped to what a pure function of a word gives (a stem, a normalised form), worked out
/// once a process and shared by every document's tokenised corpus.
///
/// A pipeline tokenises each document alone, so without it the same few thousand words were
/// stemmed, or normalised through Unicode's tables, again in every document: two thirds of
/// `tmine kwic --match stem`'s CPU at 10 MB, and half of `tmine freq`'s on text with accented
/// words. The functions are pure, so a word's value comes from here as the function gives it.
final class WordMemo: @unchecked Sendable {
    /// The stems of ``PorterStemmer``.
    static let stems = WordMemo()

    /// ``Normalizer/normalize(_:options:)`` under these options (only case and diacritics matter).
    static func normalized(for options: Tokenizer.Options) -> WordMemo {
        let key = NormalizedKey(caseMode: options.caseMode, foldDiacritics: options.foldDiacritics)
        return normalizedLock.withLock {
            if let memo = normalizedMemos[key] { return memo }
            let memo = WordMemo()
            normalizedMemos[key] = memo
            return memo
        }
    }

    private struct NormalizedKey: Hashable {
        var caseMode: Tokenizer.Options.CaseMode
        var foldDiacritics: Bool
    }
    private static let normalizedLock = NSLock()
    nonisolated(unsafe) private static var normalizedMemos: [NormalizedKey: WordMemo] = [:]

    private let lock = NSLock()
    /// Guarded by `lock`: the words, their values, and each word's value id.
    private var words = Vocabulary(capacity: 1 << 16)
    private var values = Vocabulary(capacity: 1 << 15)
    private var valueOfWord: [Int32] = []
    /// The most words kept: a long-running process (`--watch`, the review server) reading study
    /// after study stops adding here, and works out what it does not find.
    let limit: Int

    init(limit: Int = 1 << 18) { self.limit = limit }

    /// Each of `words`' values, interned into a vocabulary of their own in word id order, and each
    /// word's value id: what `work` on each word in turn gives.
    func values(of words: Vocabulary, work: (String) -> String) -> (values: Vocabulary, valueOfWord: [Int32]) {
        // Known values copied out under the lock, once for all the words (the tables may grow
        // meanwhile, in another document's call); the rest worked out outside it, then added.
        var known: [UInt8] = []
        var knownEnds = [Int](repeating: -1, count: words.count)
        var missing: [Int32] = []
        lock.withLock {
            for id in 0..<Int32(words.count) {
                words.withBytes(of: id) { bytes in
                    guard appendValue(of: bytes, to: &known) else { return missing.append(id) }
                    knownEnds[Int(id)] = known.count
                }
            }
        }
        let worked = missing.map { work(words[$0]) }
        var found = Vocabulary(capacity: 4096)
        var valueOfWord: [Int32] = []
        valueOfWord.reserveCapacity(words.count)
        var start = 0
        var next = 0
        known.withUnsafeBufferPointer { known in
            for id in 0..<words.count {
                if knownEnds[id] >= 0 {
                    valueOfWord.append(found.intern(UnsafeBufferPointer(rebasing: known[start..<knownEnds[id]])))
                    start = knownEnds[id]
                } else {
                    valueOfWord.append(found.intern(worked[next]))
                    next += 1
                }
            }
        }
        if !missing.isEmpty {
            lock.withLock {
                for (id, value) in zip(missing, worked) { words.withBytes(of: id) { remember($0, value) } }
            }
        }
        return (found, valueOfWord)
    }

    /// Appends the value of the word spelt by `bytes` to `buffer`, worked out by `work` if not
    /// known (outside the lock) and then kept.
    func appendValue(of bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8], work: () -> String) {
        if lock.withLock({ appendValue(of: bytes, to: &buffer) }) { return }
        let value = work()
        buffer.append(contentsOf: value.utf8)
        lock.withLock { remember(bytes, value) }
    }

    /// Under the lock: appends the word's value to `buffer` if known.
    private func appendValue(of bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) -> Bool {
        guard let word = words.id(of: bytes) else { return false }
        values.withBytes(of: valueOfWord[Int(word)]) { buffer.append(contentsOf: $0) }
        return true
    }

    /// Under the lock: keeps a word's value, unless full or another thread kept it first.
    private func remember(_ word: UnsafeBufferPointer<UInt8>, _ value: String) {
        guard words.count < limit else { return }
        let before = words.count
        if Int(words.intern(word)) == before { valueOfWord.append(values.intern(value)) }
    }

    /// How many words it holds.
    var count: Int { lock.withLock { words.count } }

    /// Whether it holds `word`'s value.
    func knows(_ word: String) -> Bool { lock.withLock { words.id(of: word) != nil } }
}
