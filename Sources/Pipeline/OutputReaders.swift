import CFileSystem
import Coding
import Corpus
import Foundation

extension Outputs.SuggestionsFile {
    /// suggestions.json's contents, decoded on every core (``ElementRuns``). `JSONDecoder` on
    /// the whole file took 3 s of one core at 100 MB of transcripts (157 MB of suggestions),
    /// before `tmine decide --list`, `tmine export` or a review page could start.
    public static func decode(_ data: Data) throws -> Self {
        if let file = decodedByLines(data) { return file }
        return try JSONDecoder().decode(Self.self, from: data)
    }

    /// nil unless the file is laid out as ``JSONWriter`` lays it out and every part decodes.
    static func decodedByLines(_ data: Data) -> Self? {
        ElementRuns.suggestions.decode(data, \Self.suggestions)
    }
}

extension Outputs.CorpusFile {
    /// corpus.json's contents, decoded on every core (``ElementRuns``): 240 MB at 100 MB of
    /// transcripts, read back whole by `tmine export`.
    public static func decode(_ data: Data) throws -> Self {
        if let file = ElementRuns.documents.decode(data, \Self.documents) { return file }
        return try JSONDecoder().decode(Self.self, from: data)
    }
}

/// An output's one long array, as ``JSONWriter`` lays it out, decoded in runs of whole elements
/// on every core, and the rest of the file as a file whose array is empty. The array's key and
/// brackets stand at the start of their lines, one indent in, and its elements are separated by
/// a comma at a fixed place in a mark of their own (a raw line break is never inside a string,
/// so these marks are only what they seem). A run cut anywhere else leaves a bracket open and
/// fails to decode: whatever decodes is the file's array. A file laid out otherwise (edited, or
/// saved again by another tool) gives nil, and is decoded whole.
struct ElementRuns {
    /// The array's key.
    let key: String
    /// What stands between two elements, and where in it the comma is.
    let separator: [UInt8]
    let comma: Int

    /// suggestions.json: a suggestion per line.
    static let suggestions = ElementRuns(key: "suggestions", separator: Array(",\n".utf8), comma: 0)
    /// corpus.json: documents indented over many lines.
    static let documents = ElementRuns(key: "documents", separator: Array("\n    },\n    {".utf8), comma: 6)

    func decode<File: Decodable, Element: Decodable & Sendable & JSONReadable>(
        _ data: Data, _ array: WritableKeyPath<File, [Element]>
    ) -> File? {
        guard let open = data.range(ofBytes: "\n  \"\(key)\" : [".utf8),
            let close = data.range(ofBytes: "\n  ]".utf8, in: open.upperBound..<data.endIndex, backwards: true)
        else { return nil }
        var rest = Data(data[..<open.upperBound])
        rest.append(data[close.lowerBound...])
        guard var file = try? JSONDecoder().decode(File.self, from: rest), file[keyPath: array].isEmpty else {
            return nil
        }
        let runs = self.runs(data, open.upperBound..<close.lowerBound)
        let decoded = ConcurrentSlots<[Element]?>.map(runs.count) { Self.elements(Element.self, in: data, runs[$0]) }
        var elements: [Element] = []
        elements.reserveCapacity(decoded.reduce(0) { $0 + ($1?.count ?? 0) })
        for run in decoded {
            guard let run else { return nil }
            elements.append(contentsOf: run)
        }
        file[keyPath: array] = elements
        return file
    }

