/// Whether group name `a` comes before `b` as a reader expects: runs of digits compare as
/// numbers (`P2` before `P10`, `5-9` before `10+`), everything else by Unicode scalar (UTF-8
/// bytes sort as their scalars do). Sorted by scalar alone, eleven participants came out P1, P10,
/// P11, P2 … and a numeric attribute's bands out of order. Numbers equal but for leading zeros
/// (`P01`, `P1`) put the shorter spelling first, so the order stays total.
public func naturalPrecedes(_ a: String, _ b: String) -> Bool {
    let (left, right) = (a.utf8, b.utf8)
    func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    var (i, j) = (left.startIndex, right.startIndex)
    var zerosDecide: Bool?
    while i < left.endIndex && j < right.endIndex {
        guard isDigit(left[i]) && isDigit(right[j]) else {
            if left[i] != right[j] { return left[i] < right[j] }
            left.formIndex(after: &i)
            right.formIndex(after: &j)
            continue
        }
        // Two runs of digits: leading zeros skipped, the longer run is the larger number, and
        // runs of one length compare digit by digit.
        var (zerosLeft, zerosRight) = (0, 0)
        while i < left.endIndex && left[i] == UInt8(ascii: "0") {
            zerosLeft += 1
            left.formIndex(after: &i)
        }
        while j < right.endIndex && right[j] == UInt8(ascii: "0") {
            zerosRight += 1
            right.formIndex(after: &j)
        }
        let (startI, startJ) = (i, j)
        var (lengthLeft, lengthRight) = (0, 0)
        while i < left.endIndex && isDigit(left[i]) {
            lengthLeft += 1
            left.formIndex(after: &i)
        }
        while j < right.endIndex && isDigit(right[j]) {
            lengthRight += 1
            right.formIndex(after: &j)
        }
        if lengthLeft != lengthRight { return lengthLeft < lengthRight }
        var (digitLeft, digitRight) = (startI, startJ)
        while digitLeft < i {
            if left[digitLeft] != right[digitRight] { return left[digitLeft] < right[digitRight] }
            left.formIndex(after: &digitLeft)
            right.formIndex(after: &digitRight)
        }
        if zerosDecide == nil && zerosLeft != zerosRight { zerosDecide = zerosLeft < zerosRight }
    }
    if i < left.endIndex || j < right.endIndex { return i == left.endIndex }
    return zerosDecide ?? false
}
