/// A source of batches that need not be in memory (Keras' `PyDataset`): `fit`, `evaluate` and
/// `predict` take one wherever they take arrays. A dataset yields whole batches by index —
/// `batchCount` of them an epoch — and may prepare each epoch in `onEpochBegin` (draw its own
/// sample order from a seed and the epoch: a resumed run then sees the same order) and clean up
/// in `onEpochEnd`. `fit(shuffle: true)` (the default, as Keras) visits the batches in a seeded
/// random order each epoch. In a data-parallel run every replica reads each global batch and
/// trains on its own contiguous share of its rows.
///
///     final class Squares: Dataset {
///         var batchCount: Int { 10 }
///         func batch(_ index: Int) throws -> DatasetBatch {
///             let x = Tensor(shape: [8, 1], scalars: (0..<8).map { Float(index * 8 + $0) })
///             return DatasetBatch(x, x * x)
///         }
///     }
///     try model.fit(Squares(), epochs: 5)
public protocol Dataset: AnyObject {
    /// Batches per epoch (Keras' `num_batches` / `__len__`).
    var batchCount: Int { get }
    /// Batch `index` of `0..<batchCount` (Keras' `__getitem__`). Called from a worker thread when
    /// `workers` is 1, so it must not depend on which batches were read before.
    func batch(_ index: Int) throws -> DatasetBatch
    /// Before each epoch's first batch (Keras' `on_epoch_begin`), with the 0-based epoch —
    /// also for the epoch a resumed run continues in. Default: nothing.
    func onEpochBegin(_ epoch: Int)
    /// After each epoch's last batch (Keras' `on_epoch_end`). Default: nothing.
    func onEpochEnd(_ epoch: Int)
    /// Threads preparing batches ahead of training (Keras' `workers`): 0 (the default) reads each
    /// batch on the training thread when it is needed, 1 reads the next batch while the current
    /// one trains — for slow storage or costly decoding; with files in the page cache it made no
    /// measurable difference on 2 cores (BENCHMARKS.md), where the reader competes with training.
    var workers: Int { get }
}

extension Dataset {
    /// Nothing, by default.
    public func onEpochBegin(_ epoch: Int) {}
    /// Nothing, by default.
    public func onEpochEnd(_ epoch: Int) {}
    /// 0: batches are read on the training thread, by default.
    public var workers: Int { 0 }
}

/// One batch of a `Dataset`: the inputs, the targets (not needed by `predict`) and optional
/// per-sample weights — each as `fit` takes them (one array, a list in model order, or a
/// dictionary by name).
public struct DatasetBatch {
    /// The inputs.
    public var x: ModelDataParts
    /// The targets (nil for a batch only predicted on).
    public var y: ModelDataParts?
    /// Per-sample factors of the loss and metrics (`[n]`).
    public var sampleWeight: Tensor?

    /// A batch of inputs and targets.
    public init(_ x: some ModelData, _ y: some ModelData, sampleWeight: Tensor? = nil) {
        (self.x, self.y, self.sampleWeight) = (x.modelDataParts, y.modelDataParts, sampleWeight)
    }

    /// A batch of inputs only, for `predict`.
    public init(_ x: some ModelData) {
        (self.x, self.y, self.sampleWeight) = (x.modelDataParts, nil, nil)
    }
}
