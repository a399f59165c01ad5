import Foundation
import Strata

/// The lab's pictures of a `Diagnostics` run.
extension DiagnosticsTable {
    /// The vanishing-gradient picture: log₁₀ of each layer's kernel-gradient norm against its
    /// depth, one series per chosen moment (default: the first and the last).
    public func gradientNormChart(moments: [ProbeMoment]? = nil, title: String = "Gradient norm by layer depth") -> LineChart {
        var chart = LineChart(title: title, xLabel: "layer depth", yLabel: "log₁₀ ‖∂loss/∂kernel‖")
        for moment in moments ?? Self.firstAndLast(self.moments) {
            let points = snapshots(at: moment).compactMap { row in
                row.kernelGradientNorm.flatMap { $0 > 0 ? (Double(row.depth), Foundation.log10(Double($0))) : nil }
            }
            chart.add(.init(name: Self.label(moment), x: points.map(\.0), y: points.map(\.1), markers: true))
        }
        return chart
    }

    /// Mean and standard deviation of each layer's output against depth at one moment
    /// (default: the first).
    public func activationChart(at moment: ProbeMoment? = nil, title: String = "Layer outputs by depth") -> LineChart {
        var chart = LineChart(title: title, xLabel: "layer depth", yLabel: "output mean / std")
        let rows = snapshots(at: moment ?? moments.first)
        let depths = rows.map { Double($0.depth) }
        chart.add(.init(name: "mean", x: depths, y: rows.map { Double($0.outputMean) }, markers: true))
        chart.add(.init(name: "std", x: depths, y: rows.map { Double($0.outputStd) }, markers: true))
        return chart
    }

    /// The fraction of dead units of each ReLU-family layer against optimizer steps.
    public func deadUnitChart(title: String = "Dead units over training") -> LineChart {
        var chart = LineChart(title: title, xLabel: "optimizer step", yLabel: "fraction of units dead")
        let layers = rows.filter { $0.deadFraction != nil }.reduce(into: [String]()) { if !$0.contains($1.layer) { $0.append($1.layer) } }
        for layer in layers {
            let points = rows.filter { $0.layer == layer }.compactMap { row in row.deadFraction.map { (Double(row.step), Double($0)) } }
            chart.add(.init(name: layer, x: points.map(\.0), y: points.map(\.1)))
        }
        return chart
    }

    static func label(_ moment: ProbeMoment) -> String {
        switch moment {
        case .initialization: "at initialization"
        case .step(let step, _): "after step \(step)"
        case .epochEnd(let epoch): "after epoch \(epoch + 1)"
        }
    }

    private static func firstAndLast(_ moments: [ProbeMoment]) -> [ProbeMoment] {
        guard let first = moments.first, let last = moments.last else { return [] }
        return first == last ? [first] : [first, last]
    }
}
