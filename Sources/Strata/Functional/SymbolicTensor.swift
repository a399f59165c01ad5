/// A placeholder for the tensor a layer will produce (Keras' `KerasTensor`): its per-sample
/// shape and the node of the graph that produces it. `Input(shape:)` makes the first ones;
/// calling a layer or a model on symbolic tensors records a node and returns its outputs;
/// `Model(inputs:outputs:)` turns the recorded graph into a model.
///
///     let image = Input(shape: [28, 28, 1])
///     let features = try Flatten()(image)        // shape [784]
public final class SymbolicTensor: CustomStringConvertible {
    /// The shape of one sample (without the batch axis).
    public let shape: [Int]
    /// The node that produces this tensor.
    let producer: GraphNode
    /// Which of the producer's outputs this is.
    let index: Int

    init(shape: [Int], producer: GraphNode, index: Int) {
        (self.shape, self.producer, self.index) = (shape, producer, index)
    }

    /// The name of the layer (or model) that produces this tensor — for an `Input`, its name.
    public var name: String { producer.operation.name }

    public var description: String {
        "<SymbolicTensor shape=(None, \(shape.map(String.init).joined(separator: ", "))) from '\(name)'>"
    }
}

/// A model's input: a symbolic tensor of samples shaped `shape` (Keras' `keras.Input`). The
/// batch axis is implicit.
///
///     let tokens = Input(shape: [20], name: "tokens")
///
/// - Parameters:
///   - shape: the shape of one sample, every dimension positive.
///   - name: the input's name (Keras' `input_layer`, `input_layer_1`, … by default), used to
///     pass data by name (`fit(["tokens": ids], y)`) and in model files.
/// - Precondition: every dimension is positive.
public func Input(shape: [Int], name: String? = nil) -> SymbolicTensor {   // swiftlint:disable:this identifier_name
    precondition(!shape.isEmpty && shape.allSatisfy { $0 > 0 },
                 "Input: shape \(shape) needs at least one dimension, each positive")
    let layer = InputLayer(shape: shape, name: name)
    return layer.output
}

/// The layer an `Input` belongs to (Keras' `InputLayer`): no weights, no computation; the
/// start of a functional graph.
public final class InputLayer: Layer {
    /// The per-sample shape of the input.
    public let shape: [Int]
    /// The input's symbolic tensor (an input layer has this one node).
    lazy var output = SymbolicTensor(shape: shape, producer: GraphNode(operation: self, inputs: [], outputShapes: [shape]), index: 0)

    init(shape: [Int], name: String?) {
        self.shape = shape
        super.init(name: name, inputShape: shape)
    }

    public override var options: [String: ConfigValue] { ["batch_shape": .array([.null] + shape.map { .int($0) })] }
}
