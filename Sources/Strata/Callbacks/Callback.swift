/// Values reported to callbacks: `loss`, metric names, `val_…` versions, and `learning_rate` when
/// a learning-rate callback runs. Doubles, as Keras' logs are Python floats: the tensors are
/// float32, but monitors compare (and `minDelta`s add) in double precision.
public typealias Logs = [String: Double]

/// A hook into training (Keras' `Callback`): override the moments you need. `model` is set
/// before `onTrainBegin`; set `model?.stopTraining = true` to end training after this batch or
/// epoch.
///
///     final class PrintLoss: Callback {
///         override func onEpochEnd(_ epoch: Int, logs: Logs) { print(epoch, logs["loss"]!) }
///     }
open class Callback {
    /// The model being trained or evaluated (`fit`, `evaluate` and `predict` attach theirs).
    public internal(set) weak var model: Model?
    /// Warnings this callback has issued (also printed unless the run is silent).
    public private(set) var warnings: [String] = []

    /// Creates a callback.
    public init() {}

    /// Attaches `model` (Keras `set_model`), so the callback can be driven by hand:
    ///
    ///     let stop = EarlyStopping(monitor: "val_loss", patience: 2)
    ///     stop.setModel(model)
    ///     try stop.onTrainBegin(logs: [:])
    ///     try stop.onEpochEnd(0, logs: ["val_loss": 0.5])
    ///
    /// The model is held weakly, as during `fit`.
    public func setModel(_ model: Model) { self.model = model }

    /// Whether this callback puts the optimizer's `learning_rate` into each epoch's logs, as
    /// Keras' `ReduceLROnPlateau` and `LearningRateScheduler` do (so it reaches `History` and
    /// `CSVLogger` only then). Default false.
    open var logsLearningRate: Bool { false }

    /// Records `message` and logs it as a warning on `StrataLog.callbacks`, unless the model is
    /// training or evaluating with `verbose: .silent`.
    public func warn(_ message: String) {
        warnings.append(message)
        if model?.outputVerbosity != .silent { StrataLog.callbacks.warning("\(message)") }
    }

    /// Logs an announcement (`info` on `StrataLog.callbacks`): what Keras' callbacks print with `verbose`.
    public func announce(_ message: String) { StrataLog.callbacks.info("\(message)") }

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
