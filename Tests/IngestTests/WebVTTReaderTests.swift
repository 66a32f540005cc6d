import Corpus
import Foundation
import Testing

@testable import Ingest

@Suite struct WebVTTReaderTests {
    @Test func vttVoiceTagsBecomeSpeakersAndConsecutiveCuesMerge() throws {
        let document = try read(
            """
            WEBVTT

            NOTE exported from Teams

            0-0
            00:00:01.000 --> 00:00:03.500
            <v Helen Carter>How did you get into AI?</v>

            1-0
            00:00:04.000 --> 00:00:06.000
            <v Participant 10>I wrote a blog post &amp; was invited.</v>

            1-1
            00:00:06.000 --> 00:00:09.250
            <v Participant 10>Onto a <i>working group</i>.</v>
            """, name: "teams.vtt")
        #expect(document.format == .webvtt)
        #expect(document.turns.map(\.0) == ["Helen Carter", "Participant 10"])
        #expect(document.segments[1].text == "I wrote a blog post & was invited. Onto a working group.")
        #expect(document.segments[1].start == 4)
        #expect(document.segments[1].end == 9.25)
        #expect(document.segments[1].participantID == "P10")
        #expect(document.segments[0].role == .interviewer)
        #expect(document.rangesAreExact())
    }

    /// Lines, timings, arrows and payloads are read by bytes where a byte is a character: each
    /// must give what reading by characters gives, for random lines of clocks, arrows, tags,
    /// entities, accents and combining marks (one after an arrow or a tag's bracket).
    @Test func captionsReadByBytesAsTheyReadByCharacters() {
        var generator = SystemRandomNumberGenerator()
        func line(_ pieces: [String], _ count: ClosedRange<Int>) -> String {
            (0..<Int.random(in: count, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
                .joined()
        }
        let timing = [
            "00:00:01.000", "1:02", "00:01", " ", "\t", "-->", " --> ", "--->", "-", ">", "align:start", "x", "9",
        ]
        let payload = [
            "<v Jane Smith>", "<v.loud P3>", "</v>", "<i>", "<", ">", "&amp;", "&lt;", "&", "é", "e\u{0301}",
            "\u{0301}",
            "-->", " ", "hi", "’", "\u{00A0}",
        ]
        var timings = 0
        let clocks = ["00:00:01.000", "1:02", "00:01", " 00:00:05,5", "99", ""]
        for round in 0..<3_000 {
            let ascii =
                round % 3 == 0
                ? [clocks, [" --> ", "-->", " ---> ", "-->-->"], clocks, ["", " align:start", "\t9", "  "]].map {
                    $0.randomElement(using: &generator)!
                }.joined() : line(timing, 0...8)
            #expect(
                WebVTTReader.cueTiming(ascii).map { "\($0)" } == WebVTTReader.characterCueTiming(ascii).map { "\($0)" })
            if WebVTTReader.cueTiming(ascii)?.start != nil { timings += 1 }
            let said = line(payload, 0...10)
            let (voice, text) = WebVTTReader.parsePayload(said)
            let expected = Self.payloadByScalars(said)
            #expect(voice == expected.0 && text == expected.1, "\(said.unicodeScalars.map(\.value))")
            #expect(
                WebVTTReader.holdsArrow(Substring(said)) == said.contains("-->"), "\(said.unicodeScalars.map(\.value))")
            let text3 = [line(payload, 0...4), line(timing, 0...4), ""].joined(
                separator: ["\n", "\n\n"].randomElement()!)
            #expect(WebVTTReader.lines(of: text3) == text3.split(separator: "\n", omittingEmptySubsequences: false))
        }
        #expect(timings > 100)
    }

    /// A clock's fraction is its digits over their power of ten: the double that parsing
    /// "0.digits" gives, for every length up to six and random digits.
    @Test func clockFractionsAreTheDecimalsTheyWrite() {
        var generator = SystemRandomNumberGenerator()
        var fractions = ["0", "5", "05", "999999", "000001", "1", "10", "3", "30", "300", "333333"]
        for _ in 0..<20_000 {
            fractions.append(
                String(
                    (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                        "0123456789".randomElement(using: &generator)!
                    }))
        }
        for digits in fractions {
            let seconds = parseClock(Array("01:02:03.\(digits)".unicodeScalars))
            #expect(seconds == 3_723 + Double("0." + digits)!, "\(digits)")
            #expect(parseClock(Array("0:0:3,\(digits)".unicodeScalars)) == 3 + Double("0." + digits)!)
        }
        #expect(parseClock(Array("00:01.1234567".unicodeScalars)) == nil)
    }

