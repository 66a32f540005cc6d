import Benchmark
import Coding
import Corpus
import Foundation
import Ingest
import Pipeline
import TextAnalysis

/// One benchmark per stage of `Pipelines/bench.yaml` (the shared benchmark task) on a corpus made
/// by `shared/bench/gen_corpus.py`: each iteration does the stage for the whole corpus, so the
/// throughput metric times the corpus size (printed in each name) is the stage's MB/s.
let benchmarks: @Sendable () -> Void = {
    let corpus =
        ProcessInfo.processInfo.environment["TMINE_BENCH_CORPUS"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../../../bench-data/corpus-1MB"
        ).standardizedFileURL.path
    guard let study = try? Study(corpus: corpus) else {
        print("no corpus at \(corpus): make one with shared/bench/gen_corpus.py --docx, or set TMINE_BENCH_CORPUS")
        return
    }
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident], maxDuration: .seconds(5),
        maxIterations: 30)
    let size = String(format: "%.1f MB", Double(study.textBytes) / 1e6)

    Benchmark("inflate + parse DOCX (\(size) of text)") { benchmark in
        for data in study.docx { blackHole(try study.ingestor.read(data: data, source: "t.docx")) }
    }
    Benchmark("ingest text (\(size))") { benchmark in
        for data in study.text { blackHole(try study.ingestor.read(data: data, source: "t.txt")) }
    }
    Benchmark("tokenise (\(size))") { benchmark in
        blackHole(study.tokenized())
    }
    // The default pipelines find URLs and e-mail addresses (`urls: true`); the task's rule does not.
    var withURLs = study.tokenizer
    withURLs.urls = true
    Benchmark("tokenise, URLs and e-mails found (\(size))") { [withURLs] benchmark in
        blackHole(study.tokenized(options: withURLs))
    }
    let tokenized = study.tokenized()
    Benchmark("tokenise + count (\(size))") { benchmark in
        let again = study.tokenized()
        for document in again.documents.indices {
            blackHole(FrequencyCounter(options: study.counting).counts(ofDocument: document, in: again))
        }
    }
    // As the tool reads a corpus (`tmine run`, `tmine freq`): each document tokenised with a
    // vocabulary of its own, its counts merged into the grouping's table; above, one vocabulary
    // shared by every document, and no table, a path the tool itself never takes.
    Benchmark("tokenise + count, a document at a time into the table (\(size))") { benchmark in
        var builder = FrequencyTable.Builder(participants: study.participants, options: study.counting)
        for document in study.documents {
            builder.add(
                FrequencyCounter(options: study.counting).counts(ofDocument: 0, in: study.tokenized(alone: document)))
        }
        blackHole(builder.takeTable())
    }
    // The tool's path in pieces: each document tokenised alone, then counted, and (from counts
    // made beforehand) the merge into the grouping's table.
    Benchmark("tokenise, a document at a time (\(size))") { benchmark in
        for document in study.documents { blackHole(study.tokenized(alone: document)) }
    }
    Benchmark("tokenise + count, a document at a time, no table (\(size))") { benchmark in
        for document in study.documents {
            blackHole(
                FrequencyCounter(options: study.counting).counts(ofDocument: 0, in: study.tokenized(alone: document)))
        }
    }
    let documentCounts = study.documents.map {
        FrequencyCounter(options: study.counting).counts(ofDocument: 0, in: study.tokenized(alone: $0))
    }
    Benchmark("merge documents' counts into the table (\(size))") { benchmark in
        var builder = FrequencyTable.Builder(participants: study.participants, options: study.counting)
        for counts in documentCounts { builder.add(counts) }
        blackHole(builder.takeTable())
    }
    Benchmark("count (\(size))") { benchmark in
        for document in tokenized.documents.indices {
            blackHole(FrequencyCounter(options: study.counting).counts(ofDocument: document, in: tokenized))
        }
    }
    // Each document as the stage cache keeps it (`.cache`'s records of the ingest stage): its
    // text once, each turn's text found at its range rather than written again.
    Benchmark("write documents to the stage cache (\(size))") { benchmark in
        for document in study.documents {
            var writer = BinaryWriter()
            writer.write(document)
            blackHole(writer.bytes)
        }
    }
    Benchmark("KWIC, 20 keywords (\(size))") { benchmark in
        blackHole(Concordancer(options: study.kwic.options).lines(of: study.queries, in: tokenized))
    }
    Benchmark("match lexicon, 175 patterns (\(size))") { benchmark in
        blackHole(CodeSuggester(lexicon: study.lexicon, options: study.suggestOptions).suggestions(in: tokenized))
    }
    // As a run binds the lexicon: compiled once, bound to each document's own vocabularies
    // (every form's pattern elements found), where the benchmark above binds it once to a
    // vocabulary all documents share.
    let compiled = CompiledLexicon(lexicon: study.lexicon, options: study.tokenizer)
    let alone = study.documents.map { study.tokenized(alone: $0) }
    Benchmark("bind the lexicon to each document's words (\(size))") { benchmark in
        for corpus in alone { blackHole(LexiconMatcher(compiled: compiled, corpus: corpus)) }
    }
    let lines = Concordancer(options: study.kwic.options).lines(of: study.queries, in: tokenized)
    let file = Outputs.KWICFile(
        study: "bench", queries: study.kwic.queries, window: study.kwic.options.window, unit: "tokens", match: "lower",
        lines: lines)
    Benchmark("write kwic.json, \(lines.count) lines") { benchmark in
        blackHole(Outputs.kwicJSON(file))
    }
    Benchmark("write kwic.json with JSONEncoder (for comparison)") { benchmark in
        blackHole(try Outputs.json(file))
    }
}

