import Coding
import Corpus
import Foundation
import Testing

@testable import Pipeline

/// Reading the outputs back: suggestions.json by runs of lines, one document of corpus.json.
@Suite struct OutputReaderTests {
    /// A study whose text puts in the outputs what their layout must survive: a participant
    /// attribute holding a line break, commas, quotes and brackets, and a document id with a quote.
    func awkwardStudy() throws -> Workspace {
        let workspace = try Workspace()
        let path = workspace.corpus("participants.csv").path
        let rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let extended =
            [rows[0] + ",remark"] + rows.dropFirst().map { $0 + ",\"one,\nline \"\"two\"\"],\n  ]\"" }
        try (extended.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            at: workspace.corpus("interview-11.txt"), to: workspace.corpus("a \"quoted\" one.txt"))
        _ = try workspace.run()
        return workspace
    }

    /// A run's elements as ``JSONReader`` reads them (not `JSONDecoder`, which the readers fall
    /// back on).
    static func read<Element: JSONReadable>(_ type: Element.Type, _ data: Data, _ run: Range<Int>) throws -> [Element] {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var reader = JSONReader(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[run]))
            return try reader.list(Element.self)
        }
    }

    @Test func suggestionsJSONReadByRunsOfLinesIsWhatJSONDecoderReads() throws {
        let workspace = try awkwardStudy()
        defer { workspace.remove() }
        let data = try workspace.output("suggestions.json")
        let whole = try JSONDecoder().decode(Outputs.SuggestionsFile.self, from: data)
        #expect(whole.suggestions.count > 50)
        #expect(whole.suggestions.contains { $0.attributes["remark"] == "one,\nline \"two\"],\n  ]" })
        let byLines = try #require(Outputs.SuggestionsFile.decodedByLines(data))
        #expect(byLines.suggestions == whole.suggestions)
        #expect(byLines.lexicon.codes.map(\.path) == whole.lexicon.codes.map(\.path))
        #expect(byLines.orphanedDecisions == whole.orphanedDecisions)
        #expect((byLines.study, byLines.unit, byLines.schemaVersion) == (whole.study, whole.unit, whole.schemaVersion))
        // The suggestions are cut into several runs, each of whole lines.
        let open = try #require(data.range(ofBytes: "\n  \"suggestions\" : [".utf8))
        let close = try #require(data.range(ofBytes: "\n  ]".utf8, in: open.upperBound..<data.count, backwards: true))
        let runs = ElementRuns.suggestions.runs(data, open.upperBound..<close.lowerBound)
        #expect(runs.count > 2)
        #expect(try runs.flatMap { try Self.read(Suggestion.self, data, $0) } == whole.suggestions)

        // Laid out otherwise (on one line): decoded whole, the same.
        let compact = try JSONEncoder().encode(whole)
        #expect(Outputs.SuggestionsFile.decodedByLines(compact) == nil)
        #expect(try Outputs.SuggestionsFile.decode(compact).suggestions == whole.suggestions)

        // A damaged line is an error, not a suggestion left out.
        var damaged = data
        let weight = try #require(damaged.range(ofBytes: #","weight":"#.utf8, in: data.count / 2..<data.count))
        damaged.replaceSubrange(weight, with: Data(#","weight";"#.utf8))
        #expect(Outputs.SuggestionsFile.decodedByLines(damaged) == nil)
        #expect(throws: DecodingError.self) { try Outputs.SuggestionsFile.decode(damaged) }
    }

    @Test func oneDocumentIsReadFromCorpusJSONAsTheWholeFileHasIt() throws {
        let workspace = try awkwardStudy()
        defer { workspace.remove() }
        let configuration = try PipelineReader.read(workspace.pipeline)
        let corpus = try Outputs.corpus(of: configuration)
        #expect(corpus.documents.contains { $0.id == "a \"quoted\" one" })
        let data = try workspace.output("corpus.json")
        let byRuns = try #require(ElementRuns.documents.decode(data, \Outputs.CorpusFile.documents))
        #expect(byRuns.documents == corpus.documents && byRuns.study == corpus.study)
        #expect(byRuns.participants.participants.map(\.id) == corpus.participants.participants.map(\.id))
        let opening = try #require(data.range(ofBytes: "\n  \"documents\" : [".utf8))
        let closing = try #require(
            data.range(ofBytes: "\n  ]".utf8, in: opening.upperBound..<data.count, backwards: true))
        let runs = ElementRuns.documents.runs(data, opening.upperBound..<closing.lowerBound)
        #expect(runs.count > 2)
        #expect(try runs.flatMap { try Self.read(Document.self, data, $0) } == corpus.documents)
        for document in corpus.documents {
            guard case .found(let found) = Outputs.documentByLines(document.id, in: data) else {
                Issue.record("\(document.id) not found by its line")
                continue
            }
            #expect(found == document)
            #expect(try Outputs.document(document.id, of: configuration) == document)
        }
        // Streamed from the file through a small buffer: id lines straddle its chunks.
        let descriptor = open(workspace.out.appendingPathComponent("corpus.json").path, O_RDONLY)
        defer { close(descriptor) }
        for document in corpus.documents {
            guard case .found(let found) = Outputs.documentByLines(document.id, descriptor: descriptor, chunk: 97)
            else {
                Issue.record("\(document.id) not found in the stream")
                continue
            }
            #expect(found == document)
            // Read too little around its id line, a document is not taken from the stream.
            guard case .otherLayout = Outputs.documentByLines(document.id, descriptor: descriptor, reach: 64) else {
                Issue.record("\(document.id) taken from too little")
                continue
            }
        }
        guard case .absent = Outputs.documentByLines("nope", descriptor: descriptor, chunk: 97) else {
            Issue.record("an absent document found in the stream")
            return
        }
        // Ids that are a document's id cut short, or another key's value, are no document's.
        for id in ["interview-1", "interview-01 ", "P1", "nope"] {
            guard case .absent = Outputs.documentByLines(id, in: data) else {
                Issue.record("\(id) found")
                continue
            }
            #expect(try Outputs.document(id, of: configuration) == nil)
        }

        // Laid out otherwise: decoded whole, the same documents.
        let compact = try JSONEncoder().encode(corpus)
        guard case .otherLayout = Outputs.documentByLines("interview-03", in: compact) else {
            Issue.record("a file on one line was read by its lines")
            return
        }
        try compact.write(to: workspace.out.appendingPathComponent("corpus.json"))
        #expect(
            try Outputs.document("interview-03", of: configuration)
                == corpus.documents.first { $0.id == "interview-03" })
    }

    /// Streamed through chunks far smaller than one element (so that separators and the array's
    /// end straddle chunks) and larger than the file, both outputs give what decoding them whole
    /// gives, in order; their parts around the array are read from the ends alone.
    @Test func outputsStreamedByChunksAreWhatTheWholeFileHolds() throws {
        let workspace = try awkwardStudy()
        defer { workspace.remove() }
        let configuration = try PipelineReader.read(workspace.pipeline)
        let corpusPath = workspace.out.appendingPathComponent("corpus.json").path
        let suggestionsPath = workspace.out.appendingPathComponent("suggestions.json").path
        let corpus = try Outputs.corpus(of: configuration)
        let suggestions = try JSONDecoder().decode(
            Outputs.SuggestionsFile.self, from: try workspace.output("suggestions.json"))
        for chunk in [7, 97, 4096, 1 << 24] {
            var documents: [Document] = []
            var deliveries = 0
            let rest = try #require(
                try ElementRuns.documents.stream(corpusPath, \Outputs.CorpusFile.documents, chunk: chunk) {
                    documents += $0
                    deliveries += 1
                })
            #expect(documents == corpus.documents, "chunk \(chunk)")
            #expect(rest.documents.isEmpty && rest.participants == corpus.participants && rest.study == corpus.study)
            #expect(chunk > 4096 || deliveries > corpus.documents.count / 2)
            var streamed: [Suggestion] = []
            let file = try #require(
                try ElementRuns.suggestions.stream(suggestionsPath, \Outputs.SuggestionsFile.suggestions, chunk: chunk)
                {
                    streamed += $0
                })
            #expect(streamed == suggestions.suggestions, "chunk \(chunk)")
            #expect(file.lexicon.codes.map(\.path) == suggestions.lexicon.codes.map(\.path))
        }
        let outside = try #require(ElementRuns.documents.outside(corpusPath, \Outputs.CorpusFile.documents))
        #expect(outside.participants == corpus.participants && outside.documents.isEmpty)
        let head = try #require(ElementRuns.suggestions.outside(suggestionsPath, \Outputs.SuggestionsFile.suggestions))
        #expect(head.lexicon.codes.map(\.name) == suggestions.lexicon.codes.map(\.name) && head.suggestions.isEmpty)

        // Cut short, the stream is an error, not a corpus with documents missing.
        let data = try workspace.output("corpus.json")
        let cut = workspace.root.appendingPathComponent("cut.json")
        try data.prefix(data.count * 2 / 3).write(to: cut)
        #expect(throws: UndecodablePart.self) {
            try ElementRuns.documents.stream(cut.path, \Outputs.CorpusFile.documents, chunk: 4096) { _ in }
        }
        #expect(ElementRuns.documents.outside(cut.path, \Outputs.CorpusFile.documents) == nil)
        // Laid out otherwise: nothing is delivered, and the readers decode it whole.
        try JSONEncoder().encode(corpus).write(to: URL(fileURLWithPath: corpusPath))
        var delivered = 0
        #expect(
            try ElementRuns.documents.stream(corpusPath, \Outputs.CorpusFile.documents) { delivered += $0.count } == nil
        )
        #expect(delivered == 0 && ElementRuns.documents.outside(corpusPath, \Outputs.CorpusFile.documents) == nil)
        var whole: [Document] = []
        let without = try Outputs.forEachDocument(of: configuration) { whole.append($0) }
        #expect(whole == corpus.documents && without.documents.isEmpty && without.participants == corpus.participants)
        #expect(try Outputs.corpusWithoutDocuments(of: configuration).participants == corpus.participants)
    }

    /// Read leaving out what a counting command does not need, every suggestion is the one read
    /// whole with those parts empty and nothing else changed.
    @Test func suggestionsReadWithoutTheirTextsDifferOnlyThere() throws {
        let workspace = try awkwardStudy()
        defer { workspace.remove() }
        let path = workspace.out.appendingPathComponent("suggestions.json").path
        var whole: [Suggestion] = []
        _ = try ElementRuns.suggestions.stream(path, \Outputs.SuggestionsFile.suggestions, chunk: 4096) {
            whole += $0
        }
        #expect(whole.contains { !$0.text.isEmpty && !$0.context.isEmpty && !$0.attributes.isEmpty })
        for parts: Suggestion.Parts in [[.text], [.context, .attributes], [.text, .context, .attributes]] {
            var read: [Suggestion] = []
            _ = try ElementRuns.suggestions.stream(
                path, \Outputs.SuggestionsFile.suggestions, chunk: 4096, omitting: parts.rawValue
            ) { read += $0 }
            let expected = whole.map { suggestion in
                var suggestion = suggestion
                if parts.contains(.text) { suggestion.text = "" }
                if parts.contains(.context) { suggestion.context = "" }
                if parts.contains(.attributes) { suggestion.attributes = [:] }
                return suggestion
            }
            #expect(read == expected, "\(parts.rawValue)")
        }
    }
}
