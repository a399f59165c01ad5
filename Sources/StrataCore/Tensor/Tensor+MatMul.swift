// Matrix multiplication on the blocked, multi-threaded GEMM, and its gradient.

/// `op(a) · op(b)` for rank-2 tensors, where op transposes when asked. Stops with a message
/// naming both shapes when the inner dimensions differ.
///
///     matmul(x, w)                          // [32, 784] · [784, 300] → [32, 300]
///     matmul(x, gradient, transposeA: true) // xᵀ · g, the weight gradient
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    precondition(a.rank == 2 && b.rank == 2,
                 "matmul: needs rank-2 operands, got shapes \(a.shape) and \(b.shape)")
    let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
    let kb = transposeB ? b.shape[1] : b.shape[0], n = transposeB ? b.shape[0] : b.shape[1]
    precondition(k == kb, "matmul: inner dimensions differ: \(transposeA ? "aᵀ" : "a") \(a.shape) · \(transposeB ? "bᵀ" : "b") \(b.shape)")
    let result = Tensor(uninitializedShape: [m, n])
    withExtendedLifetime((a, b)) {
        Gemm.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                   a: a.storage.pointer, lda: a.shape[1], b: b.storage.pointer, ldb: b.shape[1],
                   c: result.storage.pointer, ldc: n)
    }
    // C = op(A)·op(B): dop(A) = G·op(B)ᵀ, dop(B) = op(A)ᵀ·G, then undo each op.
    return result.recorded(from: a, b) { g, a, b, _ in
        let ga = transposeA ? matmul(b, g, transposeA: transposeB, transposeB: true)
                            : matmul(g, b, transposeB: !transposeB)
        let gb = transposeB ? matmul(g, a, transposeA: true, transposeB: transposeA)
                            : matmul(a, g, transposeA: !transposeA)
        return (ga, gb)
    }
}

extension Tensor {
    /// `self · other` (rank 2).
    public func matmul(_ other: Tensor) -> Tensor { StrataCore.matmul(self, other) }
}
