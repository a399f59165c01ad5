/// Stops training as soon as a batch's loss is NaN or infinite (Keras' `TerminateOnNaN`).
public final class TerminateOnNaN: Callback {
    /// The batch at which training was stopped, if it was.
    public private(set) var stoppedAtBatch: Int?
    private var epoch = 0

    public override func onEpochBegin(_ epoch: Int, logs: Logs) throws { self.epoch = epoch }

    public override func onTrainBatchEnd(_ batch: Int, logs: Logs) throws {
        if let loss = logs["loss"], !loss.isFinite {
            stoppedAtBatch = batch
            StrataLog.callbacks.warning("Epoch \(epoch + 1), batch \(batch + 1): invalid loss \(loss), terminating training")
            model?.stopTraining = true
        }
    }
}
