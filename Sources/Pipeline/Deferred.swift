import Foundation

/// A value computed on another thread from the moment it is made, for work a run can overlap
/// with its own (decoding cached tables while it checks its inputs, say); `value` waits for it.
final class Deferred<Value: Sendable>: @unchecked Sendable {
    private var result: Value?
    private let done = DispatchGroup()

    init(_ work: @escaping @Sendable () -> Value) {
        done.enter()
        // A serial queue of its own, as `inParallel`'s helpers have: libdispatch gives it a
        // thread at once, where the global queue may wait for a pool thread (a run makes two
        // at its start, the transcripts' listing and their stored hashes, meant to run together).
        DispatchQueue(label: "TranscriptMiner.deferred").async { [self] in
            result = work()
            done.leave()
        }
    }

    var value: Value {
        done.wait()
        guard let result else { preconditionFailure("a deferred value is set before it is done") }
        return result
    }
}

/// A value made the first time it is asked for, on the thread that asks, and once only (others
/// asking meanwhile wait for it): for what a run needs only sometimes, such as a code's earlier
/// version compiled, or the word index's heads, which only a wildcard edit reads.
final class Lazy<Value: Sendable>: @unchecked Sendable {
    private var made: Value?
    private var make: (@Sendable () -> Value)?
    private let lock = NSLock()

    init(_ make: @escaping @Sendable () -> Value) { self.make = make }

    /// Starts making the value on a thread of its own (as ``Deferred`` does), for a run likely to
    /// ask for it: one that asks meanwhile waits for it.
    func startAhead() {
        DispatchQueue(label: "TranscriptMiner.lazy").async { [self] in _ = value }
    }

    var value: Value {
        lock.withLock {
            if let made { return made }
            guard let make else { preconditionFailure("a lazy value is made before it is let go") }
            let value = make()
            made = value
            self.make = nil
            return value
        }
    }
}
