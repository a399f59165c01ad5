/// Which way a monitored quantity improves.
public enum MonitorMode: String, Sendable {
    /// Inferred from the name, as Keras does: `loss` and error metrics go down; accuracy, AUC,
    /// precision and recall go up.
    case auto
    /// Lower is better.
    case min
    /// Higher is better.
    case max
}

/// The "is this an improvement?" decision shared by `EarlyStopping`, `ModelCheckpoint` and
/// `ReduceLROnPlateau` (Keras' `MonitorCallback`): `current − minDelta` compared with the
/// reference in the monitored direction (for `.min`, `current + minDelta < reference`).
public struct Monitor: Sendable {
    /// The logged quantity (`val_loss`, `accuracy`, …).
    public let quantity: String
    /// The resolved direction (never `.auto`).
    public let mode: MonitorMode
    /// The smallest change that counts (always ≥ 0).
    public let minDelta: Float

    /// Resolves `mode` for `quantity`; `.auto` on an unknown name throws, telling the fix.
    public init(_ quantity: String, mode: MonitorMode, minDelta: Float = 0, owner: String) throws {
        self.quantity = quantity
        self.minDelta = Swift.abs(minDelta)
        if mode != .auto {
            self.mode = mode
            return
        }
        let name = quantity.hasPrefix("val_") ? String(quantity.dropFirst(4)) : quantity
        if let direction = Monitor.direction(of: name) {
            self.mode = direction
        } else {
            throw StrataError.invalidArgument(
                "cannot tell whether '\(quantity)' should be maximized or minimized", context: owner,
                expected: "mode: .max to keep the highest value or mode: .min to keep the lowest")
        }
    }

    /// Keras' metric directions: up for accuracies, AUC, precision, recall; down for losses and
    /// errors.
    static func direction(of name: String) -> MonitorMode? {
        if name == "loss" || name.hasSuffix("_loss") || name.hasSuffix("error") || name.hasSuffix("crossentropy")
            || ["huber", "hinge", "kl_divergence"].contains(name) {
            return .min
        }
        if name.hasSuffix("accuracy") || name == "acc" || name == "auc" || name == "precision" || name == "recall" {
            return .max
        }
        return nil
    }

    /// The worst possible value, the starting "best".
    public var worst: Float { mode == .min ? .infinity : -.infinity }

    /// Whether `current` improves on `reference` by more than `minDelta`.
    public func isImprovement(_ current: Float, over reference: Float) -> Bool {
        mode == .min ? current + minDelta < reference : current - minDelta > reference
    }

    /// The monitored value in `logs`, or nil.
    public func value(in logs: Logs) -> Float? { logs[quantity] }
}
