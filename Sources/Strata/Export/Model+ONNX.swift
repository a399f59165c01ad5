import Foundation
import StrataCore

/// A layer or model that writes its inference-mode computation into an ONNX graph. Every
/// built-in layer conforms; a custom layer that does not makes `exportONNX(to:)` throw a
/// `StrataError` naming it. A custom layer conforms by adding standard operators to the graph:
///
///     extension Scale: ONNXExportable {
///         public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
///             let x = inputs[0]   // any layout: Mul is elementwise
///             return [.init(name: graph.add("Mul", [x.name, graph.scalar(2, name: "factor")]), shape: x.shape, layout: x.layout)]
///         }
///     }
public protocol ONNXExportable: AnyObject {
    /// Adds the nodes computing the outputs for `inputs` (one per input of the call, each with
    /// its per-sample shape in Keras' order and its layout) to `graph`, and returns the outputs.
    func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value]
}

/// What an export writes besides the graph, and which opsets it can write.
public enum ONNXExport {
    /// The opsets `exportONNX` writes (17 is the default: ONNX Runtime 1.13 and later read it).
    public static let supportedOpsets = 17...23

    /// What an export wrote: the graph's interface and size.
    public struct Summary: Sendable, CustomStringConvertible {
        /// The graph's inputs, by name, with their per-sample shapes (channels last; the batch axis is `batch`).
        public let inputs: [Endpoint]
        /// The graph's outputs, by name, with their per-sample shapes.
        public let outputs: [Endpoint]
        /// The operator set the file uses.
        public let opset: Int
        /// The number of operator nodes.
        public let nodeCount: Int

        /// A named input or output and its per-sample shape.
        public struct Endpoint: Sendable {
            /// The name ONNX Runtime feeds or returns it by.
            public let name: String
            /// The shape of one sample.
            public let shape: [Int]
        }

        /// `opset 17, 14 nodes; input input_layer [batch, 28, 28]; output probabilities [batch, 10]`.
        public var description: String {
            func list(_ endpoints: [Endpoint]) -> String {
                endpoints.map { "\($0.name) [\((["batch"] + $0.shape.map(String.init)).joined(separator: ", "))]" }.joined(separator: ", ")
            }
            return "opset \(opset), \(nodeCount) nodes; input\(inputs.count == 1 ? "" : "s") \(list(inputs)); "
                + "output\(outputs.count == 1 ? "" : "s") \(list(outputs))"
        }
    }

    /// The IR version an opset's models carry (onnx `helper.VERSION_TABLE`).
    static func irVersion(opset: Int) -> Int {
        switch opset {
        case ...18: 8
        case 19...20: 9
        case 21...22: 10
        default: 11
        }
    }
}

extension Model {
    /// Writes the model as an ONNX file, for ONNX Runtime, TensorRT, browsers, or converters:
    /// the inference-mode computation in standard operators, the weights as initializers, a
    /// dynamic batch axis (`batch`) and the model's input and output names. Batch normalization
    /// and `Normalization` become a multiply and an add with their moving statistics; dropout
    /// and noise layers are left out; augmentations run as at inference. Images stay channels
    /// last (NHWC) at the inputs and outputs; inside, convolutions run channels first. The graph
    /// computes in float32 with the model's float32 weights (also for a `mixed_bfloat16` model,
    /// whose master weights they are); `Embedding` ids are float inputs, as `predict` takes them.
    ///
    ///     try model.exportONNX(to: "classifier.onnx", classNames: ["red", "white"])
    ///
    /// A `Sequential`'s input is `input_layer`, its output `probabilities` when it ends in a
    /// softmax or sigmoid (else `output`); a functional model's are its own names. The metadata
    /// (`metadata_props`) holds Strata's model-file format version, the model's name and
    /// Keras-style architecture, and `class_names` (a JSON array) when given or known to the model.
    ///
    /// - Parameters:
    ///   - path: the file to write (replaced atomically).
    ///   - opset: the ONNX operator set (default 17; up to 23).
    ///   - classNames: the names of the output's classes, one per output unit (single-output
    ///     models); default: the model's own `classNames`, when it has them.
    /// - Throws: a `StrataError` for a layer that has no ONNX form (a custom layer, or an option
    ///   the exporter cannot express), a model that is not built, a subclass that overrides
    ///   `call`, an unsupported opset, class names that do not match the output, or a write that fails.
    /// - Returns: the graph's input and output names and shapes, its opset and node count.
    @discardableResult
    public func exportONNX(to path: String, opset: Int = 17, classNames: [String]? = nil) throws -> ONNXExport.Summary {
        let model = try onnxModel(opset: opset, classNames: classNames)
        try AtomicFile.write(Data(model.serialized), to: URL(fileURLWithPath: path))
        func endpoints(_ values: [ONNXProto.ValueInfo]) -> [ONNXExport.Summary.Endpoint] {
            values.map { .init(name: $0.name, shape: $0.shape) }
        }
        return ONNXExport.Summary(inputs: endpoints(model.graph.inputs), outputs: endpoints(model.graph.outputs), opset: opset,
                                  nodeCount: model.graph.nodes.count)
    }

