import Corpus
import Foundation

/// How turns are put into groups for counting.
public enum Grouping: Sendable, Hashable, Codable, CustomStringConvertible {
    /// By the value of one participant attribute, or the combination of several (`a | b`).
    case attributes([String])
    case participant
    case document
    /// One group for the whole corpus.
    case corpus

    /// Parses `participant`, `document`, `corpus`, an attribute name, or `a,b` for a combination.
    public init(_ text: String) {
        switch text {
        case "participant": self = .participant
        case "document": self = .document
        case "corpus", "all": self = .corpus
        default: self = .attributes(text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
        }
    }

    public var description: String {
        switch self {
        case .attributes(let names): names.joined(separator: ",")
        case .participant: "participant"
        case .document: "document"
        case .corpus: "corpus"
        }
    }

    /// The group of a turn; `(none)` marks a participant without that attribute.
    func group(of segment: Segment, document: Document, participant: Participant?) -> String {
        switch self {
        case .attributes(let names):
            return names.map { name in
                guard let value = participant?.attributes[name], !value.isEmpty else { return "(none)" }
                return value
            }.joined(separator: " | ")
        case .participant: return segment.participantID ?? "(none)"
        case .document: return document.id
        case .corpus: return "corpus"
        }
    }
}

/// Counts terms (words or n-grams) by group, with rates and how many people and documents use them.
public struct FrequencyCounter: Sendable {
    public struct Options: Sendable, Hashable, Codable {
        public var grouping: Grouping = .corpus
        /// 1 for words, 2 or 3 for n-grams (within a turn, never across turns).
        public var ngram = 1
        public var filter = SegmentFilter()
        /// Leave stopwords out; an n-gram holding a stopword is left out too.
        public var removeStopwords = true
        /// Count Porter2 stems instead of forms.
        public var stem = false
        public var minimumCount = 1
        /// Keep only the top N terms of each group in the rows (all are kept for keyness).
        public var top: Int?

        public init() {}
    }

    public let options: Options

    public init(options: Options = Options()) { self.options = options }

    public func count(_ corpus: TokenizedCorpus) -> FrequencyTable {
        let n = max(1, min(options.ngram, 3))
        var groupIndex: [String: Int] = [:]
        var groupNames: [String] = []
        var words: [Int] = []
        var groupParticipants: [Set<String>] = []
        var groupDocuments: [Set<Int>] = []
        var counts: [[NGram: TermStats]] = []
        var participantIndex: [String: Int32] = [:]
        var ids: [Int32] = []
        var stop: [Bool] = []

        for (documentIndex, document) in corpus.documents.enumerated() {
            for (segmentIndex, segment) in document.segments.enumerated() {
                let participant = corpus.participant(of: segment)
                guard options.filter.accepts(segment, participant: participant) else { continue }
                let name = options.grouping.group(of: segment, document: document, participant: participant)
                let group: Int
                if let known = groupIndex[name] {
                    group = known
                } else {
                    group = groupNames.count
                    groupIndex[name] = group
                    groupNames.append(name)
                    words.append(0)
                    groupParticipants.append([])
                    groupDocuments.append([])
                    counts.append([:])
                }
                let tokens = corpus.tokens[documentIndex][segmentIndex]
                words[group] += tokens.count
                if let id = segment.participantID { groupParticipants[group].insert(id) }
                if !tokens.isEmpty { groupDocuments[group].insert(documentIndex) }
                let person: Int32 =
                    segment.participantID.map { id in
                        if let known = participantIndex[id] { return known }
                        let next = Int32(participantIndex.count)
                        participantIndex[id] = next
                        return next
                    } ?? -1
                ids.removeAll(keepingCapacity: true)
                stop.removeAll(keepingCapacity: true)
                for token in tokens {
                    ids.append(options.stem ? corpus.stemOfForm[Int(token.form)] : token.form)
                    stop.append(corpus.isStopword[Int(token.form)])
                }
                guard ids.count >= n else { continue }
                for start in 0...(ids.count - n) {
                    if options.removeStopwords, stop[start..<(start + n)].contains(true) { continue }
                    let key = NGram(ids[start..<(start + n)])
                    counts[group][key, default: TermStats()].add(document: Int32(documentIndex), participant: person)
                }
            }
        }

        let vocabulary = options.stem ? corpus.stems : corpus.forms
        let order = groupNames.indices.sorted {
            groupNames[$0].unicodeScalars.lexicographicallyPrecedes(groupNames[$1].unicodeScalars)
        }
        var groups: [FrequencyTable.Group] = []
        var terms: [[String: TermCount]] = []
        for index in order {
            groups.append(
                FrequencyTable.Group(
                    name: groupNames[index], words: words[index], participants: groupParticipants[index].count,
                    documents: groupDocuments[index].count))
            var table: [String: TermCount] = [:]
            table.reserveCapacity(counts[index].count)
            for (key, stats) in counts[index] {
                table[key.text(in: vocabulary)] = TermCount(
                    count: stats.count, participants: stats.participants.count, documents: stats.documents)
            }
            terms.append(table)
        }
        return FrequencyTable(options: options, groups: groups, terms: terms)
    }
}

/// Up to three term ids, the key of a word or n-gram.
struct NGram: Hashable {
    var a: Int32
    var b: Int32 = -1
    var c: Int32 = -1

    init(_ ids: ArraySlice<Int32>) {
        var iterator = ids.makeIterator()
        a = iterator.next() ?? -1
        b = iterator.next() ?? -1
        c = iterator.next() ?? -1
    }

    func text(in vocabulary: Vocabulary) -> String {
        [a, b, c].filter { $0 >= 0 }.map { vocabulary[$0] }.joined(separator: " ")
    }
}

struct TermStats {
    var count = 0
    var documents = 0
    var lastDocument: Int32 = -1
    var participants: Set<Int32> = []

    mutating func add(document: Int32, participant: Int32) {
        count += 1
        if document != lastDocument {
            documents += 1
            lastDocument = document
        }
        if participant >= 0 { participants.insert(participant) }
    }
}

/// A term's numbers in one group.
public struct TermCount: Sendable, Hashable, Codable {
    public var count: Int
    /// How many participants of the group use it at least once.
    public var participants: Int
    /// How many documents of the group use it at least once.
    public var documents: Int
}
