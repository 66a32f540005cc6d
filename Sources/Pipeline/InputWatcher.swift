import Foundation
import Ingest

#if canImport(Glibc)
    import Glibc
#endif

/// What a run reads, as folders to watch (`tmine run --watch`): the pipeline file, its lexicon,
/// participants and stopword files, every folder under each transcript input, and the coders'
/// decisions. Files are watched through their folders, as editors save by renaming a new file
/// over the old one; the out folder is never walked, so a run's own writes wake nothing.
public struct WatchedInputs: Sendable, Equatable {
    /// Files watched by name.
    public private(set) var files: Set<String> = []
    /// Folders in which a transcript (by extension, as the run lists them) or a subfolder matters.
    public private(set) var transcriptFolders: Set<String> = []
    /// Folders in which any `.json` matters (coders' decision logs).
    public private(set) var decisionFolders: Set<String> = []
    /// Folders in which every name matters (a pipeline that could not be read names no more).
    public private(set) var openFolders: Set<String> = []
    let extensions: Set<String>
    /// The out folder: nothing in it matters but the decisions.
    private(set) var out = ""

    /// Everything `configuration` reads.
    public init(configuration: PipelineConfiguration) {
        extensions = configuration.extensions
        out = standardizedPath(configuration.outputFolder)
        files.insert(standardizedPath(configuration.file))
        if let lexicon = configuration.suggest?.lexiconFile { files.insert(standardizedPath(lexicon)) }
        if let participants = configuration.participants { files.insert(standardizedPath(participants)) }
        if !["english", "none"].contains(configuration.tokenize.stopwords) {
            files.insert(standardizedPath(configuration.tokenize.stopwords))
        }
        if configuration.suggest != nil { decisionFolders.insert(standardizedPath(configuration.decisionsFolder)) }
        for input in configuration.inputs {
            // A glob's folder is the part before its first wildcard.
            var root = standardizedPath(input)
            if let wildcard = root.firstIndex(where: { $0 == "*" || $0 == "?" || $0 == "[" }) {
                root = (String(root[..<wildcard]) as NSString).deletingLastPathComponent
            }
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue {
                Self.addFolders(under: root, skipping: out, extensions: extensions, to: &transcriptFolders)
            } else {
                files.insert(root)
            }
        }
    }

    /// After a pipeline could not be read: what the last good one read (if any), the pipeline
    /// file, and every file an error names (a lexicon's mistake is the lexicon's to fix).
    public init(failedReading pipeline: String, errors: PipelineErrors, previous: WatchedInputs?) {
        self = previous ?? WatchedInputs(extensions: [])
        files.insert(standardizedPath(pipeline))
        for error in errors.errors { files.insert(standardizedPath(error.file)) }
        if previous == nil { openFolders.insert((standardizedPath(pipeline) as NSString).deletingLastPathComponent) }
    }

    private init(extensions: Set<String>) { self.extensions = extensions }

    /// Every folder to watch.
    public var folders: Set<String> {
        // A decisions folder not made yet is watched for through its parent.
        let decisions = decisionFolders.map { folder in
            FileManager.default.fileExists(atPath: folder) ? folder : (folder as NSString).deletingLastPathComponent
        }
        return transcriptFolders.union(decisions).union(openFolders).union(
            files.map { ($0 as NSString).deletingLastPathComponent })
    }

    /// Whether `name` changing in `folder` is a change a run would see.
    public func matters(folder: String, name: String, isFolder: Bool) -> Bool {
        let path = entry(name, in: folder)
        if files.contains(path) || decisionFolders.contains(path) { return true }
        if decisionFolders.contains(folder) { return name.hasSuffix(".json") && !name.hasPrefix(".") }
        if !out.isEmpty, path == out || path.hasPrefix(out + "/") { return false }
        if openFolders.contains(folder) { return true }
        guard transcriptFolders.contains(folder), !name.hasPrefix("."), !name.hasPrefix("~$") else { return false }
        return isFolder || Ingestor.isTranscript(name, extensions: extensions)
    }

