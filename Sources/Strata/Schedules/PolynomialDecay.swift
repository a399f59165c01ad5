import Foundation

/// `(initial − end) · (1 − step/decaySteps)^power + end` (Keras `PolynomialDecay`). Without
/// `cycle` the step stops at `decaySteps`; with it, `decaySteps` grows to the next multiple.
public struct PolynomialDecay: ConfigurableSchedule {
    /// The schedule's parameters (Keras' names in `config`).
    public let initialLearningRate: Float, decaySteps: Int, endLearningRate: Float, power: Float, cycle: Bool

    /// Creates the schedule (Keras defaults: end 1e-4, power 1, no cycle).
    public init(initialLearningRate: Float, decaySteps: Int, endLearningRate: Float = 1e-4, power: Float = 1, cycle: Bool = false) {
        precondition(decaySteps > 0, "PolynomialDecay: decaySteps must be positive")
        (self.initialLearningRate, self.decaySteps, self.endLearningRate, self.power, self.cycle) =
            (initialLearningRate, decaySteps, endLearningRate, power, cycle)
    }

    /// Rebuilds the schedule from its configuration (Keras' keys; optional ones default as in `init`).
    public init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "schedule PolynomialDecay")
        let d = PolynomialDecay(initialLearningRate: try r.float("initial_learning_rate"), decaySteps: try r.positiveSteps("decay_steps"))
        self.init(initialLearningRate: d.initialLearningRate, decaySteps: d.decaySteps,
                  endLearningRate: try r.float("end_learning_rate", default: d.endLearningRate),
                  power: try r.float("power", default: d.power), cycle: try r.bool("cycle", default: d.cycle))
    }

    public func callAsFunction(_ step: Int) -> Float {
        var steps = Double(decaySteps), p = Double(step)
        if cycle {
            let multiplier = p == 0 ? 1 : (p / steps).rounded(.up)
            steps *= multiplier
        } else {
            p = Swift.min(p, steps)
        }
        let fraction = Foundation.pow(1 - p / steps, Double(power))
        return Float(Double(initialLearningRate - endLearningRate) * fraction) + endLearningRate
    }

    public var config: ConfigValue {
        .object(["class_name": .string("PolynomialDecay"), "config": .object([
            "initial_learning_rate": .float(initialLearningRate), "decay_steps": .int(decaySteps),
            "end_learning_rate": .float(endLearningRate), "power": .float(power), "cycle": .bool(cycle)])])
    }
}
