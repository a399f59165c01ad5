/// The buffer behind a `Tensor`: a fixed number of floats, shared between tensor values until one
/// of them mutates (copy-on-write).
package final class TensorStorage: @unchecked Sendable {
    package let pointer: UnsafeMutablePointer<Float>
    let count: Int
    private let capacity: Int
    private let pool: BufferPool   // where the buffer goes back when this storage dies
    private let tally: AllocationTally?   // the measurement that counted it, told when it dies

    /// Uninitialized storage for `count` floats.
    init(uninitializedCount count: Int) {
        // A measurement's own pool while `AllocationTally.measure(pool:)` runs, else the shared one.
        let tally = AllocationTally.current
        pool = tally?.pool ?? BufferPool.shared
        let buffer = pool.allocate(count: count)
        (pointer, capacity) = (buffer.pointer, buffer.capacity)
        tally?.countBuffer(missedPool: buffer.missed)
        self.tally = tally
        self.count = count
    }

    convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// A new storage holding the same values.
    func copy() -> TensorStorage {
        let result = TensorStorage(uninitializedCount: count)
        result.pointer.update(from: pointer, count: count)
        return result
    }

    var buffer: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: pointer, count: count) }
    var mutableBuffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }

    deinit {
        pool.release(pointer, capacity: capacity)
        tally?.countRelease()
    }
}
