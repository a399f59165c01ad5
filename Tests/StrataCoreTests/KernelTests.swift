import CStrataKernels
import Foundation
import StrataTestSupport
import Testing
@testable import StrataCore

/// Plain Swift references for the C elementwise loops.
private let unaryReferences: [(strata_unary_op, Float, @Sendable (Float) -> Float)] = [
    (STRATA_NEG, 0, { -$0 }),
    (STRATA_EXP, 0, { Foundation.exp($0) }),
    (STRATA_LOG, 0, { Foundation.log($0) }),
    (STRATA_SQRT, 0, { $0.squareRoot() }),
    (STRATA_RSQRT, 0, { 1 / $0.squareRoot() }),
    (STRATA_ABS, 0, { Swift.abs($0) }),
    (STRATA_SIGN, 0, { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) }),
    (STRATA_TANH, 0, { Foundation.tanh($0) }),
    (STRATA_SIGMOID, 0, { Float(1 / (1 + Foundation.exp(-Double($0)))) }),
    (STRATA_POW_SCALAR, 3, { Foundation.pow($0, 3) }),
    (STRATA_SQUARE, 0, { $0 * $0 }),
    (STRATA_RECIPROCAL, 0, { 1 / $0 }),
    (STRATA_ADD_SCALAR, 2.5, { $0 + 2.5 }),
    (STRATA_MUL_SCALAR, -3, { $0 * -3 }),
    (STRATA_MAX_SCALAR, 0.5, { $0.isNaN ? $0 : Swift.max($0, 0.5) }),
    (STRATA_MIN_SCALAR, 0.5, { $0.isNaN ? $0 : Swift.min($0, 0.5) }),
]

/// Distance in units in the last place (0 when both are NaN or equal).
private func ulps(_ a: Float, _ b: Float) -> Int {
    if a == b || (a.isNaN && b.isNaN) { return 0 }
    if a.isNaN || b.isNaN || a.isInfinite || b.isInfinite { return .max }
    let ia = Int(Int32(bitPattern: a.bitPattern)), ib = Int(Int32(bitPattern: b.bitPattern))
    let oa = ia < 0 ? Int(Int32.min) - ia : ia, ob = ib < 0 ? Int(Int32.min) - ib : ib
    return Swift.abs(oa - ob)
}

@Suite("C kernels against Swift references")
struct KernelTests {
    static let inputs: [Float] = {
        var values: [Float] = [0, -0.0, 1e-6, -1e-6, 1e-30, 0.5, -0.5, 1, -1, 2, 20, -20, 87, 88.7, 89, -87, -103,
                               -104, 1e4, -1e4, .infinity, -.infinity, .nan, .leastNormalMagnitude, 3e38]
        var state: UInt64 = 12345
        for _ in 0..<2000 {   // log-uniform magnitudes, both signs
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Float(state >> 40) / Float(1 << 24)
            values.append((state & 1 == 0 ? 1 : -1) * Foundation.pow(10, u * 8 - 4))
        }
        return values
    }()

    @Test func unaryLoops() {
        for (op, parameter, reference) in unaryReferences {
            var output = [Float](repeating: 0, count: Self.inputs.count)
            strata_unary(op, Self.inputs, &output, Self.inputs.count, parameter)
            for (x, y) in zip(Self.inputs, output) {
                let expected = reference(x)
                let error = ulps(y, expected)
                // Transcendentals within a few ulp; |tanh| and sigmoid near 0 are judged absolutely.
                let ok = error <= 4 || Swift.abs(y - expected) < 1e-7 * Swift.max(1, Swift.abs(expected)) * 4
                #expect(ok, "op \(op.rawValue)(\(x)) = \(y), expected \(expected) (\(error) ulp)")
                if !ok { break }
            }
        }
    }

    @Test func binaryLoopsWithScalarBroadcast() {
        let a = Array(Self.inputs.prefix(500)), b = Array(Self.inputs.suffix(500))
        let cases: [(strata_binary_op, (Float, Float) -> Float)] = [
            (STRATA_ADD, +), (STRATA_SUB, -), (STRATA_MUL, *), (STRATA_DIV, /),
            (STRATA_LT, { $0 < $1 ? 1 : 0 }), (STRATA_GE, { $0 >= $1 ? 1 : 0 }), (STRATA_EQ, { $0 == $1 ? 1 : 0 }),
        ]
        for (op, reference) in cases {
            for (sa, sb) in [(1, 1), (0, 1), (1, 0)] {
                var output = [Float](repeating: 0, count: 500)
                strata_binary(op, a, sa, b, sb, &output, 500)
                for i in 0..<500 {
                    let expected = reference(a[i * sa], b[i * sb])
                    #expect(output[i] == expected || (output[i].isNaN && expected.isNaN),
                            "op \(op.rawValue) at \(i): \(output[i]) vs \(expected)")
                }
            }
        }
    }

    @Test func rowAndColumnReductions() {
        let rows = 37, columns = 53
        let x = Tensor.randomUniform([rows * columns], lower: -1, upper: 1, seed: 9).scalars
        var rowSums = [Float](repeating: 0, count: rows), columnSums = [Float](repeating: 0, count: columns)
        var accumulator = [Double](repeating: 0, count: columns)
        strata_sum_rows(x, rows, columns, &rowSums)
        strata_sum_cols(x, rows, columns, &columnSums, &accumulator)
        var rowMax = [Float](repeating: 0, count: rows), columnMin = [Float](repeating: 0, count: columns)
        strata_extreme_rows(x, rows, columns, 1, &rowMax)
        strata_extreme_cols(x, rows, columns, 0, &columnMin)
        for r in 0..<rows {
            let row = x[(r * columns)..<((r + 1) * columns)]
            #expect(Swift.abs(rowSums[r] - Float(row.reduce(0.0) { $0 + Double($1) })) < 1e-5)
            #expect(rowMax[r] == row.max())
        }
        for c in 0..<columns {
            let column = (0..<rows).map { x[$0 * columns + c] }
            #expect(Swift.abs(columnSums[c] - Float(column.reduce(0.0) { $0 + Double($1) })) < 1e-5)
            #expect(columnMin[c] == column.min())
        }
        var nanRow: [Float] = [1, .nan, 3]
        var out: Float = 0
        strata_extreme_rows(&nanRow, 1, 3, 1, &out)
        #expect(out.isNaN)
    }
}

