import Corpus
import Foundation
import TextAnalysis

/// The KWIC stage's merge: kwic.json written line by line, in document order, as each chunk of
/// documents finishes, so a run never holds the corpus's lines. A document whose lines the
/// previous kwic.json has, made from the same key in the same context (its ``OutputLayout``), is
/// copied from there. With a sort order the lines must all be there before the first is written;
/// they wait in memory then, and nothing is copied. One thread at a time uses it (the merge's,
/// then the task that finishes it): hence `@unchecked`.
struct KWICMerge: @unchecked Sendable {
    let sink: AtomicFile.Writer
    private let concordancer: Concordancer
    private let byID: [String: Participant]
    private var stream: Outputs.KWICStream
    private var waiting: [ConcordanceLine]?
    private var previous: PreviousCopy?
    /// This file's layout as documents are added; none with a sort order.
    private(set) var layout: OutputLayout?

    /// Lines separated in the file by `,`, a line break and four spaces.
    private static let separator: Int64 = 6

    /// A merge writing kwic.json at `path`, over the old file at `recycling` when it may (see
    /// ``Corpus/AtomicFile/Writer/init(path:durable:recycling:)``), copying from `previous` (a
    /// layout made in `context`, see ``OutputLayout/load(_:in:context:)``).
    init(
        stage: KWICStage, participants: ParticipantTable, path: String, recycling: String? = nil,
        previous: (layout: OutputLayout, file: FileHandle)? = nil, context: String = ""
    ) throws(FileWriteError) {
        sink = try AtomicFile.Writer(path: path, durable: !OutputFlush.deferred, recycling: recycling)
        concordancer = Concordancer(options: stage.options)
        byID = participants.byID
        stream = Outputs.KWICStream(to: sink)
        let sorted = !stage.options.sort.isEmpty
        waiting = sorted ? [] : nil
        self.previous = sorted ? nil : previous.map(PreviousCopy.init)
        layout = sorted ? nil : OutputLayout(output: (path as NSString).lastPathComponent, context: context)
    }

    /// Adds one document's lines, in order (`id` and `key` name the document and what made its
    /// lines, for the layout).
    mutating func add(_ lines: [ConcordanceLine], id: String? = nil, key: String? = nil) {
        if waiting != nil {
            waiting?.append(contentsOf: lines.compactMap { concordancer.accept($0, byID: byID) })
            return
        }
        // Each line written with its speaker's attributes, not copied to hold them first.
        var range: Range<Int64> = 0..<0
        var start: Int64?
        for line in lines {
            guard let attributes = concordancer.attributes(of: line, byID: byID) else { continue }
            if start == nil {
                if previous?.pending != nil {
                    stream.flush()
                    previous?.copy(into: sink)
                }
                stream.separateLine()
                start = stream.end
            }
            stream.append(line, attributes: attributes)
        }
        if let start { range = start..<stream.end }
        if let id, let key { layout?.add(id: id, key: key, range: range) }
    }

    /// Adds the document `id`'s lines as the previous file has them (`range`, from its layout).
    mutating func add(id: String, key: String, previous range: Range<Int64>) {
        guard var copy = previous, layout != nil else {
            preconditionFailure("a document is copied only from the previous file this merge was given")
        }
        var start: Int64 = 0
        if !range.isEmpty {
            start = stream.end + copy.pendingCount + (stream.hasLines ? Self.separator : Self.separator - 1)
            copy.add(
                range, separator: Self.separator, first: !stream.hasLines, into: sink, flushing: { stream.flush() },
                separating: { stream.spliceLine() })
        }
        previous = copy
        layout?.add(id: id, key: key, range: start..<start + Int64(range.count))
    }

    /// Ends kwic.json with `file`'s fields (its lines are not read); the caller commits `sink`.
    mutating func finish(_ file: Outputs.KWICFile) {
        if let waiting {
            for line in concordancer.sorted(waiting) { stream.append(line, attributes: line.attributes) }
            self.waiting = []
        }
        stream.flush()
        previous?.copy(into: sink)
        stream.finish(file)
    }
}
