import Foundation
import Testing

@testable import Corpus

@Suite struct FixedPointTests {
    /// Values where the hand-made digits could go wrong: ties and their neighbours at every
    /// precision, rates as the frequency tables make them, the edges of the range made by hand.
    private func values(scale: Double) -> [Double] {
        var values: [Double] = [
            0, -0.0, 0.000_05, 0.000_15, 0.5, 1.234_55, 2.5e-5, 1_234_567.891_23, 1e300, -3.141_59, 1.0 / 3,
        ]
        var random = SplitMixGenerator(seed: 0x5EED)
        for _ in 0..<2000 { values.append(Double.random(in: 0..<100, using: &random)) }
        for exponent in -12...12 { values.append(1.000_05 * pow(10, Double(exponent))) }
        for k in 0..<3000 {
            let tie = (Double(k) + 0.5) / scale
            values += [tie, tie.nextUp, tie.nextDown, Double(k) * 10_000.5 + 0.5 / scale]
        }
        for _ in 0..<3000 {
            values.append(
                Double(Int.random(in: 1...5000, using: &random)) * 1000
                    / Double(Int.random(in: 1...9_000_000, using: &random)))
        }
        values += [999_999_999.999_95, 1e9, 1e9.nextDown, 0.999_95, 9.999_95, 0.000_049_999, .leastNonzeroMagnitude]
        values += [
            .infinity, -.infinity, .nan, -1e-9, 2.5, 3.5, 0.125, 0.375, .greatestFiniteMagnitude,
            -.greatestFiniteMagnitude,
        ]
        return values
    }

    @Test(arguments: 0...4)
    func fixedPointWritesWhatStringFormatWrites(digits: Int) {
        let scale = pow(10, Double(digits))
        for value in values(scale: scale) {
            #expect(FixedPoint.string(value, digits: digits) == String(format: "%.\(digits)f", value), "\(value)")
        }
    }

    @Test func integersAreWrittenAsStringWritesThem() {
        var values = [0, 1, 9, 10, 11, 99, 100, -1, -9, -10, Int.max, Int.min, Int.max - 1, Int.min + 1]
        for power in 0..<19 {
            let ten = Int(pow(10, Double(power)))
            values += [ten - 1, ten, ten + 1, -ten]
        }
        var random = SplitMixGenerator(seed: 0xD161)
        for _ in 0..<5000 { values.append(Int(truncatingIfNeeded: random.next()) >> Int(random.next() % 63)) }
        for value in values {
            var bytes: [UInt8] = [0x2C]
            FixedPoint.append(value, to: &bytes)
            #expect(bytes == Array(",\(value)".utf8), "\(value)")
        }
    }
}
