import Foundation

/// Does batch normalization make the article's MLP train faster and tolerate a larger learning
/// rate — and does it matter whether it sits before or after the activation?
///
/// Three architectures of `784 → 300 → 100 → 10` (no batch norm; the article's batch norm after
/// each activation; batch norm between each bias-free Dense layer and its activation), each
/// trained with plain SGD at Keras' default learning rate and at ten times it.
///
///     let report = try BatchNormExperiment(quick: true).run(on: try LabData.fashionMNIST())
public struct BatchNormExperiment: LabExperiment {
    public static let name = "batch-norm"
    public static let summary = "The article's MLP without batch norm, with it after and before the activation, at 1× and 10× the learning rate."
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
    let learningRate: Float = 0.01, units = [300, 100]
    var epochs: Int { quick ? 2 : 10 }
    var trainingSamples: Int? { quick ? 5_000 : nil }
    /// The validation accuracy whose first epoch is reported.
    var target: Float { quick ? 0.75 : 0.87 }

    public init(quick: Bool = false, seed: UInt64 = 42) {
        self.quick = quick
        self.seed = seed
    }

    public func run(on data: LabData, progress: (String) -> Void) throws -> LabReport {
        let trainer = LabTrainer(data: data, seed: seed, trainingSamples: trainingSamples, batchSize: 32, epochs: epochs,
                                 validationSplit: 0.1)
        var runs: [(placement: Placement, rate: Float, run: LabRun)] = []
        for rate in [learningRate, 10 * learningRate] {
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

        var report = LabReport(experiment: Self.name, title: "batch normalization", claim:
            "Batch normalization between layers makes training faster (fewer epochs to a given accuracy) and more stable, "
            + "so that much larger learning rates can be used; the article places it after the activation, its authors "
            + "argued for before — the difference is small.")
        let plain = find(.none, learningRate), normalized = find(.afterActivation, learningRate)
        let plainHigh = find(.none, 10 * learningRate), normalizedHigh = find(.afterActivation, 10 * learningRate)
        let faster = (normalized.firstEpoch("val_accuracy", reaching: target) ?? .max) < (plain.firstEpoch("val_accuracy", reaching: target) ?? .max)
            || normalized.last("val_accuracy") > plain.last("val_accuracy")
        let drop = { (low: LabRun, high: LabRun) -> Float in high.diverged ? 1 : low.testAccuracy - high.testAccuracy }
        let stabler = drop(normalized, normalizedHigh) <= drop(plain, plainHigh) + 0.005
        report.stance = faster && stabler ? .confirms : faster || stabler ? .qualifies : .contradicts
        report.verdict = "At learning rate \(learningRate) validation accuracy reaches \(LabFormat.percent(target)) at "
            + "\(reached(plain)) without batch norm, \(reached(normalized)) with it after the activation and "
            + "\(reached(find(.beforeActivation, learningRate))) before it. Test accuracy at lr \(learningRate) / \(10 * learningRate): "
            + Placement.allCases.map { "\($0.name) \(accuracy(find($0, learningRate))) / \(accuracy(find($0, 10 * learningRate)))" }
                .joined(separator: "; ") + "."

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
            + "as in the article); plain SGD. " + trainer.description
        report.csv("history.csv", LabRun.historyCSV(runs.map(\.run)))
        return report
    }
}
