import Corpus
import Foundation
import Testing

@testable import Ingest

/// The sample study as a new user meets it: every file, every turn, the right people.
@Suite struct SampleStudyTests {
    static let expected: [(file: String, format: TranscriptFormat, participant: String, turns: Int)] = [
        ("interview-01.docx", .docx, "P1", 8), ("interview-02.docx", .docx, "P2", 7),
        ("interview-03.docx", .docx, "P3", 7), ("interview-04.docx", .docx, "P4", 7),
        ("interview-05.docx", .docx, "P5", 7), ("interview-06.docx", .docx, "P6", 6),
        ("interview-07.xml", .tei, "P7", 7), ("interview-08.trs", .transcriber, "P8", 7),
        ("interview-09.eaf", .elan, "P9", 6), ("interview-10.vtt", .webvtt, "P10", 6),
        ("interview-11.txt", .text, "P11", 7),
    ]

    func batch() throws -> IngestBatch {
        let (table, warnings) = try ParticipantsReader().read(
            file: Fixture.sampleStudy.appendingPathComponent("participants.csv").path)
        #expect(warnings.isEmpty)
        return try Ingestor(participants: table).readAll([Fixture.sampleStudy.path])
    }

    @Test func everyTranscriptIsReadWithEveryTurnAttributed() throws {
        let batch = try batch()
        #expect(batch.failures.isEmpty)
        #expect(batch.documents.map(\.source).map { ($0 as NSString).lastPathComponent } == Self.expected.map(\.file))
        for (document, expected) in zip(batch.documents, Self.expected) {
            #expect(document.format == expected.format, "\(expected.file)")
            let participantTurns = document.segments.filter { $0.role == .participant }
            let interviewerTurns = document.segments.filter { $0.role == .interviewer }
            #expect(participantTurns.count == expected.turns, "\(expected.file)")
            #expect(interviewerTurns.count == expected.turns, "\(expected.file)")
            #expect(participantTurns.allSatisfy { $0.participantID == expected.participant }, "\(expected.file)")
            #expect(document.segments.filter { $0.role == .other }.count <= 1, "\(expected.file): only a title")
            #expect(document.rangesAreExact(), "\(expected.file)")
        }
    }

    @Test func libreOfficeAndPythonDocxBoldLabelsAgree() throws {
        let batch = try batch()
        let byWriter = batch.documents.filter { ["interview-02", "interview-05"].contains($0.id) }
        for document in byWriter {
            #expect(document.speakers.map(\.role).contains(.interviewer))
            #expect(document.segments.contains { $0.speaker.hasPrefix("Participant ") })
        }
    }

    @Test func timesFromTimedFormatsAreKept() throws {
        let batch = try batch()
        for id in ["interview-06", "interview-07", "interview-08", "interview-09", "interview-10", "interview-11"] {
            let document = try #require(batch.documents.first { $0.id == id })
            let timed = document.segments.filter { $0.role != .other }
            #expect(timed.allSatisfy { $0.start != nil }, "\(id)")
            #expect(zip(timed, timed.dropFirst()).allSatisfy { ($0.start ?? 0) <= ($1.start ?? 0) }, "\(id)")
        }
    }

