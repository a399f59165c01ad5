import Foundation

/// A learning rate that changes with the optimizer's step (Keras' `LearningRateSchedule`).
/// `step` is the number of updates already applied (0 for the first).
public protocol LearningRateSchedule: Sendable {
    /// The learning rate for the update after `step` updates.
    func callAsFunction(_ step: Int) -> Float
    /// `{"class_name": …, "config": {…}}` with Keras' keys.
    var config: ConfigValue { get }
}

/// Either a fixed number or a schedule — what every optimizer's `learningRate` is.
///
///     Adam(learningRate: 1e-3)
///     SGD(learningRate: .schedule(ExponentialDecay(initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.96)))
public enum LearningRate: Sendable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    /// The same rate at every step.
    case constant(Float)
    /// A rate computed from the step.
    case schedule(any LearningRateSchedule)

    public init(floatLiteral value: Float) { self = .constant(value) }
    public init(integerLiteral value: Int) { self = .constant(Float(value)) }

    /// The rate for the update after `step` updates.
    public func value(at step: Int) -> Float {
        switch self {
        case .constant(let value): value
        case .schedule(let schedule): schedule(step)
        }
    }
}

/// `initialLearningRate · decayRate^(step / decaySteps)`; with `staircase`, the exponent is
/// floored (Keras `ExponentialDecay`).
public struct ExponentialDecay: LearningRateSchedule {
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

/// `values[i]` while `boundaries[i-1] < step ≤ boundaries[i]` (Keras `PiecewiseConstantDecay`):
/// `values[0]` up to and including `boundaries[0]`, the last value after the last boundary.
public struct PiecewiseConstantDecay: LearningRateSchedule {
    public let boundaries: [Int], values: [Float]

    /// Creates the schedule; `values` has one more entry than `boundaries`.
    public init(boundaries: [Int], values: [Float]) {
        precondition(values.count == boundaries.count + 1,
                     "PiecewiseConstantDecay: \(values.count) values for \(boundaries.count) boundaries; need one more value")
        (self.boundaries, self.values) = (boundaries, values)
    }

    public func callAsFunction(_ step: Int) -> Float {
        values[boundaries.firstIndex { step <= $0 } ?? boundaries.count]
    }

    public var config: ConfigValue {
        .object(["class_name": .string("PiecewiseConstantDecay"), "config": .object([
            "boundaries": .ints(boundaries), "values": .array(values.map { .float($0) })])])
    }
}

/// `initialLearningRate / (1 + decayRate · step / decaySteps)`, optionally with a floored ratio
/// (Keras `InverseTimeDecay`).
public struct InverseTimeDecay: LearningRateSchedule {
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

/// `(initial − end) · (1 − step/decaySteps)^power + end` (Keras `PolynomialDecay`). Without
/// `cycle` the step stops at `decaySteps`; with it, `decaySteps` grows to the next multiple.
public struct PolynomialDecay: LearningRateSchedule {
    public let initialLearningRate: Float, decaySteps: Int, endLearningRate: Float, power: Float, cycle: Bool

    /// Creates the schedule (Keras defaults: end 1e-4, power 1, no cycle).
    public init(initialLearningRate: Float, decaySteps: Int, endLearningRate: Float = 1e-4, power: Float = 1, cycle: Bool = false) {
        precondition(decaySteps > 0, "PolynomialDecay: decaySteps must be positive")
        (self.initialLearningRate, self.decaySteps, self.endLearningRate, self.power, self.cycle) =
            (initialLearningRate, decaySteps, endLearningRate, power, cycle)
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

/// Cosine decay from `initialLearningRate` (or from `warmupTarget` after a linear warm-up of
/// `warmupSteps`) to `alpha ·` that rate over `decaySteps` (Keras `CosineDecay`).
public struct CosineDecay: LearningRateSchedule {
    public let initialLearningRate: Float, decaySteps: Int, alpha: Float, warmupTarget: Float?, warmupSteps: Int

    /// Creates the schedule (Keras defaults: alpha 0, no warm-up).
    public init(initialLearningRate: Float, decaySteps: Int, alpha: Float = 0, warmupTarget: Float? = nil, warmupSteps: Int = 0) {
        precondition(decaySteps > 0, "CosineDecay: decaySteps must be positive")
        (self.initialLearningRate, self.decaySteps, self.alpha, self.warmupTarget, self.warmupSteps) =
            (initialLearningRate, decaySteps, alpha, warmupTarget, warmupSteps)
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

/// Cosine decay with warm restarts (SGDR, Loshchilov & Hutter 2017; Keras `CosineDecayRestarts`):
/// period i lasts `firstDecaySteps · tMul^i` steps and starts at `mMul^i ·` the initial rate.
public struct CosineDecayRestarts: LearningRateSchedule {
    public let initialLearningRate: Float, firstDecaySteps: Int, tMul: Float, mMul: Float, alpha: Float

    /// Creates the schedule (Keras defaults: tMul 2, mMul 1, alpha 0).
    public init(initialLearningRate: Float, firstDecaySteps: Int, tMul: Float = 2, mMul: Float = 1, alpha: Float = 0) {
        precondition(firstDecaySteps > 0, "CosineDecayRestarts: firstDecaySteps must be positive")
        (self.initialLearningRate, self.firstDecaySteps, self.tMul, self.mMul, self.alpha) =
            (initialLearningRate, firstDecaySteps, tMul, mMul, alpha)
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
