import Corpus
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How transcripts are read: speaker labels, zip limits, optional Word parts, text decoding.
public struct IngestOptions: Sendable, Hashable, Codable {
    public var labels: SpeakerLabels
    public var zipLimits: ZipLimits
    /// Word parts beside the body to read too (comments, footnotes …); none by default.
    public var docxParts: Set<DocxPart>
    /// Replace invalid UTF-8 or UTF-16 with U+FFFD instead of failing on it.
    public var replaceInvalidText: Bool
    /// Read text that is not UTF-8 (and has no BOM) in this encoding instead of failing on it.
    public var fallbackEncoding: FallbackEncoding?

    public init(
        labels: SpeakerLabels = SpeakerLabels(), zipLimits: ZipLimits = ZipLimits(), docxParts: Set<DocxPart> = [],
        replaceInvalidText: Bool = false, fallbackEncoding: FallbackEncoding? = nil
    ) {
        self.labels = labels
        self.zipLimits = zipLimits
        self.docxParts = docxParts
        self.replaceInvalidText = replaceInvalidText
        self.fallbackEncoding = fallbackEncoding
    }
}

/// The documents of a batch and the files that could not be read, each with its reason.
public struct IngestBatch: Sendable {
    public var documents: [Document]
    public var failures: [IngestError]
}

/// Reads transcript files of every supported format into ``Document``s of speaker turns.
///
/// The format comes from the content (see ``TranscriptFormat``); turns are resolved to roles
/// and participants with the ``ParticipantTable``. Reading a folder goes on past bad files.
public struct Ingestor: Sendable {
    public let options: IngestOptions
    public let participants: ParticipantTable
    private let participantIndex: ParticipantIndex
    private let segmenter: LineSegmenter

    /// Throws ``IngestError`` when a configured label pattern is not a valid regular expression.
    public init(options: IngestOptions = IngestOptions(), participants: ParticipantTable = .empty) throws {
        self.options = options
        self.participants = participants
        participantIndex = ParticipantIndex(participants)
        do {
            segmenter = try LineSegmenter(labels: options.labels)
        } catch {
            throw IngestError(
                .malformedTranscript, file: "(speaker label patterns)",
                message: "a label pattern is not a valid regular expression: \(error)")
        }
    }

    /// Reads one transcript file. Throws ``IngestError`` naming the file and the place.
    public func read(file path: String) throws -> Document {
        try read(data: try Self.contents(of: path), source: path)
    }

    /// Reads a transcript held in memory; `source` names it in errors and in the document.
    public func read(data: Data, source: String, id: String? = nil) throws -> Document {
        let format = try FormatDetector.detect(data, file: source)
        let fellBack = options.fallbackEncoding.map { _ in FallbackUse() }
        let decoder = TextDecoder(
            replacingInvalid: options.replaceInvalidText, fallback: options.fallbackEncoding, fellBack: fellBack)
        let reader: any TranscriptReader =
            switch format {
            case .docx: DocxReader(limits: options.zipLimits, extraParts: options.docxParts)
            case .text: PlainTextReader(decoder: decoder)
            case .webvtt: WebVTTReader(decoder: decoder, knownLabels: segmenter.knownKeys)
            case .subrip: WebVTTReader(decoder: decoder, subRip: true, knownLabels: segmenter.knownKeys)
            case .tei: TEIReader()
            case .transcriber: TranscriberReader()
            case .elan: ELANReader()
            case .odt: OpenDocumentReader(limits: options.zipLimits)
            case .rtf: RTFReader()
            }
        var draft: TranscriptDraft =
            switch try reader.read(data, file: source) {
            case .lines(let lines): segmenter.segment(lines)
            case .turns(let turns): TranscriptDraft(spokenTurns: turns)
            }
        if let note = FormatDetector.misnamedTextNote(format, file: source) { draft.notes.append(note) }
        if let fallback = options.fallbackEncoding, fellBack?.used == true {
            draft.notes.append("not UTF-8: read as \(fallback.rawValue), the fallback encoding")
        }
        // Nothing to analyse: a scanned page in a Word file, captions without cues. It was read
        // as a document of no turns, and left out of every count without a word.
        if draft.turns.isEmpty {
            let scanned = format == .docx || format == .odt || format == .rtf
            throw IngestError(
                .noTurns, file: source,
                message: "the transcript has no text" + (scanned ? " (a scanned page, or pictures only?)" : ""),
                hint: scanned ? "run the scan through OCR, or export the transcript as text" : nil)
        }
        let resolver = SpeakerResolver(labels: options.labels, participants: participantIndex)
        return resolver.resolve(draft, id: id ?? Self.documentID(for: source), source: source, format: format)
    }

