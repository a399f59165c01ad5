import Foundation

/// Prints one line per epoch: `Epoch 3/20 - 1.2s - loss: 0.3412 - accuracy: 0.8812 - val_loss: …`
/// (the terminal progress bar arrives with the command-line work).
final class ProgressLogger: Callback {
    private let epochs: Int
    private var started = DispatchTime.now()

    init(epochs: Int) {
        self.epochs = epochs
    }

    override func onEpochBegin(_ epoch: Int, logs: Logs) throws {
        started = DispatchTime.now()
    }

    override func onEpochEnd(_ epoch: Int, logs: Logs) throws {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let values = logs.keys.sorted { ProgressLogger.order($0) < ProgressLogger.order($1) }
            .map { "\($0): \(String(format: $0 == "learning_rate" ? "%.4g" : "%.4f", logs[$0]!))" }
        print((["Epoch \(epoch + 1)/\(epochs)", String(format: "%.2fs", seconds)] + values).joined(separator: " - "))
    }

    /// loss first, then metrics, then validation values, then the learning rate.
    private static func order(_ key: String) -> (Int, String) {
        if key == "loss" { return (0, key) }
        if key == "learning_rate" { return (4, key) }
        if key == "val_loss" { return (2, key) }
        return (key.hasPrefix("val_") ? 3 : 1, key)
    }
}
