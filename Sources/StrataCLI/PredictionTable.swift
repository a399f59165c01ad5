import Foundation
import Strata

/// The CSV `strata predict` writes, by what the model predicts (from its compiled loss):
/// a binary classifier `probability,class` (class 1 when the probability is at least 0.5, as
/// Keras' `BinaryAccuracy` thresholds); a multi-class classifier `class` and one
/// `probability_<name>` column per class (class names where the data set has them, else the
/// index); a regression `prediction` (one column per output, `prediction_<i>`, for several).
struct PredictionTable {
    enum Kind: Equatable {
        case binary, multiClass, regression
    }

    let kind: Kind
    let outputs: Int
    let classNames: [String]?

    /// The table for `model`'s outputs, `outputs` values per sample.
    init(model: Model, outputs: Int, classNames: [String]?) {
        let lossName = model.loss?.name ?? ""
        if lossName == "binary_crossentropy" && outputs == 1 { kind = .binary }
        else if lossName.hasSuffix("categorical_crossentropy") && outputs > 1 { kind = .multiClass }
        else { kind = .regression }
        self.outputs = outputs
        self.classNames = classNames?.count == outputs ? classNames : nil
    }

    var header: [String] {
        switch kind {
        case .binary: ["probability", "class"]
        case .multiClass: ["class"] + (0..<outputs).map { "probability_" + name(of: $0) }
        case .regression: outputs == 1 ? ["prediction"] : (0..<outputs).map { "prediction_\($0)" }
        }
    }

    /// The columns in words, for the command's last line.
    var summary: String {
        switch kind {
        case .binary: "probability and class"
        case .multiClass: "class and \(outputs) class probabilities"
        case .regression: outputs == 1 ? "prediction" : "\(outputs) predictions per row"
        }
    }

    /// One sample's cells.
    func row(_ values: ArraySlice<Float>) -> [String] {
        let cells = values.map { "\($0)" }
        switch kind {
        case .binary:
            return cells + [values.first! >= 0.5 ? "1" : "0"]
        case .multiClass:
            let best = values.indices.max { values[$0] < values[$1] }! - values.startIndex
            return [name(of: best)] + cells
        case .regression:
            return cells
        }
    }

    /// The whole table as CSV text, cells quoted where they hold a comma, quote or line break.
    func csv(_ predictions: Tensor) -> String {
        let values = predictions.scalars
        var lines = [header.map(Self.quoted).joined(separator: ",")]
        for sample in 0..<predictions.shape[0] {
            lines.append(row(values[(sample * outputs)..<((sample + 1) * outputs)]).map(Self.quoted).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func name(of index: Int) -> String { classNames?[index] ?? String(index) }

    private static func quoted(_ cell: String) -> String {
        cell.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline })
            ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
    }
}
