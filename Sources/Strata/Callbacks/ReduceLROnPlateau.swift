/// Multiplies the learning rate by `factor` when a monitored quantity has not improved for
/// `patience` epochs (Keras' `ReduceLROnPlateau`, `keras/src/callbacks/reduce_lr_on_plateau.py`),
/// never below `minLearningRate`; after a reduction, `cooldown` epochs pass before counting
/// again. The optimizer's learning rate must be a constant, not a schedule. Each epoch's logs
/// get `learning_rate` (the rate that epoch trained with), as in Keras.
public final class ReduceLROnPlateau: MonitorCallback {
    /// Factor applied to the learning rate (< 1).
    public let factor: Double
    /// Epochs without improvement before a reduction.
    public let patience: Int
    /// Epochs to wait after a reduction.
    public let cooldown: Int
    /// Lower bound of the learning rate.
    public let minLearningRate: Double
    /// Whether to announce each reduction, as Keras' `verbose=1`.
    public let verbose: Bool

    /// The best monitored value so far (Keras `best`; nil before the first monitored epoch).
    public private(set) var best: Double?
    /// Epochs without improvement since the last improvement or reduction (Keras `wait`).
    public private(set) var wait = 0
    /// Epochs of cooldown left (Keras `cooldown_counter`).
    public private(set) var cooldownCounter = 0

    /// Creates the callback with Keras 3's defaults.
    public init(monitor: String = "val_loss", factor: Double = 0.1, patience: Int = 10, mode: MonitorMode = .auto,
                minDelta: Double = 1e-4, cooldown: Int = 0, minLearningRate: Double = 0, verbose: Bool = false) {
        precondition(factor < 1, "ReduceLROnPlateau: factor must be below 1, got \(factor)")
        self.factor = factor
        self.patience = patience
        self.cooldown = cooldown
        self.minLearningRate = minLearningRate
        self.verbose = verbose
        super.init(monitor: monitor, mode: mode, minDelta: minDelta)
    }

    public override var logsLearningRate: Bool { true }

    public override func onTrainBegin(logs: Logs) throws {
        try resolveMonitor()
        best = nil
        wait = 0
        cooldownCounter = 0
    }

    public override func onEpochEnd(_ epoch: Int, logs: Logs) throws {
        let monitor = try resolvedMonitor ?? resolveMonitor()
        guard let optimizer = model?.optimizer, let current = monitoredValue(in: logs) else { return }
        guard case .constant(let rate) = optimizer.learningRate else {
            throw StrataError.invalidArgument("the optimizer's learning rate is a schedule", context: "ReduceLROnPlateau",
                                              expected: "a constant learning rate")
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            wait = 0
        }
        if monitor.isImprovement(current, over: best) {
            best = current
            wait = 0
        } else if cooldownCounter == 0 {
            wait += 1
            // Keras: `old_lr > np.float32(min_lr)`, then `max(old_lr * factor, min_lr)` in double,
            // stored into the float32 variable.
            if wait >= patience, rate > Float(minLearningRate) {
                let reduced = Float(Swift.max(Double(rate) * factor, minLearningRate))
                optimizer.learningRate = .constant(reduced)
                if verbose { announce("Epoch \(epoch + 1): ReduceLROnPlateau reducing learning rate to \(reduced).") }
                cooldownCounter = cooldown
                wait = 0
            }
        }
    }
}