    @Test func aFolderGoesOnPastBadFilesAndReportsThemAll() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "P1: fine.".write(to: folder.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            atPath: Fixture.path("legacy-word.doc"), toPath: folder.appendingPathComponent("b.doc").path)
        try FileManager.default.copyItem(
            atPath: Fixture.path("truncated.docx"), toPath: folder.appendingPathComponent("c.docx").path)
        try "P2: also fine.".write(to: folder.appendingPathComponent("d.txt"), atomically: true, encoding: .utf8)
        try "not a transcript".write(to: folder.appendingPathComponent("notes.md"), atomically: true, encoding: .utf8)
        try Data().write(to: folder.appendingPathComponent("~$a.docx"))
        let batch = try Ingestor().readAll([folder.path])
        #expect(batch.documents.map(\.id) == ["a", "d"])
        #expect(batch.failures.map(\.code) == [.legacyWordDocument, .invalidZip])
    }

    @Test func pipesLinksAndLoopsInAFolderAreReportedLoopsNeverFollowedPipesNeverWaitedOn() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("odd-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "P1: fine.".write(to: folder.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        #expect(mkfifo(folder.appendingPathComponent("pipe.txt").path, 0o644) == 0)  // opening it could block
        let links = FileManager.default
        try links.createSymbolicLink(
            atPath: folder.appendingPathComponent("dangling.txt").path, withDestinationPath: "gone.txt")
        try links.createSymbolicLink(
            atPath: folder.appendingPathComponent("self.txt").path, withDestinationPath: "self.txt")
        try links.createSymbolicLink(atPath: folder.appendingPathComponent("up").path, withDestinationPath: "..")
        try links.createSymbolicLink(atPath: folder.appendingPathComponent("loop").path, withDestinationPath: ".")
        // A link to a folder elsewhere (a shared drive's) is followed; one in there back to the
        // folder it was reached from is a loop, and is not.
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("elsewhere-\(UUID())")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        try "P2: there.".write(to: elsewhere.appendingPathComponent("b.txt"), atomically: true, encoding: .utf8)
        try links.createSymbolicLink(
            atPath: elsewhere.appendingPathComponent("back").path, withDestinationPath: folder.path)
        try links.createSymbolicLink(
            atPath: folder.appendingPathComponent("site B").path, withDestinationPath: elsewhere.path)
        let batch = try Ingestor().readAll([folder.path])
        #expect(batch.documents.map(\.id) == ["a", "b"])
        #expect(Ingestor.transcriptFiles(in: [folder.path]).files.last == folder.path + "/site B/b.txt")
        let messages = Dictionary(
            batch.failures.map { (($0.file as NSString).lastPathComponent, $0.message) },
            uniquingKeysWith: { a, _ in a })
        #expect(messages.keys.sorted() == ["dangling.txt", "pipe.txt", "self.txt"])
        #expect(messages["dangling.txt"]?.contains("does not exist") == true)
        #expect(messages["self.txt"]?.contains("loops") == true)
        #expect(messages["pipe.txt"]?.contains("not a regular file") == true)
        #expect(throws: IngestError.self) { try Ingestor.contents(of: folder.path) }
    }

    /// A folder two links (or a link and its real path) lead to is one folder: read once, by the
    /// path through no link, its words counted once; a transcript that is a link to one listed
    /// is read once too. Folders linked to one another are each listed once, not once a path.
    @Test func aFolderOrTranscriptSeveralPathsLeadToIsReadOnceByItsRealPath() throws {
        let study = FileManager.default.temporaryDirectory.appendingPathComponent("linked-\(UUID())")
        let links = FileManager.default
        try links.createDirectory(at: study.appendingPathComponent("site A"), withIntermediateDirectories: true)
        defer { try? links.removeItem(at: study) }
        try "P1: one.".write(to: study.appendingPathComponent("site A/p1.txt"), atomically: true, encoding: .utf8)
        try "P2: two.".write(to: study.appendingPathComponent("site A/p2.txt"), atomically: true, encoding: .utf8)
        // `all` and `latest`, before `site A` in the listing's order, lead to it.
        try links.createSymbolicLink(atPath: study.appendingPathComponent("all").path, withDestinationPath: "site A")
        try links.createSymbolicLink(
            atPath: study.appendingPathComponent("latest").path, withDestinationPath: study.path + "/site A")
        try links.createSymbolicLink(
            atPath: study.appendingPathComponent("a-copy.txt").path, withDestinationPath: "site A/p1.txt")
        // Two folders elsewhere, each holding links to the other and to itself from within.
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("mesh-\(UUID())")
        defer { try? links.removeItem(at: elsewhere) }
        for name in ["x", "y"] {
            try links.createDirectory(at: elsewhere.appendingPathComponent(name), withIntermediateDirectories: true)
            try "P3: \(name).".write(
                to: elsewhere.appendingPathComponent("\(name)/p3-\(name).txt"), atomically: true, encoding: .utf8)
            for (index, target) in ["x", "y", "x", "y"].enumerated() {
                try links.createSymbolicLink(
                    atPath: elsewhere.appendingPathComponent("\(name)/to-\(target)-\(index)").path,
                    withDestinationPath: elsewhere.appendingPathComponent(target).path)
            }
        }
        try links.createSymbolicLink(
            atPath: study.appendingPathComponent("shared").path, withDestinationPath: elsewhere.path)
        var unlisted: [IngestError] = []
        let files = try Ingestor.transcriptFiles(at: study.path, unlisted: &unlisted)
        #expect(unlisted.isEmpty)
        let relative = files.map { String($0.dropFirst(study.path.count + 1)) }
        #expect(relative == ["shared/x/p3-x.txt", "shared/y/p3-y.txt", "site A/p1.txt", "site A/p2.txt"])
        let batch = try Ingestor().readAll([study.path])
        #expect(batch.documents.map(\.id) == ["p3-x", "p3-y", "p1", "p2"])
        // The watcher watches the folders the listing lists, each by the path it was listed by.
        var watched: [String] = []
        Ingestor.walk(study.path, extensions: ["txt"], folder: { watched.append($0) }, transcript: { _, _ in }) {
            _, _ in
        }
        #expect(
            watched.map { String($0.dropFirst(study.path.count)) } == [
                "", "/site A", "/shared", "/shared/x", "/shared/y",
            ])
    }

    /// Paths are one file when they resolve to one real path: the same path twice and a path
    /// through a link are dropped; a hard link, another name with the same device and inode, is
    /// kept, as a file on a share that gives every file one inode would be.
    @Test func pathsAreOneFileWhenTheyResolveToOneRealPathNotWhenTheyShareAnInode() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("same-\(UUID())")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("a"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("a/p1.txt").path
        try "P1: one.".write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            atPath: folder.appendingPathComponent("b").path, withDestinationPath: "a")
        let hard = folder.appendingPathComponent("p1 copy.txt").path
        #expect(link(file, hard) == 0)
        let through = folder.appendingPathComponent("b/p1.txt").path
        #expect(Ingestor.droppingRepeats([through, file, hard, file]) == [file, hard])
        #expect(Ingestor.droppingRepeats([through, hard], links: [through]) == [through, hard])
    }

    @Test func documentIdsStayUniqueWhenStemsCollide() {
        #expect(Ingestor.uniqueIDs(for: ["x/a.txt", "x/a.vtt", "x/b.docx"]) == ["a.txt", "a.vtt", "b"])
        // One name in two folders: the path from the folder they share, without the extension
        // where that tells them apart, else with it.
        #expect(
            Ingestor.uniqueIDs(for: ["/s/t/site-a/P01.docx", "/s/t/site-b/P01.docx", "/s/t/site-b/P02.docx"]) == [
                "site-a/P01", "site-b/P01", "P02",
            ])
        #expect(
            Ingestor.uniqueIDs(for: ["/s/a/x.txt", "/s/a/x.vtt", "/s/b/x.txt"]) == ["a/x.txt", "a/x.vtt", "b/x.txt"])
        #expect(Ingestor.uniqueIDs(for: ["/s/a/b/x.txt", "/s/a/x.txt"]) == ["b/x", "x"])
        let many = (0..<50).map { "/study/\($0 % 2 == 0 ? "site-a" : "site-b")/P\($0 / 2).docx" }
        #expect(Set(Ingestor.uniqueIDs(for: many)).count == many.count)
    }

    /// Ids and names are cut from paths without bridging to `NSString`, which cut them the same.
    @Test func documentIdsAreFileNamesWithoutExtensionAsFoundationCutsThem() {
        let paths = [
            "a.txt", "dir/a.txt", "/x/y/b.docx", ".hidden", "a.", "a.b.c", "dir/", "noext", "x/.profile", "a..b",
            "/", "dir/.txt", "a. b", "x//y.txt", "Interview 3 (final).DOCX",
        ]
        for path in paths {
            let name = (path as NSString).lastPathComponent
            #expect(Ingestor.fileName(path) == name, "\(path)")
            let stem = (name as NSString).deletingPathExtension
            #expect(Ingestor.documentID(for: path) == (stem.isEmpty ? name : stem), "\(path)")
        }
    }

    @Test func subfoldersAreSearchedAndHiddenOrOtherFilesSkipped() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nested-\(UUID())")
        let inner = folder.appendingPathComponent("site B/week 2")
        try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent(".git"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for path in [
            "b.TXT", "site B/a.vtt", "site B/week 2/c.txt", "site B/week 2/d.srt", ".git/d.txt", ".e.txt", "notes.md",
        ] {
            try "P1: fine.".write(to: folder.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
        var unlisted: [IngestError] = []
        let files = try Ingestor.transcriptFiles(at: folder.path + "/", unlisted: &unlisted)
        #expect(
            files
                == ["b.TXT", "site B/a.vtt", "site B/week 2/c.txt", "site B/week 2/d.srt"].map {
                    folder.path + "/" + $0
                })
        #expect(unlisted.isEmpty)
        #expect(throws: IngestError.self) {
            try Ingestor.transcriptFiles(at: folder.path + "/missing", unlisted: &unlisted)
        }
    }

    /// A subfolder this user may not open (another team's interviews, a copy that kept its
    /// owner's permissions) is a failure naming it, and the folder's other transcripts are read;
    /// its transcripts were left out without a word. A top folder that cannot be opened, or a
    /// transcript that cannot be read, is named with the reason too.
    @Test func foldersAndFilesThisUserMayNotReadAreNamedWithTheReason() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("locked-\(UUID())")
        let locked = folder.appendingPathComponent("site B")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        defer {
            chmod(locked.path, 0o755)
            try? FileManager.default.removeItem(at: folder)
        }
        for path in ["a.txt", "c.txt", "site B/b.txt"] {
            try "P1: fine.".write(to: folder.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
        #expect(chmod(locked.path, 0) == 0)
        #expect(chmod(folder.appendingPathComponent("c.txt").path, 0) == 0)
        let (batch, top) = try Unprivileged.run {
            (Ingestor.transcriptFiles(in: [folder.path]), Ingestor.transcriptFiles(in: [locked.path]))
        }
        #expect(batch.files == [folder.path + "/a.txt", folder.path + "/c.txt"])
        #expect(batch.failures.map(\.file) == [locked.path])
        #expect(batch.failures.first?.message.contains("its transcripts were not read: permission denied") == true)
        #expect(top.files.isEmpty)
        #expect(
            top.failures.map(\.message) == [
                "cannot list the folder: permission denied: this user may not read the folder (check its permissions)"
            ])
        let unreadable = try Unprivileged.run {
            Result { () throws(IngestError) in try Ingestor.contents(of: folder.path + "/c.txt") }
        }
        #expect(throws: IngestError.self) { try unreadable.get() }
        if case .failure(let error) = unreadable {
            #expect(error.message.hasPrefix("permission denied: this user may not read the file"))
        }
    }

    @Test func documentsAreHandedOverInFileOrderWithFailuresInTheirPlace() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("each-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let names = (1...40).map { String(format: "t%02d", $0) }
        for name in names {
            // Sizes vary so that later files are often read before earlier ones.
            let text =
                name == "t17"
                ? "" : String(repeating: "P1: words \(name).\n", count: (41 - Int(name.dropFirst())!) * 50)
            try text.write(to: folder.appendingPathComponent(name + ".txt"), atomically: true, encoding: .utf8)
        }
        let listing = Ingestor.transcriptFiles(in: [folder.path, folder.path + "/missing"])
        #expect(listing.files.count == 40 && listing.failures.count == 1)
        var order: [String] = []
        try Ingestor().readEach(listing.files) { result in
            switch result {
            case .success(let document): order.append(document.id)
            case .failure(let error): order.append("failed " + Ingestor.documentID(for: error.file))
            }
        }
        #expect(order == names.map { $0 == "t17" ? "failed t17" : $0 })
        let batch = try Ingestor().readAll([folder.path])
        #expect(batch.documents.map(\.id) == names.filter { $0 != "t17" } && batch.failures.count == 1)
    }

}
