import Foundation
import StrataTestSupport
import Testing
@testable import Strata

/// Drives a callback through scripted epochs on a one-layer model whose single weight is set to
/// the epoch number, so restored weights tell which epoch they came from.
private func run(_ callback: Callback, monitored name: String = "val_loss", values: [Double],
                 metrics: [Metrics] = [.accuracy]) throws -> (stoppedAfter: Int?, model: Sequential) {
    let model = Sequential([Dense(1, useBias: false, inputShape: [1])])
    model.compile(optimizer: SGD(), loss: .meanSquaredError, metrics: metrics)
    callback.model = model
    try callback.onTrainBegin(logs: [:])
    var stoppedAfter: Int?
    for (epoch, value) in values.enumerated() {
        try callback.onEpochBegin(epoch, logs: [:])
        model.layers[0].variables[0].value = Tensor(shape: [1, 1], scalars: [Float(epoch)])
        try callback.onEpochEnd(epoch, logs: [name: value])
        if model.stopTraining { stoppedAfter = epoch; break }
    }
    try callback.onTrainEnd(logs: [:])
    return (stoppedAfter, model)
}

@Suite("Callbacks decide as Keras 3 does")
struct CallbackTests {
    @Test func earlyStoppingPatience() throws {
        // Best at epoch 1; epochs 2, 3 do not improve; patience 2 → stop after epoch 3.
        #expect(try run(EarlyStopping(patience: 2), values: [1.0, 0.5, 0.6, 0.55, 0.4]).stoppedAfter == 3)
        // patience 0 stops at the first non-improvement after epoch 0.
        #expect(try run(EarlyStopping(), values: [1.0, 0.9, 0.95, 0.1]).stoppedAfter == 2)
        // Never stops while improving.
        #expect(try run(EarlyStopping(patience: 1), values: [5, 4, 3, 2, 1]).stoppedAfter == nil)
    }

