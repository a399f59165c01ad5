import Foundation

/// `initialLearningRate · decayRate^(step / decaySteps)`; with `staircase`, the exponent is
/// floored (Keras `ExponentialDecay`).
public struct ExponentialDecay: ConfigurableSchedule {
    /// The schedule's parameters (Keras' `initial_learning_rate`, `decay_steps`, `decay_rate`, `staircase`).
    public let initialLearningRate: Float, decaySteps: Int, decayRate: Float, staircase: Bool

    /// Creates the schedule.
    public init(initialLearningRate: Float, decaySteps: Int, decayRate: Float, staircase: Bool = false) {
        precondition(decaySteps > 0, "ExponentialDecay: decaySteps must be positive")
        (self.initialLearningRate, self.decaySteps, self.decayRate, self.staircase) = (initialLearningRate, decaySteps, decayRate, staircase)
    }

    /// Rebuilds the schedule from its configuration (Keras' keys; `staircase` defaults as in `init`).
    public init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "schedule ExponentialDecay")
        let d = ExponentialDecay(initialLearningRate: try r.float("initial_learning_rate"), decaySteps: try r.positiveSteps("decay_steps"),
                                 decayRate: try r.float("decay_rate"))
        self.init(initialLearningRate: d.initialLearningRate, decaySteps: d.decaySteps, decayRate: d.decayRate,
                  staircase: try r.bool("staircase", default: d.staircase))
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