/// The corpus, read once: files' bytes and the pipeline's settings.
struct Study {
    let text: [Data]
    let docx: [Data]
    let textBytes: Int
    let ingestor: Ingestor
    let documents: [Document]
    let participants: ParticipantTable
    let tokenizer: Tokenizer.Options
    /// The roles the pipeline's stages read, the only turns it tokenises.
    let roles: Set<SpeakerRole>
    let kwic: KWICStage
    let queries: [Query]
    let counting: FrequencyCounter.Options
    let lexicon: Lexicon
    let suggestOptions: CodeSuggester.Options

    init(corpus: String) throws {
        let root = URL(fileURLWithPath: corpus)
        // The bench pipeline, as Benchmarks/task-peer places it beside the corpus.
        let pipeline = root.appendingPathComponent("tmine-stages.yaml")
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../..")
        try Data(contentsOf: repository.appendingPathComponent("Pipelines/bench.yaml")).write(to: pipeline)
        let configuration = try PipelineReader.read(pipeline.path)
        let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("text").path)
            .filter { $0.hasSuffix(".txt") }.sorted()
        text = try names.map { try Data(contentsOf: root.appendingPathComponent("text/\($0)")) }
        docx = names.compactMap {
            try? Data(contentsOf: root.appendingPathComponent("docx/\($0.dropLast(4)).docx"))
        }
        textBytes = text.reduce(0) { $0 + $1.count }
        participants = try ParticipantsReader().read(file: root.appendingPathComponent("participants.csv").path).table
        ingestor = try Ingestor(options: configuration.ingest, participants: participants)
        let ingestor = ingestor
        documents = try zip(names, text).map { name, data in try ingestor.read(data: data, source: name) }
        tokenizer = configuration.tokenize.options
        roles = configuration.analysedRoles
        guard let kwic = configuration.kwic else { throw CocoaError(.fileReadCorruptFile) }
        self.kwic = kwic
        queries = kwic.queries.compactMap { try? Query($0) }
        counting = configuration.frequencies?.counterOptions(ngram: 1) ?? FrequencyCounter.Options()
        lexicon = configuration.suggest?.lexicon ?? Lexicon(codes: [])
        suggestOptions = configuration.suggest?.options ?? CodeSuggester.Options()
    }

    func tokenized(options: Tokenizer.Options? = nil) -> TokenizedCorpus {
        TokenizedCorpus(
            documents: documents, participants: participants, options: options ?? tokenizer, computeStems: false,
            roles: roles)
    }

    /// One document tokenised as the tool tokenises it: with vocabularies of its own.
    func tokenized(alone document: Document) -> TokenizedCorpus {
        TokenizedCorpus(
            documents: [document], participants: participants, options: tokenizer, computeStems: false, roles: roles)
    }
}
