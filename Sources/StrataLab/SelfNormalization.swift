import Strata
import Foundation

/// Does SELU keep every layer's output at mean 0 and standard deviation 1 through a deep
/// sequential MLP — and only under the article's conditions (standardized inputs, LeCun-normal
/// weights, AlphaDropout rather than Dropout)?
///
/// Each configuration builds `depth` hidden Dense layers of `width` units and probes the mean
/// and standard deviation of every hidden layer's output on a fixed batch (training mode, so
/// dropout is active) at initialization and after training.
///
///     let report = try SelfNormalization(quick: true).run(on: try LabData.fashionMNIST())
public struct SelfNormalization: LabExperiment {
    public static let name = "self-normalization"
    public static let summary = "Layer output mean/std through 50 layers: SELU vs ReLU vs tanh; SELU off its conditions; AlphaDropout vs Dropout."
    public static let defaultData = LabDataSource.fashionMNIST

    /// One way to build the deep network.
    struct Configuration: Sendable {
        let name: String
        let activation: ActivationFunction
        let initializer: Initializer
        let standardize: Bool
        /// A dropout layer after every hidden layer.
        let dropout: DropoutKind?
    }

    enum DropoutKind: Sendable {
        case alpha, standard
        func layer(_ rate: Float) -> Layer { self == .alpha ? AlphaDropout(rate) : Dropout(rate) }
    }

    static let configurations: [Configuration] = [
        .init(name: "SELU + LeCun normal, standardized", activation: .selu, initializer: .lecunNormal, standardize: true, dropout: nil),
        .init(name: "SELU, raw inputs", activation: .selu, initializer: .lecunNormal, standardize: false, dropout: nil),
        .init(name: "SELU + He normal", activation: .selu, initializer: .heNormal, standardize: true, dropout: nil),
        .init(name: "ReLU + He normal", activation: .relu, initializer: .heNormal, standardize: true, dropout: nil),
        .init(name: "tanh + Glorot", activation: .tanh, initializer: .glorotUniform, standardize: true, dropout: nil),
        .init(name: "SELU + AlphaDropout (0.1)", activation: .selu, initializer: .lecunNormal, standardize: true,
              dropout: .alpha),
        .init(name: "SELU + Dropout (0.1)", activation: .selu, initializer: .lecunNormal, standardize: true, dropout: .standard),
    ]

    public let quick: Bool
    public let seed: UInt64
    let depth = 50, width = 100, dropoutRate: Float = 0.1
    var epochs: Int { quick ? 1 : 3 }
    var trainingSamples: Int? { quick ? 3_000 : nil }

    public init(quick: Bool = false, seed: UInt64 = 42) {
        self.quick = quick
        self.seed = seed
    }

    /// What one configuration measured: per-hidden-layer output mean and std.
    struct Outcome {
        let configuration: Configuration
        let run: LabRun
        func statistics(at moment: ProbeMoment) -> [(mean: Float, std: Float)] {
            (run.diagnostics?.snapshots(at: moment) ?? []).filter { $0.type == "Dense" }.dropLast().map { ($0.outputMean, $0.outputStd) }
        }
        /// The deepest hidden layer's output std at a moment.
        func lastStd(at moment: ProbeMoment) -> Float { statistics(at: moment).last?.std ?? .nan }
        func lastMean(at moment: ProbeMoment) -> Float { statistics(at: moment).last?.mean ?? .nan }
    }

