/// RMSProp (Hinton's lecture 6e; Keras `RMSprop`):
///
///     v ← ρ·v + (1 − ρ)·g²
///     centered:  ḡ ← ρ·ḡ + (1 − ρ)·g;  d = v − ḡ² + ε    otherwise  d = v + ε
///     Δ = lr·g / √d
///     momentum > 0:  m ← momentum·m + Δ;  w ← w − m      otherwise  w ← w − Δ
///
/// Defaults (Keras 3): learning rate 0.001, ρ 0.9, momentum 0, ε = 1e-7 (inside the root),
/// not centered.
///
///     RMSprop(rho: 0.9)
public final class RMSprop: Optimizer, ConfigurableOptimizer {
    /// Decay of the squared-gradient average.
    public let rho: Float
    /// Momentum factor (0: none).
    public let momentum: Float
    /// Added inside the square root.
    public let epsilon: Float
    /// Whether to divide by the variance rather than the second moment.
    public let centered: Bool

    /// Creates the optimizer.
    public init(learningRate: LearningRate = 0.001, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7,
                centered: Bool = false, clipNorm: Float? = nil, clipValue: Float? = nil,
                globalClipNorm: Float? = nil, weightDecay: Float? = nil, gradientAccumulationSteps: Int? = nil) {
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered
        super.init(learningRate: learningRate, clipNorm: clipNorm, clipValue: clipValue,
                   globalClipNorm: globalClipNorm, weightDecay: weightDecay,
                   gradientAccumulationSteps: gradientAccumulationSteps)
    }

    /// Rebuilds the optimizer from its configuration (Keras' keys; absent ones default as in `init`).
    public convenience init(config: ConfigValue) throws {
        let o = try OptimizerOptions(config, owner: "RMSprop"), d = RMSprop()
        self.init(learningRate: o.learningRate ?? d.learningRate, rho: try o.float("rho", default: d.rho),
                  momentum: try o.float("momentum", default: d.momentum, in: 0...1), epsilon: try o.float("epsilon", default: d.epsilon),
                  centered: try o.bool("centered", default: d.centered), clipNorm: o.clipNorm, clipValue: o.clipValue, globalClipNorm: o.globalClipNorm, weightDecay: o.weightDecay,
                  gradientAccumulationSteps: o.gradientAccumulationSteps)
    }

    public override var slotNames: [String] {
        ["velocity"] + (momentum > 0 ? ["momentum"] : []) + (centered ? ["average_gradient"] : [])
    }

    public override func update(_ w: inout Tensor, gradient g: Tensor, slots: inout [Tensor], step: Int, learningRate lr: Float) {
        w.applyUpdate(.rmsprop(learningRate: lr, rho: rho, momentum: momentum, epsilon: epsilon, centered: centered),
                      gradient: g, slots: &slots)
    }

    public override var options: [String: ConfigValue] {
        ["rho": .float(rho), "momentum": .float(momentum), "epsilon": .float(epsilon), "centered": .bool(centered)]
    }
}