    /// A payload's voice and text as reading it scalar by scalar gives them.
    static func payloadByScalars(_ line: String) -> (String?, String) {
        var voice: String?
        var text = String.UnicodeScalarView()
        let scalars = Array(line.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if scalars[index] == "<", let close = scalars[index...].firstIndex(of: ">") {
                let tag = String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
                if tag.hasPrefix("v ") || tag.hasPrefix("v."), let space = tag.firstIndex(of: " ") {
                    voice = WebVTTReader.decodeReferences(String(tag[tag.index(after: space)...])).trimmingWhitespace()
                }
                index = close + 1
                continue
            }
            text.append(scalars[index])
            index += 1
        }
        return (voice, WebVTTReader.decodeReferences(String(text)).trimmingWhitespace())
    }

    @Test func zoomNamePrefixesBecomeSpeakers() throws {
        let document = try read(
            """
            WEBVTT

            1
            00:00:01.200 --> 00:00:02.900
            Interviewer: Any mentors?

            2
            00:00:03.000 --> 00:00:05.000
            P4: None at all.

            3
            00:00:05.000 --> 00:00:06.000
            I learned by doing.
            """, name: "zoom.vtt")
        #expect(document.turns.map(\.0) == ["Interviewer", "P4"])
        #expect(document.segments[1].text == "None at all. I learned by doing.")
    }

    /// Zoom shows display names with pronouns or a role in brackets; the cue's name prefix keeps
    /// them, and a bracketed id names the participant.
    @Test func zoomDisplayNamesWithABracketedNoteBecomeSpeakers() throws {
        let document = try read(
            """
            WEBVTT

            1
            00:00:01.200 --> 00:00:02.900
            Jane Smith (she/her): Any mentors?

            2
            00:00:03.000 --> 00:00:05.000
            Ade Bello (P4): None at all.

            3
            00:00:05.000 --> 00:00:06.000
            Ade Bello (P4): Not one.
            """, name: "zoom.vtt")
        #expect(document.turns.map(\.0) == ["Jane Smith (she/her)", "Ade Bello (P4)"])
        #expect(document.segments.map(\.text) == ["Any mentors?", "None at all. Not one."])
        #expect(document.segments[1].participantID == "P4")
    }

