import StrataCore

/// What `RandomContrast` and `RandomBrightness` share: a random factor, the value range the
/// pixels live in (Keras' `value_range`, default (0, 255)) that outputs are clipped to, and one
/// draw per image.
public class ColorAugmentation: RandomAugmentation {
    /// The factor, as given.
    public let factor: RandomFactor
    /// The pixels' range: outputs are clipped to it (default 0...255, as Keras; use 0...1 for
    /// images scaled to [0, 1]).
    public let valueRange: ClosedRange<Float>
    var range = (lower: Float(0), upper: Float(0))

    /// Creates the layer (Keras' default value range 0...255).
    public required init(_ factor: RandomFactor, valueRange: ClosedRange<Float> = 0...255, seed: UInt64? = nil,
                         inputShape: [Int]? = nil, name: String? = nil) {
        (self.factor, self.valueRange) = (factor, valueRange)
        super.init(seed: seed, inputShape: inputShape, name: name)
    }

    /// Rebuilds the layer from its config (`factor`, `value_range`, `seed`).
    public required convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: Self.typeName)
        self.init(try r.factor("factor"), valueRange: try r.valueRange(), seed: try r.optionalSeed(),
                  inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    /// One value per image, as a `[n, 1, 1, 1]` tensor, from each image's first draw.
    func perImage(_ draws: [SIMD4<Float>], _ value: (Float) -> Float) -> Tensor {
        Tensor(shape: [draws.count, 1, 1, 1], scalars: draws.map { value($0[0]) })
    }

    public override var options: [String: ConfigValue] {
        super.options.merging(["factor": factor.configValue,
                               "value_range": .array([.float(valueRange.lowerBound), .float(valueRange.upperBound)])]) { $1 }
    }
}

/// Changes each image's contrast by a random factor (Keras `RandomContrast`): per channel,
/// y = (x − mean) · c + mean over the image's pixels, clipped to `valueRange`, with c drawn from
/// [1 − lower, 1 + upper] — `factor` a number f (lower = upper = f, as Keras documents; Keras
/// 3.15's code draws from [1, 1 + f] instead) or a pair, each in [0, 1].
///
///     RandomContrast(0.2, valueRange: 0...1)
public final class RandomContrast: ColorAugmentation, ConfigurableLayer {
    public override func build(for inputShape: [Int]) throws {
        try super.build(for: inputShape)
        range = try factor.range(within: 0...1, symmetric: false, key: "factor", context: "\(Self.typeName) '\(name)'")
    }

    override func augment(_ x: Tensor, draws: [SIMD4<Float>]) -> Tensor {
        let contrast = perImage(draws) { uniform($0, 1 - range.lower, 1 + range.upper) }
        let mean = x.mean(axes: [1, 2], keepDims: true)
        return clamp((x - mean) * contrast + mean, min: valueRange.lowerBound, max: valueRange.upperBound)
    }
}

/// Shifts each image's brightness by a random amount (Keras `RandomBrightness`): y = x + δ,
/// clipped to `valueRange`, with δ = uniform(lower, upper) · (max − min) of the range — `factor`
/// a number f ([−f, f]) or a pair, each in [−1, 1].
///
///     RandomBrightness(0.2, valueRange: 0...1)
public final class RandomBrightness: ColorAugmentation, ConfigurableLayer {
    public override func build(for inputShape: [Int]) throws {
        try super.build(for: inputShape)
        range = try factor.range(within: -1...1, key: "factor", context: "\(Self.typeName) '\(name)'")
    }

    override func augment(_ x: Tensor, draws: [SIMD4<Float>]) -> Tensor {
        let span = valueRange.upperBound - valueRange.lowerBound
        let delta = perImage(draws) { uniform($0, range.lower, range.upper) * span }
        return clamp(x + delta, min: valueRange.lowerBound, max: valueRange.upperBound)
    }
}
