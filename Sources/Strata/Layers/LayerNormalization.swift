/// Layer normalization (Ba et al. 2016; Keras `LayerNormalization`): each sample is normalized
/// over `axes` with its own mean and variance, then scaled by γ and shifted by β (learned per
/// feature of those axes). Same in training and inference. γ and β have the shape of the
/// normalized axes (`[features]` for the last axis), as Keras builds them.
///
/// Defaults (Keras 3): the last axis, epsilon 1e-3, center and scale on, γ ones, β zeros.
public final class LayerNormalization: Layer, ConfigurableLayer {
    /// Axes normalized over (batch axis is 0; default `[-1]`).
    public let axes: [Int]
    /// Added to the variance before the square root.
    public let epsilon: Float
    /// Whether β is learned.
    public let center: Bool
    /// Whether γ is learned.
    public let scale: Bool
    /// Initializers of β and γ.
    public let betaInitializer: Initializer, gammaInitializer: Initializer
    /// Learned scale and offset (nil until built or when disabled).
    public private(set) var gamma: Variable?, beta: Variable?

    /// Creates a layer-normalization layer.
    public init(axes: [Int] = [-1], epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true,
                betaInitializer: Initializer = .zeros, gammaInitializer: Initializer = .ones,
                inputShape: [Int]? = nil, name: String? = nil) {
        self.axes = axes
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "LayerNormalization")
        let axes: [Int] = if case .number = r.value("axis") { [try r.int("axis")] } else { try r.optionalInts("axis") ?? [-1] }
        self.init(axes: axes, epsilon: try r.float("epsilon", default: 1e-3), center: try r.bool("center", default: true),
                  scale: try r.bool("scale", default: true),
                  betaInitializer: r.value("beta_initializer") == .null ? .zeros : try Initializer(config: r.value("beta_initializer")),
                  gammaInitializer: r.value("gamma_initializer") == .null ? .ones : try Initializer(config: r.value("gamma_initializer")),
                  inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    private func resolvedAxes(sampleRank: Int) -> [Int]? {
        let rank = sampleRank + 1
        let resolved = axes.map { $0 < 0 ? $0 + rank : $0 }
        return resolved.allSatisfy({ $0 >= 1 && $0 < rank }) && Set(resolved).count == resolved.count ? resolved.sorted() : nil
    }

    /// γ/β broadcast against a batch of `shape`: the sizes of the normalized axes, 1 elsewhere.
    private func broadcastShape(_ shape: [Int], axes: [Int]) -> [Int] {
        shape.indices.map { axes.contains($0) ? shape[$0] : 1 }
    }

    public override func build(for inputShape: [Int]) throws {
        guard let axes = resolvedAxes(sampleRank: inputShape.count) else {
            throw StrataError.invalidArgument("axes \(self.axes) are out of range for samples of shape \(inputShape)",
                                              context: "LayerNormalization '\(name)'", expected: "distinct feature axes")
        }
        // Keras: `param_shape = [input_shape[dim] for dim in axis]`.
        let shape = axes.map { inputShape[$0 - 1] }
        if scale { gamma = try addWeight("gamma", shape: shape, initializer: gammaInitializer) }
        if center { beta = try addWeight("beta", shape: shape, initializer: betaInitializer) }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let axes = resolvedAxes(sampleRank: x.rank - 1)!
        let mean = x.mean(axes: axes, keepDims: true)
        let variance = square(x - mean).mean(axes: axes, keepDims: true)
        var y = (x - mean) * rsqrt(variance + epsilon)
        let shape = broadcastShape(x.shape, axes: axes)
        if let gamma { y = y * gamma.value.reshaped(to: shape) }
        if let beta { y = y + beta.value.reshaped(to: shape) }
        return y
    }

    public override var options: [String: ConfigValue] {
        ["axis": .ints(axes), "epsilon": .float(epsilon), "center": .bool(center), "scale": .bool(scale),
         "beta_initializer": betaInitializer.config, "gamma_initializer": gammaInitializer.config]
    }
}
