import Coding
import Corpus
import Foundation
import TextAnalysis

/// Bloom filters of one document's distinct forms: whether the document may have a word, never
/// no wrongly, in 10 to 20 bits a form; and whether it may have a form starting with four given
/// bytes (its head), in half as many bits. A lexicon edit asks them of every document, where
/// reading each document's words from its cache file was a quarter of such a run at 100 MB, and
/// for a wildcard such as `unpleas*` all of it.
/// Hand-written: no package on this machine has a Bloom filter.
struct FormFilter: Sendable, Equatable {
    private var bits: [UInt64]
    private var headBits: [UInt64]
    /// Bits set for each form.
    private static let probes: UInt64 = 7
    /// The length of the heads the filter holds: a wildcard's fixed start as long or longer is
    /// asked for by its first four bytes. Heads of three bytes as well were nearly one a form
    /// (2,800 forms of a document had 1,600 of four and 1,000 of three): in half the forms' bits,
    /// one in five absent was claimed.
    static let headLength = 4

    /// Empty filters sized for `count` forms: the heads' half the forms' size, as a form has
    /// about half a distinct head.
    private init(count: Int) {
        var words = 1
        while words * 64 < count * 10 { words <<= 1 }
        bits = Array(repeating: 0, count: words)
        headBits = Array(repeating: 0, count: max(1, words / 2))
    }

    /// The filters of a document's forms, built in one pass over them: a cold run builds them
    /// for every document.
    init(forms: Vocabulary) {
        self.init(count: forms.count)
        bits.withUnsafeMutableBufferPointer { bits in
            headBits.withUnsafeMutableBufferPointer { heads in
                forms.forEachForm { Self.insert(form: $0, into: bits, heads: heads) }
            }
        }
    }

    /// The filters of the forms in an encoded `[String]` (as ``BinaryWriter`` writes it); nil
    /// when the bytes are not one.
    init?(encodedForms: ArraySlice<UInt8>) {
        var counter = BinaryReader(encodedForms)
        guard let count = try? counter.readCount() else { return nil }
        self.init(count: count)
        var reader = BinaryReader(encodedForms)
        let read = bits.withUnsafeMutableBufferPointer { bits in
            headBits.withUnsafeMutableBufferPointer { heads in
                do throws(BinaryReader.Error) {
                    try reader.readStrings { Self.insert(form: $0, into: bits, heads: heads) }
                    return true
                } catch {
                    return false
                }
            }
        }
        guard read, reader.isAtEnd else { return nil }
    }

    private static func insert(
        form: UnsafeBufferPointer<UInt8>, into bits: UnsafeMutableBufferPointer<UInt64>,
        heads: UnsafeMutableBufferPointer<UInt64>
    ) {
        insert(hashes(form), probes: probes, into: bits)
        if form.count >= headLength {
            insert(headHashes(UnsafeBufferPointer(rebasing: form[..<headLength])), probes: headProbes, into: heads)
        }
    }

    /// Sets a key's probe bits among `bits` (a power of two of words), from its two hashes.
    private static func insert(
        _ hashes: (UInt64, UInt64), probes: UInt64, into bits: UnsafeMutableBufferPointer<UInt64>
    ) {
        let (first, step) = hashes
        let mask = UInt64(bits.count * 64 - 1)
        for probe in 0..<probes {
            let bit = (first &+ probe &* step) & mask
            bits[Int(bit >> 6)] |= 1 << (bit & 63)
        }
    }

    /// Whether the document may have this form (false: it certainly has not).
    func mayContain(_ form: UnsafeBufferPointer<UInt8>) -> Bool {
        bits.withUnsafeBufferPointer { words in
            Self.isSet(Self.hashes(form), probes: Self.probes, words: words.count) { words[$0] }
        }
    }

