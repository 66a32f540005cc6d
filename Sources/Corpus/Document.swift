/// One transcript after ingest: its plain text and the speaker turns that partition it.
///
/// `text` is the document's plain text (paragraphs on their own lines, table cells separated by
/// tabs, structured formats rendered as `Speaker: turn` lines). Every segment's `range` counts
/// Unicode scalars (code points) into this string, the unit REFI-QDA uses for selections.
public struct Document: Codable, Sendable, Hashable {
    /// Stable id of the document inside a corpus: the file name without its extension.
    public var id: String
    /// The path the document was read from, as given.
    public var source: String
    public var format: TranscriptFormat
    public var text: String
    public var segments: [Segment]
    /// Every distinct speaker of the document, in order of first appearance.
    public var speakers: [Speaker]
    /// Notes from ingest a researcher may want to see (e.g. "roles inferred from questions").
    public var notes: [String]

    public init(
        id: String, source: String, format: TranscriptFormat, text: String, segments: [Segment],
        speakers: [Speaker], notes: [String] = []
    ) {
        self.id = id
        self.source = source
        self.format = format
        self.text = text
        self.segments = segments
        self.speakers = speakers
        self.notes = notes
    }

    /// The text a range covers, counted in Unicode scalars.
    public func text(in range: ScalarRange) -> String {
        let scalars = text.unicodeScalars
        guard range.start >= 0, range.end >= range.start,
            let from = scalars.index(scalars.startIndex, offsetBy: range.start, limitedBy: scalars.endIndex),
            let to = scalars.index(from, offsetBy: range.length, limitedBy: scalars.endIndex)
        else { return "" }
        return String(scalars[from..<to])
    }
}

/// The file formats TranscriptMiner reads.
public enum TranscriptFormat: String, Codable, Sendable, CaseIterable {
    case docx
    case tei
    case transcriber = "trs"
    case elan = "eaf"
    case webvtt = "vtt"
    case subrip = "srt"
    case text
    /// OpenDocument text (`.odt`).
    case odt
    /// Rich Text Format (`.rtf`).
    case rtf
}
