internal import CFileSystem
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

    /// `transform` of every index below `count`, each made on whichever core is free
    /// (``inParallel(_:_:)``), returned in index order.
    package static func map(_ count: Int, _ transform: @escaping @Sendable (Int) -> Value) -> [Value] {
        let made = ConcurrentSlots(count: count)
        inParallel(count) { made[$0] = transform($0) }
        // A loop rather than `compactMap`, whose generic code, unspecialised here, looked its
        // result type's conformances up at run time (a scan of every conformance record).
        var values: [Value] = []
        values.reserveCapacity(count)
        for case let value? in made.values { values.append(value) }
        return values
    }
}

/// A value for exactly one of several parallel tasks, which takes it and lets it go when done:
/// an array of them frees each element as its task finishes, where an array of the values would
/// hold them all until the last.
package final class TakenOnce<Value>: @unchecked Sendable {
    private var value: Value?
    package init(_ value: Value) { self.value = value }

    package func take() -> Value? {
        defer { value = nil }
        return value
    }
}

/// The cores this process may use, found once (``CoreCount``): Foundation reads the cgroup's
/// quota files again on every call of `activeProcessorCount`, which a run made a dozen times.
package let activeCores = CoreCount.available()

/// How many cores this process may use: those its affinity mask allows (`taskset`, cpusets),
/// fewer when its cgroup's CPU quota allows fewer (a fraction of a core rounded up). Foundation's
/// `activeProcessorCount` reads the same quota files, through `URL` and `String`, whose first use
/// in a process was a third of a millisecond of every run; and it counts the cores online, not
/// those of the mask, so that a run under `taskset -c 0` started two workers on its one core.
package enum CoreCount {
    package static func available() -> Int {
        var cores = affinity() ?? max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #if os(Linux)
            if let quota = cgroupQuota() { cores = min(cores, quota) }
        #endif
        return max(1, cores)
    }

    /// The cores of the affinity mask (nil where it cannot be read).
    static func affinity() -> Int? {
        let count = Int(cfilesystem_affinity_cores())
        return count > 0 ? count : nil
    }

    /// The cores a CPU quota allows, rounded up: cgroup v2's `cpu.max` of this process's group,
    /// or v1's `cpu.cfs_quota_us` over `cpu.cfs_period_us` (nil when there is no quota).
    static func cgroupQuota(root: String = "/sys/fs/cgroup", membership: String = "/proc/self/cgroup") -> Int? {
        func line(_ path: String) -> Substring? {
            AtomicFile.contents(of: path).flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n").first }
        }
        func cores(quota: Substring?, period: Substring?) -> Int? {
            guard let quota = quota.flatMap({ Int($0) }), quota > 0, let period = period.flatMap({ Int($0) }),
                period > 0
            else { return nil }
            return (quota + period - 1) / period
        }
        // v2: the group is the line `0::/path`.
        if let groups = AtomicFile.contents(of: membership) {
            for entry in String(decoding: groups, as: UTF8.self).split(separator: "\n") where entry.hasPrefix("0::") {
                let group = entry.dropFirst(3)
                let fields = line(root + (group == "/" ? "" : group) + "/cpu.max")?.split(separator: " ")
                if let fields, fields.count == 2, let found = cores(quota: fields[0], period: fields[1]) {
                    return found
                }
            }
        }
        return cores(quota: line(root + "/cpu/cpu.cfs_quota_us"), period: line(root + "/cpu/cpu.cfs_period_us"))
    }
}

/// Keeping a loop's threads off each other's core. On this project's 2-core VM the kernel often
/// queued a woken helper on its waker's core while the other core idled, the two taking turns in
/// 4 ms slices until a balancing tick moved one: a 1 MB `tmine extract` of 20 .docx files lost
/// 4–12 ms of its 10–20 ms so in most runs (`Scripts/sched-trace.py`, session 49). A helper on
/// its caller's core, or the caller on a helper's, moves itself off at once
/// (`cfilesystem_move_off`, hand-written C: Swift's Glibc module has no `cpu_set_t` macros); no
/// thread stays bound.
package enum CoreMove {
    /// The core this thread runs on now, nil where it cannot be told.
    package static func current() -> Int32? {
        let core = cfilesystem_current_cpu()
        return core >= 0 ? core : nil
    }

    /// Moves this thread off `core` if it runs there and the process may use another core: the
    /// core it moved to, or nil when it did not move.
    @discardableResult
    package static func off(_ core: Int32) -> Int32? {
        let moved = cfilesystem_move_off(core)
        return moved >= 0 ? moved : nil
    }
}

