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
