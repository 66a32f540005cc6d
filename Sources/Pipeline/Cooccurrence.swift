import Coding
import Corpus
import Foundation
import TextAnalysis

extension Decider {
    /// Which codes the study's last run and its coders' decisions apply together
    /// (``CodeCooccurrence``): from every coder's codings, or `coder`'s alone, or from the
    /// suggestions not rejected; in every turn, or in the turns of the participants `filter`
    /// accepts (its roles are not read: codes count wherever they were applied). suggestions.json
    /// is read a document at a time, as the export reads it. A coding by hand counts in each turn
    /// it overlaps (one across turns in each of them, one that overlaps no turn in none); corpus.json
    /// is read for their turns when one spans turns or the filter names participants or attributes.
    public func cooccurrence(
        unit: CodeCooccurrence.Unit, basis: CodeCooccurrence.Basis, coder: String? = nil,
        filter: SegmentFilter = .everyone
    ) throws(PipelineError) -> CodeCooccurrence {
        let codebook = configuration.suggest?.lexicon.codes.map(\.name) ?? []
        var tally = CodeCooccurrence.Tally(unit: unit, codebook: codebook)
        let (coders, unplaced) = try applications(basis: basis, coder: coder, filter: filter) {
            tally.add(code: $0, documentID: $1, turn: $2)
        }
        if !unplaced.isEmpty {
            let accepts = try accepting(filter)
            _ = try Outputs.forEachDocument(of: configuration) { document in
                Self.place(unplaced[document.id] ?? [], in: document) { manual, segment in
                    guard accepts(segment) else { return }
                    tally.add(code: manual.code, documentID: document.id, turn: segment.index)
                }
            }
        }
        var table = tally.result(basis: basis, coders: coders)
        table.turnsOf = Self.whose(filter)
        return table
    }

    /// Where `basis` applies each code, given to `add` as code, document and turn: the
    /// suggestions not rejected, or the codings (every coder's, or `coder`'s) of suggestions
    /// accepted or recoded and, when their turn is known and `filter` names no participant or
    /// attribute, by hand; in the turns of the participants `filter` accepts (its roles are not
    /// read: codes count wherever they were applied). suggestions.json is read a document at a
    /// time, as the export reads it. Returns the coders whose codings count (sorted; none for
    /// suggestions) and, by document, the codings by hand to place against its turns
    /// (``place(_:in:_:)``).
    func applications(
        basis: CodeCooccurrence.Basis, coder: String?, filter: SegmentFilter,
        _ add: (_ code: String, _ documentID: String, _ turn: Int) -> Void
    ) throws(PipelineError) -> (coders: [String], unplaced: [String: [ManualCoding]]) {
        try requireSuggestStage()
        let narrowed = filter.participantIDs != nil || !filter.attributes.isEmpty
        var coding: Set<String> = []
        // Only the code, the turn and the status are read (the attributes too when a filter asks
        // for them); the texts are left out.
        let end = try forEachMergedDocument(omitting: narrowed ? [.text, .context] : [.text, .context, .attributes]) {
            suggestions in
            for suggestion in suggestions {
                if narrowed {
                    // The suggestion carries its participant's attributes as the run read them.
                    let participant = suggestion.participantID.map {
                        Participant(id: $0, attributes: suggestion.attributes)
                    }
                    guard filter.accepts(participantID: suggestion.participantID, participant: participant) else {
                        continue
                    }
                }
                switch basis {
                case .suggestions:
                    guard suggestion.status != .rejected else { continue }
                    add(suggestion.code, suggestion.documentID, suggestion.segmentIndex)
                case .codings:
                    for decision in suggestion.decisions where coder == nil || decision.coder == coder {
                        guard let code = decision.appliedCode(of: suggestion) else { continue }
                        coding.insert(decision.coder)
                        add(code, suggestion.documentID, suggestion.segmentIndex)
                    }
                }
            }
        }
        if let coder, end.manual[coder] == nil {
            let known = end.manual.keys.sorted()
            throw PipelineError(
                file: configuration.decisionsFolder,
                message: "no decisions by \"\(coder)\""
                    + (known.isEmpty ? " (no coder has decided yet)" : " (coders: \(known.joined(separator: ", ")))"))
        }
        guard basis == .codings else { return ([], [:]) }
        var unplaced: [String: [ManualCoding]] = [:]
        for (name, codings) in end.manual where coder == nil || name == coder {
            for manual in codings {
                coding.insert(name)
                if let turn = manual.segmentIndex, !narrowed {
                    add(manual.code, manual.documentID, turn)
                } else {
                    unplaced[manual.documentID, default: []].append(manual)
                }
            }
        }
        return (coder.map { [$0] } ?? coding.sorted(), unplaced)
    }

    /// Whether a turn of the study is one of the participants `filter` names (every turn when it
    /// names no participant or attribute; its roles are not read), their attributes from corpus.json.
    func accepting(_ filter: SegmentFilter) throws(PipelineError) -> (Segment) -> Bool {
        guard filter.participantIDs != nil || !filter.attributes.isEmpty else { return { _ in true } }
        let participants = try Outputs.corpusWithoutDocuments(of: configuration).participants.byID
        return { segment in
            filter.accepts(
                participantID: segment.participantID, participant: segment.participantID.flatMap { participants[$0] })
        }
    }

