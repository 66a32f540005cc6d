import Corpus
import Foundation
import Testing

@testable import Ingest

@Suite struct LineSegmenterTests {
    struct LabelCase: Sendable, CustomTestStringConvertible {
        var line: String
        var speaker: String
        var role: SpeakerRole
        var participant: String?
        var text: String
        var start: Double?
        var testDescription: String { line }
    }

    @Test func asciiNameScalarsAreTheirProperties() {
        // What a name is made of, and how it may start, told by value for ASCII: the same as the
        // Unicode properties say, for every ASCII scalar.
        for value in UInt8(0)..<0x80 {
            let scalar = Unicode.Scalar(value)
            let byProperties =
                scalar.properties.isAlphabetic || scalar.properties.generalCategory == .nonspacingMark
                || scalar == "." || scalar == "'" || scalar == "-"
            #expect(SpeakerLabels.isNameScalar(scalar) == byProperties, "U+\(String(value, radix: 16))")
            let name = String(scalar) + "ane"
            let startsAsProperties =
                scalar.properties.isUppercase && "ane".unicodeScalars.allSatisfy { $0.properties.isAlphabetic }
            #expect(SpeakerLabels.looksLikeName(name) == startsAsProperties, "U+\(String(value, radix: 16))")
            #expect(SpeakerLabels.looksLikeName(name, caseless: true) == startsAsProperties)
        }
        #expect(SpeakerLabels.looksLikeName("Zoë O’Neill-Smith"))
        #expect(SpeakerLabels.looksLikeName("Émile"))
        #expect(SpeakerLabels.looksLikeName("李明", caseless: true))
        #expect(!SpeakerLabels.looksLikeName("李明"))
        #expect(!SpeakerLabels.looksLikeName("Jane_Smith"))
    }

    @Test(arguments: [
        LabelCase(line: "Interviewer: How?", speaker: "Interviewer", role: .interviewer, text: "How?"),
        LabelCase(line: "I: How?", speaker: "I", role: .interviewer, text: "How?"),
        LabelCase(line: "Q: How?", speaker: "Q", role: .interviewer, text: "How?"),
        LabelCase(line: "Int: How?", speaker: "Int", role: .interviewer, text: "How?"),
        LabelCase(line: "Int.: How?", speaker: "Int.", role: .interviewer, text: "How?"),
        LabelCase(
            line: "Participant 3: Fine.", speaker: "Participant 3", role: .participant, participant: "P3", text: "Fine."
        ),
        LabelCase(line: "P3: Fine.", speaker: "P3", role: .participant, participant: "P3", text: "Fine."),
        LabelCase(line: "P03: Fine.", speaker: "P03", role: .participant, participant: "P3", text: "Fine."),
        LabelCase(line: "R: Fine.", speaker: "R", role: .participant, text: "Fine."),
        LabelCase(line: "Respondent: Fine.", speaker: "Respondent", role: .participant, text: "Fine."),
        LabelCase(
            line: "[00:01:23] P3: Fine.", speaker: "P3", role: .participant, participant: "P3", text: "Fine.", start: 83
        ),
        LabelCase(
            line: "00:01:23 Interviewer: How?", speaker: "Interviewer", role: .interviewer, text: "How?", start: 83),
        LabelCase(
            line: "(01:05) P2 - no, wait: P2: Fine.", speaker: "", role: .other, text: "P2 - no, wait: P2: Fine.",
            start: 65),
        LabelCase(
            line: "Interviewer\tTabbed question?", speaker: "Interviewer", role: .interviewer, text: "Tabbed question?"),
        // A time between label and colon (Rev, Trint): the turn's start, not part of the label.
        LabelCase(
            line: "Interviewer (00:01:23): How?", speaker: "Interviewer", role: .interviewer, text: "How?", start: 83),
        LabelCase(
            line: "P3 [01:05]: Fine.", speaker: "P3", role: .participant, participant: "P3", text: "Fine.", start: 65),
        LabelCase(line: "P3 (see 01:05): Fine.", speaker: "", role: .other, text: "P3 (see 01:05): Fine."),
        LabelCase(line: "see it (01:05): fine.", speaker: "", role: .other, text: "see it (01:05): fine."),
        // A known label in brackets; a bracketed note is not a label.
        LabelCase(line: "[Interviewer] How?", speaker: "Interviewer", role: .interviewer, text: "How?"),
        LabelCase(line: "(P3): Fine.", speaker: "P3", role: .participant, participant: "P3", text: "Fine."),
        LabelCase(
            line: "[00:00:07] [P3] Fine.", speaker: "P3", role: .participant, participant: "P3", text: "Fine.",
            start: 7),
        LabelCase(line: "[Laughs] Yes.", speaker: "", role: .other, text: "[Laughs] Yes."),
        // Markdown emphasis (note and chat apps' exports) is a bold label, as in Word.
        LabelCase(line: "**Interviewer:** How?", speaker: "Interviewer", role: .interviewer, text: "How?"),
        LabelCase(line: "**P3**: Fine.", speaker: "P3", role: .participant, participant: "P3", text: "Fine."),
        LabelCase(line: "__Jane Smith:__ Fine.", speaker: "Jane Smith", role: .participant, text: "Fine."),
        LabelCase(
            line: "**Important** point: not a label.", speaker: "", role: .other,
            text: "**Important** point: not a label."),
        LabelCase(line: "[00:00:07] **bold** words", speaker: "", role: .other, text: "**bold** words", start: 7),
        LabelCase(line: "We met (01:05): fine.", speaker: "", role: .other, text: "We met (01:05): fine."),
        // A name with a role or id in parentheses, or after a comma when the role is a label.
        LabelCase(
            line: "Jane Smith (Interviewer): How?", speaker: "Jane Smith (Interviewer)", role: .interviewer,
            text: "How?"),
        LabelCase(
            line: "Dr Ade Bello (P3): Fine.", speaker: "Dr Ade Bello (P3)", role: .participant, participant: "P3",
            text: "Fine."),
        LabelCase(line: "INTERVIEWER (JS): How?", speaker: "INTERVIEWER (JS)", role: .interviewer, text: "How?"),
        LabelCase(
            line: "Jane Smith, interviewer: How?", speaker: "Jane Smith, interviewer", role: .interviewer,
            text: "How?"),
        LabelCase(line: "Well, you know: fine.", speaker: "", role: .other, text: "Well, you know: fine."),
        LabelCase(line: "Jane Smith (Host): How?", speaker: "Jane Smith (Host)", role: .interviewer, text: "How?"),
        LabelCase(line: "Researcher: How?", speaker: "Researcher", role: .interviewer, text: "How?"),
        LabelCase(line: "Participant: Fine.", speaker: "Participant", role: .participant, text: "Fine."),
        LabelCase(line: "Well (laughs): fine.", speaker: "", role: .other, text: "Well (laughs): fine."),
        // A full-width colon (Chinese and Japanese text), no blank after it.
        LabelCase(line: "Interviewer\u{FF1A}How?", speaker: "Interviewer", role: .interviewer, text: "How?"),
        // A list or quotation marker before the label (Markdown notes, caption services).
        LabelCase(line: "- P3: Fine.", speaker: "P3", role: .participant, participant: "P3", text: "Fine."),
        LabelCase(line: "\u{2022} Interviewer: How?", speaker: "Interviewer", role: .interviewer, text: "How?"),
        LabelCase(line: ">> P3: Fine.", speaker: "P3", role: .participant, participant: "P3", text: "Fine."),
        LabelCase(line: "* **Interviewer:** How?", speaker: "Interviewer", role: .interviewer, text: "How?"),
        LabelCase(line: "- well: fine.", speaker: "", role: .other, text: "- well: fine."),
        // A list's number before a known label; before anything else it starts a numbered point.
        LabelCase(line: "1. Interviewer: How?", speaker: "Interviewer", role: .interviewer, text: "How?"),
        LabelCase(line: "12) P3: Fine.", speaker: "P3", role: .participant, participant: "P3", text: "Fine."),
        LabelCase(line: "1. First: the rota.", speaker: "", role: .other, text: "1. First: the rota."),
        LabelCase(line: "1. **Jane Smith:** How?", speaker: "", role: .other, text: "1. **Jane Smith:** How?"),
        // A known label with a number: a numbered question, or one of several respondents.
        LabelCase(line: "Q1: How?", speaker: "Q1", role: .interviewer, text: "How?"),
        LabelCase(line: "Q 12: How?", speaker: "Q 12", role: .interviewer, text: "How?"),
        LabelCase(line: "R2: Fine.", speaker: "R2", role: .participant, text: "Fine."),
        LabelCase(line: "[Int 2] How?", speaker: "Int 2", role: .interviewer, text: "How?"),
        LabelCase(line: "B2: Fine.", speaker: "", role: .other, text: "B2: Fine."),
        LabelCase(line: "Q1234: How?", speaker: "", role: .other, text: "Q1234: How?"),
        // Labels after non-ASCII text and non-ASCII labels, read from the line's first scalars.
        LabelCase(
            line: "\u{A0}[00:00:07] –\u{A0}P3:\u{A0}Ça va. 👩🏽‍⚕️", speaker: "P3", role: .participant, participant: "P3",
            text: "Ça va. 👩🏽‍⚕️", start: 7),
        LabelCase(line: "Интервьюер: Как?", speaker: "", role: .other, text: "Интервьюер: Как?"),
        LabelCase(
            line: "[00:00:09] " + String(repeating: "é", count: 100), speaker: "", role: .other,
            text: String(repeating: "é", count: 100), start: 9),
    ])
    func labelsAtLineStartBecomeSpeakers(_ example: LabelCase) throws {
        let table = ParticipantTable(
            attributeNames: [], participants: [Participant(id: "P3", attributes: [:])])
        let document = try read(example.line, participants: table)
        let segment = try #require(document.segments.first)
        #expect(segment.speaker == example.speaker)
        #expect(segment.role == example.role)
        #expect(segment.participantID == example.participant)
        #expect(segment.text == example.text)
        #expect(segment.start == example.start)
    }

