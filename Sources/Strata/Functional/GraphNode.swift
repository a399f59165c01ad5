/// What a node of a functional graph runs: a layer, or a whole model called as a layer
/// (Keras' `Operation`). Calling it twice records two nodes that share its weights.
protocol GraphOperation: AnyObject {
    /// The name in summaries, errors and configs.
    var name: String { get }
    /// The class name (`Dense`, `Functional`, `Sequential`).
    var operationTypeName: String { get }
    /// The per-sample output shapes for these per-sample input shapes, building the operation
    /// on first use; a `StrataError` names the operation and both shapes when they do not fit.
    func outputShapes(forInputs shapes: [[Int]]) throws -> [[Int]]
    /// The forward pass on batches.
    func run(_ inputs: [Tensor], training: Bool) -> [Tensor]
    /// The layers whose weights the operation holds (a model's, flattened).
    var operationLayers: [Layer] { get }
}

/// One call of an operation on symbolic tensors (Keras' `Node`): what it ran on and the shapes
/// it produced.
final class GraphNode {
    let operation: GraphOperation
    let inputs: [SymbolicTensor]
    let outputShapes: [[Int]]

    init(operation: GraphOperation, inputs: [SymbolicTensor], outputShapes: [[Int]]) {
        (self.operation, self.inputs, self.outputShapes) = (operation, inputs, outputShapes)
    }

    /// Records a call of `operation` on `inputs` and returns its symbolic outputs.
    static func record(_ operation: GraphOperation, on inputs: [SymbolicTensor]) throws -> [SymbolicTensor] {
        let shapes = try operation.outputShapes(forInputs: inputs.map(\.shape))
        let node = GraphNode(operation: operation, inputs: inputs, outputShapes: shapes)
        return shapes.enumerated().map { SymbolicTensor(shape: $1, producer: node, index: $0) }
    }

    /// Whether this node is a model input.
    var isInput: Bool { operation is InputLayer }
}

extension Layer: GraphOperation {
    var operationTypeName: String { Self.typeName }
    var operationLayers: [Layer] { self is InputLayer ? [] : [self] }

    func outputShapes(forInputs shapes: [[Int]]) throws -> [[Int]] { [try nodeOutputShape(forInputs: shapes)] }
    func run(_ inputs: [Tensor], training: Bool) -> [Tensor] { [nodeCall(inputs, training: training)] }
}

extension Layer {
    /// Calls the layer on a symbolic tensor: builds the layer for its shape (a layer already
    /// built must get the same shape) and records a node of the graph. Calling one layer on
    /// several tensors shares its weights.
    ///
    ///     let hidden = try Dense(64, activation: .relu)(inputs)
    ///
    /// - Throws: a `StrataError` naming the layer and both shapes when the input does not fit.
    public func callAsFunction(_ input: SymbolicTensor) throws -> SymbolicTensor {
        try GraphNode.record(self, on: [input])[0]
    }
}
