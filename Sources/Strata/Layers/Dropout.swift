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
