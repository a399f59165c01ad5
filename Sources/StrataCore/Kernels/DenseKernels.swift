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
        // Chunks of at least 4,096 rows, each with its own double sums (a Dense layer's batch is one).
        let chunks = RowChunks(rows: rows, minRows: 4096)
        withExtendedLifetime((g, y)) {
            withUnsafeTemporaryAllocation(of: Double.self, capacity: chunks.count * cols) { acc in
                let sums = acc.baseAddress!
                ThreadPool.shared.run(parts: chunks.count) { chunk in
                    let range = chunks.range(chunk), r0 = range.lowerBound
                    guard !range.isEmpty else { return }
                    strata_relu_backward_bias(g.storage.pointer + r0 * cols, y.storage.pointer + r0 * cols, range.count, cols,
                                              gz.storage.pointer + r0 * cols, nil, sums + chunk * cols)
                }
                guard let bias else { return }
                for j in 0..<cols { bias.storage.pointer[j] = chunks.sum { sums[$0 * cols + j] } }
            }
        }
        return (gz, bias)
    }
}
