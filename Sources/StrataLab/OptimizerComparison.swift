import Strata
import Foundation

/// Do momentum, Nesterov, AdaGrad, RMSProp, Adam and Nadam (and AdamW, Adamax, Lion) converge
/// faster than plain gradient descent? Every `OptimizerPreset` — each registered optimizer, a
/// user's own included, and SGD's momentum variants — trains the same MLP from the same initial
/// weights and batch order, with Keras' default hyperparameters; curves against epochs and wall time.
///
///     let report = try OptimizerComparison(quick: true).run(on: try LabData.fashionMNIST())
public struct OptimizerComparison: LabExperiment {
    public static let name = "optimizers"
    public static var summary: String {
        "\(OptimizerPreset.all.map(\.title).joined(separator: ", ")) on one model: loss against epochs and seconds."
    }
    public static let defaultData = LabDataSource.fashionMNIST

    public let quick: Bool
    public let seed: UInt64
    let units = [300, 100]

    public init(quick: Bool = false, seed: UInt64 = 42) {
        self.quick = quick
        self.seed = seed
    }

    public func run(on data: LabData, progress: (String) -> Void) throws -> LabReport {
        let trainer = LabTrainer.comparison(data: data, seed: seed, quick: quick)
        let target = LabTrainer.comparisonTarget(quick: quick), epochs = trainer.epochs
        var runs: [LabRun] = [], learningRates: [Float] = [], decays: [String] = []
        let presets = OptimizerPreset.all
        for preset in presets {
            progress(preset.title)
            let optimizer = try preset.make()
            learningRates.append(optimizer.currentLearningRate)
            if let decay = optimizer.weightDecay { decays.append("\(preset.title) \(LabFormat.number(decay))") }
            let (run, _) = try trainer.run(preset.title, optimizer: optimizer) {
                try trainer.model(units.map { Dense($0, activation: .relu, kernelInitializer: .heNormal) } + [trainer.head])
            }
            runs.append(run)
        }

        var report = LabReport(experiment: Self.name, title: "faster optimizers", claim:
            "Momentum, Nesterov accelerated gradient, AdaGrad, RMSProp, Adam and Nadam reach a good solution much faster than "
            + "plain (stochastic) gradient descent; AdaGrad tends to slow down too early on neural networks; Adam and its "
            + "variants are usually the best first choice.")
        let sgdIndex = presets.firstIndex { $0.name == "sgd" }!
        let sgd = runs[sgdIndex], others = runs.indices.filter { $0 != sgdIndex }.map { runs[$0] }
        let fasterThanSGD = others.filter { $0.last("loss") < sgd.last("loss") }.map(\.name)
        let slower = others.map(\.name).filter { !fasterThanSGD.contains($0) }
        let best = runs.min { $0.last("val_loss") < $1.last("val_loss") }!
        report.stance = slower.isEmpty ? .confirms : slower.count <= 2 ? .qualifies : .contradicts
        report.verdict = "After \(epochs) epochs plain SGD's training loss is \(LabFormat.number(sgd.last("loss"))); "
            + "\(fasterThanSGD.count) of \(runs.count - 1) optimizers end lower"
            + (slower.isEmpty ? "" : " (not " + slower.joined(separator: ", ") + ")") + ". Validation accuracy "
            + "\(LabFormat.percent(target)) is reached at: "
            + runs.map { run in
                "\(run.name) " + (run.firstEpoch("val_accuracy", reaching: target).map { "epoch \($0) (\(LabFormat.seconds(run.seconds("val_accuracy", reaching: target))))" } ?? "not reached")
            }.joined(separator: ", ")
            + ". Lowest validation loss: \(best.name) (\(LabFormat.number(best.last("val_loss"))))."

        report.heading("Curves")
        report.chart(LabRun.chart(runs, "loss", title: "Training loss by epoch"), file: "training-loss")
        report.chart(LabRun.chart(runs, "val_loss", title: "Validation loss by epoch"), file: "validation-loss")
        report.chart(LabRun.chart(runs, "val_loss", title: "Validation loss against wall time", againstTime: true),
                     file: "validation-loss-time")
        report.heading("Measurements")
        report.table(header: ["optimizer", "learning rate", "final training loss", "final validation loss", "validation accuracy",
                              "epoch reaching \(LabFormat.percent(target))", "seconds to reach it", "test accuracy", "seconds per epoch"],
                     rows: zip(runs, learningRates).map { run, learningRate in
                         [run.name, LabFormat.number(learningRate), LabFormat.number(run.last("loss")), LabFormat.number(run.last("val_loss")),
                          LabFormat.percent(run.last("val_accuracy")), LabFormat.epoch(run.firstEpoch("val_accuracy", reaching: target)),
                          LabFormat.seconds(run.seconds("val_accuracy", reaching: target)), LabFormat.percent(run.testAccuracy),
                          String(format: "%.2f", (run.elapsed.last ?? 0) / Double(max(run.epochs, 1)))]
                     })
        report.settings = "Dense \(units.map(String.init).joined(separator: " → ")) → softmax, ReLU, He-normal weights; "
            + "each optimizer with its Keras defaults (learning rates in the table"
            + (decays.isEmpty ? "" : "; weight decay: " + decays.joined(separator: ", "))
            + "); same initial weights and batch order for all. " + trainer.description
        report.csv("history.csv", LabRun.historyCSV(runs))
        return report
    }
}
