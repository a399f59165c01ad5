import StrataCore

// The core layers in ONNX operators: Dense, activation layers, normalizations, shape layers,
// Embedding, and the layers that do nothing at inference.

extension Dense: ONNXExportable {
    /// `MatMul` by the `[in, units]` kernel (on the last axis), `Add` of the bias, the activation.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0]
        var y = graph.add("MatMul", [graph.value(x, in: .channelsLast), graph.constant(kernel!.value, name: "kernel")])
        if let bias { y = graph.add("Add", [y, graph.constant(bias.value, name: "bias")]) }
        return [graph.apply(activation, to: .init(name: y, shape: outputShape(for: x.shape)))]
    }
}

extension Activation: ONNXExportable {
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        [graph.apply(function, to: inputs[0])]
    }
}

extension Softmax: ONNXExportable {
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        [graph.apply(.softmax(axis: axis), to: inputs[0])]
    }
}

extension ReLU: ONNXExportable {
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        [graph.apply(.relu(negativeSlope: negativeSlope, maxValue: maxValue, threshold: threshold), to: inputs[0])]
    }
}

extension LeakyReLU: ONNXExportable {
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        [graph.apply(.leakyRelu(negativeSlope: negativeSlope), to: inputs[0])]
    }
}

extension ELU: ONNXExportable {
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        [graph.apply(.elu(alpha: alpha), to: inputs[0])]
    }
}

extension PReLU: ONNXExportable {
    /// `PRelu` with the learned slopes (sample-shaped, 1 on the shared axes) in the input's layout.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0]
        let y = graph.add("PRelu", [x.name, graph.sampleConstant(alpha!.value, in: x.layout, name: "alpha")])
        return [.init(name: y, shape: x.shape, layout: x.layout)]
    }
}

/// Batch normalization (moving statistics) and `Normalization` (adapted ones) at inference:
/// `x·s + t` per feature, `s = γ/√(σ² + ε)`, `t = β − μ·s` (Keras' ε, see `BatchNormalization`).
extension PerFeatureAffine {
    func exportAffine(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0]
        guard let affine = featureAffine(sampleRank: x.shape.count) else {
            throw StrataError(kind: .unsupported, message: "is not built for samples of shape \(x.shape)", context: "\(Self.typeName) '\(name)'")
        }
        let scale = graph.broadcastConstant(affine.scale, alongAxis: affine.axis, of: x, in: x.layout, name: "scale")
        let shift = graph.broadcastConstant(affine.shift, alongAxis: affine.axis, of: x, in: x.layout, name: "shift")
        return [.init(name: graph.add("Add", [graph.add("Mul", [x.name, scale]), shift]), shape: x.shape, layout: x.layout)]
    }
}

extension BatchNormalization: ONNXExportable {
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        try exportAffine(inputs, to: graph)
    }
}

extension Normalization: ONNXExportable {
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        try exportAffine(inputs, to: graph)
    }
}

extension LayerNormalization: ONNXExportable {
    /// `LayerNormalization` (opset 17) when the normalized axes are the trailing ones of the
    /// value's layout, else the same formula composed: `(x − μ)/√(σ² + ε)·γ + β` over `axes`.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0]
        let rank = x.rank
        let axes = Set(self.axes.map { $0 < 0 ? $0 + rank : $0 })
        let positions = axes.map { x.position(ofAxis: $0) }.sorted()
        // γ and β as samples (1 off the normalized axes), in the value's layout.
        let sampleShape = x.shape.indices.map { axes.contains($0 + 1) ? x.shape[$0] : 1 }
        func parameter(_ variable: Variable?, fill: Float, name: String, trailing: Int? = nil) -> String {
            graph.sampleConstant(variable.map { $0.value.reshaped(to: sampleShape) } ?? Tensor(repeating: fill, shape: sampleShape),
                                 in: x.layout, name: name, trailing: trailing)
        }
        let y: String
        if positions == Array((rank - positions.count)..<rank) {
            let scale = parameter(gamma, fill: 1, name: "gamma", trailing: positions.count)
            let bias = beta == nil ? [] : [parameter(beta, fill: 0, name: "beta", trailing: positions.count)]
            y = graph.add("LayerNormalization", [x.name, scale] + bias,
                          [.init("axis", .int(positions[0])), .init("epsilon", .float(epsilon))])
        } else {
            let mean = graph.reduce("ReduceMean", x.name, axes: positions, keepDims: true)
            let centered = graph.add("Sub", [x.name, mean])
            let variance = graph.reduce("ReduceMean", graph.add("Mul", [centered, centered]), axes: positions, keepDims: true)
            var z = graph.add("Div", [centered, graph.add("Sqrt", [graph.add("Add", [variance, graph.scalar(epsilon, name: "epsilon")])])])
            if gamma != nil { z = graph.add("Mul", [z, parameter(gamma, fill: 1, name: "gamma")]) }
            if beta != nil { z = graph.add("Add", [z, parameter(beta, fill: 0, name: "beta")]) }
            y = z
        }
        return [.init(name: y, shape: x.shape, layout: x.layout)]
    }
}

extension Flatten: ONNXExportable {
    /// `Flatten` of the channels-last value: Keras' (h, w, c) order.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0]
        return [.init(name: graph.add("Flatten", [graph.value(x, in: .channelsLast)], [.init("axis", .int(1))]), shape: outputShape(for: x.shape))]
    }
}

extension Reshape: ONNXExportable {
    /// `Reshape` of the channels-last value to `[batch] + target` (batch kept as `-1`).
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let x = inputs[0], shape = outputShape(for: x.shape)
        let y = graph.add("Reshape", [graph.value(x, in: .channelsLast), graph.integers([-1] + shape, name: "shape")])
        return [.init(name: y, shape: shape)]
    }
}

extension Embedding: ONNXExportable {
    /// `Gather` of the table's rows at the ids (given as floats, as to `predict`; cast to int64).
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
        let ids = graph.add("Cast", [graph.value(inputs[0], in: .channelsLast)], [.init("to", .int(ONNXProto.DataType.int64.rawValue))])
        let y = graph.add("Gather", [graph.constant(embeddings!.value, name: "embeddings"), ids], [.init("axis", .int(0))])
        return [.init(name: y, shape: outputShape(for: inputs[0].shape))]
    }
}

extension RateDropout: ONNXExportable {
    /// Nothing: dropout of every kind is the identity at inference.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] { inputs }
}

extension GaussianNoise: ONNXExportable {
    /// Nothing: the noise is added in training only.
    public func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] { inputs }
}
