/// AdaGrad (Duchi et al. 2011; Keras `Adagrad`): per-parameter rates shrink with the sum of
/// squared gradients.
///
///     a ← a + g²;  w ← w − lr·g / √(a + ε)
///
/// Defaults (Keras 3): learning rate 0.001, initial accumulator 0.1, ε = 1e-7 (inside the root).
public final class Adagrad: Optimizer, ConfigurableOptimizer {
    /// Starting value of the accumulator.
    public let initialAccumulatorValue: Float
    /// Added to the accumulator inside the square root.
    public let epsilon: Float

    /// Creates the optimizer.
    public init(learningRate: LearningRate = 0.001, initialAccumulatorValue: Float = 0.1, epsilon: Float = 1e-7,
                clipNorm: Float? = nil, clipValue: Float? = nil, globalClipNorm: Float? = nil, weightDecay: Float? = nil, gradientAccumulationSteps: Int? = nil) {
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
        super.init(learningRate: learningRate, clipNorm: clipNorm, clipValue: clipValue,
                   globalClipNorm: globalClipNorm, weightDecay: weightDecay,
                   gradientAccumulationSteps: gradientAccumulationSteps)
    }

    /// Rebuilds the optimizer from its configuration (Keras' keys; absent ones default as in `init`).
    public convenience init(config: ConfigValue) throws {
        let o = try OptimizerOptions(config, owner: "Adagrad"), d = Adagrad()
        self.init(learningRate: o.learningRate ?? d.learningRate,
                  initialAccumulatorValue: try o.float("initial_accumulator_value", default: d.initialAccumulatorValue),
                  epsilon: try o.float("epsilon", default: d.epsilon), clipNorm: o.clipNorm, clipValue: o.clipValue, globalClipNorm: o.globalClipNorm, weightDecay: o.weightDecay,
                  gradientAccumulationSteps: o.gradientAccumulationSteps)
    }

    public override var slotNames: [String] { ["accumulator"] }

    public override func initialSlots(for variable: Variable) -> [Tensor] {
        [Tensor.full(variable.shape, initialAccumulatorValue)]
    }

    public override func update(_ w: inout Tensor, gradient g: Tensor, slots: inout [Tensor], step: Int, learningRate lr: Float) {
        w.applyUpdate(.adagrad(learningRate: lr, epsilon: epsilon), gradient: g, slots: &slots)
    }

    public override var options: [String: ConfigValue] {
        ["initial_accumulator_value": .float(initialAccumulatorValue), "epsilon": .float(epsilon)]
    }
}
