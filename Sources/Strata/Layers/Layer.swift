import Foundation
import Synchronization

/// The base of every layer: Keras' lifecycle `init` (configuration) → `build` (weights, from the
/// per-sample input shape) → `call(_:training:)` → `config`.
///
/// A layer is built lazily on its first call, or eagerly when given `inputShape:` (the shape of
/// one sample, without the batch axis). `training` is always explicit: dropout and batch
/// normalization behave differently in training and inference, and there is no hidden mode.
///
/// A custom layer overrides `build(for:)` to create weights with `addWeight`, `call` for the
/// forward pass, and — if the output shape differs from the input's — `outputShape(for:)`:
///
///     final class Scale: Layer {
///         var factor: Variable!
///         override func build(for inputShape: [Int]) throws {
///             factor = try addWeight("factor", shape: [inputShape.last!], initializer: .ones)
///         }
///         override func call(_ x: Tensor, training: Bool) -> Tensor { x * factor.value }
///     }
open class Layer {
    /// Unique name (`dense`, `dense_1`, …), used in summaries, errors and weight paths.
    public let name: String
    /// The per-sample input shape given at construction, if any.
    public let declaredInputShape: [Int]?
    /// The per-sample input shape the layer was built for (nil until built).
    public private(set) var inputShape: [Int]?
    /// Whether the layer's weights are updated by training (Keras' `layer.trainable`).
    public var trainable = true
    /// A penalty on the layer's output, added to the loss (Keras' `activity_regularizer`).
    public var activityRegularizer: Regularizer?

    private var createdWeights: [Variable] = []
    private var weightRegularizers: [(Variable, Regularizer)] = []
    private var buildError: StrataError?
    /// The activity penalty of the last call (tracked when inside a gradient).
    public private(set) var activityLoss: Tensor?

    /// Creates a layer. A nil `name` gets a unique Keras-style one from the class name.
    public init(name: String? = nil, inputShape: [Int]? = nil) {
        self.name = name ?? LayerNames.unique(for: LayerNames.snakeCase(Self.typeName))
        self.declaredInputShape = inputShape
        if let inputShape {
            do { try build(inputShape: inputShape) } catch let error as StrataError {
                buildError = error
            } catch {
                buildError = StrataError.invalidArgument("\(error)", context: self.name)
            }
        }
    }

    /// The class name used in configurations and summaries (`Dense`).
    open class var typeName: String { String(describing: self) }

    /// Whether `build` has run.
    public var isBuilt: Bool { inputShape != nil }

    /// All variables: trainable ones first (none trainable when the layer is frozen).
    public var variables: [Variable] { trainableVariables + nonTrainableVariables }
    /// Variables that training updates (none when `trainable` is false).
    public var trainableVariables: [Variable] { trainable ? createdWeights.filter(\.trainable) : [] }
    /// Variables that training does not update by gradient (e.g. batch-norm moving statistics).
    public var nonTrainableVariables: [Variable] { trainable ? createdWeights.filter { !$0.trainable } : createdWeights }

    /// The layer's weights in Keras' order (`keras/src/layers/layer.py`, `Layer.weights`): the
    /// trainable weights in creation order, then the others — `Dense`: kernel, bias;
    /// `BatchNormalization`: gamma, beta, moving_mean, moving_variance. Freezing the layer does
    /// not reorder them.
    public var weights: [Variable] { createdWeights.filter(\.trainable) + createdWeights.filter { !$0.trainable } }

    /// Copies of the weights' values, in `weights` order (Keras' `get_weights`).
    public func getWeights() -> [Tensor] { weights.map(\.value) }

    /// Replaces the weights' values, in `weights` order (Keras' `set_weights`). All are checked
    /// before any changes: the count, and each shape — a `StrataError` names the layer, the
    /// weight and both shapes.
    ///
    ///     try dense.setWeights([kernel, bias])
    public func setWeights(_ values: [Tensor]) throws {
        try Self.assign(values, to: weights, owner: "\(Self.typeName) '\(name)'")
    }

