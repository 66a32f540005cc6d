import Coding
import Ingest
import TextAnalysis

/// The parts of the stages' cache keys made from the pipeline's settings, hashed field by field
/// (``ContentHash/Combiner``) rather than as `JSONEncoder`'s bytes. That encoder's first use was
/// ~0.6 ms of the main thread before every run's first document; and a `Set` (the Word parts to
/// include) encodes in the process's own hash order, so with two parts or more no two runs of a
/// pipeline agreed on the ingest key and every run read every transcript again.
/// `settingsKeysHoldEveryField` lists each type's fields: a field added later fails it until the
/// key here holds it.
enum SettingsKey {
    static func of(_ options: IngestOptions) -> String {
        var key = Builder()
        let labels = options.labels
        key.add("interviewer labels", labels.interviewerLabels)
        key.add("participant labels", labels.participantLabels)
        key.add("other labels", labels.otherLabels)
        key.add(
            "speaker roles",
            labels.speakerRoles.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.flatMap {
                [$0.key, $0.value.rawValue]
            })
        key.add("label patterns", labels.patterns)
        key.add("recurring name threshold", [String(labels.recurringNameThreshold)])
        key.add("maximum label length", [String(labels.maximumLabelLength)])
        key.add("maximum entry size", [String(options.zipLimits.maximumEntrySize)])
        key.add("maximum compression ratio", [String(options.zipLimits.maximumCompressionRatio)])
        key.add("docx parts", options.docxParts.map(\.rawValue).sorted())
        key.add("replace invalid text", [String(options.replaceInvalidText)])
        if let fallback = options.fallbackEncoding { key.add("fallback encoding", [fallback.rawValue]) }
        return key.hash
    }

    static func of(_ options: Tokenizer.Options) -> String {
        var key = Builder()
        key.add("case", [options.caseMode.rawValue])
        key.add("fold diacritics", [String(options.foldDiacritics)])
        key.add("apostrophes", [String(options.apostrophes)])
        key.add("possessive apostrophe", [String(options.possessiveApostrophe)])
        key.add("hyphens", [String(options.hyphens)])
        key.add("number separators", [String(options.numberSeparators)])
        key.add("numbers", [String(options.numbers)])
        key.add("urls", [String(options.urls)])
        key.add("annotations", [String(options.annotations)])
        key.add("phrases", [options.phrases.rawValue])
        key.add("initialisms", [String(options.initialisms)])
        return key.hash
    }

    /// A list of texts, in its order.
    static func of(_ texts: [String]) -> String {
        var key = Builder()
        key.add("list", texts)
        return key.hash
    }

    /// Each setting as its name, its count of values and the values, so that no two settings'
    /// values can run into each other.
    private struct Builder {
        private var combiner = ContentHash.Combiner()

        mutating func add(_ name: String, _ values: [String]) {
            combiner.add(name)
            combiner.add(String(values.count))
            for value in values { combiner.add(value) }
        }

        var hash: String { combiner.hash }
    }
}
