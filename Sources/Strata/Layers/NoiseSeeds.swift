/// The seeds of a noise layer's successive training calls (Keras' `SeedGenerator`): with a seed,
/// call n uses a seed derived from (seed, n), the same in every run; without one, each call takes
/// the next seed of the global stream (`Random.seed`).
struct NoiseSeeds {
    let seed: UInt64?
    /// Training calls so far (saved by `BackupAndRestore` so a resumed run draws the same masks).
    var calls: UInt64 = 0

    init(seed: UInt64?) {
        self.seed = seed
    }

    mutating func next() -> UInt64 {
        defer { calls += 1 }
        guard let seed else { return Random.nextSeed() }
        // SplitMix64 finalizer of (seed, call) — distinct, well-mixed keys per call.
        var z = seed &+ (calls &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A layer whose training calls draw random noise from a per-layer seed stream.
protocol NoiseLayer: Layer {
    var noiseCalls: UInt64 { get set }
}
