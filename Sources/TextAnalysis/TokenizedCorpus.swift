import Corpus

/// A corpus after tokenising: the documents, every segment's tokens, and the vocabularies that
/// give forms, spellings and stems their ids. The input of KWIC, frequencies and coding.
public struct TokenizedCorpus: Sendable {
    public let documents: [Document]
    public let participants: ParticipantTable
    public let options: Tokenizer.Options
    /// `tokens[document][segment]` are the tokens of that segment.
    public internal(set) var tokens: [[[Token]]]
    public internal(set) var forms: Vocabulary
    public internal(set) var surfaces: Vocabulary
    public internal(set) var stems: Vocabulary
    /// Stem id of each form id.
    public internal(set) var stemOfForm: [Int32]
    /// Whether each form id is a stopword.
    public internal(set) var isStopword: [Bool]
    private let participantsByID: [String: Participant]

    /// The roles whose turns were tokenised; nil: every turn. Other turns have no tokens.
    public let tokenizedRoles: Set<SpeakerRole>?

    /// Tokenises every segment of every document, or only those of `roles` (what the analyses
    /// read: the others' tokens would be interned and never used), and of those only the
    /// segments numbered in `segments` when given (a lexicon edit matching a few turns again);
    /// `computeStems: false` skips the stemmer when no analysis needs stems.
    public init(
        documents: [Document], participants: ParticipantTable = .empty, options: Tokenizer.Options = .init(),
        stopwords: Stopwords = .english, computeStems: Bool = true, roles: Set<SpeakerRole>? = nil,
        segments only: Set<Int>? = nil
    ) {
        tokenizedRoles = roles
        self.documents = documents
        self.participants = participants
        participantsByID = participants.byID
        self.options = options
        let tokenizer = Tokenizer(options: options)
        // Sized by Heaps' law (distinct words grow about as the square root of the text), so
        // that the tables rarely grow: 15 × √bytes is about 2,500 for an hour-long interview.
        let bytes = documents.reduce(0) { $0 + $1.text.utf8.count }
        let capacity = max(1024, Int(15 * Double(bytes).squareRoot()))
        var forms = Vocabulary(capacity: capacity)
        var surfaces = Vocabulary(capacity: capacity + capacity / 4)
        var scratch = TokenScratch()
        // Segments read in place (a copy of each retained and released its strings).
        tokens = documents.map { document in
            document.segments.withUnsafeBufferPointer { segments in
                segments.indices.map { index in
                    guard roles?.contains(segments[index].role) ?? true, only?.contains(index) ?? true else {
                        return []
                    }
                    return tokenizer.tokenize(
                        segments[index].text, forms: &forms, surfaces: &surfaces, scratch: &scratch)
                }
            }
        }
        // Stopwords are looked up in the vocabulary (a few hundred probes), not each form in the
        // stopword set (a `String` made and hashed per form).
        var isStopword = [Bool](repeating: false, count: forms.count)
        for word in stopwords.words {
            if let id = forms.id(of: word) { isStopword[Int(id)] = true }
        }
        if computeStems {
            (self.stems, self.stemOfForm) = WordMemo.stems.values(of: forms, work: PorterStemmer.stem)
        } else {
            // Without stems, every form is its own stem (nothing asked for them).
            self.stems = forms
            self.stemOfForm = Array(0..<Int32(forms.count))
        }
        self.forms = forms
        self.surfaces = surfaces
        self.isStopword = isStopword
    }

    /// The participant a segment belongs to, with attributes, if known.
    public func participant(of segment: Segment) -> Participant? {
        segment.participantID.flatMap { participantsByID[$0] }
    }

    /// The text of a token as written.
    public func surface(_ token: Token) -> String { surfaces[token.surface] }
}

extension TokenizedCorpus {
    /// Every token each speaker said in the turns of `roles` (a participant by id, `""` for
    /// speakers of no participant): what the frequencies call a group's words, the base of rates.
    public func wordsBySpeaker(roles: Set<SpeakerRole>) -> [String: Int] {
        var words: [String: Int] = [:]
        for (document, tokens) in zip(documents, self.tokens) {
            for (segment, turn) in zip(document.segments, tokens) where roles.contains(segment.role) {
                words[segment.participantID ?? "", default: 0] += turn.count
            }
        }
        return words
    }
}
