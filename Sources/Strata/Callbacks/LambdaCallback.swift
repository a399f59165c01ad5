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
