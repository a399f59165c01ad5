/// The batches of `fit`'s epochs: the training rows of each epoch in a seeded shuffled order
/// (or in order), cut into global batches of `batchSize` × processes rows — the last partial
/// batch kept, at most `stepsPerEpoch` of them — and each global batch's share for this process.
struct EpochBatches {
    /// One step's rows.
    struct Batch {
        /// The batch's index in its epoch.
        let index: Int
        /// The rows this process trains on.
        let rows: [Int]
        /// The rows of the global batch, over all processes.
        let globalRows: Int
    }

    let samples: Int
    let globalBatch: Int
    let shuffle: Bool
    let strategy: any DistributionStrategy
    /// Batches per epoch (the last global batch may turn out too small to give every process a row).
    let stepsPerEpoch: Int

    init(samples: Int, batchSize: Int, stepsPerEpoch: Int?, shuffle: Bool, strategy: any DistributionStrategy) {
        self.samples = samples
        globalBatch = batchSize * strategy.processes
        self.shuffle = shuffle
        self.strategy = strategy
        self.stepsPerEpoch = Swift.min((samples + globalBatch - 1) / globalBatch, stepsPerEpoch ?? .max)
    }

    /// The next epoch's shuffling seed. Each epoch takes one seed from the global stream, whether
    /// it shuffles or not, so that the noise layers draw the same values either way; every
    /// process shuffles with the first process's seed, so their shares are disjoint and cover
    /// the epoch.
    func nextSeed() -> UInt64 {
        let seed = Random.nextSeed()
        return shuffle ? strategy.agree(seed) : seed
    }

    /// The batches of an epoch shuffled with `seed` (from `nextSeed`).
    func epoch(seed: UInt64) -> [Batch] {
        let order = shuffle ? Random.permutation(samples, seed: seed) : Array(0..<samples)
        var batches: [Batch] = []
        for index in 0..<stepsPerEpoch {
            let start = index * globalBatch, count = Swift.min(samples - start, globalBatch)
            // A last global batch too small to give every process a row ends the epoch.
            if strategy.isTooSmall(count) { break }
            batches.append(Batch(index: index, rows: Array(order[strategy.rows(start: start, count: count)]), globalRows: count))
        }
        return batches
    }
}
