/// Multiplies the learning rate by `factor` when a monitored quantity has not improved for
/// `patience` epochs (Keras' `ReduceLROnPlateau`), never below `minLearningRate`; after a
/// reduction, `cooldown` epochs pass before counting again. The optimizer's learning rate must
/// be a constant, not a schedule.
public final class ReduceLROnPlateau: Callback {
    /// The monitored quantity.
    public let monitor: String
    /// Factor applied to the learning rate (< 1).
    public let factor: Float
    /// Epochs without improvement before a reduction.
    public let patience: Int
    /// Requested direction.
    public let mode: MonitorMode
    /// Smallest change counted as an improvement (Keras default 1e-4).
    public let minDelta: Float
    /// Epochs to wait after a reduction.
    public let cooldown: Int
    /// Lower bound of the learning rate.
    public let minLearningRate: Float
    /// Whether to announce each reduction, as Keras' `verbose=1`.
    public let verbose: Bool

    private var resolved: Monitor?
    private var best: Float = .nan
    private var wait = 0
    private var cooldownCounter = 0

    /// Creates the callback with Keras 3's defaults.
    public init(monitor: String = "val_loss", factor: Float = 0.1, patience: Int = 10, mode: MonitorMode = .auto,
                minDelta: Float = 1e-4, cooldown: Int = 0, minLearningRate: Float = 0, verbose: Bool = false) {
        precondition(factor < 1, "ReduceLROnPlateau: factor must be below 1, got \(factor)")
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.mode = mode
        self.minDelta = minDelta
        self.cooldown = cooldown
        self.minLearningRate = minLearningRate
        self.verbose = verbose
    }

    public override func onTrainBegin(logs: Logs) throws {
        let monitor = try Monitor(self.monitor, mode: mode, minDelta: minDelta, owner: "ReduceLROnPlateau")
        resolved = monitor
        best = monitor.worst
        wait = 0
        cooldownCounter = 0
    }

    public override func onEpochEnd(_ epoch: Int, logs: Logs) throws {
        guard let monitor = resolved, let current = monitor.value(in: logs), let optimizer = model?.optimizer else { return }
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
            if wait >= patience, rate > minLearningRate {
                let reduced = Swift.max(rate * factor, minLearningRate)
                optimizer.learningRate = .constant(reduced)
                if verbose { print("Epoch \(epoch + 1): ReduceLROnPlateau reducing learning rate to \(reduced).") }
                cooldownCounter = cooldown
                wait = 0
            }
        }
    }
}
