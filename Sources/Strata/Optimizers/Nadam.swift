import Foundation

/// Nadam (Dozat 2016; Keras `Nadam`): Adam with Nesterov momentum and Keras' momentum-cache
/// schedule μₜ = β₁(1 − ½·0.96ᵗ):
///
///     Πₜ = Πₜ₋₁·μₜ (once per step, before the updates; Π₀ = 1)
///     m ← m + (g − m)(1 − β₁);  v ← v + (g² − v)(1 − β₂)
///     m̂ = μₜ₊₁·m / (1 − Πₜ·μₜ₊₁) + (1 − μₜ)·g / (1 − Πₜ);  v̂ = v / (1 − β₂ᵗ)
///     w ← w − lr·m̂ / (√v̂ + ε)
///
/// Defaults (Keras 3): learning rate 0.001, β₁ 0.9, β₂ 0.999, ε 1e-7.
public final class Nadam: MomentOptimizer, ConfigurableOptimizer {
    /// Π of the momentum cache over the steps so far (Keras' `_u_product`).
    public private(set) var momentumProduct: Float = 1

    /// Creates the optimizer.
    /// Rebuilds the optimizer from its configuration (Keras' keys; absent ones default as in `init`).
    public convenience init(config: ConfigValue) throws {
        let o = try OptimizerOptions(config, owner: "Nadam"), d = Nadam()
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

    public override var slotNames: [String] { ["momentum", "velocity"] }

    private func momentumCache(_ step: Int) -> Float { beta1 * (1 - 0.5 * Foundation.pow(0.96, Float(step))) }

    public override var scalarState: [String: Float] {
        get { ["u_product": momentumProduct] }
        set { momentumProduct = newValue["u_product"] ?? 1 }
    }

    public override func prepareStep(_ step: Int) {
        momentumProduct *= momentumCache(step)
    }

    public override func update(_ w: inout Tensor, gradient g: Tensor, slots: inout [Tensor], step: Int, learningRate lr: Float) {
        let ut = momentumCache(step), utNext = momentumCache(step + 1)
        let product = momentumProduct, productNext = momentumProduct * utNext
        w.applyUpdate(.nadam(learningRate: lr, beta1: beta1, beta2: beta2, epsilon: epsilon,
                             scaleM: utNext / (1 - productNext), scaleG: (1 - ut) / (1 - product),
                             scaleV: 1 / (1 - Foundation.pow(beta2, Float(step)))),
                      gradient: g, slots: &slots)
    }
}
