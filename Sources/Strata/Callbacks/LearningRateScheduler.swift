/// Sets the learning rate at the start of each epoch from `schedule(epoch, currentRate)`
/// (Keras' `LearningRateScheduler`). The optimizer's rate becomes that constant, and each epoch's
/// logs get it as `learning_rate`, as in Keras.
///
///     LearningRateScheduler { epoch, rate in epoch < 10 ? rate : rate * 0.9 }
public final class LearningRateScheduler: Callback {
    private let schedule: (_ epoch: Int, _ rate: Float) -> Float

    /// Creates the callback.
    public init(_ schedule: @escaping (_ epoch: Int, _ rate: Float) -> Float) {
        self.schedule = schedule
    }

    public override var logsLearningRate: Bool { true }

    public override func onEpochBegin(_ epoch: Int, logs: Logs) throws {
        guard let optimizer = model?.optimizer else { return }
        let rate = schedule(epoch, optimizer.currentLearningRate)
        guard rate.isFinite, rate >= 0 else {
            throw StrataError.invalidArgument("the schedule returned \(rate) at epoch \(epoch)", context: "LearningRateScheduler",
                                              expected: "a finite rate ≥ 0")
        }
        optimizer.learningRate = .constant(rate)
    }
}