    /// Checks `values` against `targets` (count, then each shape), then assigns them all.
    static func assign(_ values: [Tensor], to targets: [Variable], owner: String) throws {
        guard values.count == targets.count else {
            throw StrataError.invalidArgument("got \(values.count) weights for \(targets.count)", context: "\(owner).setWeights",
                                              expected: "\(targets.count) tensors, for \(targets.map(\.name).joined(separator: ", "))")
        }
        for (variable, value) in zip(targets, values) where variable.shape != value.shape {
            throw StrataError.shapeMismatch("weight '\(variable.name)' has shape \(variable.shape), got \(value.shape)",
                                            context: "\(owner).setWeights", expected: "\(variable.shape)")
        }
        for (variable, value) in zip(targets, values) { try variable.assign(value) }
    }

    /// Number of scalars in all variables.
    public var parameterCount: Int { createdWeights.reduce(0) { $0 + $1.value.count } }

    /// Regularization penalties: each regularized weight's penalty and the last activity penalty.
    /// Inside `valueWithGradients` these are tracked, so adding them to the loss trains them.
    public var regularizationLosses: [Tensor] {
        weightRegularizers.map { variable, regularizer in regularizer(variable.value) }
            + (activityLoss.map { [$0] } ?? [])
    }

    /// Builds the layer for samples of `inputShape` (without the batch axis). Idempotent for the
    /// same shape; throws when the layer was built for another shape or the shape is unsupported.
    public final func build(inputShape: [Int]) throws {
        if let buildError { throw buildError }
        if let built = self.inputShape {
            guard built == inputShape else {
                throw StrataError.shapeMismatch(
                    "was built for inputs of shape \(built) but got \(inputShape)",
                    context: "\(Self.typeName) '\(name)'", expected: "\(built)")
            }
            return
        }
        guard inputShape.allSatisfy({ $0 > 0 }) else {
            throw StrataError.shapeMismatch("input shape \(inputShape) has an empty or negative dimension",
                                            context: "\(Self.typeName) '\(name)'")
        }
        try build(for: inputShape)
        self.inputShape = inputShape
    }

    /// Runs the layer on a batch (`x.shape = [batch] + inputShape`), building it on first use.
    ///
    /// - Precondition: the sample shape matches the one the layer was built for. `fit`,
    ///   `evaluate` and `predict` check this first and throw a `StrataError` instead.
    public final func callAsFunction(_ x: Tensor, training: Bool = false) -> Tensor {
        precondition(x.rank >= 1, "\(Self.typeName) '\(name)': input must have a batch axis, got shape \(x.shape)")
        let sampleShape = Array(x.shape.dropFirst())
        do { try build(inputShape: sampleShape) } catch {
            preconditionFailure("\(error)")
        }
        let y = call(x, training: training)
        activityLoss = activityRegularizer.map { $0(y) }
        return y
    }

    /// Creates and registers a weight named `"<layer name>/<name>"`; throws when `initializer`
    /// cannot fill `shape`.
    @discardableResult
    public final func addWeight(_ name: String, shape: [Int], initializer: Initializer,
                                regularizer: Regularizer? = nil, trainable: Bool = true) throws -> Variable {
        let elements = shape.reduce((1, false)) { partial, dimension in
            let (product, overflow) = partial.0.multipliedReportingOverflow(by: Swift.max(dimension, 0))
            return (product, partial.1 || overflow || dimension < 0)
        }
        guard !elements.1, elements.0 <= 1 << 31 else {
            throw StrataError.invalidArgument("weight '\(name)' of shape \(shape) is too large or invalid",
                                              context: "\(Self.typeName) '\(self.name)'", expected: "at most 2³¹ elements")
        }
        do { try initializer.validate(shape: shape) } catch let error as StrataError {
            throw StrataError(kind: error.kind, message: error.message, context: "\(Self.typeName) '\(self.name)', weight '\(name)'",
                              expected: error.expected)
        }
        let variable = Variable(initializer(shape), name: "\(self.name)/\(name)", trainable: trainable)
        createdWeights.append(variable)
        if let regularizer { weightRegularizers.append((variable, regularizer)) }
        return variable
    }

