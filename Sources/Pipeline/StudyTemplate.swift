import Corpus
import Foundation

/// The files `tmine init` writes: a commented pipeline, a participants table, a seed lexicon and
/// two example transcripts, so that a new study runs from the first minute.
public enum StudyTemplate {
    public static let files: [(path: String, text: String)] = [
        ("pipeline.yaml", pipeline),
        ("participants.csv", participants),
        ("lexicon.yaml", lexicon),
        ("transcripts/example-interview.txt", example),
        ("transcripts/second-interview.txt", second),
    ]

    /// Writes the files into `folder`, never replacing one that exists. Returns what it wrote
    /// and what it left alone.
    public static func write(into folder: String) throws(PipelineError) -> (written: [String], kept: [String]) {
        var written: [String] = []
        var kept: [String] = []
        for (relative, text) in files {
            let path = (folder as NSString).appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: path) {
                kept.append(path)
                continue
            }
            let parent = (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                // Why, from the system: a file where the folder goes, no permission, a read-only disk.
                let reason =
                    mkdir(parent, 0o755) == 0
                    ? nil : errno == EEXIST ? "a file of this name is there" : AtomicFile.describe(writeError: errno)
                throw PipelineError(
                    file: parent, message: "cannot create this folder" + (reason.map { ": " + $0 } ?? ""))
            }
            do {
                try AtomicFile.write(Data(text.utf8), to: path)
            } catch {
                throw PipelineError(file: error.file, message: error.message)
            }
            written.append(path)
        }
        return (written, kept)
    }

    static let pipeline = """
        # A TranscriptMiner pipeline: describe the study once, rerun it whenever transcripts or the
        # lexicon change. Paths are relative to this file. Check it with: tmine validate pipeline.yaml
        study: my-study

        inputs:
          # Files, folders or globs. Word (.docx), OpenDocument (.odt), RTF, TEI/Transcriber/ELAN
          # XML, WebVTT, SubRip (.srt) and text are read.
          paths: [transcripts]
          # exclude: ["*draft*"]
          speakers:
            # Labels added to the defaults (Interviewer, I, Q, Int / Participant N, P3, R, Respondent).
            interviewer: []
            participant: []
            # roles: {"Jane Smith": interviewer}

        # First column: participant id; every other column is an attribute to group by. A column
        # named `transcript` (or `file`) names each participant's transcript. A column of numbers
        # (age, years) can be grouped in ranges:
        #   participants:
        #     file: participants.csv
        #     bands:
        #       age: [30, 45]                              # in place: 0-29, 30-44, 45+
        #       experience: {from: years, at: [5, 10]}     # a new attribute: 0-4, 5-9, 10+
        participants: participants.csv

        stages:
          - tokenize:
              case: fold            # fold | lower | preserve
              stopwords: english    # english | none | a file with one word per line
              extraStopwords: [um, uh, yeah]
              annotations: false    # true: count the words of notes in square brackets ([laughs])
              phrases: sentence     # turn: phrases and n-grams may cross a sentence's end
          - kwic:
              queries: ["protected time", "hype", "regulat*"]
              window: 5
          - frequencies:
              groupings: [role, participant]
              ngrams: [1, 2]
              minCount: 2
              keyness:
                - grouping: role
                  group: Consultant
          - suggest:
              # Codes the lexicon's patterns suggest, each for a coder to accept, reject or recode:
              # tmine review pipeline.yaml --coder NAME (or tmine decide). Decisions are kept in
              # out/my-study/decisions/NAME.json and survive every rerun and lexicon edit.
              lexicon: lexicon.yaml
              unit: turn            # turn | sentence: the passage a suggestion quotes

        # Outputs go to <out>/<study>/.
        out: out

        """

    static let participants = """
        participant,role,years_in_field,transcript
        P1,Consultant,5+,example-interview.txt
        P2,Registrar,1-5,second-interview.txt

        """

    static let lexicon = """
        # A seed lexicon: themes, codes under them, and the words and phrases that suggest each code.
        # A human coder confirms or rejects every suggestion.
        codes:
          - name: Barriers
            description: What stops clinicians taking part in AI work.
          - name: Lack of protected time
            parent: Barriers
            description: No time in the job plan for AI or digital work.
            patterns: ["protected time", "no time", "evenings and weekends"]
          - name: Hype
            description: Overblown claims about AI.
            patterns: [hype, overpromis*, "silver bullet"]
            # Sentences the patterns must find (match) and must not (noMatch): tmine validate checks them.
            examples:
              match: ["The vendor overpromised, as they all do."]
              noMatch: ["The hyperlink in the letter was broken."]

        """

    static let example = """
        Interviewer: How did you come to work with AI?
        P1: By chance, really. A colleague asked me to look at a triage tool, and I found I enjoyed it.
        Interviewer: What gets in the way?
        P1: Time. There is no protected time for this; I do it in the evenings and weekends.
        And there is a lot of hype, which makes colleagues sceptical.
        Interviewer: And regulation?
        P1: Regulation is slow, but it protects patients.

        """

    /// A second participant, of another role: the starter's keyness compares the two.
    static let second = """
        Interviewer: How did you come to work with AI?
        P2: Through a research project in my second year. Nobody planned it.
        Interviewer: What gets in the way?
        P2: The rota. AI work happens in my own time, and the hype makes it hard to tell what is worth learning.
        Interviewer: And regulation?
        P2: Nobody could tell us who signs off a new model, or what the regulation asks of it.

        """
}
