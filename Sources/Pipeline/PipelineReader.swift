import Coding
import Corpus
import Foundation
import Ingest
import TextAnalysis
import Yams

/// Reads and validates a pipeline file, reporting every problem at once with line and column.
public enum PipelineReader {
    static let topKeys = ["study", "inputs", "participants", "stages", "out"]
    static let inputKeys = [
        "paths", "formats", "exclude", "speakers", "docx", "replaceInvalidText", "fallbackEncoding",
    ]
    static let speakerKeys = ["interviewer", "participant", "other", "roles", "patterns", "recurringNames"]
    static let docxKeys = ["include", "maxEntryMB", "maxCompressionRatio"]
    static let stageNames = ["tokenize", "kwic", "frequencies", "suggest"]
    static let suggestKeys = ["lexicon", "unit", "roles", "decisions"]
    static let tokenizeKeys = [
        "case", "diacritics", "apostrophes", "possessives", "hyphens", "numberSeparators", "numbers", "urls",
        "annotations", "phrases", "initialisms", "stopwords", "extraStopwords",
    ]
    static let kwicKeys = ["queries", "window", "unit", "match", "roles", "sort"]
    static let frequencyKeys = ["groupings", "ngrams", "minCount", "top", "stem", "stopwords", "roles", "keyness"]
    static let keynessKeys = ["grouping", "group", "reference"]
    static let participantKeys = ["file", "bands"]
    static let bandKeys = ["from", "at", "labels"]

    /// Reads the pipeline at `path`. Throws ``PipelineErrors`` listing every problem.
    public static func read(_ path: String) throws(PipelineErrors) -> PipelineConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PipelineErrors(errors: [
                PipelineError(file: path, message: AtomicFile.cannotRead("pipeline file", at: path))
            ])
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(PipelineErrors) -> PipelineConfiguration {
        let base = (file as NSString).deletingLastPathComponent
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : ((base.isEmpty ? "." : base) as NSString).appendingPathComponent(path)
        }
        let lexicon = LexiconAhead(pipeline: text, resolve: resolve)
        let (yaml, root) = YAMLNodeReader.parse(text, file: file)
        guard let root else { throw PipelineErrors(errors: yaml.errors) }
        func exists(_ path: String, _ node: Node, what: String) {
            if !FileManager.default.fileExists(atPath: path) {
                yaml.error(at: node, "\(what) \"\(path)\" does not exist")
            }
        }

