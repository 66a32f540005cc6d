import Corpus
import Testing

@testable import Pipeline

@Suite struct ByteBufferTests {
    /// Random appends of every kind (single bytes, short and long pieces, static strings,
    /// strings, repeated bytes) and removals, from a buffer of the least room, against an array
    /// given the same: the same bytes after every step, however often the buffer grew.
    @Test func aBufferHoldsWhatAnArrayGivenTheSameAppendsHolds() {
        var random = SplitMixGenerator(seed: 87)
        for _ in 0..<50 {
            var buffer = ByteBuffer(capacity: 0)
            var model: [UInt8] = []
            for _ in 0..<200 {
                switch random.next() % 7 {
                case 0:
                    let byte = UInt8(truncatingIfNeeded: random.next())
                    buffer.append(byte)
                    model.append(byte)
                case 1, 2:
                    // Around the 16 bytes where a piece is copied by `memmove` instead.
                    let piece = (0..<Int(random.next() % 40)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                    piece.withUnsafeBufferPointer { buffer.append($0) }
                    model += piece
                case 3:
                    buffer.append(" : ")
                    model += Array(" : ".utf8)
                case 4:
                    let text = random.next() % 2 == 0 ? "café" : String(repeating: "ab", count: Int(random.next() % 30))
                    buffer.append(utf8: text)
                    model += Array(text.utf8)
                case 5:
                    let count = Int(random.next() % 70)
                    buffer.append(repeating: 0x20, count: count)
                    model += repeatElement(0x20, count: count)
                default:
                    let drop = model.isEmpty ? 0 : Int(random.next() % UInt64(min(model.count, 20) + 1))
                    buffer.removeLast(drop)
                    model.removeLast(drop)
                }
                #expect(buffer.count == model.count)
            }
            #expect(buffer.array() == model)
            let start = model.count / 2
            #expect(buffer.array(from: start) == Array(model[start...]))
            if let last = model.indices.last { #expect(buffer[last] == model[last]) }
            buffer.removeAll()
            #expect(buffer.isEmpty && buffer.array().isEmpty)
        }
    }

    /// Integers into a buffer as into an array (``FixedPoint``'s digits; the sign, the extremes).
    @Test func integersAreWrittenIntoABufferAsIntoAnArray() {
        var values = [0, 1, 9, 10, -1, -10, Int.max, Int.min, 1_234_567_890]
        var random = SplitMixGenerator(seed: 0xD162)
        for _ in 0..<1000 { values.append(Int(truncatingIfNeeded: random.next()) >> Int(random.next() % 63)) }
        var buffer = ByteBuffer(capacity: 0)
        var bytes: [UInt8] = []
        for value in values {
            FixedPoint.append(value, to: &buffer)
            FixedPoint.append(value, to: &bytes)
            buffer.append(0x2C)
            bytes.append(0x2C)
        }
        #expect(buffer.array() == bytes)
        #expect(String(decoding: buffer.array(), as: UTF8.self) == values.map { "\($0)," }.joined())
    }
}
