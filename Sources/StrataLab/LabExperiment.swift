import Strata
import Foundation

/// One of the lab's experiments: it trains real models on `LabData` and returns a `LabReport`
/// whose verdict is computed from what it measured.
///
///     let report = try DyingReLU(quick: true).run(on: try LabData.fashionMNIST())
///     try report.write(to: "strata-lab/dying-relu")
public protocol LabExperiment: Sendable {
    /// The command name (`dying-relu`).
    static var name: String { get }
    /// One line for `strata lab --help`.
    static var summary: String { get }
    /// The data it runs on unless told otherwise.
    static var defaultData: LabDataSource { get }
    /// `quick`: a subset and few epochs (seconds, for CI); otherwise the full measurement.
    init(quick: Bool, seed: UInt64)
    /// Runs the experiment; `progress` hears the name of each configuration as it starts.
    func run(on data: LabData, progress: (String) -> Void) throws -> LabReport
}

/// Where an experiment's data comes from by default.
public enum LabDataSource: Sendable {
    /// Fashion-MNIST.
    case fashionMNIST
    /// The article's wine table (`wine.csv`, target `class`).
    case wine
}

/// Every experiment, in the order `strata lab all` runs them.
public enum LabExperiments {
    /// The eight experiments.
    public static let all: [any LabExperiment.Type] = [
        VanishingGradients.self, ConvolutionalGradients.self, DyingReLU.self, SelfNormalization.self, BatchNormExperiment.self,
        OptimizerComparison.self, RegularizationExperiment.self, EarlyStoppingExperiment.self,
    ]
}

/// One training run inside an experiment: its per-epoch history, wall time and test results.
public struct LabRun: Sendable {
    /// The configuration's label.
    public let name: String
    /// Per-epoch values (`loss`, `accuracy`, `val_loss`, `val_accuracy`).
    public let history: [String: [Float]]
    /// Seconds since the start of training at the end of each epoch (validation included).
    public let elapsed: [Double]
    /// Loss and accuracy on the test split with the final weights.
    public let testLoss: Float, testAccuracy: Float
    /// The diagnostics probes, when the run took them.
    public let diagnostics: DiagnosticsTable?

    /// Whether the training loss stayed finite.
    public var diverged: Bool { !(history["loss"]?.allSatisfy(\.isFinite) ?? true) }
    /// The number of epochs trained.
    public var epochs: Int { elapsed.count }

    /// The first epoch (1-based) at which `key` reached `target` (≥ for accuracies, ≤ for losses).
    public func firstEpoch(_ key: String, reaching target: Float) -> Int? {
        let higherIsBetter = !key.hasSuffix("loss")
        return history[key]?.firstIndex { higherIsBetter ? $0 >= target : $0 <= target }.map { $0 + 1 }
    }

    /// The seconds of training until `firstEpoch(key, reaching: target)`.
    public func seconds(_ key: String, reaching target: Float) -> Double? {
        firstEpoch(key, reaching: target).map { elapsed[$0 - 1] }
    }

    /// The last value of `key` (not a number when absent).
    public func last(_ key: String) -> Float { history[key]?.last ?? .nan }