    /// Whether the document may have a form starting with `head`, of ``headLength`` bytes
    /// (false: it certainly has not).
    func mayStart(with head: UnsafeBufferPointer<UInt8>) -> Bool {
        guard head.count == Self.headLength else { return true }
        return headBits.withUnsafeBufferPointer { words in
            Self.isSet(Self.headHashes(head), probes: Self.headProbes, words: words.count) { words[$0] }
        }
    }

    /// ``mayContain(_:)`` of the filter whose words are `bits`, as ``words`` in little-endian
    /// bytes at any alignment (read in place from a file).
    static func mayContain(_ form: UnsafeBufferPointer<UInt8>, in bits: UnsafeRawBufferPointer) -> Bool {
        isSet(hashes(form), probes: probes, words: bits.count / 8) { word($0, of: bits) }
    }

    /// ``mayStart(with:)`` of the filter whose words are `bits`, as ``headWords`` in
    /// little-endian bytes at any alignment.
    static func mayStart(with head: UnsafeBufferPointer<UInt8>, in bits: UnsafeRawBufferPointer) -> Bool {
        guard head.count == headLength else { return true }
        return isSet(headHashes(head), probes: headProbes, words: bits.count / 8) { word($0, of: bits) }
    }

    private static func word(_ index: Int, of bits: UnsafeRawBufferPointer) -> UInt64 {
        UInt64(littleEndian: bits.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
    }

    /// Whether every probe's bit of a key (by its two hashes) is set among `count` words,
    /// `word(i)` the i-th.
    private static func isSet(_ hashes: (UInt64, UInt64), probes: UInt64, words count: Int, _ word: (Int) -> UInt64)
        -> Bool
    {
        let (first, step) = hashes
        let mask = UInt64(count * 64 - 1)
        for probe in 0..<probes {
            let bit = (first &+ probe &* step) & mask
            if word(Int(bit >> 6)) & (1 << (bit & 63)) == 0 { return false }
        }
        return true
    }

    /// The filters whose words are `forms` and `heads`, as ``WordIndex`` stores them.
    init(littleEndianWords forms: UnsafeRawBufferPointer, heads: UnsafeRawBufferPointer) {
        bits = (0..<forms.count / 8).map { Self.word($0, of: forms) }
        headBits = (0..<heads.count / 8).map { Self.word($0, of: heads) }
    }

    /// The forms' filter's 64-bit words (a power of two of them).
    var words: [UInt64] { bits }

    /// The heads' filter's 64-bit words (a power of two of them).
    var headWords: [UInt64] { headBits }

    /// Two hashes of a form (the halves of ``Vocabulary/wordHash(_:)``, which reads a word
    /// eight bytes at a time: FNV-1a's multiply per byte was most of building a cold run's
    /// filters), combined for each probe as Kirsch and Mitzenmacher do; the step is odd, so the
    /// probes of a form differ. Stored in `words.bin`: a change here must change its tag.
    private static func hashes(_ form: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        let hash = Vocabulary.wordHash(form)
        return (hash, (hash >> 32) | 1)
    }

    /// Bits set for each head: with a head about every other form in half the forms' bits,
    /// three give the fewest heads claimed wrongly (about one in forty).
    private static let headProbes: UInt64 = 3

    /// Two hashes of a head's four bytes, mixed as SplitMix64 mixes (two multiplies: a cold run
    /// hashes a head for most forms of every document). Stored in `heads.bin`: a change here
    /// must change its tag.
    private static func headHashes(_ head: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        var value = UInt64(head[0]) | UInt64(head[1]) << 8 | UInt64(head[2]) << 16 | UInt64(head[3]) << 24
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9 &+ 0x9E37_79B9_7F4A_7C15
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        value ^= value >> 31
        return (value, (value >> 32) | 1)
    }
}

/// One filter's words for each document of a batch, one after another in little-endian bytes:
/// document `i`'s from word `starts[i]`. Stored, the words are a file of their own beside the
/// index that describes them (its starts, and the words' length and checksum), mapped and used
/// in place: read into memory, the 12 MB of a 100 MB study's two banks took 10–24 ms of every
/// edit that read them (fresh pages cleared, then copied into), mapped and checked ~1.5 ms.
struct FilterBank: Sendable {
    private var bits: Bits
    private var starts: [Int]

