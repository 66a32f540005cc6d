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
        count <= 2 ? joined(separator: " and ") : dropLast().joined(separator: ", ") + " and " + self[count - 1]
    }
}

extension String {
    /// This text right-aligned in `width` characters (longer text is left whole): columns of
    /// numbers in the commands' tables.
    package func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
