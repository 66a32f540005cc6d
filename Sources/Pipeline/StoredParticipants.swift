import Coding
import Corpus
import Foundation
import Ingest

/// The participant table as last read from the participants file, and its warnings, kept in
/// `.cache/participants.bin` under the hash of the file's bytes, its path (the warnings name it)
/// and the build (which reads it): CSV.swift builds each field a character at a time, 5.5 ms of
/// every run at 2,000 participants (a tenth of a run with nothing to do), 0.9 ms at 200.
struct StoredParticipants: BinaryCodable, Equatable {
    var table: ParticipantTable
    var warnings: [String]

    private static let tag = "tmine-participants-\(BinaryWriter.formatVersion)"

    static func path(in out: String) -> String {
        (out as NSString).appendingPathComponent(".cache/participants.bin")
    }

    /// The table in `data`, the bytes of the file at `file` whose hash is `hash`: from the cache
    /// when it holds this very file's (and `trusting`: not a forced run), else read by
    /// ``ParticipantsReader`` and kept for the next run (only when it reads: a file that fails is
    /// read, and fails, every time).
    static func read(
        data: Data, hash: String, file: String, out: String, trusting: Bool, fallback: FallbackEncoding? = nil
    ) throws -> Self {
        let key = ContentHash.combining([hash, file, RunManifest.build, fallback?.rawValue ?? ""])
        if trusting, let stored = CacheFile.read(Self.self, at: path(in: out), tag: tag, key: key) { return stored }
        let (table, warnings) = try ParticipantsReader(fallback: fallback).read(data: data, file: file)
        let read = Self(table: table, warnings: warnings)
        CacheFile.write(at: path(in: out), tag: tag, key: key, capacity: data.count * 2 + 1024) { $0.write(read) }
        return read
    }

    func write(to writer: inout BinaryWriter) {
        writer.write(table)
        writer.write(warnings)
    }

    init(table: ParticipantTable, warnings: [String]) {
        self.table = table
        self.warnings = warnings
    }

    init(from reader: inout BinaryReader) throws(BinaryReader.Error) {
        self.init(table: try reader.read(), warnings: try reader.read())
    }
}
