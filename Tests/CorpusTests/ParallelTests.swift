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

    @Test func batchesComeInIndexOrderEachValueOnce() {
        for count in [0, 1, 4, 5, 17, 300] {
            let delivered = ConcurrentSlots<[[Int]]>(count: 1)
            delivered[0] = []
            inOrderBatches(count, batch: 4, window: 8, budget: 100, size: { _ in 1 }, make: { $0 * 2 }) {
                values, letGo in
                delivered[0]?.append(values)
                letGo()
            }
            let batches = delivered[0] ?? []
            #expect(batches.flatMap { $0 } == (0..<count).map { $0 * 2 }, "count \(count)")
            #expect(batches.dropLast().allSatisfy { $0.count == 4 }, "count \(count)")
            #expect((batches.last?.count ?? 1) >= 1)
        }
    }

    /// Index 0 is made only once index 9 is: in chunks one after another (index 9 in the third)
    /// it would wait for index 0, and the wait below would time out.
    @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount >= 2))
    func aSlowValueHoldsUpOnlyTheDeliveryBehindIt() {
        let ninthMade = DispatchSemaphore(value: 0)
        let waited = ConcurrentSlots<Bool>(count: 1)
        let delivered = ConcurrentSlots<[Int]>(count: 1)
        delivered[0] = []
        inOrderBatches(
            20, batch: 4, window: 16, budget: 100, size: { _ in 1 },
            make: { index in
                if index == 0 { waited[0] = ninthMade.wait(timeout: .now() + 10) == .success }
                if index == 9 { ninthMade.signal() }
                return index
            }
        ) { values, letGo in
            delivered[0]?.append(contentsOf: values)
            letGo()
        }
        #expect(waited[0] == true)
        #expect(delivered[0] == Array(0..<20))
    }

    /// Values are let go a while after they are delivered (as a merge on another thread does):
    /// those made and not let go stay within the budget, or the window when they cost nothing,
    /// give or take the values begun before the last were made; the loop still ends.
    @Test func valuesMadeAndNotLetGoStayWithinTheBudgetAndTheWindow() {
        for (cost, budget, window) in [(3, 12, 1000), (0, 100, 8)] {
            let counter = HeldCounter()
            let merge = DispatchQueue(label: "merge")
            let delivered = ConcurrentSlots<[Int]>(count: 1)
            delivered[0] = []
            inOrderBatches(
                200, batch: 2, window: window, budget: budget, size: { _ in cost },
                make: { index in
                    counter.begin()
                    return index
                }
            ) { values, letGo in
                delivered[0]?.append(contentsOf: values)
                merge.asyncAfter(deadline: .now() + .microseconds(300)) {
                    counter.end(values.count)
                    letGo()
                }
            }
            merge.sync {}
            let cores = ProcessInfo.processInfo.activeProcessorCount
            let bound = cost == 0 ? window + cores + 1 : budget / cost + cores + 1
            #expect(counter.most <= bound, "cost \(cost): \(counter.most) held at once")
            #expect(counter.most > 2, "cost \(cost): the values must run ahead of the merge")
            #expect(delivered[0] == Array(0..<200))
        }
    }
}

/// How many values are made and not let go, and the most at once.
private final class HeldCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var held = 0
    private(set) var most = 0

    func begin() {
        lock.withLock {
            held += 1
            most = max(most, held)
        }
    }

    func end(_ count: Int) { lock.withLock { held -= count } }
}