@Suite("Direct convolution")
struct DirectConvolutionTests {
    /// The weight gradient sums its pixels in a fixed number of chunks whatever the thread count:
    /// one, two and three threads give the same bits, and the naive double-precision sums within
    /// float rounding — with ReLU's backward fused (y ≤ 0, exact zeros included, masks the output
    /// gradient) and the bias gradient (a shape past the 1,024-pixel chunk size, with padding and
    /// a 9-filter tail).
    @Test func weightGradientIsTheSameForAnyThreadCount() {
        let (n, h, w, filters) = (3, 20, 21, 9)
        let x = random([n, h, w, 1], seed: 3), gz = random([n * h * w, filters], seed: 4)
        let y = Tensor(shape: gz.shape, scalars: random(gz.shape, seed: 5).scalars.map { $0 < 0.2 ? 0 : $0 })
        let g = ConvGeometry(h: h, w: w, kh: 3, kw: 3, sh: 1, sw: 1, padTop: 1, padLeft: 1, oh: h, ow: w)
        let (xp, inner) = DirectConvolution.padded(x, g)
        #expect(xp.shape == [n, h + 2, w + 2, 1])
        let results = [1, 2, 3].map { threads in
            DirectConvolution.weightGradient(xp, inner, outputGradient: gz, reluOutput: y, biasGradient: true, groups: 1,
                                             kernelShape: [3, 3, 1, filters], pool: ThreadPool(threadCount: threads))
        }
        #expect(results[0].kernel.scalars == results[1].kernel.scalars && results[1].kernel.scalars == results[2].kernel.scalars)
        #expect(results[0].bias!.scalars == results[1].bias!.scalars && results[1].bias!.scalars == results[2].bias!.scalars)
        let xs = x.scalars, ys = y.scalars, masked = zip(gz.scalars, ys).map { $1 > 0 ? Double($0) : 0 }
        for f in 0..<filters {
            let sum = stride(from: f, to: masked.count, by: filters).reduce(0.0) { $0 + masked[$1] }
            #expect(Swift.abs(Double(results[0].bias!.scalars[f]) - sum) < 1e-3)
        }
        for ky in 0..<3 { for kx in 0..<3 { for f in 0..<filters {
            var sum = 0.0
            for b in 0..<n { for oy in 0..<h { for ox in 0..<w {
                let (iy, ix) = (oy + ky - 1, ox + kx - 1)
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                sum += Double(xs[(b * h + iy) * w + ix]) * masked[((b * h + oy) * w + ox) * filters + f]
            } } }
            #expect(Swift.abs(Double(results[0].kernel.scalars[(ky * 3 + kx) * filters + f]) - sum) < 1e-3)
        } } }
    }
}

@Suite("Thread pool and buffer pool")
struct InfrastructureTests {
    @Test func everyPartRunsExactlyOnce() {
        let pool = ThreadPool(threadCount: 3)
        for parts in [1, 2, 3, 7, 100] {
            let counts = UnsafeMutablePointer<Int>.allocate(capacity: parts)
            counts.initialize(repeating: 0, count: parts)
            defer { counts.deallocate() }
            for _ in 0..<50 { pool.run(parts: parts) { counts[$0] += 1 } }
            #expect((0..<parts).allSatisfy { counts[$0] == 50 })
        }
    }

    @Test func nestedRunsSerially() {
        let pool = ThreadPool(threadCount: 2)
        let total = UnsafeMutablePointer<Int>.allocate(capacity: 4)
        total.initialize(repeating: 0, count: 4)
        defer { total.deallocate() }
        pool.run(parts: 2) { outer in
            pool.run(parts: 2) { inner in total[outer * 2 + inner] += 1 }
        }
        #expect((0..<4).allSatisfy { total[$0] == 1 })
    }

    @Test func sizeClassesAndReuse() {
        #expect(BufferPool.capacity(for: 10) == 10)
        #expect(BufferPool.capacity(for: 4096) == 4096)
        #expect(BufferPool.capacity(for: 4097) == 4608)                  // 4096 + 4096/8
        #expect(BufferPool.capacity(for: 150_000) >= 150_000)
        #expect(Double(BufferPool.capacity(for: 150_000)) <= 150_000 * 1.125)
        let pool = BufferPool(cacheLimitBytes: 1 << 20)
        let first = pool.allocate(count: 10_000)
        #expect(first.missed)                                        // an empty pool
        pool.release(first.pointer, capacity: first.capacity)
        let second = pool.allocate(count: 10_100)                    // same size class
        #expect(second.pointer == first.pointer && !second.missed)
        pool.release(second.pointer, capacity: second.capacity)
        let small = pool.allocate(count: 10)
        #expect(!small.missed)                                       // too small to pool: never a miss
        pool.release(small.pointer, capacity: small.capacity)
    }
}
