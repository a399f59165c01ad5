import Foundation

/// Softmax and the sparse softmax cross-entropy over the last axis as single recorded
/// operations: one pass per row forward, one backward, instead of the five to ten nodes the
/// composed formulas record.
extension Tensor {
    /// `e^(z − max) / Σ e^(z − max)` along the last axis; backward `y ⊙ (g − Σ g⊙y)`.
    package func softmaxLastAxis() -> Tensor {
        let classes = shape.last ?? 1
        var y = Tensor(uninitializedShape: shape)
        y.withUnsafeMutableBufferPointer { out in
            withUnsafeBufferPointer { z in
                for start in stride(from: 0, to: count, by: Swift.max(classes, 1)) {
                    Self.softmaxRow(z.baseAddress! + start, out.baseAddress! + start, classes)
                }
            }
        }
        return y.recorded(from: self) { g, _, y in
            var dz = Tensor(uninitializedShape: y.shape)
            dz.withUnsafeMutableBufferPointer { out in
                g.withUnsafeBufferPointer { g in
                    y.withUnsafeBufferPointer { y in
                        for start in stride(from: 0, to: y.count, by: Swift.max(classes, 1)) {
                            var dot: Float = 0
                            for j in start..<(start + classes) { dot += g[j] * y[j] }
                            for j in start..<(start + classes) { out[j] = y[j] * (g[j] - dot) }
                        }
                    }
                }
            }
            return dz
        }
    }

    /// Per row of these logits `[n, classes]`: `−log softmax(z)[label]` with integer `labels`
    /// `[n]` (as floats), the stable `log Σ e^z − z[label]` form; backward `g·(softmax(z) − onehot)`.
    /// Labels must be valid class indices (the caller validates them).
    package func sparseSoftmaxCrossEntropy(labels: Tensor) -> Tensor {
        precondition(rank == 2 && labels.count == shape[0],
                     "sparseSoftmaxCrossEntropy: logits \(shape) with \(labels.count) labels")
        let (rows, classes) = (shape[0], shape[1])
        var probabilities = Tensor(uninitializedShape: shape)
        var losses = Tensor(uninitializedShape: [rows])
        let classIndices = labels.scalars.map { $0.isFinite && abs($0) < 1e9 ? Int($0) : -1 }
        probabilities.withUnsafeMutableBufferPointer { p in
            losses.withUnsafeMutableBufferPointer { loss in
                withUnsafeBufferPointer { z in
                    for row in 0..<rows {
                        let offset = row * classes
                        Self.softmaxRow(z.baseAddress! + offset, p.baseAddress! + offset, classes)
                        let label = classIndices[row]
                        precondition(label >= 0 && label < classes, "sparseSoftmaxCrossEntropy: label \(label) of \(classes) classes")
                        var largest = -Float.infinity
                        for j in 0..<classes { largest = Swift.max(largest, z[offset + j]) }
                        var sum: Float = 0
                        for j in 0..<classes { sum += Foundation.exp(z[offset + j] - largest) }
                        // log Σ e^(z − max) − (z_label − max), as TensorFlow's kernel: the shift
                        // first, so large logits do not cancel (1e4 + log 2 − 1e4 loses log 2's digits).
                        loss[row] = Foundation.log(sum) - (z[offset + label] - largest)
                    }
                }
            }
        }
        let p = probabilities
        return losses.recorded(from: self) { g, _, _ in
            var dz = p
            dz.withUnsafeMutableBufferPointer { out in
                g.withUnsafeBufferPointer { g in
                    for row in 0..<rows {
                        out[row * classes + classIndices[row]] -= 1
                        for j in 0..<classes { out[row * classes + j] *= g[row] }
                    }
                }
            }
            return dz
        }
    }

    private static func softmaxRow(_ z: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var largest = -Float.infinity
        for j in 0..<n { largest = Swift.max(largest, z[j]) }
        var sum: Float = 0
        for j in 0..<n { y[j] = Foundation.exp(z[j] - largest); sum += y[j] }
        let inverse = 1 / sum
        for j in 0..<n { y[j] *= inverse }
    }
}
