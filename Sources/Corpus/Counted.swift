extension Int {
    /// This count with its noun, for text people read (reports, messages, the methods
    /// statement): "1 participant", "3 participants"; `plural` when adding "s" is wrong.
    public func counted(_ noun: String, plural: String? = nil) -> String {
        "\(self) \(self == 1 ? noun : plural ?? noun + "s")"
    }
}
