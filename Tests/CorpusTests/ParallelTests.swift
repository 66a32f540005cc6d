import Foundation
import Testing

@testable import Corpus

@Suite struct ParallelTests {
    @Test func everyIndexRunsOnceInIndexOrderOfResults() {
        for count in [0, 1, 2, 3, 17, 1000] {
            let seen = ConcurrentSlots<Int>(count: count)
            inParallel(count) { index in seen[index] = (seen[index] ?? 0) + 1 }
            #expect(seen.values.map { $0 ?? 0 } == Array(repeating: 1, count: count), "count \(count)")
            #expect(ConcurrentSlots<Int>.map(count) { $0 * $0 } == (0..<count).map { $0 * $0 })
        }
    }

    /// Once the loop returns, nothing of its work is held (a pool thread's helper that had not
    /// started yet held it, and with it the files a failed run was writing, until it ran: their
    /// temporary files outlived the run). Checked over many loops, since it is a race.
    @Test func nothingOfTheWorkIsHeldOnceTheLoopReturns() {
        final class Captured: Sendable {}
        var held = 0
        for _ in 0..<500 {
            weak var watched: Captured?
            do {
                let captured = Captured()
                watched = captured
                inParallel(4) { _ in withExtendedLifetime(captured) {} }
            }
            if watched != nil { held += 1 }
        }
        #expect(held == 0)
    }

    /// Inside a `concurrentPerform` libdispatch runs a nested apply on one thread; here the two
    /// halves of the nested loop must meet, which only two threads at once can do.
    @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount >= 2))
    func workNestedInAParallelLoopStillRunsInParallel() {
        let met = ConcurrentSlots<Bool>(count: 2)
        DispatchQueue.concurrentPerform(iterations: 2) { outer in
            guard outer == 1 else { return }
            let arrived = DispatchGroup()
            arrived.enter()
            arrived.enter()
            inParallel(2) { inner in
                arrived.leave()
                met[inner] = arrived.wait(timeout: .now() + 10) == .success
            }
        }
        #expect(met.values == [true, true])
    }
}
