import StrataCore

// The merge layers in ONNX operators. Inputs of equal rank are brought to one layout (the
// first's); lower-rank inputs of an elementwise merge gain size-1 axes after the batch axis,
// as Keras' `Merge` expands them.

extension ElementwiseMerge: ONNXExportable {
    /// `Add`/`Sub`/`Mul` folded pairwise in order, `Max`/`Min`, and `Average` as the sum times 1/n.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let shape = try mergedShape(for: inputs.map(\.shape))
        let ranks = Set(inputs.map(\.rank))
        let layout: ONNXGraph.Layout = ranks.count == 1 ? inputs[0].layout : .channelsLast
        let names = inputs.map { x in
            let name = graph.value(x, in: layout)
            guard x.shape.count < shape.count else { return name }
            let expanded = [-1] + Array(repeating: 1, count: shape.count - x.shape.count) + x.shape
            return graph.add("Reshape", [name, graph.integers(expanded, name: "expanded_shape")])
        }
        func folded(_ op: String) -> String { names.dropFirst().reduce(names[0]) { graph.add(op, [$0, $1]) } }
        let y: String = switch self {
        case is Add: folded("Add")
        case is Subtract: folded("Sub")
        case is Multiply: folded("Mul")
        case is Average: graph.add("Mul", [folded("Add"), graph.scalar(1 / Float(names.count), name: "reciprocal_count")])
        case is Maximum: graph.add("Max", names)
        default: graph.add("Min", names)   // Minimum, the last of the built-in elementwise merges
        }
        return [.init(name: y, shape: shape, layout: layout)]
    }
}

extension Concatenate: ONNXExportable {
    /// `Concat` along Keras' `axis`, placed in the first input's layout.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let shape = try mergedShape(for: inputs.map(\.shape))
        let layout = inputs[0].layout
        let position = ONNXGraph.Value(name: "", shape: shape, layout: layout).position(ofAxis: axis)
        let y = graph.add("Concat", inputs.map { graph.value($0, in: layout) }, [.init("axis", .int(position))])
        return [.init(name: y, shape: shape, layout: layout)]
    }
}

extension Dot: ONNXExportable {
    /// Keras' `batch_dot`: each input L2-normalized along its axis when `normalize`
    /// (`x·min(1/√Σx², 1e7)`), then `x` as `[batch, P, depth]` times `y` as `[batch, depth, Q]`
    /// (`MatMul`), reshaped to the kept axes of `x` then of `y`.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let shape = try mergedShape(for: inputs.map(\.shape))
        let resolved = [axes.0, axes.1].enumerated().map { index, axis in
            let rank = inputs[index].rank
            return axis < 0 ? ((axis % rank) + rank) % rank : axis
        }
        let depth = inputs[0].shape[resolved[0] - 1]
        var operands = inputs.map { graph.value($0, in: .channelsLast) }
        if normalize {
            operands = zip(operands, resolved).map { x, axis in
                let norm = graph.reduce("ReduceSum", graph.add("Mul", [x, x]), axes: [axis], keepDims: true)
                let inverse = graph.add("Min", [graph.add("Reciprocal", [graph.add("Sqrt", [norm])]), graph.scalar(1e7, name: "inverse_epsilon")])
                return graph.add("Mul", [x, inverse])
            }
        }
        func moved(_ x: String, rank: Int, axis: Int, to target: Int) -> String {
            guard axis != target else { return x }
            var order = Array(0..<rank)
            order.remove(at: axis)
            order.insert(axis, at: target)
            return graph.add("Transpose", [x], [.init("perm", .ints(order))])
        }
        let left = graph.add("Reshape", [moved(operands[0], rank: inputs[0].rank, axis: resolved[0], to: inputs[0].rank - 1),
                                         graph.integers([0, -1, depth], name: "left_shape")])
        let right = graph.add("Reshape", [moved(operands[1], rank: inputs[1].rank, axis: resolved[1], to: 1),
                                          graph.integers([0, depth, -1], name: "right_shape")])
        let product = graph.add("MatMul", [left, right])
        return [.init(name: graph.add("Reshape", [product, graph.integers([-1] + shape, name: "shape")]), shape: shape)]
    }
}
