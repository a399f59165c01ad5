import StrataTestSupport
import Testing
@testable import Strata

@Suite("Initializers and regularizers")
struct InitializerTests {
    @Test func fansFollowKeras() {
        #expect(Initializer.fans(of: [784, 300]) == (784, 300))
        #expect(Initializer.fans(of: [3, 3, 16, 32]) == (144, 288))
        #expect(Initializer.fans(of: [5]) == (5, 5))
        #expect(Initializer.fans(of: []) == (1, 1))
    }

    /// (initializer, expected standard deviation, bound if uniform) for a [400, 600] kernel.
    static let fanIn: Float = 400, fanOut: Float = 600
    static let cases: [(String, Initializer, Float, Float?)] = [
        ("glorot_uniform", .glorotUniform(seed: 1), (2 / (fanIn + fanOut)).squareRoot(), (6 / (fanIn + fanOut)).squareRoot()),
        ("glorot_normal", .glorotNormal(seed: 2), (2 / (fanIn + fanOut)).squareRoot(), nil),
        ("he_uniform", .heUniform(seed: 3), (2 / fanIn).squareRoot(), (6 / fanIn).squareRoot()),
        ("he_normal", .heNormal(seed: 4), (2 / fanIn).squareRoot(), nil),
        ("lecun_uniform", .lecunUniform(seed: 5), (1 / fanIn).squareRoot(), (3 / fanIn).squareRoot()),
        ("lecun_normal", .lecunNormal(seed: 6), (1 / fanIn).squareRoot(), nil),
        ("variance_scaling fan_out untruncated", .varianceScaling(scale: 3, mode: .fanOut, distribution: .untruncatedNormal, seed: 7),
         (3 / fanOut).squareRoot(), nil),
        ("random_uniform", .randomUniform(minval: -0.05, maxval: 0.05, seed: 8), 0.1 / 12.0.squareRoot().float, 0.05),
        ("random_normal", .randomNormal(stddev: 0.05, seed: 9), 0.05, nil),
        ("truncated_normal", .truncatedNormal(stddev: 0.05, seed: 10), 0.05 * 0.879_625_66, nil),
    ]

    @Test func statisticsOnLargeDraws() {
        for (name, initializer, stddev, bound) in Self.cases {
            let w = initializer([400, 600])
            #expect(abs(w.mean().scalar) < stddev * 0.02, "\(name): mean \(w.mean().scalar)")
            let measured = w.variance().scalar.squareRoot()
            #expect(abs(measured / stddev - 1) < 0.01, "\(name): std \(measured), expected \(stddev)")
            if let bound { #expect(w.max().scalar < bound && w.min().scalar >= -bound, "\(name) exceeds ±\(bound)") }
        }
        // Truncated-normal families stay within 2σ of the untruncated scale.
        let he = Initializer.heNormal(seed: 4)([400, 600])
        #expect(he.max().scalar <= 2 * (2 / Self.fanIn).squareRoot() / 0.879_625_66)
    }

    @Test func seededAndReproducible() {
        #expect(Initializer.heNormal(seed: 3)([10, 10]) == Initializer.heNormal(seed: 3)([10, 10]))
        let a = Random.withSeed(1) { Initializer.glorotUniform([10, 10]) }
        #expect(Random.withSeed(1) { Initializer.glorotUniform([10, 10]) } == a)
        #expect(Random.withSeed(2) { Initializer.glorotUniform([10, 10]) } != a)
        #expect(Initializer.constant(3)([2]).scalars == [3, 3])
        #expect(Initializer.zeros([2]).scalars == [0, 0] && Initializer.ones([1]).scalars == [1])
    }

    @Test func orthogonalRowsOrColumnsAreOrthonormal() {
        for shape in [[6, 4], [4, 6], [5, 5], [2, 3, 4]] {
            let w = Initializer.orthogonal(gain: 1, seed: 3)(shape)
            #expect(w.shape == shape)
            let m = w.reshaped(to: [-1, shape.last!])
            let gram = m.shape[0] >= m.shape[1] ? matmul(m, m, transposeA: true) : matmul(m, m, transposeB: true)
            let n = gram.shape[0]
            let identity = Tensor(shape: [n, n], scalars: (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 })
            #expect(isClose(gram, identity.scalars, tolerance: 1e-5), "\(shape): \(gram.scalars)")
        }
    }

    @Test func configRoundTrip() throws {
        for (name, initializer, _, _) in Self.cases {
            #expect(try Initializer(config: initializer.config) == initializer, "\(name)")
        }
        #expect(try Initializer(config: .string("he_normal")) == .heNormal)
        #expect(try Initializer(config: Initializer.orthogonal(gain: 2).config) == .orthogonal(gain: 2))
        #expect(try Initializer(config: Initializer.constant(0.5).config) == .constant(0.5))
        #expect(throws: StrataError.self) { try Initializer(config: .string("nope")) }
    }

    @Test func regularizerValuesGradientsAndConfig() throws {
        let w = Tensor([1, -2, 3])
        #expect(Regularizer.l2(0.01)(w).scalar == 0.01 * 14, "Keras' L2 has no ½")
        #expect(Regularizer.l1(0.1)(w).scalar == Float(0.1) * 6)
        #expect(abs(Regularizer.l1l2(l1: 0.1, l2: 0.01)(w).scalar - (0.6 + 0.14)) < 1e-6)
        let (_, g) = valueWithGradient(at: w) { Regularizer.l1l2(l1: 0.1, l2: 0.01)($0) }
        expectClose(g, [0.1 + 0.02, -0.1 - 0.04, 0.1 + 0.06])
        for regularizer in [Regularizer.l1(0.3), .l2(0.2), .l1l2(l1: 0.1, l2: 0.4)] {
            #expect(try Regularizer(config: regularizer.config) == regularizer)
        }
    }
}

private extension Double {
    var float: Float { Float(self) }
}