    /// `folder` and its subfolders (hidden ones skipped, linked ones followed as the run's
    /// listing follows them: ``Ingestor/walk(_:extensions:skipping:folder:transcript:unlisted:)``),
    /// but not `skipping` or anything under it.
    private static func addFolders(
        under folder: String, skipping: String, extensions: Set<String>, to folders: inout Set<String>
    ) {
        guard folder != skipping else { return }
        Ingestor.walk(
            folder, extensions: extensions, skipping: skipping, folder: { folders.insert($0) },
            transcript: { _, _ in }, unlisted: { _, _ in })
    }
}

/// Waits for a change to what ``WatchedInputs`` names. On Linux through inotify: a file closed
/// after writing, moved in or out or deleted, or a folder made or its mode changed; a file
/// being written is seen once it is closed, not while half of it is there. A change of a
/// file's times or mode alone is not a change (no run would find one), and `cp` setting the
/// mode of the file it has just written started a second run with nothing to do; a folder's
/// mode is (a folder made readable has transcripts to read), the input folder's own among them
/// (an input folder unreadable when watching began is not watched: inotify must read it).
/// Elsewhere (or with
/// `polling`) the watched folders' entries are compared by size, inode and times every
/// `interval` seconds. Hand-written: no package on this machine watches files.
public final class InputWatcher {
    private var inputs: WatchedInputs?
    /// The folders watched, as they were named when watching began.
    private var folders: Set<String> = []
    private let interval: Double
    #if os(Linux)
        private var descriptor: Int32 = -1
        private var folderByWatch: [Int32: String] = [:]
        private var watchByFolder: [String: Int32] = [:]
        /// Each path reported, as it was then (nil: absent).
        private var reported: [String: TranscriptHashes.Identity?] = [:]
        /// Each watched folder's mode, as it was when watching began or its change was reported.
        private var modeByFolder: [String: mode_t] = [:]
    #endif
    /// A folder's entries that matter, by name.
    private typealias Entries = [String: TranscriptHashes.Identity]
    private var snapshot: [String: Entries] = [:]

    public init(polling: Bool = false, interval: Double = 0.5) {
        self.interval = interval
        #if os(Linux)
            if !polling { descriptor = inotify_init1(Int32(IN_CLOEXEC) | Int32(IN_NONBLOCK)) }
        #endif
    }

    deinit {
        #if os(Linux)
            if descriptor >= 0 { close(descriptor) }
        #endif
    }