    /// The comma-separated elements in `range` of `data`, read by ``JSONReader``, or decoded by
    /// `JSONDecoder` when the reader does not take them; nil when neither does.
    static func elements<Element: Decodable & JSONReadable>(
        _ type: Element.Type, in data: Data, _ range: Range<Int>, omitting omitted: UInt32 = 0
    ) -> [Element]? {
        let read = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [Element]? in
            var reader = JSONReader(
                UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[range]), omitting: omitted)
            return try? reader.list(Element.self)
        }
        if let read { return read }
        var bytes = Data(capacity: range.count + 2)
        bytes.append(UInt8(ascii: "["))
        bytes.append(data[range])
        bytes.append(UInt8(ascii: "]"))
        return try? JSONDecoder().decode([Element].self, from: bytes)
    }

    /// `elements` cut into a few runs for each core, at separators (their commas left out).
    func runs(_ data: Data, _ elements: Range<Data.Index>) -> [Range<Data.Index>] {
        let pieces = 4 * activeCores
        var runs: [Range<Data.Index>] = []
        var start = elements.lowerBound
        for piece in 1..<pieces {
            let target = elements.lowerBound + elements.count * piece / pieces
            guard target > start, let found = data.range(ofBytes: separator, in: target..<elements.upperBound)
            else { continue }
            runs.append(start..<found.lowerBound + comma)
            start = found.lowerBound + comma + 1
        }
        runs.append(start..<elements.upperBound)
        return runs
    }
}

extension Outputs {
    /// One document of the last run's corpus.json, found by its id line and decoded alone:
    /// the review page asks for a suggestion's neighbouring turns, and a manual coding checks
    /// its range, one document at a time. Decoding all of corpus.json took 3 s a click at 100 MB
    /// of transcripts. nil when no document has this id; throws when there is no corpus.json,
    /// or one a crash may have damaged (``OutputFlush/contents(of:in:missing:)``).
    public static func document(_ id: String, of configuration: PipelineConfiguration) throws(PipelineError)
        -> Document?
    {
        let path = try OutputFlush.trusted("corpus.json", in: configuration.outputFolder)
        // Read, not mapped: the file's inode may become the copy a later run keeps, then writes
        // over and cuts short (``RetiredOutputs``), and a mapped page past the new end would
        // stop the process (SIGBUS). Streamed through a buffer first: reading the whole file
        // into fresh memory took 0.3 s more a lookup at 240 MB.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw PipelineError(file: path, message: "cannot read corpus.json; run the pipeline first")
        }
        let streamed = documentByLines(id, descriptor: descriptor)
        close(descriptor)
        switch streamed {
        case .found(let document): return document
        case .absent: return nil
        case .otherLayout: break
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError(file: path, message: "cannot read corpus.json; run the pipeline first")
        }
        switch documentByLines(id, in: data) {
        case .found(let document): return document
        case .absent: return nil
        case .otherLayout:
            guard let corpus = try? CorpusFile.decode(data) else {
                throw PipelineError(file: path, message: "cannot read corpus.json; run the pipeline first")
            }
            return corpus.documents.first { $0.id == id }
        }
    }

    enum Lookup<Value> {
        case found(Value)
        case absent
        /// The file is not laid out as ``JSONWriter`` lays it out (or the part found does not
        /// decode to what was asked): it must be decoded whole.
        case otherLayout
    }

    /// Documents are the array's elements one indent in (`\n    {` to `\n    }`), their keys two
    /// in; a raw line break is never inside a string, so these marks are only what they seem.
    static func documentByLines(_ id: String, in data: Data) -> Lookup<Document> {
        guard let array = data.range(ofBytes: "\n  \"documents\" : [".utf8),
            let end = data.range(ofBytes: "\n  ]".utf8, in: array.upperBound..<data.endIndex)
        else { return .otherLayout }
        guard let hit = data.range(ofBytes: idLine(id), in: array.upperBound..<end.lowerBound) else { return .absent }
        return document(id, around: hit, in: data, within: array.upperBound..<end.lowerBound)
    }

    /// ``documentByLines(_:in:)`` on an open file, read `chunk` bytes at a time into one
    /// buffer: its id line found first, then the document read within `reach` bytes of it.
    static func documentByLines(_ id: String, descriptor: Int32, chunk: Int = 8 << 20, reach: Int = 4 << 20)
        -> Lookup<Document>
    {
        let needle = idLine(id)
        var buffer = [UInt8](repeating: 0, count: chunk + needle.count)
        var start = 0  // where in the file `buffer` begins
        var kept = 0  // bytes carried over from the chunk before
        var position: Int?
        while position == nil {
            let read = buffer.withUnsafeMutableBufferPointer { bytes in
                bytes.baseAddress.map { pread(descriptor, $0 + kept, chunk, off_t(start + kept)) } ?? -1
            }
            guard read >= 0 else { return .otherLayout }
            let filled = kept + read
            let (hit, laidOut) = buffer.withUnsafeBufferPointer { bytes -> (Int?, Bool) in
                let bytes = UnsafeBufferPointer(rebasing: bytes[..<filled])
                // The documents' array opens in the first chunk of a file laid out as it should be.
                let laidOut =
                    start > 0 || firstPlace(of: Array("\n  \"documents\" : [".utf8), in: bytes, from: 0) != nil
                return (firstPlace(of: needle, in: bytes, from: 0), laidOut)
            }
            guard laidOut else { return .otherLayout }
            if let hit {
                position = start + hit
            } else if read == 0 {
                return .absent
            } else {
                // The id line may straddle this chunk and the next.
                kept = min(needle.count - 1, filled)
                buffer.replaceSubrange(0..<kept, with: buffer[(filled - kept)..<filled])
                start += filled - kept
            }
        }
        guard let position else { return .otherLayout }
        let from = max(0, position - reach)
        var window = Data(count: 2 * reach + needle.count)
        let read = window.withUnsafeMutableBytes { bytes in
            bytes.baseAddress.map { pread(descriptor, $0, bytes.count, off_t(from)) } ?? -1
        }
        guard read > 0 else { return .otherLayout }
        window.count = read
        let hit = position - from..<position - from + needle.count
        return document(id, around: hit, in: window, within: 0..<window.count)
    }

    /// The `"id"` line of the document `id`, as ``JSONWriter`` writes it.
    private static func idLine(_ id: String) -> [UInt8] {
        var key = JSONWriter(depth: 0)
        key.value(id)
        return Array("\n      \"id\" : ".utf8) + key.bytes.array() + Array(",\n".utf8)
    }

    /// The document whose id line is at `hit`, its braces searched for in `bounds`.
    private static func document(_ id: String, around hit: Range<Int>, in data: Data, within bounds: Range<Int>)
        -> Lookup<Document>
    {
        guard
            let open = data.range(ofBytes: "\n    {".utf8, in: bounds.lowerBound..<hit.lowerBound, backwards: true),
            let close = data.range(ofBytes: "\n    }".utf8, in: hit.upperBound..<bounds.upperBound),
            let found = ElementRuns.elements(Document.self, in: data, (open.lowerBound + 1)..<close.upperBound),
            found.count == 1, let document = found.first, document.id == id
        else { return .otherLayout }
        return .found(document)
    }
}

