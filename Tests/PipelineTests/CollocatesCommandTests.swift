import Foundation
import Testing

@Suite struct CollocatesCommandTests {
    /// `tmine kwic --collocates` over the sample study: each collocate's count in the turns
    /// searched is the count `tmine freq` gives the word, its hits are the query's, and what the
    /// table prints is the JSON's first rows.
    @Test func collocatesCountWordsAsFreqCountsThem() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let tmine = try tmineExecutable().path
        let (status, json) = try runProcess(
            tmine, ["kwic", "regulat*", workspace.pipeline, "--collocates", "--json", "--min-count", "1"])
        #expect(status == 0, "\(json)")
        let start = try #require(json.firstIndex(of: "{"))
        let object = try JSONSerialization.jsonObject(with: Data(json[start...].utf8)) as? [String: Any]
        let table = try #require((object?["queries"] as? [[String: Any]])?.first)
        let rows = try #require(table["rows"] as? [[String: Any]])
        #expect(!rows.isEmpty)
        let (_, freq) = try runProcess(tmine, ["freq", workspace.pipeline, "--json"])
        let counts =
            try JSONSerialization.jsonObject(with: Data(freq[try #require(freq.firstIndex(of: "{"))...].utf8))
            as? [String: Any]
        var counted: [String: Int] = [:]
        for row in counts?["rows"] as? [[String: Any]] ?? [] {
            counted[row["term"] as? String ?? ""] = row["count"] as? Int
        }
        for row in rows {
            let term = row["term"] as? String ?? ""
            #expect(row["total"] as? Int == counted[term], "\(term)")
            #expect((row["left"] as? Int ?? 0) + (row["right"] as? Int ?? 0) <= row["total"] as? Int ?? 0)
        }
        let (_, hits) = try runProcess(tmine, ["kwic", "regulat*", workspace.pipeline])
        #expect(hits.contains("\(table["hits"] as? Int ?? -1) hits"), "\(hits)")
        #expect((table["windowWords"] as? Int ?? 0) <= 10 * (table["hits"] as? Int ?? 0))
        let (_, text) = try runProcess(
            tmine, ["kwic", "regulat*", workspace.pipeline, "--collocates", "--min-count", "1"])
        let first = try #require(rows.first?["term"] as? String)
        #expect(
            text.contains("collocates of regulat*: \(table["hits"] as? Int ?? -1) hits, 5 words each side"), "\(text)")
        #expect(text.split(separator: "\n").dropFirst(2).first?.hasPrefix("  \(first) ") == true, "\(text)")
    }
}
