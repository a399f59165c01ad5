import Synchronization

/// Counts what a piece of code allocates — tensor buffers, buffers of pooled sizes that missed
/// the pool and came from the system allocator, and tape nodes — for the training-step budget
/// test. Scoped to the current task, so that tests running in parallel do not mix their counts;
/// costs one task-local read per allocation. A measurement may also take its buffers from a
/// pool of its own, so that pool misses count this task's reuse only, not what other tasks
/// running at the same time took from the shared pool.
package final class AllocationTally: Sendable {
    @TaskLocal static var current: AllocationTally?

    /// The pool this task's buffers come from while measured; nil: the shared pool.
    let pool: BufferPool?

    private let bufferCount = Atomic<Int>(0), systemCount = Atomic<Int>(0), nodeCount = Atomic<Int>(0)
    private let liveCount = Atomic<Int>(0), peakCount = Atomic<Int>(0)

    /// Tensor buffers handed out.
    package var buffers: Int { bufferCount.load(ordering: .relaxed) }
    /// Buffers of pooled sizes that came from the system allocator (pool misses).
    package var systemAllocations: Int { systemCount.load(ordering: .relaxed) }
    /// The most tensor buffers of this task alive at once (handed out during the measurement
    /// and not yet freed).
    package var peakLiveBuffers: Int { peakCount.load(ordering: .relaxed) }
    /// Operations recorded on the tape.
    package var tapeNodes: Int { nodeCount.load(ordering: .relaxed) }

    private init(pool: BufferPool?) { self.pool = pool }

    /// Runs `body` and returns what it allocated on this task.
    ///
    /// - Parameter pool: where this task's tensor buffers come from while `body` runs; the
    ///   buffers go back to it whenever they are freed. Default: the shared pool.
    @discardableResult
    package static func measure(
        pool: BufferPool? = nil, _ body: () throws -> Void
    ) rethrows -> AllocationTally {
        let tally = AllocationTally(pool: pool)
        try $current.withValue(tally) { try body() }
        return tally
    }

    func countBuffer(missedPool: Bool) {
        bufferCount.add(1, ordering: .relaxed)
        if missedPool { systemCount.add(1, ordering: .relaxed) }
        let live = liveCount.add(1, ordering: .relaxed).newValue
        peakCount.max(live, ordering: .relaxed)
    }

    func countRelease() { liveCount.subtract(1, ordering: .relaxed) }

    static func countNode() { current?.nodeCount.add(1, ordering: .relaxed) }
}
