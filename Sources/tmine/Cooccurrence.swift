import ArgumentParser
import Coding
import Foundation
import Pipeline

/// `tmine cooccurrence`: which codes are applied in the same turns (or transcripts).
struct CooccurrenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cooccurrence",
        abstract: "Codes applied together in one turn (or transcript): how often, the c-coefficient, and where.",
        discussion:
            "From every coder's codings (accepted, recoded, by hand; --coder for one coder's), or with --suggestions "
            + "from the suggestions not rejected, before anyone has coded.")

    @Argument(help: "The pipeline file (run it first).")
    var pipeline: String

    @Option(name: .long, help: "What counts as together: turn or document.")
    var unit: CodeCooccurrence.Unit = .turn

    @OptionGroup var table: CodingTableOptions

    @Option(name: .long, help: "Order the pairs by units (most shared first) or c (highest c-coefficient first).")
    var sort: CodeCooccurrence.Order = .units

    @Option(name: .long, help: "Only pairs sharing at least N turns (or transcripts).")
    var minCount = 1

    func validate() throws {
        if minCount < 1 { throw ValidationError("--min-count must be 1 or more") }
    }

    func run() throws {
        let configuration = try readPipeline(pipeline)
        let filter = try table.filter(of: configuration)
        let cooccurrence = try report {
            try Decider(configuration: configuration).cooccurrence(
                unit: unit, basis: table.basis, coder: table.coder, filter: filter)
        }.arranged(by: sort, minimumUnits: minCount)
        try table.print(cooccurrence, csv: cooccurrence.csv, text: { cooccurrence.text(limit: $0) })
    }
}

extension CodeCooccurrence.Unit: ExpressibleByArgument {}
extension CodeCooccurrence.Order: ExpressibleByArgument {}
