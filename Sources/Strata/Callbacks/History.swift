import Foundation

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

    /// Puts back the record of earlier epochs (when training resumes).
    func restore(history: [String: [Double]], epochs: [Int]) {
        self.history = history
        self.epochs = epochs
    }

    /// The values of `key` per epoch (empty if never logged).
    public subscript(key: String) -> [Double] { history[key] ?? [] }
}

extension History {
    /// The history as CSV: a header `epoch,<names…>` and one row per epoch (1-based epochs).
    public func csv() -> String {
        let keys = history.keys.sorted()
        var lines = [(["epoch"] + keys).joined(separator: ",")]
        for (row, epoch) in epochs.enumerated() {
            lines.append(([String(epoch + 1)] + keys.map { key in
                let values = history[key]!
                return row < values.count ? "\(values[row])" : ""
            }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The history as JSON: `{"epochs": [1, 2, …], "loss": […], …}`.
    public func json() throws -> String { try History.json(history, epochs: epochs) }

    /// The JSON of `values` logged at the (0-based) `epochs`.
    static func json(_ values: [String: [Double]], epochs: [Int]) throws -> String {
        var object = values
        object["epochs"] = epochs.map { Double($0 + 1) }
        // JSONEncoder writes each double's shortest round-trip decimal, so a resumed history is
        // bit-identical to the one saved.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(object)
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes `csv()` atomically.
    public func writeCSV(to path: String) throws { try AtomicFile.write(Data(csv().utf8), to: URL(fileURLWithPath: path)) }

    /// Writes `json()` atomically.
    public func writeJSON(to path: String) throws { try AtomicFile.write(Data(try json().utf8), to: URL(fileURLWithPath: path)) }

}
