import Strata
import Foundation

/// Do L1, L2, dropout and early stopping shrink the gap between training and validation
/// accuracy of an over-parameterized model trained on a small subset?
///
///     let report = try RegularizationExperiment(quick: true).run(on: try LabData.fashionMNIST())
public struct RegularizationExperiment: LabExperiment {
    public static let name = "regularization"
    public static let summary = "None vs L1 vs L2 vs Dropout(0.2/0.5) vs early stopping on a small subset: train/validation gap, weights."
    public static let defaultData = LabDataSource.fashionMNIST

    enum Method: CaseIterable {
        case none, l1, l2, dropout02, dropout05, earlyStopping

        var name: String {
            switch self {
            case .none: "none"
            case .l1: "L1 (1e-4)"
            case .l2: "L2 (1e-3)"
            case .dropout02: "Dropout (0.2)"
            case .dropout05: "Dropout (0.5)"
            case .earlyStopping: "early stopping (patience 10)"
            }
        }

        var regularizer: Regularizer? {
            switch self {
            case .l1: .l1(1e-4)
            case .l2: .l2(1e-3)
            default: nil
            }
        }

        var dropoutRate: Float? {
            switch self {
            case .dropout02: 0.2
            case .dropout05: 0.5
            default: nil
            }
        }
    }

    /// What one method measured; accuracies in inference mode with the final weights.
    struct Outcome {
        let method: Method
        let run: LabRun
        let trainAccuracy: Float, validationAccuracy: Float
        /// The first hidden layer's kernel, flattened.
        let firstKernel: [Float]
        var gap: Float { trainAccuracy - validationAccuracy }
        var kernelNorm: Float { firstKernel.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        /// Fraction of first-layer weights with |w| < 10⁻³.
        var nearZero: Float { Float(firstKernel.filter { abs($0) < 1e-3 }.count) / Float(max(firstKernel.count, 1)) }
    }

    public let quick: Bool
    public let seed: UInt64
    let width = 512, depth = 2
    var epochs: Int { quick ? 15 : 100 }
    var trainingSamples: Int { quick ? 500 : 2_000 }
    var validationSamples: Int { quick ? 1_000 : 5_000 }

    public init(quick: Bool = false, seed: UInt64 = 42) {
        self.quick = quick
        self.seed = seed
    }

