import Coding
import Corpus
import Foundation
import Ingest
import Testing
import TextAnalysis

@testable import Pipeline

@Suite struct PipelineReaderTests {
    /// A study's own files that cannot be read say why, not only that: a pipeline that is not
    /// there, a lexicon or participants path that names a folder, a decisions file gone.
    @Test func studyFilesThatCannotBeReadSayWhy() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let folder = workspace.root.appendingPathComponent("lexicons").path
        try FileManager.default.createDirectory(atPath: folder + "/codes.yaml", withIntermediateDirectories: true)
        let absent = workspace.root.appendingPathComponent("absent.yaml").path
        func failure(_ body: () throws -> Any) -> String {
            do {
                _ = try body()
                return "no error"
            } catch let error as IngestError {
                return error.message
            } catch let error as DecisionError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        #expect(
            failure { try PipelineReader.read(absent) }.hasSuffix("error: cannot read the pipeline file: no such file"))
        #expect(
            failure { try LexiconReader.read(folder + "/codes.yaml") }
                .hasSuffix("error: cannot read the lexicon file: this is a folder, not a file"))
        #expect(
            failure { try ParticipantsReader().read(file: folder) }
                == "cannot read the participants file: this is a folder, not a file")
        #expect(
            failure { try DecisionStore.decode(nil, path: absent) } == "cannot read the decisions file: no such file")
        #expect(AtomicFile.cannotRead("pipeline file", at: workspace.pipeline) == "cannot read the pipeline file")
    }

    /// Transcript paths are standardised by name as `URL.standardizedFileURL` does; a path that
    /// is already standard (what a folder listing gives) is kept as it is.
    @Test func pathsAreStandardisedAsURLsDoAndStandardOnesKept() {
        let paths = [
            "/", "/a", "/a/b.txt", "/a//b", "/a/./b", "/a/../b", "/a/b/", "/a/.", "/a/..", "/.hidden/x",
            "/a/..b/c", "/a/b../c", "/a/.../c", "/ä/ü.txt", "rel/x.txt", "./x", "../x", "/a/b/.",
        ]
        for path in paths {
            let expected = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: "/base/dir/"))
                .standardizedFileURL.path
            #expect(standardizedPath(path, in: "/base/dir") == expected, "\(path)")
            #expect(isStandardAbsolute(path) == (path == expected), "\(path)")
        }
    }

    /// Transcript paths are written relative to the study folder; the paths inside it are cut
    /// by bytes, the rest part by part, and both give what comparing parts gives.
    @Test func pathsInsideAndOutsideTheBaseAreMadeRelativeAsPartByPart() {
        let paths = [
            "/s/study/a.txt", "/s/study/sub/b.txt", "/s/studyx/c.txt", "/s/other/d.txt", "/s/study", "/t/e.txt",
            "/s/study/../f.txt", "/s/./study/g.txt", "/s/study/ä/é.txt", "/s/stud", "/s/study/",
        ]
        // (A path with nothing in common with the base stays absolute.)
        let expected = [
            "a.txt", "sub/b.txt", "../studyx/c.txt", "../other/d.txt", "", "/t/e.txt", "../f.txt", "g.txt",
            "ä/é.txt", "../stud", "",
        ]
        for base in ["/s/study", "/s/study/", "/s/./study"] {
            #expect(relativePaths(paths, from: base) == expected, "\(base)")
        }
        // Each part compared as a string: a decomposed é in the base still matches a composed one.
        #expect(relativePaths(["/s/caf\u{E9}/a.txt"], from: "/s/cafe\u{301}") == ["a.txt"])
        #expect(relativePaths(["/a/b.txt", "/c"], from: "/") == ["/a/b.txt", "/c"])
        #expect(relativePaths(["x/y.txt"], from: FileManager.default.currentDirectoryPath) == ["x/y.txt"])
    }

    func errors(_ yaml: String) -> [PipelineError] {
        do {
            _ = try PipelineReader.parse(yaml, file: "/tmp/p.yaml")
            return []
        } catch {
            return error.errors
        }
    }

    /// An out folder that is an input folder or holds one (`out: .` with the study named as the
    /// transcripts' folder) is refused: outputs sat among the transcripts and would replace a file
    /// named as an output. An out folder inside an input folder is not read as input.
    @Test func anOutFolderAmongTheTranscriptsIsRefusedAndAnOutFolderInsideTheInputsIsNotRead() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let found = errors(
            "study: corpus\ninputs: [\(workspace.root.path)/corpus]\nstages:\n  - tokenize: {}\nout: \(workspace.root.path)\n"
        )
        let name = workspace.root.lastPathComponent
        #expect(
            found.map(\.message) == [
                "the out folder \"\(name)/corpus\" holds the input \"\(name)/corpus\": outputs would sit among "
                    + "the transcripts; give out: a folder of its own"
            ])
        #expect(found.first?.line == 5)
        // Inputs [.]: the out folder inside them is left out of the listing.
        let pipeline = workspace.root.appendingPathComponent("all.yaml")
        try "study: s\ninputs: [corpus]\nstages:\n  - tokenize: {}\nout: corpus/out\n".write(
            to: pipeline, atomically: true, encoding: .utf8)
        let configuration = try PipelineReader.read(pipeline.path)
        try FileManager.default.createDirectory(atPath: configuration.outputFolder, withIntermediateDirectories: true)
        try "P1: an export kept here.\n".write(
            toFile: configuration.outputFolder + "/notes.txt", atomically: true, encoding: .utf8)
        var failures: [IngestError] = []
        let files = configuration.transcriptFiles(&failures)
        #expect(!files.isEmpty && failures.isEmpty)
        #expect(!files.contains { $0.hasSuffix("/notes.txt") }, "\(files)")
    }

    /// An input folder given with `..` is listed as its standardized path, so every transcript
    /// path is standard; a folder that cannot be listed is reported as the pipeline names it.
    @Test func transcriptsAreListedUnderTheInputsStandardPath() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let folder = workspace.root.appendingPathComponent("pipelines")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let pipeline = folder.appendingPathComponent("study.yaml").path
        try "study: s\ninputs: [../corpus]\nstages: [tokenize: {}]\nout: ../out\n".write(
            toFile: pipeline, atomically: true, encoding: .utf8)
        let configuration = try PipelineReader.read(pipeline)
        #expect(configuration.inputs == [folder.path + "/../corpus"])
        var failures: [IngestError] = []
        let files = configuration.transcriptFiles(&failures)
        #expect(failures.isEmpty)
        #expect(files.count == 11)
        #expect(files.allSatisfy { $0.hasPrefix(workspace.root.path + "/corpus/interview-") && !$0.contains("..") })
        #expect(files == files.map { standardizedPath($0) })
        try FileManager.default.removeItem(at: workspace.root.appendingPathComponent("corpus"))
        #expect(configuration.transcriptFiles(&failures).isEmpty)
        #expect(failures.map(\.file) == [folder.path + "/../corpus"])
    }

    /// `inputs.formats` lists only files of those formats from a folder; an OpenDocument text
    /// is one of them, and its turns reach the corpus as the Word file's did.
    @Test func formatsChooseWhichFilesOfAFolderAreRead() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let odt = workspace.root.appendingPathComponent("corpus/interview-02.odt")
        try FileManager.default.copyItem(
            at: Workspace.repository.appendingPathComponent("Tests/IngestTests/Fixtures/interview-02.odt"), to: odt)
        let files = try listed("{paths: [corpus], formats: [odt, vtt]}", in: workspace)
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["interview-02.odt", "interview-10.vtt"])
        let unknown = errors("study: s\ninputs: {paths: [c], formats: [pdf]}\nout: o\n")
        #expect(unknown.contains { $0.message.contains("unknown format \"pdf\"") && $0.message.contains("odt") })
    }

    /// The transcripts a pipeline with these `inputs` lists in the workspace, from its root; none
    /// failing.
    func listed(_ inputs: String, in workspace: Workspace) throws -> [String] {
        let pipeline = workspace.root.appendingPathComponent("study.yaml").path
        try "study: s\ninputs: \(inputs)\nstages: [tokenize: {}]\nout: out\n".write(
            toFile: pipeline, atomically: true, encoding: .utf8)
        var failures: [IngestError] = []
        let files = try PipelineReader.read(pipeline).transcriptFiles(&failures)
        #expect(failures.isEmpty)
        return files.map { relativePath($0, from: workspace.root.path) }
    }

    /// An input's `**` is any folders or none (`corpus/**/*.txt` takes `corpus/a.txt` and
    /// `corpus/site/b.txt`), as gitignore and editors read it; glob(3) read it as one folder
    /// exactly and left out every transcript directly in `corpus`. `formats` still choose, and a
    /// single `*` is one name as before.
    @Test func aDoubleStarInAnInputIsAnyFoldersOrNone() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let site = workspace.root.appendingPathComponent("corpus/site/deeper")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try "P1: Hype.\n".write(to: site.appendingPathComponent("b.txt"), atomically: true, encoding: .utf8)
        let deep = try listed("{paths: [\"corpus/**/*.txt\"]}", in: workspace)
        #expect(deep.contains("corpus/interview-11.txt") && deep.contains("corpus/site/deeper/b.txt"))
        #expect(deep.allSatisfy { $0.hasSuffix(".txt") })
        #expect(try listed("{paths: [\"corpus/**\"], formats: [vtt]}", in: workspace) == ["corpus/interview-10.vtt"])
        #expect(try listed("{paths: [\"corpus/*.txt\"]}", in: workspace).allSatisfy { !$0.contains("site/") })
    }

    /// A single folder's listing comes sorted and is taken as it is; inputs that name files out
    /// of order, or name one twice (a file and its folder), are still listed once each, in byte
    /// order.
    @Test func inputsOutOfOrderOrNamedTwiceAreListedOnceInByteOrder() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let pipeline = workspace.root.appendingPathComponent("study.yaml").path
        try """
        study: s
        inputs: [corpus/interview-11.txt, corpus, corpus/interview-02.docx]
        stages: [tokenize: {}]
        out: out
        """.write(toFile: pipeline, atomically: true, encoding: .utf8)
        var failures: [IngestError] = []
        let files = try PipelineReader.read(pipeline).transcriptFiles(&failures)
        #expect(failures.isEmpty)
        #expect(files.count == 11)
        #expect(Set(files).count == 11)
        #expect(files == files.sorted(by: utf8Precedes))
        #expect(files.first?.hasSuffix("/corpus/interview-01.docx") == true)
        #expect(files.last?.hasSuffix("/corpus/interview-11.txt") == true)
    }

    /// Inputs that lead to one file through a link (`corpus` and `all -> corpus`) list it once,
    /// by the path through no link, which is the path the exclusions name, as in one folder's
    /// listing: a transcript excluded (consent withdrawn, say) is not read through a link.
    @Test func inputsThatOverlapThroughALinkListEachFileOnceByAPathNotExcluded() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try FileManager.default.createSymbolicLink(
            atPath: workspace.root.appendingPathComponent("all").path, withDestinationPath: "corpus")
        let pipeline = workspace.root.appendingPathComponent("study.yaml").path
        for (exclude, listed) in [("[]", 11), ("[\"all/*\"]", 11), ("[\"corpus/interview-0*\"]", 2)] {
            try """
            study: s
            inputs: {paths: [corpus, all], exclude: \(exclude)}
            stages: [tokenize: {}]
            out: out
            """.write(toFile: pipeline, atomically: true, encoding: .utf8)
            var failures: [IngestError] = []
            let files = try PipelineReader.read(pipeline).transcriptFiles(&failures)
            #expect(failures.isEmpty)
            #expect(files.count == listed, "exclude: \(exclude)")
            #expect(files.allSatisfy { $0.contains("/corpus/interview-") }, "exclude: \(exclude)")
        }
        // Named to `tmine freq` and the other commands, twice or through the link: once.
        let corpus = workspace.root.appendingPathComponent("corpus").path
        let named = [workspace.root.appendingPathComponent("all").path, corpus, corpus + "/interview-11.txt"]
        let listing = Ingestor.transcriptFiles(in: named)
        #expect(listing.files.count == 11)
        #expect(listing.files.allSatisfy { $0.hasPrefix(corpus + "/") })
    }

    @Test func samplePipelineIsValid() throws {
        let path = Workspace.repository.appendingPathComponent("Pipelines/ai-doctors.yaml").path
        let configuration = try PipelineReader.read(path)
        #expect(configuration.study == "ai-doctors")
        #expect(configuration.stageOrder == ["tokenize", "kwic", "frequencies", "suggest"])
        #expect(configuration.suggest?.lexicon.codes.count ?? 0 >= 28)
        #expect(configuration.kwic?.queries.contains("protected time") == true)
        #expect(configuration.outputFolder.hasSuffix("out/ai-doctors"))
        #expect(configuration.ingest.labels.speakerRoles["Helen Carter"] == .interviewer)
    }

    /// The lexicon a pipeline names on a line of its own is found in its text (read ahead while
    /// the pipeline is parsed); anything less plain is left to the parse.
    @Test func theLexiconNamedOnALineOfItsOwnIsFoundAhead() {
        let resolve: (String) -> String = { "/base/" + $0 }
        func found(_ text: String) -> String? { LexiconAhead(pipeline: text, resolve: resolve)?.file }
        #expect(found("stages:\n  - suggest:\n      lexicon: codes.yaml\n      unit: turn\n") == "/base/codes.yaml")
        #expect(found("  - suggest:\r\n      lexicon: \"my codes.yaml\"   # the seed\r\n") == "/base/my codes.yaml")
        #expect(found("      lexicon: 'codes.yaml'\n") == "/base/codes.yaml")
        #expect(found("  - suggest: {lexicon: codes.yaml}\n") == nil)
        #expect(found("lexicon: a.yaml\nlexicon: b.yaml\n") == nil)
        #expect(found("      lexicon: \"a\\\"b.yaml\"\n") == nil)
        #expect(found("      lexicons: codes.yaml\n") == nil)
        #expect(found("      lexicon: *anchor\n") == nil)
    }

    /// The lexicon read ahead is the one the pipeline's parse would read: the same codes, and
    /// the same problems reported at the same lines when it has some.
    @Test func aLexiconReadAheadIsTheOneReadInTurn() throws {
        let path = Workspace.repository.appendingPathComponent("Pipelines/ai-doctors.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let ahead = try #require(
            LexiconAhead(
                pipeline: text,
                resolve: { path in
                    ((Workspace.repository.appendingPathComponent("Pipelines").path) as NSString)
                        .appendingPathComponent(path)
                }))
        let configuration = try PipelineReader.read(path)
        #expect(ahead.file == configuration.suggest?.lexiconFile)
        #expect(try LexiconAhead.lexicon(at: ahead.file, ahead: ahead) == configuration.suggest?.lexicon)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tmine-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let lexicon = folder.appendingPathComponent("bad.yaml")
        try "codes:\n  - name: a\n    patterns: [\"x*y*z\"]\n".write(to: lexicon, atomically: true, encoding: .utf8)
        let pipeline = "study: s\ninputs: [/tmp]\nstages:\n  - tokenize:\n  - suggest:\n      lexicon: bad.yaml\n"
        let bad = try #require(LexiconAhead(pipeline: pipeline, resolve: { folder.appendingPathComponent($0).path }))
        var direct: [String] = []
        var readAhead: [String] = []
        do { _ = try LexiconReader.read(lexicon.path) } catch { direct = error.errors.map(\.description) }
        do { _ = try LexiconAhead.lexicon(at: lexicon.path, ahead: bad) } catch {
            readAhead = error.errors.map(\.description)
        }
        #expect(!direct.isEmpty && readAhead == direct)
    }

    @Test func misspeltKeyNamesLineColumnAndTheRightKey() {
        let found = errors("study: s\ninputs: [/tmp]\nstagse:\n  - tokenize:\n")
        #expect(found.count == 2)  // the typo, and so no stages
        let typo = found[0]
        #expect(typo.line == 3 && typo.column == 1)
        #expect(typo.message.contains("did you mean \"stages\"?"))
        #expect(typo.description.hasPrefix("/tmp/p.yaml:3:1: error: unknown key \"stagse\""))
        #expect(typo.description.hasSuffix("stagse:\n^"))
    }

    /// A lexicon named but broken is reported where it is broken, and only there: the suggest
    /// stage went on to say it "needs a lexicon file", which had been named. One never named is.
    @Test func aBrokenLexiconIsReportedInItsOwnFileOnly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lexicon-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let lexicon = folder.appendingPathComponent("lexicon.yaml")
        try "codes:\n  - name: Hype\n    patterns: [hype, \"silver bullet\"\n".write(
            to: lexicon, atomically: true, encoding: .utf8)
        func errors(_ suggest: String) -> [PipelineError] {
            do {
                _ = try PipelineReader.parse(
                    "study: s\ninputs: [/tmp]\nstages:\n  - tokenize: {}\n  - suggest:\n" + suggest,
                    file: folder.appendingPathComponent("p.yaml").path)
                return []
            } catch {
                return error.errors
            }
        }
        let broken = errors("      lexicon: lexicon.yaml\n")
        #expect(broken.count == 1, "\(broken)")
        #expect(broken.first?.file.hasSuffix("lexicon.yaml") == true && broken.first?.line != nil)
        let unnamed = errors("      unit: turn\n")
        #expect(unnamed.map(\.message) == ["the suggest stage needs a lexicon file"])
    }

    /// A file saved with Windows line ends is placed and quoted as any other.
    @Test func aProblemInACRLFFileQuotesItsOwnLine() {
        let found = errors("study: s\r\ninputs: [/tmp]\r\nstagse:\r\n  - tokenize:\r\n")
        let typo = found.first { $0.message.contains("stagse") }
        #expect(typo?.line == 3 && typo?.column == 1)
        #expect(typo?.description.hasSuffix("stagse:\n^") == true)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let found = errors(
            """
            study: s
            inputs: [/no/such/folder]
            participants: /no/such.csv
            stages:
              - kwic:
                  queries: ["*"]
                  window: five
              - tokenize:
                  case: upper
                  stemming: true
            """)
        let messages = found.map(\.message)
        #expect(messages.contains { $0.contains("input \"/no/such/folder\" does not exist") })
        #expect(messages.contains { $0.contains("participants file \"/no/such.csv\" does not exist") })
        #expect(messages.contains { $0.contains("needs tokens") })
        #expect(messages.contains { $0.contains("matches everything") })
        #expect(messages.contains { $0.contains("window must be a whole number") })
        #expect(messages.contains { $0.contains("case is fold, lower or preserve") })
        #expect(messages.contains { $0.contains("unknown key \"stemming\"") })
        #expect(found.first { $0.message.contains("whole number") }?.line == 7)
    }

    /// A KWIC query listed twice, as written or as the same phrase with its quotation marks,
    /// is an error at the second entry: its lines would all be in kwic.json twice.
    /// A combination naming an attribute twice (groups "GP | GP") and a keyness comparison of a
    /// group with itself are errors at their entries.
    @Test func groupingsThatCompareNothingAreErrors() {
        let found = errors(
            "study: s\ninputs: [/tmp]\nstages:\n  - tokenize: {}\n  - frequencies:\n"
                + "      groupings: [role, \"role,role\"]\n"
                + "      keyness:\n        - {grouping: role, group: GP, reference: GP}\n")
        #expect(
            found.map(\.message) == [
                "groupings: \"role\" is twice in the combination role,role",
                "keyness: the reference \"GP\" is the group itself; compare it with another",
            ])
        #expect(found.map(\.line) == [6, 8])
        #expect(Grouping("role, years").problem == nil && Grouping("participant").problem == nil)
    }

    @Test func aQueryListedTwiceIsAnError() {
        let found = errors(
            "study: s\ninputs: [/tmp]\nstages:\n  - tokenize: {}\n  - kwic:\n"
                + "      queries: [hype, \"protected time\", 'hype', '\"protected time\"', hyp*]\n")
        #expect(
            found.map(\.message) == [
                #"kwic.queries lists "hype" twice"#,
                #"kwic.queries lists "protected time" twice (as ""protected time"")"#,
            ])
        #expect(found.allSatisfy { $0.line == 6 })
        // Each error points at its entry, not at the list's start (column 16).
        #expect(found.map(\.column) == [41, 49])
    }

    /// Whole numbers are read as YAML 1.1 reads them (Yams's reading, which plain decimals skip):
    /// a decimal, `0`, a leading `0` for octal, hex, `_` between digits, a sign; a quoted number
    /// or a fraction is not a whole number.
    @Test func wholeNumbersAreReadAsYAMLReadsThem() throws {
        let cases: [(written: String, read: Int?)] = [
            ("5", 5), ("0", 0), ("12", 12), ("500", 500), ("010", 8), ("07", 7), ("0x1f", 31), ("1_0", 10),
            ("+7", 7), (#""5""#, nil), ("'5'", nil), ("5.0", nil), ("٥", nil),
        ]
        for (written, read) in cases {
            let yaml = """
                study: s
                inputs: [/tmp]
                stages:
                  - tokenize: {}
                  - kwic:
                      queries: [hype]
                      window: \(written)
                """
            if let read {
                let configuration = try PipelineReader.parse(yaml, file: "/tmp/p.yaml")
                #expect(configuration.kwic?.options.window == read, "\(written)")
            } else {
                #expect(errors(yaml).contains { $0.message.contains("window must be a whole number") }, "\(written)")
            }
        }
    }

    @Test func theFallbackEncodingIsWindows1252ByAnyOfItsNames() throws {
        for name in ["windows-1252", "CP1252", "latin-1", "ISO-8859-1"] {
            let configuration = try PipelineReader.parse(
                "study: s\ninputs:\n  paths: [/tmp]\n  fallbackEncoding: \(name)\nstages:\n  - tokenize: {}\n",
                file: "/tmp/p.yaml")
            #expect(configuration.ingest.fallbackEncoding == .windows1252, "\(name)")
        }
        for (name, encoding) in [
            ("windows-1251", FallbackEncoding.windows1251), ("CP1250", .windows1250), ("cp874", .windows874),
        ] {
            let configuration = try PipelineReader.parse(
                "study: s\ninputs:\n  paths: [/tmp]\n  fallbackEncoding: \(name)\nstages:\n  - tokenize: {}\n",
                file: "/tmp/p.yaml")
            #expect(configuration.ingest.fallbackEncoding == encoding, "\(name)")
        }
        let problems = errors(
            "study: s\ninputs:\n  paths: [/tmp]\n  fallbackEncoding: koi8-r\nstages:\n  - tokenize: {}\n")
        #expect(problems.contains { $0.message.contains("unknown fallback encoding \"koi8-r\"") && $0.line == 4 })
    }

    /// Notes in square brackets are skipped unless the tokenize stage keeps them; a run report
    /// written before the setting existed still reads (as skipping them: it did not).
    @Test func notesInBracketsAreKeptOnlyWhenAsked() throws {
        func annotations(_ stage: String) throws -> Bool {
            try PipelineReader.parse("study: s\ninputs: [/tmp]\nstages:\n  - tokenize: \(stage)\n", file: "/tmp/p.yaml")
                .tokenize.options.annotations
        }
        #expect(try annotations("{}") == false)
        #expect(try annotations("{annotations: true}") == true)
        #expect(errors("study: s\ninputs: [/tmp]\nstages:\n  - tokenize: {annotations: some}\n").count == 1)
        let older =
            #"{"caseMode":"fold","foldDiacritics":false,"apostrophes":true,"possessiveApostrophe":true,"#
            + #""hyphens":true,"numberSeparators":true,"numbers":true,"urls":true}"#
        let options = try JSONDecoder().decode(Tokenizer.Options.self, from: Data(older.utf8))
        #expect(options == Tokenizer.Options())
    }

    /// Phrases stay inside a sentence unless the tokenize stage says `phrases: turn`; another
    /// value is an error placed on its line that names both.
    @Test func phrasesReachASentenceOrTheTurn() throws {
        func phrases(_ stage: String) throws -> Tokenizer.Options.PhraseScope {
            try PipelineReader.parse("study: s\ninputs: [/tmp]\nstages:\n  - tokenize: \(stage)\n", file: "/tmp/p.yaml")
                .tokenize.options.phrases
        }
        #expect(try phrases("{}") == .sentence)
        #expect(try phrases("{phrases: turn}") == .turn)
        #expect(try phrases("{phrases: sentence}") == .sentence)
        let initialisms = try PipelineReader.parse(
            "study: s\ninputs: [/tmp]\nstages:\n  - tokenize: {initialisms: false}\n", file: "/tmp/p.yaml")
        #expect(initialisms.tokenize.options.initialisms == false)
        let problems = errors("study: s\ninputs: [/tmp]\nstages:\n  - tokenize: {phrases: paragraph}\n")
        #expect(problems.count == 1)
        #expect(
            problems.first?.message.contains("phrases is sentence (a phrase stays inside a sentence) or turn") == true)
        #expect(problems.first?.line == 4)
    }

    /// `participants` is a path, or its file with numeric columns banded in place (a list of
    /// bounds) or as new attributes (`from`, `at`, `labels`); every mistake in a band is placed.
    @Test func bandsAreReadInPlaceOrAsNewAttributes() throws {
        let head = "study: s\ninputs: [/tmp]\nstages:\n  - tokenize: {}\nparticipants:\n  file: /tmp\n"
        let configuration = try PipelineReader.parse(
            head + "  bands:\n    years: [5, 10]\n    stage: {from: years, at: [2.5], labels: [early, late]}\n",
            file: "/tmp/p.yaml")
        #expect(configuration.participants == "/tmp")
        #expect(
            configuration.bands == [
                AttributeBand(name: "years", source: "years", bounds: [5, 10]),
                AttributeBand(name: "stage", source: "years", bounds: [2.5], labels: ["early", "late"]),
            ])
        #expect(try PipelineReader.parse(head, file: "/tmp/p.yaml").bands.isEmpty)
        let cases: [(bands: String, message: String, line: Int)] = [
            ("    years: [10, 5]", "the bounds of participants.bands.years must rise", 8),
            ("    years: [5, 5]", "must rise", 8),
            ("    years: [5, ten]", "each bound of participants.bands.years must be a number", 8),
            ("    years: []", "needs at least one bound", 8),
            ("    years: {from: age}", "participants.bands.years needs its bounds (at: [5, 10])", 8),
            ("    years: {at: [5], labels: [a, b, c]}", "has 1 bounds, so 2 bands, and needs a label for each", 8),
            ("    years: {at: [5], labels: [a, a]}", "must differ", 8),
            ("    years: {at: [5], label: [a, b]}", "did you mean \"labels\"?", 8),
        ]
        for (bands, message, line) in cases {
            let found = errors(head + "  bands:\n" + bands + "\n")
            #expect(
                found.count == 1 && found[0].message.contains(message) && found[0].line == line, "\(bands): \(found)")
        }
        #expect(
            errors(head.replacingOccurrences(of: "  file: /tmp\n", with: "  bands: {}\n")).contains {
                $0.message.contains("participants needs its file")
            })
    }

    @Test func aliasBombsAreRefused() {
        var anchors = "      extraStopwords: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        let keys = [
            "numbers", "urls", "hyphens", "apostrophes", "possessives", "numberSeparators", "case", "diacritics",
        ]
        for level in 1...8 {
            anchors +=
                "      \(keys[level - 1]): &a\(level) ["
                + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
                + "]\n"
        }
        let yaml =
            "study: s\ninputs: [/tmp]\nstages:\n  - tokenize:\n" + anchors
            + "  - kwic:\n      queries: *a8\n"
        let found = errors(yaml)
        #expect(found.contains { $0.message.contains("anchors (&name) are not allowed") })
        #expect(found.count < 50)
    }

    @Test func deepNestingIsRefusedBeforeParsing() {
        let yaml = "study: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let found = errors(yaml)
        #expect(found.count == 1)
        #expect(found[0].message.contains("nesting deeper"))
    }

    /// The nesting limit's problem is placed at the bracket past the limit: its line (CRLF
    /// lines counted too) and its column in characters, not bytes.
    @Test func deepNestingIsPlacedByLineAndCharacter() {
        let text = "a: b\r\nc: é" + String(repeating: "[", count: 70)
        #expect(YAMLNodeReader.excessiveNesting(text)! == (2, 4 + YAMLNodeReader.maximumDepth + 1))
        let oldMac = text.replacingOccurrences(of: "\r\n", with: "\r")
        #expect(YAMLNodeReader.excessiveNesting(oldMac)! == (2, 4 + YAMLNodeReader.maximumDepth + 1))
        #expect(YAMLNodeReader.excessiveNesting("a: \"[[[[\"\n" + String(repeating: "[", count: 64)) == nil)
        let indented = "a:\n" + String(repeating: " ", count: YAMLNodeReader.maximumDepth * 8 + 1) + "b: c\n"
        #expect(YAMLNodeReader.excessiveNesting(indented)! == (2, YAMLNodeReader.maximumDepth * 8 + 1))
    }

    @Test func brokenYAMLSyntaxKeepsItsPosition() {
        let found = errors("study: s\ninputs: [a, b\nstages: x\n")
        #expect(found.count == 1)
        #expect(found[0].line != nil)
        #expect(found[0].message.hasPrefix("YAML:"))
    }
}
