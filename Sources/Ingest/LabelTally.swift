/// A value per distinct label of one transcript, made once: a transcript repeats a few labels
/// on thousands of lines, so labels are compared (short strings, most held inline) rather than
/// hashed, until there are many of them.
struct LabelTally<Value> {
    private(set) var entries: [(label: String, value: Value)] = []
    private var positions: [String: Int] = [:]
    private var last = -1
    private static var linearLimit: Int { 16 }

    /// Where `label`'s entry is, made with `make` when the label is new.
    mutating func position(of label: String, make: (String) -> Value) -> Int {
        if last >= 0, entries[last].label == label { return last }
        let found =
            entries.count <= Self.linearLimit ? entries.firstIndex { $0.label == label } : positions[label]
        if let found {
            last = found
            return found
        }
        entries.append((label, make(label)))
        last = entries.count - 1
        if entries.count == Self.linearLimit + 1 {
            for (position, entry) in entries.enumerated() { positions[entry.label] = position }
        } else if entries.count > Self.linearLimit + 1 {
            positions[label] = last
        }
        return last
    }

    subscript(position: Int) -> Value {
        get { entries[position].value }
        set { entries[position].value = newValue }
    }
}
