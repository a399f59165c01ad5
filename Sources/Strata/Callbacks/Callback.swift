/// Values reported to callbacks: `loss`, metric names, `val_…` versions, `learning_rate`.
public typealias Logs = [String: Float]

/// A hook into training (Keras' `Callback`): override the moments you need. `model` is set
/// before `onTrainBegin`; set `model?.stopTraining = true` to end training after this batch or
/// epoch.
///
///     final class PrintLoss: Callback {
///         override func onEpochEnd(_ epoch: Int, logs: Logs) { print(epoch, logs["loss"]!) }
///     }
open class Callback {
    /// The model being trained or evaluated.
    public internal(set) weak var model: Model?

    /// Creates a callback.
    public init() {}

    /// Before the first epoch.
    open func onTrainBegin(logs: Logs) throws {}
    /// After the last epoch (or an early stop), with the last epoch's logs.
    open func onTrainEnd(logs: Logs) throws {}
    /// Before epoch `epoch` (0-based).
    open func onEpochBegin(_ epoch: Int, logs: Logs) throws {}
    /// After epoch `epoch`, with the epoch's training and validation values.
    open func onEpochEnd(_ epoch: Int, logs: Logs) throws {}
    /// Before training batch `batch` of the epoch.
    open func onTrainBatchBegin(_ batch: Int, logs: Logs) throws {}
    /// After training batch `batch`, with the running values of the epoch so far.
    open func onTrainBatchEnd(_ batch: Int, logs: Logs) throws {}
    /// Before an evaluation (validation or `evaluate`).
    open func onTestBegin(logs: Logs) throws {}
    /// After an evaluation, with its values.
    open func onTestEnd(logs: Logs) throws {}
    /// Before a test batch.
    open func onTestBatchBegin(_ batch: Int, logs: Logs) throws {}
    /// After a test batch.
    open func onTestBatchEnd(_ batch: Int, logs: Logs) throws {}
    /// Before `predict`.
    open func onPredictBegin(logs: Logs) throws {}
    /// After `predict`.
    open func onPredictEnd(logs: Logs) throws {}
}
