import Strata
import Foundation

/// The article's wine example, measured: `12 → 30 → 12 → 8 → 1` trained with batch 500 for up to
/// 2,000 epochs, `EarlyStopping(monitor: "val_loss", patience: 100)` and
/// `ModelCheckpoint(saveBestOnly: true)`; where it stopped, which epoch the checkpoint kept, and
/// whether that checkpoint really is the best model.
///
///     let report = try EarlyStoppingExperiment(quick: true).run(on: try LabData.csv("wine.csv"))
public struct EarlyStoppingExperiment: LabExperiment {
    public static let name = "early-stopping"
    public static let summary = "The article's wine classifier with EarlyStopping(patience 100) and ModelCheckpoint(saveBestOnly)."
    public static let defaultData = LabDataSource.wine

    public let quick: Bool
    public let seed: UInt64
    let hidden = [30, 12, 8], patience = 100, batchSize = 500
    var maxEpochs: Int { quick ? 1_000 : 2_000 }

    public init(quick: Bool = false, seed: UInt64 = 42) {
        self.quick = quick
        self.seed = seed
    }

    public func run(on data: LabData, progress: (String) -> Void) throws -> LabReport {
        // Two classes: one sigmoid unit and binary cross-entropy, as the article; more: softmax.
        let binary = data.classes == 2
        let prepared = binary ? LabData(name: data.name, train: (data.train.x, data.train.y.reshaped(to: [-1, 1])),
                                        test: (data.test.x, data.test.y.reshaped(to: [-1, 1])), classes: 2) : data
        let trainer = LabTrainer(data: prepared, seed: seed, trainingSamples: nil, batchSize: batchSize, epochs: maxEpochs,
                                 validationSplit: 0.2)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-lab-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let stopping = EarlyStopping(monitor: "val_loss", patience: patience)
        let checkpoint = ModelCheckpoint(folder + "/best.safetensors", saveBestOnly: true)
        progress("\(([data.featureCount] + hidden + [binary ? 1 : data.classes]).map(String.init).joined(separator: " → "))")
        let (run, model) = try trainer.run("article", optimizer: Adam(), loss: binary ? .binaryCrossentropy : .sparseCategoricalCrossentropy,
                                           callbacks: [stopping, checkpoint]) {
            try trainer.model(hidden.map { Dense($0, activation: .relu) }
                              + [binary ? Dense(1, activation: .sigmoid) : trainer.head])
        }
        // The last weights, then the checkpoint's, on the validation and test splits.
        let validation = trainer.validationSamples!
        func evaluate(_ x: some ModelData, _ y: some ModelData) throws -> [String: Float] {
            try model.evaluate(x, y, batchSize: batchSize).mapValues(Float.init)
        }
        let lastValidation = try evaluate(validation.x, validation.y)
        guard let saved = checkpoint.savedPaths.last else {
            throw StrataError.invalidArgument("no checkpoint was written", context: Self.name, expected: "a finite val_loss")
        }
        try model.loadWeights(from: saved)
        let bestValidation = try evaluate(validation.x, validation.y)
        let bestTest = try evaluate(prepared.test.x, prepared.test.y)

        let valLoss = run.history["val_loss"] ?? []
        let bestEpoch = (valLoss.indices.min { valLoss[$0] < valLoss[$1] } ?? 0) + 1
        let stoppedEarly = run.epochs < maxEpochs
        let checkpointMatches = abs((bestValidation["loss"] ?? .nan) - (valLoss.min() ?? .nan)) < 1e-4

        var report = LabReport(experiment: Self.name, title: "early stopping and checkpointing", claim:
            "Early stopping ends training once the validation loss has not improved for `patience` epochs, and "
            + "ModelCheckpoint(save_best_only) keeps the model of the best epoch, so the run keeps its best model even though "
            + "training went on past it.")
        report.stance = stoppedEarly && checkpointMatches ? .confirms : stoppedEarly || checkpointMatches ? .qualifies : .contradicts
        report.verdict = (stoppedEarly ? "Training stopped at epoch \(run.epochs) of \(maxEpochs)" : "Training ran all \(maxEpochs) epochs")
            + "; the lowest validation loss, \(LabFormat.number(valLoss.min() ?? .nan)), was at epoch \(bestEpoch) "
            + "(\(run.epochs - bestEpoch) epochs before the end, patience \(patience)). The checkpoint reloaded gives validation "
            + "loss \(LabFormat.number(bestValidation["loss"] ?? .nan)) — " + (checkpointMatches ? "the best epoch's" : "not the best epoch's")
            + " — against \(LabFormat.number(lastValidation["loss"] ?? .nan)) for the last weights; validation accuracy "
            + "\(LabFormat.percent(bestValidation["accuracy"] ?? .nan)) vs \(LabFormat.percent(lastValidation["accuracy"] ?? .nan)); "
            + "test accuracy of the checkpoint \(LabFormat.percent(bestTest["accuracy"] ?? .nan)) (last weights "
            + "\(LabFormat.percent(run.testAccuracy)))."

        report.heading("The article's two figures")
        for (key, label) in [("loss", "Loss"), ("accuracy", "Accuracy")] {
            var chart = LineChart(title: "\(label) by epoch", xLabel: "epoch", yLabel: label.lowercased())
            let epochs = (1...max(run.epochs, 1)).map(Double.init)
            chart.add(.init(name: "training", x: epochs, y: (run.history[key] ?? []).map(Double.init)))
            chart.add(.init(name: "validation", x: epochs, y: (run.history["val_" + key] ?? []).map(Double.init), dashed: true))
            chart.add(.init(x: Double(bestEpoch), label: "best (checkpoint) \(bestEpoch)", color: "#2ca02c"))
            if stoppedEarly { chart.add(.init(x: Double(run.epochs), label: "stopped \(run.epochs)", color: "#d62728")) }
            report.chart(chart, file: key)
        }
        report.heading("Measurements")
        report.table(header: ["weights", "epoch", "validation loss", "validation accuracy", "test loss", "test accuracy"], rows: [
            ["checkpoint (best)", "\(bestEpoch)", LabFormat.number(bestValidation["loss"] ?? .nan),
             LabFormat.percent(bestValidation["accuracy"] ?? .nan), LabFormat.number(bestTest["loss"] ?? .nan),
             LabFormat.percent(bestTest["accuracy"] ?? .nan)],
            ["last", "\(run.epochs)", LabFormat.number(lastValidation["loss"] ?? .nan), LabFormat.percent(lastValidation["accuracy"] ?? .nan),
             LabFormat.number(run.testLoss), LabFormat.percent(run.testAccuracy)],
        ])
        report.settings = "Dense \(hidden.map(String.init).joined(separator: " → ")) (ReLU) → "
            + (binary ? "1 sigmoid unit, binary cross-entropy" : "softmax") + "; Adam (learning rate 0.001); up to \(maxEpochs) "
            + "epochs; EarlyStopping(monitor: val_loss, patience: \(patience)); ModelCheckpoint(saveBestOnly: true). "
            + trainer.description
        report.csv("history.csv", LabRun.historyCSV([run]))
        return report
    }
}
