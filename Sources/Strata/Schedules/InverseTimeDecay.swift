import Foundation

/// `initialLearningRate / (1 + decayRate · step / decaySteps)`, optionally with a floored ratio
/// (Keras `InverseTimeDecay`).
public struct InverseTimeDecay: LearningRateSchedule {
    /// The schedule's parameters (Keras' `initial_learning_rate`, `decay_steps`, `decay_rate`, `staircase`).
    public let initialLearningRate: Float, decaySteps: Int, decayRate: Float, staircase: Bool

    /// Creates the schedule.
    public init(initialLearningRate: Float, decaySteps: Int, decayRate: Float, staircase: Bool = false) {
        precondition(decaySteps > 0, "InverseTimeDecay: decaySteps must be positive")
        (self.initialLearningRate, self.decaySteps, self.decayRate, self.staircase) = (initialLearningRate, decaySteps, decayRate, staircase)
    }

    public func callAsFunction(_ step: Int) -> Float {
        var p = Double(step) / Double(decaySteps)
        if staircase { p = p.rounded(.down) }
        return Float(Double(initialLearningRate) / (1 + Double(decayRate) * p))
    }

    public var config: ConfigValue {
        .object(["class_name": .string("InverseTimeDecay"), "config": .object([
            "initial_learning_rate": .float(initialLearningRate), "decay_steps": .int(decaySteps),
            "decay_rate": .float(decayRate), "staircase": .bool(staircase)])])
    }
}
