extension Int {
    /// This count with its noun, for text people read (reports, messages, the methods
    /// statement): "1 participant", "3 participants"; `plural` when adding "s" is wrong.
    public func counted(_ noun: String, plural: String? = nil) -> String {
        "\(self) \(self == 1 ? noun : plural ?? noun + "s")"
    }
}

extension Array where Element == String {
    /// The items as a sentence lists them: "a", "a and b", "a, b and c".
    public var listedInWords: String {
        count <= 2
            ? Corpus.joined(self, separator: " and ")
            : Corpus.joined(Array(dropLast()), separator: ", ") + " and " + self[count - 1]
    }
}

/// `parts` joined by `separator`, by hand: the standard library's generic `joined(separator:)`
/// and `append(contentsOf:)` looked their element type's conformances up at run time, each a
/// scan of every conformance record (0.1-0.2 ms) in every run that used them. Every join on a
/// run's path uses this one: any use of the generic one makes the scan again.
package func joined(_ parts: [String], separator: String) -> String {
    var result = ""
    for (index, part) in parts.enumerated() {
        if index > 0 { result.append(separator) }
        result.append(part)
    }
    return result
}

extension String {
    /// This text right-aligned in `width` characters (longer text is left whole): columns of
    /// numbers in the commands' tables.
    package func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
