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
    /// What `compile` was given for the outputs (resolved against them when training starts).
    var compileSpec: CompileSpec?
    /// The loss given to `compile` for every output (nil before `compile`, or when it was given
    /// one loss per output).
    public var loss: Loss? { if case .one(let loss)? = compileSpec?.losses { loss } else { nil } }
    /// Every metric given to `compile`, of every output.
    public var metrics: [Metrics] { compileSpec?.metrics.all.flatMap { $0 } ?? [] }
    /// The graph of a functional model (`Model(inputs:outputs:)`); nil for `Sequential` and
    /// subclasses that override `call`.
    let graph: FunctionalGraph?
    /// The names data and losses are passed by, one per input and per output of the graph.
    let graphNames: (inputs: [String], outputs: [String])?
    /// The per-sample input shape the model was built for, when known.
    public internal(set) var inputShape: [Int]?
    /// The names of the classes the output's units stand for, by label (e.g. `FashionMNIST.classNames`),
    /// when known: saved with the model, written into its ONNX exports' metadata, and the column
    /// names of `strata predict`. `strata demo` and `strata train` on an image data set set them.
    public var classNames: [String]?
    /// The `verbose` of the running `fit` (callbacks' warnings are silent with `.silent`).
    var outputVerbosity: Verbosity = .progressBar
    /// The `History` of the current or last `fit` (Keras' `model.history`); for a loaded model,
    /// the history saved with it.
    public internal(set) var history: History?
    /// Where a loaded model's or a restored backup's run stood; the next `fit` continues from
    /// it (and consumes it).
    var trainingProgress: TrainingState?
    /// The epoch `fit` is in, between its batches (nil outside an epoch).
    var epochInProgress: EpochInProgress?

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
        (graph, graphNames) = (nil, nil)
    }

    /// A functional model running `graph` (see `Model(inputs:outputs:name:)`).
    init(graph: FunctionalGraph, names: (inputs: [String], outputs: [String]), name: String) {
        self.name = name
        (self.graph, self.graphNames) = (graph, names)
        if graph.inputs.count == 1 { inputShape = graph.inputShapes[0] }
    }

    /// The layers whose variables the model trains. The default finds every `Layer` (or array
    /// of layers) stored in the model's properties, in declaration order — by reflection, once the
    /// model is built (each training step asks for its variables; the walk is not repeated).
    open var layers: [Layer] {
        if let graph { return graph.layers }
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

    /// The forward pass; `Sequential` runs its layers in order, a functional model its graph
    /// (with one input and one output), subclasses define their own.
    open func call(_ x: Tensor, training: Bool) -> Tensor {
        guard let graph else { preconditionFailure("\(type(of: self)) must override call(_:training:)") }
        precondition(graph.inputs.count == 1 && graph.outputs.count == 1,
                     "model '\(name)' has \(graph.inputs.count) inputs and \(graph.outputs.count) outputs: call it on an array of tensors")
        return graph.run([x], training: training)[0]
    }

    /// Runs the model on a batch (at its mixed-precision policy).
    public func callAsFunction(_ x: Tensor, training: Bool = false) -> Tensor {
        withPolicy { call(x, training: training) }
    }

    /// Builds every layer for samples of `inputShape` (without the batch axis). The default runs
    /// one zero sample through `call` in inference mode; `Sequential` propagates shapes instead.
    open func build(inputShape: [Int]) throws {
        if graph != nil { return try build(inputShapes: [inputShape]) }
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
        if graph != nil { return try outputShapes(for: [inputShape])[0] }
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

    /// Sets the compile settings (every `compile` overload ends here).
    func setCompiled(optimizer: Optimizer, _ spec: CompileSpec) {
        self.optimizer = optimizer
        compileSpec = spec
    }
}