    // MARK: - As a node of a functional graph (merge layers take several inputs)

    /// The per-sample output shape for a node's input shapes, building the layer.
    func nodeOutputShape(forInputs shapes: [[Int]]) throws -> [Int] {
        guard shapes.count == 1 else {
            throw StrataError.invalidArgument("takes one input, got \(shapes.count)", context: "\(Self.typeName) '\(name)'",
                                              expected: "a single tensor (a merge layer such as Add or Concatenate joins several)")
        }
        try build(inputShape: shapes[0])
        return outputShape(for: shapes[0])
    }

    /// The forward pass of a node on its inputs' batches.
    func nodeCall(_ inputs: [Tensor], training: Bool) -> Tensor { self(inputs[0], training: training) }

    /// Checks a user's samples that this layer reads directly (a model input it consumes), before
    /// any of them is used: `Embedding` refuses ids outside its vocabulary. The default accepts all.
    func validate(input samples: Samples, operation: String) throws {}

    // MARK: - Overridden by subclasses

    /// Creates the weights for samples of `inputShape`; throws a `StrataError` for a shape the
    /// layer cannot take. The default creates nothing.
    open func build(for inputShape: [Int]) throws {}

    /// The forward pass on a batch.
    open func call(_ x: Tensor, training: Bool) -> Tensor { x }

    /// The per-sample output shape for a per-sample input shape (default: unchanged).
    open func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    /// The layer's own options, with Keras' snake_case keys (`units`, `activation`, …).
    open var options: [String: ConfigValue] { [:] }

    // MARK: - Configuration

    /// Everything needed to rebuild the layer: `{"class_name": "Dense", "config": {…}}` with
    /// `name`, `trainable`, `input_shape` (when declared) and the layer's `options`.
    public final var config: ConfigValue {
        var all = options
        all["name"] = .string(name)
        all["trainable"] = .bool(trainable)
        if let declaredInputShape { all["input_shape"] = .ints(declaredInputShape) }
        if let activityRegularizer { all["activity_regularizer"] = activityRegularizer.config }
        return .object(["class_name": .string(Self.typeName), "config": .object(all)])
    }

    /// Rebuilds a layer from `config` through the registry of layer types (built-ins and those
    /// added with `LayerRegistry.register`).
    public static func from(config: ConfigValue) throws -> Layer {
        try LayerRegistry.make(config)
    }

    /// Applies the shared keys of a configuration (trainable, activity regularizer) to a layer
    /// rebuilt from it.
    func applyCommonOptions(_ reader: ConfigReader) throws {
        trainable = try reader.bool("trainable", default: true)
        if reader.value("activity_regularizer") != .null {
            activityRegularizer = try Regularizer(config: reader.value("activity_regularizer"))
        }
    }
}

/// Keras-style unique layer names.
enum LayerNames {
    private static let counters = Mutex<[String: Int]>([:])

    /// `base` the first time, then `base_1`, `base_2`, …
    static func unique(for base: String) -> String {
        counters.withLock { counters in
            let count = counters[base, default: 0]
            counters[base] = count + 1
            return count == 0 ? base : "\(base)_\(count)"
        }
    }

    /// Keras' `to_snake_case`: `BatchNormalization` → `batch_normalization`, `LeakyReLU` →
    /// `leaky_re_lu`.
    static func snakeCase(_ name: String) -> String {
        let step1 = name.replacingOccurrences(of: "(.)([A-Z][a-z]+)", with: "$1_$2", options: .regularExpression)
        let step2 = step1.replacingOccurrences(of: "([a-z])([A-Z])", with: "$1_$2", options: .regularExpression)
        return step2.lowercased()
    }
}
