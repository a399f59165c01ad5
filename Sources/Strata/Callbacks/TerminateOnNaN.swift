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
