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
