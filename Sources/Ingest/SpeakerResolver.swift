import Corpus

/// Gives every turn of a draft a role and, where it can, a participant from `participants.csv`.
///
/// Order of evidence: an explicit role for the label; an interviewer, participant or other
/// label; a label naming a participant (`P3`, `Participant 3`, or an id in the table); the
/// format's own role; and last, for transcripts whose speakers are only names, the speaker who
/// asks most questions is taken for the interviewer (and a note says so). A participant turn
/// whose label names nobody is attributed to the participant the table assigns to the file.
struct SpeakerResolver {
    let labels: SpeakerLabels
    let participants: ParticipantIndex

    func resolve(_ draft: TranscriptDraft, id: String, source: String, format: TranscriptFormat) -> Document {
        let (draft, numbering) = withTurnNumbersDropped(draft)
        var notes = draft.notes
        if let numbering { notes.append(numbering) }
        let fileName = source.split(separator: "/").last.map(String.init) ?? source
        let documentParticipant = participants.participant(forDocument: fileName)

        // Resolve each distinct label once.
        var order: [String] = []
        var resolved: [String: Speaker] = [:]
        var unresolvedNames: [String] = []
        for turn in draft.turns {
            let label = turn.label ?? ""
            guard resolved[label] == nil, !unresolvedNames.contains(label) else { continue }
            order.append(label)
            if let speaker = speaker(for: label, hint: turn.roleHint) {
                resolved[label] = speaker
            } else {
                unresolvedNames.append(label)
            }
        }

        // Named speakers with no rule: when no label marks an interviewer, the named speaker who
        // asks most questions is taken for one (in a two-person interview, the one who asks).
        let hasInterviewer = resolved.values.contains { $0.role == .interviewer }
        let named = unresolvedNames.filter { !$0.isEmpty }
        let speakerCount = order.filter { !$0.isEmpty }.count
        var interviewer: String?
        if !named.isEmpty, !hasInterviewer, speakerCount >= 2 {
            let ranked = named.map { ($0, questionShare(of: $0, in: draft)) }.sorted { $0.1 > $1.1 }
            if ranked[0].1 > 0, ranked.count == 1 || ranked[0].1 > ranked[1].1 {
                interviewer = ranked[0].0
                notes.append(
                    "no interviewer label found; \"\(ranked[0].0)\" asks the most questions and is taken "
                        + "for the interviewer (to say otherwise: \(Self.rolesHint(ranked[0].0, .participant)) in the pipeline)"
                )
            }
        }
        for name in unresolvedNames {
            let role: SpeakerRole = name.isEmpty ? .other : name == interviewer ? .interviewer : .participant
            resolved[name] = Speaker(label: name, role: role, participantID: nil)
        }

        // A document whose turns carry no label at all is one participant's monologue, if the
        // table assigns the file to someone.
        if draft.turns.allSatisfy({ $0.label == nil }), !draft.turns.isEmpty {
            if let owner = documentParticipant {
                notes.append(
                    "no speaker labels found; the whole text is taken as \(owner.id)'s words ("
                        + (participants.table.documentColumn == nil
                            ? "the file is named by their id)" : "the participants file gives them this file)"))
                resolved[""] = Speaker(label: "", role: .participant, participantID: owner.id)
            } else {
                notes.append("no speaker labels found; the text is kept as unlabelled turns")
            }
        }

        // Participant speakers without an id get the file's participant when there is exactly one.
        let anonymous = order.filter { label in
            guard let speaker = resolved[label] else { return false }
            return speaker.role == .participant && speaker.participantID == nil
        }
        if let owner = documentParticipant {
            if anonymous.count == 1 {
                resolved[anonymous[0]]?.participantID = owner.id
            } else if anonymous.count > 1 {
                notes.append(
                    "\(anonymous.count) participant speakers without an id (\(anonymous.joined(separator: ", "))); "
                        + "none is attributed to \(owner.id) (name the interviewer in the pipeline, as "
                        + "\(Self.rolesHint(anonymous[0], .interviewer)))")
            }
        } else if !anonymous.isEmpty, !participants.table.participants.isEmpty {
            // With a participants file, such turns count in no participant's group ("(none)"):
            // said, since a typo in the transcript column otherwise hides it.
            let named = anonymous.map { "\"\($0)\"" }.joined(separator: ", ")
            notes.append(
                "participant turns of \(named) are no participant's, their words in no attribute's group: "
                    + (participants.table.documentColumn.map {
                        "no row of the participants file names \(fileName) in its \($0) column"
                    } ?? "the participants file has no column naming transcripts")
                    + " (name the file there, or label the turns with an id, as P3:)")
        }

        // Turn texts cut by the UTF-8 offsets the draft's builder counted (walking the scalar
        // view for every turn was a tenth of reading a Word file; indexing the whole text by
        // scalars to cut it, a fortieth).
        var segments: [Segment] = []
        segments.reserveCapacity(draft.turns.count)
        // A transcript usually has a few speakers: comparing its few (short) labels is cheaper
        // than hashing one per turn; many are looked up by hash.
        let fewSpeakers = resolved.count <= 16 ? Array(resolved) : nil
        for turn in draft.turns {
            let label = turn.label ?? ""
            let found = fewSpeakers.map { few in few.first { $0.key == label }?.value } ?? resolved[label]
            let speaker = found ?? Speaker(label: "", role: .other, participantID: nil)
            segments.append(
                Segment(
                    index: segments.count, speaker: speaker.label, role: speaker.role,
                    participantID: speaker.participantID, text: draft.text.utf8Slice(turn.utf8Range),
                    range: turn.range, start: turn.start, end: turn.end))
        }
        let speakers = order.compactMap { resolved[$0] }
        return Document(
            id: id, source: source, format: format, text: draft.text, segments: segments, speakers: speakers,
            notes: notes)
    }