    @Test(arguments: [3, 40])
    func everyTurnKeepsItsOwnSpeakerHoweverManySpeakersThereAre(_ speakers: Int) throws {
        // A few speakers are found by comparing labels, many by hash: both give each turn its own.
        let numbers = (0..<120).map { 1 + ($0 * 7) % speakers }
        let document = try read(numbers.map { "P\($0): turn of \($0)." }.joined(separator: "\n"))
        #expect(document.segments.map(\.speaker) == numbers.map { "P\($0)" })
        #expect(document.segments.map(\.participantID) == numbers.map { "P\($0)" })
        #expect(document.segments.map(\.text) == numbers.map { "turn of \($0)." })
    }

    @Test func linesWithoutALabelContinueTheTurn() throws {
        let document = try read("Interviewer: First?\nP1: One.\nTwo.\n\nThree.\nInterviewer: Next?")
        #expect(document.turns.map(\.1) == ["First?", "One.\nTwo.\n\nThree.", "Next?"])
        #expect(document.rangesAreExact())
    }

    @Test func teamsHeaderLinesCarryTheSpeakerAndTime() throws {
        let document = try read(
            "Helen Carter   0:03\nHow did you start?\n\nP6   0:15\nIn my spare time.\nEvenings mostly.\nHelen Carter 00:01:02\nThanks."
        )
        #expect(document.turns.map(\.0) == ["Helen Carter", "P6", "Helen Carter"])
        #expect(document.segments[1].text == "In my spare time.\nEvenings mostly.")
        #expect(document.segments[1].start == 15)
        #expect(document.segments[2].start == 62)
        #expect(!document.segments.contains { $0.text.contains("0:03") })
    }

    @Test func aNameLabelMustRecurUnlessBold() throws {
        let once = try read("Interviewer: Hi.\nP1: Hello.\nNote: the line dropped.")
        #expect(once.turns.map(\.0) == ["Interviewer", "P1"])
        let recurring = try read("Jane Smith: Tell me?\nDr Ade Bello: Yes.\nJane Smith: More?\nDr Ade Bello: No.")
        #expect(recurring.turns.map(\.0) == ["Jane Smith", "Dr Ade Bello", "Jane Smith", "Dr Ade Bello"])
        #expect(recurring.segments[0].role == .interviewer)
        #expect(recurring.notes.contains { $0.contains("Jane Smith") })
    }

    @Test func urlsAndClockTimesInTextAreNotLabels() throws {
        let document = try read("P1: See this.\nhttps://example.org/a was the link.\nWe met at 10:30pm that day.")
        #expect(document.segments.count == 1)
        #expect(document.segments[0].text.hasSuffix("that day."))
    }

    @Test func timestampOnlyLinesStartANewSegmentOfTheSameSpeaker() throws {
        let document = try read("P1: Before.\n[00:02:00]\nAfter the pause.")
        #expect(document.turns.map(\.0) == ["P1", "P1"])
        #expect(document.segments[1].start == 120)
        #expect(document.segments[1].text == "After the pause.")
    }

