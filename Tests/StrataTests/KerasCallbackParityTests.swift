import Foundation
import Testing
@testable import Strata

/// The monitoring callbacks as Keras 3 runs them (`keras/src/callbacks/`): `.auto` resolved from
/// the compiled metrics, comparisons in double precision (checked against Keras itself, driven by
/// hand on the same float32 values — `Tests/Fixtures/keras_edges.py`), a warning for a missing
/// monitored key, `learning_rate` in the logs only with a learning-rate callback, and callbacks
/// usable outside `fit`.
@Suite("Monitoring callbacks against Keras 3")
struct KerasCallbackParityTests {
    struct ReduceCase: Decodable {
        let values: [Double], factor: Double, patience: Int, minDelta: Double, cooldown: Int
        let learningRateAfter: [Double], loggedLearningRate: [Double], wait: [Int], best: Double
        enum CodingKeys: String, CodingKey {
            case values, factor, patience, cooldown, wait, best
            case minDelta = "min_delta", learningRateAfter = "learning_rate_after", loggedLearningRate = "logged_learning_rate"
        }
    }

    struct StopCase: Decodable {
        let values: [Double], minDelta: Double, patience: Int, wait: [Int], best: [Double], stoppedEpoch: Int, bestEpoch: Int
        enum CodingKeys: String, CodingKey {
            case values, patience, wait, best
            case minDelta = "min_delta", stoppedEpoch = "stopped_epoch", bestEpoch = "best_epoch"
        }
    }

    struct Comparison: Decodable {
        let mode: String, minDelta: Double, current: Double, reference: Double, improvement: Bool
        enum CodingKeys: String, CodingKey { case mode, current, reference, improvement, minDelta = "min_delta" }
    }

    struct Fixture: Decodable {
        let reduce: ReduceCase
        let stop: StopCase
        let improvements: [Comparison]
        enum CodingKeys: String, CodingKey { case improvements, reduce = "reduce_lr_on_plateau", stop = "early_stopping" }
    }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/keras-edges.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static func model(metrics: [Metrics] = [.accuracy], learningRate: Float = 0.1) -> Sequential {
        let model = Sequential { Dense(1, inputShape: [1]) }
        model.compile(optimizer: SGD(learningRate: .constant(learningRate)), loss: .meanSquaredError, metrics: metrics)
        return model
    }

    static var x: Tensor { Tensor(shape: [8, 1], scalars: (0..<8).map { Float($0) / 8 }) }
    static var y: Tensor { Tensor(shape: [8, 1], scalars: (0..<8).map { Float($0 % 2) }) }

    // MARK: 4 — double-precision monitors, against Keras

