import CStrataKernels
import StrataTestSupport
import Testing
@testable import StrataCore

/// The naive triple loop, accumulated in double: the reference every GEMM path must match.
private func referenceGemm(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, alpha: Float,
                           _ a: [Float], _ b: [Float], beta: Float, _ c: [Float]) -> [Float] {
    var result = c
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let av = ta ? a[p * m + i] : a[i * k + p]
                let bv = tb ? b[j * k + p] : b[p * n + j]
                sum += Double(av) * Double(bv)
            }
            result[i * n + j] = Float(Double(alpha) * sum + (beta == 0 ? 0 : Double(beta) * Double(c[i * n + j])))
        }
    }
    return result
}

/// Runs the threaded GEMM on the given shape and compares with the reference.
private func checkGemm(_ ta: Bool, _ tb: Bool, m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0,
                       split: Gemm.Split? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    let a = Tensor.randomUniform([m * k], lower: -1, upper: 1, seed: UInt64(m * 31 + k)).scalars
    let b = Tensor.randomUniform([k * n], lower: -1, upper: 1, seed: UInt64(n * 17 + k)).scalars
    // With β = 0, C's old contents (NaN here) must not leak into the result.
    var c = beta == 0 ? [Float](repeating: .nan, count: m * n)
                      : Tensor.randomUniform([m * n], seed: 5).scalars
    let expected = referenceGemm(ta, tb, m, n, k, alpha: alpha, a, b, beta: beta, c)
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                Gemm.sgemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: alpha,
                           a: pa.baseAddress!, lda: ta ? m : k, b: pb.baseAddress!, ldb: tb ? k : n,
                           beta: beta, c: pc.baseAddress!, ldc: n, split: split)
            }
        }
    }
    let tolerance = Float(k).squareRoot() * 2e-6 + 1e-6
    let worst = zip(c, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    #expect(worst <= tolerance && !c.contains { $0.isNaN },
            "\(ta ? "T" : "N")\(tb ? "T" : "N") \(m)×\(n)×\(k) α=\(alpha) β=\(beta): worst error \(worst)",
            sourceLocation: sourceLocation)
}

@Suite("GEMM against a naive triple loop", .serialized)
struct GemmTests {
    static let sizes = [1, 7, 17, 63, 65]

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func awkwardSizesEveryTranspose(ta: Bool, tb: Bool) {
        for m in Self.sizes {
            for n in Self.sizes {
                for k in [1, 17, 65] { checkGemm(ta, tb, m: m, n: n, k: k) }
            }
        }
        checkGemm(ta, tb, m: 257, n: 33, k: 300)
        checkGemm(ta, tb, m: 9, n: 257, k: 257)
    }

    @Test func alphaBetaAndZeroDepth() {
        checkGemm(false, false, m: 17, n: 65, k: 63, alpha: 0.5, beta: 2)
        checkGemm(true, true, m: 63, n: 17, k: 7, alpha: -1, beta: 1)
        checkGemm(false, true, m: 65, n: 65, k: 1, alpha: 2, beta: -0.5)
        checkGemm(false, false, m: 7, n: 9, k: 0, alpha: 1, beta: 0.5)   // C ← β·C
        checkGemm(false, false, m: 7, n: 9, k: 0, alpha: 1, beta: 0)     // C ← 0
    }

    @Test func bothThreadSplitsAndBlockedDepth() {
        // Large enough to be parallel and to take the packed path with several K blocks.
        for split in [Gemm.Split.rows, .columns] {
            checkGemm(false, false, m: 130, n: 200, k: 800, split: split)
            checkGemm(true, false, m: 200, n: 70, k: 500, split: split)
            checkGemm(false, true, m: 33, n: 300, k: 390, beta: 1, split: split)
        }
        // A batch's input gradient G·Wᵀ: computed as (W·Gᵀ)ᵀ, split across threads by W's rows.
        checkGemm(false, true, m: 32, n: 784, k: 300, alpha: 0.5)
        checkGemm(false, true, m: 63, n: 300, k: 100)
    }

    /// Every transpose combination on the path this process runs (`.ci/run` runs this suite
    /// again under `STRATA_CPU=avx2` and `STRATA_CPU=portable`).
    @Test func everyTransposeOnTheActivePath() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            checkGemm(ta, tb, m: 37, n: 45, k: 29, alpha: 1.5, beta: 0.5)
            checkGemm(ta, tb, m: 70, n: 33, k: 400)
        }
    }
}