    /// Where a pipeline gives a speaker their role, with `name` as the example: notes on guessed
    /// roles say how to set them.
    static func rolesHint(_ name: String, _ role: SpeakerRole) -> String {
        "inputs: speakers: roles: {\"\(name)\": \(role.rawValue)}"
    }

    /// The speaker a label names by rule, or nil when only heuristics can tell.
    func speaker(for label: String, hint: SpeakerRole?) -> Speaker? {
        guard !label.isEmpty else { return nil }
        let key = SpeakerLabels.key(label)
        let tableID = participants.canonicalID(for: label)
        if let role = labels.speakerRoles.first(where: { SpeakerLabels.key($0.key) == key })?.value {
            return Speaker(label: label, role: role, participantID: role == .participant ? tableID : nil)
        }
        if labels.interviewerLabels.contains(where: { SpeakerLabels.key($0) == key }) {
            return Speaker(label: label, role: .interviewer, participantID: nil)
        }
        if labels.otherLabels.contains(where: { SpeakerLabels.key($0) == key }) {
            return Speaker(label: label, role: .other, participantID: nil)
        }
        if let tableID {
            return Speaker(label: label, role: .participant, participantID: tableID)
        }
        if let number = SpeakerLabels.participantNumber(in: label) {
            let id = participants.canonicalID(for: "P\(number)") ?? "P\(number)"
            return Speaker(label: label, role: .participant, participantID: id)
        }
        if labels.participantLabels.contains(where: { SpeakerLabels.key($0) == key }) {
            return Speaker(label: label, role: .participant, participantID: nil)
        }
        // `Jane Smith (Interviewer)`, `Ade Bello (P3)`: what the qualifier says, else the name.
        if let (name, qualifier, _) = SpeakerLabels.qualified(label),
            let speaker = speaker(for: qualifier, hint: nil) ?? speaker(for: name, hint: nil)
        {
            return Speaker(label: label, role: speaker.role, participantID: speaker.participantID)
        }
        // `Q1`, `R2`: the role of the label without its number.
        if let (base, _) = SpeakerLabels.numbered(label), let speaker = speaker(for: base, hint: nil),
            speaker.participantID == nil
        {
            return Speaker(label: label, role: speaker.role, participantID: nil)
        }
        if let hint {
            return Speaker(label: label, role: hint, participantID: nil)
        }
        return nil
    }

    /// The draft with numbers that count turns taken off their labels: when two or more
    /// labels of one base (`Q1`, `Q2`, `Q3`) each head a single turn, they number questions
    /// or answers, not speakers, and each turn is the base's (`Q`). A number that heads several
    /// turns (`R1`, `R2` in a focus group) names a speaker and stays. The note says which.
    func withTurnNumbersDropped(_ draft: TranscriptDraft) -> (TranscriptDraft, String?) {
        // Turns per distinct label, then the rules once a label: a transcript has a few labels
        // and thousands of turns (run per turn, they were a fifth of `tmine extract`).
        var turnCounts = LabelTally<Int>()
        for turn in draft.turns {
            guard let label = turn.label else { continue }
            turnCounts[turnCounts.position(of: label) { _ in 0 }] += 1
        }
        var groups: [String: (base: String, labels: [String: Int])] = [:]
        for (label, turns) in turnCounts.entries {
            guard let (base, _) = SpeakerLabels.numbered(label), SpeakerLabels.participantNumber(in: label) == nil,
                speaker(for: base, hint: nil) != nil
            else { continue }
            groups[SpeakerLabels.key(base), default: (base, [:])].labels[label] = turns
        }
        let dropped = groups.values.filter { $0.labels.count >= 2 && $0.labels.values.allSatisfy { $0 == 1 } }
        guard !dropped.isEmpty else { return (draft, nil) }
        var bases: [String: String] = [:]
        for group in dropped {
            for label in group.labels.keys { bases[label] = group.base }
        }
        var result = draft
        var described: [String] = []
        for index in result.turns.indices {
            guard let label = result.turns[index].label, let base = bases[label] else { continue }
            result.turns[index].label = base
            if !described.contains(base) { described.append(base) }
        }
        let names = described.map { base in
            let numbers = dropped.first { $0.base == base }?.labels.keys.compactMap {
                SpeakerLabels.numbered($0)?.number
            }
            return "\(base)\(numbers?.min() ?? 0)–\(base)\(numbers?.max() ?? 0) as \"\(base)\""
        }
        return (
            result,
            "numbered labels that each head one turn are read as numbered questions or answers, not speakers: "
                + names.joined(separator: ", ")
        )
    }

    private func questionShare(of label: String, in draft: TranscriptDraft) -> Double {
        let scalars = Array(draft.text.unicodeScalars)
        var turns = 0
        var questions = 0
        for turn in draft.turns where turn.label == label {
            turns += 1
            if scalars[turn.range.start..<turn.range.end].contains(where: { $0 == "?" || $0 == "\u{FF1F}" }) {
                questions += 1
            }
        }
        return turns == 0 ? 0 : Double(questions) / Double(turns)
    }
}
