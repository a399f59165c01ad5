import CStrataKernels

/// The non-GEMM part of a fused Dense layer's backward, as single passes.
package enum DenseKernels {
    /// For `y = relu(z)` of shape `[rows, units]` and the gradient `g` of y: `g ⊙ (y > 0)` and,
    /// when `biasGradient`, its column sums (the bias's gradient), in one pass.
    package static func reluBackward(_ g: Tensor, output y: Tensor, biasGradient: Bool) -> (Tensor, Tensor?) {
        precondition(g.shape == y.shape && y.rank == 2, "DenseKernels.reluBackward: g \(g.shape), y \(y.shape)")
        let (rows, cols) = (y.shape[0], y.shape[1])
        let gz = Tensor(uninitializedShape: y.shape)
        let bias = biasGradient ? Tensor(uninitializedShape: [cols]) : nil
        withExtendedLifetime((g, y)) {
            withUnsafeTemporaryAllocation(of: Double.self, capacity: cols) { acc in
                strata_relu_backward_bias(g.storage.pointer, y.storage.pointer, rows, cols, gz.storage.pointer,
                                          bias?.storage.pointer, acc.baseAddress!)
            }
        }
        return (gz, bias)
    }
}
