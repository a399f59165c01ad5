/// A stateful metric: `update` with each batch, read `result`, `reset` between epochs — so an
/// epoch's value is exact over all its samples, not an average of batch averages.
///
///     let accuracy = Metrics.sparseCategoricalAccuracy()
///     accuracy.update(labels, probabilities)
///     print(accuracy.result)
public protocol Metric: AnyObject {
    /// The name in logs (`accuracy`, `val_accuracy` for validation).
    var name: String { get }
    /// Accumulates a batch. Values are not differentiated.
    func update(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor?)
    /// The value over everything accumulated since the last reset (double precision, as it
    /// goes into the logs).
    var result: Double { get }
    /// Forgets everything accumulated.
    func reset()
}

/// A metric whose state is a vector of totals that add across replicas (data parallelism sums
/// them, then every replica's `result` is the global one).
protocol ReducibleMetric: AnyObject {
    /// The totals behind `result`.
    var reducibleState: [Double] { get set }
}

extension Metric {
    /// Accumulates a batch without sample weights.
    public func update(_ yTrue: Tensor, _ yPred: Tensor) { update(yTrue, yPred, sampleWeight: nil) }
}

/// The weighted running mean of per-sample values (Keras `Mean`/`MeanMetricWrapper`):
/// `Σ w·v / Σ w`, accumulated in double.
public final class MeanMetric: Metric {
    /// The name in logs.
    public let name: String
    private let perSample: (Tensor, Tensor) -> Tensor
    private var total = 0.0
    private var weight = 0.0

    /// A metric averaging `perSample(yTrue, yPred)` (one value per sample).
    public init(name: String, perSample: @escaping (_ yTrue: Tensor, _ yPred: Tensor) -> Tensor) {
        self.name = name
        self.perSample = perSample
    }

    /// A running mean of the values passed as `yPred` to `update` (`yTrue` is ignored) — the
    /// epoch's mean loss.
    public static func mean(name: String) -> MeanMetric { MeanMetric(name: name) { _, values in values } }

    public func update(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor?) {
        // Reductions run in the kernels (double accumulation), not per sample in Swift.
        let values = perSample(yTrue.detached, yPred.detached)
        if let sampleWeight {
            precondition(sampleWeight.count == values.count,
                         "\(name): \(sampleWeight.count) sample weights for \(values.count) samples")
            let weights = sampleWeight.reshaped(to: values.shape)
            total += Double((values * weights).sum().scalar)
            weight += Double(weights.sum().scalar)
        } else {
            total += Double(values.sum().scalar)
            weight += Double(values.count)
        }
    }

    /// Adds `value` with weight `weight` (the epoch loss: a batch's loss weighted by its size).
    public func add(_ value: Float, weight: Float = 1) {
        total += Double(value) * Double(weight)
        self.weight += Double(weight)
    }

    /// `Σ w·v / Σ w` in double precision (0 before any update). Keras keeps float32 totals; the
    /// double ones here are at least as exact.
    public var result: Double { weight == 0 ? 0 : total / weight }

    public func reset() {
        total = 0
        weight = 0
    }
}

extension MeanMetric: ReducibleMetric {
    var reducibleState: [Double] {
        get { [total, weight] }
        set { (total, weight) = (newValue[0], newValue[1]) }
    }
}
