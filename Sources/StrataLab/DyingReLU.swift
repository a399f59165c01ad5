import Strata
import Foundation

/// Do ReLU units die at a high learning rate, and do leaky ReLU, PReLU and ELU avoid it?
///
/// Each configuration trains the same MLP (`depth` hidden layers of `width` units, He-normal
/// weights) with plain SGD at 25× Keras' default learning rate (and ReLU once at the default, as
/// the reference), probing every `probeEvery`
/// steps which units are *inactive*: pre-activation ≤ 0 on every probe sample. For ReLU such a
/// unit is dead — output and gradient 0 for every input, so no update can revive it; for the
/// variants it still passes a gradient.
///
///     let report = try DyingReLU(quick: true).run(on: try LabData.fashionMNIST())
public struct DyingReLU: LabExperiment {
    public static let name = "dying-relu"
    public static let summary = "Dead units over training at a high learning rate: ReLU vs leaky ReLU (0.01, 0.2) vs PReLU vs ELU."
    public static let defaultData = LabDataSource.fashionMNIST

    /// The activation of one configuration.
    enum Unit: CaseIterable {
        case relu, leaky001, leaky02, prelu, elu

        var name: String {
            switch self {
            case .relu: "ReLU"
            case .leaky001: "leaky ReLU (0.01)"
            case .leaky02: "leaky ReLU (0.2)"
            case .prelu: "PReLU"
            case .elu: "ELU"
            }
        }

        /// A hidden layer: Dense with the activation fused, or Dense then a PReLU layer.
        func layers(_ width: Int) -> [Layer] {
            switch self {
            case .relu: [Dense(width, activation: .relu, kernelInitializer: .heNormal)]
            case .leaky001: [Dense(width, activation: .leakyRelu(negativeSlope: 0.01), kernelInitializer: .heNormal)]
            case .leaky02: [Dense(width, activation: .leakyRelu(negativeSlope: 0.2), kernelInitializer: .heNormal)]
            case .prelu: [Dense(width, kernelInitializer: .heNormal), PReLU()]
            case .elu: [Dense(width, activation: .elu, kernelInitializer: .heNormal)]
            }
        }
    }

    public let quick: Bool
    public let seed: UInt64
    /// Hidden layers, their width, and the (high) SGD learning rate.
    let depth = 4, width = 100, learningRate: Float = 0.25
    static let defaultRate: Float = 0.01
    var probeEvery: Int { quick ? 20 : 200 }

    public init(quick: Bool = false, seed: UInt64 = 42) {
        self.quick = quick
        self.seed = seed
    }