    @Test func configuredPatternsAndRolesWin() throws {
        var labels = SpeakerLabels(
            speakerRoles: ["Dr Lee": .interviewer], patterns: [#"^SPEAKER (?<label>\d+) \((?<time>[0-9:]+)\):"#])
        labels.participantLabels.append("Doctor")
        let document = try read("SPEAKER 1 (00:10): Hello.\nDr Lee: And you?\nDoctor: Me.", labels: labels)
        #expect(document.turns.map(\.0) == ["1", "Dr Lee", "Doctor"])
        #expect(document.segments[0].start == 10)
        #expect(document.segments[1].role == .interviewer)
        #expect(document.segments[2].role == .participant)
    }

    @Test func invalidLabelPatternIsAConfigurationError() throws {
        #expect(throws: IngestError.self) {
            try Ingestor(options: IngestOptions(labels: SpeakerLabels(patterns: ["(unclosed"])))
        }
    }

    @Test func unlabelledTextIsOneTurnOfTheFilesParticipant() throws {
        let table = ParticipantTable(
            attributeNames: ["file"], participants: [Participant(id: "P5", attributes: ["file": "memo.txt"])],
            documentColumn: "file")
        let document = try read("I was trained as a GP.\nThen I moved.", name: "memo.txt", participants: table)
        #expect(document.segments.count == 1)
        #expect(document.segments[0].participantID == "P5")
        #expect(document.notes.contains { $0.contains("no speaker labels") })
    }

    /// Participant turns no row of the participants file claims (a label without an id, a file
    /// the transcript column misspells) are said to be no participant's; the file the column
    /// names gets its participant, and without a participants file nothing is said.
    @Test func participantTurnsNoRowClaimsAreNoted() throws {
        let table = ParticipantTable(
            attributeNames: ["role", "file"],
            participants: [
                Participant(id: "P1", attributes: ["role": "GP", "file": "anna.txt"]),
                Participant(id: "P2", attributes: ["role": "Surgeon", "file": "benn.txt"]),
            ], documentColumn: "file")
        let text = "Interviewer: Any hype?\nRespondent: No time for hype.\n"
        let claimed = try read(text, name: "anna.txt", participants: table)
        #expect(claimed.segments[1].participantID == "P1" && claimed.notes.isEmpty)
        let misspelt = try read(text, name: "ben.txt", participants: table)
        #expect(misspelt.segments[1].participantID == nil)
        #expect(
            misspelt.notes == [
                "participant turns of \"Respondent\" are no participant's, their words in no attribute's group: "
                    + "no row of the participants file names ben.txt in its file column "
                    + "(name the file there, or label the turns with an id, as P3:)"
            ])
        #expect(try read(text, name: "ben.txt").notes.isEmpty)
        let labelled = try read("Interviewer: Any hype?\nP2: No time for hype.\n", name: "ben.txt", participants: table)
        #expect(labelled.segments[1].participantID == "P2" && labelled.notes.isEmpty)
    }
}

/// Speakers named alone on a line above their words: after a cue's timing (older Teams
/// transcripts), in bold (a Word layout), or a known label without its colon. Each of these made
/// the whole transcript one unlabelled turn (the timing's end read as text, "-> 0:0:5.3 Jane
/// Smith Hello").
@Suite struct NameLineTranscriptTests {
    static let teams = """
        0:0:0.0 --> 0:0:5.320
        Alice Smith
        How did you get into AI?

        0:0:5.320 --> 0:0:9.100
        Bob Jones
        By accident.
        Then on purpose.

        0:0:9.100 --> 0:0:12.0
        Alice Smith
        Tell me more?

        0:0:12.0 --> 0:0:15.0
        Bob Jones
        A working group.

        0:0:15.0 --> 0:0:16.0
        Yes
        """

    @Test func aNameAfterACueTimingStartsTheTurnAtThatTime() throws {
        let document = try read(Self.teams, name: "teams.txt")
        #expect(document.turns.map(\.0) == ["Alice Smith", "Bob Jones", "Alice Smith", "Bob Jones", "Bob Jones"])
        #expect(
            document.segments.map(\.text) == [
                "How did you get into AI?", "By accident.\nThen on purpose.", "Tell me more?", "A working group.",
                "Yes",
            ])
        #expect(document.segments.map(\.start) == [0, 5.32, 9.1, 12, 15])
        #expect(document.segments[0].role == .interviewer)
        #expect(document.rangesAreExact())
    }

    /// A bold name alone in its paragraph, the words in the next; a bold heading that heads no
    /// second turn stays text.
    @Test func aBoldNameAloneInItsParagraphStartsATurn() throws {
        let body = [
            Fixture.paragraph("Background", boldFirst: true), Fixture.paragraph("Recorded in May."),
            Fixture.paragraph("Interviewer", boldFirst: true), Fixture.paragraph("How did you start?"),
            Fixture.paragraph("Dr Jane Smith", boldFirst: true), Fixture.paragraph("By accident."),
            Fixture.paragraph("Interviewer", boldFirst: true), Fixture.paragraph("And then?"),
            Fixture.paragraph("Dr Jane Smith", boldFirst: true), Fixture.paragraph("A working group."),
        ].joined()
        let document = try Ingestor().read(data: Fixture.docx(body: body), source: "bold-names.docx")
        #expect(document.turns.map(\.0) == ["", "Interviewer", "Dr Jane Smith", "Interviewer", "Dr Jane Smith"])
        #expect(document.segments.first?.text == "Background\nRecorded in May.")
        #expect(document.segments.last?.text == "A working group.")
        #expect(document.segments[2].role == .participant)
        #expect(document.rangesAreExact())
    }

    /// In plain text, a known label alone on its line names the speaker of the lines below when
    /// it does so twice or more; a name alone that is not bold is what someone said.
    @Test func aKnownLabelAloneOnItsLineStartsATurn() throws {
        let document = try read(
            "INTERVIEWER\nHow did you start?\nP1\nBy accident.\nINTERVIEWER\nAnd then?\nP1\nMore.\n")
        #expect(document.turns.map(\.0) == ["INTERVIEWER", "P1", "INTERVIEWER", "P1"])
        #expect(document.segments.map(\.text) == ["How did you start?", "By accident.", "And then?", "More."])
        let names = try read("Interviewer: Who?\nJane Smith\nsaid it.\nJane Smith\nagain.\n")
        #expect(names.turns.map(\.0) == ["Interviewer"])
    }

    /// Rev's layout: a name with its time before the colon on a line of its own, the words
    /// below; the name recurs, so it is a label, and its time is the turn's start.
    @Test func aRecurringNameWithItsTimeBeforeTheColonStartsATurn() throws {
        let document = try read(
            "Speaker 1 (00:05):\nHello there.\n\nSpeaker 2 (00:09):\nThanks.\n\nSpeaker 1 (01:12):\nSo, tell me.\n\n"
                + "Speaker 2 (01:15):\nSure.\n",
            name: "rev.txt")
        #expect(document.turns.map(\.0) == ["Speaker 1", "Speaker 2", "Speaker 1", "Speaker 2"])
        #expect(document.segments.map(\.text) == ["Hello there.", "Thanks.", "So, tell me.", "Sure."])
        #expect(document.segments.map(\.start) == [5, 9, 72, 75])
        #expect(document.rangesAreExact())
    }

    /// Captions without names: a one-word line after a timing is what was said, and a name that
    /// heads only one cue is not taken for a speaker.
    @Test func aLoneWordOrAOnceSeenNameAfterATimingIsSpeech() throws {
        let captions = try read(
            "0:0:0.0 --> 0:0:2.0\nOkay\n\n0:0:2.0 --> 0:0:4.0\nGreat Scott\nwhat a day\n", name: "captions.txt")
        #expect(captions.turns.map(\.0) == ["", ""])
        #expect(captions.segments.map(\.text) == ["Okay", "Great Scott\nwhat a day"])
        #expect(captions.segments.map(\.start) == [0, 2])
    }
}

