import ArgumentParser
import Coding
import Corpus
import Foundation
import Pipeline

/// `tmine export`: REFI-QDA project or codebook, or a CSV of codings.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract:
            "Export codings: a REFI-QDA project (.qdpx) or codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, QualCoder; or CSV or Excel."
    )

    @Argument(help: "The pipeline file (run it first).")
    var pipeline: String

    @Option(name: .long, help: "Write a REFI-QDA project to this .qdpx file.")
    var qdpx: String?

    @Option(name: .long, help: "Write the codebook to this .qdc file.")
    var qdc: String?

    @Option(name: .long, help: "Write one row per coding to this CSV file.")
    var csv: String?

    @Option(
        name: .long,
        help: "Write one row per coding to this Excel workbook (.xlsx): the CSV's rows, read by Excel as written.")
    var xlsx: String?

    func run() throws {
        let exporter = Exporter(configuration: try readPipeline(pipeline))
        guard qdpx != nil || qdc != nil || csv != nil || xlsx != nil else {
            throw ValidationError("give --qdpx, --qdc, --csv or --xlsx")
        }
        let spreadsheet = { (codings: Exporter.Codings?) throws(PipelineError) -> Data in
            let (data, cut) = try exporter.spreadsheet(codings)
            if cut > 0 {
                printError(
                    "warning: \(cut.counted("coding")) longer than Excel's \(Spreadsheet.cellLimit) characters a cell: "
                        + "cut in the workbook (--csv writes the whole text)")
            }
            return data
        }
        let exports: [(String?, Exporter.Kind, (Exporter.Codings?) throws(PipelineError) -> Data)] = [
            (qdpx, .project, exporter.project),
            (qdc, .codebook, { _ throws(PipelineError) in try exporter.codebook() }),
            (csv, .csv, exporter.csv), (xlsx, .spreadsheet, spreadsheet),
        ]
        // Every target checked before anything is written.
        for case let (path?, kind, _) in exports { try report { try exporter.checkTarget(path, kind: kind) } }
        // The codings read once, by the first export that holds them, for all of them (each read
        // suggestions.json and the decisions); the codebook needs none.
        var codings: Exporter.Codings?
        for (path, kind, make) in exports {
            guard let path else { continue }
            if codings == nil, kind != .codebook { codings = try report { try exporter.codings() } }
            let data = try report { try make(codings) }
            do {
                try AtomicFile.write(data, to: path)
            } catch {
                printError(error.description)
                throw ExitStatus.usage
            }
            print("wrote \(path)")
        }
    }
}

/// `tmine agreement`: inter-coder agreement from decision logs.
struct AgreementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreement",
        abstract: "Percent agreement, Cohen's kappa and Krippendorff's alpha per code, from decisions files.",
        discussion: "Give two or more decisions/<coder>.json files, or a pipeline file to use every coder's.")

    @Argument(help: "Decision logs, or one pipeline file.")
    var inputs: [String]

    @Flag(name: .long, help: "JSON output.")
    var json = false

    func run() throws {
        var files = inputs
        if inputs.count > 1, let pipeline = inputs.first(where: isPipelinePath) {
            throw ValidationError(
                "give two or more decisions files, or one pipeline file alone (\(pipeline) is among \(inputs.count) inputs)"
            )
        }
        // A coder's log given twice (or two logs named alike from two folders) compared with itself.
        let coders = inputs.map { ((($0 as NSString).lastPathComponent) as NSString).deletingPathExtension }
        if let twice = coders.enumerated().first(where: { coders[..<$0.offset].contains($0.element) })?.element {
            throw ValidationError("coder \"\(twice)\" is given twice: agreement compares different coders' logs")
        }
        if inputs.count == 1, isPipelinePath(inputs[0]) {
            let folder = try readPipeline(inputs[0]).decisionsFolder
            files = try DecisionFiles.logs(in: folder)
        }
        guard files.count >= 2 else { throw ValidationError("agreement needs at least two coders' decisions") }
        var states: [CoderState] = []
        for file in files {
            do {
                // A misspelt path was read as a coder who decided nothing.
                let log = try DecisionStore.decode(FileManager.default.contents(atPath: file), path: file)
                states.append(CoderState(log))
            } catch {
                printError(error.description)
                throw ExitStatus.usage
            }
        }
        var agreement = Agreement(judgements: Agreement.judgements(from: states), coders: states.map(\.coder))
        agreement.decidedBlind = Agreement.decidedBlind(states)
        if json {
            print(try jsonString(agreement))
            return
        }
        func number(_ value: Double?) -> String { value.map { FixedPoint.string($0, digits: 3) } ?? "–" }
        // A bootstrap interval when there is one, after a space.
        func interval(_ value: [Double]?) -> String { value.map { " [\(number($0[0])), \(number($0[1]))]" } ?? "" }
        print("coders: " + agreement.coders.joined(separator: ", "))
        // Whether the judgements were made apart (tmine review --blind), for the methods section.
        print(
            "decided blind (tmine review --blind): "
                + agreement.decidedBlind.map(\.description).joined(separator: ", "))
        for row in agreement.codes + [agreement.overall] {
            print(
                "\(row.code): \(row.pairableUnits.counted("unit")) judged by 2+ coders, "
                    + "agreement \(number(row.percentAgreement))"
                    + (agreement.coders.count == 2 ? ", κ \(number(row.kappa))\(interval(row.kappaInterval))" : "")
                    + ", α \(number(row.alpha))\(interval(row.alphaInterval))")
            print("    \(row.reading)")
        }
    }
}
