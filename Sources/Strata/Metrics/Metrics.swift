/// The built-in metrics (Keras 3's names and definitions), as a specification for `compile` that
/// makes a fresh stateful `Metric` for each run.
///
///     model.compile(optimizer: Adam(), loss: .binaryCrossentropy, metrics: [.accuracy, .auc()])
public struct Metrics: Sendable {
    enum Kind: Sendable, Equatable {
        case accuracy
        case binaryAccuracy(threshold: Float)
        case categoricalAccuracy, sparseCategoricalAccuracy
        case topKCategoricalAccuracy(k: Int)
        case precision(threshold: Float), recall(threshold: Float)
        case auc(thresholds: Int)
        case meanSquaredError, meanAbsoluteError
    }

    let kind: Kind

    init(kind: Kind) {
        self.kind = kind
    }

    /// Accuracy resolved from the shapes, as Keras does: a single output unit → binary;
    /// integer targets against several units → sparse categorical; else categorical.
    public static let accuracy = Metrics(kind: .accuracy)
    /// Fraction of predictions on the right side of `threshold` (default 0.5).
    public static func binaryAccuracy(threshold: Float = 0.5) -> Metrics { Metrics(kind: .binaryAccuracy(threshold: threshold)) }
    /// argmax(prediction) == argmax(one-hot target).
    public static let categoricalAccuracy = Metrics(kind: .categoricalAccuracy)
    /// argmax(prediction) == integer target.
    public static let sparseCategoricalAccuracy = Metrics(kind: .sparseCategoricalAccuracy)
    /// Whether the target class is among the `k` highest predictions (default 5; ties count).
    public static func topKCategoricalAccuracy(k: Int = 5) -> Metrics { Metrics(kind: .topKCategoricalAccuracy(k: k)) }
    /// TP / (TP + FP) with predictions above `threshold` counted positive.
    public static func precision(threshold: Float = 0.5) -> Metrics { Metrics(kind: .precision(threshold: threshold)) }
    /// TP / (TP + FN) with predictions above `threshold` counted positive.
    public static func recall(threshold: Float = 0.5) -> Metrics { Metrics(kind: .recall(threshold: threshold)) }
    /// Area under the ROC curve from `thresholds` (Keras: 200) evenly spaced thresholds,
    /// trapezoidal ("interpolation") summation.
    public static func auc(thresholds: Int = 200) -> Metrics { Metrics(kind: .auc(thresholds: thresholds)) }
    /// Mean squared error.
    public static let meanSquaredError = Metrics(kind: .meanSquaredError)
    /// Mean absolute error.
    public static let meanAbsoluteError = Metrics(kind: .meanAbsoluteError)

    /// The metric with the given log name (`accuracy`, `auc`, …), with default options.
    public init?(name: String) {
        let all: [Metrics] = [.accuracy, .binaryAccuracy(), .categoricalAccuracy, .sparseCategoricalAccuracy,
                              .topKCategoricalAccuracy(), .precision(), .recall(), .auc(), .meanSquaredError, .meanAbsoluteError]
        guard let found = all.first(where: { $0.name == name }) else { return nil }
        self = found
    }

    /// The name in logs.
    public var name: String {
        switch kind {
        case .accuracy: "accuracy"
        case .binaryAccuracy: "binary_accuracy"
        case .categoricalAccuracy: "categorical_accuracy"
        case .sparseCategoricalAccuracy: "sparse_categorical_accuracy"
        case .topKCategoricalAccuracy: "top_k_categorical_accuracy"
        case .precision: "precision"
        case .recall: "recall"
        case .auc: "auc"
        case .meanSquaredError: "mean_squared_error"
        case .meanAbsoluteError: "mean_absolute_error"
        }
    }

    /// Which way the metric improves (Keras' `_direction`): up for accuracies, precision, recall
    /// and AUC, down for the errors. `MonitorMode.auto` resolves with it.
    public var direction: MonitorMode {
        switch kind {
        case .accuracy, .binaryAccuracy, .categoricalAccuracy, .sparseCategoricalAccuracy, .topKCategoricalAccuracy,
             .precision, .recall, .auc: .max
        case .meanSquaredError, .meanAbsoluteError: .min
        }
    }

