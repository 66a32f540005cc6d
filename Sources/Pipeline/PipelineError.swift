/// A problem with a pipeline file, a lexicon or a run, with where it is and what to do.
///
/// `description` reads `path:line:col: error: message`, then the offending line and a caret.
public struct PipelineError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String
    /// The source line the problem is on, for the caret display.
    public var sourceLine: String?

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String, sourceLine: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.sourceLine = sourceLine
    }

    public var location: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        return text
    }

    public var description: String {
        var text = "\(location): error: \(message)"
        if let sourceLine, let column {
            text += "\n" + sourceLine + "\n" + String(repeating: " ", count: max(0, column - 1)) + "^"
        }
        return text
    }
}

/// Every problem found in a pipeline before any work starts, reported at once.
public struct PipelineErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [PipelineError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
