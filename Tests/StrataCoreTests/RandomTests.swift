import StrataTestSupport
import Testing
@testable import StrataCore

@Suite("Random numbers", .serialized)
struct RandomTests {
    @Test func philoxKnownAnswers() {
        // Known-answer vectors of Random123 (kat_vectors, philox4x32_10).
        let zero = Philox4x32(key: 0).block(0, stream: 0)
        #expect([zero.0, zero.1, zero.2, zero.3] == [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
        let ones = Philox4x32(key: .max).block(.max, stream: .max)
        #expect([ones.0, ones.1, ones.2, ones.3] == [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])
        let pi = Philox4x32(key: 0x299f_31d0_a409_3822).block(0x85a3_08d3_243f_6a88, stream: 0x0370_7344_1319_8a2e)
        #expect([pi.0, pi.1, pi.2, pi.3] == [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
    }

    @Test func sameSeedSameBits() {
        #expect(Tensor.randomNormal([1000], seed: 7) == Tensor.randomNormal([1000], seed: 7))
        #expect(Tensor.randomUniform([10], seed: 7) != Tensor.randomUniform([10], seed: 8))
        // A scoped stream, so that tests running in parallel cannot draw from it meanwhile.
        let draw = { (Tensor.randomUniform([5]), Tensor.truncatedNormal([5]), Tensor.randomUniform([5])) }
        let first = Random.withSeed(42, draw), second = Random.withSeed(42, draw)
        #expect(first.0 == second.0 && first.1 == second.1 && first.2 == second.2)
        #expect(first.0 != first.2, "the stream advances")
        #expect(Random.withSeed(43, draw).0 != first.0)
    }

    @Test func independentOfThreadCountAndSize() {
        // Element i depends only on the seed and i: a prefix of a longer draw is the shorter draw.
        let long = Tensor.randomUniform([200_000], seed: 3)
        let short = Tensor.randomUniform([1_001], seed: 3)
        #expect(Array(long.scalars.prefix(1_001)) == short.scalars)
    }

    /// Uniform and Bernoulli tensors are filled in C (`strata_philox_fill`): the values of the
    /// Swift generator's words, element 4i + j from word j of block i — `lower + scale·u` rounded
    /// twice (no fused multiply-add), u < p strictly — for lengths that end mid-block and lengths
    /// that threads split, on every instruction set (`.ci/run` runs this suite under each).
    @Test(arguments: [1, 6, 4_099, 70_001])
    func cFillsTheSwiftGeneratorsValues(count: Int) {
        let (seed, lower, upper, p): (UInt64, Float, Float, Float) = (0x5EED_0000_0000_0011, -0.3, 0.7, 0.25)
        let generator = Philox4x32(key: seed)
        let words = (0..<(count + 3) / 4).flatMap { block -> [UInt32] in
            let w = generator.block(UInt64(block))
            return [w.0, w.1, w.2, w.3]
        }.prefix(count)
        let u = words.map { Float($0 >> 8) * 0x1p-24 }
        #expect(Tensor.randomUniform([count], lower: lower, upper: upper, seed: seed).scalars
                == u.map { lower + (upper - lower) * $0 })
        #expect(Tensor.bernoulli([count], probability: p, seed: seed).scalars == u.map { $0 < p ? 1 : 0 })
        #expect(Tensor.bernoulli([count], probability: 1, seed: seed).scalars.allSatisfy { $0 == 1 })
        #expect(Tensor.bernoulli([count], probability: 0, seed: seed).scalars.allSatisfy { $0 == 0 })
    }

    @Test func distributions() {
        let n = 200_000
        let uniform = Tensor.randomUniform([n], lower: -2, upper: 4, seed: 1)
        #expect(abs(uniform.mean().scalar - 1) < 0.02)
        #expect(abs(uniform.variance().scalar - 3) < 0.05)        // (b − a)² / 12
        #expect(uniform.min().scalar >= -2 && uniform.max().scalar < 4)

        let normal = Tensor.randomNormal([n], mean: 1, stddev: 2, seed: 2)
        #expect(abs(normal.mean().scalar - 1) < 0.02)
        #expect(abs(normal.variance().scalar.squareRoot() - 2) < 0.02)

        let truncated = Tensor.truncatedNormal([n], stddev: 1, seed: 3)
        #expect(truncated.max().scalar <= 2 && truncated.min().scalar >= -2)
        #expect(abs(truncated.variance().scalar.squareRoot() - 0.87962566) < 0.01)

        let mask = Tensor.bernoulli([n], probability: 0.3, seed: 4)
        #expect(Set(mask.scalars) == [0, 1])
        #expect(abs(mask.mean().scalar - 0.3) < 0.01)
    }
}