/// Runs `work` for every index below `count` on this thread and on whichever pool threads come
/// free meanwhile, and returns once every index is done. Unlike `concurrentPerform`, it runs in
/// parallel inside another parallel loop too: libdispatch runs an apply nested in another on a
/// single thread, which left a core idle while one task finished the frequency tables and files
/// after the other outputs were done.
package func inParallel(_ count: Int, _ work: @escaping @Sendable (Int) -> Void) {
    guard count > 1 else {
        if count == 1 { work(0) }
        return
    }
    let state = ParallelLoop(count: count, work: work)
    // A helper that finds itself on the core the caller was on moves off it, when it starts and
    // before each index it claims; the caller likewise off a helper's (``ParallelLoop/run(as:)``).
    let callerCore = CoreMove.current()
    // A helper that starts after the work is done finds nothing to claim; none is waited for,
    // and it holds only the loop's state: the work (and all it captured, files being written
    // among them) is let go when the last index is done, not when a late helper gets to run.
    let helper: @Sendable () -> Void = { state.run(as: .helper(callerCore: callerCore)) }
    for _ in 1..<min(count, activeCores) {
        // A serial queue of its own, which libdispatch runs on a thread even when as many pool
        // threads as cores are taken: the global queue waits for one of those to come free,
        // and one of them is often the caller of a parallel loop this one is nested in, blocked
        // until this one ends (the frequency tables and files, at the end of a run, were made on
        // one core while the other idled).
        DispatchQueue(label: "TranscriptMiner.inParallel").async(execute: helper)
    }
    state.run(as: .caller)
    state.waitForAll()
}

/// The indices of an ``inParallel(_:_:)`` loop: which is next, how many are done, and the work,
/// held until every index is done.
private final class ParallelLoop: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private var next = 0
    private var done = 0
    private var work: (@Sendable (Int) -> Void)?

    init(count: Int, work: @escaping @Sendable (Int) -> Void) {
        self.count = count
        self.work = work
    }

    /// Who runs the loop's indices: the loop's caller, or a helper (with the caller's core as it
    /// was when the loop began, nil where cores cannot be told).
    enum Role {
        case caller
        case helper(callerCore: Int32?)
    }

    /// Claims and does indices until none is left. Before each claim a helper moves off the
    /// caller's core, and the caller off the core a helper last claimed on (``CoreMove``): a
    /// thread woken by the other was often queued behind it.
    func run(as role: Role) {
        var avoided: Int32?
        if case .helper(let callerCore) = role { avoided = callerCore }
        while true {
            if let avoided { CoreMove.off(avoided) }
            // In its own scope, so that this thread lets the work go before the index counts
            // as done.
            do {
                let helperCore: Int32?
                if case .helper = role { helperCore = CoreMove.current() } else { helperCore = nil }
                guard let (index, work, lastHelperCore) = claim(helperOn: helperCore) else { return }
                if case .caller = role { avoided = lastHelperCore }
                work(index)
            }
            finish()
        }
    }

    /// The core a helper last claimed an index on.
    private var helperCore: Int32?

    private func claim(helperOn core: Int32?) -> (Int, @Sendable (Int) -> Void, Int32?)? {
        condition.withLock {
            if let core { helperCore = core }
            guard next < count, let work else { return nil }
            defer { next += 1 }
            return (next, work, helperCore)
        }
    }

    private func finish() {
        condition.withLock {
            done += 1
            if done == count {
                work = nil
                condition.broadcast()
            }
        }
    }

    func waitForAll() {
        condition.withLock {
            while done < count { condition.wait() }
        }
    }
}

