import Foundation

/// `initialLearningRate · decayRate^(step / decaySteps)`; with `staircase`, the exponent is
/// floored (Keras `ExponentialDecay`).
public struct ExponentialDecay: LearningRateSchedule {
    /// The schedule's parameters (Keras' `initial_learning_rate`, `decay_steps`, `decay_rate`, `staircase`).
    public let initialLearningRate: Float, decaySteps: Int, decayRate: Float, staircase: Bool

    /// Creates the schedule.
    public init(initialLearningRate: Float, decaySteps: Int, decayRate: Float, staircase: Bool = false) {
        precondition(decaySteps > 0, "ExponentialDecay: decaySteps must be positive")
        (self.initialLearningRate, self.decaySteps, self.decayRate, self.staircase) = (initialLearningRate, decaySteps, decayRate, staircase)
    }

    public func callAsFunction(_ step: Int) -> Float {
        var p = Double(step) / Double(decaySteps)
        if staircase { p = p.rounded(.down) }
        return initialLearningRate * Float(Foundation.pow(Double(decayRate), p))
    }

    public var config: ConfigValue {
        .object(["class_name": .string("ExponentialDecay"), "config": .object([
            "initial_learning_rate": .float(initialLearningRate), "decay_steps": .int(decaySteps),
            "decay_rate": .float(decayRate), "staircase": .bool(staircase)])])
    }
}
