import Foundation

/// Saves the model's weights during training (Keras' `ModelCheckpoint`), atomically.
///
/// The path may hold Keras' templates `{epoch}`, `{epoch:02d}` (1-based) and `{name:.4f}` for any
/// logged value. With `saveBestOnly`, a file is written only when the monitored value improves
/// on the best so far (or on `initialValueThreshold`); when the monitored value is missing from
/// the logs, Keras 3 warns and saves every time, and so does this callback. Files are safetensors: the whole model
/// (`Sequential.load(from:)` reads it back), or only its weights with `saveWeightsOnly`.
///
///     ModelCheckpoint("model/best.safetensors", monitor: "val_accuracy", saveBestOnly: true)
public final class ModelCheckpoint: MonitorCallback {
    /// When to save.
    public enum Frequency: Sendable, Equatable {
        /// After every epoch.
        case epoch
        /// Every n training batches.
        case batches(Int)
    }

    /// The path template.
    public let filepath: String
    /// Whether to save only improvements.
    public let saveBestOnly: Bool
    /// Whether only weights are saved (`saveWeights`), rather than the whole model with its
    /// compile settings and optimizer state (`save`).
    public let saveWeightsOnly: Bool
    /// When to save.
    public let saveFrequency: Frequency
    /// The value to beat before the first save, when saving only the best.
    public let initialValueThreshold: Double?
    /// Whether to announce saves and non-improvements, as Keras' `verbose=1`.
    public let verbose: Bool
    /// The best monitored value so far (Keras `best`: `initialValueThreshold`, or nil before the
    /// first save).
    public private(set) var best: Double?
    /// Paths written, in order.
    public private(set) var savedPaths: [String] = []
    private var batchesSeen = 0
    private var epoch = 0

    /// Creates the callback with Keras 3's defaults.
    public init(_ filepath: String, monitor: String = "val_loss", saveBestOnly: Bool = false, saveWeightsOnly: Bool = false,
                mode: MonitorMode = .auto, saveFreq: Frequency = .epoch, initialValueThreshold: Double? = nil,
                verbose: Bool = false) {
        self.verbose = verbose
        self.filepath = filepath
        self.saveBestOnly = saveBestOnly
        self.saveWeightsOnly = saveWeightsOnly
        self.saveFrequency = saveFreq
        self.initialValueThreshold = initialValueThreshold
        super.init(monitor: monitor, mode: mode, minDelta: 0)
    }

    public override func onTrainBegin(logs: Logs) throws {
        // Report an unwritable destination now, not after an hour of training at the first save.
        let folder = URL(fileURLWithPath: filepath).deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        guard FileManager.default.isWritableFile(atPath: folder.path) else {
            throw StrataError(kind: .io, message: "cannot write checkpoints into \(folder.path)", context: "ModelCheckpoint",
                              expected: "an existing, writable folder for \(filepath)")
        }
        if saveBestOnly {
            try resolveMonitor()
            best = initialValueThreshold
        }
        batchesSeen = 0
    }

    public override func onEpochBegin(_ epoch: Int, logs: Logs) throws { self.epoch = epoch }

    public override func onTrainBatchEnd(_ batch: Int, logs: Logs) throws {
        guard case .batches(let every) = saveFrequency else { return }
        batchesSeen += 1
        if batchesSeen % Swift.max(every, 1) == 0 { try save(epoch: epoch, logs: logs) }
    }

    public override func onEpochEnd(_ epoch: Int, logs: Logs) throws {
        if saveFrequency == .epoch { try save(epoch: epoch, logs: logs) }
    }

    private func save(epoch: Int, logs: Logs) throws {
        let path = try ModelCheckpoint.format(filepath, epoch: epoch + 1, logs: logs)
        if saveBestOnly {
            let monitor = try resolvedMonitor ?? resolveMonitor()
            let bestText = best.map { String(format: "%.5f", $0) } ?? "None"
            // Keras (`_should_save_model`): with the monitored value missing it warns and saves anyway.
            if let current = monitoredValue(in: logs) {
                guard monitor.isImprovement(current, over: best) else {
                    if verbose { announce("Epoch \(epoch + 1): \(monitor.quantity) did not improve from \(bestText)") }
                    return
                }
                if verbose {
                    announce("Epoch \(epoch + 1): \(monitor.quantity) improved from \(bestText) to "
                          + "\(String(format: "%.5f", current)), saving model to \(path)")
                }
                best = current
            }
        } else if verbose {
            announce("Epoch \(epoch + 1): saving model to \(path)")
        }
        if saveWeightsOnly { try model?.saveWeights(to: path) } else { try model?.save(to: path) }
        savedPaths.append(path)
    }

    /// Fills `{epoch}`, `{epoch:02d}`, `{name}` and `{name:.Nf}` from the epoch and logs.
    static func format(_ template: String, epoch: Int, logs: Logs) throws -> String {
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw StrataError.invalidArgument("unclosed '{' in file path template '\(template)'", context: "ModelCheckpoint")
            }
            let field = rest[rest.index(after: open)..<close]
            let parts = field.split(separator: ":", maxSplits: 1).map(String.init)
            let key = parts.first ?? ""
            let spec = parts.count > 1 ? parts[1] : ""
            if key == "epoch" {
                let width = Int(spec.filter(\.isNumber)) ?? 0
                result += String(format: spec.hasPrefix("0") ? "%0\(width)d" : "%\(width)d", epoch)
            } else if let value = logs[key] {
                result += spec.isEmpty ? "\(value)" : String(format: "%" + spec, value)
            } else {
                throw StrataError.invalidArgument("file path template '\(template)' names '\(key)', which is not logged",
                                                  context: "ModelCheckpoint", expected: "epoch or one of \(logs.keys.sorted())")
            }
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}
