import Strata
import Foundation

/// An SVG 1.1 line chart with no dependencies: title, axes with "nice" ticks, gridlines, a
/// legend, several series (solid or dashed, with optional markers) and labeled vertical marker
/// lines — what `History.plot` draws and the lab's reports embed.
///
/// A diverged run does not flatten the others: when the largest values sit more than 1000× the
/// magnitude of the rest above them (a loss of 3e+32 beside losses near 1), the y axis ends at
/// the rest, the run's line is drawn along the top edge there, and its legend entry says it
/// went off the chart; non-finite values (NaN, ∞) are left out and said in the legend. An x
/// axis of whole numbers (epochs, layers) gets whole-number ticks.
///
///     var chart = LineChart(title: "Loss", xLabel: "epoch", yLabel: "loss")
///     chart.add(LineChart.Series(name: "loss", x: epochs, y: losses))
///     try chart.write(to: "loss.svg")
public struct LineChart {
    /// One line.
    public struct Series {
        /// The legend entry.
        public var name: String
        /// The finite points, in drawing order.
        public var points: [(x: Double, y: Double)]
        /// How many given points were left out for a non-finite x or y (a diverged run's NaN).
        public var nonFiniteCount: Int
        /// A CSS color; empty picks the next palette color.
        public var color: String
        /// Whether the line is dashed (validation curves).
        public var dashed: Bool
        /// Whether each point gets a dot.
        public var markers: Bool

        /// A series from parallel x and y values (non-finite points are skipped).
        public init(name: String, x: [Double], y: [Double], color: String? = nil, dashed: Bool = false, markers: Bool = false) {
            self.name = name
            self.points = zip(x, y).filter { $0.0.isFinite && $0.1.isFinite }.map { ($0.0, $0.1) }
            self.nonFiniteCount = Swift.min(x.count, y.count) - points.count
            self.color = color ?? ""
            self.dashed = dashed
            self.markers = markers
        }
    }

    /// A vertical line at `x` with a label (e.g. "best epoch").
    public struct Marker {
        /// Where the line stands on the x axis.
        public var x: Double
        /// The text beside the line.
        public var label: String
        /// The line's CSS color.
        public var color: String

        /// Creates a marker.
        public init(x: Double, label: String, color: String = "#888888") {
            (self.x, self.label, self.color) = (x, label, color)
        }
    }

    /// The chart title.
    public var title: String
    /// The x-axis label.
    public var xLabel: String
    /// The y-axis label.
    public var yLabel: String
    /// Width in pixels.
    public var width: Double
    /// Height in pixels.
    public var height: Double
    /// The lines, in drawing order.
    public private(set) var series: [Series] = []
    /// The vertical marker lines.
    public private(set) var markers: [Marker] = []

    /// The colors given to series in order when they have none.
    /// Tableau's ten categorical colors: ten series, ten distinct colors.
    public static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// Creates an empty chart.
    public init(title: String, xLabel: String, yLabel: String, width: Double = 640, height: Double = 400) {
        (self.title, self.xLabel, self.yLabel, self.width, self.height) = (title, xLabel, yLabel, width, height)
    }

    /// Adds a series (taking the next palette color when it has none).
    public mutating func add(_ series: Series) {
        var series = series
        if series.color.isEmpty { series.color = Self.palette[self.series.count % Self.palette.count] }
        self.series.append(series)
    }

    /// Adds a vertical marker line.
    public mutating func add(_ marker: Marker) { markers.append(marker) }