    public func run(on data: LabData, progress: (String) -> Void) throws -> LabReport {
        let trainer = LabTrainer.comparison(data: data, seed: seed, quick: quick)
        let probe = data.probeBatch()
        // ReLU at Keras' default learning rate first, as the reference; then every unit at the high rate.
        let plan = [(Unit.relu, Self.defaultRate)] + Unit.allCases.map { ($0, learningRate) }
        var runs: [(unit: Unit, run: LabRun)] = []
        for (unit, rate) in plan {
            let name = unit.name + ", lr " + LabFormat.number(rate)
            progress(name)
            let diagnostics = Diagnostics(probe: probe.x, labels: probe.y, every: probeEvery)
            let (run, _) = try trainer.run(name, optimizer: SGD(learningRate: .constant(rate)), diagnostics: diagnostics) {
                try trainer.model((0..<depth).flatMap { _ in unit.layers(width) } + [trainer.head])
            }
            runs.append((unit, run))
        }

        var report = LabReport(experiment: Self.name, title: "dying ReLUs", claim:
            "ReLU units can die during training — especially with a large learning rate — outputting 0 for every input, "
            + "after which gradient descent cannot revive them; leaky ReLU, PReLU and ELU have a nonzero gradient for "
            + "negative inputs and so avoid dead units, and tend to reach a better accuracy.")
        let reference = runs[0].run, relu = runs[1].run, variants = runs.dropFirst(2)
        let reluDead = Self.peakInactive(relu), reluFinal = Self.finalInactive(relu)
        let best = runs.dropFirst().filter { !$0.run.diverged }.max { $0.run.testAccuracy < $1.run.testAccuracy }
        let variantsBeat = variants.filter { !$0.run.diverged && $0.run.testAccuracy > relu.testAccuracy }.count
        let moreDead = reluDead > Self.peakInactive(reference)
        let fewerInactive = variants.filter { !$0.run.diverged && Self.finalInactive($0.run) < reluFinal }.count
        report.stance = moreDead && fewerInactive == variants.count && variantsBeat == variants.count ? .confirms
            : moreDead || variantsBeat > 0 ? .qualifies : .contradicts
        report.verdict = "ReLU's dead hidden units: \(LabFormat.percent(Self.finalInactive(reference))) at the end at learning rate "
            + "\(LabFormat.number(Self.defaultRate)) (peak \(LabFormat.percent(Self.peakInactive(reference)))), "
            + "\(LabFormat.percent(reluFinal)) at \(LabFormat.number(learningRate)) (peak \(LabFormat.percent(reluDead))). At "
            + "\(LabFormat.number(learningRate)), units negative on every probe sample (not dead: they still learn through the "
            + "negative slope): " + variants.map { "\($0.unit.name) \(Self.inactive($0.run))" }.joined(separator: ", ")
            + ". Test accuracy at \(LabFormat.number(learningRate)): "
            + runs.dropFirst().map { "\($0.unit.name) \($0.run.diverged ? "diverged" : LabFormat.percent($0.run.testAccuracy))" }
                .joined(separator: ", ")
            + "; best: \(best?.unit.name ?? "none"); \(variantsBeat) of \(variants.count) variants beat ReLU."

        report.heading("Dead (ReLU) and inactive units over training")
        var chart = LineChart(title: "Hidden units with pre-activation ≤ 0 on every probe sample",
                              xLabel: "optimizer step", yLabel: "fraction of hidden units (mean over layers)")
        for (_, run) in runs {
            let series = Self.inactiveSeries(run)
            chart.add(.init(name: run.name, x: series.map(\.step), y: series.map(\.fraction)))
        }
        report.chart(chart, file: "inactive-units")
        report.chart(LabRun.chart(runs.map(\.run), "val_accuracy", title: "Validation accuracy"), file: "validation-accuracy")
        report.heading("Measurements")
        report.table(header: ["activation", "inactive units at the end", "peak", "final training loss", "validation accuracy",
                              "test accuracy"],
                     rows: runs.map { unit, run in
                         [run.name, Self.inactive(run), run.diverged ? "diverged" : LabFormat.percent(Self.peakInactive(run)),
                          LabFormat.number(run.last("loss")), LabFormat.percent(run.last("val_accuracy")),
                          run.diverged ? "diverged" : LabFormat.percent(run.testAccuracy)]
                     })
        report.settings = "\(depth) hidden Dense layers of \(width) units, He-normal weights, softmax output; plain SGD at "
            + "learning rate \(LabFormat.number(learningRate)) (25× Keras' default, \(LabFormat.number(Self.defaultRate)), at which ReLU runs once as the reference); units probed on 256 test samples every \(probeEvery) steps. "
            + trainer.description
        report.csv("history.csv", LabRun.historyCSV(runs.map(\.run)))
        report.csv("diagnostics.csv", DiagnosticsTable.csv(runs.compactMap { run in run.run.diagnostics.map { (run.run.name, $0) } }))
        return report
    }

    /// Mean inactive fraction over the hidden layers at each probe, in step order.
    /// Probes whose outputs are no longer finite (a diverged run) are left out: a NaN
    /// pre-activation is never positive, so it would count as inactive.
    static func inactiveSeries(_ run: LabRun) -> [(step: Double, fraction: Double)] {
        guard let table = run.diagnostics else { return [] }
        return table.moments.compactMap { moment in
            let rows = table.snapshots(at: moment).filter { $0.inactiveFraction != nil }
            guard let step = rows.first?.step, rows.allSatisfy({ $0.outputMean.isFinite }) else { return nil }
            return (Double(step), rows.reduce(0) { $0 + Double($1.inactiveFraction!) } / Double(rows.count))
        }
    }

    /// The final inactive fraction, or `diverged` (a non-finite pre-activation is never positive).
    static func inactive(_ run: LabRun) -> String { run.diverged ? "diverged" : LabFormat.percent(finalInactive(run)) }

    static func finalInactive(_ run: LabRun) -> Float { Float(inactiveSeries(run).last?.fraction ?? .nan) }
    static func peakInactive(_ run: LabRun) -> Float { Float(inactiveSeries(run).map(\.fraction).max() ?? .nan) }
}
