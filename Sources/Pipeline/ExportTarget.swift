import Corpus
import Foundation
import Ingest

extension Exporter {
    /// What an export writes; each knows its own earlier files.
    public enum Kind: Sendable {
        case project, codebook, csv, spreadsheet

        /// Whether the file at `path` is an earlier export of this kind: only those are written
        /// over. A CSV by its header, a codebook by its root element, a project as a zip whose
        /// central directory (at its end, 4 MB holding some 50,000 names) lists `project.qde`, a
        /// workbook by the application its properties name (one Excel has saved since is the
        /// researcher's).
        func madeThis(_ path: String) -> Bool {
            guard let file = FileHandle(forReadingAtPath: path) else { return false }
            defer { try? file.close() }
            guard let head = try? file.read(upToCount: 4096) else { return false }
            let zip = head.starts(with: [0x50, 0x4B, 0x03, 0x04])
            switch self {
            case .csv: return head.starts(with: Data("document,turn,speaker,participant".utf8))
            case .codebook: return head.range(of: Data("<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"".utf8)) != nil
            case .spreadsheet:
                guard zip, (try? file.seek(toOffset: 0)) != nil,
                    let whole = try? file.readToEnd()
                else { return false }
                return Spreadsheet.madeThis(whole, file: path)
            case .project:
                guard zip, let end = try? file.seekToEnd() else { return false }
                try? file.seek(toOffset: end - min(end, 4 << 20))
                let tail = (try? file.readToEnd()) ?? Data()
                return tail.range(of: Data("project.qde".utf8)) != nil
            }
        }
    }

    /// Refuses to export onto one of the study's own files (the pipeline, participants file,
    /// lexicon, a transcript, a decisions file, anything in the out folder: `--csv
    /// participants.csv` replaced the participants with codings) or onto a file that is not an
    /// earlier export of the same kind. Paths are compared with every link resolved.
    public func checkTarget(_ path: String, kind: Kind) throws(PipelineError) {
        guard let target = Self.resolved(path) else { return }
        var failures: [IngestError] = []
        var own: [(path: String, what: String)] = [(configuration.file, "the pipeline file")]
        if let participants = configuration.participants { own.append((participants, "the participants file")) }
        if let suggest = configuration.suggest { own.append((suggest.lexiconFile, "the lexicon")) }
        own += configuration.transcriptFiles(&failures).map { ($0, "a transcript") }
        for (file, what) in own where Self.resolved(file) == target {
            throw PipelineError(file: path, message: "this is \(what) of the study; export to a new file")
        }
        for (folder, what) in [
            (configuration.outputFolder, "the study's out folder"),
            (configuration.decisionsFolder, "the decisions folder"),
        ] {
            if let folder = Self.resolved(folder), target == folder || target.hasPrefix(folder + "/") {
                throw PipelineError(file: path, message: "this is in \(what), which the tool keeps; export elsewhere")
            }
        }
        var status = stat()
        guard stat(target, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw PipelineError(file: path, message: "this is a folder, not a file")
        }
        guard kind.madeThis(target) else {
            throw PipelineError(
                file: path,
                message: "this file exists and is not an earlier export of this kind; it is not written over "
                    + "(choose a new file, or move it away)")
        }
    }

    /// The path with every link resolved; for a file not there yet, its folder's resolved path
    /// and its name. Nil when neither can be resolved (the write will say why).
    static func resolved(_ path: String) -> String? {
        if let whole = Ingestor.realPath(path) { return whole }
        let folder = (path as NSString).deletingLastPathComponent
        return Ingestor.realPath(folder.isEmpty ? "." : folder).map { $0 + "/" + (path as NSString).lastPathComponent }
    }
}
