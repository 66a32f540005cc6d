/// What a command was asked to do when read without ArgumentParser, and its doing.
protocol PlainRequest {
    /// The request of these arguments (the executable's name left out), or nil when they are
    /// not this command's in its plainest forms.
    init?(plain arguments: [String])
    func perform() throws
}

/// A command's arguments in their plainest forms: positional arguments, known flags, and known
/// options with one value each, every flag and option once, none written with `=`, no value or
/// positional that starts with `-` (nor `help`). Anything else is nil, and left to
/// ArgumentParser: help, versions, every error. Parsing from the root took 4 ms of every
/// command's start, most of it the run-time's first look at each argument's type, and at those
/// of the completion-script request ArgumentParser checks for at every parse; even making a
/// command took 0.5 ms (its property wrappers' first use).
struct PlainArguments {
    private(set) var positionals: [String] = []
    private var flags: Set<String> = []
    private(set) var values: [String: String] = [:]

    init?(_ arguments: [String], command: String, flags known: Set<String>, options: Set<String>) {
        guard arguments.first == command else { return nil }
        var rest = arguments.dropFirst()[...]
        while let argument = rest.popFirst() {
            if !argument.hasPrefix("-") {
                guard argument != "help" else { return nil }
                positionals.append(argument)
            } else if known.contains(argument) {
                guard flags.insert(argument).inserted else { return nil }
            } else if options.contains(argument) {
                guard values[argument] == nil, let value = rest.popFirst(), !value.hasPrefix("-") else { return nil }
                values[argument] = value
            } else {
                return nil
            }
        }
    }

    func has(_ flag: String) -> Bool { flags.contains(flag) }
}
