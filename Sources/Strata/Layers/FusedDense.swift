import StrataCore

/// `activation(x · W + b)` as one recorded operation: the bias is broadcast into the output, the
/// GEMM accumulates onto it (β = 1), the activation runs in place, and one backward computes
/// `g' = g ⊙ activation'(y)`, `dW = xᵀ g'`, `db = Σ_rows g'`, `dx = g' Wᵀ`.
/// Only activations whose derivative is a function of the output fuse.
enum FusedDense {
    enum Activation {
        case linear, relu, tanh

        init?(_ activation: ActivationFunction) {
            switch activation.kind {
            case .linear: self = .linear
            case .relu(0, nil, 0): self = .relu
            case .tanh: self = .tanh
            default: return nil
            }
        }

        /// g ⊙ activation'(y), written in terms of the output y (ReLU's runs fused with the
        /// bias gradient in `DenseKernels.reluBackward`).
        func gradient(_ g: Tensor, output y: Tensor) -> Tensor {
            switch self {
            case .linear: g
            case .relu: g * (y .> 0)
            case .tanh: g * (1 - y * y)
            }
        }
    }

    /// The output a product accumulates onto: every row (of the last axis' length) a copy of
    /// `bias`, for a GEMM with β = 1; uninitialized without a bias (β = 0).
    static func productOutput(shape: [Int], bias: Tensor?) -> Tensor {
        var output = Tensor(uninitializedShape: shape)
        guard let bias else { return output }
        let columns = shape.last!
        precondition(bias.count == columns, "bias of \(bias.count) for rows of \(columns)")
        output.withUnsafeMutableBufferPointer { out in
            bias.withUnsafeBufferPointer { b in
                for row in 0..<(out.count / columns) { (out.baseAddress! + row * columns).update(from: b.baseAddress!, count: columns) }
            }
        }
        return output
    }

    /// x: [m, k], kernel: [k, n], bias: [n] or nil.
    static func apply(_ x: Tensor, _ kernel: Tensor, _ bias: Tensor?, activation: Activation) -> Tensor {
        let m = x.shape[0], k = x.shape[1], n = kernel.shape[1]
        precondition(kernel.shape[0] == k, "Dense: input features \(k) do not match kernel \(kernel.shape)")
        var output = productOutput(shape: [m, n], bias: bias)
        output.withUnsafeMutableBufferPointer { out in
            let c = out.baseAddress!
            x.withUnsafeBufferPointer { a in
                kernel.withUnsafeBufferPointer { w in
                    Gemm.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k,
                               a: a.baseAddress!, lda: k, b: w.baseAddress!, ldb: n,
                               beta: bias == nil ? 0 : 1, c: c, ldc: n)
                }
            }
        }
        switch activation {
        case .linear: break
        case .relu: output.apply(inPlace: .relu)
        case .tanh: output.apply(inPlace: .tanh)
        }
        let inputs = bias.map { [x, kernel, $0] } ?? [x, kernel]
        let (xd, wd, y) = (x.detached, kernel.detached, output.detached)
        let needInput = x.isTracked
        return output.recorded(from: inputs) { g in
            let gz: Tensor, biasGradient: Tensor?
            if case .relu = activation {
                (gz, biasGradient) = DenseKernels.reluBackward(g, output: y, biasGradient: bias != nil)
            } else {
                gz = activation.gradient(g, output: y)
                biasGradient = bias == nil ? nil : gz.sum(axes: [0])
            }
            var gradients: [Tensor?] = [needInput ? matmul(gz, wd, transposeB: true) : nil, matmul(xd, gz, transposeA: true)]
            if let biasGradient { gradients.append(biasGradient) }
            return gradients
        }
    }
}
