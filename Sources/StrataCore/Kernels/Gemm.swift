import CStrataKernels

/// The multi-threaded single-precision GEMM: `C ← α·op(A)·op(B) + β·C` on row-major buffers.
///
/// The C drivers (`strata_sgemm`, `strata_sgemm_bf16`) run one thread's block with the CPU's best
/// micro-kernel; this layer picks how to split C between the pool's threads and owns the packing
/// workspace. Under `Gemm.$precision` = `.bfloat16` the operands are rounded to bfloat16 and the
/// products summed in float32 (Keras' `mixed_bfloat16` matrix products).
package enum Gemm {
    /// Below this many multiply-adds a single thread is faster than waking the others.
    static let parallelThreshold = 1 << 18

    /// How C is split between threads.
    package enum Split: Sendable { case rows, columns }

    /// The operands' precision: float32, or rounded to bfloat16 with float32 sums.
    package enum Precision: Sendable { case float32, bfloat16 }

    /// The precision of every product computed in this task (set around a model's training
    /// step, evaluation and prediction by its mixed-precision policy).
    @TaskLocal package static var precision = Precision.float32

    /// Collects the shapes of the products computed while it is set (`GemmBenchmark.recordProducts`).
    package final class ProductRecorder: @unchecked Sendable {
        var cases: [GemmBenchmark.Case] = []
    }

    /// The recorder of this task's products, if any.
    @TaskLocal package static var recorder: ProductRecorder?

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
        if recorder != nil {
            record(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                   bfloat16: precision == .bfloat16 && bfloat16Pays(m: m, n: n, k: k))
            $recorder.withValue(nil) {   // the product's own inner products are not counted again
                sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, pool: pool, split: split)
            }
            return
        }
        if transposeB, !transposeA, beta == 0, split == nil, m < transposedProductMaxRows, n >= 4 * m, k > 0 {
            transposedProduct(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, pool: pool)
            return
        }
        if precision == .bfloat16, bfloat16Pays(m: m, n: n, k: k) {
            bfloat16Product(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, pool: pool, split: split)
            return
        }
        let tb: Int32 = transposeB ? 1 : 0, ta: Int32 = transposeA ? 1 : 0
        splitting(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, pool: pool, split: split,
                  operands: (a, lda, b, ldb, c, ldc),
                  plan: { strata_sgemm_plan(tb, $0, $1, k) }, workspace: { Int(strata_sgemm_workspace($0)) }) {
            plan, m, n, a, b, c, work in
            withUnsafePointer(to: plan) { strata_sgemm($0, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work) }
        }
    }

    /// Adds a product of this shape to the task's recorder, if one is set: the products this
    /// GEMM computes, and the ones a direct kernel computes in their place (a small convolution's).
    package static func record(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, bfloat16: Bool = false) {
        guard let recorder else { return }
        let name = "\(transposeA ? "T" : "")\(m)x\(k)x\(transposeB ? "T" : "")\(n)"
        recorder.cases.append(GemmBenchmark.Case(
            name: name, role: "recorded", m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, calls: 1,
            bfloat16: bfloat16))
    }

    /// Whether a product is large enough for bfloat16 to pay: converting op(A) and op(B) costs
    /// about as much per element as a few dozen float32 multiply-adds, so a product with a thin
    /// side — fewer than 32 rows or columns of C (a 10-class output layer, a first convolution's
    /// 9-wide patches) or K under 64 (a batch-32 weight gradient: measured 0.3–0.9× of float32) —
    /// runs in float32 instead, unrounded: never less precise, and chosen by shape alone, so
    /// every CPU computes the same numbers.
    package static func bfloat16Pays(m: Int, n: Int, k: Int) -> Bool {
        Swift.min(m, n) >= 32 && k >= 64
    }

    /// The bfloat16 product: the AVX-512 BF16 kernel where it runs, else the operands rounded to
    /// bfloat16 into scratch buffers and the float32 GEMM on them (the same arithmetic).
    private static func bfloat16Product(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, pool: ThreadPool, split: Split?
    ) {
        guard strata_bf16_kernel_active() != 0 else {
            let roundedA = rounded(a, rows: transposeA ? k : m, columns: transposeA ? m : k, leading: lda)
            let roundedB = rounded(b, rows: transposeB ? n : k, columns: transposeB ? k : n, leading: ldb)
            $precision.withValue(.float32) {
                sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                      a: roundedA.pointer, lda: lda, b: roundedB.pointer, ldb: ldb, beta: beta, c: c, ldc: ldc,
                      pool: pool, split: split)
            }
            withExtendedLifetime((roundedA, roundedB)) {}
            return
        }
        if transposeA, !transposeB, beta == 0, split == nil, m > 2 * n {
            // A weight gradient Xᵀ·G with X the wider operand (a convolution's patch matrix): as
            // Cᵀ = Gᵀ·X, the thinner G takes the transposed conversion and X the contiguous one.
            throughTranspose(m: m, n: n, c: c, ldc: ldc) { t in
                bfloat16Product(transposeA: true, transposeB: false, m: n, n: m, k: k, alpha: alpha, a: b, lda: ldb,
                                b: a, ldb: lda, beta: 0, c: t, ldc: m, pool: pool, split: nil)
            }
            return
        }
        // op(A) converted once, shared by the threads: rows of ⌈k/2⌉ bfloat16 pairs.
        let pairs = (k + 1) / 2, ta: Int32 = transposeA ? 1 : 0, tb: Int32 = transposeB ? 1 : 0
        let packedA = WordBuffer(count: m * pairs)
        parallelChunks(count: m, grain: Swift.max(16, (1 << 15) / Swift.max(k, 1))) { rows in
            strata_bf16_pack_a(ta, a, lda, rows.lowerBound, rows.upperBound, k, packedA.words)
        }
        // Split as a row-major m × pairs "A": a block of rows starts at its first row's words.
        splitting(m: m, n: n, k: k, transposeA: false, transposeB: transposeB, pool: pool, split: split,
                  operands: (UnsafePointer(packedA.storage.pointer), pairs, b, ldb, c, ldc),
                  plan: { _, n in strata_bf16_plan(n, k) }, workspace: { Int(strata_bf16_workspace($0)) }) {
            plan, m, n, aBlock, b, c, work in
            let aWords = UnsafeRawPointer(aBlock).assumingMemoryBound(to: UInt32.self)
            withUnsafePointer(to: plan) { strata_sgemm_bf16($0, tb, m, n, k, alpha, aWords, pairs, b, ldb, beta, c, ldc, work) }
        }
        withExtendedLifetime(packedA) {}
    }

    /// A `rows × columns` matrix (leading dimension `leading`) rounded to bfloat16, in a scratch
    /// buffer of the same layout.
    static func rounded(_ x: UnsafePointer<Float>, rows: Int, columns: Int, leading: Int) -> TensorStorage {
        let count = (rows - 1) * leading + columns
        let storage = TensorStorage(uninitializedCount: count)
        let y = storage.pointer
        parallelChunks(count: count) { range in
            strata_round_bf16(x + range.lowerBound, range.count, y + range.lowerBound)
        }
        return storage
    }

    /// Splits C between the pool's threads (by columns or rows of register tiles, as `plan`
    /// tiles it), gives each part its own packing workspace, and runs `kernel` on each part with
    /// its blocks of A, B and C.
    private static func splitting(
        m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, pool: ThreadPool, split: Split?,
        operands: (a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int),
        plan: (Int, Int) -> strata_gemm_plan, workspace: (strata_gemm_plan) -> Int,
        kernel: (strata_gemm_plan, Int, Int, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
                 UnsafeMutablePointer<Float>?) -> Void
    ) {
        let (a, lda, b, ldb, c, ldc) = operands
        let whole = plan(m, n)
        let direction = split ?? preferredSplit(m: m, n: n, plan: whole, threads: pool.threadCount)
        let tile = direction == .columns ? whole.nr : whole.mr
        let extent = direction == .columns ? n : m
        let tiles = (extent + tile - 1) / tile
        let parts = m * n * k < parallelThreshold ? 1 : min(pool.threadCount, tiles)
        let tilesPerPart = (tiles + parts - 1) / max(parts, 1)
        let ranges = (0..<parts).map { part in
            min(extent, part * tilesPerPart * tile) ..< min(extent, (part + 1) * tilesPerPart * tile)
        }
        let plans = ranges.map { range in direction == .columns ? plan(m, range.count) : plan(range.count, n) }
        let workspaceStride = plans.map { (workspace($0) + 15) / 16 * 16 }.max() ?? 0
        let storage = workspaceStride == 0 ? nil : TensorStorage(uninitializedCount: workspaceStride * parts)
        let base = storage?.pointer

        pool.run(parts: parts) { part in
            let range = ranges[part]
            guard !range.isEmpty else { return }
            let work = base.map { $0 + part * workspaceStride }
            switch direction {
            case .columns:
                let bBlock = transposeB ? b + range.lowerBound * ldb : b + range.lowerBound
                kernel(plans[part], m, range.count, a, bBlock, c + range.lowerBound, work)
            case .rows:
                let aBlock = transposeA ? a + range.lowerBound : a + range.lowerBound * lda
                kernel(plans[part], range.count, n, aBlock, b, c + range.lowerBound * ldc, work)
            }
        }
        withExtendedLifetime(storage) {}
    }

    /// Below this many rows, `A·Bᵀ` with a large B (a batch's input gradient `G·Wᵀ`) is computed
    /// as `(B·Aᵀ)ᵀ`: B is then read in place instead of being packed whole on every call.
    static let transposedProductMaxRows = 64

    /// `C = α·A·Bᵀ` as `Cᵀ = α·B·Aᵀ` into a scratch buffer, then transposed into C.
    private static func transposedProduct(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, pool: ThreadPool
    ) {
        throughTranspose(m: m, n: n, c: c, ldc: ldc) { t in
            sgemm(transposeA: false, transposeB: true, m: n, n: m, k: k, alpha: alpha, a: b, lda: ldb, b: a, ldb: lda,
                  beta: 0, c: t, ldc: m, pool: pool)
        }
    }

    /// C (m × n) ← the transpose of the n × m matrix `product` writes into a scratch buffer
    /// (leading dimension m): a product computed as `Cᵀ`.
    private static func throughTranspose(m: Int, n: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                                         _ product: (UnsafeMutablePointer<Float>) -> Void) {
        let scratch = TensorStorage(uninitializedCount: n * m)
        let t = scratch.pointer
        product(t)
        // Cᵀ is n × m: its rows, split between threads, become C's columns.
        parallelChunks(count: n, grain: Swift.max(16, (1 << 12) / Swift.max(m, 1))) { rows in
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

/// Scratch words — bfloat16 pairs, as `strata_bf16_pack_a` writes them — in a float buffer of
/// the pool.
struct WordBuffer {
    let storage: TensorStorage

    init(count: Int) { storage = TensorStorage(uninitializedCount: count) }

    var words: UnsafeMutablePointer<UInt32> {
        UnsafeMutableRawPointer(storage.pointer).assumingMemoryBound(to: UInt32.self)
    }
}
