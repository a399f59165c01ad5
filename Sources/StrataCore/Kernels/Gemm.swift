import CStrataKernels

/// The multi-threaded single-precision GEMM: `C ← α·op(A)·op(B) + β·C` on row-major buffers.
///
/// The C driver (`strata_sgemm`) runs one thread's block with the CPU's best micro-kernel; this
/// layer picks how to split C between the pool's threads and owns the packing workspace.
enum Gemm {
    /// Below this many multiply-adds a single thread is faster than waking the others.
    static let parallelThreshold = 1 << 18

    /// How C is split between threads.
    enum Split: Sendable { case rows, columns }

    /// `C ← α·op(A)·op(B) + β·C` where op(A) is m × k and op(B) is k × n.
    ///
    /// - Parameters:
    ///   - transposeA: A is stored k × m (leading dimension `lda`) and used transposed.
    ///   - transposeB: B is stored n × k (leading dimension `ldb`) and used transposed.
    ///   - split: forces the split direction (for benchmarks); nil picks it from the shape.
    static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
        pool: ThreadPool = .shared, split: Split? = nil
    ) {
        guard m > 0, n > 0 else { return }
        let plan = strata_sgemm_plan(transposeB ? 1 : 0, m, n, k)
        let direction = split ?? preferredSplit(m: m, n: n, plan: plan, threads: pool.threadCount)
        let tile = direction == .columns ? plan.nr : plan.mr
        let extent = direction == .columns ? n : m
        let tiles = (extent + tile - 1) / tile
        let parts = m * n * k < parallelThreshold ? 1 : min(pool.threadCount, tiles)
        let tilesPerPart = (tiles + parts - 1) / max(parts, 1)

        let workspaceFloats = Int(strata_sgemm_workspace(strata_sgemm_plan(
            transposeB ? 1 : 0, direction == .rows ? min(m, tilesPerPart * tile) : m,
            direction == .columns ? min(n, tilesPerPart * tile) : n, k)))
        let workspaceStride = (workspaceFloats + 15) / 16 * 16
        let workspace = workspaceStride == 0 ? nil : TensorStorage(uninitializedCount: workspaceStride * parts)
        let base = workspace?.pointer

        pool.run(parts: parts) { part in
            let start = part * tilesPerPart * tile
            let end = min(extent, start + tilesPerPart * tile)
            guard start < end else { return }
            let work = base.map { $0 + part * workspaceStride }
            switch direction {
            case .columns:
                let bBlock = transposeB ? b + start * ldb : b + start
                strata_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, end - start, k, alpha,
                             a, lda, bBlock, ldb, beta, c + start, ldc, work)
            case .rows:
                let aBlock = transposeA ? a + start : a + start * lda
                strata_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, end - start, n, k, alpha,
                             aBlock, lda, b, ldb, beta, c + start * ldc, ldc, work)
            }
        }
        withExtendedLifetime(workspace) {}
    }

    /// Columns when each thread gets at least two register tiles of them, else rows. Splitting
    /// columns lets each thread pack only its own part of op(B).
    static func preferredSplit(m: Int, n: Int, plan: strata_gemm_plan, threads: Int) -> Split {
        n >= 2 * plan.nr * threads ? .columns : .rows
    }
}
