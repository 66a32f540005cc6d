import Foundation

/// `String(format: "%.Nf", value)` for N from 0 to 4, without Foundation's formatter: it built a
/// locale-aware string per call (most of the time of writing frequencies.csv), and its first call
/// in a process looked up `CVarArg` conformances at run time, each lookup a scan of every
/// conformance record in the binary (~0.2 ms here). The C library's own `%.Nf` (the C locale's
/// decimal point) where the digits cannot be made by hand safely.
package enum FixedPoint {
    /// `value` with `digits` decimals (0 to 4), as `%.Nf` writes it.
    package static func string(_ value: Double, digits: Int) -> String {
        var bytes: [UInt8] = []
        append(value, digits: digits, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let scales: [Double] = [1, 10, 100, 1000, 10_000]

    /// An integer's decimal digits, as `String(value)` writes them, made on the stack: a
    /// `String` per number was a tenth of writing a hit or a suggestion (every range is two),
    /// and 9 % of `tmine freq --by participant --csv`'s CPU (three counts a row).
    package static func append(_ value: Int, to bytes: inout [UInt8]) {
        if value >= 0, value < 10 {
            bytes.append(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        withDigits(of: value) { bytes.append(contentsOf: $0) }
    }

    /// `body` with the value's sign and digits, in a buffer on the stack.
    @inline(__always)
    package static func withDigits(of value: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { buffer in
            var start = 21
            repeat {
                start -= 1
                buffer[start] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                start -= 1
                buffer[start] = 0x2D
            }
            body(UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }
    private static let longest = 320

    /// ``string(_:digits:)``'s bytes appended to `bytes`.
    ///
    /// Digits by hand where the rounding cannot differ from the C library's: a value from 0 to a
    /// billion whose scaled fraction is not within 0.002 of a tie, which leaves room for the
    /// product's rounding error (at most 0.0011 below 10¹³). The C library otherwise; calling
    /// `vsnprintf` through `withVaList` casts the value to `CVarArg` at run time.
    package static func append(_ value: Double, digits: Int, to bytes: inout [UInt8]) {
        precondition((0...4).contains(digits), "FixedPoint writes 0 to 4 decimals")
        if value.sign == .plus, value < 1e9 {
            let scale = scales[digits]
            let scaled = value * scale
            let whole = scaled.rounded(.down)
            let fraction = scaled - whole
            if abs(fraction - 0.5) > 0.002 {
                let units = UInt64(whole) + (fraction > 0.5 ? 1 : 0)
                let divisor = UInt64(scale)
                append(Int(units / divisor), to: &bytes)
                guard digits > 0 else { return }
                bytes.append(0x2E)
                var place = divisor / 10
                let decimals = units % divisor
                while place > 0 {
                    bytes.append(0x30 + UInt8(decimals / place % 10))
                    place /= 10
                }
                return
            }
        }
        // Room for the longest: -DBL_MAX has 309 digits before the point.
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Self.longest) { buffer in
            let length = withVaList([Int32(digits), value]) {
                vsnprintf(buffer.baseAddress, Self.longest, "%.*f", $0)
            }
            precondition(length > 0 && length < Self.longest, "vsnprintf wrote \(length) bytes")
            bytes.append(contentsOf: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(length)))
        }
    }
}
