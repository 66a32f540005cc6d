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
