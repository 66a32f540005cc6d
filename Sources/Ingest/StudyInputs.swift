import Corpus
import Foundation

/// The participants of transcripts as a command names them: a `participants.csv` given
/// explicitly or found in the (first) folder of transcripts.
public enum StudyInputs {
    /// The participants of these inputs: the file given, or the first folder's `participants.csv`
    /// (none: an empty table), with the file used and its warnings. Throws ``IngestError`` only
    /// for an unreadable participants file.
    public static func participants(for inputs: [String], path: String? = nil) throws -> (
        table: ParticipantTable, file: String?, warnings: [String]
    ) {
        guard let file = path ?? inputs.lazy.compactMap(Self.participantsFile(in:)).first else {
            return (.empty, nil, [])
        }
        let result = try ParticipantsReader().read(file: file)
        return (result.table, file, result.warnings)
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
