import Foundation

/// A set of stopwords, compared against normalised forms.
public struct Stopwords: Sendable, Hashable {
    public var words: Set<String>

    public init(_ words: some Sequence<String>) { self.words = Set(words) }

    public static let none = Stopwords([String]())

    /// The default English list: Snowball's English stopwords (function words, pronouns,
    /// auxiliaries and their contractions), with curly apostrophes normalised.
    public static let english = Stopwords(
        """
        i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
        herself it its itself they them their theirs themselves what which who whom this that these those am is
        are was were be been being have has had having do does did doing would should could ought i'm you're
        he's she's it's we're they're i've you've we've they've i'd you'd he'd she'd we'd they'd i'll you'll
        he'll she'll we'll they'll isn't aren't wasn't weren't hasn't haven't hadn't doesn't don't didn't won't
        wouldn't shan't shouldn't can't cannot couldn't mustn't let's that's who's what's here's there's when's
        where's why's how's a an the and but if or because as until while of at by for with about against
        between into through during before after above below to from up down in out on off over under again
        further then once here there when where why how all any both each few more most other some such no nor
        not only own same so than too very will can just should now
        """.split(whereSeparator: \.isWhitespace).map(String.init))

    /// Reads one word per line (`#` starts a comment), normalising each like a token.
    public static func read(contentsOf url: URL, options: Tokenizer.Options = .init()) throws -> Stopwords {
        let text = try String(contentsOf: url, encoding: .utf8)
        return parse(text, options: options)
    }

    public static func parse(_ text: String, options: Tokenizer.Options = .init()) -> Stopwords {
        var words: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let word = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let trimmed = word.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { words.append(Normalizer.form(of: trimmed, options: options)) }
        }
        return Stopwords(words)
    }

    public func union(_ other: Stopwords) -> Stopwords { Stopwords(words.union(other.words)) }
}
