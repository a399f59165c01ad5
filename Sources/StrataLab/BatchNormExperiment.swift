import Strata
import Foundation

/// Does batch normalization make the article's MLP train faster and tolerate a larger learning
/// rate — and does it matter whether it sits before or after the activation?
///
/// Three architectures of `784 → 300 → 100 → 10` (no batch norm; the article's batch norm after
/// each activation; batch norm between each bias-free Dense layer and its activation), each
/// trained with plain SGD at Keras' default learning rate, at 10× and at 100× it.
///
///     let report = try BatchNormExperiment(quick: true).run(on: try LabData.fashionMNIST())
public struct BatchNormExperiment: LabExperiment {
    public static let name = "batch-norm"
    public static let summary = "The article's MLP without batch norm, with it after and before the activation, at 1×, 10×, 100× the learning rate."
    public static let defaultData = LabDataSource.fashionMNIST

    enum Placement: CaseIterable {
        case none, afterActivation, beforeActivation

        var name: String {
            switch self {
            case .none: "no batch norm"
            case .afterActivation: "batch norm after activation (article)"
            case .beforeActivation: "batch norm before activation"
            }
        }

        func layers(units: [Int]) -> [Layer] {
            switch self {
            case .none: units.map { Dense($0, activation: .relu) }
            case .afterActivation: [BatchNormalization()] + units.flatMap { [Dense($0, activation: .relu), BatchNormalization()] }
            case .beforeActivation:
                [BatchNormalization()] + units.flatMap { [Dense($0, useBias: false), BatchNormalization(), Activation(.relu)] as [Layer] }
            }
        }
    }

    public let quick: Bool
    public let seed: UInt64
    let learningRates: [Float] = [0.01, 0.1, 1], units = [300, 100]

    public init(quick: Bool = false, seed: UInt64 = 42) {
        self.quick = quick
        self.seed = seed
    }

    public func run(on data: LabData, progress: (String) -> Void) throws -> LabReport {
        let trainer = LabTrainer.comparison(data: data, seed: seed, quick: quick)
        let target = LabTrainer.comparisonTarget(quick: quick), epochs = trainer.epochs
        var runs: [(placement: Placement, rate: Float, run: LabRun)] = []
        for rate in learningRates {
            for placement in Placement.allCases {
                let name = placement.name + ", lr " + LabFormat.number(rate)
                progress(name)
                let (run, _) = try trainer.run(name, optimizer: SGD(learningRate: .constant(rate))) {
                    try trainer.model(placement.layers(units: units) + [trainer.head])
                }
                runs.append((placement, rate, run))
            }
        }
        func find(_ placement: Placement, _ rate: Float) -> LabRun { runs.first { $0.placement == placement && $0.rate == rate }!.run }
        func reached(_ run: LabRun) -> String {
            run.firstEpoch("val_accuracy", reaching: target).map { "epoch \($0)" } ?? "not within \(epochs) epochs"
        }
        func accuracy(_ run: LabRun) -> String { run.diverged ? "diverged" : LabFormat.percent(run.testAccuracy) }
        /// Trains: a finite loss and a best validation accuracy within 5 points of the target.
        func trains(_ run: LabRun) -> Bool { !run.diverged && (run.history["val_accuracy"]?.max() ?? 0) >= target - 0.05 }
        func highest(_ placement: Placement) -> Float? { learningRates.last { trains(find(placement, $0)) } }

        var report = LabReport(experiment: Self.name, title: "batch normalization", claim:
            "Batch normalization between layers makes training faster (fewer epochs to a given accuracy) and more stable, "
            + "so that much larger learning rates can be used; the article places it after the activation, its authors "
            + "argued for before — the difference is small.")
        let base = learningRates[0]
        let plain = find(.none, base), normalized = find(.afterActivation, base)
        let faster = (normalized.firstEpoch("val_accuracy", reaching: target) ?? .max) < (plain.firstEpoch("val_accuracy", reaching: target) ?? .max)
        let tolerates = (highest(.afterActivation) ?? 0) > (highest(.none) ?? 0) || (highest(.beforeActivation) ?? 0) > (highest(.none) ?? 0)
        report.stance = faster && tolerates ? .confirms : faster || tolerates ? .qualifies : .contradicts
        report.verdict = "At learning rate \(LabFormat.number(base)) validation accuracy reaches \(LabFormat.percent(target)) at "
            + "\(reached(plain)) without batch norm, \(reached(normalized)) with it after the activation and "
            + "\(reached(find(.beforeActivation, base))) before it. Highest learning rate that still trains: "
            + Placement.allCases.map { "\($0.name) \(highest($0).map(LabFormat.number) ?? "none")" }.joined(separator: ", ")
            + ". Test accuracy at lr " + learningRates.map(LabFormat.number).joined(separator: " / ") + ": "
            + Placement.allCases.map { placement in
                "\(placement.name) " + learningRates.map { accuracy(find(placement, $0)) }.joined(separator: " / ")
            }.joined(separator: "; ") + "."

        report.heading("Curves")
        report.chart(LabRun.chart(runs.map(\.run), "loss", title: "Training loss"), file: "training-loss")
        report.chart(LabRun.chart(runs.map(\.run), "val_loss", title: "Validation loss"), file: "validation-loss")
        report.chart(LabRun.chart(runs.map(\.run), "val_accuracy", title: "Validation accuracy"), file: "validation-accuracy")
        report.heading("Measurements")
        report.table(header: ["configuration", "epoch reaching \(LabFormat.percent(target)) validation accuracy", "final validation loss",
                              "best validation accuracy", "test accuracy", "seconds per epoch"],
                     rows: runs.map { _, _, run in
                         [run.name, reached(run), LabFormat.number(run.last("val_loss")),
                          LabFormat.percent(run.history["val_accuracy"]?.max() ?? .nan), accuracy(run),
                          String(format: "%.2f", (run.elapsed.last ?? 0) / Double(max(run.epochs, 1)))]
                     })
        report.settings = "Dense \(units.map(String.init).joined(separator: " → ")) → softmax with ReLU (Glorot-uniform weights, "
            + "as in the article); plain SGD; a run \"trains\" when its loss stays finite and its best validation accuracy is "
            + "within 5 points of \(LabFormat.percent(target)). " + trainer.description
        report.csv("history.csv", LabRun.historyCSV(runs.map(\.run)))
        return report
    }
}
