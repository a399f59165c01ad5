import Foundation
import CStrataKernels

// Constant and random tensors. Random ones are determined by their seed (or, without one, by the
// next seed of the global stream: see `Random`), bit for bit on every platform and thread count.

extension Tensor {
    /// All zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// All ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// Every element equal to `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor { Tensor(repeating: value, shape: shape) }

    /// Uniform in `[lower, upper)`.
    ///
    ///     Tensor.randomUniform([784, 300], lower: -0.07, upper: 0.07, seed: 42)
    public static func randomUniform(_ shape: [Int], lower: Float = 0, upper: Float = 1, seed: UInt64? = nil) -> Tensor {
        precondition(lower <= upper, "randomUniform: lower \(lower) is above upper \(upper)")
        return philoxFill(shape, seed: seed, bernoulli: false, lower: lower, scale: upper - lower, probability: 0)
    }

    /// Normal with the given mean and standard deviation (Box–Muller on Philox words).
    public static func randomNormal(_ shape: [Int], mean: Float = 0, stddev: Float = 1, seed: UInt64? = nil) -> Tensor {
        fillFromBlocks(shape, seed: seed) { a, b, c, d in
            let (z0, z1) = boxMuller(a, b), (z2, z3) = boxMuller(c, d)
            return (mean + stddev * z0, mean + stddev * z1, mean + stddev * z2, mean + stddev * z3)
        }
    }

    /// Normal with values more than two standard deviations from the mean drawn again — Keras'
    /// `TruncatedNormal` (the standard deviation of the result is ≈ 0.88 · `stddev`).
    public static func truncatedNormal(_ shape: [Int], mean: Float = 0, stddev: Float = 1, seed: UInt64? = nil) -> Tensor {
        let generator = Philox4x32(key: seed ?? Random.nextSeed())
        var result = Tensor(uninitializedShape: shape)
        result.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            parallelChunks(count: buffer.count, grain: 1 << 14) { range in
                for i in range {
                    // Element i draws attempt after attempt from its own sub-stream.
                    var attempt: UInt64 = 0
                    while true {
                        let (a, b, _, _) = generator.block(UInt64(i), stream: attempt &+ 1)
                        let (z, _) = boxMuller(a, b)
                        if abs(z) <= 2 {
                            base[i] = mean + stddev * z
                            break
                        }
                        attempt += 1
                    }
                }
            }
        }
        return result
    }

    /// 1 with probability `probability`, else 0 — the masks of dropout.
    public static func bernoulli(_ shape: [Int], probability: Float, seed: UInt64? = nil) -> Tensor {
        precondition(probability >= 0 && probability <= 1, "bernoulli: probability \(probability) is outside [0, 1]")
        return philoxFill(shape, seed: seed, bernoulli: true, lower: 0, scale: 0, probability: probability)
    }

    /// Uniform values `lower + scale·u`, or Bernoulli ones `u < probability`, of u =
    /// `Philox4x32.unitFloat` of each word of the seed's stream (element 4i + j from word j of
    /// block i), in one C pass split across threads (`strata_philox_fill`).
    private static func philoxFill(_ shape: [Int], seed: UInt64?, bernoulli: Bool, lower: Float, scale: Float,
                                   probability: Float) -> Tensor {
        let key = seed ?? Random.nextSeed()
        let result = Tensor(uninitializedShape: shape)
        let count = result.count
        parallelChunks(count: (count + 3) / 4, grain: 1 << 13) { blocks in
            strata_philox_fill(key, blocks.lowerBound, blocks.upperBound, count, bernoulli ? 1 : 0, lower, scale, probability,
                               result.storage.pointer)
        }
        return result
    }

    /// Fills a tensor four elements per Philox block: elements 4i ..< 4i+4 come from block i.
    private static func fillFromBlocks(
        _ shape: [Int], seed: UInt64?,
        _ transform: @escaping (UInt32, UInt32, UInt32, UInt32) -> (Float, Float, Float, Float)
    ) -> Tensor {
        let generator = Philox4x32(key: seed ?? Random.nextSeed())
        var result = Tensor(uninitializedShape: shape)
        result.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!, count = buffer.count
            parallelChunks(count: (count + 3) / 4, grain: 1 << 13) { blocks in
                for block in blocks {
                    let (a, b, c, d) = generator.block(UInt64(block))
                    let v = transform(a, b, c, d)
                    let start = block * 4
                    base[start] = v.0
                    if start + 1 < count { base[start + 1] = v.1 }
                    if start + 2 < count { base[start + 2] = v.2 }
                    if start + 3 < count { base[start + 3] = v.3 }
                }
            }
        }
        return result
    }

    /// Two independent standard normals from two words (computed in double, rounded once).
    private static func boxMuller(_ a: UInt32, _ b: UInt32) -> (Float, Float) {
        let u1 = (Double(a) + 1) * 0x1p-32          // (0, 1]: log is finite
        let u2 = Double(b) * 0x1p-32
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        return (Float(radius * Foundation.cos(angle)), Float(radius * Foundation.sin(angle)))
    }
}

extension Tensor {
    /// One-hot rows: `indices` (class numbers stored as floats, any shape) become a tensor of
    /// shape `indices.shape + [depth]` with a 1 at each index.
    ///
    /// - Precondition: every index is an integer in `0..<depth`.
    public static func oneHot(_ indices: Tensor, depth: Int) -> Tensor {
        precondition(depth > 0, "oneHot: depth must be positive, got \(depth)")
        var result = Tensor.zeros(indices.shape + [depth])
        indices.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { destination in
                for (row, value) in source.enumerated() {
                    let index = Int(exactly: value) ?? -1
                    precondition(index >= 0 && index < depth,
                                 "oneHot: index \(value) at position \(row) is not an integer in 0..<\(depth)")
                    destination[row * depth + index] = 1
                }
            }
        }
        return result
    }
}
