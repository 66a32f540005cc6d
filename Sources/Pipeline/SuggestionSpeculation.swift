import Corpus
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The previous suggestions.json's elements copied into the new one before the run knows which
/// documents' suggestions changed, started once it knows the file is to be written again. A
/// lexicon edit leaves most documents' elements as they were, in the same places: copied while
/// the run sets up its documents (one core idle), the copy is less of what the documents and the
/// run's last steps wait for (15.6 MB at 10 MB of transcripts, ~4 ms of the kernel's time). The
/// elements' writer then only checks that each document is where the copy put it; at the first
/// that is not, the copy is stopped and the file cut back to there (``Outputs/SuggestionElements``).
final class SuggestionSpeculation: @unchecked Sendable {
    /// The new file, its head reserved as long as the previous file's.
    let sink: AtomicFile.Writer
    /// The sink is written on this queue, in order: the copy first, then what the elements add.
    let queue = DispatchQueue(label: "suggestions.json")
    /// The previous file (its layout describes it) and where its elements lie in it.
    let stored: (layout: SuggestionLayout, file: FileHandle)
    var start: Int64 { stored.layout.start }
    let length: Int64
    private let stopped = NSLock()
    private var isStopped = false
    /// Whether the elements were found in place in the recycled file, and not copied.
    private(set) var skipped = false

    /// Starts copying the elements of `stored`'s file (`length` bytes from its layout's start) into
    /// a writer of `path` (over `recycling`: see ``AtomicFile/Writer``), in pieces of `piece`
    /// bytes: stopping the copy waits for one at most.
    ///
    /// When the file recycled is the one `unchanged` was stored for, those bytes are there
    /// already, and are not copied (see ``start(out:path:recycling:)``).
    init(
        path: String, recycling: String?, stored: (layout: SuggestionLayout, file: FileHandle), length: Int64,
        unchanged: AtomicFile.FileStamp? = nil, piece: Int64 = 1 << 20
    ) throws(FileWriteError) {
        sink = try AtomicFile.Writer(path: path, durable: !OutputFlush.deferred, recycling: recycling)
        self.stored = stored
        self.length = length
        let start = stored.layout.start
        sink.reserve(start)
        if let unchanged, sink.recycledFile == unchanged, sink.skip(length) {
            skipped = true
            return
        }
        let descriptor = stored.file.fileDescriptor
        var offset: Int64 = 0
        while offset < length {
            let range = start + offset..<start + min(length, offset + piece)
            queue.async { [self] in
                guard !stopped.withLock({ isStopped }) else { return }
                sink.append(from: descriptor, range: range)
            }
            offset += piece
        }
    }

    /// What ``start(out:path:recycling:)`` found and began: the previous file's layout and file
    /// (nil without them), and the copy.
    typealias Started = (stored: (layout: SuggestionLayout, file: FileHandle)?, speculation: SuggestionSpeculation?)

    /// The previous suggestions.json's layout and file, and a speculative copy of its elements
    /// into `path` (written over `recycling`), which the run is about to write again.
    ///
    /// The file recycled is the retired suggestions.json when there is one: the file before the
    /// current one. When its layout, kept beside it, is the current one's to the byte, the two
    /// files' elements are the same bytes in the same places (the same trust as copying a
    /// document's elements from the previous file on its layout's word), and the copy is not
    /// made: a lexicon edit that changes no suggestion, or that undoes the one before, writes
    /// only the head (15.6 MB not copied at 10 MB of transcripts: ~5 ms of CPU, ~3 ms of the
    /// run). The recycled file must be the very one that layout was stored for.
    static func start(out: String, path: String, recycling: String?) -> Started {
        guard let (layout, file, encoded) = SuggestionLayout.stored(in: out) else { return (nil, nil) }
        let stored = (layout: layout, file: file)
        let length = layout.documents.reduce(Int64(0)) { max($0, $1.offset + Int64($1.length)) }
        guard layout.start > 0, length > 0 else { return (stored, nil) }
        let retired = recycling == nil ? nil : SuggestionLayout.retired(in: out)
        let unchanged = retired.flatMap { retired in sameBytes(retired.encoded, encoded) ? retired.file : nil }
        return (
            stored,
            try? SuggestionSpeculation(
                path: path, recycling: recycling, stored: stored, length: length, unchanged: unchanged)
        )
    }

    private static func sameBytes(_ first: ArraySlice<UInt8>, _ second: ArraySlice<UInt8>) -> Bool {
        first.count == second.count
            && first.withUnsafeBytes { first in
                second.withUnsafeBytes { second in
                    guard let one = first.baseAddress, let other = second.baseAddress else { return first.isEmpty }
                    return memcmp(one, other, first.count) == 0
                }
            }
    }

    /// Stops the copy where it is and, after it, leaves the file's bytes from `offset` on to be
    /// appended: the previous elements' first `elements` bytes there (what the copy had not
    /// reached of them copied now), or none. `elements` is 0 unless `offset` is where the copy
    /// put them (``start``). Queued on ``queue``.
    func stop(keeping elements: Int64, at offset: Int64) {
        precondition(elements == 0 || offset == start, "elements kept only where the copy put them")
        stopped.withLock { isStopped = true }
        let descriptor = stored.file.fileDescriptor
        queue.async { [sink, start] in
            let end = offset + elements
            if sink.size > end || sink.size < offset {
                // Past what is kept, or (after a longer head) short of where the elements begin.
                sink.reposition(to: end)
            } else {
                sink.append(from: descriptor, range: start + sink.size - offset..<start + elements)
            }
        }
    }
}
