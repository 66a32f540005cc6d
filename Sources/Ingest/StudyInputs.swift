import Corpus
import Foundation

/// Transcripts and participants as a command names them: files or folders, and a
/// `participants.csv` given explicitly or found in the (first) folder of transcripts.
public struct StudyInputs: Sendable {
    public var batch: IngestBatch
    public var participants: ParticipantTable
    /// The participants file used, if any.
    public var participantsFile: String?
    public var warnings: [String]

    /// Reads the inputs; throws ``IngestError`` only for an unreadable participants file.
    public static func load(
        _ inputs: [String], participants path: String? = nil, options: IngestOptions = IngestOptions()
    ) throws -> StudyInputs {
        let file = path ?? inputs.lazy.compactMap(Self.participantsFile(in:)).first
        var table = ParticipantTable.empty
        var warnings: [String] = []
        if let file {
            let result = try ParticipantsReader().read(file: file)
            table = result.table
            warnings = result.warnings
        }
        let batch = try Ingestor(options: options, participants: table).readAll(inputs)
        return StudyInputs(batch: batch, participants: table, participantsFile: file, warnings: warnings)
    }

    /// `participants.csv` inside a folder, if there is one.
    static func participantsFile(in input: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory), isDirectory.boolValue else {
            return nil
        }
        let candidate = (input as NSString).appendingPathComponent("participants.csv")
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }
}
