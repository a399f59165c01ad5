/// The per-epoch record of a `fit` (Keras' `History`): `history["loss"]`, metric names,
/// `val_…` versions (and `learning_rate` when a learning-rate callback logged it), one value per
/// epoch run.
public final class History: Callback {
    /// Values by name, one per epoch in `epochs`.
    public private(set) var history: [String: [Double]] = [:]
    /// The (0-based) epochs recorded.
    public private(set) var epochs: [Int] = []

    public override func onTrainBegin(logs: Logs) throws {
        history = [:]
        epochs = []
    }

    public override func onEpochEnd(_ epoch: Int, logs: Logs) throws {
        epochs.append(epoch)
        for (key, value) in logs { history[key, default: []].append(value) }
    }

    /// Puts back the record of earlier epochs (when training resumes from a backup).
    func restore(history: [String: [Double]], epochs: [Int]) {
        self.history = history
        self.epochs = epochs
    }

    /// The values of `key` per epoch (empty if never logged).
    public subscript(key: String) -> [Double] { history[key] ?? [] }
}