    @Test func earlyStoppingMinDeltaModeAndWarmUp() throws {
        // Improvements smaller than minDelta do not count: 1.0 → 0.95 → 0.93 with minDelta 0.1.
        #expect(try run(EarlyStopping(minDelta: 0.1, patience: 1), values: [1.0, 0.95, 0.93, 0.5]).stoppedAfter == 1)
        // A compiled accuracy metric goes up.
        #expect(try run(EarlyStopping(monitor: "val_accuracy", patience: 1), monitored: "val_accuracy",
                        values: [0.5, 0.6, 0.55, 0.58]).stoppedAfter == 2)
        // mode .max given explicitly for a custom name; unknown names with .auto throw.
        #expect(try run(EarlyStopping(monitor: "score", patience: 0, mode: .max), monitored: "score",
                        values: [1, 2, 1]).stoppedAfter == 2)
        #expect(throws: StrataError.self) { try run(EarlyStopping(monitor: "score"), monitored: "score", values: [1, 2]) }
        // startFromEpoch: epochs before it are ignored entirely.
        #expect(try run(EarlyStopping(patience: 0, startFromEpoch: 3), values: [1, 2, 3, 4, 5]).stoppedAfter == 4)
    }

    @Test func earlyStoppingBaseline() throws {
        // Improvements that miss the baseline record the best but do not reset the wait, so the
        // first non-improving epoch already exceeds the patience; without a baseline it does not.
        let stopper = EarlyStopping(patience: 2, baseline: 0.5)
        #expect(try run(stopper, values: [0.9, 0.8, 0.85, 0.7]).stoppedAfter == 2)
        #expect(stopper.best == 0.8)
        #expect(try run(EarlyStopping(patience: 2), values: [0.9, 0.8, 0.85, 0.7]).stoppedAfter == nil)
    }

    @Test func earlyStoppingRestoresTheBestEpochsWeights() throws {
        let (stopped, model) = try run(EarlyStopping(patience: 2, restoreBestWeights: true), values: [3, 1, 2, 2.5, 0.5])
        #expect(stopped == 3)
        #expect(model.getWeights()[0].scalars == [1], "weights of epoch 1, the best")
        let (_, never) = try run(EarlyStopping(patience: 5, restoreBestWeights: true), values: [3, 4, 5])
        #expect(never.getWeights()[0].scalars == [0], "no improvement after the first monitored epoch: its weights")
    }

    @Test func modelCheckpointSavesOnlyImprovements() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoint = ModelCheckpoint(folder.path + "/w-{epoch:02d}-{val_loss:.2f}.safetensors", saveBestOnly: true)
        let (_, model) = try run(checkpoint, values: [0.9, 0.7, 0.8, 0.6])
        #expect(checkpoint.savedPaths.map { URL(fileURLWithPath: $0).lastPathComponent }
                == ["w-01-0.90.safetensors", "w-02-0.70.safetensors", "w-04-0.60.safetensors"])
        try model.loadWeights(from: checkpoint.savedPaths[1])
        #expect(model.getWeights()[0].scalars == [1], "the file of epoch 2 holds epoch 2's weights")
        let every = ModelCheckpoint(folder.path + "/all.safetensors")
        _ = try run(every, values: [1, 2, 3])
        #expect(every.savedPaths.count == 3)
        #expect(throws: StrataError.self) { try ModelCheckpoint.format("{nope}", epoch: 1, logs: [:]) }
        #expect(try ModelCheckpoint.format("m{epoch}_{loss:.3f}", epoch: 7, logs: ["loss": 0.12345]) == "m7_0.123")
    }

    @Test func reduceLROnPlateau() throws {
        let reducer = ReduceLROnPlateau(factor: 0.5, patience: 2, minDelta: 0, cooldown: 1, minLearningRate: 0.02)
        let (_, model) = try run(reducer, values: [1, 1, 1, 1, 1, 1, 1, 1])
        // SGD's default rate 0.01 is already below minLearningRate 0.02: never changed.
        #expect(model.optimizer!.currentLearningRate == 0.01, "never below minLearningRate, never raised")
        let reducer2 = ReduceLROnPlateau(factor: 0.5, patience: 2, minDelta: 0, cooldown: 1)
        let model2 = Sequential([Dense(1, inputShape: [1])])
        model2.compile(optimizer: SGD(learningRate: 0.8), loss: .meanSquaredError)
        reducer2.model = model2
        try reducer2.onTrainBegin(logs: [:])
        var rates: [Float] = []
        for epoch in 0..<8 {
            try reducer2.onEpochEnd(epoch, logs: ["val_loss": 1])
            rates.append(model2.optimizer!.currentLearningRate)
        }
        // Keras' order: epoch 0 sets the best; waits 1, 2 → reduce at epoch 2 (cooldown 1). Epoch 3
        // ends the cooldown (wait reset) and, no longer cooling down, counts wait 1; epoch 4
        // reduces again; and so on.
        #expect(rates == [0.8, 0.8, 0.4, 0.4, 0.2, 0.2, 0.1, 0.1])
    }

    @Test func learningRateSchedulerTerminateOnNaNAndCSV() throws {
        let model = Sequential([Dense(1, inputShape: [1])])
        model.compile(optimizer: SGD(learningRate: 1), loss: .meanSquaredError)
        let scheduler = LearningRateScheduler { epoch, rate in rate / Float(epoch + 1) }
        scheduler.model = model
        for epoch in 0..<3 { try scheduler.onEpochBegin(epoch, logs: [:]) }
        #expect(abs(model.optimizer!.currentLearningRate - 1.0 / 6) < 1e-7)

        let terminator = TerminateOnNaN()
        terminator.model = model
        try terminator.onTrainBatchEnd(4, logs: ["loss": .nan])
        #expect(model.stopTraining && terminator.stoppedAtBatch == 4)

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("strata-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let logger = CSVLogger(path)
        try logger.onTrainBegin(logs: [:])
        try logger.onEpochEnd(0, logs: ["loss": 0.5, "val_loss": 0.75])
        try logger.onEpochEnd(1, logs: ["loss": 0.25, "val_loss": 0.5])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "epoch,loss,val_loss\n0,0.5,0.75\n1,0.25,0.5\n")
    }
}