    /// "Nice" tick values spanning `low...high`: steps of 1, 2 or 5 × 10ᵏ, about `count` of
    /// them, from the last step at or below `low` to the first at or above `high` (the axis range).
    /// With `integers`, steps are whole numbers (an axis of epochs 1 to 3 ticks 1, 2, 3).
    public static func ticks(_ low: Double, _ high: Double, count: Int = 6, integers: Bool = false) -> [Double] {
        guard low.isFinite, high.isFinite else { return [] }
        if low == high { return [low] }
        let rough = (high - low) / Double(Swift.max(count - 1, 1))
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let nice = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough * 0.999 } ?? 10 * magnitude
        let step = integers ? Swift.max(nice, 1) : nice
        let first = (low / step + 1e-9).rounded(.down), last = (high / step - 1e-9).rounded(.up)
        return stride(from: first, through: last, by: 1).map { index in
            let value = index * step
            return abs(value) < step * 1e-9 ? 0 : Double(String(format: "%.12g", value))!   // 0.6, not 0.6000000000000001
        }
    }

    /// The top of the y axis when the largest values are a diverged run's: the largest value
    /// kept such that the next one up is more than 1000× both the kept value and the median
    /// magnitude of the non-zero values (at least a quarter of the values are kept); nil when
    /// nothing is that far out. The median keeps data with many values at or near zero (a
    /// histogram's empty bins) whole.
    static func divergenceCut(_ values: [Double]) -> Double? {
        let sorted = values.sorted()
        guard sorted.count >= 2 else { return nil }
        let magnitudes = sorted.map(abs).filter { $0 > 0 }.sorted()
        let median = magnitudes.isEmpty ? 0 : magnitudes[magnitudes.count / 2]
        for k in ((sorted.count - 1) / 4)..<(sorted.count - 1) {
            let scale = Swift.max(abs(sorted[0]), abs(sorted[k]), median, 1e-12)
            if sorted[k + 1] - sorted[k] > 1000 * scale { return sorted[k] }
        }
        return nil
    }

    /// The legend text of a series: its name, and what of it the chart does not show.
    private func legendName(_ line: Series, cut: Double?) -> String {
        var notes: [String] = []
        if let cut, let top = line.points.map(\.y).max(), top > cut { notes.append("diverged to \(String(format: "%.3g", top)), off the chart") }
        if line.nonFiniteCount > 0 { notes.append("\(line.nonFiniteCount) non-finite value\(line.nonFiniteCount == 1 ? "" : "s") not drawn") }
        return notes.isEmpty ? line.name : line.name + " (" + notes.joined(separator: "; ") + ")"
    }

    /// The chart as an SVG group placed at (`x`, `y`) — for composing several charts.
    func group(x originX: Double, y originY: Double) -> String {
        let left = 64.0, right = 16.0, bottom = 48.0
        let allPoints = series.flatMap(\.points)
        let cut = Self.divergenceCut(allPoints.map(\.y))
        let names = series.map { legendName($0, cut: cut) }
        let legend = legendLayout(names, start: left, end: width - right)
        let top = 52.0 + Double((legend.map(\.row).max() ?? 0)) * 16
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let xs = allPoints.map(\.x) + markers.map(\.x), ys = allPoints.map(\.y).filter { $0 <= (cut ?? .infinity) }
        let xTicks = Self.ticks(xs.min() ?? 0, xs.max() ?? 1, integers: !xs.isEmpty && xs.allSatisfy { $0 == $0.rounded() })
        let yTicks = Self.ticks(ys.min() ?? 0, ys.max() ?? 1)
        let xLow = Swift.min(xTicks.first ?? 0, xs.min() ?? 0), xHigh = Swift.max(xTicks.last ?? 1, xs.max() ?? 1)
        let yLow = Swift.min(yTicks.first ?? 0, ys.min() ?? 0), yHigh = Swift.max(yTicks.last ?? 1, ys.max() ?? 1)
        func px(_ v: Double) -> Double { left + (xHigh == xLow ? plotWidth / 2 : (v - xLow) / (xHigh - xLow) * plotWidth) }
        // Values above the cut are drawn on the top edge.
        func py(_ v: Double) -> Double {
            top + plotHeight - (yHigh == yLow ? plotHeight / 2 : (Swift.min(v, yHigh) - yLow) / (yHigh - yLow) * plotHeight)
        }
        func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e6 ? String(Int(v)) : String(format: "%.3g", v) }

        var out = ["<g transform=\"translate(\(f(originX)),\(f(originY)))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">"]
        out.append("<rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"white\"/>")
        out.append("<text x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(escape(title))</text>")
        for tick in yTicks {
            out.append("<line x1=\"\(f(left))\" y1=\"\(f(py(tick)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(py(tick)))\" stroke=\"#e5e5e5\"/>")
            out.append("<text x=\"\(f(left - 6))\" y=\"\(f(py(tick) + 4))\" text-anchor=\"end\">\(number(tick))</text>")
        }
        for tick in xTicks {
            out.append("<line x1=\"\(f(px(tick)))\" y1=\"\(f(top))\" x2=\"\(f(px(tick)))\" y2=\"\(f(top + plotHeight))\" stroke=\"#f0f0f0\"/>")
            out.append("<text x=\"\(f(px(tick)))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\">\(number(tick))</text>")
        }
        out.append("<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#333333\"/>")
        out.append("<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\">\(escape(xLabel))</text>")
        out.append("<text x=\"14\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(f(top + plotHeight / 2)))\">\(escape(yLabel))</text>")
        for marker in markers {
            out.append("<line x1=\"\(f(px(marker.x)))\" y1=\"\(f(top))\" x2=\"\(f(px(marker.x)))\" y2=\"\(f(top + plotHeight))\" stroke=\"\(marker.color)\" stroke-dasharray=\"2,3\"/>")
            // Labels near the right edge go on the line's left so they are not cut off.
            let nearRight = px(marker.x) > left + plotWidth * 0.85
            out.append("<text x=\"\(f(px(marker.x) + (nearRight ? -4 : 4)))\" y=\"\(f(top + 14))\" fill=\"\(marker.color)\"\(nearRight ? " text-anchor=\"end\"" : "")>\(escape(marker.label))</text>")
        }
        for line in series where !line.points.isEmpty {
            let path = line.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            out.append("<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"6,4\"" : "")/>")
            // A point off the chart gets a triangle on the top edge, pointing up.
            for point in line.points where point.y > yHigh {
                let (x, y) = (px(point.x), top)
                out.append("<polygon points=\"\(f(x - 5)),\(f(y + 8)) \(f(x + 5)),\(f(y + 8)) \(f(x)),\(f(y))\" fill=\"\(line.color)\"/>")
            }
            if line.markers {
                for point in line.points {
                    out.append("<circle cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"2.5\" fill=\"\(line.color)\"/>")
                }
            }
        }
        // The legend sits in rows between the title and the plot, clear of the lines.
        for ((line, name), place) in zip(zip(series, names), legend) {
            let y = 40 + Double(place.row) * 16, x = place.x
            out.append("<line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x + 22))\" y2=\"\(f(y))\" stroke=\"\(line.color)\" stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"6,4\"" : "")/>")
            out.append("<text x=\"\(f(x + 28))\" y=\"\(f(y + 4))\">\(escape(name))</text>")
        }
        out.append("</g>")
        return out.joined(separator: "\n")
    }

    /// Where each legend entry goes: entries flow left to right and wrap into a new row when
    /// the next one (line, gap, its estimated text width) would pass `end`.
    private func legendLayout(_ names: [String], start: Double, end: Double) -> [(x: Double, row: Int)] {
        var x = start, row = 0
        return names.map { name in
            let entryWidth = 28 + 7 * Double(name.count) + 16   // ≈ 7 px per character at 12 px
            if x > start && x + entryWidth - 16 > end {
                x = start
                row += 1
            }
            defer { x += entryWidth }
            return (x, row)
        }
    }

    /// A complete SVG document of this chart.
    public func svg() -> String { Self.document(width: width, height: height, body: group(x: 0, y: 0)) }

    /// Writes `svg()` atomically.
    public func write(to path: String) throws {
        try AtomicFile.write(Data(svg().utf8), to: URL(fileURLWithPath: path))
    }

    static func document(width: Double, height: Double, body: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))">
        \(body)
        </svg>
        """
    }
}

private func f(_ v: Double) -> String { String(format: "%.1f", v) }

/// Escapes text for XML.
func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