/// The first place at or after `from` where `pattern` occurs in `bytes`, found with `memmem`.
/// Foundation's `Data.range(of:)` compares byte by byte: 2 s for a document's id in the 240 MB
/// corpus.json of 100 MB of transcripts.
func firstPlace(of pattern: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
    guard let base = bytes.baseAddress, from <= bytes.count,
        let hit = cfilesystem_find(base + from, bytes.count - from, pattern, pattern.count)
    else { return nil }
    return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
}

extension Data {
    /// Where `pattern` first occurs in `range` (the whole by default) of a `Data` that starts at
    /// index 0, or last with `backwards`. Foundation's `range(of:)` copies the bytes it searches
    /// first (240 MB for a document near the end of corpus.json) and compares them one by one.
    func range(ofBytes pattern: some Sequence<UInt8>, in range: Range<Int>? = nil, backwards: Bool = false)
        -> Range<Int>?
    {
        let range = range ?? 0..<count
        let pattern = Array(pattern)
        return withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Range<Int>? in
            let bytes = UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[..<range.upperBound])
            let found =
                backwards
                ? lastPlace(of: pattern, in: bytes, from: range.lowerBound)
                : firstPlace(of: pattern, in: bytes, from: range.lowerBound)
            return found.map { $0..<$0 + pattern.count }
        }
    }
}

