import Foundation

/// Reads Transcriber `.trs` files: `<Turn speaker="spk1">` with names from `<Speakers>`.
///
/// An overlapping turn (`speaker="spk1 spk2"`) is split at its `<Who nb="N"/>` markers into one
/// turn per speaker. `Sync`, `Event`, `Comment` and `Background` are markup, not speech.
struct TranscriberReader: TranscriptReader {
    func turns(of data: Data, file: String) throws -> [SpokenTurn] {
        try XMLPullReader.read(data, file: file) { reader in
            let speakerElement = reader.intern("Speaker")
            let turnElement = reader.intern("Turn")
            let who = reader.intern("Who")
            let comment = reader.intern("Comment")
            var names: [String: String] = [:]
            var turns: [SpokenTurn] = []
            while try reader.next() {
                guard reader.kind == .element else { continue }
                if reader.isNamed(speakerElement), let id = reader.attribute("id") {
                    let name = reader.attribute("name")?.trimmingWhitespace() ?? ""
                    names[id] = name.isEmpty ? id : name
                } else if reader.isNamed(turnElement) {
                    let ids = (reader.attribute("speaker") ?? "").split(separator: " ").map(String.init)
                    let start = reader.attribute("startTime").flatMap(Double.init)
                    let end = reader.attribute("endTime").flatMap(Double.init)
                    var parts = Array(repeating: "", count: max(ids.count, 1))
                    var current = 0
                    if !reader.isEmptyElement {
                        let depth = reader.depth
                        while try reader.next() {
                            if reader.kind == .endElement && reader.depth == depth { break }
                            switch reader.kind {
                            case .element where reader.isNamed(who):
                                let number = reader.attribute("nb").flatMap(Int.init) ?? 1
                                current = min(max(number - 1, 0), parts.count - 1)
                            case .element where reader.isNamed(comment):
                                try reader.skipElement()
                            case .text, .cdata, .whitespace, .significantWhitespace:
                                parts[current] += reader.value
                            default:
                                break
                            }
                        }
                    }
                    for (index, part) in parts.enumerated() {
                        let id = index < ids.count ? ids[index] : ""
                        turns.append(SpokenTurn(speaker: names[id] ?? id, text: part, start: start, end: end))
                    }
                }
            }
            return turns
        }
    }
}

extension TranscriberReader {
    func read(_ data: Data, file: String) throws -> TranscriptSource {
        .turns(try turns(of: data, file: file))
    }
}
