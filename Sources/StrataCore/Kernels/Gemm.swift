import CStrataKernels

/// The multi-threaded single-precision GEMM: `C ← α·op(A)·op(B) + β·C` on row-major buffers.
///
/// The C driver (`strata_sgemm`) runs one thread's block with the CPU's best micro-kernel; this
/// layer picks how to split C between the pool's threads and owns the packing workspace.
package enum Gemm {
    /// Below this many multiply-adds a single thread is faster than waking the others.
    static let parallelThreshold = 1 << 18

    /// How C is split between threads.
    package enum Split: Sendable { case rows, columns }

    /// `C ← α·op(A)·op(B) + β·C` where op(A) is m × k and op(B) is k × n.
    ///
    /// - Parameters:
    ///   - transposeA: A is stored k × m (leading dimension `lda`) and used transposed.
    ///   - transposeB: B is stored n × k (leading dimension `ldb`) and used transposed.
    ///   - split: forces the split direction (for benchmarks); nil picks it from the shape.
    package static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
        pool: ThreadPool = .shared, split: Split? = nil
    ) {
        guard m > 0, n > 0 else { return }
        if transposeB, !transposeA, beta == 0, split == nil, m < transposedProductMaxRows, n >= 4 * m, k > 0 {
            transposedProduct(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, pool: pool)
            return
        }
        let tb: Int32 = transposeB ? 1 : 0, ta: Int32 = transposeA ? 1 : 0
        let whole = strata_sgemm_plan(tb, m, n, k)
        let direction = split ?? preferredSplit(m: m, n: n, plan: whole, threads: pool.threadCount)
        let tile = direction == .columns ? whole.nr : whole.mr
        let extent = direction == .columns ? n : m
        let tiles = (extent + tile - 1) / tile
        let parts = m * n * k < parallelThreshold ? 1 : min(pool.threadCount, tiles)
        let tilesPerPart = (tiles + parts - 1) / max(parts, 1)
        let ranges = (0..<parts).map { part in
            min(extent, part * tilesPerPart * tile) ..< min(extent, (part + 1) * tilesPerPart * tile)
        }
        let plans = ranges.map { range in
            direction == .columns ? strata_sgemm_plan(tb, m, range.count, k)
                                  : strata_sgemm_plan(tb, range.count, n, k)
        }
        let workspaceStride = plans.map { (Int(strata_sgemm_workspace($0)) + 15) / 16 * 16 }.max() ?? 0
        let workspace = workspaceStride == 0 ? nil : TensorStorage(uninitializedCount: workspaceStride * parts)
        let base = workspace?.pointer

        pool.run(parts: parts) { part in
            let range = ranges[part]
            guard !range.isEmpty else { return }
            let work = base.map { $0 + part * workspaceStride }
            withUnsafePointer(to: plans[part]) { plan in
                switch direction {
                case .columns:
                    let bBlock = transposeB ? b + range.lowerBound * ldb : b + range.lowerBound
                    strata_sgemm(plan, ta, tb, m, range.count, k, alpha,
                                 a, lda, bBlock, ldb, beta, c + range.lowerBound, ldc, work)
                case .rows:
                    let aBlock = transposeA ? a + range.lowerBound : a + range.lowerBound * lda
                    strata_sgemm(plan, ta, tb, range.count, n, k, alpha,
                                 aBlock, lda, b, ldb, beta, c + range.lowerBound * ldc, ldc, work)
                }
            }
        }
        withExtendedLifetime(workspace) {}
    }

    /// Below this many rows, `A·Bᵀ` with a large B (a batch's input gradient `G·Wᵀ`) is computed
    /// as `(B·Aᵀ)ᵀ`: B is then read in place instead of being packed whole on every call.
    static let transposedProductMaxRows = 64

    /// `C = α·A·Bᵀ` as `Cᵀ = α·B·Aᵀ` into a scratch buffer, then transposed into C.
    private static func transposedProduct(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, pool: ThreadPool
    ) {
        let scratch = TensorStorage(uninitializedCount: n * m)
        let t = scratch.pointer
        sgemm(transposeA: false, transposeB: true, m: n, n: m, k: k, alpha: alpha, a: b, lda: ldb, b: a, ldb: lda,
              beta: 0, c: t, ldc: m, pool: pool)
        // Cᵀ is n × m: its rows, split between threads, become C's columns.
        parallelChunks(count: n, grain: Swift.max(16, (1 << 14) / Swift.max(m, 1))) { rows in
            strata_transpose(t + rows.lowerBound * m, rows.count, m, m, c + rows.lowerBound, ldc)
        }
        withExtendedLifetime(scratch) {}
    }

    /// Columns when each thread gets at least two register tiles of them, else rows. Splitting
    /// columns lets each thread pack only its own part of op(B).
    static func preferredSplit(m: Int, n: Int, plan: strata_gemm_plan, threads: Int) -> Split {
        n >= 2 * plan.nr * threads ? .columns : .rows
    }
}
