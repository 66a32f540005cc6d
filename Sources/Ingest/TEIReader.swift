import Corpus
import Foundation

/// Reads TEI spoken-language transcripts (`<u who="#P3">`), the TEI guidelines' chapter 8.
///
/// Speakers come from `particDesc/person` (`xml:id`, `role`); an utterance's start time from its
/// `start` attribute pointing at a `timeline/when`. Editorial and non-verbal content (`note`,
/// `desc`, `incident`, `vocal`, `kinesic`, `pause`, `gap`) is not speech and is left out; of a
/// `<choice>`, the corrected, regularised or expanded form is read (`corr`, `reg`, `expan`, not
/// `sic`, `orig`, `abbr`), as a search for the word expects; segments and line breaks part words.
struct TEIReader: TranscriptReader {
    func turns(of data: Data, file: String) throws -> [SpokenTurn] {
        try XMLPullReader.read(data, file: file) { reader in
            let u = reader.intern("u")
            let person = reader.intern("person")
            let when = reader.intern("when")
            let rules = XMLPullReader.TextRules(
                skipped: ["note", "desc", "incident", "vocal", "kinesic", "pause", "gap"].map(reader.intern),
                boundaries: ["seg", "s", "lb", "p", "ab", "cl", "phr"].map(reader.intern),
                choice: reader.intern("choice"), notChosen: ["sic", "orig", "abbr"].map(reader.intern))

            var roles: [String: SpeakerRole] = [:]
            var times: [String: Double] = [:]
            var pending: [(turn: SpokenTurn, startRef: String?)] = []
            while try reader.next() {
                guard reader.kind == .element else { continue }
                if reader.isNamed(u) {
                    let who = (reader.attribute("who") ?? "").split(separator: " ").first.map(String.init) ?? ""
                    let speaker = who.hasPrefix("#") ? String(who.dropFirst()) : who
                    let startRef = reader.attribute("start").map { $0.hasPrefix("#") ? String($0.dropFirst()) : $0 }
                    let text = try reader.readText(rules)
                    pending.append((SpokenTurn(speaker: speaker, text: text), startRef))
                } else if reader.isNamed(person) {
                    if let id = reader.attribute("xml:id"), let role = reader.attribute("role") {
                        roles[id] = Self.role(from: role)
                    }
                } else if reader.isNamed(when), let id = reader.attribute("xml:id") {
                    if let absolute = reader.attribute("absolute"),
                        let seconds = parseClock(Array(absolute.unicodeScalars))
                    {
                        times[id] = seconds
                    } else if let interval = reader.attribute("interval"), let seconds = Double(interval) {
                        times[id] = seconds
                    }
                }
            }
            return pending.map { entry in
                var turn = entry.turn
                turn.roleHint = roles[turn.speaker]
                turn.start = entry.startRef.flatMap { times[$0] }
                return turn
            }
        }
    }

    static func role(from text: String) -> SpeakerRole? {
        let lowered = text.lowercased()
        if lowered.contains("interviewer") || lowered.contains("moderator") { return .interviewer }
        if lowered.contains("interviewee") || lowered.contains("participant") || lowered.contains("respondent") {
            return .participant
        }
        return nil
    }
}

extension TEIReader {
    func read(_ data: Data, file: String) throws -> TranscriptSource {
        .turns(try turns(of: data, file: file))
    }
}