    /// Values that fall by exactly `minDelta` (1e-4): Keras adds in double precision and compares in
    /// float32, and reduces at other epochs than an all-float32 or an all-double comparison would;
    /// the reduction epochs, the rates and the waits here are Keras' own.
    @Test func reduceLROnPlateauReducesAtKerasEpochs() throws {
        let reference = Self.fixture.reduce
        let model = Self.model()
        let callback = ReduceLROnPlateau(monitor: "val_loss", factor: reference.factor, patience: reference.patience,
                                         minDelta: reference.minDelta, cooldown: reference.cooldown)
        callback.setModel(model)
        try callback.onTrainBegin(logs: [:])
        for (epoch, value) in reference.values.enumerated() {
            try callback.onEpochEnd(epoch, logs: ["val_loss": value])
            let rate = Double(model.optimizer!.currentLearningRate)
            #expect(Swift.abs(rate - reference.learningRateAfter[epoch]) <= 1e-7 * reference.learningRateAfter[epoch],
                    "epoch \(epoch): rate \(rate), Keras \(reference.learningRateAfter[epoch])")
            #expect(callback.wait == reference.wait[epoch], "epoch \(epoch)")
        }
        #expect(callback.best == reference.best)
    }

    /// Keras' `_is_improvement` on pairs chosen so that float32 throughout, or float64 throughout,
    /// would decide differently from Keras (the min_delta added in double, compared in float32).
    @Test func improvementDecisionsAreKeras() throws {
        let comparisons = Self.fixture.improvements
        #expect(comparisons.count >= 10)
        for case let c in comparisons {
            let monitor = try Monitor("value", mode: c.mode == "min" ? .min : .max, minDelta: c.minDelta, metrics: [], owner: "test")
            #expect(monitor.isImprovement(c.current, over: c.reference) == c.improvement,
                    "\(c.mode): \(c.current) vs \(c.reference), min_delta \(c.minDelta): Keras says \(c.improvement)")
        }
        // Both kinds of disagreement are present, so neither shortcut could pass.
        let allFloat = comparisons.filter { c in
            let (v, r, d) = (Float(c.current), Float(c.reference), Float(c.minDelta))
            return (c.mode == "min" ? v + d < r : v - d > r) != c.improvement
        }
        let allDouble = comparisons.filter { c in
            (c.mode == "min" ? c.current + c.minDelta < c.reference : c.current - c.minDelta > c.reference) != c.improvement
        }
        #expect(!allFloat.isEmpty && !allDouble.isEmpty)
    }

    @Test func earlyStoppingWaitsAndStopsAtKerasEpochs() throws {
        let reference = Self.fixture.stop
        let model = Self.model()
        let callback = EarlyStopping(monitor: "val_accuracy", minDelta: reference.minDelta, patience: reference.patience)
        callback.setModel(model)
        try callback.onTrainBegin(logs: [:])
        for (epoch, value) in reference.values.enumerated() {
            try callback.onEpochEnd(epoch, logs: ["val_accuracy": value])
            #expect(callback.wait == reference.wait[epoch], "epoch \(epoch)")
            #expect(callback.best == reference.best[epoch], "epoch \(epoch)")
            if model.stopTraining { break }
        }
        #expect(callback.stoppedEpoch == reference.stoppedEpoch)
        #expect(callback.bestEpoch == reference.bestEpoch)
        #expect(callback.resolvedMonitor?.mode == .max)
    }

    @Test func logsAndHistoryAreDoubles() throws {
        // Seeded: whether a mean of float32 losses happens to be a float32 value depends on the
        // weights, so the test must not draw them from the shared global stream.
        let (history, evaluated) = try Random.withSeed(1) { () -> (History, Logs) in
            let model = Self.model()
            let history = try model.fit(Self.x, Self.y, batchSize: 3, epochs: 2, verbose: .silent, validationSplit: 0.25)
            return (history, try model.evaluate(Self.x, Self.y, batchSize: 3))
        }
        let losses: [Double] = history["loss"]
        #expect(losses.count == 2)
        // The epoch loss is the batch-size-weighted mean of float32 batch losses, taken in double:
        // in general not a float32 value.
        #expect(evaluated["loss"].map { Double(Float($0)) != $0 } == true)
    }

    // MARK: 3 — `mode: .auto`

    @Test func autoModeResolvesFromTheCompiledMetrics() throws {
        let model = Self.model(metrics: [.accuracy, .auc(), .meanSquaredError])
        let cases: [(String, MonitorMode)] = [("val_loss", .min), ("loss", .min), ("val_accuracy", .max), ("auc", .max),
                                              ("val_mean_squared_error", .min)]
        for (monitor, mode) in cases {
            let callback = EarlyStopping(monitor: monitor)
            callback.setModel(model)
            try callback.onTrainBegin(logs: [:])
            #expect(callback.resolvedMonitor?.mode == mode, "\(monitor)")
        }
    }

    /// Keras raises a `ValueError`; here every monitoring callback throws a `StrataError` naming
    /// the monitor and the metrics there are — before the first epoch trains.
    @Test(arguments: ["EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau"])
    func autoModeWithoutTheMetricThrowsBeforeTraining(_ kind: String) throws {
        let model = Self.model(metrics: [])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-auto-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let callback: Callback = switch kind {
        case "EarlyStopping": EarlyStopping(monitor: "val_accuracy")
        case "ModelCheckpoint": ModelCheckpoint(folder + "/best.safetensors", monitor: "val_accuracy", saveBestOnly: true)
        default: ReduceLROnPlateau(monitor: "val_accuracy")
        }
        var epochsRun = 0
        let counter = LambdaCallback(onEpochEnd: { _, _ in epochsRun += 1 })
        do {
            try model.fit(Self.x, Self.y, batchSize: 4, epochs: 2, verbose: .silent, callbacks: [counter, callback],
                          validationSplit: 0.25)
            Issue.record("\(kind): fit ran with an unresolvable monitor")
        } catch let error as StrataError {
            #expect(error.message.contains("'val_accuracy'") && error.message.contains("no compiled metrics"), "\(error)")
            #expect(error.context == kind)
            #expect(error.expected?.contains("val_loss") == true && error.expected?.contains("mode: .max") == true)
        }
        #expect(epochsRun == 0)
    }

    // MARK: 5 — a missing monitored key

    @Test func missingMonitoredKeyWarnsOnceWithTheAvailableKeys() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-missing-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // val_loss with no validation data: Keras warns — and its checkpoint, unable to compare,
        // saves every epoch (`_should_save_model` returns True).
        let checkpoint = ModelCheckpoint(folder + "/best.safetensors", saveBestOnly: true)
        let stopping = EarlyStopping(monitor: "val_los", mode: .min)
        let reduce = ReduceLROnPlateau(monitor: "val_loss")
        try Self.model().fit(Self.x, Self.y, batchSize: 4, epochs: 3, verbose: .silent, callbacks: [checkpoint, stopping, reduce])
        for (callback, monitor) in [(checkpoint, "val_loss"), (stopping, "val_los"), (reduce, "val_loss")] as [(Callback, String)] {
            #expect(callback.warnings.count == 1, "\(type(of: callback)): \(callback.warnings)")
            #expect(callback.warnings.first?.contains("'\(monitor)'") == true)
            // ReduceLROnPlateau puts learning_rate into every callback's logs.
            #expect(callback.warnings.first?.hasSuffix("Available metrics are: accuracy,learning_rate,loss") == true,
                    "\(callback.warnings)")
        }
        #expect(checkpoint.savedPaths.count == 3)
        #expect(FileManager.default.fileExists(atPath: folder + "/best.safetensors"))
    }

    // MARK: 6 — `learning_rate` in the logs

    @Test func learningRateIsLoggedOnlyByLearningRateCallbacks() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-lr-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let plain = try Self.model().fit(Self.x, Self.y, batchSize: 4, epochs: 2, verbose: .silent,
                                         callbacks: [CSVLogger(folder + "/plain.csv")])
        #expect(plain.history["learning_rate"] == nil)
        let plainHeader = try String(contentsOfFile: folder + "/plain.csv", encoding: .utf8).split(separator: "\n").first
        #expect(plainHeader == "epoch,accuracy,loss")

        // ReduceLROnPlateau logs the rate the epoch trained with, before it reduces (patience 0,
        // a min_delta nothing meets after the first epoch, which improves on +∞: every later
        // epoch halves the rate).
        let reduce = ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 0, minDelta: 10)
        let model = Self.model()
        let reduced = try model.fit(Self.x, Self.y, batchSize: 4, epochs: 3, verbose: .silent,
                                    callbacks: [reduce, CSVLogger(folder + "/reduced.csv")])
        #expect(reduced["learning_rate"] == [0.1, 0.1, 0.05].map { Double(Float($0)) })
        #expect(model.optimizer?.currentLearningRate == 0.025)
        let header = try String(contentsOfFile: folder + "/reduced.csv", encoding: .utf8).split(separator: "\n").first
        #expect(header == "epoch,accuracy,learning_rate,loss")

        let scheduled = try Self.model().fit(Self.x, Self.y, batchSize: 4, epochs: 2, verbose: .silent,
                                             callbacks: [LearningRateScheduler { epoch, _ in epoch == 0 ? 0.2 : 0.3 }])
        #expect(scheduled["learning_rate"] == [0.2, 0.3].map { Double(Float($0)) })
    }

    // MARK: 9 — callbacks outside `fit`

    @Test func callbacksDrivenByHandExposeTheirState() throws {
        let model = Self.model()
        let stop = EarlyStopping(monitor: "val_loss", patience: 2)
        stop.setModel(model)
        #expect(stop.model === model)
        try stop.onTrainBegin(logs: [:])
        #expect(stop.best == nil && stop.wait == 0)
        for (epoch, value) in [0.5, 0.4, 0.45, 0.41].enumerated() { try stop.onEpochEnd(epoch, logs: ["val_loss": value]) }
        #expect(stop.best == 0.4 && stop.bestEpoch == 1 && stop.wait == 2 && stop.stoppedEpoch == 3 && model.stopTraining)

        let reduce = ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 1, cooldown: 2)
        reduce.setModel(model)
        try reduce.onTrainBegin(logs: [:])
        try reduce.onEpochEnd(0, logs: ["val_loss": 1])
        try reduce.onEpochEnd(1, logs: ["val_loss": 1])
        #expect(reduce.best == 1 && reduce.wait == 0 && reduce.cooldownCounter == 2)
        #expect(model.optimizer?.currentLearningRate == 0.05)
    }
}