/// The last place at or after `from` where `pattern` occurs in `bytes`, for marks that stand
/// near the end of what is searched.
func lastPlace(of pattern: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
    guard let base = bytes.baseAddress, let first = pattern.first, bytes.count - from >= pattern.count else {
        return nil
    }
    var at = bytes.count - pattern.count
    while at >= from {
        if bytes[at] == first, memcmp(base + at, pattern, pattern.count) == 0 { return at }
        at -= 1
    }
    return nil
}

/// Up to `count` bytes of an open file from `offset`, read onto the end of `data`: how many
/// were read, or -1.
private func readBytes(_ descriptor: Int32, _ count: Int, at offset: Int, onto data: inout Data) -> Int {
    let start = data.count
    data.count += count
    let read = data.withUnsafeMutableBytes { bytes in
        bytes.baseAddress.map { pread(descriptor, $0 + start, count, off_t(offset)) } ?? -1
    }
    data.count = start + max(read, 0)
    return read
}

/// An open file read `chunk` bytes at a time into one buffer and handed to `body` as runs of
/// whole lines (each run ends with a line break, the last with the file); a line longer than a
/// chunk grows the buffer. `body` returns false to stop. False when the file could not be read.
func forEachRunOfLines(
    _ descriptor: Int32, chunk: Int = 8 << 20, _ body: (UnsafeBufferPointer<UInt8>) throws -> Bool
) rethrows -> Bool {
    var buffer = [UInt8](repeating: 0, count: chunk)
    var kept = 0  // the start of a line carried over from the chunk before
    var offset = 0
    while true {
        if buffer.count - kept < chunk { buffer.append(contentsOf: repeatElement(0, count: chunk)) }
        let read = buffer.withUnsafeMutableBufferPointer { bytes in
            bytes.baseAddress.map { pread(descriptor, $0 + kept, chunk, off_t(offset)) } ?? -1
        }
        guard read >= 0 else { return false }
        offset += read
        let filled = kept + read
        let run = read == 0 ? filled : (buffer[..<filled].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0)
        if run > 0 {
            let going = try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[..<run])) }
            guard going else { return true }
        }
        if read == 0 { return true }
        kept = filled - run
        buffer.withUnsafeMutableBufferPointer { bytes in
            if let base = bytes.baseAddress { memmove(base, base + run, kept) }
        }
    }
}

/// A part of an output that does not decode although its layout is ``JSONWriter``'s.
struct UndecodablePart: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

