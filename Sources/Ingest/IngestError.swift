/// Why a transcript could not be read, where, and what the researcher can do about it.
///
/// `description` follows the compiler convention `path[entry]:line:col: error: message`, so
/// editors and terminals can jump to the spot.
public struct IngestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is, stable for scripts and tests.
    public enum Code: String, Sendable, Codable {
        case unreadableFile
        case isDirectory
        case emptyFile
        case unsupportedFormat
        case legacyWordDocument
        case encryptedDocument
        case invalidZip
        case missingZipEntry
        case zipLimitExceeded
        case malformedXML
        case invalidEncoding
        case malformedTranscript
        case malformedParticipants
        case noTurns
    }

    public var code: Code
    public var file: String
    /// The zip entry inside a .docx the problem is in, such as `word/document.xml`.
    public var entry: String?
    public var line: Int?
    public var column: Int?
    /// Byte offset for problems without lines (invalid UTF-8).
    public var byteOffset: Int?
    public var message: String
    /// What to do about it, when there is something to do.
    public var hint: String?

    public init(
        _ code: Code, file: String, entry: String? = nil, line: Int? = nil, column: Int? = nil,
        byteOffset: Int? = nil, message: String, hint: String? = nil
    ) {
        self.code = code
        self.file = file
        self.entry = entry
        self.line = line
        self.column = column
        self.byteOffset = byteOffset
        self.message = message
        self.hint = hint
    }

    public var location: String {
        var text = file
        if let entry { text += "[\(entry)]" }
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        } else if let byteOffset {
            text += ": byte \(byteOffset)"
        }
        return text
    }

    public var description: String {
        var text = "\(location): error: \(message)"
        if let hint { text += " (\(hint))" }
        return text
    }
}
