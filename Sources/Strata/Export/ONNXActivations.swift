/// Activations as ONNX operators, with Keras' constants (see `ActivationFunction`). Each keeps
/// its input's layout; softmax and log-softmax take their axis in it.
extension ONNXGraph {
    /// `function` applied to `x`, in `x`'s layout.
    public func apply(_ function: ActivationFunction, to x: Value) -> Value {
        let name: String
        switch function.kind {
        case .linear: return x
        case .sigmoid: name = add("Sigmoid", [x.name])
        // relu6(x + 3) / 6 = max(0, min(1, x/6 + 1/2)).
        case .hardSigmoid: name = add("HardSigmoid", [x.name], [.init("alpha", .float(1.0 / 6)), .init("beta", .float(0.5))])
        case .tanh: name = add("Tanh", [x.name])
        case .selu: name = add("Selu", [x.name], [.init("alpha", .float(SELUConstants.alpha)), .init("gamma", .float(SELUConstants.scale))])
        case .swish: name = add("Mul", [x.name, add("Sigmoid", [x.name])])
        case .softplus: name = add("Softplus", [x.name])
        case .softsign: name = add("Softsign", [x.name])
        case .relu(let slope, let cap, let threshold): name = relu(x.name, negativeSlope: slope, maxValue: cap, threshold: threshold)
        case .leakyRelu(let slope): name = add("LeakyRelu", [x.name], [.init("alpha", .float(slope))])
        case .elu(let alpha): name = add("Elu", [x.name], [.init("alpha", .float(alpha))])
        case .gelu(let approximate): name = gelu(x.name, approximate: approximate)
        case .softmax(let axis): name = add("Softmax", [x.name], [.init("axis", .int(x.position(ofAxis: axis)))])
        case .logSoftmax(let axis): name = add("LogSoftmax", [x.name], [.init("axis", .int(x.position(ofAxis: axis)))])
        }
        return Value(name: name, shape: x.shape, layout: x.layout)
    }

    /// Keras' `relu(x, negative_slope, max_value, threshold)` (`Strata.relu`): `x` above the
    /// threshold (else 0), capped, minus `slope · relu(threshold − x)`.
    private func relu(_ x: String, negativeSlope: Float, maxValue: Float?, threshold: Float) -> String {
        if maxValue == nil, threshold == 0 {
            return negativeSlope == 0 ? add("Relu", [x]) : add("LeakyRelu", [x], [.init("alpha", .float(negativeSlope))])
        }
        var y = threshold != 0 ? add("Where", [add("Greater", [x, scalar(threshold, name: "threshold")]), x, scalar(0, name: "zero")])
                               : add("Relu", [x])
        if let maxValue { y = add("Clip", [y, scalar(0, name: "clip_min"), scalar(maxValue, name: "max_value")]) }
        if negativeSlope != 0 {
            let below = add("Relu", [add("Sub", [scalar(threshold, name: "threshold"), x])])
            y = add("Sub", [y, add("Mul", [below, scalar(negativeSlope, name: "negative_slope")])])
        }
        return y
    }

    /// Exact GELU `x·Φ(x)` or its tanh approximation: the `Gelu` operator from opset 20, else
    /// composed from `Erf` (or `Tanh`).
    private func gelu(_ x: String, approximate: Bool) -> String {
        if opset >= 20 { return add("Gelu", [x], [.init("approximate", .string(approximate ? "tanh" : "none"))]) }
        let inner: String
        if approximate {   // √(2/π)·(x + 0.044715·x³), through tanh
            let cube = add("Mul", [add("Mul", [x, x]), x])
            let sum = add("Add", [x, add("Mul", [cube, scalar(0.044715, name: "gelu_cubic")])])
            inner = add("Tanh", [add("Mul", [sum, scalar(0.7978845608028654, name: "gelu_sqrt_2_over_pi")])])
        } else {           // erf(x/√2)
            inner = add("Erf", [add("Mul", [x, scalar(0.7071067811865476, name: "gelu_inv_sqrt2")])])
        }
        let half = add("Mul", [x, scalar(0.5, name: "half")])
        return add("Mul", [half, add("Add", [inner, scalar(1, name: "one")])])
    }
}
