// Shape manipulation: reshape, flatten, transpose, concatenate, gather, slice — and gradients.

extension Tensor {
    /// The same elements with a new shape; one dimension may be −1 (inferred).
    ///
    ///     x.reshaped(to: [-1, 784])
    public func reshaped(to newShape: [Int]) -> Tensor {
        var resolved = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        precondition(inferred.count <= 1, "reshape: more than one −1 in \(newShape)")
        if let axis = inferred.first {
            let known = newShape.enumerated().filter { $0.offset != axis }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0,
                         "reshape: cannot reshape \(shape) (\(count) elements) to \(newShape)")
            resolved[axis] = count / known
        }
        precondition(Tensor.elementCount(resolved) == count,
                     "reshape: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        if resolved == shape { return self }   // nothing to record
        var result = detached
        result.setShape(resolved)
        return result.recorded(from: self) { g, x, _ in g.reshaped(to: x.shape) }
    }

    /// Merges the axes from `startAxis` on into one: `[32, 28, 28]` → `[32, 784]` with the
    /// default 1, `[21952]` with 0.
    public func flattened(startAxis: Int = 1) -> Tensor {
        let start = Tensor.normalizeAxis(startAxis, rank: rank, op: "flatten")
        return reshaped(to: Array(shape[..<start]) + [shape[start...].reduce(1, *)])
    }

    /// The matrix transpose of a rank-2 tensor.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed(): needs a rank-2 tensor, got shape \(shape)")
        return transposed(permutation: [1, 0])
    }

    /// Axes reordered: axis `i` of the result is axis `permutation[i]` of `self`.
    public func transposed(permutation: [Int]) -> Tensor {
        precondition(permutation.sorted() == Array(0..<rank),
                     "transpose: permutation \(permutation) does not fit shape \(shape)")
        let newShape = permutation.map { shape[$0] }
        let result = Tensor(uninitializedShape: newShape)
        let sourceStrides = Tensor.strides(shape)
        let strides = permutation.map { sourceStrides[$0] }
        let x = storage.pointer, y = result.storage.pointer
        withExtendedLifetime(self) {
            if rank == 2 {
                Tensor.transpose2D(x, rows: shape[0], columns: shape[1], into: y)
            } else {
                var index = [Int](repeating: 0, count: rank)
                var offset = 0
                for position in 0..<count {
                    y[position] = x[offset]
                    var axis = rank - 1
                    while axis >= 0 {
                        index[axis] += 1
                        offset += strides[axis]
                        if index[axis] < newShape[axis] { break }
                        offset -= strides[axis] * newShape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, p) in permutation.enumerated() { inverse[p] = i }
        return result.recorded(from: self) { g, _, _ in g.transposed(permutation: inverse) }
    }

    /// Cache-blocked 2-D transpose.
    private static func transpose2D(_ x: UnsafePointer<Float>, rows: Int, columns: Int,
                                    into y: UnsafeMutablePointer<Float>) {
        let block = 32
        for i0 in stride(from: 0, to: rows, by: block) {
            for j0 in stride(from: 0, to: columns, by: block) {
                for i in i0..<Swift.min(i0 + block, rows) {
                    for j in j0..<Swift.min(j0 + block, columns) {
                        y[j * rows + i] = x[i * columns + j]
                    }
                }
            }
        }
    }

    /// Tensors joined along `axis`; all other dimensions must match.
    ///
    ///     Tensor.concatenate([a, b], axis: 0)
    public static func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: no tensors given")
        let first = tensors[0].shape
        let axis = normalizeAxis(axis, rank: first.count, op: "concatenate")
        for t in tensors {
            precondition(t.rank == first.count && t.shape.indices.allSatisfy { $0 == axis || t.shape[$0] == first[$0] },
                         "concatenate: shapes \(first) and \(t.shape) differ outside axis \(axis)")
        }
        var shape = first
        shape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let result = Tensor(uninitializedShape: shape)
        let outer = first[..<axis].reduce(1, *)
        let inner = first[(axis + 1)...].reduce(1, *)
        let rowLength = shape[axis] * inner
        var offset = 0
        for t in tensors {
            let length = t.shape[axis] * inner
            t.withUnsafeBufferPointer { source in
                for o in 0..<outer {
                    (result.storage.pointer + o * rowLength + offset)
                        .update(from: source.baseAddress! + o * length, count: length)
                }
            }
            offset += length
        }
        let sizes = tensors.map { $0.shape[axis] }
        return result.recorded(from: tensors) { g in
            var start = 0
            return sizes.map { size in
                defer { start += size }
                return g.slice(axis: axis, start ..< start + size)
            }
        }
    }

    /// The rows (entries of axis 0) at `indices`, in that order; repeats allowed. Used to cut
    /// mini-batches. The gradient adds back into the selected rows.
    public func gathering(rows indices: [Int]) -> Tensor {
        precondition(rank >= 1, "gather: needs rank ≥ 1, got shape \(shape)")
        let rowLength = shape[1...].reduce(1, *)
        for i in indices {
            precondition(i >= 0 && i < shape[0], "gather: row \(i) out of range for shape \(shape)")
        }
        let result = Tensor(uninitializedShape: [indices.count] + shape[1...])
        let x = storage.pointer, y = result.storage.pointer
        withExtendedLifetime(self) {
            for (position, row) in indices.enumerated() {
                (y + position * rowLength).update(from: x + row * rowLength, count: rowLength)
            }
        }
        return result.recorded(from: self) { g, x, _ in
            let gradient = Tensor(repeating: 0, shape: x.shape)
            let source = g.storage.pointer, destination = gradient.storage.pointer
            withExtendedLifetime(g) {
                for (position, row) in indices.enumerated() {
                    for j in 0..<rowLength {
                        destination[row * rowLength + j] += source[position * rowLength + j]
                    }
                }
            }
            return gradient
        }
    }

    /// The part of `self` at positions `range` along `axis`.
    ///
    ///     x.slice(axis: 0, 0..<32)    // the first 32 rows
    public func slice(axis: Int = 0, _ range: Range<Int>) -> Tensor {
        let axis = Tensor.normalizeAxis(axis, rank: rank, op: "slice")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[axis],
                     "slice: range \(range) out of bounds for axis \(axis) of shape \(shape)")
        var newShape = shape
        newShape[axis] = range.count
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        let result = Tensor(uninitializedShape: newShape)
        let x = storage.pointer, y = result.storage.pointer
        withExtendedLifetime(self) {
            for o in 0..<outer {
                (y + o * range.count * inner)
                    .update(from: x + (o * shape[axis] + range.lowerBound) * inner, count: range.count * inner)
            }
        }
        return result.recorded(from: self) { g, x, _ in
            let before = Tensor(repeating: 0, shape: Tensor.replacing(x.shape, axis, with: range.lowerBound))
            let after = Tensor(repeating: 0, shape: Tensor.replacing(x.shape, axis, with: x.shape[axis] - range.upperBound))
            return Tensor.concatenate([before, g, after], axis: axis)
        }
    }

    private static func replacing(_ shape: [Int], _ axis: Int, with size: Int) -> [Int] {
        var result = shape
        result[axis] = size
        return result
    }
}
