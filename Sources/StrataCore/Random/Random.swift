import Synchronization

/// The global random state, like Keras' `keras.utils.set_random_seed`.
///
/// Every random operation takes an optional `seed`. Without one, it takes the next seed from the
/// global stream (SplitMix64), so a program that calls `Random.seed(42)` first draws the same
/// numbers on every run and platform. Before any call to `seed(_:)` the global seed is 0: Strata
/// never reads the system's entropy, so unseeded programs are reproducible too.
public enum Random {
    private static let state = Mutex<UInt64>(0)

    /// Resets the global stream: everything random that follows is determined by `seed`.
    ///
    ///     Random.seed(42)
    public static func seed(_ seed: UInt64) {
        state.withLock { $0 = seed }
    }

    /// The next seed of the global stream (SplitMix64, Steele et al. 2014).
    public static func nextSeed() -> UInt64 {
        state.withLock { s -> UInt64 in
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The global stream's state, for checkpoints that must resume the exact sequence.
    public static var streamState: UInt64 {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
