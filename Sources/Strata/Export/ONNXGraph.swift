import StrataCore

/// The graph an export writes, layer by layer: operator nodes, named constants, and the layout
/// each value is in.
///
/// Layout: Strata computes channels last (NHWC, Keras' `channels_last`), ONNX's convolutions and
/// pooling take channels first (NCHW). A value of rank 3 or more is held in whichever layout
/// its producer wrote, and `value(_:in:)` transposes it when a consumer needs the other — once
/// per value and layout, so a chain of convolutions stays NCHW from the first transpose (after
/// the input) to the last (before a `Flatten` or an output), with no transposes between layers.
/// Elementwise layers (activations, batch normalization, merges) work in either layout.
///
/// A custom layer's `ONNXExportable` conformance adds its nodes with `add(_:_:_:output:)`, its
/// weights with `constant(_:shape:name:)`, and reads a value in the layout it needs with
/// `value(_:in:)`.
public final class ONNXGraph {
    /// Where the channel axis of a value of rank ≥ 3 is.
    public enum Layout: Sendable {
        /// Keras' and Strata's order: `[batch, spatial…, channels]`.
        case channelsLast
        /// ONNX's convolution order: `[batch, channels, spatial…]`.
        case channelsFirst
    }

    /// A tensor of the graph: its name, its per-sample shape in Keras' order (whatever its
    /// layout), and its layout.
    public struct Value: Sendable {
        /// The tensor's name in the graph (a node's output or a graph input).
        public let name: String
        /// The per-sample shape in Keras' order (channels last), whatever the layout.
        public let shape: [Int]
        /// The order of the tensor's axes in the graph.
        public let layout: Layout

        /// A value named `name` of samples shaped `shape` (Keras' order), held in `layout`
        /// (a value of rank 2 or less has one layout, channels last).
        public init(name: String, shape: [Int], layout: Layout = .channelsLast) {
            // Vectors of features have one layout.
            (self.name, self.shape, self.layout) = (name, shape, shape.count >= 2 ? layout : .channelsLast)
        }

        /// The rank with the batch axis.
        public var rank: Int { shape.count + 1 }

        /// The position of Keras axis `axis` (0 = batch; negative from the end) in this value's layout.
        public func position(ofAxis axis: Int) -> Int {
            let keras = axis < 0 ? axis + rank : axis
            guard layout == .channelsFirst, keras > 0 else { return keras }
            return keras == rank - 1 ? 1 : keras + 1
        }
    }

    /// The opset the graph is written for (an operator's form may depend on it).
    public let opset: Int
    private(set) var nodes: [ONNXProto.Node] = []
    private(set) var initializers: [ONNXProto.TensorData] = []
    private var names = Set<String>()
    private var transposed: [String: String] = [:]
    /// The layer being exported: its name prefixes the nodes and constants it adds.
    var scope = ""

    init(opset: Int) { self.opset = opset }

    /// A name not used yet in the graph: `base`, else `base_1`, `base_2`, …
    public func uniqueName(_ base: String) -> String {
        var name = base, count = 0
        while names.contains(name) {
            count += 1
            name = "\(base)_\(count)"
        }
        names.insert(name)
        return name
    }

    /// Reserves a name the graph's interface fixes (an input's).
    func reserve(_ name: String) { names.insert(name) }

    /// Adds a node of the standard (`ai.onnx`) operator `op` on the tensors named `inputs` (an
    /// empty name for an omitted optional input) and returns its output's name — `output`, or
    /// one made from the layer's name, unique either way.
    ///
    ///     let y = graph.add("LeakyRelu", [x.name], [ONNXAttribute("alpha", .float(0.1))])
    @discardableResult
    public func add(_ op: String, _ inputs: [String], _ attributes: [ONNXAttribute] = [], output: String? = nil) -> String {
        let prefix = scope.isEmpty ? op : "\(scope)/\(op)"
        let output = output.map { uniqueName($0) } ?? uniqueName(prefix + ":0")
        nodes.append(ONNXProto.Node(opType: op, name: uniqueName(prefix), inputs: inputs, outputs: [output], attributes: attributes))
        return output
    }

