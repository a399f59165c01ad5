import Foundation
@testable import Strata

/// Replicas as threads of one process, for testing data parallelism without MPI: every
/// collective waits until all `size` replicas have called it, then each gets the sum (in rank
/// order) or replica 0's bytes.
final class ThreadReplicas: @unchecked Sendable {
    /// One replica's view of the group.
    final class Member: ReplicaGroup, @unchecked Sendable {
        let rank: Int
        let replicas: ThreadReplicas
        var size: Int { replicas.size }
        init(rank: Int, of replicas: ThreadReplicas) { (self.rank, self.replicas) = (rank, replicas) }

        func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) { replicas.meet(rank, values, sum: true) }
        func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) { replicas.meet(rank, values, sum: true) }
        func broadcast(_ bytes: UnsafeMutableRawBufferPointer) {
            replicas.meet(rank, bytes.bindMemory(to: UInt8.self), sum: false)
        }
    }

    let size: Int
    private let condition = NSCondition()
    private var contributions: [Any]
    private var result: Any = ()
    private var arrived = 0, generation = 0

    init(size: Int) {
        self.size = size
        contributions = Array(repeating: (), count: size)
    }

    /// Runs `body` on `size` threads, one per replica, and returns their results in rank order.
    /// What `body` captures is shared by the threads: read it only (tensors are copy-on-write).
    func run<R>(_ body: @escaping (Member) throws -> R) throws -> [R] {
        nonisolated(unsafe) let body = body
        let results = ResultBox<R>(count: size)
        let done = DispatchGroup()
        for rank in 0..<size {
            done.enter()
            let member = Member(rank: rank, of: self)
            let thread = Thread {
                results.set(rank, Result(catching: { try body(member) }))
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return try results.values.map { try $0!.get() }
    }

    private func meet<T: AdditiveArithmetic>(_ rank: Int, _ values: UnsafeMutableBufferPointer<T>, sum: Bool) {
        condition.lock()
        defer { condition.unlock() }
        let round = generation
        contributions[rank] = Array(values)
        arrived += 1
        if arrived == size {
            let all = contributions.map { $0 as! [T] }
            result = sum ? all.dropFirst().reduce(all[0]) { zip($0, $1).map { $0 + $1 } } : all[0]
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == round { condition.wait() }
        }
        // A replica can start the next collective only after every replica has read this result.
        let combined = result as! [T]
        precondition(combined.count == values.count, "replicas called a collective with different sizes")
        _ = values.update(fromContentsOf: combined)
    }

    private final class ResultBox<R>: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Result<R, any Error>?]
        init(count: Int) { stored = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Result<R, any Error>) { lock.withLock { stored[index] = value } }
        var values: [Result<R, any Error>?] { lock.withLock { stored } }
    }
}