/// Header lines as transcription services and meeting tools write them, each tried on a
/// four-turn interview (each name heads two turns, the least a name needs).
@Suite struct ToolLayoutTests {
    struct LayoutCase: Sendable, CustomTestStringConvertible {
        var tool: String
        /// One turn's lines, with `NAME`, `TIME` (a clock time) and `TEXT` put in.
        var layout: String
        var times = true
        var testDescription: String { tool }
    }

    static let turns: [(name: String, seconds: Int, text: String)] = [
        ("Jane Smith", 1, "Thanks for joining."), ("Dr Ade Bello", 5, "Happy to be here."),
        ("Jane Smith", 69, "Tell me about your role."), ("Dr Ade Bello", 72, "I report scans."),
    ]

    static func transcript(_ layout: String) -> String {
        turns.map { turn in
            let clock = String(format: "00:%02d:%02d", turn.seconds / 60, turn.seconds % 60)
            return layout.replacingOccurrences(of: "NAME", with: turn.name)
                .replacingOccurrences(of: "TIME", with: clock).replacingOccurrences(of: "TEXT", with: turn.text)
        }.joined(separator: "\n")
    }

    @Test(arguments: [
        LayoutCase(tool: "Otter, Teams: name and time", layout: "NAME  TIME\nTEXT\n"),
        LayoutCase(tool: "a display name with pronouns, and time", layout: "NAME (she/her)  TIME\nTEXT\n"),
        LayoutCase(tool: "time, then name (Word's Transcribe)", layout: "TIME NAME\nTEXT\n"),
        LayoutCase(tool: "bracketed time, then name", layout: "[TIME] NAME\nTEXT"),
        LayoutCase(tool: "time, dash, name", layout: "TIME - NAME\nTEXT\n"),
        LayoutCase(tool: "name, time in parentheses", layout: "NAME (TIME)\nTEXT\n"),
        LayoutCase(tool: "name, time in brackets (Trint)", layout: "NAME [TIME]\nTEXT\n"),
        LayoutCase(tool: "name | time", layout: "NAME | TIME\nTEXT\n"),
        LayoutCase(tool: "bracketed name, time (Zoom's saved captions)", layout: "[NAME] TIME\nTEXT"),
        LayoutCase(tool: "Markdown name, time (tl;dv)", layout: "**NAME** (TIME)\nTEXT\n"),
        LayoutCase(tool: "name line, time line", layout: "NAME\nTIME\nTEXT\n"),
        LayoutCase(tool: "time after the label's colon", layout: "NAME: [TIME] TEXT"),
        LayoutCase(tool: "names alone on their lines", layout: "NAME\nTEXT\n", times: false),
        LayoutCase(tool: "dash after the name", layout: "NAME - TEXT", times: false),
        LayoutCase(tool: "en dash after the name", layout: "NAME \u{2013} TEXT", times: false),
    ])
    func headerLinesOfTranscriptionToolsNameTheSpeaker(_ example: LayoutCase) throws {
        let document = try read(Self.transcript(example.layout))
        #expect(document.turns.map { $0.0.replacingOccurrences(of: " (she/her)", with: "") } == Self.turns.map(\.name))
        #expect(document.segments.map(\.text) == Self.turns.map(\.text))
        if example.times {
            #expect(document.segments.map(\.start) == Self.turns.map { Double($0.seconds) })
        }
        #expect(document.rangesAreExact())
    }

    /// Where a header line names each turn's speaker, a turn whose text starts with a word and
    /// a colon (`The: …`, `So: …`) is that speaker's words, even when the word recurs: it was
    /// read as a speaker "The" (4 of 200 generated transcripts in the header layout). Names alone
    /// on their lines, with no time, are a layout only where no line has a label, so there the
    /// `Word:` lines still win.
    @Test(arguments: ["NAME  TIME\nTEXT\n", "TIME NAME\nTEXT\n", "[NAME] TIME\nTEXT", "NAME\nTIME\nTEXT\n"])
    func aWordAndColonOpeningATurnUnderAHeaderIsText(_ layout: String) throws {
        let texts = ["The: first of all, yes.", "So: we tried.", "The: second point.", "So: that was it."]
        let transcript = Self.transcript(layout).components(separatedBy: "\n").map { line in
            guard let index = Self.turns.firstIndex(where: { $0.text == line }) else { return line }
            return texts[index]
        }.joined(separator: "\n")
        let document = try read(transcript)
        #expect(document.turns.map(\.0) == Self.turns.map(\.name), "\(layout)")
        #expect(document.segments.map(\.text) == texts, "\(layout)")
        #expect(document.rangesAreExact())
        // Without the headers the same lines are labels, as before.
        let labelled = try read(texts.map { "\($0)" }.joined(separator: "\n"))
        #expect(labelled.turns.map(\.0) == ["The", "So", "The", "So"])
    }

