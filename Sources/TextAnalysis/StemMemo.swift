import Foundation

/// The stems this process has worked out, by word, shared by every document's tokenised corpus.
///
/// A pipeline tokenises each document alone, so without it the stemmer ran once per word of every
/// document: the same few thousand common words stemmed again in each of them, two thirds of
/// `tmine kwic --match stem`'s CPU at 10 MB. The stemmer is a pure function, so a word's stem
/// comes from here as it would from the stemmer; ids in each document are numbered as before.
final class StemMemo: @unchecked Sendable {
    /// The one a process's corpora share.
    static let shared = StemMemo()

    private let lock = NSLock()
    /// Guarded by `lock`: the words stemmed, their stems, and each word's stem id.
    private var words = Vocabulary(capacity: 1 << 16)
    private var stems = Vocabulary(capacity: 1 << 15)
    private var stemOfWord: [Int32] = []
    /// The most words kept: a long-running process (`--watch`, the review server) reading study
    /// after study stops adding here, and stems what it does not find.
    let limit: Int

    init(limit: Int = 1 << 18) { self.limit = limit }

    /// Every form's stem, interned into a vocabulary of their own in form id order, and each
    /// form's stem id: what stemming each form in turn gives.
    func stems(of forms: Vocabulary) -> (stems: Vocabulary, stemOfForm: [Int32]) {
        // Known stems copied out under the lock (the tables may grow meanwhile, in another
        // document's call); the rest stemmed outside it, then added.
        var known: [UInt8] = []
        var knownEnds = [Int](repeating: -1, count: forms.count)
        var missing: [Int32] = []
        lock.withLock {
            for id in 0..<Int32(forms.count) {
                forms.withBytes(of: id) { bytes in
                    guard let word = words.id(of: bytes) else { return missing.append(id) }
                    stems.withBytes(of: stemOfWord[Int(word)]) { known.append(contentsOf: $0) }
                    knownEnds[Int(id)] = known.count
                }
            }
        }
        let worked = missing.map { PorterStemmer.stem(forms[$0]) }
        var found = Vocabulary(capacity: 4096)
        var stemOfForm: [Int32] = []
        stemOfForm.reserveCapacity(forms.count)
        var start = 0
        var next = 0
        known.withUnsafeBufferPointer { known in
            for id in 0..<forms.count {
                if knownEnds[id] >= 0 {
                    stemOfForm.append(found.intern(UnsafeBufferPointer(rebasing: known[start..<knownEnds[id]])))
                    start = knownEnds[id]
                } else {
                    stemOfForm.append(found.intern(worked[next]))
                    next += 1
                }
            }
        }
        if !missing.isEmpty { remember(missing.map { forms[$0] }, worked) }
        return (found, stemOfForm)
    }

    /// Adds words and their stems, up to ``limit`` words.
    private func remember(_ newWords: [String], _ newStems: [String]) {
        lock.withLock {
            for (word, stem) in zip(newWords, newStems) where words.count < limit {
                let before = words.count
                let id = words.intern(word)
                if Int(id) == before { stemOfWord.append(stems.intern(stem)) }
            }
        }
    }

    /// How many words it holds.
    var count: Int { lock.withLock { words.count } }

    /// Whether it holds `word`'s stem.
    func knows(_ word: String) -> Bool { lock.withLock { words.id(of: word) != nil } }
}
