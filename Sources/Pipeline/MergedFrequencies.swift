import Coding
import Corpus
import Foundation
import TextAnalysis

/// The last merged frequency tables, kept in `.cache/frequencies.bin` under the key of
/// frequencies.json: a run that rebuilds only the report (after a decision or a lexicon edit)
/// reads them back instead of merging every document's counts again.
struct MergedFrequencies: BinaryCodable {
    var file: Outputs.FrequenciesFile
    var words: [String: Int]
    var warnings: [String]

    private static let tag = "tmine-frequencies-\(BinaryWriter.formatVersion)"

    private static func path(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/frequencies.bin")
    }

    /// The tables as stored, checked whole (the file's checksum) and decoded on another thread
    /// while the run checks its inputs on this one (decoding them in line was a twentieth of a
    /// 100 MB lexicon edit); the report waits for them in the run's tail.
    typealias Stored = Deferred<MergedFrequencies?>

    static func load(from out: String, key: String) -> Stored? {
        CacheFile.reader(at: path(in: out), tag: tag, key: key).map { body in
            Stored {
                var reader = body
                guard let decoded = try? reader.read(MergedFrequencies.self), reader.isAtEnd else { return nil }
                return decoded
            }
        }
    }

    func save(in out: String, key: String) {
        // About 25 bytes a row: room made once, not doubled from a megabyte (at 5.5 million rows the
        // last doubling held 128 and 256 MB at once).
        let rows = file.tables.reduce(0) { $0 + $1.rows.count } + file.keyness.reduce(0) { $0 + $1.keyness.count }
        CacheFile.write(at: Self.path(in: out), tag: Self.tag, key: key, capacity: (1 << 20) + rows * 32) {
            $0.write(self)
        }
    }

    init(file: Outputs.FrequenciesFile, words: [String: Int], warnings: [String]) {
        self.file = file
        self.words = words
        self.warnings = warnings
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(file.study)
        writer.writeVarint(UInt64(file.tables.count))
        for table in file.tables {
            writer.write(table.grouping)
            writer.write(table.ngram)
            writer.write(table.groups)
            writer.write(table.rows)
        }
        writer.writeVarint(UInt64(file.keyness.count))
        for comparison in file.keyness {
            writer.write(comparison.grouping)
            writer.write(comparison.ngram)
            writer.write(comparison.keyness)
        }
        writer.write(words)
        writer.write(warnings)
    }

    init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        let study = try reader.read(String.self)
        var tables: [Outputs.FrequenciesFile.Table] = []
        for _ in 0..<(try reader.readCount()) {
            tables.append(
                .init(
                    grouping: try reader.read(), ngram: try reader.read(), groups: try reader.read(),
                    rows: try reader.read()))
        }
        var keyness: [Outputs.FrequenciesFile.Comparison] = []
        for _ in 0..<(try reader.readCount()) {
            keyness.append(.init(grouping: try reader.read(), ngram: try reader.read(), keyness: try reader.read()))
        }
        file = Outputs.FrequenciesFile(study: study, tables: tables, keyness: keyness)
        words = try reader.read()
        warnings = try reader.read()
    }
}
