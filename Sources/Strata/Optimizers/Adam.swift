import Foundation

/// Adam (Kingma & Ba 2015; Keras `Adam`), with Keras' "ε̂" form of the bias correction:
///
///     m ← m + (g − m)(1 − β₁);  v ← v + (g² − v)(1 − β₂)
///     amsgrad:  v̂ ← max(v̂, v), used in place of v
///     α = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ);  w ← w − α·m / (√v + ε)
///
/// Defaults (Keras 3): learning rate 0.001, β₁ 0.9, β₂ 0.999, ε 1e-7, no AMSGrad. Unlike MLX,
/// the bias correction is always on.
///
///     Adam(learningRate: 1e-3)
public class Adam: MomentOptimizer, ConfigurableOptimizer {
    /// Whether to use the running maximum of v (Reddi et al. 2018).
    public let amsgrad: Bool

    /// Creates the optimizer.
    public init(learningRate: LearningRate = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
                amsgrad: Bool = false, clipNorm: Float? = nil, clipValue: Float? = nil,
                globalClipNorm: Float? = nil, weightDecay: Float? = nil, gradientAccumulationSteps: Int? = nil) {
        self.amsgrad = amsgrad
        super.init(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, clipNorm: clipNorm,
                   clipValue: clipValue, globalClipNorm: globalClipNorm, weightDecay: weightDecay,
                   gradientAccumulationSteps: gradientAccumulationSteps)
    }

    /// Rebuilds the optimizer from its configuration (Keras' keys; absent ones default as in `init`).
    public required convenience init(config: ConfigValue) throws {
        let o = try OptimizerOptions(config, owner: "Adam"), d = Adam()
        self.init(learningRate: o.learningRate ?? d.learningRate, beta1: try o.float("beta_1", default: d.beta1, in: Float.leastNonzeroMagnitude...1),
                  beta2: try o.float("beta_2", default: d.beta2), epsilon: try o.float("epsilon", default: d.epsilon),
                  amsgrad: try o.bool("amsgrad", default: d.amsgrad), clipNorm: o.clipNorm, clipValue: o.clipValue, globalClipNorm: o.globalClipNorm, weightDecay: o.weightDecay,
                  gradientAccumulationSteps: o.gradientAccumulationSteps)
    }

    public override var slotNames: [String] { ["momentum", "velocity"] + (amsgrad ? ["velocity_hat"] : []) }

    public override func update(_ w: inout Tensor, gradient g: Tensor, slots: inout [Tensor], step: Int, learningRate lr: Float) {
        let t = Float(step)
        let alpha = lr * (1 - Foundation.pow(beta2, t)).squareRoot() / (1 - Foundation.pow(beta1, t))
        w.applyUpdate(.adam(alpha: alpha, beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad),
                      gradient: g, slots: &slots)
    }

    public override var options: [String: ConfigValue] {
        super.options.merging(["amsgrad": .bool(amsgrad)]) { $1 }
    }
}

/// AdamW (Loshchilov & Hutter 2019; Keras `AdamW`): Adam with decoupled weight decay, default
/// 0.004 (`w ← w − w·weightDecay·lr` before each Adam step).
public final class AdamW: Adam {
    /// Creates the optimizer (Keras 3 defaults: weight decay 0.004, learning rate 0.001).
    public init(learningRate: LearningRate = 0.001, weightDecay: Float = 0.004, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-7, amsgrad: Bool = false, clipNorm: Float? = nil, clipValue: Float? = nil,
                globalClipNorm: Float? = nil, gradientAccumulationSteps: Int? = nil) {
        super.init(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad,
                   clipNorm: clipNorm, clipValue: clipValue, globalClipNorm: globalClipNorm, weightDecay: weightDecay,
                   gradientAccumulationSteps: gradientAccumulationSteps)
    }

    /// Rebuilds the optimizer from its configuration (Keras' keys; absent ones default as in `init`).
    public required convenience init(config: ConfigValue) throws {
        let o = try OptimizerOptions(config, owner: "AdamW"), d = AdamW()
        self.init(learningRate: o.learningRate ?? d.learningRate, weightDecay: o.weightDecay ?? d.weightDecay ?? 0,
                  beta1: try o.float("beta_1", default: d.beta1, in: Float.leastNonzeroMagnitude...1),
                  beta2: try o.float("beta_2", default: d.beta2), epsilon: try o.float("epsilon", default: d.epsilon),
                  amsgrad: try o.bool("amsgrad", default: d.amsgrad), clipNorm: o.clipNorm, clipValue: o.clipValue,
                  globalClipNorm: o.globalClipNorm, gradientAccumulationSteps: o.gradientAccumulationSteps)
    }
}
