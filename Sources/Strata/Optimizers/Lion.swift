/// Lion (Chen et al. 2023; Keras `Lion`): the sign of an interpolated momentum.
///
///     w ← w − lr·sign(β₁·m + (1 − β₁)·g);  m ← β₂·m + (1 − β₂)·g
///
/// Defaults (Keras 3): learning rate 0.001, β₁ 0.9, β₂ 0.99.
public final class Lion: Optimizer, ConfigurableOptimizer {
    /// Interpolation factor of the update direction.
    public let beta1: Float
    /// Decay of the momentum.
    public let beta2: Float

    /// Creates the optimizer.
    public init(learningRate: LearningRate = 0.001, beta1: Float = 0.9, beta2: Float = 0.99,
                clipNorm: Float? = nil, clipValue: Float? = nil, globalClipNorm: Float? = nil, weightDecay: Float? = nil, gradientAccumulationSteps: Int? = nil) {
        precondition(beta1 > 0 && beta1 <= 1, "Lion: beta1 must be in (0, 1], got \(beta1)")
        self.beta1 = beta1
        self.beta2 = beta2
        super.init(learningRate: learningRate, clipNorm: clipNorm, clipValue: clipValue,
                   globalClipNorm: globalClipNorm, weightDecay: weightDecay,
                   gradientAccumulationSteps: gradientAccumulationSteps)
    }

    /// Rebuilds the optimizer from its configuration (Keras' keys; absent ones default as in `init`).
    public convenience init(config: ConfigValue) throws {
        let o = try OptimizerOptions(config, owner: "Lion"), d = Lion()
        self.init(learningRate: o.learningRate ?? d.learningRate, beta1: try o.float("beta_1", default: d.beta1, in: Float.leastNonzeroMagnitude...1),
                  beta2: try o.float("beta_2", default: d.beta2), clipNorm: o.clipNorm, clipValue: o.clipValue, globalClipNorm: o.globalClipNorm, weightDecay: o.weightDecay,
                  gradientAccumulationSteps: o.gradientAccumulationSteps)
    }

    public override var slotNames: [String] { ["momentum"] }

    public override func update(_ w: inout Tensor, gradient g: Tensor, slots: inout [Tensor], step: Int, learningRate lr: Float) {
        w.applyUpdate(.lion(learningRate: lr, beta1: beta1, beta2: beta2), gradient: g, slots: &slots)
    }

    public override var options: [String: ConfigValue] { ["beta_1": .float(beta1), "beta_2": .float(beta2)] }
}