    /// Whose turns `filter` keeps, said as the command line gives them (`participant P3`,
    /// `clinical_tech_split=Full-time tech`); nil for everyone's.
    static func whose(_ filter: SegmentFilter) -> String? {
        let conditions =
            (filter.participantIDs.map { ["participant " + $0.sorted().joined(separator: ", ")] } ?? [])
            + filter.attributes.sorted { $0.key < $1.key }.map {
                "\($0.key)=\($0.value.sorted().joined(separator: " or "))"
            }
        return conditions.isEmpty ? nil : conditions.joined(separator: "; ")
    }

    /// Each of `codings` (by hand, of `document`) with each turn it overlaps: one across turns
    /// in each of them, one that overlaps no turn in none.
    static func place(
        _ codings: [ManualCoding], in document: Document, _ body: (ManualCoding, Segment) -> Void
    ) {
        for manual in codings {
            for segment in document.segments
            where segment.range.start < manual.range.end && manual.range.start < segment.range.end {
                body(manual, segment)
            }
        }
    }
}

extension CodeCooccurrence {
    /// Whose codes, in a sentence: what the table's counts are of.
    public var source: String {
        let within = turnsOf.map { " in the turns of \($0)" } ?? ""
        switch basis {
        case .suggestions: return "the suggestions not rejected by a coder (confirmed or not)" + within
        case .codings:
            let who = coders.isEmpty ? "no coder" : coders.joined(separator: ", ")
            return "the codings of \(who) (suggestions accepted or recoded, and codings by hand"
                + (coders.count > 1 ? "; a unit counts once whoever coded it)" : ")") + within
        }
    }

    /// The table for a terminal: the pairs, most units first, then the codes applied alone.
    public func text(limit: Int? = nil) -> String {
        let (noun, nouns) = unit == .turn ? ("turn", "turns") : ("transcript", "transcripts")
        var lines = [
            "Codes applied in the same \(noun), from \(source):",
            "\(unitsWithSeveralCodes) of \(codedUnits.counted(noun)) with a code "
                + "\(unitsWithSeveralCodes == 1 ? "has" : "have") two codes or more.",
        ]
        let leftOut = minimumUnits.map { minimum in
            "\((pairsLeftOut ?? 0).counted("pair")) sharing fewer than \(minimum.counted(noun)) left out (--min-count)."
        }
        guard !pairs.isEmpty else {
            if let leftOut {
                lines.append(leftOut)
            } else if !codes.isEmpty {
                lines.append("No two codes share a \(noun).")
            } else if basis == .codings {
                lines.append(
                    "No coding yet (tmine review or tmine decide records them); --suggestions reads the suggestions.")
            } else {
                lines.append("No suggestion.")
            }
            return lines.joined(separator: "\n") + "\n"
        }
        let units = unitsByCode
        let shown = limit.map { Array(pairs.prefix($0)) } ?? pairs
        let width = max(nouns.count, 5)
        lines.append("")
        lines.append(nouns.leftPadded(width) + "     c  codes (of each code's \(nouns), how many have the other)")
        for pair in shown {
            let shares = Self.sides(of: pair, units: units).map { "\(pair.units) of \($0.units), \($0.percent) %" }
            lines.append(
                String(pair.units).leftPadded(width) + FixedPoint.string(pair.c, digits: 2).leftPadded(6) + "  "
                    + "\(pair.codes[0]) × \(pair.codes[1]) (\(shares.joined(separator: "; ")))")
        }
        if shown.count < pairs.count {
            lines.append("… \((pairs.count - shown.count).counted("more pair")) (--json or --csv lists every one)")
        }
        if let leftOut { lines.append(leftOut) }
        // With pairs left out, a code without a pair here may have one there.
        let paired = Set(pairs.flatMap(\.codes))
        let alone = minimumUnits == nil ? codes.filter { !paired.contains($0.code) } : []
        if !alone.isEmpty {
            lines.append("")
            lines.append(
                "Never with another code: "
                    + alone.map { "\($0.code) (\($0.units.counted(noun)))" }.joined(separator: ", "))
        }
        lines.append("c: the \(nouns) with both codes over those with either (0 to 1).")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per pair: both codes, the units with both, c, and each code's units.
    public func csv() -> String {
        let units = unitsByCode
        var rows = ["code_a,code_b,\(unit.rawValue)s,c,\(unit.rawValue)s_a,\(unit.rawValue)s_b"]
        for pair in pairs {
            rows.append(
                [
                    csvField(pair.codes[0]), csvField(pair.codes[1]), String(pair.units),
                    FixedPoint.string(pair.c, digits: 4),
                    String(units[pair.codes[0]] ?? 0), String(units[pair.codes[1]] ?? 0),
                ]
                .joined(separator: ","))
        }
        return rows.joined(separator: "\n") + "\n"
    }
}