    /// A float32 constant (an initializer) of `shape` holding `values` row-major; its name,
    /// made unique under the layer's.
    public func constant(_ values: [Float], shape: [Int], name: String) -> String {
        precondition(values.count == shape.reduce(1, *), "ONNX constant '\(name)': \(values.count) values for shape \(shape)")
        let unique = uniqueName(scope.isEmpty ? name : "\(scope)/\(name)")
        initializers.append(ONNXProto.TensorData(name: unique, dims: shape, floats: values))
        return unique
    }

    /// A float32 constant holding `tensor` (e.g. a weight's value), in its shape or another of as many elements.
    public func constant(_ tensor: Tensor, shape: [Int]? = nil, name: String) -> String {
        constant(tensor.detached.scalars, shape: shape ?? tensor.shape, name: name)
    }

    /// A float32 scalar constant.
    public func scalar(_ value: Float, name: String) -> String { constant([value], shape: [], name: name) }

    /// An int64 vector constant (shapes, axes, pads).
    public func integers(_ values: [Int], name: String) -> String {
        let unique = uniqueName(scope.isEmpty ? name : "\(scope)/\(name)")
        initializers.append(ONNXProto.TensorData(name: unique, dims: [values.count], int64s: values))
        return unique
    }

    /// The name of `value` in `layout`: itself, or a `Transpose` of it added on first request
    /// and reused after.
    public func value(_ value: Value, in layout: Layout) -> String {
        guard value.rank >= 3, value.layout != layout else { return value.name }
        let key = "\(value.name)|\(layout)"
        if let existing = transposed[key] { return existing }
        let r = value.rank
        let permutation = layout == .channelsFirst ? [0, r - 1] + Array(1..<(r - 1)) : [0] + Array(2..<r) + [1]
        let saved = scope
        scope = ""
        let name = add("Transpose", [value.name], [.init("perm", .ints(permutation))],
                       output: "\(value.name)/\(layout == .channelsFirst ? "nchw" : "nhwc")")
        scope = saved
        transposed[key] = name
        return name
    }

    /// A per-feature vector of Keras axis `axis` of `value` (e.g. batch normalization's scale)
    /// as a constant that broadcasts against `value` in `layout`: `[C]` on the last axis, with
    /// trailing 1s after it otherwise.
    public func broadcastConstant(_ vector: Tensor, alongAxis axis: Int, of value: Value, in layout: Layout, name: String) -> String {
        let placed = Value(name: value.name, shape: value.shape, layout: layout)
        let position = placed.position(ofAxis: axis)
        return constant(vector, shape: [vector.count] + Array(repeating: 1, count: value.rank - 1 - position), name: name)
    }

    /// A constant shaped like samples in Keras' order (`tensor.shape` of the sample rank, 1s
    /// where it broadcasts) for a value in `layout`: its channel axis moved first when needed;
    /// with `trailing`, only that many last axes of the result are kept (the others being 1s).
    public func sampleConstant(_ tensor: Tensor, in layout: Layout, name: String, trailing: Int? = nil) -> String {
        let r = tensor.rank
        let placed = layout == .channelsFirst && r >= 2 ? tensor.detached.transposed(permutation: [r - 1] + Array(0..<(r - 1))) : tensor
        return constant(placed, shape: trailing.map { Array(placed.shape.suffix($0)) }, name: name)
    }

    /// A reduction (`ReduceMean`, `ReduceSum`, …) over `axes` (positions in the value's layout):
    /// the axes an attribute before the opset that made them an input (ReduceSum 13, the others 18).
    public func reduce(_ op: String, _ input: String, axes: [Int], keepDims: Bool) -> String {
        let axesAsInput = op == "ReduceSum" ? opset >= 13 : opset >= 18
        let keep = ONNXAttribute("keepdims", .int(keepDims ? 1 : 0))
        return axesAsInput ? add(op, [input, integers(axes, name: "axes")], [keep])
                           : add(op, [input], [.init("axes", .ints(axes)), keep])
    }
}
