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

    @Test func vttWithoutHeaderOrWithBadTimingIsReported() throws {
        let noHeader = ingestError { try read("00:00:01.000 --> 00:00:02.000\nhello", name: "x.vtt") }
        #expect(noHeader?.code == .malformedTranscript)
        #expect(noHeader?.line == 1)
        let badTiming = ingestError { try read("WEBVTT\n\n1\n00:00:xx --> 00:00:02.000\nhello\n", name: "y.vtt") }
        #expect(badTiming?.code == .malformedTranscript)
        #expect(badTiming?.line == 4)
    }
}
