/// How `fit` and `evaluate` share their work among processes (Keras' distribution strategies):
/// which rows of a batch this process computes, how the processes agree on the shuffling seed and
/// on stopping, and how gradients, epoch totals and batch-norm statistics are combined. The
/// training loop is the same for every strategy: `SingleProcess` makes each step a no-op, a
/// `DataParallel` replica group all-reduces.
protocol DistributionStrategy {
    /// The processes sharing the work.
    var processes: Int { get }
    /// This process's rows of `count` rows starting at `start`.
    func rows(start: Int, count: Int) -> Range<Int>
    /// Whether a global batch of `count` rows is too small to give every process a row.
    func isTooSmall(_ count: Int) -> Bool
    /// Every process's value of `flag` after agreeing (the first process's).
    func agree(_ flag: Bool) -> Bool
    /// Every process's shuffling seed after agreeing (the first process's).
    func agree(_ seed: UInt64) -> UInt64
    /// Sets `variables` to the first process's values.
    func broadcast(_ variables: [Variable])
    /// Combines the epoch's (or evaluation's) metric totals so every process holds the global ones.
    func reduce(_ metrics: [any Metric])
    /// The element-wise sum of `values` over the processes.
    func sum(_ values: [Double]) -> [Double]
    /// Whether this is the first process (the one whose state is saved).
    var isFirst: Bool { get }
    /// What an epoch's end combines besides the metrics (per-replica moving statistics).
    func endEpoch(nonTrainable variables: [Variable])
    /// The gradient of the global batch's objective for this process's `rows` of `globalRows`:
    /// `objective` computes this process's mean objective; returns it and the gradients, combined
    /// over the processes as `reduction` says. `whenReady(index, gradient)`, when given, receives
    /// each combined gradient once, as soon as it is final — during the backward pass where the
    /// strategy can (the caller may then update the variable in place: the tape is released as
    /// it is run, and the caller keeps no tracked tensor of `objective`).
    func valueWithGradients(of variables: [Variable], rows: Int, globalRows: Int, reduction: GradientReduction,
                            whenReady: ((_ index: Int, _ gradient: Tensor) -> Void)?,
                            _ objective: () -> Tensor) -> (value: Float, gradients: [Tensor])
}

/// What a training step does with its gradients across processes. With gradient accumulation
/// the processes exchange gradients once per update: each keeps its steps' gradients (its share
/// of each global batch's), and the update step sums this step's plus the accumulated ones over
/// the processes — Σ over steps of Σ over processes, the same sum Keras' every-step reduction
/// accumulates, with one all-reduce in k.
enum GradientReduction {
    /// Summed over the processes (every step, without gradient accumulation).
    case sum
    /// Kept by this process: a step that accumulates between updates.
    case keep
    /// This step's gradients plus the accumulated ones (nil where none), summed over the processes.
    case sumWithAccumulated([Tensor?])

    /// This step's gradient of variable `index`, with what it carries added.
    func total(_ index: Int, _ gradient: Tensor) -> Tensor {
        guard case .sumWithAccumulated(let carried) = self, let accumulated = carried[index] else { return gradient }
        return gradient + accumulated
    }

    /// The reduction of a step of `optimizer`.
    static func forStep(of optimizer: Optimizer, variables: [Variable]) -> GradientReduction {
        guard optimizer.gradientAccumulationSteps != nil else { return .sum }
        return optimizer.nextApplyAccumulates ? .keep : .sumWithAccumulated(optimizer.accumulated(for: variables))
    }
}

/// One process doing all the work.
struct SingleProcess: DistributionStrategy {
    var processes: Int { 1 }
    func rows(start: Int, count: Int) -> Range<Int> { start..<(start + count) }
    func isTooSmall(_ count: Int) -> Bool { false }
    func agree(_ flag: Bool) -> Bool { flag }
    func agree(_ seed: UInt64) -> UInt64 { seed }
    func broadcast(_ variables: [Variable]) {}
    func reduce(_ metrics: [any Metric]) {}
    func sum(_ values: [Double]) -> [Double] { values }
    var isFirst: Bool { true }
    func endEpoch(nonTrainable variables: [Variable]) {}

    func valueWithGradients(of variables: [Variable], rows: Int, globalRows: Int, reduction: GradientReduction,
                            whenReady: ((_ index: Int, _ gradient: Tensor) -> Void)?,
                            _ objective: () -> Tensor) -> (value: Float, gradients: [Tensor]) {
        let (value, gradients) = StrataCore.valueWithGradients(
            of: variables, whenReady: whenReady.map { whenReady in { whenReady($0, reduction.total($0, $1)) } },
            releasingTape: whenReady != nil, objective)
        return (value.scalar, gradients.enumerated().map { reduction.total($0, $1) })
    }
}
