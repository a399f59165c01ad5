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