    /// Speakers known only by name: the one who asks most is taken for the interviewer, and when
    /// none asks, no one is the file's participant; each note gives the pipeline setting that
    /// says who is who (it named a `speakerRoles` key no pipeline has), and that setting works.
    @Test func notesOnNamedSpeakersGiveThePipelineSettingForTheirRoles() throws {
        let table = ParticipantTable(
            attributeNames: ["transcript"],
            participants: [Participant(id: "P4", attributes: ["transcript": "zoom.vtt"])],
            documentColumn: "transcript")
        func zoom(_ first: String, labels: SpeakerLabels = SpeakerLabels()) throws -> Document {
            try read(
                """
                WEBVTT

                1
                00:00:01.000 --> 00:00:04.000
                Jane Smith: \(first)

                2
                00:00:04.500 --> 00:00:09.000
                Priya Patel: I'm a registrar. The hype is exhausting.
                """, name: "zoom.vtt", participants: table, labels: labels)
        }
        let asking = try zoom("How did you start?")
        #expect(asking.segments.map(\.participantID) == [nil, "P4"])
        #expect(
            asking.notes.contains(
                "no interviewer label found; \"Jane Smith\" asks the most questions and is taken for the interviewer "
                    + "(to say otherwise: inputs: speakers: roles: {\"Jane Smith\": participant} in the pipeline)"))
        let telling = try zoom("Tell me about your role.")
        #expect(telling.segments.map(\.participantID) == [nil, nil])
        #expect(
            telling.notes == [
                "2 participant speakers without an id (Jane Smith, Priya Patel); none is attributed to P4 "
                    + "(name the interviewer in the pipeline, as inputs: speakers: roles: {\"Jane Smith\": interviewer})"
            ])
        let named = try zoom(
            "Tell me about your role.", labels: SpeakerLabels(speakerRoles: ["Jane Smith": .interviewer]))
        #expect(named.segments.map(\.role) == [.interviewer, .participant])
        #expect(named.segments.map(\.participantID) == [nil, "P4"] && named.notes.isEmpty)
    }

    /// Captions without speakers (YouTube, a meeting recorded without names) have lines such as
    /// `Here's the thing: …`; a name-like prefix is a speaker only when it recurs, is a known
    /// label, or starts a cue in a file whose cues mostly start with one.
    @Test func aNameLikePrefixInCaptionsWithoutSpeakersIsSpeech() throws {
        var cues = ["WEBVTT", ""]
        let lines = [
            "Here's the thing: nobody has time.", "We tried a pilot.", "It was hype, mostly.",
            "P4: I disagree.", "Then the rota changed.", "So (laughs): no.", "Nobody asked us.",
            "Not once.", "Not in ten years.", "That is the culture.",
        ]
        for (number, line) in lines.enumerated() {
            cues += ["00:00:\(10 + number).000 --> 00:00:\(10 + number).900", line, ""]
        }
        let captions = try read(cues.joined(separator: "\n"), name: "yt.vtt")
        #expect(captions.turns.map(\.0) == ["", "P4"])
        #expect(
            captions.segments[0].text == "Here's the thing: nobody has time. We tried a pilot. It was hype, mostly.")
        #expect(
            captions.segments[1].text
                == "I disagree. Then the rota changed. So (laughs): no. Nobody asked us. Not once. Not in ten years. "
                + "That is the culture.")

        // In Zoom's layout a cue's first line names the speaker, once or often; a later line of
        // a cue is speech unless its prefix recurs.
        let zoom = try read(
            """
            WEBVTT

            1
            00:00:01.000 --> 00:00:02.000
            Jane Smith: Any mentors?

            2
            00:00:03.000 --> 00:00:05.000
            Ade Bello: None.
            Well (laughs): none at all.

            3
            00:00:05.000 --> 00:00:06.000
            Jane Smith: Really?
            """, name: "zoom.vtt")
        #expect(zoom.turns.map(\.0) == ["Jane Smith", "Ade Bello", "Jane Smith"])
        #expect(zoom.segments[1].text == "None. Well (laughs): none at all.")
    }

    @Test func vttWithoutHeaderOrWithBadTimingIsReported() throws {
        let noHeader = ingestError { try read("00:00:01.000 --> 00:00:02.000\nhello", name: "x.vtt") }
        #expect(noHeader?.code == .malformedTranscript)
        #expect(noHeader?.line == 1)
        let badTiming = ingestError { try read("WEBVTT\n\n1\n00:00:xx --> 00:00:02.000\nhello\n", name: "y.vtt") }
        #expect(badTiming?.code == .malformedTranscript)
        #expect(badTiming?.line == 4)
    }

    /// SubRip captions (Otter, Rev, YouTube) are cues without a header: numbered, timed with a
    /// decimal comma, formatted with `<i>` and `<font>`. They were read as plain text, their
    /// numbers and timing lines turns of their own.
    @Test func subRipCuesBecomeTurnsWhateverTheFileIsNamed() throws {
        let srt = """
            1
            00:00:01,000 --> 00:00:03,500
            Helen Carter: How did you get into AI?

            2
            00:00:04,000 --> 00:00:06,000
            P10: I wrote a <i>blog post</i>
            <font color="#ffff00">&amp; was invited.</font>

            3
            00:00:06,000 --> 00:00:09,250
            Onto a working group.

            """
        for name in ["otter.srt", "otter.txt"] {
            let document = try read(srt, name: name)
            #expect(document.format == .subrip)
            #expect(document.turns.map(\.0) == ["Helen Carter", "P10"])
            #expect(
                document.segments.map(\.text) == [
                    "How did you get into AI?", "I wrote a blog post & was invited. Onto a working group.",
                ])
            #expect(document.segments[1].start == 4)
            #expect(document.segments[1].end == 9.25)
            #expect(document.segments[1].participantID == "P10")
            #expect(document.rangesAreExact())
        }
        // Plain text that merely begins with a number is still plain text.
        #expect(try read("1\nP1: Then we met again.\n", name: "notes.txt").format == .text)
        let broken = ingestError { try read("1\n00:00:01,000 --> 00:00:02,000\nhi\n\nno timing here\n", name: "b.srt") }
        #expect(broken?.code == .malformedTranscript)
        #expect(broken?.line == 5)
    }

    /// The header runs to the first blank line: YouTube's "Kind:" and "Language:" lines are
    /// metadata, not cues without timing. A file with no blank line after its header keeps its
    /// first cue.
    @Test func headerMetadataIsNotACueAndACueRightAfterTheHeaderIsKept() throws {
        let youtube = try read(
            "WEBVTT\nKind: captions\nLanguage: en\n\n00:00:01.000 --> 00:00:02.000\nAlice: Hello there\n",
            name: "yt.vtt")
        #expect(youtube.turns.map(\.0) == ["Alice"])
        #expect(youtube.segments.map(\.text) == ["Hello there"])
        let tight = try read(
            "WEBVTT\n1\n00:00:01.000 --> 00:00:02.000\n<v Bob>First words\n\n00:00:02.000 --> 00:00:03.000\n<v Ann>Next\n",
            name: "tight.vtt")
        #expect(tight.turns.map(\.0) == ["Bob", "Ann"])
        #expect(tight.segments.map(\.text) == ["First words", "Next"])
    }
}
