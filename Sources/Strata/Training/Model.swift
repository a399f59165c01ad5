/// A trainable model (Keras' `Model`): layers, `compile`, `fit`, `evaluate`, `predict`.
///
/// `Sequential` covers stacks of layers. For other architectures, subclass and override
/// `call(_:training:)`; layers stored in properties (or arrays of layers) are found
/// automatically, so `compile`/`fit` work unchanged:
///
///     final class Residual: Model {
///         let dense1 = Dense(64, activation: .relu), dense2 = Dense(64), head = Dense(10, activation: .softmax)
///         override func call(_ x: Tensor, training: Bool) -> Tensor {
///             let h = dense1(x, training: training)
///             return head(h + dense2(h, training: training), training: training)
///         }
///     }
open class Model {
    /// The model's name (`sequential`, `sequential_1`, …).
    public let name: String
    /// Set by a callback to end `fit` after the current batch or epoch.
    public var stopTraining = false
    /// The optimizer given to `compile`.
    public private(set) var optimizer: Optimizer?
    /// The loss given to `compile`.
    public private(set) var loss: Loss?
    /// The metrics given to `compile`.
    public private(set) var metrics: [Metrics] = []
    /// Scale of the loss (Keras' `loss_weights` for the single output).
    public private(set) var lossWeight: Float = 1
    /// The per-sample input shape the model was built for, when known.
    public internal(set) var inputShape: [Int]?
    /// The `verbose` of the running `fit` (callbacks' warnings are silent with `.silent`).
    var outputVerbosity: Verbosity = .progressBar
    /// The `History` of the current or last `fit` (Keras' `model.history`); for a loaded model,
    /// the history saved with it.
    public internal(set) var history: History?
    /// Where a loaded model's or a restored backup's run stood; the next `fit` continues from
    /// it (and consumes it).
    var trainingProgress: TrainingState?

    /// Forgets the training progress a loaded model carries (its epoch, history and random
    /// stream), so the next `fit` starts at epoch 0 — to fine-tune a saved model as a new run.
    /// The weights and the optimizer's state stay.
    public func resetTrainingProgress() {
        trainingProgress = nil
        history = nil
    }

    /// Creates a model; a nil `name` gets a unique one from the class name.
    public init(name: String? = nil) {
        self.name = name ?? LayerNames.unique(for: LayerNames.snakeCase(String(describing: type(of: self))))
    }

    /// The layers whose variables the model trains. The default finds every `Layer` (or array
    /// of layers) stored in the model's properties, in declaration order — by reflection, once the
    /// model is built (each training step asks for its variables; the walk is not repeated).
    open var layers: [Layer] {
        if let reflectedLayers { return reflectedLayers }
        let found = reflectLayers()
        if inputShape != nil { reflectedLayers = found }
        return found
    }

    /// The layers found by reflection after the build.
    private var reflectedLayers: [Layer]?

    private func reflectLayers() -> [Layer] {
        var found: [Layer] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        var levels: [[Layer]] = []
        while let current = mirror {
            levels.append(current.children.flatMap { child -> [Layer] in
                if let layer = child.value as? Layer { return [layer] }
                if let list = child.value as? [Layer] { return list }
                return []
            })
            mirror = current.superclassMirror
        }
        for level in levels.reversed() { found += level }
        return found
    }

    /// The forward pass; `Sequential` runs its layers in order, subclasses define their own.
    open func call(_ x: Tensor, training: Bool) -> Tensor {
        preconditionFailure("\(type(of: self)) must override call(_:training:)")
    }

    /// Runs the model on a batch.
    public func callAsFunction(_ x: Tensor, training: Bool = false) -> Tensor {
        call(x, training: training)
    }

    /// Builds every layer for samples of `inputShape` (without the batch axis). The default runs
    /// one zero sample through `call` in inference mode; `Sequential` propagates shapes instead.
    open func build(inputShape: [Int]) throws {
        if let built = self.inputShape {
            guard built == inputShape else {
                throw StrataError.shapeMismatch("was built for samples of shape \(built), got \(inputShape)",
                                                context: "model '\(name)'", expected: "\(built)")
            }
            return
        }
        _ = call(Tensor.zeros([1] + inputShape), training: false)
        self.inputShape = inputShape
    }

    /// The per-sample output shape for the built input shape.
    open func outputShape(for inputShape: [Int]) throws -> [Int] {
        try build(inputShape: inputShape)
        return Array(call(Tensor.zeros([1] + inputShape), training: false).shape.dropFirst())
    }

    /// Variables training updates, each once.
    public var trainableVariables: [Variable] { unique(layers.flatMap(\.trainableVariables)) }
    /// Variables training does not update by gradient.
    public var nonTrainableVariables: [Variable] { unique(layers.flatMap(\.nonTrainableVariables)) }
    /// All variables, trainable first.
    public var variables: [Variable] { trainableVariables + nonTrainableVariables }

    private func unique(_ variables: [Variable]) -> [Variable] {
        var seen = Set<ObjectIdentifier>()
        return variables.filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// The sum of all layers' regularization penalties (a scalar tensor).
    public var regularizationLoss: Tensor {
        layers.flatMap(\.regularizationLosses).reduce(Tensor(0), +)
    }

    /// The model's weights in Keras 3's order (`Layer.weights` of the model): layer by layer,
    /// each layer's own order (trainable first), a shared layer's once. Not `variables`' order,
    /// which lists every trainable variable before every other one.
    public var weights: [Variable] { unique(layers.flatMap(\.weights)) }

    /// Copies of the weights' values, in `weights` order (Keras' `get_weights`).
    public func getWeights() -> [Tensor] { weights.map(\.value) }

    /// Replaces the weights' values, in `weights` order (Keras' `set_weights`). All are checked
    /// before any changes; a `StrataError` names the weight and both shapes.
    public func setWeights(_ values: [Tensor]) throws {
        try Layer.assign(values, to: weights, owner: "model '\(name)'")
    }

    /// Configures training: the optimizer, the loss and the metrics to report.
    ///
    ///     model.compile(optimizer: Adam(learningRate: 1e-3), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
    ///
    /// - Parameters:
    ///   - optimizer: how the weights are updated from their gradients.
    ///   - loss: what training minimizes.
    ///   - metrics: values reported per epoch beside the loss (default none).
    ///   - lossWeights: for this single-output model, at most one factor scaling the loss.
    public func compile(optimizer: Optimizer, loss: Loss, metrics: [Metrics] = [], lossWeights: [Float]? = nil) {
        precondition(lossWeights.map { $0.count <= 1 } ?? true,
                     "compile: a single-output model takes at most one loss weight, got \(lossWeights!.count)")
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.lossWeight = lossWeights?.first ?? 1
    }

    /// The compiled optimizer and loss, or an error telling to call `compile`.
    func compiled(for operation: String) throws -> (Optimizer, Loss) {
        guard let optimizer, let loss else {
            throw StrataError.invalidArgument("the model is not compiled", context: "\(operation) on model '\(name)'",
                                              expected: "model.compile(optimizer:loss:) before \(operation)")
        }
        return (optimizer, loss)
    }

    /// The training objective: `lossWeight · loss(y, ŷ; w) + Σ regularization penalties`.
    func objective(_ loss: Loss, _ y: Tensor, _ prediction: Tensor, sampleWeight: Tensor?) -> Tensor {
        var total = loss(y, prediction, sampleWeight: sampleWeight)
        if lossWeight != 1 { total = total * lossWeight }
        return total + regularizationLoss
    }
}
