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
                  name: try r.layerName)
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

extension GaussianNoise: NoiseLayer {
    var noiseCalls: UInt64 {
        get { seeds.calls }
        set { seeds.calls = newValue }
    }
}
