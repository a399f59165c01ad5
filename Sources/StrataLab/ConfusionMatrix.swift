import Foundation

/// Counts of (true class, predicted class), as text for a terminal and per-class rows for a report.
///
///     let confusion = ConfusionMatrix(truth: [0, 1, 1], predictions: [0, 1, 0], classes: 2)
///     print(confusion.text(classNames: ["cat", "dog"]))
public struct ConfusionMatrix: Sendable {
    /// `counts[t][p]`: samples of true class `t` predicted as `p`.
    public let counts: [[Int]]

    /// Counts `truth` against `predictions`, class indices in `0..<classes`.
    public init(truth: [Int], predictions: [Int], classes: Int) {
        var counts = Array(repeating: Array(repeating: 0, count: classes), count: classes)
        for (t, p) in zip(truth, predictions) { counts[t][p] += 1 }
        self.counts = counts
    }

    /// The matrix, rows the true class, columns the predicted one: rows named in full and
    /// numbered, columns by number, so that no name is cut and ten classes fit 80 columns.
    public func text(classNames: [String]) -> String {
        let labels = classNames.enumerated().map { "\(String($0.offset).leftPadded(2)) \($0.element)" }
        let labelWidth = (labels.map(\.count).max() ?? 0) + 1
        let cellWidth = Swift.max(String(counts.joined().max() ?? 0).count, String(counts.count - 1).count) + 2
        var lines = ["Confusion matrix (rows: true class, columns: predicted class by number)",
                     "".padding(toLength: labelWidth, withPad: " ", startingAt: 0)
                        + counts.indices.map { String($0).leftPadded(cellWidth) }.joined()]
        for (label, row) in zip(labels, counts) {
            lines.append(label.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
                         + row.map { String($0).leftPadded(cellWidth) }.joined())
        }
        return lines.joined(separator: "\n")
    }

    /// Per class: name, accuracy, and the class it is most often mistaken for.
    public func perClass(classNames: [String]) -> [[String]] {
        counts.enumerated().map { index, row in
            let total = Swift.max(row.reduce(0, +), 1)
            let confused = row.enumerated().filter { $0.offset != index }.max { $0.element < $1.element }
            return [classNames[index], String(format: "%.1f%%", 100 * Double(row[index]) / Double(total)),
                    confused.map { "\(classNames[$0.offset]) (\($0.element))" } ?? ""]
        }
    }
}

extension String {
    /// The string right-aligned in `width` columns.
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: Swift.max(0, width - count)) + self }
}
