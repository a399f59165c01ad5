/// Where `fit` stands inside an epoch: the epoch, the batches done, the seed of the epoch's
/// permutation (`Random.permutation(samples, seed:)` — the permutation itself is a function of
/// the two), and the running totals of the epoch's loss and metrics. A backup written between
/// batches (`BackupAndRestore(saveFrequency: .steps(n))`) stores it, so a resumed run skips the
/// batches done and ends bit-identical to an uninterrupted one.
struct EpochPosition: Codable, Equatable {
    /// The epoch (0-based).
    var epoch: Int
    /// Batches of the epoch already trained.
    var nextBatch: Int
    /// The seed of the epoch's order.
    var shuffleSeed: UInt64
    /// The training samples and the global batch size the order and batches were cut for (a
    /// dataset's batch count and 0).
    var samples: Int, globalBatch: Int
    /// The epoch's tracker totals so far, summed over the replicas of a data-parallel run.
    var trackers: [Double]
}

/// The epoch `fit` is in, for callbacks that save between batches.
final class EpochInProgress {
    let epoch: Int, shuffleSeed: UInt64, samples: Int, globalBatch: Int
    var nextBatch: Int
    let trackers: EpochTrackers
    let strategy: any DistributionStrategy

    init(epoch: Int, shuffleSeed: UInt64, extent: (samples: Int, globalBatch: Int), strategy: any DistributionStrategy,
         nextBatch: Int, trackers: EpochTrackers) {
        (self.epoch, self.shuffleSeed, self.nextBatch, self.trackers) = (epoch, shuffleSeed, nextBatch, trackers)
        (samples, globalBatch, self.strategy) = (extent.samples, extent.globalBatch, strategy)
    }

    /// The position now, the trackers summed over the replicas — a collective call: every
    /// replica makes it at the same batch.
    func position() -> EpochPosition {
        EpochPosition(epoch: epoch, nextBatch: nextBatch, shuffleSeed: shuffleSeed, samples: samples, globalBatch: globalBatch,
                      trackers: strategy.sum(trackers.state))
    }
}
