/// Stochastic gradient descent, with optional momentum and Nesterov momentum (Keras `SGD`):
///
///     momentum = 0:  w ← w − lr·g
///     otherwise:     m ← momentum·m − lr·g;  w ← w + m   (Nesterov: w ← w + momentum·m − lr·g)
///
/// Defaults (Keras 3): learning rate 0.01, momentum 0, no Nesterov.
///
///     SGD(learningRate: 0.01, momentum: 0.9, nesterov: true)
public final class SGD: Optimizer, ConfigurableOptimizer {
    /// Momentum factor in [0, 1].
    public let momentum: Float
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool

    /// Creates the optimizer.
    public init(learningRate: LearningRate = 0.01, momentum: Float = 0, nesterov: Bool = false,
                clipNorm: Float? = nil, clipValue: Float? = nil, globalClipNorm: Float? = nil, weightDecay: Float? = nil, gradientAccumulationSteps: Int? = nil) {
        precondition(momentum >= 0 && momentum <= 1, "SGD: momentum must be in [0, 1], got \(momentum)")
        self.momentum = momentum
        self.nesterov = nesterov
        super.init(learningRate: learningRate, clipNorm: clipNorm, clipValue: clipValue,
                   globalClipNorm: globalClipNorm, weightDecay: weightDecay,
                   gradientAccumulationSteps: gradientAccumulationSteps)
    }

    /// Rebuilds the optimizer from its configuration (Keras' keys; absent ones default as in `init`).
    public convenience init(config: ConfigValue) throws {
        let o = try OptimizerOptions(config, owner: "SGD"), d = SGD()
        self.init(learningRate: o.learningRate ?? d.learningRate, momentum: try o.float("momentum", default: d.momentum, in: 0...1),
                  nesterov: try o.bool("nesterov", default: d.nesterov), clipNorm: o.clipNorm, clipValue: o.clipValue, globalClipNorm: o.globalClipNorm, weightDecay: o.weightDecay,
                  gradientAccumulationSteps: o.gradientAccumulationSteps)
    }

    public override var slotNames: [String] { momentum != 0 ? ["momentum"] : [] }

    public override func update(_ w: inout Tensor, gradient g: Tensor, slots: inout [Tensor], step: Int, learningRate lr: Float) {
        w.applyUpdate(momentum == 0 ? .sgd(learningRate: lr) : .momentum(learningRate: lr, momentum: momentum, nesterov: nesterov),
                      gradient: g, slots: &slots)
    }

    public override var options: [String: ConfigValue] { ["momentum": .float(momentum), "nesterov": .bool(nesterov)] }
}
