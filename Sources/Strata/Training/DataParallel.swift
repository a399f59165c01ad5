import Foundation

/// Synchronous data parallelism, Horovod-style, for `fit(…, dataParallel:)`: every replica holds
/// the full model (replica 0's initial weights are broadcast), trains on its own slice of each
/// global batch (`batchSize` × replicas samples, the same shuffled order everywhere, so the
/// slices are disjoint and cover the epoch), and takes the same optimizer step with the
/// gradient of the global batch's loss, summed across replicas in a few large buckets, each
/// started as soon as backpropagation has completed its gradients (last layers first), so that
/// the all-reduce overlaps the rest of the backward pass where the transport allows.
///
///     let history = try model.fit(x, y, batchSize: 64, epochs: 10,
///                                 dataParallel: DataParallel(group: mpi, syncBatchNorm: true))
///
/// Batch normalization uses each replica's own batch statistics by default (as Horovod does;
/// the moving statistics are averaged across replicas at each epoch's end); `syncBatchNorm`
/// all-reduces the batch statistics so that training equals one process on the global batch.
/// Epoch losses and metrics are reduced across replicas (custom metrics that are not built
/// from `MeanMetric` stay per replica); each replica validates its own share of the validation
/// data and the totals are summed likewise; the callbacks run on every replica with the same logs,
/// and replica 0's decision to stop is broadcast. Scaling the learning rate with the number of
/// replicas is the caller's choice (the linear scaling rule with a warmup: Goyal et al. 2017).
///
/// Across hosts, two settings send less: `gradientPrecision: .bfloat16` halves the bytes of
/// every all-reduce, and an optimizer's `gradientAccumulationSteps` k makes the replicas
/// exchange gradients once per update instead of every step.
public struct DataParallel: Sendable, DistributionStrategy {
    /// The replicas.
    public let group: any ReplicaGroup
    /// All-reduce batch normalization's batch statistics (default false: per replica).
    public var syncBatchNorm: Bool
    /// Gradient floats per all-reduce call (default 1 Mi floats = 4 MiB): few large messages.
    public var bucketSize: Int
    /// Gradient floats in the first bucket — the last layers', completed first. Smaller than
    /// `bucketSize` (PyTorch DDP uses 1 MiB = 256 Ki floats), its all-reduce starts early in the
    /// backward pass and overlaps the rest where the transport progresses it in the background
    /// (an RDMA network); on one host's shared memory Open MPI does not, and the extra
    /// all-reduce cost 1.6–2.7 % per step (BENCHMARKS.md), so the default equals `bucketSize`.
    public var firstBucketSize: Int
    /// How gradients travel in the all-reduce (default float32).
    public var gradientPrecision: WirePrecision

    /// The number format of gradients on the wire.
    public enum WirePrecision: String, Sendable, CaseIterable {
        /// Exact float32 sums.
        case float32
        /// Half the bytes: each bucket rounded to bfloat16 (to nearest even) before the sum,
        /// summed in float32, the sum rounded to bfloat16; the optimizer, its slots and the
        /// gradient accumulators stay float32. Relative error per gradient ≈ 2⁻⁸.
        case bfloat16
    }

    /// Data parallelism over `group`.
    public init(group: any ReplicaGroup, syncBatchNorm: Bool = false, bucketSize: Int = 1 << 20,
                firstBucketSize: Int = 1 << 20, gradientPrecision: WirePrecision = .float32) {
        self.group = group
        self.syncBatchNorm = syncBatchNorm
        self.bucketSize = Swift.max(1, bucketSize)
        self.firstBucketSize = Swift.max(1, firstBucketSize)
        self.gradientPrecision = gradientPrecision
    }

    /// This replica's rows of a global batch of `count` rows starting at `start`: the `rank`-th
    /// of `size` contiguous, nearly equal parts (each `batchSize` rows when the batch is full).
    func rows(start: Int, count: Int) -> Range<Int> {
        let (rank, size) = (group.rank, group.size)
        return (start + rank * count / size)..<(start + (rank + 1) * count / size)
    }

    /// Sets every variable to replica 0's value.
    func broadcast(_ variables: [Variable]) {
        for variable in variables {
            var scalars = variable.value.scalars
            scalars.withUnsafeMutableBytes { group.broadcast($0) }
            variable.value = Tensor(shape: variable.value.shape, scalars: scalars)
        }
    }

