import CStrataKernels

/// Elementwise kernels on whole tensors: NumPy broadcasting, chunking across threads, and the
/// calls into the C loops. No autodiff here; `Tensor`'s operators record on top of these.
enum Elementwise {
    /// `op` applied to every element of `x`.
    static func unary(_ op: strata_unary_op, _ x: Tensor, _ parameter: Float = 0) -> Tensor {
        let result = Tensor(uninitializedShape: x.shape)
        let source = x.storage.pointer, destination = result.storage.pointer
        withExtendedLifetime(x) {
            parallelChunks(count: x.count) { range in
                strata_unary(op, source + range.lowerBound, destination + range.lowerBound,
                             range.count, parameter)
            }
        }
        return result
    }

    /// `a op b` with NumPy broadcasting. `name` names the operation in shape errors.
    static func binary(_ op: strata_binary_op, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
        let shape = Broadcast.shape(a.shape, b.shape, op: name)
        let result = Tensor(uninitializedShape: shape)
        let pa = a.storage.pointer, pb = b.storage.pointer, py = result.storage.pointer
        withExtendedLifetime((a, b)) {
            if a.count == result.count && b.count == result.count || a.count == 1 || b.count == 1 {
                let sa = a.count == 1 ? 0 : 1, sb = b.count == 1 ? 0 : 1
                parallelChunks(count: result.count) { range in
                    strata_binary(op, pa + sa * range.lowerBound, sa, pb + sb * range.lowerBound, sb,
                                  py + range.lowerBound, range.count)
                }
                return
            }
            let plan = Broadcast.Plan(output: shape, a: a.shape, b: b.shape)
            parallelChunks(count: plan.outerCount, grain: max(1, (1 << 15) / max(plan.inner, 1))) { rows in
                for row in rows {
                    let (oa, ob) = plan.offsets(ofRow: row)
                    strata_binary(op, pa + oa, plan.innerStrideA, pb + ob, plan.innerStrideB,
                                  py + row * plan.inner, plan.inner)
                }
            }
        }
        return result
    }
}

extension Tensor {
    /// Elementwise functions that fused layers apply to a fresh, untracked buffer in place.
    package enum InPlaceFunction {
        case relu, tanh
    }

    /// Applies `function` to every element without allocating (the tensor must not be tracked).
    package mutating func apply(inPlace function: InPlaceFunction) {
        precondition(node == nil, "apply(inPlace:) on a tensor that is being differentiated")
        withUnsafeMutableBufferPointer { buffer in
            let pointer = buffer.baseAddress!
            parallelChunks(count: buffer.count) { range in
                let start = pointer + range.lowerBound
                switch function {
                case .relu: strata_unary(STRATA_MAX_SCALAR, start, start, range.count, 0)
                case .tanh: strata_unary(STRATA_TANH, start, start, range.count, 0)
                }
            }
        }
    }
}
