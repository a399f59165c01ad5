/// Which way a monitored quantity improves.
public enum MonitorMode: String, Sendable {
    /// Resolved as Keras does (`keras/src/callbacks/monitor_callback.py`, `_set_monitor_op`):
    /// a loss (`loss`, `val_loss`, any name containing `loss`) goes down; otherwise the direction of the model's
    /// compiled metric of that name (accuracies, AUC, precision, recall up; errors down); any
    /// other name is an error naming the metrics there are.
    case auto
    /// Lower is better.
    case min
    /// Higher is better.
    case max
}

/// The "is this an improvement?" decision shared by `EarlyStopping`, `ModelCheckpoint` and
/// `ReduceLROnPlateau` (Keras' `MonitorCallback._is_improvement`): `current ∓ minDelta` in double
/// precision (Keras' logs are Python floats), then compared with the reference *in float32* —
/// Keras 3's `ops.less`/`ops.greater` turn both Python floats into float32 tensors (measured on
/// Keras 3.15.1, TensorFlow backend, even with `floatx` float64). No reference yet (`nil`) is
/// always improved on.
public struct Monitor: Sendable {
    /// The logged quantity (`val_loss`, `accuracy`, …).
    public let quantity: String
    /// The resolved direction (never `.auto`).
    public let mode: MonitorMode
    /// The smallest change that counts (always ≥ 0).
    public let minDelta: Double

    /// Resolves `mode` for `quantity` against the compiled `metrics`; `.auto` on a name that is
    /// neither a loss nor one of them throws, naming the monitor and what could be monitored.
    public init(_ quantity: String, mode: MonitorMode, minDelta: Double = 0, metrics: [Metrics], owner: String) throws {
        self.quantity = quantity
        self.minDelta = Swift.abs(minDelta)
        if mode != .auto {
            self.mode = mode
            return
        }
        let name = quantity.hasPrefix("val_") ? String(quantity.dropFirst(4)) : quantity
        if name.contains("loss") {
            self.mode = .min
        } else if let metric = metrics.first(where: { $0.name == name || name.hasSuffix("_" + $0.name) }) {
            // A model with several outputs logs `<output>_<metric>` (Keras' `CompileMetrics`).
            self.mode = metric.direction
        } else {
            let available = (["loss"] + metrics.map(\.name)).flatMap { [$0, "val_" + $0] }
            throw StrataError.invalidArgument(
                "cannot tell whether monitor '\(quantity)' should be maximized or minimized: it is not a loss, and the model has "
                    + (metrics.isEmpty ? "no compiled metrics" : "no compiled metric '\(name)'"),
                context: owner,
                expected: "one of \(available.joined(separator: ", ")), or mode: .max / .min for another logged value")
        }
    }

    /// Whether `current` improves on `reference` by more than `minDelta` (always, when there is
    /// no reference yet).
    public func isImprovement(_ current: Double, over reference: Double?) -> Bool {
        guard let reference else { return true }
        return mode == .min ? Float(current + minDelta) < Float(reference) : Float(current - minDelta) > Float(reference)
    }
}

/// What the three monitoring callbacks share: resolving the monitor against the model's
/// compiled metrics when training begins, and warning once — with the keys there are — when the
/// monitored value is missing from the logs (a misspelled name, or `val_…` without validation
/// data), as Keras does.
open class MonitorCallback: Callback {
    /// The monitored quantity.
    public let monitor: String
    /// Requested direction (`.auto` is resolved when training begins).
    public let mode: MonitorMode
    /// Smallest change counted as an improvement.
    public let minDelta: Double
    /// The resolved monitor (nil until training begins, or `resolveMonitor()` is called).
    public private(set) var resolvedMonitor: Monitor?
    private var warnedMissing = false

    /// Creates the callback's monitoring part.
    public init(monitor: String, mode: MonitorMode, minDelta: Double) {
        self.monitor = monitor
        self.mode = mode
        self.minDelta = Swift.abs(minDelta)
    }

    /// Resolves the direction against the attached model's compiled metrics (throws a
    /// `StrataError` when `.auto` cannot tell) and forgets an earlier missing-key warning.
    @discardableResult
    public func resolveMonitor() throws -> Monitor {
        let resolved = try Monitor(monitor, mode: mode, minDelta: minDelta, metrics: model?.metrics ?? [],
                                   owner: String(describing: type(of: self)))
        resolvedMonitor = resolved
        warnedMissing = false
        return resolved
    }

    /// The monitored value in `logs`; when it is missing, warns once per training run, naming the
    /// available keys.
    public func monitoredValue(in logs: Logs) -> Double? {
        if let value = logs[monitor] { return value }
        if !warnedMissing {
            warnedMissing = true
            warn("\(String(describing: type(of: self))) is conditioned on '\(monitor)', which is not available. "
                 + "Available metrics are: \(logs.keys.sorted().joined(separator: ","))")
        }
        return nil
    }
}