    public func run(on data: LabData, progress: (String) -> Void) throws -> LabReport {
        let trainer = LabTrainer(data: data, seed: seed, trainingSamples: trainingSamples, batchSize: 32, epochs: epochs)
        let probe = data.probeBatch()
        var outcomes: [Outcome] = []
        for configuration in Self.configurations {
            progress(configuration.name)
            let diagnostics = Diagnostics(probe: probe.x, labels: probe.y, every: nil)
            let (run, _) = try trainer.run(configuration.name, optimizer: SGD(learningRate: 0.001, momentum: 0.9),
                                           diagnostics: diagnostics) {
                let hidden = (0..<depth).flatMap { _ -> [Layer] in
                    [Dense(width, activation: configuration.activation, kernelInitializer: configuration.initializer)]
                        + (configuration.dropout.map { [$0.layer(dropoutRate)] } ?? [])
                }
                return try trainer.model(standardize: configuration.standardize, hidden + [trainer.head])
            }
            outcomes.append(Outcome(configuration: configuration, run: run))
        }
        let trained = ProbeMoment.epochEnd(epochs - 1)

        var report = LabReport(experiment: Self.name, title: "self-normalization", claim:
            "With SELU activations, LeCun-normal weights and standardized inputs, a plain sequential network self-normalizes: "
            + "each layer's output keeps mean ≈ 0 and standard deviation ≈ 1, however deep the network; the property is lost "
            + "with other initializations or non-standardized inputs, and plain Dropout breaks it where AlphaDropout keeps it.")
        func describe(_ outcome: Outcome) -> String {
            String(format: "mean %.2f, std %.2f", outcome.lastMean(at: .initialization), outcome.lastStd(at: .initialization))
        }
        let selu = outcomes[0], raw = outcomes[1], he = outcomes[2], relu = outcomes[3], tanh = outcomes[4]
        let alpha = outcomes[5], plain = outcomes[6]
        func near1(_ value: Float) -> Bool { value > 0.7 && value < 1.4 }
        let seluHolds = near1(selu.lastStd(at: .initialization)) && abs(selu.lastMean(at: .initialization)) < 0.3
        let heBreaks = !near1(he.lastStd(at: .initialization))
        let alphaBetter = abs(alpha.lastStd(at: .initialization) - 1) < abs(plain.lastStd(at: .initialization) - 1)
        // SELU's fixed point attracts: raw inputs may converge to mean 0 / std 1 as well, and then
        // the standardization condition matters for accuracy, not for the statistics at depth.
        let rawHolds = near1(raw.lastStd(at: .initialization)) && abs(raw.lastMean(at: .initialization)) < 0.3
        report.stance = seluHolds && heBreaks && alphaBetter && !rawHolds ? .confirms : seluHolds ? .qualifies : .contradicts
        report.verdict = "At initialization the \(depth)th hidden layer's output has: SELU + LeCun normal on standardized inputs "
            + describe(selu) + "; SELU on raw inputs " + describe(raw) + "; SELU + He " + describe(he) + "; ReLU + He "
            + describe(relu) + "; tanh + Glorot " + describe(tanh) + "; SELU with AlphaDropout " + describe(alpha)
            + " vs with Dropout " + describe(plain) + " (training mode). After training, SELU's last hidden layer: "
            + String(format: "mean %.2f, std %.2f", selu.lastMean(at: trained), selu.lastStd(at: trained))
            + (rawHolds ? ". On raw (non-standardized) inputs SELU still reaches mean ≈ 0 and std ≈ 1 by the last layer — "
                + "the fixed point attracts — so standardization shows in accuracy rather than in the statistics at depth" : "")
            + ". Test accuracy: " + outcomes.map { "\($0.configuration.name) \($0.run.diverged ? "diverged" : LabFormat.percent($0.run.testAccuracy))" }
                .joined(separator: ", ") + "."

        report.heading("Output standard deviation and mean by depth")
        for (moment, label, file) in [(ProbeMoment.initialization, "at initialization", "initialization"), (trained, "after training", "trained")] {
            // log₁₀ so that 1 (the self-normalized value) is the 0 line and an exploding or
            // vanishing signal does not flatten the others.
            var stds = LineChart(title: "Hidden-layer output std \(label)", xLabel: "hidden layer",
                                 yLabel: "log₁₀ output standard deviation")
            var means = LineChart(title: "Hidden-layer output mean \(label)", xLabel: "hidden layer", yLabel: "output mean")
            for outcome in outcomes {
                let statistics = outcome.statistics(at: moment)
                let depths = statistics.indices.map { Double($0 + 1) }
                let finite = depths.indices.filter { statistics[$0].std.isFinite && statistics[$0].mean.isFinite }
                let positive = finite.filter { statistics[$0].std > 0 }
                stds.add(.init(name: outcome.configuration.name, x: positive.map { depths[$0] },
                               y: positive.map { Foundation.log10(Double(statistics[$0].std)) }))
                means.add(.init(name: outcome.configuration.name, x: finite.map { depths[$0] }, y: finite.map { Double(statistics[$0].mean) }))
            }
            report.chart(stds, file: "std-\(file)")
            report.chart(means, file: "mean-\(file)")
        }
        report.heading("Measurements")
        report.table(header: ["configuration", "layer \(depth) mean / std at initialization", "after training", "test accuracy"],
                     rows: outcomes.map { outcome in
                         [outcome.configuration.name,
                          String(format: "%.3f / %.3f", outcome.lastMean(at: .initialization), outcome.lastStd(at: .initialization)),
                          String(format: "%.3f / %.3f", outcome.lastMean(at: trained), outcome.lastStd(at: trained)),
                          outcome.run.diverged ? "diverged" : LabFormat.percent(outcome.run.testAccuracy)]
                     })
        report.settings = "\(depth) hidden Dense layers of \(width) units, softmax output; standardized = an adapted "
            + "Normalization layer first; dropout rate \(dropoutRate) after every hidden layer where named; SGD (learning rate "
            + "0.001, momentum 0.9); statistics of 256 test samples in training mode. " + trainer.description
        report.csv("history.csv", LabRun.historyCSV(outcomes.map(\.run)))
        report.csv("diagnostics.csv", DiagnosticsTable.csv(outcomes.compactMap { o in o.run.diagnostics.map { (o.run.name, $0) } }))
        return report
    }
}
