/// Dropout (Srivastava et al. 2014; Keras `Dropout`): in training, each input is zeroed with
/// probability `rate` and the kept ones are scaled by 1 / (1 − rate) ("inverted" dropout, so the
/// expected value is unchanged); at inference it is the identity.
///
///     Dropout(0.3)
public final class Dropout: Layer, ConfigurableLayer {
    /// Fraction of inputs dropped, in [0, 1).
    public let rate: Float
    /// The seed (nil: the global stream).
    public let seed: UInt64?
    private var seeds: NoiseSeeds

    /// Creates a dropout layer.
    public init(_ rate: Float, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        self.rate = rate
        self.seed = seed
        self.seeds = NoiseSeeds(seed: seed)
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Dropout")
        self.init(try r.float("rate"), seed: try r.optionalSeed(), inputShape: try r.optionalInts("input_shape"),
                  name: try r.string("name"))
    }

    public override func build(for inputShape: [Int]) throws {
        try NoiseRate.validate(rate, layer: "Dropout '\(name)'")
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return x }
        let keep = Tensor.bernoulli(x.shape, probability: 1 - rate, seed: seeds.next())
        return x * (keep * (1 / (1 - rate)))
    }

    public override var options: [String: ConfigValue] { ["rate": .float(rate), "seed": seed.configValue] }
}

/// Alpha dropout (Klambauer et al. 2017; Keras `AlphaDropout`): drops inputs to SELU's negative
/// saturation value −λα instead of 0, then applies the affine correction `a·x + b` that keeps the
/// mean and variance of self-normalized activations — dropout for SELU networks. Identity at
/// inference.
public final class AlphaDropout: Layer, ConfigurableLayer {
    /// Fraction of inputs dropped, in [0, 1).
    public let rate: Float
    /// The seed (nil: the global stream).
    public let seed: UInt64?
    private var seeds: NoiseSeeds

    /// Creates an alpha-dropout layer.
    public init(_ rate: Float, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        self.rate = rate
        self.seed = seed
        self.seeds = NoiseSeeds(seed: seed)
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "AlphaDropout")
        self.init(try r.float("rate"), seed: try r.optionalSeed(), inputShape: try r.optionalInts("input_shape"),
                  name: try r.string("name"))
    }

    public override func build(for inputShape: [Int]) throws {
        try NoiseRate.validate(rate, layer: "AlphaDropout '\(name)'")
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return x }
        // Keras: alpha_p = −λα; a = ((1 − rate)(1 + rate·alpha_p²))^−½; b = −a·alpha_p·rate.
        let alphaP = -SELUConstants.alpha * SELUConstants.scale
        let a = 1 / ((1 - rate) * (1 + rate * alphaP * alphaP)).squareRoot()
        let b = -a * alphaP * rate
        let keep = Tensor.bernoulli(x.shape, probability: 1 - rate, seed: seeds.next())
        return (x * keep + (1 - keep) * alphaP) * a + b
    }

    public override var options: [String: ConfigValue] { ["rate": .float(rate), "seed": seed.configValue] }
}

/// Additive zero-mean Gaussian noise in training (Keras `GaussianNoise`); identity at inference.
public final class GaussianNoise: Layer, ConfigurableLayer {
    /// Standard deviation of the noise.
    public let stddev: Float
    /// The seed (nil: the global stream).
    public let seed: UInt64?
    private var seeds: NoiseSeeds

    /// Creates a Gaussian-noise layer.
    public init(_ stddev: Float, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        self.stddev = stddev
        self.seed = seed
        self.seeds = NoiseSeeds(seed: seed)
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "GaussianNoise")
        self.init(try r.float("stddev"), seed: try r.optionalSeed(), inputShape: try r.optionalInts("input_shape"),
                  name: try r.string("name"))
    }

    public override func build(for inputShape: [Int]) throws {
        guard stddev >= 0, stddev.isFinite else {
            throw StrataError.invalidArgument("stddev must be a finite number ≥ 0, got \(stddev)", context: "GaussianNoise '\(name)'")
        }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        guard training, stddev > 0 else { return x }
        return x + Tensor.randomNormal(x.shape, stddev: stddev, seed: seeds.next())
    }

    public override var options: [String: ConfigValue] { ["stddev": .float(stddev), "seed": seed.configValue] }
}

/// Validation shared by the dropout layers.
enum NoiseRate {
    static func validate(_ rate: Float, layer: String) throws {
        guard rate >= 0, rate < 1 else {
            throw StrataError.invalidArgument("rate must be in [0, 1), got \(rate)", context: layer, expected: "0 ≤ rate < 1")
        }
    }
}
