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

    /// The cores counted are those of the affinity mask as the kernel lists them
    /// (`Cpus_allowed_list`, `taskset -c 0` making it one), and no more than Foundation's
    /// `activeProcessorCount` (the cores online, fewer under a cgroup's quota).
    @Test func theCoresCountedAreTheAffinityMasksWithinFoundations() throws {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let allowed = try #require(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") })
        let listed = allowed.dropFirst("Cpus_allowed_list:".count).split(separator: ",").map { range in
            let bounds = range.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            return bounds.count == 2 ? bounds[1] - bounds[0] + 1 : 1
        }.reduce(0, +)
        #expect(CoreCount.affinity() == listed)
        #expect(CoreCount.available() == min(listed, ProcessInfo.processInfo.activeProcessorCount))
        #expect(activeCores == CoreCount.available())
    }

    /// A cgroup's CPU quota, v2 (of the process's own group) or v1, rounded up to whole cores;
    /// none when unlimited, missing or unreadable.
    @Test func aCgroupQuotaLimitsTheCores() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgroup-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        func write(_ text: String, _ path: String) throws {
            try FileManager.default.createDirectory(
                atPath: (root + path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: root + path, atomically: true, encoding: .utf8)
        }
        let membership = root + "/self-cgroup"
        func quota() -> Int? { CoreCount.cgroupQuota(root: root, membership: membership) }
        #expect(quota() == nil)
        try write("12:memory:/x\n0::/study/run\n", "/self-cgroup")
        try write("max 100000\n", "/study/run/cpu.max")
        #expect(quota() == nil)
        try write("150000 100000\n", "/study/run/cpu.max")
        #expect(quota() == 2)
        try write("50000 100000", "/study/run/cpu.max")
        #expect(quota() == 1)
        try write("0::/\n", "/self-cgroup")
        #expect(quota() == nil)
        try write("400000 100000\n", "/cpu.max")
        #expect(quota() == 4)
        // v1, where v2 gives no quota.
        try write("1:cpu,cpuacct:/\n", "/self-cgroup")
        try write("-1\n", "/cpu/cpu.cfs_quota_us")
        try write("100000\n", "/cpu/cpu.cfs_period_us")
        #expect(quota() == nil)
        try write("250000\n", "/cpu/cpu.cfs_quota_us")
        #expect(quota() == 3)
        try write("garbage\n", "/cpu/cpu.cfs_period_us")
        #expect(quota() == nil)
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
    @Test(.enabled(if: activeCores >= 2))
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

    /// A thread on a core moves off it at once and keeps every core of the process allowed (a
    /// binding that outlived the move would be inherited by any thread it then starts); a
    /// thread not on the core named does not move.
    @Test(.enabled(if: activeCores >= 2))
    func aThreadMovesOffACoreWithoutStayingBound() throws {
        let cores = try #require(CoreCount.affinity())
        for _ in 0..<20 {
            let core = try #require(CoreMove.current())
            if let moved = CoreMove.off(core) {
                #expect(moved != core)
            } else {
                // Only when the kernel moved this thread between the two calls.
                #expect(CoreMove.current() != core)
            }
            #expect(CoreCount.affinity() == cores)
        }
        #expect(CoreMove.off(1023) == nil)
        #expect(CoreMove.off(-1) == nil)
    }

    /// A loop's helpers, and a nested loop's, work with every core of the process allowed, and
    /// so do the pool threads that helped, afterwards: moving off the caller's core binds
    /// nothing for longer than the move. Each loop's two indices wait for each other, so that one
    /// of them surely runs on a helper.
    @Test(.enabled(if: activeCores >= 2))
    func loopHelpersLeaveNoThreadBound() throws {
        let cores = try #require(CoreCount.affinity())
        let caller = pthread_self()
        // The cores allowed to the thread that did each index: [outer 0, outer 1, inner 0, inner 1],
        // -1 for an index done by its loop's caller.
        let allowed = ConcurrentSlots<Int>(count: 4)
        @Sendable func meeting(_ count: Int, _ work: @escaping @Sendable (Int) -> Void) {
            let arrived = DispatchGroup()
            for _ in 0..<count { arrived.enter() }
            inParallel(count) { index in
                arrived.leave()
                _ = arrived.wait(timeout: .now() + 10)
                work(index)
            }
        }
        meeting(2) { outer in
            guard pthread_equal(pthread_self(), caller) == 0 else {
                allowed[outer] = -1
                return
            }
            allowed[outer] = CoreCount.affinity()
            let nestedCaller = pthread_self()
            meeting(2) { inner in
                allowed[2 + inner] = pthread_equal(pthread_self(), nestedCaller) != 0 ? -1 : CoreCount.affinity()
            }
        }
        let values = allowed.values.map { $0 ?? 0 }
        #expect(values.filter { $0 == -1 }.count == 2, "each loop's caller did one index")
        #expect(values.filter { $0 != -1 } == [cores, cores])

        // Pool threads, the helpers among them, side by side afterwards.
        let after = ConcurrentSlots<Int>(count: 6)
        let arrived = DispatchGroup()
        let done = DispatchGroup()
        for index in 0..<6 {
            arrived.enter()
            DispatchQueue(label: "loopHelpersLeaveNoThreadBound").async(group: done) {
                arrived.leave()
                _ = arrived.wait(timeout: .now() + 10)
                after[index] = CoreCount.affinity()
            }
        }
        done.wait()
        #expect(after.values.map { $0 ?? 0 } == Array(repeating: cores, count: 6))
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
    @Test(.enabled(if: activeCores >= 2))
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
            let cores = activeCores
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
