/// AdaGrad (Duchi et al. 2011; Keras `Adagrad`): per-parameter rates shrink with the sum of
/// squared gradients.
///
///     a ← a + g²;  w ← w − lr·g / √(a + ε)
///
/// Defaults (Keras 3): learning rate 0.001, initial accumulator 0.1, ε = 1e-7 (inside the root).
public final class Adagrad: Optimizer {
    /// Starting value of the accumulator.
    public let initialAccumulatorValue: Float
    /// Added to the accumulator inside the square root.
    public let epsilon: Float

    /// Creates the optimizer.
    public init(learningRate: LearningRate = 0.001, initialAccumulatorValue: Float = 0.1, epsilon: Float = 1e-7,
                clipNorm: Float? = nil, clipValue: Float? = nil, globalClipNorm: Float? = nil, weightDecay: Float? = nil) {
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
        super.init(learningRate: learningRate, clipNorm: clipNorm, clipValue: clipValue,
                   globalClipNorm: globalClipNorm, weightDecay: weightDecay)
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
