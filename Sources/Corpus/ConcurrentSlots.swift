import Foundation

/// Results written from `DispatchQueue.concurrentPerform`, one slot per index, under a lock, so
/// parallel work can be merged back in input order.
package final class ConcurrentSlots<Value>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()

    package init(count: Int) { slots = Array(repeating: nil, count: count) }

    package subscript(index: Int) -> Value? {
        get { lock.withLock { slots[index] } }
        set { lock.withLock { slots[index] = newValue } }
    }

    package var values: [Value?] { lock.withLock { slots } }
}
