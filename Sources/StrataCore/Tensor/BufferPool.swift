import Synchronization

/// Recycles large float buffers so that a training step's temporaries do not go through
/// `malloc` and the kernel's page-fault path every step.
///
/// Buffers are 64-byte aligned. Sizes are rounded up to a size class (eight classes per power of
/// two, so at most 12.5 % is wasted); small buffers bypass the pool. Freed buffers wait in a
/// per-class free list, up to `cacheLimitBytes` in all.
package final class BufferPool: Sendable {
    static let shared = BufferPool(cacheLimitBytes: 1 << 30)


    /// Buffers below this many floats are allocated directly.
    static let minimumPooledCount = 4096

    private struct State {
        var free: [Int: [UInt]] = [:]   // addresses, by capacity
        var cachedBytes = 0
    }

    private let cacheLimitBytes: Int
    private let state = Mutex(State())

    /// A pool that keeps up to `cacheLimitBytes` of freed buffers for reuse.
    package init(cacheLimitBytes: Int) {
        self.cacheLimitBytes = cacheLimitBytes
    }

    /// The capacity, in floats, of the buffer `allocate(count:)` returns.
    static func capacity(for count: Int) -> Int {
        guard count >= minimumPooledCount else { return max(count, 1) }
        let top = Int.bitWidth - 1 - count.leadingZeroBitCount   // 2^top <= count
        let step = 1 << (top - 3)
        return (count + step - 1) / step * step
    }

    /// A buffer of at least `count` floats (uninitialized), its capacity, and whether it is of a
    /// pooled size yet came from the system allocator (a pool miss).
    func allocate(count: Int) -> (pointer: UnsafeMutablePointer<Float>, capacity: Int, missed: Bool) {
        let capacity = Self.capacity(for: count)
        if capacity >= Self.minimumPooledCount {
            let reused = state.withLock { state -> UInt? in
                guard let address = state.free[capacity]?.popLast() else { return nil }
                state.cachedBytes -= capacity * MemoryLayout<Float>.stride
                return address
            }
            if let reused, let pointer = UnsafeMutablePointer<Float>(bitPattern: reused) {
                return (pointer, capacity, false)
            }
        }
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: capacity * MemoryLayout<Float>.stride, alignment: 64)
        return (raw.bindMemory(to: Float.self, capacity: capacity), capacity, capacity >= Self.minimumPooledCount)
    }

    /// Returns a buffer obtained from `allocate(count:)`.
    func release(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        if capacity >= Self.minimumPooledCount {
            let bytes = capacity * MemoryLayout<Float>.stride
            let address = UInt(bitPattern: pointer)
            let kept = state.withLock { state -> Bool in
                guard state.cachedBytes + bytes <= cacheLimitBytes else { return false }
                state.free[capacity, default: []].append(address)
                state.cachedBytes += bytes
                return true
            }
            if kept { return }
        }
        UnsafeMutableRawPointer(pointer).deallocate()
    }
}