/// Hands values made out of order (by `DispatchQueue.concurrentPerform`) to `deliver` in index
/// order, each as soon as it and every one before it are made, one call at a time: a caller can
/// write a result and let it go while later ones are still being made, instead of holding all.
package final class InOrderDelivery<Value>: @unchecked Sendable {
    private var waiting: [Int: Value] = [:]
    private var next = 0
    private var isDelivering = false
    private let lock = NSLock()
    private let deliver: (Value) -> Void

    package init(_ deliver: @escaping (Value) -> Void) { self.deliver = deliver }

    /// Stores the value made for `index`; the thread that finds the next value ready delivers
    /// it and every ready one after it, outside the lock.
    package func put(_ value: Value, at index: Int) {
        lock.lock()
        waiting[index] = value
        guard !isDelivering else {
            lock.unlock()
            return
        }
        isDelivering = true
        while let ready = waiting.removeValue(forKey: next) {
            next += 1
            lock.unlock()
            deliver(ready)
            lock.lock()
        }
        isDelivering = false
        lock.unlock()
    }
}

/// Makes a value for every index below `count` on every core (``inParallel(_:_:)``) and hands
/// them to `deliver` in index order, in batches of `batch` (the last shorter), one call at a
/// time, each with a closure to call once the batch's values are let go. Values made and not yet
/// let go count against `budget` (in the units of `size`); an index is begun only while they are
/// under it and fewer than `window` indices lie between it and the values let go, except the
/// lowest index not yet made, which goes ahead when nothing delivered is left to let go, so the
/// loop always moves. Unlike parallel chunks one after another, a slow value holds up no other
/// work, only the delivery behind it: a chunk waited for its slowest value while the other core
/// idled, and cheap values (copied from a previous run) ran no further ahead than costly ones.
package func inOrderBatches<Value>(
    _ count: Int, batch: Int, window: Int, budget: Int, size: @escaping @Sendable (Value) -> Int,
    make: @escaping @Sendable (Int) -> Value,
    deliver: @escaping (_ values: [Value], _ letGo: @escaping @Sendable () -> Void) -> Void
) {
    let batch = max(batch, 1)
    let gate = DeliveryGate(window: max(window, batch), budget: budget)
    let pending = PendingBatch<Value>()
    let delivery = InOrderDelivery<(value: Value, size: Int)> { made in
        let inOrder = gate.madeInOrder()
        pending.values.append(made.value)
        pending.size += made.size
        guard pending.values.count == batch || inOrder == count else { return }
        let (values, size, number) = (pending.values, pending.size, pending.values.count)
        pending.values = []
        pending.size = 0
        gate.delivering(number)
        deliver(values) { gate.letGo(values: number, size: size) }
    }
    inParallel(count) { index in
        gate.wait(for: index)
        let value = make(index)
        let bytes = size(value)
        gate.made(size: bytes)
        delivery.put((value, bytes), at: index)
    }
}

/// The state ``inOrderBatches(_:batch:window:budget:size:make:deliver:)`` begins an index by: how
/// many values are made in order and let go, and the size of those made and not let go.
private final class DeliveryGate: @unchecked Sendable {
    private let condition = NSCondition()
    private let window: Int
    private let budget: Int
    private var inOrder = 0
    private var delivered = 0
    private var letGo = 0
    private var held = 0

    init(window: Int, budget: Int) {
        self.window = window
        self.budget = budget
    }

    func wait(for index: Int) {
        condition.withLock {
            // The lowest index not made goes ahead when nothing delivered is left to let go:
            // then what is held waits for it.
            while held >= budget || index >= letGo + window, index != inOrder || letGo < delivered {
                condition.wait()
            }
        }
    }

    func made(size: Int) { condition.withLock { held += size } }

    /// Counts one more value made in order; returns how many are.
    func madeInOrder() -> Int {
        condition.withLock {
            inOrder += 1
            condition.broadcast()
            return inOrder
        }
    }

    func delivering(_ values: Int) { condition.withLock { delivered += values } }

    func letGo(values: Int, size: Int) {
        condition.withLock {
            letGo += values
            held -= size
            condition.broadcast()
        }
    }
}

/// The batch being gathered: touched only by ``InOrderDelivery``'s one delivery at a time.
private final class PendingBatch<Value>: @unchecked Sendable {
    var values: [Value] = []
    var size = 0
}