    /// Reads files and folders (every transcript inside, sorted by path), going on past failures.
    ///
    /// Documents are read in parallel; the result keeps input order. Document ids are file names
    /// without extension, or with it where two inputs would share an id.
    public func readAll(_ paths: [String]) -> IngestBatch {
        let listing = Self.transcriptFiles(in: paths)
        var batch = IngestBatch(documents: [], failures: listing.failures)
        readEach(listing.files) { result in
            switch result {
            case .success(let document): batch.documents.append(document)
            case .failure(let error): batch.failures.append(error)
            }
        }
        return batch
    }

    /// The transcript files at each path (see ``transcriptFiles(at:extensions:)``), each file
    /// once however many of the paths lead to it, and the paths that could not be listed.
    public static func transcriptFiles(in paths: [String]) -> (files: [String], failures: [IngestError]) {
        var failures: [IngestError] = []
        var files: [String] = []
        for path in paths {
            do {
                files += try transcriptFiles(at: path, unlisted: &failures)
            } catch let error as IngestError {
                failures.append(error)
            } catch {
                failures.append(IngestError(.unreadableFile, file: path, message: "\(error)"))
            }
        }
        return (paths.count > 1 ? droppingRepeats(files) : files, failures)
    }

    /// Reads files in parallel and hands each document or failure to `deliver` in file order, as
    /// soon as it and those before it are read, one call at a time (from any thread), so that a
    /// caller can write each and let it go instead of holding the whole batch. Reading runs at
    /// most ``readAhead`` files ahead of the last one delivered: with a slow consumer (a terminal,
    /// a pipe) it held every document read and not yet written, 259 MB for a 100 MB folder.
    /// Ids as ``readAll(_:)``.
    public func readEach(_ files: [String], deliver: (Result<Document, IngestError>) -> Void) {
        readEach(files, making: { $0 }, deliver: deliver)
    }

    /// ``readEach(_:deliver:)`` handing over what `make` makes of each document, made on the
    /// core that read it (a command that tokenises and counts each document alone uses both
    /// cores and holds a few documents, not the corpus).
    public func readEach<Value>(
        _ files: [String], making make: @escaping @Sendable (Document) -> Value,
        deliver: (Result<Value, IngestError>) -> Void
    ) {
        readEach(files, ahead: Self.readAhead, read: { try read(file: $0) }, making: make, deliver: deliver)
    }

    /// How many files ``readEach(_:deliver:)`` reads beyond the last delivered: enough for every
    /// core to be reading while one document is being written.
    static let readAhead = 2 * activeCores + 2

    /// ``readEach(_:making:deliver:)`` with the read-ahead and the reading of one file given.
    func readEach<Value>(
        _ files: [String], ahead: Int, read: @escaping @Sendable (String) throws -> Document,
        making make: @escaping @Sendable (Document) -> Value, deliver: (Result<Value, IngestError>) -> Void
    ) {
        let ids = Self.uniqueIDs(for: files)
        withoutActuallyEscaping(deliver) { deliver in
            inOrderBatches(
                files.count, batch: 1, window: ahead, budget: .max, size: { _ in 0 },
                make: { index -> Result<Value, IngestError> in
                    do {
                        var document = try read(files[index])
                        document.id = ids[index]
                        return .success(make(document))
                    } catch let error as IngestError {
                        return .failure(error)
                    } catch {
                        return .failure(IngestError(.unreadableFile, file: files[index], message: "\(error)"))
                    }
                },
                deliver: { results, letGo in
                    for result in results { deliver(result) }
                    letGo()
                })
        }
    }