    /// In a transcript laid out with dashes, `I - I think` is P3 stammering, not the interviewer.
    @Test func aStammerInADashLayoutStaysInItsTurn() throws {
        let document = try read(
            "Interviewer - How did you start?\nP3 - By accident.\nI - I think so.\nInterviewer - And then?\n"
                + "P3 - Well.\nI - I mean, a group.")
        #expect(document.turns.map(\.0) == ["Interviewer", "P3", "Interviewer", "P3"])
        #expect(document.segments[3].text == "Well.\nI - I mean, a group.")
    }

    /// Anonymised names end in an initial's full stop, which is not a sentence's.
    @Test func namesEndingInAnInitialAreNames() throws {
        for layout in ["NAME  TIME\nTEXT\n", "TIME NAME\nTEXT\n", "[NAME] TIME\nTEXT"] {
            let text = Self.transcript(layout).replacingOccurrences(of: "Jane Smith", with: "J.S.")
                .replacingOccurrences(of: "Dr Ade Bello", with: "Ade B.")
            let document = try read(text)
            #expect(document.turns.map(\.0) == ["J.S.", "Ade B.", "J.S.", "Ade B."], "\(layout)")
        }
    }

    /// Chinese interviews label turns 问 (question) and 答 (answer), with a full-width colon; a
    /// script without capitals has names too. The one who asks is the interviewer.
    @Test func labelsInAScriptWithoutCapitalsNameTheSpeaker() throws {
        let document = try read("问\u{FF1A}你是怎么开始的\u{FF1F}\n答\u{FF1A}偶然。\n问\u{FF1A}然后呢\u{FF1F}\n答\u{FF1A}一个工作组。")
        #expect(document.turns.map(\.0) == ["问", "答", "问", "答"])
        #expect(document.segments.map(\.text) == ["你是怎么开始的\u{FF1F}", "偶然。", "然后呢\u{FF1F}", "一个工作组。"])
        #expect(document.segments.map(\.role) == [.interviewer, .participant, .interviewer, .participant])
    }

    /// Conversation-analysis transcripts number every line; the numbers are not speech, and a
    /// label follows them.
    @Test func lineNumbersAreLeftOutAndTheLabelsAfterThemRead() throws {
        let document = try read(
            """
            01  DOC:  so how are you feeling
            02        today
            03  PAT:  well (0.5) not great
            04  DOC:  no?
            05  PAT:  no (.) the nights
            06        are bad
            """)
        #expect(document.turns.map(\.0) == ["DOC", "PAT", "DOC", "PAT"])
        #expect(
            document.segments.map(\.text) == [
                "so how are you feeling\ntoday", "well (0.5) not great", "no?", "no (.) the nights\nare bad",
            ])
        #expect(!document.text.contains("01") && !document.text.contains("06"))
        #expect(document.notes.contains { $0.contains("line numbers") })
        #expect(document.rangesAreExact())
        // Numbers at the start of some lines only are what was said.
        let said = try read("P1: How many?\n3 of them.\nP1: And?\n12 more.\nP2: Fine.")
        #expect(said.segments.map(\.text) == ["How many?\n3 of them.", "And?\n12 more.", "Fine."])
    }

    @Test func capitalisedNamesAloneOnTheirLinesNameTheSpeaker() throws {
        let document = try read(
            "JANE SMITH\nHow did you start?\n\nDR BELLO\nBy accident.\n\nJANE SMITH\nThen?\nDR BELLO\nMore.")
        #expect(document.turns.map(\.0) == ["JANE SMITH", "DR BELLO", "JANE SMITH", "DR BELLO"])
        #expect(document.segments.map(\.text) == ["How did you start?", "By accident.", "Then?", "More."])
    }

    /// Oral-history style: `Q.` and `A.` recurring at line starts; once, `A.` is a list item.
    @Test func questionAndAnswerLettersWithAFullStopAreLabelsWhenTheyRecur() throws {
        let document = try read("Q. How did you start?\nA. By accident.\nQ. And then?\nA. A working group.")
        #expect(document.turns.map(\.0) == ["Q", "A", "Q", "A"])
        #expect(document.segments.map(\.role) == [.interviewer, .participant, .interviewer, .participant])
        #expect(
            document.segments.map(\.text) == ["How did you start?", "By accident.", "And then?", "A working group."])
        let once = try read("P1: We had options.\nA. Stay.\nB. Go.")
        #expect(once.turns.map(\.0) == ["P1"])
    }

    /// `Q1:`, `Q2:` … each heading one turn number the questions: every one is `Q`'s, and the
    /// answers after them are the file's participant's. Numbers that head several turns each
    /// (`R1`, `R2`) are respondents of a focus group and stay apart.
    @Test func numbersThatCountTurnsAreDroppedAndNumbersThatNameSpeakersKept() throws {
        let table = ParticipantTable(
            attributeNames: ["file"], participants: [Participant(id: "P3", attributes: ["file": "p3.txt"])],
            documentColumn: "file")
        let numbered = try read(
            "Q1: How did you start?\nA1: By accident.\nQ2: And then?\nA2: A working group.\nQ3. Why?\nA3. Time.",
            name: "p3.txt", participants: table)
        #expect(numbered.turns.map(\.0) == ["Q", "A", "Q", "A", "Q", "A"])
        #expect(
            numbered.segments.map(\.role) == [
                .interviewer, .participant, .interviewer, .participant, .interviewer, .participant,
            ])
        #expect(numbered.segments.map(\.participantID) == [nil, "P3", nil, "P3", nil, "P3"])
        #expect(
            numbered.segments.map(\.text) == [
                "How did you start?", "By accident.", "And then?", "A working group.", "Why?", "Time.",
            ])
        #expect(numbered.notes.contains { $0.contains("Q1–Q3 as \"Q\"") && $0.contains("A1–A3 as \"A\"") })
        #expect(numbered.speakers.map(\.label) == ["Q", "A"])

        let group = try read("Int 1: Who starts?\nR1: Me.\nR2: Then me.\nR1: And again.\nR2: Agreed.")
        #expect(group.turns.map(\.0) == ["Int 1", "R1", "R2", "R1", "R2"])
        #expect(group.segments.map(\.role) == [.interviewer, .participant, .participant, .participant, .participant])
        #expect(!group.notes.contains { $0.contains("numbered") })
    }

    /// `P3 - GP:` and `Interviewer, Jane Smith:` name the speaker when they recur; the
    /// participant is the known label's.
    @Test func aKnownLabelQualifiedAfterADashOrCommaNamesTheSpeakerWhenItRecurs() throws {
        let table = ParticipantTable(attributeNames: [], participants: [Participant(id: "P3", attributes: [:])])
        let document = try read(
            "Interviewer, Jane Smith: How?\nP3 - GP: Fine.\nInterviewer, Jane Smith: Then?\nP3 - GP: Time.",
            participants: table)
        #expect(
            document.turns.map(\.0) == ["Interviewer, Jane Smith", "P3 - GP", "Interviewer, Jane Smith", "P3 - GP"])
        #expect(document.segments.map(\.role) == [.interviewer, .participant, .interviewer, .participant])
        #expect(document.segments.map(\.participantID) == [nil, "P3", nil, "P3"])
        let enDash = try read("P3 \u{2013} GP: Fine.\nP3 \u{2013} GP: Time.", participants: table)
        #expect(enDash.segments.map(\.participantID) == ["P3", "P3"])
        let once = try read("P3: Well.\nInterviewer - How are you: fine.")
        #expect(once.turns.map(\.0) == ["P3"])
        let hyphen = try read("P3-GP: Fine.\nP3-GP: Time.")
        #expect(hyphen.turns.map(\.0).allSatisfy { $0 != "P3-GP" })
    }

    /// What looks like these layouts in ordinary speech stays speech.
    @Test(arguments: [
        // A stammer: the word before the dash is said again after it.
        "P1: Well.\nI - I think so.\nI - I mean it.\nInterviewer: Right.",
        // Two words with a dash, twice each, in a monologue: not a quarter of its lines.
        "So - we tried.\nYeah - it worked.\nSo - that was it.\nYeah - really.\n"
            + String(
                repeating: "And then we kept going for a while.\n", count: 16),
        // One word with a dash, however often: an interview has two speakers or more.
        "Well - we tried.\nWell - it worked.\nThat was it.",
        // Captions without names: one word after a time, its next line timed too.
        "[00:00:01] Okay\n[00:00:02] we start.\n[00:00:03] Okay\n[00:00:04] we go on.",
        // Brackets and times without a name.
        ")\n]\n(\n[\n(0:00)\nP1 )\n(00:01) ]\n[00:02] (x)\n[00:03]\n:",
        // A heading once, a word alone twice in a monologue that has labels.
        "Interviewer: Tell me.\nP1: Yeah\nI think so.\nYeah\nreally.",
    ])
    func speechThatLooksLikeALayoutStaysSpeech(_ text: String) throws {
        let document = try read(text)
        let speakers = Set(document.segments.map(\.speaker))
        #expect(speakers.isSubset(of: ["", "P1", "Interviewer"]))
        #expect(document.rangesAreExact())
    }
}

