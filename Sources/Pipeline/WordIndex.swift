import Coding
import Corpus
import Foundation
import TextAnalysis

/// A Bloom filter of one document's distinct forms: whether the document may have a word, never
/// no wrongly, in 10 to 20 bits a form. A lexicon edit asks it of every document, where reading
/// each document's words from its cache file was a quarter of such a run at 100 MB.
/// Hand-written: no package on this machine has a Bloom filter.
struct FormFilter: Sendable, Equatable {
    private var bits: [UInt64]
    private static let probes: UInt64 = 7

    /// An empty filter sized for `count` forms.
    private init(count: Int) {
        var words = 1
        while words * 64 < count * 10 { words <<= 1 }
        bits = Array(repeating: 0, count: words)
    }

    /// The filter of a document's forms, built in one pass over them: a cold run builds one
    /// for every document.
    init(forms: Vocabulary) {
        self.init(count: forms.count)
        bits.withUnsafeMutableBufferPointer { bits in forms.forEachForm { Self.insert($0, into: bits) } }
    }

    /// The filter of the forms in an encoded `[String]` (as ``BinaryWriter`` writes it); nil
    /// when the bytes are not one.
    init?(encodedForms: ArraySlice<UInt8>) {
        var counter = BinaryReader(encodedForms)
        guard let count = try? counter.readCount() else { return nil }
        self.init(count: count)
        var reader = BinaryReader(encodedForms)
        let read = bits.withUnsafeMutableBufferPointer { bits in
            do throws(BinaryReader.Error) {
                try reader.readStrings { Self.insert($0, into: bits) }
                return true
            } catch {
                return false
            }
        }
        guard read, reader.isAtEnd else { return nil }
    }

    /// Sets the form's probe bits among `bits` (a power of two of words).
    private static func insert(_ form: UnsafeBufferPointer<UInt8>, into bits: UnsafeMutableBufferPointer<UInt64>) {
        let (first, step) = hashes(form)
        let mask = UInt64(bits.count * 64 - 1)
        for probe in 0..<probes {
            let bit = (first &+ probe &* step) & mask
            bits[Int(bit >> 6)] |= 1 << (bit & 63)
        }
    }

    /// Whether the document may have this form (false: it certainly has not).
    func mayContain(_ form: UnsafeBufferPointer<UInt8>) -> Bool {
        bits.withUnsafeBufferPointer { words in Self.mayContain(form, words: words.count) { words[$0] } }
    }

    /// ``mayContain(_:)`` of the filter whose words are `bits`, as ``words`` in little-endian bytes
    /// at any alignment (read in place from a file).
    static func mayContain(_ form: UnsafeBufferPointer<UInt8>, in bits: UnsafeRawBufferPointer) -> Bool {
        mayContain(form, words: bits.count / 8) {
            UInt64(littleEndian: bits.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))
        }
    }

    /// Whether every probe's bit of the form is set among `count` words, `word(i)` the i-th.
    private static func mayContain(_ form: UnsafeBufferPointer<UInt8>, words count: Int, _ word: (Int) -> UInt64)
        -> Bool
    {
        let (first, step) = hashes(form)
        let mask = UInt64(count * 64 - 1)
        for probe in 0..<probes {
            let bit = (first &+ probe &* step) & mask
            if word(Int(bit >> 6)) & (1 << (bit & 63)) == 0 { return false }
        }
        return true
    }

    /// The filter whose words are `bytes`, as ``WordIndex`` stores them.
    init(littleEndianWords bytes: UnsafeRawBufferPointer) {
        bits = (0..<bytes.count / 8).map {
            UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))
        }
    }

    /// The filter's 64-bit words (a power of two of them).
    var words: [UInt64] { bits }

    /// Two hashes of the form (the halves of ``Vocabulary/wordHash(_:)``, which reads a word
    /// eight bytes at a time: FNV-1a's multiply per byte was most of building a cold run's
    /// filters), combined for each probe as Kirsch and Mitzenmacher do; the step is odd, so the
    /// probes of a form differ. Stored in `words.bin`: a change here must change its tag.
    private static func hashes(_ form: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        let hash = Vocabulary.wordHash(form)
        return (hash, (hash >> 32) | 1)
    }
}

