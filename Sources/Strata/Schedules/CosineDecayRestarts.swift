import Foundation

/// Cosine decay with warm restarts (SGDR, Loshchilov & Hutter 2017; Keras `CosineDecayRestarts`):
/// period i lasts `firstDecaySteps · tMul^i` steps and starts at `mMul^i ·` the initial rate.
public struct CosineDecayRestarts: ConfigurableSchedule {
    /// The schedule's parameters (Keras' names in `config`).
    public let initialLearningRate: Float, firstDecaySteps: Int, tMul: Float, mMul: Float, alpha: Float

    /// Creates the schedule (Keras defaults: tMul 2, mMul 1, alpha 0).
    public init(initialLearningRate: Float, firstDecaySteps: Int, tMul: Float = 2, mMul: Float = 1, alpha: Float = 0) {
        precondition(firstDecaySteps > 0, "CosineDecayRestarts: firstDecaySteps must be positive")
        (self.initialLearningRate, self.firstDecaySteps, self.tMul, self.mMul, self.alpha) =
            (initialLearningRate, firstDecaySteps, tMul, mMul, alpha)
    }

    /// Rebuilds the schedule from its configuration (Keras' keys; optional ones default as in `init`).
    public init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "schedule CosineDecayRestarts")
        let d = CosineDecayRestarts(initialLearningRate: try r.float("initial_learning_rate"),
                                    firstDecaySteps: try r.positiveSteps("first_decay_steps"))
        self.init(initialLearningRate: d.initialLearningRate, firstDecaySteps: d.firstDecaySteps,
                  tMul: try r.float("t_mul", default: d.tMul), mMul: try r.float("m_mul", default: d.mMul),
                  alpha: try r.float("alpha", default: d.alpha))
    }

    public func callAsFunction(_ step: Int) -> Float {
        var completed = Double(step) / Double(firstDecaySteps)
        let restart: Double
        if tMul == 1 {
            restart = completed.rounded(.down)
            completed -= restart
        } else {
            let t = Double(tMul)
            restart = (Foundation.log(1 - completed * (1 - t)) / Foundation.log(t)).rounded(.down)
            let elapsed = (1 - Foundation.pow(t, restart)) / (1 - t)
            completed = (completed - elapsed) / Foundation.pow(t, restart)
        }
        let factor = Foundation.pow(Double(mMul), restart)
        let cosine = 0.5 * factor * (1 + Foundation.cos(Double.pi * completed))
        return initialLearningRate * Float((1 - Double(alpha)) * cosine + Double(alpha))
    }

    public var config: ConfigValue {
        .object(["class_name": .string("CosineDecayRestarts"), "config": .object([
            "initial_learning_rate": .float(initialLearningRate), "first_decay_steps": .int(firstDecaySteps),
            "t_mul": .float(tMul), "m_mul": .float(mMul), "alpha": .float(alpha)])])
    }
}
