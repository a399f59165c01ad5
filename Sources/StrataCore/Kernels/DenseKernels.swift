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
        // Fixed chunks of rows (set by the row count, not the threads), each with its own double
        // sums, added in order: the same bits for any thread count. A Dense layer's batch is one chunk.
        let chunks = max(1, min(8, rows / 4096)), chunkRows = (rows + chunks - 1) / chunks
        withExtendedLifetime((g, y)) {
            withUnsafeTemporaryAllocation(of: Double.self, capacity: chunks * cols) { acc in
                let sums = acc.baseAddress!
                ThreadPool.shared.run(parts: chunks) { chunk in
                    let r0 = chunk * chunkRows, count = min(rows, r0 + chunkRows) - r0
                    guard count > 0 else { return }
                    strata_relu_backward_bias(g.storage.pointer + r0 * cols, y.storage.pointer + r0 * cols, count, cols,
                                              gz.storage.pointer + r0 * cols, nil, sums + chunk * cols)
                }
                guard let bias else { return }
                for j in 0..<cols {
                    var sum = sums[j]
                    for chunk in 1..<chunks where chunk * chunkRows < rows { sum += sums[chunk * cols + j] }
                    bias.storage.pointer[j] = Float(sum)
                }
            }
        }
        return (gz, bias)
    }
}
