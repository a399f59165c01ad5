/// Stops training when a monitored quantity stops improving (Keras' `EarlyStopping`,
/// `keras/src/callbacks/early_stopping.py`).
///
/// After each epoch from `startFromEpoch` on: an improvement (by more than `minDelta`) records
/// the new best — and resets the wait only if it also beats `baseline`; otherwise the wait grows,
/// and once it reaches `patience` (after epoch 0) training stops. With `restoreBestWeights`, the
/// weights of the best epoch are put back when training ends (and the first monitored epoch's
/// weights when none improved). A monitored value missing from the logs is warned about once.
///
///     EarlyStopping(monitor: "val_loss", patience: 100, restoreBestWeights: true)
public final class EarlyStopping: MonitorCallback {
    /// Epochs without improvement before stopping.
    public let patience: Int
    /// A value the monitored quantity must beat to reset the wait.
    public let baseline: Double?
    /// Whether to restore the best epoch's weights at the end.
    public let restoreBestWeights: Bool
    /// Epochs to ignore at the start (warm-up).
    public let startFromEpoch: Int
    /// Whether to announce the stop and the restore, as Keras' `verbose=1`.
    public let verbose: Bool

    /// Epochs waited since the last improvement (Keras `wait`).
    public private(set) var wait = 0
    /// The epoch at which training was stopped, 0 if it was not (Keras `stopped_epoch`).
    public private(set) var stoppedEpoch = 0
    /// The best monitored value so far (Keras `best`; nil before the first monitored epoch).
    public private(set) var best: Double?
    /// The epoch of the best value (Keras `best_epoch`).
    public private(set) var bestEpoch = 0
    private var bestWeights: [Tensor]?

    /// Creates the callback with Keras 3's defaults.
    public init(monitor: String = "val_loss", minDelta: Double = 0, patience: Int = 0, mode: MonitorMode = .auto,
                baseline: Double? = nil, restoreBestWeights: Bool = false, startFromEpoch: Int = 0, verbose: Bool = false) {
        self.verbose = verbose
        self.patience = patience
        self.baseline = baseline
        self.restoreBestWeights = restoreBestWeights
        self.startFromEpoch = startFromEpoch
        super.init(monitor: monitor, mode: mode, minDelta: minDelta)
    }

    public override func onTrainBegin(logs: Logs) throws {
        try resolveMonitor()
        best = nil
        wait = 0
        stoppedEpoch = 0
        bestWeights = nil
        bestEpoch = 0
    }

    public override func onEpochEnd(_ epoch: Int, logs: Logs) throws {
        let monitor = try resolvedMonitor ?? resolveMonitor()
        guard let current = monitoredValue(in: logs), epoch >= startFromEpoch else { return }
        if restoreBestWeights && bestWeights == nil {
            bestWeights = model?.getWeights()
            bestEpoch = epoch
        }
        wait += 1
        if monitor.isImprovement(current, over: best) {
            best = current
            bestEpoch = epoch
            if restoreBestWeights { bestWeights = model?.getWeights() }
            if baseline.map({ monitor.isImprovement(current, over: $0) }) ?? true { wait = 0 }
            return
        }
        if wait >= patience && epoch > 0 {
            stoppedEpoch = epoch
            model?.stopTraining = true
        }
    }

    public override func onTrainEnd(logs: Logs) throws {
        if stoppedEpoch > 0 && verbose { announce("Epoch \(stoppedEpoch + 1): early stopping") }
        if restoreBestWeights, let bestWeights {
            if verbose { announce("Restoring model weights from the end of the best epoch: \(bestEpoch + 1).") }
            try model?.setWeights(bestWeights)
        }
    }
}