@Suite struct PlainTextDecodingTests {
    let ingestor: Ingestor

    init() throws { ingestor = try Ingestor() }

    struct EncodingCase: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var testDescription: String { name }
    }

    static let sample = "P1: Café – naïve 医生\r\nInterviewer: Ok?\rP1: Yes."

    @Test(arguments: [
        EncodingCase(name: "utf8", bytes: Array(sample.utf8)),
        EncodingCase(name: "utf8 with BOM", bytes: [0xEF, 0xBB, 0xBF] + Array(sample.utf8)),
        EncodingCase(
            name: "utf16le with BOM",
            bytes: [0xFF, 0xFE] + sample.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
        EncodingCase(
            name: "utf16be with BOM",
            bytes: [0xFE, 0xFF] + sample.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }),
        EncodingCase(name: "utf16le without BOM", bytes: sample.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
        EncodingCase(name: "utf32le with BOM", bytes: utf32(sample, bom: true, littleEndian: true)),
        EncodingCase(name: "utf32be with BOM", bytes: utf32(sample, bom: true, littleEndian: false)),
        EncodingCase(name: "utf32le without BOM", bytes: utf32(sample, bom: false, littleEndian: true)),
        EncodingCase(name: "utf32be without BOM", bytes: utf32(sample, bom: false, littleEndian: false)),
        EncodingCase(
            name: "utf32le without BOM, beyond the BMP", bytes: utf32("😀\n" + sample, bom: false, littleEndian: true)),
    ])
    func textEncodingsAndLineEndsDecodeToTheSameTurns(_ example: EncodingCase) throws {
        let document = try ingestor.read(data: Data(example.bytes), source: "t.txt")
        #expect(document.turns.map(\.0).suffix(3) == ["P1", "Interviewer", "P1"])
        #expect(document.segments.suffix(3).first?.text == "Café – naïve 医生")
        #expect(!document.text.contains("\r"))
        #expect(document.rangesAreExact())
    }

    /// Plain text splits into lines on its bytes: blank lines inside are kept (they end a
    /// paragraph), blank lines at the end and NUL bytes are not, a final line needs no newline.
    @Test func plainTextLinesKeepInnerBlankLinesAndDropTrailingOnesAndNULs() throws {
        let reader = PlainTextReader()
        let lines = try reader.lines(of: Data("P1: a\0b\n\nP1: é\n\n\n".utf8), file: "t.txt")
        #expect(lines.map(\.text) == ["P1: ab", "", "P1: é"])
        #expect(try reader.lines(of: Data("x".utf8), file: "t.txt").map(\.text) == ["x"])
        #expect(try reader.lines(of: Data(), file: "t.txt").isEmpty)
        #expect(try reader.lines(of: Data("\n".utf8), file: "t.txt").isEmpty)
    }

    static func utf32(_ text: String, bom: Bool, littleEndian: Bool) -> [UInt8] {
        ((bom ? ["\u{FEFF}"] : []) + Array(text.unicodeScalars)).flatMap { scalar in
            let bytes = (0..<4).map { UInt8(truncatingIfNeeded: scalar.value >> (8 * $0)) }
            return littleEndian ? bytes : bytes.reversed()
        }
    }

    /// A code point past U+10FFFF, and a last character cut short, are errors at their byte, or
    /// U+FFFD when the pipeline asks for it.
    @Test func invalidOrCutUTF32IsReportedWithItsByteOffset() throws {
        let bytes = Self.utf32("P1: ok\nP1: bad ", bom: true, littleEndian: true) + [0x00, 0x00, 0x11, 0x00]
        let error = try #require(ingestError { try ingestor.read(data: Data(bytes), source: "bad.txt") })
        #expect(error.code == .invalidEncoding)
        #expect(error.byteOffset == bytes.count - 4)
        let lenient = try Ingestor(options: IngestOptions(replaceInvalidText: true))
            .read(data: Data(bytes), source: "bad.txt")
        #expect(lenient.segments.map(\.text) == ["ok", "bad \u{FFFD}"])
        let cut = try #require(ingestError { try ingestor.read(data: Data(bytes.dropLast(2)), source: "cut.txt") })
        #expect(cut.code == .invalidEncoding)
        #expect(cut.byteOffset == bytes.count - 4)
    }

    /// The format is told from the text as the whole file will be decoded: WebVTT in UTF-16
    /// without a BOM is WebVTT whatever its name, TEI in UTF-16 is TEI, and XML in UTF-32, with
    /// or without a BOM (which libxml2 does not read), is said to be so rather than read as plain
    /// text or as malformed XML.
    @Test func formatsAreToldApartInEveryUnicodeForm() throws {
        let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Alice>Hello there</v>\n"
        let captions = try ingestor.read(
            data: Data(vtt.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }), source: "teams.txt")
        #expect(captions.format == .webvtt)
        #expect(captions.turns.map(\.0) == ["Alice"])
        let tei = "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><text><body><u who=\"#A\">Café</u></body></text></TEI>"
        let utf16 = try ingestor.read(
            data: Data([0xFE, 0xFF] + tei.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }), source: "t.xml")
        #expect(utf16.format == .tei)
        #expect(utf16.segments.map(\.text) == ["Café"])
        for littleEndian in [true, false] {
            for bom in [true, false] {
                let error = try #require(
                    ingestError {
                        try ingestor.read(
                            data: Data(Self.utf32(tei, bom: bom, littleEndian: littleEndian)), source: "t.xml")
                    })
                #expect(error.code == .invalidEncoding)
                #expect(error.message.contains("UTF-32"))
            }
        }
        let captionsUTF32 = try ingestor.read(
            data: Data(Self.utf32(vtt, bom: false, littleEndian: true)), source: "teams.txt")
        #expect(captionsUTF32.format == .webvtt)
        #expect(captionsUTF32.segments.map(\.text) == ["Hello there"])
    }

    /// UTF-16 and UTF-32 are transcoded whole: the text, each invalid unit's U+FFFD and the first
    /// invalid unit's byte offset must be those of decoding scalar by scalar, for random units
    /// (lone and paired surrogates, noncharacters, codes past U+10FFFF), either byte order.
    @Test func utf16AndUTF32DecodeAsTheirDecodersDoScalarByScalar() throws {
        var generator = SystemRandomNumberGenerator()
        let sixteen: [UInt16] = [
            0x41, 0x0A, 0xE9, 0x4E2D, 0xFFFE, 0xFFFF, 0xD83D, 0xDE00, 0xDC00, 0xDBFF, 0xD800, 0x20,
        ]
        let thirtyTwo: [UInt32] = [0x41, 0x0A, 0xE9, 0x4E2D, 0x1F600, 0x10FFFF, 0xD800, 0xDFFF, 0x110000, 0xFFFF_FFFF]
        func reference<Codec: UnicodeCodec>(_ units: [Codec.CodeUnit], _ codec: Codec.Type) -> (String, Int?) {
            var decoder = Codec()
            var iterator = units.makeIterator()
            var scalars = String.UnicodeScalarView()
            var position = 0
            var firstError: Int?
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar):
                    scalars.append(scalar)
                    position += Codec.self == UTF16.self && scalar.value > 0xFFFF ? 2 : 1
                    continue
                case .error:
                    scalars.append("\u{FFFD}")
                    firstError = firstError ?? position
                    position += 1
                    continue
                case .emptyInput: break
                }
                break
            }
            return (String(scalars), firstError)
        }
        var invalid = 0
        for round in 0..<600 {
            let littleEndian = round % 2 == 0
            let count = Int.random(in: 0...30, using: &generator)
            let bytes: [UInt8]
            let expected: (String, Int?)
            if round % 4 < 2 {
                let units = (0..<count).map { _ in sixteen.randomElement(using: &generator)! }
                bytes =
                    (littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF])
                    + units.flatMap {
                        littleEndian ? [UInt8($0 & 0xFF), UInt8($0 >> 8)] : [UInt8($0 >> 8), UInt8($0 & 0xFF)]
                    }
                let (text, error) = reference(units, UTF16.self)
                expected = (text, error.map { 2 + 2 * $0 })
            } else {
                let units = (0..<count).map { _ in thirtyTwo.randomElement(using: &generator)! }
                bytes =
                    (littleEndian ? [0xFF, 0xFE, 0, 0] : [0, 0, 0xFE, 0xFF])
                    + units.flatMap { unit in
                        let le = (0..<4).map { UInt8(truncatingIfNeeded: unit >> (8 * $0)) }
                        return littleEndian ? le : le.reversed()
                    }
                let (text, error) = reference(units, UTF32.self)
                expected = (text, error.map { 4 + 4 * $0 })
            }
            var replacing = TextDecoder()
            replacing.replacingInvalid = true
            #expect(try replacing.decode(Data(bytes), file: "t.txt") == expected.0, "\(bytes)")
            do {
                let text = try TextDecoder().decode(Data(bytes), file: "t.txt")
                #expect(expected.1 == nil && text == expected.0, "\(bytes)")
            } catch let error as IngestError {
                #expect(error.byteOffset == expected.1, "\(bytes)")
                invalid += 1
            }
        }
        #expect(invalid > 100)
    }

    /// A fallback page is transcoded in one pass: for every page, random bytes must read as each
    /// byte's own character (U+FFFD for an unassigned one when replacing), and the first
    /// unassigned byte's offset be the one reported.
    @Test func fallbackPagesReadEachByteAsItsOwnCharacter() throws {
        var generator = SystemRandomNumberGenerator()
        var unassignedSeen = 0
        for encoding in FallbackEncoding.allCases {
            for _ in 0..<40 {
                let bytes = (0..<Int.random(in: 0...300, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
                let characters = bytes.map { byte -> Unicode.Scalar? in
                    byte < 0x80
                        ? Unicode.Scalar(byte)
                        : encoding.codePage.map { $0.scalar(byte) } ?? FallbackEncoding.windows1252(byte)
                }
                let replaced = String(String.UnicodeScalarView(characters.map { $0 ?? "\u{FFFD}" }))
                #expect(try encoding.decode(bytes[...], replacingUnassigned: true).get() == replaced)
                // A slice past a few bytes, as a file's is past its BOM: offsets are the file's.
                switch encoding.decode(([0x41, 0x42] + bytes)[2...], replacingUnassigned: false) {
                case .success(let text):
                    #expect(!characters.contains(nil) && text == replaced)
                case .failure(let unassigned):
                    #expect(unassigned.offset == characters.firstIndex(of: nil).map { $0 + 2 })
                    unassignedSeen += 1
                }
            }
        }
        #expect(unassignedSeen > 50)
    }

    /// Zero bytes in UTF-8 or UTF-16 text (a stray NUL, or U+0100 in UTF-16) are not taken for
    /// UTF-32: every fourth byte must be zero and the one before it small, in every unit.
    @Test func onlyTextOfFourByteUnitsIsTakenForUTF32WithoutBOM() {
        #expect(TextDecoder.looksLikeBOMlessUTF32(Array("P1: a\0\0\0b".utf8)) == nil)
        #expect(
            TextDecoder.looksLikeBOMlessUTF32("P1: ĀĀ".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }) == nil)
        #expect(TextDecoder.looksLikeBOMlessUTF32([0, 0, 0, 0, 0x41, 0, 0, 0]) == nil)
        #expect(TextDecoder.looksLikeBOMlessUTF32(Self.utf32("Ab", bom: false, littleEndian: true)) == true)
        #expect(TextDecoder.looksLikeBOMlessUTF32(Self.utf32("Ab", bom: false, littleEndian: false)) == false)
    }

    /// Word's "Plain Text" on Windows is Windows-1252: an error that says so, or, when the
    /// pipeline names it as the fallback, the text read in it with a note. A UTF-8 file beside it
    /// stays UTF-8, and one whose BOM says UTF-8 is not read otherwise.
    @Test func windows1252TextIsReadInTheFallbackEncodingWithANote() throws {
        let bytes: [UInt8] =
            Array("Interviewer: What".utf8) + [0x92] + Array("s your view on ".utf8) + [0x93] + Array("hype".utf8)
            + [0x94] + Array("?\nP1: Caf".utf8) + [0xE9, 0x20, 0x96, 0x20, 0x80, 0x35]
        let error = try #require(ingestError { try ingestor.read(data: Data(bytes), source: "win.txt") })
        #expect(error.code == .invalidEncoding)
        #expect(error.hint?.contains("fallbackEncoding: windows-1252") == true)
        let fallback = try Ingestor(options: IngestOptions(fallbackEncoding: .windows1252))
        let document = try fallback.read(data: Data(bytes), source: "win.txt")
        #expect(document.segments.map(\.text) == ["What’s your view on “hype”?", "Café – €5"])
        #expect(document.notes.contains { $0.contains("windows-1252") })
        // A byte Windows-1252 leaves unassigned: neither encoding, said where, or U+FFFD on request.
        let unassigned = try #require(
            ingestError { try fallback.read(data: Data(bytes + [0x20, 0x81]), source: "odd.txt") })
        #expect(unassigned.code == .invalidEncoding)
        #expect(unassigned.byteOffset == bytes.count + 1)
        let lenient = try Ingestor(options: IngestOptions(replaceInvalidText: true, fallbackEncoding: .windows1252))
        #expect(
            try lenient.read(data: Data(bytes + [0x20, 0x81]), source: "odd.txt").segments.last?.text
                == "Café – €5 \u{FFFD}")
        let utf8 = try fallback.read(data: Data("P1: Café – ok.".utf8), source: "utf8.txt")
        #expect(utf8.segments.map(\.text) == ["Café – ok."])
        #expect(utf8.notes.isEmpty)
        #expect(
            ingestError { try fallback.read(data: Data([0xEF, 0xBB, 0xBF] + bytes), source: "bom.txt") }?.code
                == .invalidEncoding)
    }

    /// Word's "Plain Text" saved on a Russian or Polish Windows is in that Windows' code page:
    /// read in the one the pipeline names, a byte it leaves unassigned said where.
    @Test func textInAnotherWindowsCodePageIsReadInTheFallbackEncodingNamed() throws {
        let russian: [UInt8] = Array("P1: ".utf8) + [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2, 0x2C, 0x20, 0xB8, 0xE6]
        let cyrillic = try Ingestor(options: IngestOptions(fallbackEncoding: .windows1251))
        let document = try cyrillic.read(data: Data(russian), source: "ru.txt")
        #expect(document.segments.map(\.text) == ["Привет, ёж"])
        #expect(document.notes.contains { $0.contains("windows-1251") })
        let polish: [UInt8] = Array("P1: Za".utf8) + [0xBF, 0xF3, 0xB3, 0xE6, 0x20, 0x67, 0xEA, 0x9C, 0x6C, 0xB9]
        let central = try Ingestor(options: IngestOptions(fallbackEncoding: .windows1250))
        #expect(try central.read(data: Data(polish), source: "pl.txt").segments.map(\.text) == ["Zażółć gęślą"])
        // 0x98 is unassigned in Windows-1251.
        let unassigned = try #require(
            ingestError { try cyrillic.read(data: Data(russian + [0x98]), source: "odd.txt") })
        #expect(unassigned.byteOffset == russian.count && unassigned.message.contains("windows-1251"))
    }

    @Test func invalidUTF8IsReportedWithItsByteOffset() throws {
        let bytes: [UInt8] = Array("P1: ok\nP1: bad ".utf8) + [0xC3, 0x28] + Array(" here".utf8)
        let error = try #require(ingestError { try ingestor.read(data: Data(bytes), source: "bad.txt") })
        #expect(error.code == .invalidEncoding)
        #expect(error.byteOffset == 15)
        #expect(error.line == 2)
        let lenient = try Ingestor(options: IngestOptions(replaceInvalidText: true))
            .read(data: Data(bytes), source: "bad.txt")
        #expect(lenient.segments[1].text.contains("\u{FFFD}"))
    }

    @Test func textIsValidUTF8ExactlyWhenTheStandardLibrarySaysSo() {
        // Valid text is taken as the standard library validates it; invalid text is then
        // located by our own scan: the two must never disagree. Bytes near every boundary:
        // overlong forms, surrogates, past U+10FFFF, stray and missing continuations.
        let edges: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0,
            0xF4, 0xF5, 0xFF,
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                edges[Int.random(in: edges.indices, using: &generator)]
            }
            let valid = String(validating: bytes, as: UTF8.self) != nil
            #expect((TextDecoder.firstInvalidUTF8(bytes[...]) == nil) == valid, "\(bytes)")
        }
    }

    @Test func rangesCountUnicodeScalarsNotUTF16OrGraphemes() throws {
        // "👩🏽‍⚕️" is one grapheme, five scalars, seven UTF-16 units.
        let document = try read("P1: 👩🏽‍⚕️ said hi.\nP2: Next.")
        let second = document.segments[1]
        #expect(second.range.start == "P1: 👩🏽‍⚕️ said hi.\nP2: ".unicodeScalars.count)
        #expect(document.rangesAreExact())
    }
}
