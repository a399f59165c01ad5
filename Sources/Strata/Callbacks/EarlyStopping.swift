/// Stops training when a monitored quantity stops improving (Keras' `EarlyStopping`).
///
/// After each epoch from `startFromEpoch` on: an improvement (by more than `minDelta`) records
/// the new best — and resets the wait only if it also beats `baseline`; otherwise the wait grows,
/// and once it reaches `patience` (after epoch 0) training stops. With `restoreBestWeights`, the
/// weights of the best epoch are put back when training ends (and the first monitored epoch's
/// weights when none improved).
///
///     EarlyStopping(monitor: "val_loss", patience: 100, restoreBestWeights: true)
public final class EarlyStopping: Callback {
    /// The monitored quantity and its direction.
    public let monitor: String
    /// Smallest change counted as an improvement.
    public let minDelta: Float
    /// Epochs without improvement before stopping.
    public let patience: Int
    /// Requested direction (`.auto` is resolved at the first epoch).
    public let mode: MonitorMode
    /// A value the monitored quantity must beat to reset the wait.
    public let baseline: Float?
    /// Whether to restore the best epoch's weights at the end.
    public let restoreBestWeights: Bool
    /// Epochs to ignore at the start (warm-up).
    public let startFromEpoch: Int
    /// Whether to announce the stop and the restore, as Keras' `verbose=1`.
    public let verbose: Bool

    /// Epochs waited since the last improvement.
    public private(set) var wait = 0
    /// The epoch at which training was stopped (0 if it was not).
    public private(set) var stoppedEpoch = 0
    /// The best monitored value so far.
    public private(set) var best: Float = .nan
    /// The epoch of the best value.
    public private(set) var bestEpoch = 0
    private var resolved: Monitor?
    private var bestWeights: [Tensor]?

    /// Creates the callback with Keras 3's defaults.
    public init(monitor: String = "val_loss", minDelta: Float = 0, patience: Int = 0, mode: MonitorMode = .auto,
                baseline: Float? = nil, restoreBestWeights: Bool = false, startFromEpoch: Int = 0, verbose: Bool = false) {
        self.verbose = verbose
        self.monitor = monitor
        self.minDelta = minDelta
        self.patience = patience
        self.mode = mode
        self.baseline = baseline
        self.restoreBestWeights = restoreBestWeights
        self.startFromEpoch = startFromEpoch
    }

    public override func onTrainBegin(logs: Logs) throws {
        wait = 0
        stoppedEpoch = 0
        bestWeights = nil
        bestEpoch = 0
        resolved = nil
    }

    public override func onEpochEnd(_ epoch: Int, logs: Logs) throws {
        if resolved == nil {
            let monitor = try Monitor(self.monitor, mode: mode, minDelta: minDelta, owner: "EarlyStopping")
            resolved = monitor
            best = monitor.worst
        }
        guard let monitor = resolved, let current = monitor.value(in: logs), epoch >= startFromEpoch else { return }
        if restoreBestWeights && bestWeights == nil {
            bestWeights = model?.getWeights()
            bestEpoch = epoch
        }
        wait += 1
        if monitor.isImprovement(current, over: best) {
            best = current
            bestEpoch = epoch
            if restoreBestWeights { bestWeights = model?.getWeights() }
            if baseline == nil || monitor.isImprovement(current, over: baseline!) { wait = 0 }
            return
        }
        if wait >= patience && epoch > 0 {
            stoppedEpoch = epoch
            model?.stopTraining = true
        }
    }

    public override func onTrainEnd(logs: Logs) throws {
        if stoppedEpoch > 0 && verbose { print("Epoch \(stoppedEpoch + 1): early stopping") }
        if restoreBestWeights, let bestWeights {
            if verbose { print("Restoring model weights from the end of the best epoch: \(bestEpoch + 1).") }
            try model?.setWeights(bestWeights)
        }
    }
}
