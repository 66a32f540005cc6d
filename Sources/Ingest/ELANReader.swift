import Corpus
import Foundation

/// Reads ELAN `.eaf` annotation documents: one tier per speaker, turns interleaved by time.
///
/// Only independent, time-aligned tiers are speech; dependent tiers (`PARENT_REF`:
/// translations, glosses) are left out. A time slot without a value takes the value of the
/// nearest earlier slot, as ELAN orders unaligned slots. The speaker is the tier's
/// `PARTICIPANT`, or its `TIER_ID` when that is empty; a tier without a participant whose id or
/// type names comments, notes or translations ("Comments", "transcriber notes") is not a
/// speaker's words but the transcriber's: its turns are of role other, out of participants' counts.
struct ELANReader: TranscriptReader {
    func turns(of data: Data, file: String) throws -> [SpokenTurn] {
        try XMLPullReader.read(data, file: file) { reader in
            let slot = reader.intern("TIME_SLOT")
            let tier = reader.intern("TIER")
            let alignable = reader.intern("ALIGNABLE_ANNOTATION")
            let value = reader.intern("ANNOTATION_VALUE")

            var slotOrder: [String] = []
            var slotValues: [String: Double] = [:]
            struct Annotation {
                var speaker: String
                var role: SpeakerRole?
                var text: String
                var startSlot: String
                var endSlot: String
                var order: Int
            }
            var annotations: [Annotation] = []
            var speaker: (name: String, role: SpeakerRole?)?
            while try reader.next() {
                guard reader.kind == .element else { continue }
                if reader.isNamed(slot), let id = reader.attribute("TIME_SLOT_ID") {
                    slotOrder.append(id)
                    if let milliseconds = reader.attribute("TIME_VALUE").flatMap(Double.init) {
                        slotValues[id] = milliseconds / 1000
                    }
                } else if reader.isNamed(tier) {
                    if reader.attribute("PARENT_REF") != nil {
                        speaker = nil
                        try reader.skipElement()
                    } else {
                        let participant = reader.attribute("PARTICIPANT")?.trimmingWhitespace() ?? ""
                        if participant.isEmpty {
                            let id = reader.attribute("TIER_ID") ?? ""
                            let type = reader.attribute("LINGUISTIC_TYPE_REF") ?? ""
                            speaker = (id, Self.isTranscribers(id) || Self.isTranscribers(type) ? .other : nil)
                        } else {
                            speaker = (participant, nil)
                        }
                    }
                } else if reader.isNamed(alignable), let speaker {
                    let start = reader.attribute("TIME_SLOT_REF1") ?? ""
                    let end = reader.attribute("TIME_SLOT_REF2") ?? ""
                    var text = ""
                    let depth = reader.depth
                    while try reader.next() {
                        if reader.kind == .endElement && reader.depth == depth { break }
                        if reader.kind == .element && reader.isNamed(value) { text += try reader.readText() }
                    }
                    annotations.append(
                        Annotation(
                            speaker: speaker.name, role: speaker.role, text: text, startSlot: start, endSlot: end,
                            order: annotations.count))
                }
            }
            // Unaligned slots take the last known earlier value.
            var resolved: [String: Double] = [:]
            var last = 0.0
            for id in slotOrder {
                if let known = slotValues[id] { last = known }
                resolved[id] = last
            }
            let sorted = annotations.sorted {
                let left = resolved[$0.startSlot] ?? 0
                let right = resolved[$1.startSlot] ?? 0
                return left == right ? $0.order < $1.order : left < right
            }
            return sorted.map {
                SpokenTurn(
                    speaker: $0.speaker, text: $0.text, start: resolved[$0.startSlot], end: resolved[$0.endSlot],
                    roleHint: $0.role)
            }
        }
    }

    /// Whether a tier's id or type names the transcriber's comments, notes or translations:
    /// a word of it starts with one of those (`Comments`, `transcriber-notes`, `English_transl`).
    static func isTranscribers(_ name: String) -> Bool {
        name.lowercased().split { !$0.isLetter }.contains { word in
            ["comment", "note", "memo", "remark", "transl", "gloss"].contains { word.hasPrefix($0) }
        }
    }
}

extension ELANReader {
    func read(_ data: Data, file: String) throws -> TranscriptSource {
        .turns(try turns(of: data, file: file))
    }
}
