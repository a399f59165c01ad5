import Foundation

/// Adamax (Kingma & Ba 2015, §7; Keras `Adamax`): Adam with the infinity norm.
///
///     m ← m + (g − m)(1 − β₁);  u ← max(β₂·u, |g|)
///     w ← w − lr·m / ((1 − β₁ᵗ)(u + ε))
///
/// Defaults (Keras 3): learning rate 0.001, β₁ 0.9, β₂ 0.999, ε 1e-7.
public final class Adamax: MomentOptimizer, ConfigurableOptimizer {
    /// Creates the optimizer.
    /// Rebuilds the optimizer from its configuration (Keras' keys; absent ones default as in `init`).
    public convenience init(config: ConfigValue) throws {
        let o = try OptimizerOptions(config, owner: "Adamax"), d = Adamax()
        self.init(learningRate: o.learningRate ?? d.learningRate, beta1: try o.float("beta_1", default: d.beta1, in: Float.leastNonzeroMagnitude...1),
                  beta2: try o.float("beta_2", default: d.beta2), epsilon: try o.float("epsilon", default: d.epsilon),
                  clipNorm: o.clipNorm, clipValue: o.clipValue, globalClipNorm: o.globalClipNorm, weightDecay: o.weightDecay,
                  gradientAccumulationSteps: o.gradientAccumulationSteps)
    }

    public override init(learningRate: LearningRate = 0.001, beta1: Float = 0.9, beta2: Float = 0.999,
                         epsilon: Float = 1e-7, clipNorm: Float? = nil, clipValue: Float? = nil,
                         globalClipNorm: Float? = nil, weightDecay: Float? = nil, gradientAccumulationSteps: Int? = nil) {
        super.init(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, clipNorm: clipNorm,
                   clipValue: clipValue, globalClipNorm: globalClipNorm, weightDecay: weightDecay,
                   gradientAccumulationSteps: gradientAccumulationSteps)
    }

    public override var slotNames: [String] { ["momentum", "norm"] }

    public override func update(_ w: inout Tensor, gradient g: Tensor, slots: inout [Tensor], step: Int, learningRate lr: Float) {
        let correction = 1 - Foundation.pow(beta1, Float(step))
        w.applyUpdate(.adamax(rate: lr / correction, beta1: beta1, beta2: beta2, epsilon: epsilon), gradient: g, slots: &slots)
    }
}