    /// The ONNX model message `exportONNX` writes.
    func onnxModel(opset: Int, classNames: [String]?) throws -> ONNXProto.Model {
        let context = "exportONNX of model '\(name)'"
        guard ONNXExport.supportedOpsets.contains(opset) else {
            throw StrataError.invalidArgument("opset \(opset) is not supported", context: context,
                                              expected: "an opset in \(ONNXExport.supportedOpsets.lowerBound)...\(ONNXExport.supportedOpsets.upperBound)")
        }
        guard let shapes = inputShapes else {
            throw StrataError.invalidArgument("the model is not built", context: context,
                                              expected: "a model built by fit, build(inputShape:), or a declared input shape")
        }
        let graph = ONNXGraph(opset: opset)
        let inputNames = graphNames?.inputs ?? ["input_layer"]
        let inputs = zip(inputNames, shapes).map { name, shape in
            graph.reserve(name)
            return ONNXGraph.Value(name: name, shape: shape)
        }
        let results = try exportONNX(inputs, to: graph)
        let outputNames = graphNames?.outputs ?? [endsInProbabilities ? "probabilities" : "output"]
        var outputs: [ONNXProto.ValueInfo] = []
        for (name, value) in zip(outputNames, results) {
            graph.scope = ""
            let output = graph.add("Identity", [graph.value(value, in: .channelsLast)], output: name)
            outputs.append(ONNXProto.ValueInfo(name: output, shape: value.shape))
        }

        var metadata: [(key: String, value: String)] = [("strata_format_version", String(ModelFile.version)), ("model_name", name)]
        if let architecture = architectureConfig { metadata.append(("model_config", architecture.description)) }
        if let classNames = classNames ?? self.classNames {
            guard results.count == 1, results[0].shape.last == classNames.count else {
                throw StrataError.invalidArgument(
                    "got \(classNames.count) class names for \(results.count) output(s) of shape \(results.map(\.shape))",
                    context: context, expected: "one name per unit of the single output")
            }
            metadata.append(("class_names", ConfigValue.array(classNames.map { .string($0) }).description))
        }
        let body = ONNXProto.Graph(name: name, nodes: graph.nodes, initializers: graph.initializers,
                                   inputs: inputs.map { ONNXProto.ValueInfo(name: $0.name, shape: $0.shape) },
                                   outputs: outputs)
        return ONNXProto.Model(irVersion: ONNXExport.irVersion(opset: opset), opsetVersion: opset, producerName: "Strata",
                               producerVersion: StrataVersion.current, docString: "Exported by Strata from model '\(name)'",
                               graph: body, metadata: metadata)
    }

    /// Whether a `Sequential` ends in a softmax or a sigmoid.
    private var endsInProbabilities: Bool {
        guard let last = layers.last else { return false }
        let function: ActivationFunction? = switch last {
        case let dense as Dense: dense.activation
        case let convolution as Convolution: convolution.activation
        case let activation as Activation: activation.function
        case is Softmax: .softmax
        default: nil
        }
        switch function?.kind {
        case .softmax?, .sigmoid?: return true
        default: return false
        }
    }
}

extension Model: ONNXExportable {
    /// A functional model's nodes in execution order, a `Sequential`'s layers in turn; a model
    /// nested in another is exported in place.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        if let functional = self.graph {
            var values: [ObjectIdentifier: [ONNXGraph.Value]] = [:]
            for (input, value) in zip(functional.inputs, inputs) { values[ObjectIdentifier(input.producer)] = [value] }
            for node in functional.nodes where !node.isInput {
                let arguments = node.inputs.map { values[ObjectIdentifier($0.producer)]![$0.index] }
                values[ObjectIdentifier(node)] = try Self.export(node.operation, arguments, to: graph)
            }
            return functional.outputs.map { values[ObjectIdentifier($0.producer)]![$0.index] }
        }
        guard let sequential = self as? Sequential else {
            throw StrataError.invalidArgument("\(type(of: self)) overrides call(_:training:), which ONNX cannot follow",
                                              context: "exportONNX of model '\(name)'",
                                              expected: "a Sequential or a functional model (Model(inputs:outputs:))")
        }
        var value = inputs[0]
        for layer in sequential.layers { value = try Self.export(layer, [value], to: graph)[0] }
        return [value]
    }

    /// One operation's export, scoped by its name; a `StrataError` names an operation that has none.
    private static func export(_ operation: GraphOperation, _ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        guard let exportable = operation as? ONNXExportable else {
            throw StrataError(kind: .unsupported, message: "has no ONNX form", context: "\(operation.operationTypeName) '\(operation.name)'",
                              expected: "built-in layers, or a custom layer that conforms to ONNXExportable")
        }
        let saved = graph.scope
        graph.scope = operation.name
        defer { graph.scope = saved }
        return try exportable.exportONNX(inputs, to: graph)
    }
}