        var configuration = PipelineConfiguration(
            file: file, study: "", inputs: [], extensions: Ingestor.transcriptExtensions, exclude: [],
            ingest: IngestOptions(), participants: nil, tokenize: TokenizeStage(), kwic: nil, frequencies: nil,
            stageOrder: [], outputFolder: "")
        var out = "out"
        var outNode: Node?
        var sawStudy = false
        var sawInputs = false
        var sawStages = false
        for (key, keyNode, value) in yaml.mapping(root, known: topKeys, what: "the pipeline") {
            switch key {
            case "study":
                sawStudy = true
                if let study = yaml.string(value, what: "study") {
                    if study.isEmpty || study.contains("/") || study.hasPrefix(".") {
                        yaml.error(at: value, "study must be a plain name (it names the out folder)")
                    }
                    configuration.study = study
                }
            case "inputs":
                sawInputs = true
                readInputs(value, yaml: yaml, into: &configuration, resolve: resolve)
            case "participants":
                if case .mapping = value {
                    readParticipants(value, yaml: yaml, into: &configuration, resolve: resolve, exists: exists)
                } else if let path = yaml.string(value, what: "participants") {
                    configuration.participants = resolve(path)
                    exists(resolve(path), value, what: "participants file")
                }
            case "stages":
                sawStages = true
                readStages(
                    value, yaml: yaml, into: &configuration, resolve: resolve, exists: exists, lexicon: lexicon)
            case "out":
                out = yaml.string(value, what: "out") ?? out
                outNode = value
            default:
                yaml.error(at: keyNode, "unexpected key")
            }
        }
        if !sawStudy { yaml.error(at: root, "the pipeline needs a study name (study: my-study)") }
        if !sawInputs { yaml.error(at: root, "the pipeline needs inputs (inputs: {paths: [transcripts/]})") }
        if !sawStages { yaml.error(at: root, "the pipeline needs stages (stages: [tokenize: {}, kwic: {…}])") }
        configuration.outputFolder = normalizedPath(
            (resolve(out) as NSString).appendingPathComponent(configuration.study))
        // Outputs among the transcripts (`out: .` and a study named as their folder) would
        // replace any file named as an output (a transcript saved as report.html, say).
        let outputs = configuration.outputFolder
        for input in configuration.inputs.map(normalizedPath)
        where input == outputs || input.hasPrefix(outputs + "/") {
            yaml.error(
                at: outNode ?? root,
                "the out folder \"\(relativePath(outputs, from: configuration.baseFolder))\" holds the input \"\(relativePath(input, from: configuration.baseFolder))\": "
                    + "outputs would sit among the transcripts; give out: a folder of its own")
        }
        if !yaml.errors.isEmpty { throw PipelineErrors(errors: yaml.errors) }
        return configuration
    }

    /// `participants: {file: participants.csv, bands: {years: [5, 10], experience: {from: years,
    /// at: [5, 10], labels: [junior, mid, senior]}}}`: the file, and numeric columns banded in
    /// place (a list of bounds) or into a new attribute (`from`).
    private static func readParticipants(
        _ node: Node, yaml: YAMLNodeReader, into configuration: inout PipelineConfiguration,
        resolve: (String) -> String, exists: (String, Node, String) -> Void
    ) {
        var sawFile = false
        for (key, _, value) in yaml.mapping(node, known: participantKeys, what: "participants") {
            switch key {
            case "file":
                sawFile = true
                if let path = yaml.string(value, what: "participants.file") {
                    configuration.participants = resolve(path)
                    exists(resolve(path), value, "participants file")
                }
            default:
                for (name, _, band) in yaml.mapping(value, known: [], what: "participants.bands") {
                    if let band = readBand(name: name, band, yaml: yaml) { configuration.bands.append(band) }
                }
            }
        }
        if !sawFile { yaml.error(at: node, "participants needs its file (participants: {file: participants.csv})") }
    }

    /// One band: `[5, 10]` (the column of that name, in place) or `{from: column, at: [5, 10],
    /// labels: […]}`.
    private static func readBand(name: String, _ node: Node, yaml: YAMLNodeReader) -> AttributeBand? {
        let what = "participants.bands.\(name)"
        var source = name
        var boundsNode: Node?
        var labels: [String]?
        var labelsNode: Node?
        if case .mapping = node {
            for (key, _, value) in yaml.mapping(node, known: bandKeys, what: what) {
                switch key {
                case "from": source = yaml.string(value, what: what + ".from") ?? source
                case "at": boundsNode = value
                default:
                    labels = yaml.strings(value, what: what + ".labels")
                    labelsNode = value
                }
            }
        } else {
            boundsNode = node
        }
        guard let boundsNode else {
            yaml.error(at: node, "\(what) needs its bounds (at: [5, 10])")
            return nil
        }
        let elements = yaml.sequence(boundsNode, what: what + " bounds")
        let bounds: [Double]
        switch AttributeBand.bounds(
            elements.map { element in
                if case .scalar(let scalar) = element { Substring(scalar.string) } else { "" }
            })
        {
        case .success(let read): bounds = read
        case .failure(.notANumber(let index)):
            yaml.error(at: elements[index], "each bound of \(what) must be a number")
            return nil
        case .failure(.notRising(let index)):
            yaml.error(
                at: elements[index], "the bounds of \(what) must rise (each band starts where the last one ends)")
            return nil
        case .failure(.none):
            yaml.error(at: boundsNode, "\(what) needs at least one bound")
            return nil
        }
        if let labels, let labelsNode {
            guard labels.count == bounds.count + 1 else {
                yaml.error(
                    at: labelsNode,
                    "\(what) has \(bounds.count) bounds, so \(bounds.count + 1) bands, and needs a label for each")
                return nil
            }
            guard Set(labels).count == labels.count, !labels.contains(where: \.isEmpty) else {
                yaml.error(at: labelsNode, "the labels of \(what) must differ and not be empty")
                return nil
            }
        }
        return AttributeBand(name: name, source: source, bounds: bounds, labels: labels)
    }

    private static func readInputs(
        _ node: Node, yaml: YAMLNodeReader, into configuration: inout PipelineConfiguration,
        resolve: (String) -> String
    ) {
        if case .sequence = node {
            configuration.inputs = yaml.strings(node, what: "inputs").map(resolve)
            checkInputs(node, yaml: yaml, configuration.inputs)
            return
        }
        if case .scalar = node {
            configuration.inputs = yaml.strings(node, what: "inputs").map(resolve)
            checkInputs(node, yaml: yaml, configuration.inputs)
            return
        }
        for (key, _, value) in yaml.mapping(node, known: inputKeys, what: "inputs") {
            switch key {
            case "paths":
                configuration.inputs = yaml.strings(value, what: "inputs.paths").map(resolve)
                checkInputs(value, yaml: yaml, configuration.inputs)
            case "formats":
                var extensions: Set<String> = []
                for name in yaml.strings(value, what: "inputs.formats") {
                    guard let format = TranscriptFormat(rawValue: name) ?? (name == "txt" ? .text : nil) else {
                        yaml.error(
                            at: value,
                            "unknown format \"\(name)\"; use "
                                + TranscriptFormat.allCases.map(\.rawValue).joined(separator: ", "))
                        continue
                    }
                    extensions.formUnion(format.fileExtensions)
                }
                configuration.extensions = extensions
            case "exclude":
                configuration.exclude = yaml.strings(value, what: "inputs.exclude")
            case "speakers":
                readSpeakers(value, yaml: yaml, into: &configuration.ingest.labels)
            case "docx":
                for (docxKey, _, docxValue) in yaml.mapping(value, known: docxKeys, what: "inputs.docx") {
                    switch docxKey {
                    case "include":
                        for name in yaml.strings(docxValue, what: "inputs.docx.include") {
                            if let part = DocxPart(rawValue: name) {
                                configuration.ingest.docxParts.insert(part)
                            } else {
                                yaml.error(
                                    at: docxValue,
                                    "unknown Word part \"\(name)\"; use "
                                        + DocxPart.allCases.map(\.rawValue).joined(separator: ", "))
                            }
                        }
                    case "maxEntryMB":
                        if let megabytes = yaml.int(docxValue, what: "maxEntryMB", range: 1...4096) {
                            configuration.ingest.zipLimits.maximumEntrySize = UInt64(megabytes) * 1024 * 1024
                        }
                    default:
                        if let ratio = yaml.int(docxValue, what: "maxCompressionRatio", range: 10...100_000) {
                            configuration.ingest.zipLimits.maximumCompressionRatio = UInt64(ratio)
                        }
                    }
                }
            case "fallbackEncoding":
                guard let name = yaml.string(value, what: "inputs.fallbackEncoding") else { continue }
                if let encoding = FallbackEncoding(named: name) {
                    configuration.ingest.fallbackEncoding = encoding
                } else {
                    yaml.error(at: value, FallbackEncoding.unknown(name))
                }
            default:
                if let flag = yaml.bool(value, what: "replaceInvalidText") {
                    configuration.ingest.replaceInvalidText = flag
                }
            }
        }
    }

    private static func checkInputs(_ node: Node, yaml: YAMLNodeReader, _ paths: [String]) {
        if paths.isEmpty { yaml.error(at: node, "inputs name no files or folders") }
        for path in paths where !path.contains("*") && !path.contains("?") {
            if !FileManager.default.fileExists(atPath: path) {
                yaml.error(at: node, "input \"\(path)\" does not exist")
            }
        }
    }

    private static func readSpeakers(_ node: Node, yaml: YAMLNodeReader, into labels: inout SpeakerLabels) {
        for (key, _, value) in yaml.mapping(node, known: speakerKeys, what: "inputs.speakers") {
            switch key {
            case "interviewer": labels.interviewerLabels += yaml.strings(value, what: "speakers.interviewer")
            case "participant": labels.participantLabels += yaml.strings(value, what: "speakers.participant")
            case "other": labels.otherLabels += yaml.strings(value, what: "speakers.other")
            case "patterns":
                let patterns = yaml.strings(value, what: "speakers.patterns")
                for pattern in patterns {
                    do {
                        _ = try Regex(pattern)
                    } catch {
                        yaml.error(at: value, "speaker pattern \"\(pattern)\" is not a valid regular expression")
                    }
                }
                labels.patterns += patterns
            case "recurringNames":
                labels.recurringNameThreshold =
                    yaml.int(value, what: "speakers.recurringNames", range: 0...1000) ?? labels.recurringNameThreshold
            default:
                for (name, _, roleNode) in yaml.mapping(value, known: [], what: "speakers.roles") {
                    guard let text = yaml.string(roleNode, what: "a speaker role"),
                        let role = SpeakerRole(rawValue: text)
                    else {
                        yaml.error(at: roleNode, "a speaker role is interviewer, participant or other")
                        continue
                    }
                    labels.speakerRoles[name] = role
                }
            }
        }
    }

    private static func readStages(
        _ node: Node, yaml: YAMLNodeReader, into configuration: inout PipelineConfiguration,
        resolve: (String) -> String, exists: (String, Node, String) -> Void, lexicon ahead: LexiconAhead?
    ) {
        for stageNode in yaml.sequence(node, what: "stages") {
            let entries = yaml.mapping(stageNode, known: stageNames, what: "a stage")
            guard entries.count == 1, let (name, nameNode, body) = entries.first else {
                if entries.count > 1 { yaml.error(at: stageNode, "each stage is one entry: `- kwic: {…}`") }
                continue
            }
            if configuration.stageOrder.contains(name) {
                yaml.error(at: nameNode, "stage \"\(name)\" appears twice")
                continue
            }
            if name != "tokenize" && !configuration.stageOrder.contains("tokenize") {
                yaml.error(at: nameNode, "stage \"\(name)\" needs tokens: put the tokenize stage before it")
            }
            configuration.stageOrder.append(name)
            let empty = body.null != nil || body.string == ""  // `- tokenize:` with no settings
            switch name {
            case "tokenize":
                if !empty { configuration.tokenize = readTokenize(body, yaml: yaml, resolve: resolve, exists: exists) }
            case "kwic":
                configuration.kwic = readKWIC(body, yaml: yaml)
            case "suggest":
                configuration.suggest = readSuggest(body, yaml: yaml, resolve: resolve, lexicon: ahead)
            default:
                configuration.frequencies = empty ? FrequencyStage() : readFrequencies(body, yaml: yaml)
            }
        }
        if configuration.stageOrder.isEmpty { yaml.error(at: node, "the pipeline has no stages") }
    }

    private static func readTokenize(
        _ node: Node, yaml: YAMLNodeReader, resolve: (String) -> String, exists: (String, Node, String) -> Void
    ) -> TokenizeStage {
        var stage = TokenizeStage()
        for (key, _, value) in yaml.mapping(node, known: tokenizeKeys, what: "the tokenize stage") {
            switch key {
            case "case":
                if let mode: Tokenizer.Options.CaseMode = yaml.choice(
                    value, what: "case", "case is fold, lower or preserve")
                {
                    stage.options.caseMode = mode
                }
            case "diacritics":
                if let text = yaml.string(value, what: "diacritics") {
                    guard ["keep", "fold"].contains(text) else {
                        yaml.error(at: value, "diacritics is keep or fold")
                        continue
                    }
                    stage.options.foldDiacritics = text == "fold"
                }
            case "apostrophes": stage.options.apostrophes = yaml.bool(value, what: key) ?? true
            case "possessives": stage.options.possessiveApostrophe = yaml.bool(value, what: key) ?? true
            case "hyphens": stage.options.hyphens = yaml.bool(value, what: key) ?? true
            case "numberSeparators": stage.options.numberSeparators = yaml.bool(value, what: key) ?? true
            case "numbers": stage.options.numbers = yaml.bool(value, what: key) ?? true
            case "urls": stage.options.urls = yaml.bool(value, what: key) ?? true
            case "annotations": stage.options.annotations = yaml.bool(value, what: key) ?? false
            case "initialisms": stage.options.initialisms = yaml.bool(value, what: key) ?? true
            case "phrases":
                if let scope: Tokenizer.Options.PhraseScope = yaml.choice(
                    value, what: "phrases", "phrases is sentence (a phrase stays inside a sentence) or turn")
                {
                    stage.options.phrases = scope
                }
            case "stopwords":
                if let text = yaml.string(value, what: "stopwords") {
                    if text == "english" || text == "none" {
                        stage.stopwords = text
                    } else {
                        stage.stopwords = resolve(text)
                        exists(resolve(text), value, "stopword file")
                    }
                }
            default:
                stage.extraStopwords = yaml.strings(value, what: "extraStopwords")
            }
        }
        return stage
    }

    private static func roles(_ node: Node, yaml: YAMLNodeReader) -> Set<SpeakerRole> {
        var roles = Set<SpeakerRole>()
        for name in yaml.strings(node, what: "roles") {
            if name == "all" {
                roles.formUnion(SpeakerRole.allCases)
            } else if let role = SpeakerRole(rawValue: name) {
                roles.insert(role)
            } else {
                yaml.error(at: node, "a role is participant, interviewer, other or all, not \"\(name)\"")
            }
        }
        return roles
    }

    private static func readKWIC(_ node: Node, yaml: YAMLNodeReader) -> KWICStage {
        var stage = KWICStage(queries: [])
        var sawQueries = false
        for (key, _, value) in yaml.mapping(node, known: kwicKeys, what: "the kwic stage") {
            switch key {
            case "queries":
                sawQueries = true
                let queries = yaml.stringNodes(value, what: "kwic.queries")
                stage.queries = queries.map(\.text)
                // A query listed twice (`hype`, or a phrase with and without its quotation marks)
                // would give every one of its lines twice.
                var repeats = Query.Repeats()
                for (query, entry) in queries {
                    do throws(QueryError) {
                        if let first = repeats.earlier(try Query(query)) {
                            yaml.error(
                                at: entry,
                                "kwic.queries lists \"\(first)\" twice" + (first == query ? "" : " (as \"\(query)\")"))
                        }
                    } catch {
                        yaml.error(at: entry, error.description)
                    }
                }
            case "window": stage.options.window = yaml.int(value, what: "window", range: 0...500) ?? 5
            case "unit":
                if let unit: Concordancer.Options.WindowUnit = yaml.choice(
                    value, what: "unit", "unit is tokens or characters")
                {
                    stage.options.unit = unit
                }
            case "match":
                if let mode: Query.MatchMode = yaml.choice(value, what: "match", "match is surface, lower or stem") {
                    stage.options.mode = mode
                }
            case "roles": stage.options.filter.roles = roles(value, yaml: yaml)
            default:
                stage.options.sort = yaml.strings(value, what: "sort").compactMap { key in
                    guard let parsed = Concordancer.ContextKey(key) else {
                        yaml.error(at: value, "sort keys are L1…L9 and R1…R9, not \"\(key)\"")
                        return nil
                    }
                    return parsed
                }
            }
        }
        if !sawQueries { yaml.error(at: node, "the kwic stage needs queries") }
        return stage
    }

    private static func readSuggest(
        _ node: Node, yaml: YAMLNodeReader, resolve: (String) -> String, lexicon ahead: LexiconAhead?
    ) -> SuggestStage? {
        var stage: SuggestStage?
        var unit = CodeSuggester.Options.Unit.turn
        var roles: Set<SpeakerRole> = [.participant]
        var decisions: String?
        // A lexicon named but unreadable has its own errors; only one never named is missing.
        var lexiconNamed = false
        for (key, _, value) in yaml.mapping(node, known: suggestKeys, what: "the suggest stage") {
            switch key {
            case "lexicon":
                lexiconNamed = true
                guard let path = yaml.string(value, what: "lexicon") else { continue }
                let file = resolve(path)
                guard FileManager.default.fileExists(atPath: file) else {
                    yaml.error(at: value, "lexicon file \"\(file)\" does not exist")
                    continue
                }
                do {
                    stage = SuggestStage(lexiconFile: file, lexicon: try LexiconAhead.lexicon(at: file, ahead: ahead))
                } catch {
                    for problem in error.errors { yaml.report(problem) }
                }
            case "unit":
                if let parsed: CodeSuggester.Options.Unit = yaml.choice(value, what: "unit", "unit is turn or sentence")
                {
                    unit = parsed
                }
            case "roles": roles = self.roles(value, yaml: yaml)
            default: decisions = yaml.string(value, what: "decisions").map(resolve)
            }
        }
        if stage == nil && !lexiconNamed {
            yaml.error(at: node, "the suggest stage needs a lexicon file")
        }
        stage?.options.unit = unit
        stage?.options.roles = roles
        stage?.decisions = decisions
        return stage
    }

    private static func readFrequencies(_ node: Node, yaml: YAMLNodeReader) -> FrequencyStage {
        var stage = FrequencyStage()
        for (key, _, value) in yaml.mapping(node, known: frequencyKeys, what: "the frequencies stage") {
            switch key {
            case "groupings":
                stage.groupings = yaml.stringNodes(value, what: "groupings").map { text, entry in
                    let grouping = Grouping(text)
                    if let problem = grouping.problem { yaml.error(at: entry, "groupings: " + problem) }
                    return grouping
                }
            case "ngrams":
                stage.ngrams = yaml.sequence(value, what: "ngrams").compactMap {
                    yaml.int($0, what: "an n-gram size", range: 1...3)
                }
            case "minCount": stage.minimumCount = yaml.int(value, what: "minCount", range: 1...1_000_000) ?? 1
            case "top": stage.top = yaml.int(value, what: "top", range: 1...1_000_000)
            case "stem": stage.stem = yaml.bool(value, what: "stem") ?? false
            case "stopwords": stage.removeStopwords = (yaml.string(value, what: "stopwords") ?? "remove") == "remove"
            case "roles": stage.filter.roles = roles(value, yaml: yaml)
            default:
                for item in yaml.sequence(value, what: "keyness") {
                    var grouping: Grouping?
                    var group: String?
                    var reference: String?
                    for (itemKey, _, itemValue) in yaml.mapping(item, known: keynessKeys, what: "a keyness comparison")
                    {
                        switch itemKey {
                        case "grouping": grouping = yaml.string(itemValue, what: "grouping").map(Grouping.init)
                        case "group": group = yaml.string(itemValue, what: "group")
                        default: reference = yaml.string(itemValue, what: "reference")
                        }
                    }
                    guard let grouping, let group else {
                        yaml.error(at: item, "a keyness comparison needs a grouping and a group")
                        continue
                    }
                    if let problem = grouping.problem { yaml.error(at: item, "keyness: " + problem) }
                    if reference == group {
                        yaml.error(
                            at: item, "keyness: the reference \"\(group)\" is the group itself; compare it with another"
                        )
                    }
                    if !stage.groupings.contains(grouping) { stage.groupings.append(grouping) }
                    stage.keyness.append(.init(grouping: grouping, group: group, reference: reference))
                }
            }
        }
        return stage
    }
}

extension TranscriptFormat {
    /// File extensions of the format, as taken from folders.
    public var fileExtensions: Set<String> {
        switch self {
        case .docx: ["docx", "doc"]
        case .tei: ["xml", "tei"]
        case .transcriber: ["trs"]
        case .elan: ["eaf"]
        case .webvtt: ["vtt"]
        case .subrip: ["srt"]
        case .text: ["txt", "text"]
        case .odt: ["odt"]
        case .rtf: ["rtf"]
        }
    }
}

/// A path with `.` and `name/..` pairs removed, relative paths staying relative.
func normalizedPath(_ path: String) -> String {
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
        if part == "." { continue }
        if part == "..", let last = parts.last, last != ".." {
            parts.removeLast()
        } else {
            parts.append(part)
        }
    }
    let rest = joined(parts.map(String.init), separator: "/")
    return path.hasPrefix("/") ? "/" + rest : (rest.isEmpty ? "." : rest)
}
