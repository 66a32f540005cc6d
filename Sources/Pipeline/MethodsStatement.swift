import Corpus
import Foundation
import TextAnalysis

/// The paragraph of a run report that a paper's methods section can cite.
enum MethodsStatement {
    static func text(for report: RunReport, configuration: PipelineConfiguration, stopwords: Stopwords) -> String {
        let options = report.tokenizer
        var parts: [String] = []
        parts.append(
            "Transcripts (\(report.corpus.documents.counted("document")), "
                + "\(report.corpus.turns.counted("speaker turn")), "
                + "\(report.corpus.participantTokens.counted("participant word token")) from "
                + (report.corpus.unattributedTokens.map { unattributed in
                    "\(report.corpus.participants.counted("participant")) (\(unattributed) of them from speakers "
                        + "tied to no participant)"
                } ?? report.corpus.participants.counted("participant"))
                + ") were processed with TranscriptMiner \(report.toolVersion) using pipeline "
                + "\(report.pipeline) (SHA-256 \(report.hashes.pipeline.prefix(12)))"
                + (report.hashes.participants.map { " and participant table SHA-256 \($0.prefix(12))" } ?? "") + ".")
        var tokens = "Text was split into Unicode word tokens"
        switch options.caseMode {
        case .fold: tokens += ", case-folded"
        case .lower: tokens += ", lower-cased"
        case .preserve: tokens += " (case kept)"
        }
        tokens += " and NFC-normalised"
        if options.foldDiacritics { tokens += ", with diacritics removed" }
        tokens += "; apostrophes " + (options.apostrophes ? "and" : "were split, and")
        tokens += " hyphens " + (options.hyphens ? "were kept inside words" : "split words")
        tokens +=
            options.initialisms
            ? "; single letters joined by full stops (U.K.), and degrees so written (Ph.D.), were one word without them (uk, phd)"
            : "; single letters joined by full stops (U.K.) were words of their own"
        tokens +=
            options.annotations
            ? "; transcribers' notes in brackets or parentheses were tokenised as words"
            : "; transcribers' notes in square brackets or double parentheses (such as [laughs]), and sounds, "
                + "pauses and inaudible passages in single parentheses (such as (laughs)), were not counted as words"
                + (report.transcriberNotes.map { notes in
                    notes.count == 0
                        ? " (there were none)"
                        : " (\(notes.count.counted("note")) in \(notes.documents) of "
                            + "\(report.corpus.documents.counted("document")))"
                } ?? "")
        tokens += "."
        parts.append(tokens)
        let phrases =
            (configuration.kwic?.queries.contains(where: Query.isPhrase) ?? false)
            || (configuration.frequencies?.ngrams.contains { $0 > 1 } ?? false)
            || (configuration.suggest?.lexicon.codes.contains { code in
                code.patterns.contains { $0.text.contains(" ") }
            } ?? false)
        if phrases {
            parts.append(
                options.phrases == .sentence
                    ? "Phrases and n-grams were matched within a sentence (ended by ! or ?, or by a full stop before "
                        + "a word not in lower case; not by an ellipsis or a title's full stop, as in Dr. Patel)."
                    : "Phrases and n-grams were matched across sentence ends within a turn.")
        }
        if !configuration.bands.isEmpty {
            parts.append(
                "Numeric participant attributes were grouped in ranges: "
                    + joined(
                        configuration.bands.map { band in
                            let bounds = band.bounds.map(AttributeBand.written)
                            return (band.name == band.source ? band.name : "\(band.source) (as \(band.name))")
                                + " split at " + bounds.listedInWords
                        }, separator: "; ") + ".")
        }
        if let frequencies = configuration.frequencies {
            var text =
                "Term frequencies were counted per "
                + frequencies.groupings.map(\.description).listedInWords
                + " for " + frequencies.ngrams.map { $0 == 1 ? "words" : "\($0)-grams" }.listedInWords
            text += frequencies.removeStopwords ? ", excluding \(stopwords.words.count) stopwords" : ""
            // Terms under the minimum count are in no table: a reader of the rates needs to know.
            text +=
                frequencies.minimumCount > 1
                ? ", keeping terms that occur at least \(frequencies.minimumCount) times in a group" : ""
            text += frequencies.stem ? ", on Porter2 (Snowball English) stems" : ""
            text += ", from " + joined(frequencies.filter.roles.map(\.rawValue).sorted(), separator: " and ") + " turns"
            text += "; rates are per 1,000 words."
            if !frequencies.keyness.isEmpty {
                text +=
                    " Keyness was measured with the log-likelihood statistic G² (Rayson and Garside 2000) "
                    + "and the log ratio effect size (Hardie 2014); its p-values are per term, not corrected "
                    + "for multiple comparisons."
            }
            parts.append(text)
        }
        if let kwic = configuration.kwic {
            parts.append(
                "Concordances of \(kwic.queries.count.counted("query", plural: "queries")) were taken with a window of "
                    + "\(kwic.options.window) \(kwic.options.unit.rawValue) each side"
                    + (configuration.kwicHitsAreRated
                        ? "; their hits were counted per participant group and rated per 1,000 of the group's words."
                        : "; their hits were counted per participant group."))
        }
        if let suggest = configuration.suggest, let summary = report.suggestions {
            parts.append(
                "A seed lexicon of \(suggest.lexicon.codes.count.counted("code")) (SHA-256 \(suggest.lexicon.contentHash.prefix(12))) "
                    + "made \(summary.total.counted("suggestion")) (a code for a \(suggest.options.unit.rawValue) each) for human "
                    + "coders to confirm or reject; no code was applied without a coder's decision.")
        }
        return joined(parts, separator: " ")
    }
}
