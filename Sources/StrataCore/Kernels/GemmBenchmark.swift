import Foundation

/// Throughput of the GEMM on the shapes a training step of the article's model runs — what
/// `strata bench gemm` prints and `Benchmarks/gemm_vs_numpy.sh` compares with NumPy.
public enum GemmBenchmark {
    /// One measured problem: `calls` products `op(A) (m × k) · op(B) (k × n)` per repetition.
    public struct Case: Sendable {
        /// A stable name for reports (`32x784x300`).
        public let name: String
        /// What the shape is in a training step.
        public let role: String
        /// Rows of C.
        public let m: Int
        /// Columns of C.
        public let n: Int
        /// The inner dimension.
        public let k: Int
        /// Whether A is stored k × m and used transposed.
        public let transposeA: Bool
        /// Whether B is stored n × k and used transposed.
        public let transposeB: Bool
        /// Products per repetition (a whole epoch's worth of batches, for the split case).
        public let calls: Int
        /// Whether the product runs with bfloat16 operands (as under the mixed_bfloat16 policy).
        public var bfloat16 = false

        /// Floating-point operations of one repetition (2·m·n·k per product).
        public var flops: Double { 2 * Double(m) * Double(n) * Double(k) * Double(calls) }
    }

    /// The shapes of the foundation issue's table, in order.
    public static let standardCases: [Case] = [
        Case(name: "32x784x300", role: "Dense forward, batch 32", m: 32, n: 300, k: 784,
             transposeA: false, transposeB: false, calls: 1),
        Case(name: "500x784x300", role: "Dense forward, batch 500", m: 500, n: 300, k: 784,
             transposeA: false, transposeB: false, calls: 1),
        Case(name: "T500x784.500x300", role: "weight gradient Aᵀ·B", m: 784, n: 300, k: 500,
             transposeA: true, transposeB: false, calls: 1),
        Case(name: "32x300.T784x300", role: "input gradient G·Wᵀ, batch 32", m: 32, n: 784, k: 300,
             transposeA: false, transposeB: true, calls: 1),
        Case(name: "T32x784.32x300", role: "weight gradient Aᵀ·B, batch 32", m: 784, n: 300, k: 32,
             transposeA: true, transposeB: false, calls: 1),
        Case(name: "T32x300.32x100", role: "weight gradient Aᵀ·B, batch 32", m: 300, n: 100, k: 32,
             transposeA: true, transposeB: false, calls: 1),
        Case(name: "60000x784x300", role: "epoch forward, 120 batches of 500", m: 500, n: 300, k: 784,
             transposeA: false, transposeB: false, calls: 120),
        Case(name: "2048x2048x2048", role: "square", m: 2048, n: 2048, k: 2048,
             transposeA: false, transposeB: false, calls: 1),
    ]

    /// The products `body` computes, in order, with their shapes and precision (e.g. one training
    /// step's), named `m×k×n` with a `T` before a transposed operand.
    public static func recordProducts(_ body: () throws -> Void) rethrows -> [Case] {
        let recorder = Gemm.ProductRecorder()
        try Gemm.$recorder.withValue(recorder, operation: body)
        return recorder.cases
    }

    /// The arithmetic floor of `cases`: the seconds they take when each distinct shape is timed
    /// alone (best of `trials`, its operands in cache as far as they fit) — what a step would
    /// take if nothing but its products ran.
    public static func floorSeconds(_ cases: [Case], trials: Int = 5) -> Double {
        var seconds: [String: Double] = [:]
        return cases.reduce(0) { total, product in
            let key = "\(product.name)\(product.bfloat16 ? " bf16" : "")"
            let each = seconds[key] ?? {
                let gflops = measure(product, trials: trials, minimumSeconds: 0.05)
                return product.flops / (gflops * 1e9)
            }()
            seconds[key] = each
            return total + each
        }
    }

    /// Best GFLOP/s over `trials` timings of `case`, each at least `minimumSeconds` long.
    public static func measure(_ benchCase: Case, trials: Int = 7, minimumSeconds: Double = 0.2) -> Double {
        Gemm.$precision.withValue(benchCase.bfloat16 ? .bfloat16 : .float32) {
            measureAtCurrentPrecision(benchCase, trials: trials, minimumSeconds: minimumSeconds)
        }
    }

    private static func measureAtCurrentPrecision(_ benchCase: Case, trials: Int, minimumSeconds: Double) -> Double {
        let c = benchCase
        let a = Tensor.randomUniform(c.transposeA ? [c.k, c.m] : [c.m, c.k], lower: -1, upper: 1, seed: 1)
        let bRows = c.transposeB ? c.n : c.k, bColumns = c.transposeB ? c.k : c.n
        let b = Tensor.randomUniform([bRows * c.calls, bColumns], lower: -1, upper: 1, seed: 2)
        var output = Tensor.zeros([c.m, c.n])
        let runOnce = {
            output.withUnsafeMutableBufferPointer { out in
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        for call in 0..<c.calls {
                            Gemm.sgemm(transposeA: c.transposeA, transposeB: c.transposeB,
                                       m: c.m, n: c.n, k: c.k,
                                       a: pa.baseAddress!, lda: c.transposeA ? c.m : c.k,
                                       b: pb.baseAddress! + call * bRows * bColumns, ldb: bColumns,
                                       c: out.baseAddress!, ldc: c.n)
                        }
                    }
                }
            }
        }
        runOnce()
        let start = DispatchTime.now().uptimeNanoseconds
        runOnce()
        let once = max(1e-6, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        let repetitions = max(1, Int(minimumSeconds / once))
        var best = Double.infinity
        for _ in 0..<trials {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<repetitions { runOnce() }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 / Double(repetitions))
        }
        return c.flops / best / 1e9
    }

    /// Threads the GEMM uses.
    public static var threadCount: Int { ThreadPool.shared.threadCount }
}
