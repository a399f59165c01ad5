/// What `Dropout` and `AlphaDropout` share: a drop rate in [0, 1), an optional seed, and a fresh
/// keep mask for each training call (reproducible under a seed or `Random.seed`).
public class RateDropout: Layer, ConfigurableLayer {
    /// Fraction of inputs dropped, in [0, 1).
    public let rate: Float
    /// The seed (nil: the global stream).
    public let seed: UInt64?
    private var seeds: NoiseSeeds

    /// Creates the layer.
    public required init(_ rate: Float, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        self.rate = rate
        self.seed = seed
        self.seeds = NoiseSeeds(seed: seed)
        super.init(name: name, inputShape: inputShape)
    }

    public required convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: Self.typeName)
        self.init(try r.float("rate"), seed: try r.optionalSeed(), inputShape: try r.optionalInts("input_shape"),
                  name: try r.layerName)
    }

    public override func build(for inputShape: [Int]) throws {
        guard rate >= 0, rate < 1 else {
            throw StrataError.invalidArgument("rate must be in [0, 1), got \(rate)", context: "\(Self.typeName) '\(name)'",
                                              expected: "0 ≤ rate < 1")
        }
    }

    /// 1 with probability 1 − rate, else 0, drawn anew for each training call.
    func keepMask(_ shape: [Int]) -> Tensor {
        Tensor.bernoulli(shape, probability: 1 - rate, seed: seeds.next())
    }

    public override var options: [String: ConfigValue] { ["rate": .float(rate), "seed": seed.configValue] }
}

extension RateDropout: NoiseLayer {
    var noiseCalls: UInt64 {
        get { seeds.calls }
        set { seeds.calls = newValue }
    }
}
