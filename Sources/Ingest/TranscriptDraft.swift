import Corpus
import Foundation

/// One reader per format: bytes in, either lines (Word, text: turns are found by speaker labels)
/// or turns (formats that state their speakers).
protocol TranscriptReader {
    func read(_ data: Data, file: String) throws -> TranscriptSource
}

/// What a ``TranscriptReader`` found in a file.
enum TranscriptSource {
    case lines([SourceLine])
    case turns([SpokenTurn])
}

/// A line of transcript text as a reader found it, before turns are known.
struct SourceLine: Sendable {
    var text: String
    /// How many scalars at the start of the line are set in bold (Word only).
    var boldPrefix: Int = 0
    /// True for a Word table row, whose cells are separated by tabs.
    var isTableRow: Bool = false
}

/// A turn as a structured format states it: speaker, text and times.
struct SpokenTurn: Sendable {
    var speaker: String
    var text: String
    var start: Double?
    var end: Double?
    /// A role the format itself states (TEI `person/@role`), if any.
    var roleHint: SpeakerRole?
}

/// The plain text of a document and its turns, before speakers are resolved.
struct TranscriptDraft: Sendable {
    struct Turn: Sendable {
        var label: String?
        var range: ScalarRange
        var start: Double?
        var end: Double?
        var roleHint: SpeakerRole?
        /// How the label was found; a bold or table label is strong evidence of a speaker.
        var labelIsStructural = false
        /// `range` as UTF-8 offsets into the text, counted by the draft's builder beside it: the
        /// turn's text is cut by these, without counting scalars again.
        var utf8Range: Range<Int> = 0..<0
    }
    var text: String
    var turns: [Turn]
    var notes: [String] = []

    /// Renders turns of a structured format as `Speaker: text` lines, one per turn.
    ///
    /// Consecutive turns of the same speaker are merged first, joined by a space.
    init(spokenTurns: [SpokenTurn], mergingConsecutive: Bool = true) {
        var merged: [SpokenTurn] = []
        for turn in spokenTurns {
            let text = turn.text.collapsingWhitespace()
            guard !text.isEmpty else { continue }
            if mergingConsecutive, let last = merged.indices.last, merged[last].speaker == turn.speaker {
                // In place: a copy of the last turn shared its text, which each cue then copied whole.
                merged[last].text += " " + text
                merged[last].end = turn.end ?? merged[last].end
            } else {
                merged.append(
                    SpokenTurn(
                        speaker: turn.speaker, text: text, start: turn.start, end: turn.end, roleHint: turn.roleHint))
            }
        }
        var text = ""
        var offset = 0
        var turns: [Turn] = []
        for (number, turn) in merged.enumerated() {
            if number > 0 {
                text += "\n"
                offset += 1
            }
            let label = turn.speaker.isEmpty ? "" : turn.speaker + ": "
            text += label
            offset += label.scalarCount
            let length = turn.text.scalarCount
            let byteStart = text.utf8.count
            text += turn.text
            turns.append(
                Turn(
                    label: turn.speaker.isEmpty ? nil : turn.speaker,
                    range: ScalarRange(start: offset, end: offset + length), start: turn.start, end: turn.end,
                    roleHint: turn.roleHint, labelIsStructural: true, utf8Range: byteStart..<text.utf8.count))
            offset += length
        }
        self.text = text
        self.turns = turns
    }

    init(text: String, turns: [Turn], notes: [String] = []) {
        self.text = text
        self.turns = turns
        self.notes = notes
    }
}