    private enum Bits: Sendable {
        case built([UInt8])
        case mapped(MappedFile)
    }

    /// A bank written to its file as its filters come, a document at a time: only where each
    /// filter starts and the words' checksum stay in memory (held to a run's end, a 100 MB
    /// study's filters were 12 MB, the last of the reading that grew with its documents). One
    /// thread at a time adds to it: hence `@unchecked`.
    final class Writer: @unchecked Sendable {
        private let file: AtomicFile.Writer
        private var starts: [Int] = []
        private var words = 0
        private var checksum: UInt64 = 0
        /// Words not yet handed to the file: a write for every document's few kilobytes was
        /// thousands of calls into the kernel.
        private var held: [UInt8] = []
        private let holding: Int

        /// A writer of the bank's words to `path`, handing them to the file `holding` bytes at a
        /// time; nil when no file can be made there.
        init?(path: String, holding: Int = 1 << 18) {
            guard let file = try? AtomicFile.Writer(path: path, durable: false) else { return nil }
            (self.file, self.holding) = (file, holding)
        }

        /// How many filters it holds.
        var count: Int { starts.count }

        /// Appends the next document's filter words (a power of two of them).
        func add(_ filter: [UInt64]) {
            starts.append(words)
            words += filter.count
            // A closure, not the key path `\.littleEndian`: projected through a key path a word at
            // a time, the million words of a 100 MB study took 0.12 s.
            filter.map { $0.littleEndian }.withUnsafeBytes { held += $0 }
            if held.count >= holding { handOver() }
        }

        private func handOver() {
            held.withUnsafeBytes { bytes in
                checksum = Checksum.continuing(checksum, with: bytes)
                file.append(bytes)
            }
            held.removeAll(keepingCapacity: true)
        }

        /// Puts the words in place (missing for a moment rather than renamed over: see
        /// ``AtomicFile/write(_:to:durable:removingFirst:)``) and gives the header that describes
        /// them; nil when they could not be written.
        func commit() -> Header? {
            handOver()
            guard (try? file.commit(removingFirst: true)) != nil else { return nil }
            return Header(starts: starts, size: words * 8, checksum: checksum)
        }
    }

    var count: Int { starts.count }

    /// The bytes the bank takes.
    var size: Int { withBytes(\.count) }

    private func withBytes<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T {
        switch bits {
        case .built(let bytes): bytes.withUnsafeBytes(body)
        case .mapped(let file): file.withBytes(body)
        }
    }

    /// Document `index`'s filter bytes, in place.
    func withFilter<T>(of index: Int, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        withBytes { bytes in
            let end = index + 1 < starts.count ? starts[index + 1] : bytes.count / 8
            return body(UnsafeRawBufferPointer(rebasing: bytes[starts[index] * 8..<end * 8]))
        }
    }

    /// What the index file holds of the bank: where each filter starts, and the words' length
    /// and checksum, which their own file must match.
    struct Header: Sendable, BinaryCodable {
        var starts: [Int]
        var size: Int
        var checksum: UInt64

        func write(to writer: inout BinaryWriter) {
            writer.write(starts)
            writer.write(size)
            writer.writeFixed(checksum)
        }

        init(starts: [Int], size: Int, checksum: UInt64) {
            (self.starts, self.size, self.checksum) = (starts, size, checksum)
        }

        /// Checked whole: starts in order, each filter a power of two of words.
        init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
            starts = try reader.read()
            size = try reader.read()
            checksum = try reader.readFixed()
            guard size >= 0, size % 8 == 0 else { throw BinaryReader.Error() }
            for (index, start) in starts.enumerated() {
                // Compared before a range is made of them: one made out of order traps.
                let end = index + 1 < starts.count ? starts[index + 1] : size / 8
                let count = end - start
                guard start >= 0, count > 0, count & (count - 1) == 0 else { throw BinaryReader.Error() }
            }
        }
    }