    /// Watches `inputs` from now on; a folder no longer named is let go. A change seen since the
    /// last ``next(timeout:)`` is still reported: a save made while the pipeline was being read
    /// again, before this call, would otherwise be lost until the next one.
    public func watch(_ inputs: WatchedInputs) {
        self.inputs = inputs
        folders = inputs.folders
        #if os(Linux)
            if descriptor >= 0 {
                let mask =
                    UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_MOVED_FROM) | UInt32(IN_CREATE)
                    | UInt32(IN_DELETE) | UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF) | UInt32(IN_ATTRIB)
                for (folder, watch) in watchByFolder where !folders.contains(folder) {
                    inotify_rm_watch(descriptor, watch)
                    watchByFolder[folder] = nil
                    folderByWatch[watch] = nil
                    modeByFolder[folder] = nil
                }
                for folder in folders where watchByFolder[folder] == nil {
                    let watch = inotify_add_watch(descriptor, folder, mask)
                    guard watch >= 0 else { continue }
                    watchByFolder[folder] = watch
                    folderByWatch[watch] = folder
                    modeByFolder[folder] = Self.mode(of: folder)
                }
                return
            }
        #endif
        // Folders watched before keep the entries they had when a change was last reported.
        let added = folders.filter { snapshot[$0] == nil }
        snapshot = snapshot.filter { folders.contains($0.key) }.merging(Self.snapshot(of: inputs, in: added)) { $1 }
    }

    /// The paths that changed, once something watched has (with all that changed with it), or
    /// an empty list when `timeout` seconds pass first.
    public func next(timeout: Double? = nil) -> [String] {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        while true {
            let left = deadline.map { $0.timeIntervalSinceNow }
            if let left, left <= 0 { return [] }
            #if os(Linux)
                if descriptor >= 0 {
                    var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                    let milliseconds = left.map { Int32(min(max($0 * 1000, 1), 60_000)) } ?? -1
                    guard poll(&request, 1, milliseconds) > 0 else { continue }
                    let changed = drain()
                    if !changed.isEmpty { return Self.once(changed) }
                    continue
                }
            #endif
            Thread.sleep(forTimeInterval: min(interval, max(left ?? interval, 0.001)))
            guard let inputs else { continue }
            let now = Self.snapshot(of: inputs, in: folders)
            if now != snapshot {
                let changed = Set(now.keys).union(snapshot.keys).flatMap { folder in
                    let (old, new) = (snapshot[folder] ?? [:], now[folder] ?? [:])
                    return Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }.map {
                        entry($0, in: folder)
                    }
                }
                snapshot = now
                if !changed.isEmpty { return Self.once(changed.sorted()) }
            }
        }
    }

    #if os(Linux)
        /// The paths of every event waiting that ``WatchedInputs/matters(folder:name:isFolder:)``
        /// (a watched folder gone or moved, or events lost to a full queue, count as changes).
        private func drain() -> [String] {
            var changed: [String] = []
            let size = 64 * 1024
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
            defer { buffer.deallocate() }
            while true {
                let count = read(descriptor, buffer, size)
                guard count > 0 else { break }
                var offset = 0
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                    let nameStart = buffer + offset + MemoryLayout<inotify_event>.size
                    let name =
                        event.len > 0
                        ? String(cString: nameStart.assumingMemoryBound(to: CChar.self)) : ""
                    offset += MemoryLayout<inotify_event>.size + Int(event.len)
                    let folder = folderByWatch[event.wd]
                    if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                        changed.append("")
                    } else if let folder,
                        event.mask & (UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF)) != 0
                    {
                        changed.append(folder)
                    } else if let folder, name.isEmpty, event.mask & UInt32(IN_ATTRIB) != 0 {
                        // The folder's own mode: an input folder named in the pipeline, whose
                        // parent is not watched, made unreadable or readable again (its times
                        // or owner alone are no change).
                        let mode = Self.mode(of: folder)
                        if mode != modeByFolder[folder] {
                            modeByFolder[folder] = mode
                            changed.append(folder)
                        }
                    } else if let folder, !name.isEmpty,
                        inputs?.matters(
                            folder: folder, name: name, isFolder: event.mask & UInt32(IN_ISDIR) != 0) == true,
                        // A file made is seen when it is closed after writing, not half written; a
                        // change of mode is a change only of a subfolder's (made readable, its
                        // transcripts are read; unreadable, the run says so).
                        event.mask & (UInt32(IN_CREATE) | UInt32(IN_ATTRIB)) == 0 || event.mask & UInt32(IN_ISDIR) != 0
                    {
                        let path = entry(name, in: folder)
                        // A file as it was when last reported is no change: Foundation's atomic
                        // write renames its new file into place, then closes it, and the close,
                        // seen once the run had begun, started a second run with nothing to do.
                        let now = TranscriptHashes.Identity(of: path)
                        if let then = reported[path], then == now { continue }
                        reported[path] = now
                        changed.append(path)
                    }
                }
            }
            return changed
        }

        /// The permission bits of `path` (nil when it cannot be read).
        private static func mode(of path: String) -> mode_t? {
            var info = stat()
            return stat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
        }
    #endif

    /// `paths` in order, each once (a folder deleted is reported by itself and by its parent).
    private static func once(_ paths: [String]) -> [String] {
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }

    /// Per folder, the identity of each entry in it that matters.
    private static func snapshot(of inputs: WatchedInputs, in folders: Set<String>) -> [String: Entries] {
        var result: [String: Entries] = [:]
        for folder in folders {
            var entries: Entries = [:]
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                let path = entry(name, in: folder)
                var isFolder: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
                guard inputs.matters(folder: folder, name: name, isFolder: isFolder.boolValue),
                    let identity = TranscriptHashes.Identity(of: path)
                else { continue }
                entries[name] = identity
            }
            result[folder] = entries
        }
        return result
    }
}

/// The path of `name` in `folder`.
private func entry(_ name: String, in folder: String) -> String {
    folder.hasSuffix("/") ? folder + name : folder + "/" + name
}
