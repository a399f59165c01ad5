/// Symbolic tensors given as one, a list, or a dictionary by name — the `inputs` and `outputs`
/// of `Model(inputs:outputs:name:)`. A dictionary's entries are taken in key order (Keras'
/// flattening order) and its keys become the names data and losses are passed by.
public protocol SymbolicTensors {
    /// The tensors, each with the name it was given by (nil: its own).
    var namedTensors: [(name: String?, tensor: SymbolicTensor)] { get }
}

extension SymbolicTensor: SymbolicTensors {
    public var namedTensors: [(name: String?, tensor: SymbolicTensor)] { [(nil, self)] }
}

extension Array: SymbolicTensors where Element == SymbolicTensor {
    public var namedTensors: [(name: String?, tensor: SymbolicTensor)] { map { (nil, $0) } }
}

extension Dictionary: SymbolicTensors where Key == String, Value == SymbolicTensor {
    public var namedTensors: [(name: String?, tensor: SymbolicTensor)] { keys.sorted().map { ($0, self[$0]!) } }
}

extension Model {
    /// A functional model (Keras' `Model(inputs, outputs)`): the graph of layer calls that leads
    /// from `inputs` to `outputs`. Its layers are trained, saved and summarized like a
    /// `Sequential`'s; a layer called more than once shares its weights; the model itself can be
    /// called on symbolic tensors inside another model.
    ///
    ///     let inputs = Input(shape: [32])
    ///     let hidden = try Dense(32, activation: .relu)(inputs)
    ///     let outputs = try Dense(10, activation: .softmax)(Add()([inputs, hidden]))
    ///     let model = try Model(inputs: inputs, outputs: outputs)
    ///
    /// - Parameters:
    ///   - inputs: the `Input`s, one, a list, or a dictionary by name.
    ///   - outputs: the tensors the model returns, one, a list, or a dictionary by name; their
    ///     names (the producing layers', or the keys) name the losses and logs of each output.
    ///   - name: the model's name (default `functional`, `functional_1`, …).
    /// - Throws: a `StrataError` when an input is not an `Input` or feeds no output, or an output
    ///   needs an input that is not listed (a disconnected graph), or two outputs share a name.
    public convenience init(inputs: some SymbolicTensors, outputs: some SymbolicTensors, name: String? = nil) throws {
        let name = name ?? LayerNames.unique(for: "functional")
        let (inputs, outputs) = (inputs.namedTensors, outputs.namedTensors)
        let graph = try FunctionalGraph(inputs: inputs.map(\.tensor), outputs: outputs.map(\.tensor), model: name)
        let names = (inputs: inputs.map { $0.name ?? $0.tensor.name }, outputs: outputs.map { $0.name ?? $0.tensor.name })
        if let repeated = names.outputs.first(where: { candidate in names.outputs.filter { $0 == candidate }.count > 1 }) {
            throw StrataError.invalidArgument("two outputs are named '\(repeated)'", context: "Model '\(name)'",
                                              expected: "outputs with distinct names (name the layers, or pass a dictionary)")
        }
        self.init(graph: graph, names: names, name: name)
    }

    /// The layer called `name` (Keras' `get_layer`), or a `StrataError` listing the names there are.
    ///
    ///     let head = try model.layer(named: "label")
    public func layer(named name: String) throws -> Layer {
        guard let found = layers.first(where: { $0.name == name }) else {
            throw StrataError.invalidArgument("has no layer named '\(name)'", context: "model '\(self.name)'",
                                              expected: "one of \(layers.map(\.name).joined(separator: ", "))")
        }
        return found
    }

    /// The per-sample shapes of the inputs (nil until known; one for a `Sequential`).
    public var inputShapes: [[Int]]? { graph?.inputShapes ?? inputShape.map { [$0] } }

    /// Builds the model for samples of these shapes, one per input; a functional model checks
    /// them against its `Input`s.
    func build(inputShapes shapes: [[Int]]) throws {
        guard let graph else {
            guard shapes.count == 1 else {
                throw StrataError.invalidArgument("got \(shapes.count) inputs", context: "model '\(name)'", expected: "one input")
            }
            return try build(inputShape: shapes[0])
        }
        guard shapes == graph.inputShapes else {
            throw StrataError.shapeMismatch("expects inputs of shapes \(graph.inputShapes) but got \(shapes)",
                                            context: "model '\(name)'", expected: "\(graph.inputShapes)")
        }
    }

    /// The per-sample output shapes for inputs of these shapes, building the model.
    func outputShapes(for shapes: [[Int]]) throws -> [[Int]] {
        try build(inputShapes: shapes)
        return try graph?.outputShapes ?? [outputShape(for: shapes[0])]
    }

    /// Checks each input's samples with the layers that read them directly (`Layer.validate`):
    /// a functional model's first consumers of each input, a `Sequential`'s first layer.
    func validate(inputs: [Samples], operation: String) throws {
        for (index, samples) in inputs.enumerated() {
            let readers: [Layer]
            if let graph {
                let input = ObjectIdentifier(graph.inputs[index].producer)
                readers = graph.nodes.filter { $0.inputs.contains { ObjectIdentifier($0.producer) == input } }
                    .compactMap { $0.operation as? Layer }
            } else {
                readers = (self as? Sequential)?.layers.prefix(1).map { $0 } ?? []
            }
            for layer in readers { try layer.validate(input: samples, operation: operation) }
        }
    }

    /// The forward pass on one batch per input, at the model's mixed-precision policy; one batch
    /// per output.
    func forward(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        withPolicy { graph?.run(inputs, training: training) ?? [call(inputs[0], training: training)] }
    }

    /// Runs the model on one batch per input (in `inputNames` order) and returns one batch per
    /// output.
    ///
    ///     let outputs = model([images, metadata])   // [label probabilities, aux]
    ///
    /// - Precondition: one batch per input, of the built shapes.
    public func callAsFunction(_ inputs: [Tensor], training: Bool = false) -> [Tensor] {
        precondition(inputs.count == (graph?.inputs.count ?? 1), "model '\(name)': \(inputs.count) inputs for \(graph?.inputs.count ?? 1)")
        return forward(inputs, training: training)
    }

    /// Calls the model as a layer on symbolic tensors (one per input), recording a node of the
    /// enclosing graph: the model's weights are shared by every call.
    ///
    ///     let encoded = try encoder([image])
    public func callAsFunction(_ inputs: [SymbolicTensor]) throws -> [SymbolicTensor] {
        try GraphNode.record(self, on: inputs)
    }

    /// Calls a single-input, single-output model as a layer on a symbolic tensor.
    public func callAsFunction(_ input: SymbolicTensor) throws -> SymbolicTensor {
        let outputs = try GraphNode.record(self, on: [input])
        guard outputs.count == 1 else {
            throw StrataError.invalidArgument("has \(outputs.count) outputs", context: "model '\(name)'",
                                              expected: "call it on [tensor] to get all of them")
        }
        return outputs[0]
    }
}

extension Model: GraphOperation {
    var operationTypeName: String { graph != nil ? "Functional" : String(describing: type(of: self)) }
    var operationLayers: [Layer] { layers }

    func outputShapes(forInputs shapes: [[Int]]) throws -> [[Int]] {
        let expected = graph?.inputs.count ?? 1
        guard shapes.count == expected else {
            throw StrataError.invalidArgument("takes \(expected) inputs, got \(shapes.count)", context: "model '\(name)'",
                                              expected: "\(expected) symbolic tensors")
        }
        return try outputShapes(for: shapes)
    }

    func run(_ inputs: [Tensor], training: Bool) -> [Tensor] { forward(inputs, training: training) }
}
