import CStrataKernels

/// Batch normalization over the rows of a `[rows, features]` tensor as two C passes forward
/// and two backward (instead of a dozen recorded tensor operations), features split across
/// threads. The layer (`BatchNormalization` in Strata) owns the moving statistics.
package enum BatchNormKernels {
    /// Training-mode normalization with the batch's statistics: `y = (x − mean)/√(variance + ε)·γ + β`
    /// (computed as Keras' backends do, `x·inv + (β − mean·inv)` with `inv = γ/√(variance + ε)`),
    /// recorded as one operation whose backward flows through the statistics to x, γ and β.
    /// Returns y and the batch's mean and biased variance (untracked, `[features]`).
    package static func training(_ x: Tensor, gamma: Tensor?, beta: Tensor?, epsilon: Float)
        -> (y: Tensor, mean: Tensor, variance: Tensor) {
        precondition(x.rank == 2, "BatchNormKernels.training: x must be [rows, features], got \(x.shape)")
        let rows = x.shape[0], cols = x.shape[1]
        let y = Tensor(uninitializedShape: x.shape)
        let mean = Tensor(uninitializedShape: [cols]), variance = Tensor(uninitializedShape: [cols])
        let invstd = Tensor(uninitializedShape: [cols])
        let px = x.storage.pointer, py = y.storage.pointer, pm = mean.storage.pointer
        let pv = variance.storage.pointer, pi = invstd.storage.pointer
        let pg = gamma.map { UnsafePointer($0.storage.pointer) }, pb = beta.map { UnsafePointer($0.storage.pointer) }
        withExtendedLifetime((x, gamma, beta)) {
            splitFeatures(rows: rows, cols: cols) { c0, c1 in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: c1 - c0) { acc in
                    strata_batchnorm_forward(px, rows, cols, c0, c1, pg, pb, epsilon, py, pm, pv, pi, acc.baseAddress!)
                }
            }
        }
        var inputs = [x]
        if let gamma { inputs.append(gamma) }
        if let beta { inputs.append(beta) }
        let xd = x.detached, gd = gamma?.detached
        let needX = x.isTracked
        let result = y.recorded(from: inputs) { g in
            let dx = needX ? Tensor(uninitializedShape: [rows, cols]) : nil
            let dgamma = Tensor(uninitializedShape: [cols]), dbeta = Tensor(uninitializedShape: [cols])
            let pdy = g.storage.pointer, pdx = dx?.storage.pointer
            let pdg = dgamma.storage.pointer, pdb = dbeta.storage.pointer
            let px = xd.storage.pointer, pg = gd.map { UnsafePointer($0.storage.pointer) }
            withExtendedLifetime((g, xd, gd, mean, invstd)) {
                splitFeatures(rows: rows, cols: cols) { c0, c1 in
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * (c1 - c0)) { acc in
                        strata_batchnorm_backward(pdy, px, rows, cols, c0, c1, pm, pi, pg, pdx, pdg, pdb, acc.baseAddress!)
                    }
                }
            }
            var gradients: [Tensor?] = [dx]
            if gd != nil { gradients.append(dgamma) }
            if beta != nil { gradients.append(dbeta) }
            return gradients
        }
        return (result, mean, variance)
    }

    /// `y = x·scale + shift` per feature of `x` `[rows, features]` (not recorded).
    package static func scaleShift(_ x: Tensor, scale: Tensor, shift: Tensor) -> Tensor {
        precondition(x.rank == 2 && scale.count == x.shape[1] && shift.count == x.shape[1],
                     "BatchNormKernels.scaleShift: x \(x.shape), scale \(scale.shape), shift \(shift.shape)")
        let rows = x.shape[0], cols = x.shape[1]
        let y = Tensor(uninitializedShape: x.shape)
        let px = x.storage.pointer, py = y.storage.pointer, ps = scale.storage.pointer, pt = shift.storage.pointer
        withExtendedLifetime((x, scale, shift)) {
            splitFeatures(rows: rows, cols: cols) { c0, c1 in
                strata_scale_shift_columns(px, rows, cols, c0, c1, ps, pt, py)
            }
        }
        return y
    }

    /// Runs `body(c0, c1)` on contiguous feature ranges, in parallel when each range gets at least
    /// 8 Ki elements (a batch of 32 splits its 784 input features in two).
    private static func splitFeatures(rows: Int, cols: Int, _ body: (Int, Int) -> Void) {
        parallelChunks(count: cols, grain: max(16, (1 << 13) / max(rows, 1))) { range in
            body(range.lowerBound, range.upperBound)
        }
    }
}