extension ElementRuns {
    /// The file at `path` read `chunk` bytes at a time, each stretch of whole elements of its
    /// array decoded on every core and given to `deliver` in order, so that a command that
    /// needs each element once holds a chunk's worth, not the file (corpus.json is 240 MB at
    /// 100 MB of transcripts). Returns the rest of the file, decoded as a file whose array is
    /// empty; nil, before anything is delivered, when its first 64 kB are not laid out as
    /// ``JSONWriter`` lays it out (the caller decodes the file whole). Throws
    /// ``UndecodablePart`` when a later part does not decode, and whatever `deliver` throws.
    /// `omitted`: the parts of each element its reader may leave out (``JSONReader/omitted``).
    func stream<File: Decodable, Element: Decodable & Sendable & JSONReadable>(
        _ path: String, _ array: WritableKeyPath<File, [Element]>, chunk: Int = 8 << 20, omitting omitted: UInt32 = 0,
        deliver: ([Element]) throws -> Void
    ) throws -> File? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw UndecodablePart(reason: "cannot open it") }
        defer { close(descriptor) }
        var offset = 0
        var buffer = Data()
        func readMore() throws -> Int {
            let read = readBytes(descriptor, chunk, at: offset, onto: &buffer)
            guard read >= 0 else { throw UndecodablePart(reason: "cannot read it") }
            offset += read
            return read
        }
        // The array opens within the first 64 kB of a file laid out as it should be.
        var open: Range<Int>?
        while open == nil, buffer.count < 1 << 16, try readMore() > 0 {
            open = buffer.range(ofBytes: "\n  \"\(key)\" : [".utf8)
        }
        guard let open else { return nil }
        var rest = Data(buffer[..<open.upperBound])
        buffer = Data(buffer[open.upperBound...])
        func decodeAndDeliver(_ elements: Range<Int>) throws {
            let data = buffer
            let runs = self.runs(data, elements)
            let decoded = ConcurrentSlots<[Element]?>.map(runs.count) {
                Self.elements(Element.self, in: data, runs[$0], omitting: omitted)
            }
            guard decoded.allSatisfy({ $0 != nil }) else {
                throw UndecodablePart(reason: "an element near byte \(offset) does not decode")
            }
            // Run by run: gathered into one array first, every element was copied (a retain and
            // a release of each of a suggestion's strings), ~5 % of `tmine lexicon report`.
            for case let run? in decoded where !run.isEmpty { try deliver(run) }
        }
        while true {
            if let close = buffer.range(ofBytes: "\n  ]".utf8) {
                try decodeAndDeliver(0..<close.lowerBound)
                rest.append(buffer[close.lowerBound...])
                buffer = Data()
                while try readMore() > 0 {
                    rest.append(buffer)
                    buffer = Data()
                }
                break
            }
            if let last = buffer.range(ofBytes: separator, backwards: true) {
                try decodeAndDeliver(0..<last.lowerBound + comma)
                // The unfinished element moved to the front of the same buffer, which the next
                // chunk is read after: a new buffer for each chunk was 8 MB of fresh pages
                // faulted in and zeroed each time (6 % of `tmine decide --list`'s samples).
                let kept = last.lowerBound + comma + 1
                let remaining = buffer.count - kept
                buffer.withUnsafeMutableBytes { bytes in
                    guard let base = bytes.baseAddress else { return }
                    memmove(base, base + kept, remaining)
                }
                buffer.count = remaining
            }
            guard try readMore() > 0 else { throw UndecodablePart(reason: "it ends inside its \(key) array") }
        }
        guard let file = try? JSONDecoder().decode(File.self, from: rest), file[keyPath: array].isEmpty else {
            throw UndecodablePart(reason: "its parts around the \(key) array do not decode")
        }
        return file
    }
}

extension ElementRuns {
    /// The file at `path` without its array: its head read from the start and its tail from
    /// the end, what lies between never read (corpus.json's participants table without its
    /// 240 MB of documents). nil when the file is not laid out as ``JSONWriter`` lays it out.
    func outside<File: Decodable, Element>(_ path: String, _ array: WritableKeyPath<File, [Element]>) -> File? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        let size = Int(status.st_size)
        func bytes(_ range: Range<Int>) -> Data? {
            var data = Data()
            return readBytes(descriptor, range.count, at: range.lowerBound, onto: &data) == range.count ? data : nil
        }
        let marker = Array("\n  \"\(key)\" : [".utf8)
        var window = 1 << 16
        var first = Data()
        var found: Range<Int>?
        while found == nil {
            guard let head = bytes(0..<min(size, window)) else { return nil }
            first = head
            found = first.range(ofBytes: marker)
            guard found == nil, window < size else { break }
            window *= 4
        }
        guard let open = found else { return nil }
        window = 1 << 16
        while true {
            let start = max(open.upperBound, size - window)
            guard let tail = bytes(start..<size) else { return nil }
            if let close = tail.range(ofBytes: "\n  ]".utf8, backwards: true) {
                guard
                    let file = try? JSONDecoder().decode(
                        File.self, from: Data(first[..<open.upperBound]) + tail[close.lowerBound...]),
                    file[keyPath: array].isEmpty
                else { return nil }
                return file
            }
            guard start > open.upperBound else { return nil }
            window *= 4
        }
    }
}
