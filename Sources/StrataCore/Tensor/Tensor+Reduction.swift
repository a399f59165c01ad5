import CStrataKernels

// Reductions over all elements or over chosen axes, and their gradients.

extension Tensor {
    private enum ReductionKind { case sum, max, min }

    /// Sum of all elements (accumulated in double precision), as a scalar tensor.
    public func sum() -> Tensor { sum(axes: Array(0..<rank)) }

    /// Sums over `axes` (negative axes count from the end); `keepDims` keeps them with size 1.
    ///
    ///     Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]).sum(axes: [0])   // [4, 6]
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes, op: "sum")
        let result = reduce(.sum, axes: axes, keepDims: keepDims)
        let kept = keptShape(axes)
        return result.recorded(from: self) { g, x, _ in
            g.reshaped(to: kept).broadcast(to: x.shape)
        }
    }

    /// Mean of all elements, as a scalar tensor.
    public func mean() -> Tensor { mean(axes: Array(0..<rank)) }

    /// Means over `axes`; `keepDims` keeps them with size 1.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes, op: "mean")
        let n = axes.reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    /// Maximum of all elements, as a scalar tensor (NaN if any element is NaN).
    public func max() -> Tensor { max(axes: Array(0..<rank)) }

    /// Maxima over `axes`. The gradient is shared equally among tied maxima (as TensorFlow does).
    public func max(axes: [Int], keepDims: Bool = false) -> Tensor {
        extreme(.max, axes: normalizedAxes(axes, op: "max"), keepDims: keepDims)
    }

    /// Minimum of all elements, as a scalar tensor.
    public func min() -> Tensor { min(axes: Array(0..<rank)) }

    /// Minima over `axes`. The gradient is shared equally among tied minima.
    public func min(axes: [Int], keepDims: Bool = false) -> Tensor {
        extreme(.min, axes: normalizedAxes(axes, op: "min"), keepDims: keepDims)
    }

    /// Population variance (mean squared deviation from the mean) of all elements.
    public func variance() -> Tensor { variance(axes: Array(0..<rank)) }

    /// Population variance over `axes` (divides by n, like NumPy's and Keras' default).
    public func variance(axes: [Int], keepDims: Bool = false) -> Tensor {
        let deviation = self - mean(axes: axes, keepDims: true)
        return (deviation * deviation).mean(axes: axes, keepDims: keepDims)
    }

    /// Index of the largest element along `axis` (the first one among ties), as float values;
    /// the axis is removed. Not differentiable.
    public func argmax(axis: Int) -> Tensor {
        let axis = Tensor.normalizeAxis(axis, rank: rank, op: "argmax")
        precondition(shape[axis] > 0, "argmax: axis \(axis) of shape \(shape) is empty")
        let (outer, length, inner) = split(at: axis)
        var resultShape = shape
        resultShape.remove(at: axis)
        let result = Tensor(uninitializedShape: resultShape)
        let x = storage.pointer, y = result.storage.pointer
        withExtendedLifetime(self) {
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = o * length * inner + i
                    var best = x[base], bestIndex = 0
                    if !best.isNaN {
                        for r in 1..<length {
                            let value = x[base + r * inner]
                            if value.isNaN { bestIndex = r; break }   // NumPy: the first NaN wins
                            if value > best { best = value; bestIndex = r }
                        }
                    }
                    y[o * inner + i] = Float(bestIndex)
                }
            }
        }
        return result
    }

    /// `self` repeated along axes of size 1 (and new leading axes) to reach `target`.
    /// Its gradient sums back over the repeated axes.
    public func broadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        precondition(target.count >= rank && Broadcast.shape(shape, target, op: "broadcast(to:)") == target,
                     "broadcast(to:): shape \(shape) cannot be broadcast to \(target)")
        return (Tensor(repeating: 0, shape: target) + detached).recorded(from: self) { g, x, _ in
            g.unbroadcast(to: x.shape)
        }
    }

    // MARK: - Mechanism

    private func normalizedAxes(_ axes: [Int], op: String) -> [Int] {
        let resolved = Set(axes.map { Tensor.normalizeAxis($0, rank: rank, op: op) })
        precondition(resolved.count == axes.count, "\(op): repeated axis in \(axes) for shape \(shape)")
        return resolved.sorted()
    }

    /// The shape with reduced axes kept as size 1.
    private func keptShape(_ axes: [Int]) -> [Int] {
        var kept = shape
        for axis in axes { kept[axis] = 1 }
        return kept
    }

    /// (product of dims before `axis`, dim at `axis`, product of dims after).
    private func split(at axis: Int) -> (Int, Int, Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// Reduces sorted `axes` one maximal run of adjacent axes at a time, last run first.
    private func reduce(_ kind: ReductionKind, axes: [Int], keepDims: Bool) -> Tensor {
        var current = self.detached
        var runs: [ClosedRange<Int>] = []
        for axis in axes {
            if let last = runs.last, last.upperBound + 1 == axis {
                runs[runs.count - 1] = last.lowerBound...axis
            } else {
                runs.append(axis...axis)
            }
        }
        for run in runs.reversed() {
            current = current.reduceRun(kind, run)
        }
        let kept = keptShape(axes)
        current.setShape(keepDims ? kept : shape.indices.filter { !axes.contains($0) }.map { shape[$0] })
        return current
    }

    /// Reduces the adjacent axes `run`, leaving them as size 1.
    private func reduceRun(_ kind: ReductionKind, _ run: ClosedRange<Int>) -> Tensor {
        let outer = shape[..<run.lowerBound].reduce(1, *)
        let length = shape[run].reduce(1, *)
        let inner = shape[(run.upperBound + 1)...].reduce(1, *)
        var resultShape = shape
        for axis in run { resultShape[axis] = 1 }
        if kind != .sum {
            precondition(length > 0, "\(kind): cannot reduce an empty axis of shape \(shape)")
        }
        let result = Tensor(uninitializedShape: resultShape)
        let x = storage.pointer, y = result.storage.pointer
        withExtendedLifetime(self) {
            if inner == 1 {
                parallelChunks(count: outer, grain: Swift.max(1, (1 << 15) / Swift.max(length, 1))) { rows in
                    let source = x + rows.lowerBound * length, destination = y + rows.lowerBound
                    switch kind {
                    case .sum: strata_sum_rows(source, rows.count, length, destination)
                    case .max: strata_extreme_rows(source, rows.count, length, 1, destination)
                    case .min: strata_extreme_rows(source, rows.count, length, 0, destination)
                    }
                }
            } else {
                let accumulator = UnsafeMutablePointer<Double>.allocate(capacity: inner)
                defer { accumulator.deallocate() }
                for o in 0..<outer {
                    let source = x + o * length * inner, destination = y + o * inner
                    switch kind {
                    case .sum: strata_sum_cols(source, length, inner, destination, accumulator)
                    case .max: strata_extreme_cols(source, length, inner, 1, destination)
                    case .min: strata_extreme_cols(source, length, inner, 0, destination)
                    }
                }
            }
        }
        return result
    }

    private func extreme(_ kind: ReductionKind, axes: [Int], keepDims: Bool) -> Tensor {
        let result = reduce(kind, axes: axes, keepDims: keepDims)
        let kept = keptShape(axes)
        return result.recorded(from: self) { g, x, y in
            let mask = x .== y.reshaped(to: kept)
            let ties = mask.sum(axes: axes, keepDims: true)
            return mask * (g.reshaped(to: kept) / ties)
        }
    }
}