    /// The CSV of several runs' histories: `configuration,epoch,seconds,<keys…>`.
    public static func historyCSV(_ runs: [LabRun]) -> String {
        let keys = runs.flatMap { $0.history.keys }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.sorted()
        var lines = ["configuration,epoch,seconds," + keys.joined(separator: ",")]
        for run in runs {
            for epoch in 0..<run.epochs {
                let values = keys.map { key in run.history[key].flatMap { $0.indices.contains(epoch) ? "\($0[epoch])" : nil } ?? "" }
                lines.append("\"\(run.name)\",\(epoch + 1),\(String(format: "%.3f", run.elapsed[epoch]))," + values.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One curve per run of `key` against epoch (or against seconds of training).
    public static func chart(_ runs: [LabRun], _ key: String, title: String, againstTime: Bool = false,
                             yLabel: String? = nil) -> LineChart {
        var chart = LineChart(title: title, xLabel: againstTime ? "seconds of training" : "epoch", yLabel: yLabel ?? key)
        for run in runs {
            let values = run.history[key] ?? []
            let points = values.indices.filter { values[$0].isFinite }
            chart.add(.init(name: run.name, x: points.map { againstTime ? run.elapsed[$0] : Double($0 + 1) },
                            y: points.map { Double(values[$0]) }))
        }
        return chart
    }
}

/// The shared mechanism of every experiment: build a model under a seed, train it with the
/// callbacks an experiment needs, time each epoch, evaluate on the test split.
struct LabTrainer {
    let data: LabData
    let seed: UInt64
    /// Training samples used (the first ones; nil: all).
    let trainingSamples: Int?
    let batchSize: Int
    let epochs: Int
    /// Fraction of the training samples held out for `val_*` (the last ones, as Keras does).
    var validationSplit: Float = 0
    /// Validation data given apart from the training samples (instead of a split).
    var validation: (x: Samples, y: Tensor)? = nil

    /// The comparisons on an MLP the size of the article's: batch 32, the last 10 % held out for
    /// validation, 10 epochs on all samples (quick: 2 epochs on 5,000).
    static func comparison(data: LabData, seed: UInt64, quick: Bool) -> LabTrainer {
        LabTrainer(data: data, seed: seed, trainingSamples: quick ? 5_000 : nil, batchSize: 32, epochs: quick ? 2 : 10,
                   validationSplit: 0.1)
    }

    /// The validation accuracy such comparisons report reaching: 87 % (quick: 75 %).
    static func comparisonTarget(quick: Bool) -> Float { quick ? 0.75 : 0.87 }

    /// The training samples used.
    var train: (x: Samples, y: Tensor) { data.trainingSubset(trainingSamples) }

    /// The validation samples `fit` uses: the given ones, or the split it holds out (computed as
    /// `fit` does).
    var validationSamples: (x: Samples, y: Tensor)? {
        if let validation { return validation }
        guard validationSplit > 0 else { return nil }
        let (x, y) = train
        let start = trainingSampleCount(of: x.count, validationSplit: validationSplit)
        return (x.slice(start..<x.count), y.slice(start..<x.count))
    }

    /// Trains one configuration and returns the run and the trained model.
    func run(_ name: String, optimizer: Optimizer, loss: Loss = .sparseCategoricalCrossentropy,
             callbacks: [Callback] = [], diagnostics: Diagnostics? = nil,
             build: () throws -> Sequential) throws -> (run: LabRun, model: Sequential) {
        let model = try Random.withSeed(seed) { try build() }
        model.compile(optimizer: optimizer, loss: loss, metrics: [.accuracy])
        var elapsed: [Double] = []
        var started = Date()
        let clock = LambdaCallback(onTrainBegin: { _ in started = Date() },
                                   onEpochEnd: { _, _ in elapsed.append(Date().timeIntervalSince(started)) })
        let (x, y) = train
        let history = try Random.withSeed(seed &+ 1) {
            try model.fit(x, y, batchSize: batchSize, epochs: epochs, verbose: .silent,
                          callbacks: [clock] + callbacks + (diagnostics.map { [$0] } ?? []), validationSplit: validationSplit,
                          validationData: validation.map { ($0.x, $0.y) })
        }
        let test = try model.evaluate(data.test.x, data.test.y, batchSize: 1000)
        // The lab reports three significant digits: its curves stay float32.
        return (LabRun(name: name, history: history.history.mapValues { $0.map(Float.init) }, elapsed: elapsed,
                       testLoss: Float(test["loss"] ?? .nan), testAccuracy: Float(test["accuracy"] ?? .nan),
                       diagnostics: diagnostics?.table), model)
    }

    /// `Flatten`, an optional adapted `Normalization` (standardized inputs), then `layers`.
    func model(standardize: Bool = false, _ layers: [Layer]) throws -> Sequential {
        let model = Sequential()
        model.add(Flatten(inputShape: data.sampleShape))
        if standardize {
            let normalization = Normalization()
            try normalization.adapt(train.x.tensor.reshaped(to: [train.x.count, -1]))
            model.add(normalization)
        }
        for layer in layers { model.add(layer) }
        return model
    }

    /// The classifier head: `classes` softmax units.
    var head: Dense { Dense(data.classes, activation: .softmax) }

    /// A description of the data and schedule for the settings paragraph.
    var description: String {
        let (x, _) = train
        let held = validation.map { " and \($0.x.count) other training samples for validation" }
            ?? (validationSplit > 0 ? " (the last \(Int(validationSplit * 100)) % held out for validation)" : "")
        return "\(data.name), \(x.count) training samples" + held
            + ", \(data.test.x.count) test samples; batch \(batchSize), \(epochs) epoch\(epochs == 1 ? "" : "s"); seed \(seed)."
    }
}