/// Every document's turn counts and form filter for one batch, in `.cache/words.bin`, under a
/// key made of every document's tokenize key in order: a lexicon edit reads this one file
/// instead of each document's cached words, and opens a document's file only where the filter
/// says a changed pattern's words may be there. Each document's tokenize key is kept too: a
/// batch with a document more or less takes the others' filters from the previous batch's index
/// instead of reading every document's words again.
struct WordIndex: Sendable {
    var stats: [PipelineRunner.DocumentStats]
    /// Each document's tokenize key.
    private(set) var keys: [String]
    /// Every document's filter words, one after another, as ``FormFilter/words`` in little-endian
    /// bytes; document `i`'s at word `starts[i]`. Read, they are the file's own bytes, used in
    /// place: copying them out was half of reading the index (8 MB at 100 MB of transcripts).
    private var bits: ArraySlice<UInt8>
    private var starts: [Int]

    init(stats: [PipelineRunner.DocumentStats], keys: [String], filters: [FormFilter]) {
        self.stats = stats
        self.keys = keys
        starts = []
        var bytes: [UInt8] = []
        bytes.reserveCapacity(filters.reduce(0) { $0 + $1.words.count * 8 })
        for filter in filters {
            starts.append(bytes.count / 8)
            // A closure, not the key path `\.littleEndian`: projected through a key path a word at
            // a time, the million words of a 100 MB study took 0.12 s at the end of the run.
            filter.words.map { $0.littleEndian }.withUnsafeBytes { bytes += $0 }
        }
        bits = bytes[...]
    }

    var count: Int { starts.count }

    /// Where document `index`'s filter words are among `bits`' words.
    private func words(of index: Int) -> Range<Int> {
        starts[index]..<(index + 1 < starts.count ? starts[index + 1] : bits.count / 8)
    }

    /// Document `index`'s filter bytes, in place.
    private func withFilter<T>(of index: Int, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        let words = words(of: index)
        return bits.withUnsafeBytes {
            body(UnsafeRawBufferPointer(rebasing: $0[words.lowerBound * 8..<words.upperBound * 8]))
        }
    }

    /// Document `index`'s filter.
    func filter(of index: Int) -> FormFilter {
        withFilter(of: index) { FormFilter(littleEndianWords: $0) }
    }

    /// Each tokenize key's document.
    var documentsByKey: [String: Int] {
        Dictionary(keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether document `index` may have this form (false: it certainly has not).
    func mayContain(document index: Int, _ form: UnsafeBufferPointer<UInt8>) -> Bool {
        withFilter(of: index) { FormFilter.mayContain(form, in: $0) }
    }

    private static let tag = "tmine-words-3-\(BinaryWriter.formatVersion)"

    private static func path(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/words.bin")
    }

    /// The key of a batch of documents, from their tokenize keys in order.
    static func key(tokenizeKeys: [String]) -> String {
        ContentHash.combining(["words"] + tokenizeKeys)
    }

    /// The stored index and the key of its batch, or nil (none, or not readable). Checked whole
    /// against its checksum: a damaged filter could otherwise say wrongly that a document lacks a
    /// word, and its suggestions would be kept stale.
    static func load(from out: String) -> (index: WordIndex, key: String)? {
        CacheFile.read(WordIndex.self, at: path(in: out), tag: tag).map { ($0.value, $0.key) }
    }

    func save(in out: String, key: String) {
        CacheFile.write(
            at: Self.path(in: out), tag: Self.tag, key: key, capacity: bits.count * 8 + stats.count * 64 + 64
        ) { $0.write(self) }
    }
}

extension WordIndex: BinaryCodable {
    func write(to writer: inout BinaryWriter) {
        writer.write(stats)
        writer.write(keys)
        writer.write(starts)
        bits.withUnsafeBytes { writer.writeBytes($0) }
    }

    /// Checked whole: starts in order, each filter a power of two of words.
    init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        stats = try reader.read()
        keys = try reader.read()
        starts = try reader.read()
        bits = try reader.readBytes()
        guard bits.count % 8 == 0, keys.count == starts.count, stats.count == starts.count else {
            throw BinaryReader.Error()
        }
        for index in starts.indices {
            let words = words(of: index)
            guard words.lowerBound >= 0, words.count > 0, words.count & (words.count - 1) == 0 else {
                throw BinaryReader.Error()
            }
        }
    }
}
