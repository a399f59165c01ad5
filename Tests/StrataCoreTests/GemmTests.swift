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

/// `x` rounded to bfloat16 (to nearest, ties to even; NaN stays NaN), written independently of
/// the C kernels' rounding.
func bfloat16Rounded(_ x: Float) -> Float {
    if x.isNaN { return x }
    let bits = x.bitPattern
    let lower = bits & 0xFFFF, upper = bits & 0xFFFF_0000
    let roundUp = lower > 0x8000 || (lower == 0x8000 && (upper >> 16) & 1 == 1)
    return Float(bitPattern: roundUp ? upper &+ 0x1_0000 : upper)
}

/// Runs the threaded GEMM on the given shape and compares with the reference — on the operands
/// rounded to bfloat16 when `precision` is `.bfloat16`.
private func checkGemm(_ ta: Bool, _ tb: Bool, m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0,
                       split: Gemm.Split? = nil, precision: Gemm.Precision = .float32,
                       sourceLocation: SourceLocation = #_sourceLocation) {
    let a = Tensor.randomUniform([m * k], lower: -1, upper: 1, seed: UInt64(m * 31 + k)).scalars
    let b = Tensor.randomUniform([k * n], lower: -1, upper: 1, seed: UInt64(n * 17 + k)).scalars
    // With β = 0, C's old contents (NaN here) must not leak into the result.
    var c = beta == 0 ? [Float](repeating: .nan, count: m * n)
                      : Tensor.randomUniform([m * n], seed: 5).scalars
    let rounds = precision == .bfloat16 && Gemm.bfloat16Pays(m: m, n: n, k: k)
    let expected = !rounds ? referenceGemm(ta, tb, m, n, k, alpha: alpha, a, b, beta: beta, c)
        : referenceGemm(ta, tb, m, n, k, alpha: alpha, a.map(bfloat16Rounded), b.map(bfloat16Rounded), beta: beta, c)
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                Gemm.$precision.withValue(precision) {
                    Gemm.sgemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: alpha,
                               a: pa.baseAddress!, lda: ta ? m : k, b: pb.baseAddress!, ldb: tb ? k : n,
                               beta: beta, c: pc.baseAddress!, ldc: n, split: split)
                }
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

    /// bfloat16 products equal the float32 reference on operands rounded to bfloat16: every
    /// transpose, odd K (a last pair with one element), edges of both tiles, several K and N
    /// blocks, both thread splits, α and β. (On this CPU's AVX-512 BF16 kernel, or the fallback
    /// under `STRATA_CPU=bf16-off`, `avx2` or `portable`.)
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func bfloat16ProductsAreTheProductsOfRoundedOperands(ta: Bool, tb: Bool) {
        // Thin products run in float32 (bfloat16Pays); the others are rounded.
        #expect(!Gemm.bfloat16Pays(m: 31, n: 500, k: 500) && !Gemm.bfloat16Pays(m: 500, n: 500, k: 63))
        for (m, n, k) in [(1, 1, 1), (7, 17, 1), (37, 45, 29), (32, 32, 64), (37, 45, 65), (65, 63, 129), (33, 97, 200)] {
            checkGemm(ta, tb, m: m, n: n, k: k, precision: .bfloat16)
        }
        checkGemm(ta, tb, m: 37, n: 45, k: 77, alpha: 1.5, beta: 0.5, precision: .bfloat16)
        checkGemm(ta, tb, m: 130, n: 40, k: 300, precision: .bfloat16)   // Aᵀ·B as (Bᵀ·A)ᵀ: m > 2n
        checkGemm(ta, tb, m: 20, n: 800, k: 1100, precision: .bfloat16)
        for split in [Gemm.Split.rows, .columns] { checkGemm(ta, tb, m: 200, n: 70, k: 500, split: split, precision: .bfloat16) }
    }

    /// The rounding really happens (the bfloat16 product of random operands differs from the
    /// float32 one by about bfloat16's 2⁻⁹ relative step, not float32's 2⁻²⁴).
    @Test func bfloat16DiffersFromFloat32AsMuchAsItShould() {
        let (m, n, k) = (32, 32, 64)
        let a = Tensor.randomUniform([m, k], lower: -1, upper: 1, seed: 1), b = Tensor.randomUniform([k, n], lower: -1, upper: 1, seed: 2)
        let single = matmul(a, b), half = Gemm.$precision.withValue(.bfloat16) { matmul(a, b) }
        let worst = zip(single.scalars, half.scalars).map { abs($0 - $1) }.max()!
        #expect(worst > 1e-3 && worst < 0.1, "\(worst)")
    }

    /// `strata_round_bf16` at the edges: ties to even both ways, a carry into the exponent, the
    /// largest float rounding to infinity, NaN staying NaN, signed zero, subnormals.
    @Test func bfloat16RoundingAtTheEdges() {
        let values: [Float] = [
            Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000), Float(bitPattern: 0x3F80_8001),
            Float(bitPattern: 0x3FFF_FFFF), .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity,
            .nan, 0, -0.0, Float(bitPattern: 1), Float(bitPattern: 0x0000_8000), Float(bitPattern: 0x0001_8000), 1, -3.14159,
        ]
        var rounded = [Float](repeating: 0, count: values.count)
        strata_round_bf16(values, values.count, &rounded)
        for (index, value) in values.enumerated() {
            let expected = bfloat16Rounded(value)
            #expect(rounded[index].bitPattern == expected.bitPattern || (value.isNaN && rounded[index].isNaN),
                    "\(value): \(rounded[index]) vs \(expected)")
        }
        #expect(rounded[0] == 1 && rounded[1] == Float(bitPattern: 0x3F82_0000) && rounded[2] == Float(bitPattern: 0x3F81_0000))
        #expect(rounded[3] == 2 && rounded[4] == .infinity && rounded[5] == -.infinity)
        #expect(rounded[10].sign == .minus && rounded[10] == 0)
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

/// `GemmBenchmark.recordProducts` (behind `strata bench train --floor`) sees every product once,
/// with its shape, transposes and precision — a product computed through another (`G·Wᵀ` at a
/// small batch, as `(W·Gᵀ)ᵀ`) counts as itself only — and `floorSeconds` times them.
@Suite("Recorded products")
struct RecordedProductTests {
    @Test func everyProductOnceWithItsShapeAndPrecision() {
        let x = Tensor.randomUniform([8, 100], seed: 1), w = Tensor.randomUniform([100, 300], seed: 2)
        let g = Tensor.randomUniform([8, 300], seed: 3), big = Tensor.randomUniform([64, 100], seed: 4)
        let products = GemmBenchmark.recordProducts {
            _ = matmul(x, w)
            _ = matmul(g, w, transposeB: true)            // m 8 < 64: computed as (W·Gᵀ)ᵀ inside
            _ = matmul(x, g, transposeA: true)
            Gemm.$precision.withValue(.bfloat16) {
                _ = matmul(big, w)                          // bfloat16 pays
                _ = matmul(x, w)                            // m 8: stays float32
            }
        }
        #expect(products.map(\.name) == ["8x100x300", "8x300xT100", "T100x8x300", "64x100x300", "8x100x300"])
        #expect(products.map(\.bfloat16) == [false, false, false, true, false])
        #expect(products[1].transposeB && !products[1].transposeA && products[2].transposeA)
        let seconds = GemmBenchmark.floorSeconds(Array(products.prefix(1)), trials: 1)
        #expect(seconds > 0 && seconds.isFinite)
    }
}
