import Foundation

/// Adamax (Kingma & Ba 2015, §7; Keras `Adamax`): Adam with the infinity norm.
///
///     m ← m + (g − m)(1 − β₁);  u ← max(β₂·u, |g|)
///     w ← w − lr·m / ((1 − β₁ᵗ)(u + ε))
///
/// Defaults (Keras 3): learning rate 0.001, β₁ 0.9, β₂ 0.999, ε 1e-7.
public final class Adamax: Optimizer {
    /// Decay of the first moment.
    public let beta1: Float
    /// Decay of the infinity norm.
    public let beta2: Float
    /// Added to u.
    public let epsilon: Float

    /// Creates the optimizer.
    public init(learningRate: LearningRate = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
                clipNorm: Float? = nil, clipValue: Float? = nil, globalClipNorm: Float? = nil, weightDecay: Float? = nil) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        super.init(learningRate: learningRate, clipNorm: clipNorm, clipValue: clipValue,
                   globalClipNorm: globalClipNorm, weightDecay: weightDecay)
    }

    public override var slotNames: [String] { ["momentum", "norm"] }

    public override func update(_ w: inout Tensor, gradient g: Tensor, slots: inout [Tensor], step: Int, learningRate lr: Float) {
        Moments.updateFirst(&slots[0], g, beta1: beta1)
        slots[1] = maximum(slots[1] * beta2, abs(g))
        let correction = 1 - Foundation.pow(beta1, Float(step))
        w = w - slots[0] * lr / ((slots[1] + epsilon) * correction)
    }

    public override var options: [String: ConfigValue] {
        ["beta_1": .float(beta1), "beta_2": .float(beta2), "epsilon": .float(epsilon)]
    }
}
