import Foundation
import Synchronization

/// Persistent worker threads that run the parts of one parallel loop.
///
/// The calling thread takes part in the work, so a pool of `n` threads starts `n - 1` workers.
/// Workers spin briefly after each job (a training step issues many kernels back to back), then
/// sleep on a condition variable. A call made while the pool is busy (nested, or from another
/// thread) runs serially on the caller instead of waiting.
///
/// Protocol: the job (closure, part count, generation) is published under `condition`'s lock;
/// parts are claimed through `ticket`, which packs the generation with the next part index, so a
/// late worker can never claim a part of a newer job with an older closure. The caller returns
/// only when every part is done and no worker holds the closure any more.
package final class ThreadPool: @unchecked Sendable {
    /// The pool every kernel uses: one thread per active core, or `STRATA_NUM_THREADS`.
    package static let shared = ThreadPool(threadCount: ThreadPool.defaultThreadCount())

    /// Threads that run a job, the caller included.
    let threadCount: Int

    private let condition = NSCondition()
    private let published = Atomic<Int>(0)   // mirrors `generation` for lock-free spinning
    private let ticket = Atomic<Int>(0)      // generation << 32 | next part
    private let partsDone = Atomic<Int>(0)
    private let holders = Atomic<Int>(0)     // workers holding a copy of `job`
    private let busy = Atomic<Bool>(false)
    // Guarded by `condition`.
    private var generation = 0
    private var job: ((Int) -> Void)?
    private var partCount = 0

    init(threadCount: Int) {
        self.threadCount = max(1, threadCount)
        for _ in 1..<self.threadCount {
            let thread = Thread { self.workerLoop() }   // pools live as long as the process
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private static func defaultThreadCount() -> Int {
        if let text = ProcessInfo.processInfo.environment["STRATA_NUM_THREADS"], let n = Int(text), n > 0 {
            return n
        }
        return ProcessInfo.processInfo.activeProcessorCount
    }

    /// Runs `body(part)` for every part in `0..<parts`, spread over the pool; returns when all are done.
    func run(parts: Int, _ body: (Int) -> Void) {
        guard parts > 1, threadCount > 1,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for part in 0..<parts { body(part) }
            return
        }
        withoutActuallyEscaping(body) { body in
            condition.lock()
            generation += 1
            let gen = generation
            job = body
            partCount = parts
            partsDone.store(0, ordering: .relaxed)
            ticket.store(gen << 32, ordering: .relaxed)
            published.store(gen, ordering: .releasing)
            condition.broadcast()
            condition.unlock()

            claimParts(generation: gen, parts: parts, body: body)
            while partsDone.load(ordering: .acquiring) < parts {}
            condition.lock()
            job = nil
            condition.unlock()
            while holders.load(ordering: .acquiring) > 0 {}
        }
        busy.store(false, ordering: .releasing)
    }

    private func claimParts(generation gen: Int, parts: Int, body: (Int) -> Void) {
        while true {
            var current = ticket.load(ordering: .relaxed)
            var part: Int
            repeat {
                guard current >> 32 == gen else { return }
                part = current & 0xFFFF_FFFF
                guard part < parts else { return }
                let (exchanged, original) = ticket.compareExchange(
                    expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
                if exchanged { break }
                current = original
            } while true
            body(part)
            partsDone.add(1, ordering: .releasing)
        }
    }

    private func workerLoop() {
        var seen = 0
        while true {
            var spins = 0
            while published.load(ordering: .acquiring) == seen, spins < 200_000 { spins += 1 }
            seen = runPublishedJob(after: seen)
            holders.subtract(1, ordering: .releasing)
        }
    }

    /// Waits for a generation newer than `seen`, runs parts of it, and returns that generation.
    /// The worker counts as a holder from inside the lock until its caller decrements `holders`,
    /// after this function has released its reference to the closure.
    @inline(never)
    private func runPublishedJob(after seen: Int) -> Int {
        condition.lock()
        while generation == seen { condition.wait() }
        let gen = generation
        let body = job
        let parts = partCount
        holders.add(1, ordering: .relaxed)
        condition.unlock()
        if let body { claimParts(generation: gen, parts: parts, body: body) }
        return gen
    }
}