    /// Replica 0's value of `flag`.
    func agree(_ flag: Bool) -> Bool {
        var byte: UInt8 = flag ? 1 : 0
        withUnsafeMutableBytes(of: &byte) { group.broadcast($0) }
        return byte != 0
    }

    /// Replica 0's seed.
    func agree(_ seed: UInt64) -> UInt64 {
        var value = seed
        withUnsafeMutableBytes(of: &value) { group.broadcast($0) }
        return value
    }

    var processes: Int { group.size }

    func isTooSmall(_ count: Int) -> Bool { count < group.size }

    /// Scales this replica's objective by its share of the global batch, `rows / globalRows`,
    /// before the backward pass, and sums the gradients over the replicas: Σᵣ (nᵣ/N)·∇Lᵣ is the
    /// gradient of the global batch's mean loss — also through synchronized batch-norm
    /// statistics, whose backward sums the scaled terms. Each bucket of gradients starts its
    /// all-reduce as soon as it is complete. Returns this replica's unscaled objective. With
    /// gradient accumulation (`reduction`), a step between updates keeps its scaled gradients,
    /// and the update step all-reduces each gradient plus the accumulated ones.
    func valueWithGradients(of variables: [Variable], rows: Int, globalRows: Int, reduction: GradientReduction,
                            whenReady: ((_ index: Int, _ gradient: Tensor) -> Void)?,
                            _ objective: () -> Tensor) -> (value: Float, gradients: [Tensor]) {
        let share = Float(rows) / Float(globalRows)
        func scaledObjective() -> Tensor {
            let value = syncBatchNorm ? ReplicaContext.$batchStatistics.withValue(group) { objective() } : objective()
            return value * share
        }
        if case .keep = reduction {
            let (value, gradients) = StrataCore.valueWithGradients(of: variables, scaledObjective)
            for (index, gradient) in gradients.enumerated() { whenReady?(index, gradient) }
            return (value.scalar / share, gradients)
        }
        let pending = buckets(for: variables.map(\.shape), precision: gradientPrecision)
        let (value, _) = StrataCore.valueWithGradients(of: variables, whenReady: { pending.add($0, reduction.total($0, $1)) },
                                                       scaledObjective)
        // The sums arrive as the all-reduces finish: each is final only then.
        let gradients = pending.finish()
        for (index, gradient) in gradients.enumerated() { whenReady?(index, gradient) }
        return (value.scalar / share, gradients)
    }

    /// Buckets for the gradients of variables of these shapes, for one step.
    func buckets(for shapes: [[Int]], precision: WirePrecision = .float32) -> GradientBuckets {
        GradientBuckets(shapes: shapes, group: group, precision: precision, firstBucketSize: firstBucketSize, bucketSize: bucketSize)
    }

    /// The element-wise sum of each tensor over the replicas, packed into buckets so that a
    /// model costs a few all-reduce calls, not one per variable.
    func summed(_ tensors: [Tensor]) -> [Tensor] {
        let pending = buckets(for: tensors.map(\.shape))
        for (index, tensor) in tensors.enumerated().reversed() { pending.add(index, tensor) }
        return pending.finish()
    }

    /// Sums the epoch's loss and metric totals over the replicas, so that every replica reports
    /// the global values.
    func reduce(_ metrics: [any Metric]) {
        let reducible = metrics.compactMap { $0 as? any ReducibleMetric }
        var state = reducible.flatMap(\.reducibleState)
        state.withUnsafeMutableBufferPointer { group.allReduceSum($0) }
        var offset = 0
        for metric in reducible {
            let count = metric.reducibleState.count
            metric.reducibleState = Array(state[offset..<(offset + count)])
            offset += count
        }
    }

    func sum(_ values: [Double]) -> [Double] {
        var values = values
        values.withUnsafeMutableBufferPointer { group.allReduceSum($0) }
        return values
    }

    var isFirst: Bool { group.rank == 0 }

    /// Averages per-replica batch-norm moving statistics over the replicas (synchronized ones
    /// are equal already).
    func endEpoch(nonTrainable variables: [Variable]) {
        guard !syncBatchNorm, !variables.isEmpty else { return }
        let scale = 1 / Float(group.size)
        for (variable, sum) in zip(variables, summed(variables.map(\.value))) { variable.value = sum * scale }
    }
}
