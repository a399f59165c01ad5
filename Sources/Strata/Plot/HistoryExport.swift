import Foundation

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
    public func json() throws -> String {
        var object: [String: [Double]] = history
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

    /// The article's figure: loss and val_loss, and accuracy and val_accuracy when logged,
    /// against epochs, with the best epoch (lowest `val_loss`, else lowest `loss`) and the
    /// early-stopping point (when training ended before `plannedEpochs`) marked.
    public func chartSVG(plannedEpochs: Int? = nil) -> String {
        let x = epochs.map { Double($0 + 1) }
        var charts: [LineChart] = []
        let bestKey = history["val_loss"] != nil ? "val_loss" : "loss"
        let best = history[bestKey].flatMap { values in values.indices.min { values[$0] < values[$1] } }
        for (title, keys) in [("Loss", ["loss", "val_loss"]), ("Accuracy", ["accuracy", "val_accuracy"])] {
            let present = keys.filter { history[$0] != nil }
            guard !present.isEmpty else { continue }
            var chart = LineChart(title: title, xLabel: "epoch", yLabel: title.lowercased(), width: 480, height: 340)
            for key in present {
                chart.add(LineChart.Series(name: key, x: x, y: history[key]!, dashed: key.hasPrefix("val_"),
                                           markers: x.count <= 60))
            }
            if let best { chart.add(LineChart.Marker(x: x[best], label: "best", color: "#2ca02c")) }
            if let plannedEpochs, let last = epochs.last, last + 1 < plannedEpochs {
                chart.add(LineChart.Marker(x: Double(last + 1), label: "stopped", color: "#d62728"))
            }
            charts.append(chart)
        }
        let width = charts.reduce(0) { $0 + $1.width }, height = charts.map(\.height).max() ?? 0
        var offset = 0.0
        let body = charts.map { chart -> String in
            defer { offset += chart.width }
            return chart.group(x: offset, y: 0)
        }.joined(separator: "\n")
        return LineChart.document(width: width, height: height, body: body)
    }

    /// Writes `chartSVG(plannedEpochs:)` atomically.
    public func plot(to path: String, plannedEpochs: Int? = nil) throws {
        try AtomicFile.write(Data(chartSVG(plannedEpochs: plannedEpochs).utf8), to: URL(fileURLWithPath: path))
    }
}
