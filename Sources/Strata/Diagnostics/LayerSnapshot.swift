import Foundation

/// When a diagnostics probe was taken.
public enum ProbeMoment: Equatable, Sendable {
    /// Before the first update.
    case initialization
    /// After optimizer step `step` (1-based, counted over the whole run) in epoch `epoch` (0-based).
    case step(Int, epoch: Int)
    /// After epoch `epoch` (0-based).
    case epochEnd(Int)

    /// `initialization`, `step`, `epoch_end`.
    public var kind: String {
        switch self {
        case .initialization: "initialization"
        case .step: "step"
        case .epochEnd: "epoch_end"
        }
    }
}

/// One layer's health at one moment: how large its gradients are, how far one update moves its
/// weights, and what its outputs look like on the fixed probe batch.
public struct LayerSnapshot: Sendable {
    /// When the probe ran.
    public let moment: ProbeMoment
    /// Optimizer steps taken so far.
    public let step: Int
    /// 1-based position of the layer in the model.
    public let depth: Int
    /// The layer's name (`dense_3`) and type (`Dense`).
    public let layer: String, type: String
    /// L2 norm of the loss gradient of the layer's kernel (or its first weight: γ, α) on the probe batch.
    public let kernelGradientNorm: Float?
    /// L2 norm of the loss gradient of the bias (or β).
    public let biasGradientNorm: Float?
    /// ‖Δkernel‖ / ‖kernel‖ over the optimizer step just taken (step moments only).
    public let updateRatio: Float?
    /// Mean and standard deviation of the values entering the layer's activation function.
    public let preActivationMean: Float?, preActivationStd: Float?
    /// Mean and standard deviation of the layer's output.
    public let outputMean: Float, outputStd: Float
    /// ReLU-family layers: the fraction of units whose output is 0 for every probe sample.
    public let deadFraction: Float?
    /// ReLU-family layers: the fraction of units whose pre-activation is ≤ 0 for every probe
    /// sample — dead under plain ReLU; under leaky ReLU, PReLU or ELU such units still pass a
    /// gradient and can come back.
    public let inactiveFraction: Float?
    /// Sigmoid/tanh layers: the fraction of units within 0.01 of a bound for ≥ 99 % of the samples.
    public let saturatedFraction: Float?
}

/// Every snapshot a `Diagnostics` run took, in order, with CSV and chart exports.
public struct DiagnosticsTable: Sendable {
    /// The snapshots, by moment then depth.
    public internal(set) var rows: [LayerSnapshot] = []

    /// Creates an empty table.
    public init() {}

    /// The snapshots of one moment (`nil`: the latest moment), ordered by depth.
    public func snapshots(at moment: ProbeMoment? = nil) -> [LayerSnapshot] {
        guard let moment = moment ?? rows.last?.moment else { return [] }
        return rows.filter { $0.moment == moment }
    }

    /// The distinct moments, in the order they were taken.
    public var moments: [ProbeMoment] {
        rows.reduce(into: [ProbeMoment]()) { if $0.last != $1.moment { $0.append($1.moment) } }
    }

    /// One line per snapshot; empty cells where a value does not apply.
    public func csv() -> String {
        func cell(_ value: Float?) -> String { value.map { "\($0)" } ?? "" }
        var lines = ["moment,epoch,step,depth,layer,type,kernel_gradient_norm,bias_gradient_norm,update_ratio,"
                     + "pre_activation_mean,pre_activation_std,output_mean,output_std,dead_fraction,inactive_fraction,saturated_fraction"]
        for row in rows {
            let epoch: String
            switch row.moment {
            case .initialization: epoch = ""
            case .step(_, let e), .epochEnd(let e): epoch = "\(e + 1)"
            }
            lines.append([row.moment.kind, epoch, "\(row.step)", "\(row.depth)", row.layer, row.type,
                          cell(row.kernelGradientNorm), cell(row.biasGradientNorm), cell(row.updateRatio),
                          cell(row.preActivationMean), cell(row.preActivationStd), cell(row.outputMean),
                          cell(row.outputStd), cell(row.deadFraction), cell(row.inactiveFraction), cell(row.saturatedFraction)].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Several tables as one CSV whose first column, `configuration`, names each table.
    public static func csv(_ tables: [(name: String, table: DiagnosticsTable)]) -> String {
        var lines: [String] = []
        for (name, table) in tables {
            let rows = table.csv().split(separator: "\n")
            if lines.isEmpty { lines.append("configuration," + rows[0]) }
            lines += rows.dropFirst().map { "\"\(name)\"," + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `csv()` to `path` atomically.
    public func writeCSV(to path: String) throws { try AtomicFile.write(Data(csv().utf8), to: URL(fileURLWithPath: path)) }
}
