import Synchronization

/// The global random state, like Keras' `keras.utils.set_random_seed`.
///
/// Every random operation takes an optional `seed`. Without one, it takes the next seed of the
/// current stream (SplitMix64): the process-wide one that `Random.seed(_:)` resets, or — inside
/// `Random.withSeed(_:_:)` — a stream private to the current task, unaffected by other threads.
/// Before any call to `seed(_:)` the global seed is 0: Strata never reads the system's entropy,
/// so unseeded programs are reproducible too.
public enum Random {
    /// A SplitMix64 stream of seeds.
    final class Stream: Sendable {
        private let state: Mutex<UInt64>

        init(seed: UInt64) {
            state = Mutex(seed)
        }

        func next() -> UInt64 {
            state.withLock { s -> UInt64 in
                s &+= 0x9E37_79B9_7F4A_7C15
                var z = s
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
        }

        var value: UInt64 {
            get { state.withLock { $0 } }
            set { state.withLock { $0 = newValue } }
        }
    }

    private static let global = Stream(seed: 0)
    @TaskLocal private static var scoped: Stream?

    /// Resets the process-wide stream: everything random that follows (outside `withSeed`) is
    /// determined by `seed`.
    ///
    ///     Random.seed(42)
    public static func seed(_ seed: UInt64) {
        global.value = seed
    }

    /// Runs `body` with its own stream started from `seed`: the same numbers whatever other
    /// threads or tasks draw meanwhile.
    ///
    ///     let history = try Random.withSeed(42) { try model.fit(x, y, epochs: 3) }
    public static func withSeed<R>(_ seed: UInt64, _ body: () throws -> R) rethrows -> R {
        try $scoped.withValue(Stream(seed: seed)) { try body() }
    }

    /// A seeded permutation of `0..<count` (Fisher–Yates on Philox words): the same seed gives
    /// the same order on every machine. `fit`'s shuffles and `trainTestSplit` use it.
    ///
    ///     let order = Random.permutation(10, seed: 42)
    public static func permutation(_ count: Int, seed: UInt64) -> [Int] {
        var order = Array(0..<count)
        let generator = Philox4x32(key: seed)
        guard count > 1 else { return order }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let (a, b, _, _) = generator.block(UInt64(i))
            let random = (UInt64(a) << 32) | UInt64(b)
            order.swapAt(i, Int(random % UInt64(i + 1)))
        }
        return order
    }

    /// The next seed of the current stream.
    public static func nextSeed() -> UInt64 {
        (scoped ?? global).next()
    }

    /// The current stream's state, for checkpoints that must resume the exact sequence.
    public static var streamState: UInt64 {
        get { (scoped ?? global).value }
        set { (scoped ?? global).value = newValue }
    }
}
