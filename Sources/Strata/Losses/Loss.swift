/// A loss for `compile` (and a callable on tensors): Keras 3's losses with its names, defaults,
/// shape conventions and reduction.
///
/// The cross-entropies on probabilities clip them to [ε, 1 − ε] with Keras' ε = 1e-7; `1 − 1e-7`
/// is not a float32 value, so the upper edge is `1 − 1.19e-7` here where Keras (float64) has
/// `1 − 1e-7` — the one difference from Keras beyond rounding. From logits (or a sigmoid/softmax
/// output, whose logits are used) there is no clip.
///
/// Reduction (Keras' `"sum_over_batch_size"`): per-sample losses (reduced over the last axis)
/// are multiplied by optional sample weights, summed, and divided by the number of samples —
/// not by the sum of the weights (`keras/src/losses/loss.py`, `reduce_values`).
///
///     model.compile(optimizer: Adam(), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
///     let value = Loss.huber(delta: 2)(yTrue, yPred)
public struct Loss: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case binaryCrossentropy(fromLogits: Bool, labelSmoothing: Float)
        case categoricalCrossentropy(fromLogits: Bool, labelSmoothing: Float)
        case sparseCategoricalCrossentropy(fromLogits: Bool)
        case meanSquaredError, meanAbsoluteError, hinge, kullbackLeiblerDivergence
        case huber(delta: Float)
    }

    let kind: Kind

    /// Binary cross-entropy on probabilities.
    public static let binaryCrossentropy = Loss(kind: .binaryCrossentropy(fromLogits: false, labelSmoothing: 0))
    /// Binary cross-entropy; `labelSmoothing` s moves labels to `y(1 − s) + s/2`.
    public static func binaryCrossentropy(fromLogits: Bool = false, labelSmoothing: Float = 0) -> Loss {
        Loss(kind: .binaryCrossentropy(fromLogits: fromLogits, labelSmoothing: labelSmoothing))
    }
    /// Categorical cross-entropy on one-hot (or probability) labels.
    public static let categoricalCrossentropy = Loss(kind: .categoricalCrossentropy(fromLogits: false, labelSmoothing: 0))
    /// Categorical cross-entropy; `labelSmoothing` s moves labels to `y(1 − s) + s/classes`.
    public static func categoricalCrossentropy(fromLogits: Bool = false, labelSmoothing: Float = 0) -> Loss {
        Loss(kind: .categoricalCrossentropy(fromLogits: fromLogits, labelSmoothing: labelSmoothing))
    }
    /// Categorical cross-entropy on integer class labels.
    public static let sparseCategoricalCrossentropy = Loss(kind: .sparseCategoricalCrossentropy(fromLogits: false))
    /// Sparse categorical cross-entropy, optionally on logits.
    public static func sparseCategoricalCrossentropy(fromLogits: Bool) -> Loss {
        Loss(kind: .sparseCategoricalCrossentropy(fromLogits: fromLogits))
    }
    /// Mean of squared errors over the last axis.
    public static let meanSquaredError = Loss(kind: .meanSquaredError)
    /// Mean of absolute errors over the last axis.
    public static let meanAbsoluteError = Loss(kind: .meanAbsoluteError)
    /// Huber loss with δ = 1.
    public static let huber = Loss(kind: .huber(delta: 1))
    /// Huber loss: quadratic within δ of the target, linear beyond.
    public static func huber(delta: Float) -> Loss { Loss(kind: .huber(delta: delta)) }
    /// Hinge loss `max(1 − y·p, 0)`; 0/1 labels are mapped to −1/1 as Keras does.
    public static let hinge = Loss(kind: .hinge)
    /// Kullback–Leibler divergence `Σ y log(y / p)` with both clipped to [1e-7, 1].
    public static let kullbackLeiblerDivergence = Loss(kind: .kullbackLeiblerDivergence)

    /// Keras' name, used in logs and configurations (`sparse_categorical_crossentropy`).
    public var name: String {
        switch kind {
        case .binaryCrossentropy: "binary_crossentropy"
        case .categoricalCrossentropy: "categorical_crossentropy"
        case .sparseCategoricalCrossentropy: "sparse_categorical_crossentropy"
        case .meanSquaredError: "mean_squared_error"
        case .meanAbsoluteError: "mean_absolute_error"
        case .huber: "huber"
        case .hinge: "hinge"
        case .kullbackLeiblerDivergence: "kl_divergence"
        }
    }

    /// The loss of each sample (shape: the batch axes of `yPred`).
    public func perSample(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        switch kind {
        case .binaryCrossentropy(let fromLogits, let smoothing):
            LossFunctions.binaryCrossentropy(yTrue, yPred, fromLogits: fromLogits, labelSmoothing: smoothing)
        case .categoricalCrossentropy(let fromLogits, let smoothing):
            LossFunctions.categoricalCrossentropy(yTrue, yPred, fromLogits: fromLogits, labelSmoothing: smoothing)
        case .sparseCategoricalCrossentropy(let fromLogits):
            LossFunctions.sparseCategoricalCrossentropy(yTrue, yPred, fromLogits: fromLogits)
        case .meanSquaredError: LossFunctions.meanSquaredError(yTrue, yPred)
        case .meanAbsoluteError: LossFunctions.meanAbsoluteError(yTrue, yPred)
        case .huber(let delta): LossFunctions.huber(yTrue, yPred, delta: delta)
        case .hinge: LossFunctions.hinge(yTrue, yPred)
        case .kullbackLeiblerDivergence: LossFunctions.kullbackLeiblerDivergence(yTrue, yPred)
        }
    }

    /// The reduced loss: `Σ perSample · sampleWeight / number of samples`, a scalar tensor.
    public func callAsFunction(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor? = nil) -> Tensor {
        LossFunctions.reduce(perSample(yTrue, yPred), sampleWeight: sampleWeight)
    }

    /// `{"class_name": "…", "config": {…}}`.
    public var config: ConfigValue {
        var options: [String: ConfigValue] = ["name": .string(name)]
        switch kind {
        case .binaryCrossentropy(let fromLogits, let smoothing), .categoricalCrossentropy(let fromLogits, let smoothing):
            options["from_logits"] = .bool(fromLogits)
            options["label_smoothing"] = .float(smoothing)
        case .sparseCategoricalCrossentropy(let fromLogits): options["from_logits"] = .bool(fromLogits)
        case .huber(let delta): options["delta"] = .float(delta)
        default: break
        }
        return .object(["class_name": .string(name), "config": .object(options)])
    }

    /// Rebuilds a loss from its configuration or Keras name (`"mse"`, `"binary_crossentropy"`).
    public init(config: ConfigValue) throws {
        let name: String
        var reader: ConfigReader?
        if case .string(let value) = config {
            name = value
        } else {
            let outer = try ConfigReader(config, owner: "loss")
            name = try outer.string("class_name")
            reader = try ConfigReader(outer.value("config") == .null ? .object([:]) : outer.value("config"), owner: "loss \(name)")
        }
        let fromLogits = try reader?.bool("from_logits", default: false) ?? false
        let smoothing = try reader?.float("label_smoothing", default: 0) ?? 0
        switch name {
        case "binary_crossentropy": self = .binaryCrossentropy(fromLogits: fromLogits, labelSmoothing: smoothing)
        case "categorical_crossentropy": self = .categoricalCrossentropy(fromLogits: fromLogits, labelSmoothing: smoothing)
        case "sparse_categorical_crossentropy": self = .sparseCategoricalCrossentropy(fromLogits: fromLogits)
        case "mean_squared_error", "mse": self = .meanSquaredError
        case "mean_absolute_error", "mae": self = .meanAbsoluteError
        case "huber": self = .huber(delta: try reader?.float("delta", default: 1) ?? 1)
        case "hinge": self = .hinge
        case "kl_divergence", "kullback_leibler_divergence", "kld": self = .kullbackLeiblerDivergence
        default:
            throw StrataError.invalidArgument("unknown loss '\(name)'", context: "loss",
                                              expected: "binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, mean_squared_error, mean_absolute_error, huber, hinge, kl_divergence")
        }
    }

    init(kind: Kind) {
        self.kind = kind
    }
}
