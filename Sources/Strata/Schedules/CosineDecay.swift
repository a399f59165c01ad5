import Foundation

/// Cosine decay from `initialLearningRate` (or from `warmupTarget` after a linear warm-up of
/// `warmupSteps`) to `alpha ·` that rate over `decaySteps` (Keras `CosineDecay`).
public struct CosineDecay: ConfigurableSchedule {
    /// The schedule's parameters (Keras' names in `config`).
    public let initialLearningRate: Float, decaySteps: Int, alpha: Float, warmupTarget: Float?, warmupSteps: Int

    /// Creates the schedule (Keras defaults: alpha 0, no warm-up).
    public init(initialLearningRate: Float, decaySteps: Int, alpha: Float = 0, warmupTarget: Float? = nil, warmupSteps: Int = 0) {
        precondition(decaySteps > 0, "CosineDecay: decaySteps must be positive")
        (self.initialLearningRate, self.decaySteps, self.alpha, self.warmupTarget, self.warmupSteps) =
            (initialLearningRate, decaySteps, alpha, warmupTarget, warmupSteps)
    }

    /// Rebuilds the schedule from its configuration (Keras' keys; optional ones default as in `init`).
    public init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "schedule CosineDecay")
        let d = CosineDecay(initialLearningRate: try r.float("initial_learning_rate"), decaySteps: try r.positiveSteps("decay_steps"))
        self.init(initialLearningRate: d.initialLearningRate, decaySteps: d.decaySteps, alpha: try r.float("alpha", default: d.alpha),
                  warmupTarget: r.value("warmup_target") == .null ? d.warmupTarget : try r.float("warmup_target"),
                  warmupSteps: try r.int("warmup_steps", default: d.warmupSteps))
    }

    public func callAsFunction(_ step: Int) -> Float {
        guard let warmupTarget else { return decayed(from: initialLearningRate, step: step) }
        if step < warmupSteps {
            let fraction = Float(step) / Float(warmupSteps)
            return (warmupTarget - initialLearningRate) * fraction + initialLearningRate
        }
        return decayed(from: warmupTarget, step: step - warmupSteps)
    }

    private func decayed(from rate: Float, step: Int) -> Float {
        let completed = Double(Swift.min(step, decaySteps)) / Double(decaySteps)
        let cosine = 0.5 * (1 + Foundation.cos(Double.pi * completed))
        return rate * Float((1 - Double(alpha)) * cosine + Double(alpha))
    }

    public var config: ConfigValue {
        .object(["class_name": .string("CosineDecay"), "config": .object([
            "initial_learning_rate": .float(initialLearningRate), "decay_steps": .int(decaySteps), "alpha": .float(alpha),
            "warmup_target": warmupTarget.map { .float($0) } ?? .null, "warmup_steps": .int(warmupSteps)])])
    }
}