    /// The bank of `header` over the words of the file at `path`, mapped (read, where the file
    /// system cannot map it); nil unless their length and checksum are the header's.
    init?(_ header: Header, wordsAt path: String) {
        if let file = MappedFile(path: path) {
            bits = .mapped(file)
        } else if let bytes = AtomicFile.contents(of: path) {
            bits = .built(bytes)
        } else {
            return nil
        }
        starts = header.starts
        guard size == header.size, withBytes({ Checksum.of($0) }) == header.checksum else { return nil }
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
    /// Each document's forms' filter (``FormFilter/words``).
    private var forms: FilterBank

    var count: Int { forms.count }

    /// Document `index`'s filters, its heads' taken from `heads` (the same batch's).
    func filter(of index: Int, heads: HeadIndex) -> FormFilter {
        forms.withFilter(of: index) { forms in
            heads.bank.withFilter(of: index) { FormFilter(littleEndianWords: forms, heads: $0) }
        }
    }

    /// Each tokenize key's document.
    var documentsByKey: [String: Int] {
        Dictionary(keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether document `index` may have this form (false: it certainly has not).
    func mayContain(document index: Int, _ form: UnsafeBufferPointer<UInt8>) -> Bool {
        forms.withFilter(of: index) { FormFilter.mayContain(form, in: $0) }
    }

    /// 4: the filters' words in `words-bits.bin`, mapped.
    fileprivate static let tag = "tmine-words-5-\(BinaryWriter.formatVersion)"

    fileprivate static func path(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/words.bin")
    }

    fileprivate static func wordsPath(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/words-bits.bin")
    }

    /// The key of a batch of documents, from their tokenize keys in order.
    static func key(tokenizeKeys: [String]) -> String {
        ContentHash.combining(["words"] + tokenizeKeys)
    }

    /// The stored index and the key of its batch, or nil (none, or not readable). Checked whole
    /// against its checksum: a damaged filter could otherwise say wrongly that a document lacks a
    /// word, and its suggestions would be kept stale.
    static func load(from out: String) -> (index: WordIndex, key: String)? {
        guard let (key, stored) = CacheFile.read(Stored.self, at: path(in: out), tag: tag),
            let forms = FilterBank(stored.forms, wordsAt: wordsPath(in: out))
        else { return nil }
        return (WordIndex(stats: stored.stats, keys: stored.keys, forms: forms), key)
    }

    private init(stats: [PipelineRunner.DocumentStats], keys: [String], forms: FilterBank) {
        (self.stats, self.keys, self.forms) = (stats, keys, forms)
    }

    /// The word index and the head index of a batch, their filters written as the batch's
    /// documents come, in order (``FilterBank/Writer``), and put in place by ``commit(stats:keys:key:)``
    /// once every document has come; a writer never committed leaves the stored ones as they were.
    final class Writer: Sendable {
        private let out: String
        private let forms: FilterBank.Writer
        private let heads: FilterBank.Writer

        /// Writers in `out`'s cache folder (handing their files `holding` bytes at a time); nil
        /// when their files cannot be made.
        init?(in out: String, holding: Int = 1 << 18) {
            try? FileManager.default.createDirectory(
                atPath: (WordIndex.path(in: out) as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true)
            guard let forms = FilterBank.Writer(path: WordIndex.wordsPath(in: out), holding: holding),
                let heads = FilterBank.Writer(path: HeadIndex.wordsPath(in: out), holding: holding)
            else { return nil }
            (self.out, self.forms, self.heads) = (out, forms, heads)
        }

        /// How many documents' filters it holds.
        var count: Int { forms.count }

        /// Appends the next document's filters.
        func add(_ filter: FormFilter) {
            forms.add(filter.words)
            heads.add(filter.headWords)
        }

        /// Puts both indexes in place for the batch of `key` whose documents have `stats` and
        /// tokenize `keys`: each one's words before the index that describes them (a crash
        /// between the two leaves words the old index's checksum refuses).
        func commit(stats: [PipelineRunner.DocumentStats], keys: [String], key: String) {
            precondition(stats.count == count && keys.count == count, "an index describes every document it holds")
            if let header = forms.commit() {
                CacheFile.write(at: WordIndex.path(in: out), tag: WordIndex.tag, key: key, capacity: count * 96 + 64) {
                    $0.write(Stored(stats: stats, keys: keys, forms: header))
                }
            }
            if let header = heads.commit() {
                CacheFile.write(at: HeadIndex.path(in: out), tag: HeadIndex.tag, key: key, capacity: count * 4 + 64) {
                    $0.write(header)
                }
            }
        }
    }

    /// What `words.bin` holds: all but the filters' words.
    fileprivate struct Stored: BinaryCodable {
        var stats: [PipelineRunner.DocumentStats]
        var keys: [String]
        var forms: FilterBank.Header

        init(stats: [PipelineRunner.DocumentStats], keys: [String], forms: FilterBank.Header) {
            (self.stats, self.keys, self.forms) = (stats, keys, forms)
        }

        func write(to writer: inout BinaryWriter) {
            writer.write(stats)
            writer.write(keys)
            writer.write(forms)
        }

        init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
            stats = try reader.read()
            keys = try reader.read()
            forms = try reader.read()
            guard keys.count == forms.starts.count, stats.count == forms.starts.count else {
                throw BinaryReader.Error()
            }
        }
    }
}

/// Every document's heads' filter (``FormFilter/headWords``) for the batch of the word index
/// beside it, under the same key, in `.cache/heads.bin`: a file of its own, read only by a
/// lexicon edit with a wildcard to rule out (half the word index's size again, which every
/// other edit read for nothing: 5 ms of a 100 MB one's 120).
struct HeadIndex: Sendable {
    fileprivate var bank: FilterBank

    var count: Int { bank.count }

    /// Whether document `index` may have a form starting with `head`, of
    /// ``FormFilter/headLength`` bytes (false: it certainly has not).
    func mayStart(document index: Int, with head: UnsafeBufferPointer<UInt8>) -> Bool {
        bank.withFilter(of: index) { FormFilter.mayStart(with: head, in: $0) }
    }

    /// 2: the filters' words in `heads-bits.bin`, mapped.
    fileprivate static let tag = "tmine-heads-2-\(BinaryWriter.formatVersion)"

    fileprivate static func path(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/heads.bin")
    }

    fileprivate static func wordsPath(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/heads-bits.bin")
    }

    private init(bank: FilterBank) { self.bank = bank }

    /// The stored index and the key of its batch (``WordIndex/key(tokenizeKeys:)``), or nil;
    /// checked whole, as the word index is.
    static func load(from out: String) -> (index: HeadIndex, key: String)? {
        guard let (key, header) = CacheFile.read(FilterBank.Header.self, at: path(in: out), tag: tag),
            let bank = FilterBank(header, wordsAt: wordsPath(in: out))
        else { return nil }
        return (HeadIndex(bank: bank), key)
    }

    /// The stored index of the batch of `key` with `count` documents; when there is none, the
    /// file is removed, so that the next run builds it again (a run builds the word index's
    /// filters when this file is missing: a cache from before it was written has none).
    static func load(from out: String, key: String, count: Int) -> HeadIndex? {
        if let (index, found) = load(from: out), found == key, index.count == count { return index }
        AtomicFile.remove(path(in: out))
        AtomicFile.remove(wordsPath(in: out))
        return nil
    }

    /// Whether the file is there (not whether it is sound).
    static func exists(in out: String) -> Bool { access(path(in: out), F_OK) == 0 }
}
