/// Sets the learning rate at the start of each epoch from `schedule(epoch, currentRate)`
/// (Keras' `LearningRateScheduler`). The optimizer's rate becomes that constant.
///
///     LearningRateScheduler { epoch, rate in epoch < 10 ? rate : rate * 0.9 }
public final class LearningRateScheduler: Callback {
    private let schedule: (_ epoch: Int, _ rate: Float) -> Float

    /// Creates the callback.
    public init(_ schedule: @escaping (_ epoch: Int, _ rate: Float) -> Float) {
        self.schedule = schedule
    }

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

/// Stops training as soon as a batch's loss is NaN or infinite (Keras' `TerminateOnNaN`).
public final class TerminateOnNaN: Callback {
    /// The batch at which training was stopped, if it was.
    public private(set) var stoppedAtBatch: Int?

    public override func onTrainBatchEnd(_ batch: Int, logs: Logs) throws {
        if let loss = logs["loss"], !loss.isFinite {
            stoppedAtBatch = batch
            model?.stopTraining = true
        }
    }
}

/// Calls closures at the moments of training (Keras' `LambdaCallback`).
///
///     LambdaCallback(onEpochEnd: { epoch, logs in print(epoch, logs["loss"]!) })
public final class LambdaCallback: Callback {
    private let trainBegin: ((Logs) -> Void)?, trainEnd: ((Logs) -> Void)?
    private let epochBegin: ((Int, Logs) -> Void)?, epochEnd: ((Int, Logs) -> Void)?
    private let batchBegin: ((Int, Logs) -> Void)?, batchEnd: ((Int, Logs) -> Void)?

    /// Creates the callback from the closures given.
    public init(onTrainBegin: ((Logs) -> Void)? = nil, onTrainEnd: ((Logs) -> Void)? = nil,
                onEpochBegin: ((Int, Logs) -> Void)? = nil, onEpochEnd: ((Int, Logs) -> Void)? = nil,
                onTrainBatchBegin: ((Int, Logs) -> Void)? = nil, onTrainBatchEnd: ((Int, Logs) -> Void)? = nil) {
        (trainBegin, trainEnd, epochBegin, epochEnd, batchBegin, batchEnd) =
            (onTrainBegin, onTrainEnd, onEpochBegin, onEpochEnd, onTrainBatchBegin, onTrainBatchEnd)
    }

    public override func onTrainBegin(logs: Logs) throws { trainBegin?(logs) }
    public override func onTrainEnd(logs: Logs) throws { trainEnd?(logs) }
    public override func onEpochBegin(_ epoch: Int, logs: Logs) throws { epochBegin?(epoch, logs) }
    public override func onEpochEnd(_ epoch: Int, logs: Logs) throws { epochEnd?(epoch, logs) }
    public override func onTrainBatchBegin(_ batch: Int, logs: Logs) throws { batchBegin?(batch, logs) }
    public override func onTrainBatchEnd(_ batch: Int, logs: Logs) throws { batchEnd?(batch, logs) }
}