    /// File extensions taken from a folder; `.doc` is included so that the researcher is told
    /// what to do with it rather than have it skipped silently.
    public static let transcriptExtensions: Set<String> = [
        "docx", "xml", "tei", "trs", "eaf", "vtt", "srt", "txt", "text", "doc", "rtf", "odt",
    ]

    /// What to say when `paths` hold no transcript at all: which files are read, so that a folder
    /// of `.pdf`s, or the wrong folder, is told from a run that read nothing for another reason.
    public static func noTranscripts(in paths: [String], extensions: Set<String> = transcriptExtensions) -> String {
        "no transcript in " + Corpus.joined(paths, separator: ", ") + " (files ending "
            + Corpus.joined(extensions.sorted().map { "." + $0 }, separator: ", ")
            + " are read, in folders and their subfolders)"
    }

    /// The transcript files at a path: the file itself, or those in a folder and its subfolders.
    /// Throws when the path cannot be read or listed; a subfolder that cannot be listed is a
    /// failure added to `unlisted`, and the rest is listed.
    public static func transcriptFiles(
        at path: String, extensions: Set<String> = transcriptExtensions, unlisted: inout [IngestError]
    ) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw IngestError(.unreadableFile, file: path, message: "no such file or folder")
        }
        guard isDirectory.boolValue else { return [path] }
        var files: [String] = []
        var linkedFiles: Set<String> = []
        let folder = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        let code = walk(
            folder, extensions: extensions,
            transcript: { path, isLink in
                files.append(path)
                if isLink { linkedFiles.insert(path) }
            },
            unlisted: { path, code in
                unlisted.append(
                    IngestError(
                        .unreadableFile, file: path,
                        message: "cannot list this folder, so its transcripts were not read: "
                            + AtomicFile.describe(openError: code, folder: true)))
            })
        if let code {
            throw IngestError(
                .unreadableFile, file: path,
                message: "cannot list the folder: " + AtomicFile.describe(openError: code, folder: true))
        }
        files.sort(by: utf8Precedes)
        return linkedFiles.isEmpty ? files : droppingRepeats(files, links: linkedFiles)
    }

    /// `files` with each file once (the same path twice, or two paths to one file through
    /// links): read once, by the path that is not among `links`, else the one through no link,
    /// else the first. Read twice, its words were counted twice, silently in `tmine freq`.
    public static func droppingRepeats(_ files: [String], links: Set<String> = []) -> [String] {
        // One file is one real path. A `stat` each finds the candidates (one device and inode);
        // real paths, a walk of every folder on the way, are compared only for those: a file
        // system that gives files no inodes of their own (some shares) must not make two one.
        var kept: [FileIdentity: [(index: Int, real: String?)]] = [:]
        var keep = [Bool](repeating: true, count: files.count)
        for (index, file) in files.enumerated() {
            guard let identity = FileIdentity(file) else { continue }
            guard var candidates = kept[identity] else {
                kept[identity] = [(index, nil)]
                continue
            }
            let real = realPath(file)
            for position in candidates.indices where candidates[position].real == nil {
                candidates[position].real = realPath(files[candidates[position].index])
            }
            if let real, let position = candidates.firstIndex(where: { $0.real == real }) {
                let earlier = candidates[position].index
                if prefers(file, over: files[earlier], real: real, links: links) {
                    (keep[earlier], candidates[position].index) = (false, index)
                } else {
                    keep[index] = false
                }
            } else {
                candidates.append((index, real))
            }
            kept[identity] = candidates
        }
        return files.indices.filter { keep[$0] }.map { files[$0] }
    }

    /// Whether `path` is a better name than `other` for one file, whose real path is `real`:
    /// not among `links` where `other` is, else the real path itself where `other` is not.
    private static func prefers(_ path: String, over other: String, real: String, links: Set<String>) -> Bool {
        let (linked, otherLinked) = (links.contains(path), links.contains(other))
        if linked != otherLinked { return otherLinked }
        return path == real && other != real
    }

    /// A file as the file system knows it, whatever the path to it (links followed).
    struct FileIdentity: Hashable {
        let device: UInt64
        let inode: UInt64

        init?(_ path: String) {
            var status = stat()
            guard stat(path, &status) == 0 else { return nil }
            (device, inode) = (UInt64(status.st_dev), UInt64(status.st_ino))
        }
    }

    /// Walks the folders a listing of transcripts reads under `root` (hidden names and Word's
    /// `~$` lock files skipped), calling `folder` for each folder listed, `transcript` for each
    /// transcript (by extension; whether the entry is a link) and `unlisted` for each subfolder
    /// that cannot be listed, with its `errno` (skipped without a word, as Foundation's
    /// enumerator skipped it, its transcripts were missing from a study that reported nothing
    /// wrong); the `errno` when `root` itself cannot be listed, else nil.
    ///
    /// Every folder is listed once, however many paths lead to it: the real subfolders first,
    /// then the linked ones a round at a time in path order (so the path through no link, or
    /// else the first, is the one listed, whatever order the folders come in). A link is not
    /// followed to a folder that holds one on the way to it (`up -> ..`, `/`: a loop, or all the
    /// disk); skipped, as links were once, a link to a shared drive's folder lost its
    /// transcripts without a word. Followed as often as paths led to it, a folder two links
    /// named was read twice, its words counted twice, and folders linked to one another
    /// multiplied the paths beyond counting. The run's listing and the watcher (`tmine run
    /// --watch`) both walk by this.
    /// Read with `readdir`: Foundation's enumerator, with a URL and its properties per entry,
    /// was a twentieth of a 100 MB lexicon edit.
    @discardableResult
    public static func walk(
        _ root: String, extensions: Set<String>, skipping: String? = nil, folder: (String) -> Void = { _ in },
        transcript: (String, _ isLink: Bool) -> Void, unlisted: (String, Int32) -> Void
    ) -> Int32? {
        // Folders by their real paths: a real subfolder's is its folder's and its name (no call
        // to the file system), a linked one's resolved. Not by device and inode, which a file
        // system without inodes of its own may repeat: a folder taken for one listed already
        // would lose its transcripts without a word.
        var listed: Set<String> = []
        /// Links that are not transcripts, with the real paths of the folders on the way to them.
        var links: [(path: String, way: [String])] = []
        func list(_ path: String, real: String, way: [String]) -> Int32? {
            folder(path)
            let way = way + [real]
            var subfolders: [(path: String, name: String)] = []
            let code = listFolder(path) { name, path, kind in
                if kind == .folder {
                    if path != skipping { subfolders.append((path, name)) }
                } else if isTranscript(name, extensions: extensions) {
                    transcript(path, kind == .link)
                } else if kind == .link {
                    links.append((path, way))
                }
            }
            if code != nil { return code }
            for (subfolder, name) in subfolders.sorted(by: { utf8Precedes($0.path, $1.path) }) {
                // A real folder is listed once too: one under a linked folder may be listed already.
                let subfolderReal = real == "/" ? "/" + name : real + "/" + name
                guard listed.insert(subfolderReal).inserted else { continue }
                if let code = list(subfolder, real: subfolderReal, way: way) { unlisted(subfolder, code) }
            }
            return nil
        }
        let rootReal = realPath(root) ?? root
        listed.insert(rootReal)
        if let code = list(root, real: rootReal, way: []) { return code }
        while !links.isEmpty {
            var round: [(path: String, way: [String])] = []
            swap(&round, &links)
            for (path, way) in round.sorted(by: { utf8Precedes($0.path, $1.path) }) where path != skipping {
                var status = stat()
                guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, let target = realPath(path),
                    !holdsFolder(of: way, target: target), listed.insert(target).inserted
                else { continue }
                if let code = list(path, real: target, way: way) { unlisted(path, code) }
            }
        }
        return nil
    }

    /// Whether `target`, the real path of a linked folder, holds one of the folders of `way`
    /// (their real paths), or is the root of the disk: followed, the link would come back
    /// round, or list everything.
    private static func holdsFolder(of way: [String], target: String) -> Bool {
        target == "/" || way.contains { $0 == target || $0.hasPrefix(target + "/") }
    }

    /// The path with every link resolved, or nil when it cannot be.
    package static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether a file of this name is listed as a transcript: its extension, in any case, is one
    /// of `extensions`.
    public static func isTranscript(_ name: String, extensions: Set<String>) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return extensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// What a folder's entry is, as its listing says (a link not followed).
    public enum EntryKind: Sendable { case folder, link, other }

    /// Calls `body` with the name, path and kind of each entry of `folder` a listing of
    /// transcripts looks at (hidden names and Word's `~$` lock files skipped); the `errno` of
    /// `opendir` when the folder cannot be listed, else nil.
    @discardableResult
    public static func listFolder(_ folder: String, _ body: (String, String, EntryKind) -> Void) -> Int32? {
        guard let directory = opendir(folder) else { return errno }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            // Read in place: `entry.pointee.d_name` copied the whole 256-byte field, past the end
            // of an entry as long as its name.
            let name = AtomicFile.entryName(entry)
            guard !name.hasPrefix("."), !name.hasPrefix("~$") else { continue }
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            var type = Int32(entry.pointee.d_type)
            if type == Int32(DT_UNKNOWN) {
                var status = stat()
                if lstat(path, &status) == 0 {
                    type =
                        status.st_mode & S_IFMT == S_IFDIR
                        ? Int32(DT_DIR) : status.st_mode & S_IFMT == S_IFLNK ? Int32(DT_LNK) : type
                }
            }
            body(name, path, type == Int32(DT_DIR) ? .folder : type == Int32(DT_LNK) ? .link : .other)
        }
        return nil
    }

    /// A file's name without its extension.
    public static func documentID(for path: String) -> String {
        let name = fileName(path)
        let stem = name.lastIndex(of: ".").map { dot in dot == name.startIndex ? name : String(name[..<dot]) } ?? name
        return stem.isEmpty ? name : stem
    }

    /// The last component of a path, as `NSString.lastPathComponent` gives it, without bridging
    /// (done for every transcript of every run).
    static func fileName(_ path: String) -> String {
        // A file's path: the part after its last slash, found without splitting the whole path.
        if let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), slash != path.utf8.index(before: path.utf8.endIndex)
        {
            return String(path[path.utf8.index(after: slash)...])
        }
        return path.split(separator: "/").last.map(String.init) ?? (path.hasPrefix("/") ? "/" : path)
    }

    /// Document ids for files: the name without extension; where two would share one, the name
    /// with it (`a.txt`, `a.vtt`); where those are shared too (one name in two folders, as
    /// `site-a/P01.docx` and `site-b/P01.docx`), the path from the folder they share, without the
    /// extension if that tells them apart (`site-a/P01`). Two documents had one id: their
    /// suggestions, KWIC lines and exported sources could not be told apart.
    public static func uniqueIDs(for files: [String]) -> [String] {
        let stems = files.map(documentID(for:))
        // Counted first, and only the shared ones grouped: a study's stems are nearly all its own.
        var counts: [String: Int] = [:]
        for stem in stems { counts[stem, default: 0] += 1 }
        var groups: [String: [Int]] = [:]
        for (index, stem) in stems.enumerated() where counts[stem, default: 0] > 1 {
            groups[stem, default: []].append(index)
        }
        var ids = stems
        for members in groups.values {
            let names = members.map { fileName(files[$0]) }
            if Set(names).count == names.count {
                for (member, name) in zip(members, names) { ids[member] = name }
                continue
            }
            let paths = members.map { files[$0].split(separator: "/", omittingEmptySubsequences: false) }
            // The folders the files share: every part but the last that all their paths begin with.
            var shared = 0
            while let first = paths.first, shared < first.count - 1,
                paths.allSatisfy({ shared < $0.count - 1 && $0[shared] == first[shared] })
            {
                shared += 1
            }
            let relative = paths.map { $0.dropFirst(shared).joined(separator: "/") }
            let withoutExtensions = zip(relative, members).map { path, member in
                String(path.dropLast(fileName(files[member]).count)) + stems[member]
            }
            let chosen = Set(withoutExtensions).count == members.count ? withoutExtensions : relative
            for (member, id) in zip(members, chosen) { ids[member] = id }
        }
        return ids
    }
}