    public func run(on data: LabData, progress: (String) -> Void) throws -> LabReport {
        let total = data.train.x.count
        let used = Swift.min(trainingSamples, total / 2)
        let validationCount = Swift.min(validationSamples, total - used)
        let validation = (x: data.train.x.slice(total - validationCount..<total), y: data.train.y.slice(total - validationCount..<total))
        let trainer = LabTrainer(data: data, seed: seed, trainingSamples: used, batchSize: 32, epochs: epochs, validation: validation)
        var outcomes: [Outcome] = []
        for method in Method.allCases {
            progress(method.name)
            let stopping = method == .earlyStopping ? [EarlyStopping(monitor: "val_loss", patience: 10, restoreBestWeights: true)] : []
            let (run, model) = try trainer.run(method.name, optimizer: Adam(), callbacks: stopping) {
                let hidden = (0..<depth).flatMap { _ -> [Layer] in
                    [Dense(width, activation: .relu, kernelInitializer: .heNormal, kernelRegularizer: method.regularizer)]
                        + (method.dropoutRate.map { [Dropout($0)] } ?? [])
                }
                return try trainer.model(hidden + [trainer.head])
            }
            let (x, y) = trainer.train
            let trainAccuracy = Float(try model.evaluate(x, y, batchSize: 1000)["accuracy"] ?? .nan)
            let validationAccuracy = Float(try model.evaluate(validation.x, validation.y, batchSize: 1000)["accuracy"] ?? .nan)
            let kernel = model.layers.compactMap { $0 as? Dense }.first?.kernel?.value.scalars ?? []
            outcomes.append(Outcome(method: method, run: run, trainAccuracy: trainAccuracy, validationAccuracy: validationAccuracy,
                                    firstKernel: kernel))
        }

        var report = LabReport(experiment: Self.name, title: "regularization", claim:
            "A network with far more parameters than training samples overfits; ℓ1 and ℓ2 penalties, dropout and early "
            + "stopping each shrink the gap between training and validation accuracy, and ℓ1 drives many weights to zero.")
        let none = outcomes[0]
        let narrower = outcomes.dropFirst().filter { $0.gap < none.gap }
        let better = outcomes.dropFirst().filter { $0.run.testAccuracy > none.run.testAccuracy }
        let l1 = outcomes.first { $0.method == .l1 }!
        report.stance = narrower.count == outcomes.count - 1 && better.count >= outcomes.count / 2 ? .confirms
            : narrower.count >= 2 ? .qualifies : .contradicts
        report.verdict = "Unregularized, training accuracy is \(LabFormat.percent(none.trainAccuracy)) against "
            + "\(LabFormat.percent(none.validationAccuracy)) on validation (gap \(LabFormat.percent(none.gap))). Gaps: "
            + outcomes.dropFirst().map { "\($0.method.name) \(LabFormat.percent($0.gap))" }.joined(separator: ", ")
            + " — \(narrower.count) of \(outcomes.count - 1) narrower. Test accuracy: "
            + outcomes.map { "\($0.method.name) \(LabFormat.percent($0.run.testAccuracy))" }.joined(separator: ", ")
            + ". L1 leaves \(LabFormat.percent(l1.nearZero)) of the first layer's weights below 10⁻³ in magnitude "
            + "(none: \(LabFormat.percent(none.nearZero)))."

        report.heading("Curves")
        report.chart(LabRun.chart(outcomes.map(\.run), "val_loss", title: "Validation loss"), file: "validation-loss")
        report.chart(LabRun.chart(outcomes.map(\.run), "val_accuracy", title: "Validation accuracy"), file: "validation-accuracy")
        report.heading("First-layer weights")
        report.chart(Self.histogram(outcomes), file: "weight-histogram")
        report.heading("Measurements")
        report.table(header: ["regularization", "training accuracy", "validation accuracy", "gap", "test accuracy", "epochs",
                              "first-layer ‖W‖", "|w| < 10⁻³"],
                     rows: outcomes.map { o in
                         [o.method.name, LabFormat.percent(o.trainAccuracy), LabFormat.percent(o.validationAccuracy),
                          LabFormat.percent(o.gap), LabFormat.percent(o.run.testAccuracy), "\(o.run.epochs)",
                          LabFormat.number(o.kernelNorm), LabFormat.percent(o.nearZero)]
                     })
        report.settings = "\(depth) hidden Dense layers of \(width) units (ReLU, He normal; penalties on the kernels, dropout "
            + "after each hidden layer), softmax output; Adam (learning rate 0.001); accuracies in inference mode with the "
            + "final weights (early stopping: the best epoch's). " + trainer.description
        report.csv("history.csv", LabRun.historyCSV(outcomes.map(\.run)))
        return report
    }

    /// The distribution of the first layer's weights (fraction per bin of width 0.01 in [−0.25, 0.25]).
    static func histogram(_ outcomes: [Outcome]) -> LineChart {
        var chart = LineChart(title: "First hidden layer's weights after training", xLabel: "weight",
                              yLabel: "fraction of weights per 0.01 bin")
        let bins = 50, low: Float = -0.25, width: Float = 0.01
        for outcome in outcomes {
            var counts = [Double](repeating: 0, count: bins)
            for w in outcome.firstKernel {
                let bin = Int(((w - low) / width).rounded(.down))
                if bin >= 0 && bin < bins { counts[bin] += 1 }
            }
            let total = Double(max(outcome.firstKernel.count, 1))
            chart.add(.init(name: outcome.method.name, x: (0..<bins).map { Double(low + (Float($0) + 0.5) * width) },
                            y: counts.map { $0 / total }))
        }
        return chart
    }
}
