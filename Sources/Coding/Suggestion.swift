import Corpus
import TextAnalysis

/// A code the lexicon suggests for one unit (a turn, or a sentence of it), with its evidence,
/// waiting for a human coder to accept, reject or recode it.
public struct Suggestion: Sendable, Hashable, Codable {
    /// Stable id: from document, segment, (sentence,) code, and the first matched text with its
    /// occurrence number in the segment; never from run order.
    public var id: String
    public var documentID: String
    public var segmentIndex: Int
    /// The sentence of the turn, when the unit is the sentence.
    public var sentenceIndex: Int?
    public var code: String
    /// Theme → code → sub-code.
    public var codePath: [String]
    public var evidence: [Evidence]
    public var weight: Double
    public var speaker: String
    public var role: SpeakerRole
    public var participantID: String?
    public var attributes: [String: String]
    /// The unit's text and its range in the document's plain text (Unicode scalars).
    public var text: String
    public var range: ScalarRange
    /// A short stretch around the first evidence, for lists.
    public var context: String
    /// Merged from the coders' decisions.
    public var status: SuggestionStatus
    public var decisions: [CoderDecision]
}

/// One matched span that made the lexicon suggest a code.
public struct Evidence: Sendable, Hashable, Codable {
    /// The pattern as written in the lexicon.
    public var pattern: String
    public var text: String
    /// Range in the document's plain text, in Unicode scalars.
    public var range: ScalarRange
    /// Tokens `[tokenStart, tokenEnd)` of the segment.
    public var tokenStart: Int
    public var tokenEnd: Int
}

/// Where a suggestion stands after the coders' decisions.
public enum SuggestionStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, accepted, rejected, recoded
    /// Coders disagree.
    case conflict
}

/// One coder's current decision on a suggestion.
public struct CoderDecision: Sendable, Hashable, Codable {
    public var coder: String
    public var status: SuggestionStatus
    /// The code chosen instead, for `recoded`.
    public var code: String?
    public var note: String?
    public var at: String
}

extension Evidence: JSONReadable {
    public init(reading reader: inout JSONReader) throws(JSONReader.Failure) {
        var pattern: String?
        var text: String?
        var range: ScalarRange?
        var tokenStart: Int?
        var tokenEnd: Int?
        try reader.object { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
            switch key {
            case "pattern": pattern = try reader.string()
            case "text": text = try reader.string()
            case "range": range = try ScalarRange(reading: &reader)
            case "tokenStart": tokenStart = try reader.int()
            case "tokenEnd": tokenEnd = try reader.int()
            default: try reader.skipValue()
            }
        }
        self.init(
            pattern: try reader.required(pattern, "pattern"), text: try reader.required(text, "text"),
            range: try reader.required(range, "range"), tokenStart: try reader.required(tokenStart, "tokenStart"),
            tokenEnd: try reader.required(tokenEnd, "tokenEnd"))
    }
}

extension CoderDecision: JSONReadable {
    public init(reading reader: inout JSONReader) throws(JSONReader.Failure) {
        var coder: String?
        var status: SuggestionStatus?
        var code: String?
        var note: String?
        var at: String?
        try reader.object { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
            switch key {
            case "coder": coder = try reader.string()
            case "status": status = try reader.value(SuggestionStatus.self)
            case "code": code = try reader.optionalString()
            case "note": note = try reader.optionalString()
            case "at": at = try reader.string()
            default: try reader.skipValue()
            }
        }
        self.init(
            coder: try reader.required(coder, "coder"), status: try reader.required(status, "status"), code: code,
            note: note, at: try reader.required(at, "at"))
    }
}

extension Suggestion: JSONReadable {
    /// What a reader of suggestions.json may leave out (empty in what it reads): the turn's
    /// text, the context, the participant's attributes, most of each suggestion's bytes. The
    /// commands that count suggestions by code, status and turn read them 0.8× as long.
    public struct Parts: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let text = Parts(rawValue: 1)
        public static let context = Parts(rawValue: 2)
        public static let attributes = Parts(rawValue: 4)
    }

    public init(reading reader: inout JSONReader) throws(JSONReader.Failure) {
        var id: String?
        var documentID: String?
        var segmentIndex: Int?
        var sentenceIndex: Int?
        var code: String?
        var codePath: [String]?
        var evidence: [Evidence]?
        var weight: Double?
        var speaker: String?
        var role: SpeakerRole?
        var participantID: String?
        var attributes: [String: String]?
        var text: String?
        var range: ScalarRange?
        var context: String?
        var status: SuggestionStatus?
        var decisions: [CoderDecision]?
        try reader.object { (reader: inout JSONReader, key: String) throws(JSONReader.Failure) in
            switch key {
            case "id": id = try reader.string()
            case "documentID": documentID = try reader.string()
            case "segmentIndex": segmentIndex = try reader.int()
            case "sentenceIndex": sentenceIndex = try reader.optionalInt()
            case "code": code = try reader.string()
            case "codePath": codePath = try reader.strings()
            case "evidence": evidence = try reader.elements(Evidence.self)
            case "weight": weight = try reader.double()
            case "speaker": speaker = try reader.string()
            case "role": role = try reader.value(SpeakerRole.self)
            case "participantID": participantID = try reader.optionalString()
            case "attributes":
                attributes = try reader.skips(Parts.attributes.rawValue) ? [:] : reader.stringDictionary()
            case "text": text = try reader.skips(Parts.text.rawValue) ? "" : reader.string()
            case "range": range = try ScalarRange(reading: &reader)
            case "context": context = try reader.skips(Parts.context.rawValue) ? "" : reader.string()
            case "status": status = try reader.value(SuggestionStatus.self)
            case "decisions": decisions = try reader.elements(CoderDecision.self)
            default: try reader.skipValue()
            }
        }
        self.init(
            id: try reader.required(id, "id"), documentID: try reader.required(documentID, "documentID"),
            segmentIndex: try reader.required(segmentIndex, "segmentIndex"), sentenceIndex: sentenceIndex,
            code: try reader.required(code, "code"), codePath: try reader.required(codePath, "codePath"),
            evidence: try reader.required(evidence, "evidence"), weight: try reader.required(weight, "weight"),
            speaker: try reader.required(speaker, "speaker"), role: try reader.required(role, "role"),
            participantID: participantID, attributes: try reader.required(attributes, "attributes"),
            text: try reader.required(text, "text"), range: try reader.required(range, "range"),
            context: try reader.required(context, "context"), status: try reader.required(status, "status"),
            decisions: try reader.required(decisions, "decisions"))
    }
}
