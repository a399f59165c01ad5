import Foundation
import Strata

extension History {
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