    /// Checks that targets of `targetShape` suit this metric for predictions of
    /// `predictionShape` (batch axes included); throws a `StrataError` saying what is expected.
    public func validate(targetShape: [Int], predictionShape: [Int], context: String) throws {
        let perSampleTargets = targetShape.dropFirst().reduce(1, *)
        let perSamplePredictions = predictionShape.dropFirst().reduce(1, *)
        let fits: Bool
        let expected: String
        switch kind {
        case .accuracy:
            return
        case .sparseCategoricalAccuracy:
            fits = perSampleTargets == 1
            expected = "one integer label per sample"
        case .categoricalAccuracy, .topKCategoricalAccuracy:
            fits = targetShape.dropFirst().elementsEqual(predictionShape.dropFirst())
            expected = "one-hot targets shaped like the predictions \(Array(predictionShape.dropFirst())) (for integer labels use .sparseCategoricalAccuracy)"
        case .binaryAccuracy, .precision, .recall, .auc, .meanSquaredError, .meanAbsoluteError:
            fits = perSampleTargets == perSamplePredictions
            expected = "targets with as many values per sample as the predictions (\(perSamplePredictions)), e.g. one-hot rows"
        }
        if !fits {
            throw StrataError.shapeMismatch("metric '\(name)' cannot compare targets of shape \(targetShape) with predictions of shape \(predictionShape)",
                                            context: context, expected: expected)
        }
    }

    /// A fresh metric for targets and predictions of these shapes (batch axis included).
    public func make(targetShape: [Int], predictionShape: [Int]) -> any Metric {
        switch kind {
        case .accuracy:
            let predictionUnits = predictionShape.last ?? 1
            let sparseTargets = targetShape.count < predictionShape.count
                || (targetShape.last == 1 && predictionUnits > 1)
            let metric: Metrics = predictionUnits == 1 ? .binaryAccuracy()
                : sparseTargets ? .sparseCategoricalAccuracy : .categoricalAccuracy
            return metric.makeNamed(name)
        default:
            return makeNamed(name)
        }
    }

    private func makeNamed(_ name: String) -> any Metric {
        switch kind {
        case .accuracy: preconditionFailure("accuracy is resolved by make(targetShape:predictionShape:)")
        case .binaryAccuracy(let threshold):
            return MeanMetric(name: name) { y, p in
                let (y, p) = LossFunctions.matchRank(y, p)
                return ((p .> threshold) .== y).mean(axes: [-1])
            }
        case .categoricalAccuracy:
            return MeanMetric(name: name) { y, p in y.argmax(axis: -1) .== p.argmax(axis: -1) }
        case .sparseCategoricalAccuracy:
            return MeanMetric(name: name) { y, p in
                y.reshaped(to: Array(p.shape.dropLast())) .== p.argmax(axis: -1)
            }
        case .topKCategoricalAccuracy(let k):
            return MeanMetric(name: name) { y, p in Self.inTopK(target: y.argmax(axis: -1), p, k: k) }
        case .precision(let threshold): return ConfusionMetric(name: name, thresholds: [threshold], result: .precision)
        case .recall(let threshold): return ConfusionMetric(name: name, thresholds: [threshold], result: .recall)
        case .auc(let count): return ConfusionMetric(name: name, thresholds: ConfusionMetric.aucThresholds(count), result: .rocAUC)
        case .meanSquaredError: return MeanMetric(name: name) { y, p in LossFunctions.meanSquaredError(y, p) }
        case .meanAbsoluteError: return MeanMetric(name: name) { y, p in LossFunctions.meanAbsoluteError(y, p) }
        }
    }

    /// 1 where fewer than k classes score strictly higher than the target class.
    static func inTopK(target: Tensor, _ predictions: Tensor, k: Int) -> Tensor {
        let classes = predictions.shape[predictions.rank - 1]
        let targetScore = (Tensor.oneHot(target, depth: classes) * predictions).sum(axes: [-1], keepDims: true)
        let higher = (predictions .> targetScore).sum(axes: [-1])
        return higher .< Float(k)
    }
}
