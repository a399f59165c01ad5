import Strata
import Foundation

/// The lab's first experiment: does a deep sigmoid network's gradient vanish toward the input,
/// and do the article's cures — batch normalization, ReLU-family activations with He
/// initialization, SELU with LeCun-normal weights on standardized inputs — keep it alive?
///
/// Each configuration builds the same deep MLP (`depth` hidden layers of `width` units), probes
/// every layer's gradient norm on a fixed batch at initialization and after the first epoch
/// (`Diagnostics`), and trains for `epochs` epochs with SGD (learning rate 0.001, momentum 0.9,
/// the setting of the article's deep-network comparisons).
///
///     let result = try VanishingGradients(quick: true).run(train: (x, y), test: (xTest, yTest))
///     try result.report.write(to: "lab/vanishing-gradients")
public struct VanishingGradients: LabExperiment {
    public static let name = "vanishing-gradients"
    public static let summary = "Per-layer gradient norms of a 20-layer MLP: sigmoid vs batch norm vs ReLU, leaky ReLU, ELU (He) vs SELU."
    public static let defaultData = LabDataSource.fashionMNIST

    /// One way to build the deep MLP.
    public struct Configuration: Sendable {
        /// A short label (`sigmoid + Glorot`).
        public let name: String
        /// The hidden layers' activation.
        public let activation: ActivationFunction
        /// The hidden layers' kernel initializer.
        public let initializer: Initializer
        /// Batch normalization after every hidden Dense layer.
        public let batchNorm: Bool
        /// Inputs standardized (mean 0, standard deviation 1 per feature) by an adapted `Normalization`.
        public let standardize: Bool
    }

    /// The article's six configurations.
    public static let configurations: [Configuration] = [
        .init(name: "sigmoid + Glorot", activation: .sigmoid, initializer: .glorotUniform, batchNorm: false, standardize: false),
        .init(name: "sigmoid + Glorot + batch norm", activation: .sigmoid, initializer: .glorotUniform, batchNorm: true, standardize: false),
        .init(name: "ReLU + He", activation: .relu, initializer: .heNormal, batchNorm: false, standardize: false),
        .init(name: "leaky ReLU (0.2) + He", activation: .leakyRelu(negativeSlope: 0.2), initializer: .heNormal, batchNorm: false, standardize: false),
        .init(name: "ELU + He", activation: .elu, initializer: .heNormal, batchNorm: false, standardize: false),
        .init(name: "SELU + LeCun normal, standardized inputs", activation: .selu, initializer: .lecunNormal, batchNorm: false, standardize: true),
    ]

    /// The deep network probed: the article's MLP, or a plain CNN (`ConvolutionalGradients`).
    public enum Network: Sendable {
        /// `depth` hidden Dense layers of `width` units.
        case mlp
        /// The image average-pooled to 14 × 14, then `depth` Conv2D layers of `width` 3 × 3
        /// filters ("same" padding), global average pooling.
        case cnn
    }

    /// Which deep network.
    public let network: Network
    /// Hidden layers and their width (units, or filters for the CNN).
    public let depth: Int, width: Int
    /// Training epochs per configuration.
    public let epochs: Int
    /// Training samples used (the first ones; nil: all).
    public let trainingSamples: Int?
    /// Seed of weights and shuffling.
    public let seed: UInt64

    /// `quick`: 5,000 samples and 1 epoch (seconds, for CI); otherwise all samples and 5 epochs.
    public init(quick: Bool = false, network: Network = .mlp, depth: Int = 20, width: Int = 100, seed: UInt64 = 42) {
        self.network = network
        self.depth = depth
        self.width = width
        self.epochs = quick ? 1 : 5
        self.trainingSamples = quick ? 5_000 : nil
        self.seed = seed
    }

    public init(quick: Bool, seed: UInt64) { self.init(quick: quick, depth: 20, seed: seed) }

    public func run(on data: LabData, progress: (String) -> Void) throws -> LabReport {
        try run(train: data.train, test: data.test, classes: data.classes, progress: progress).report
    }

    /// What one configuration measured.
    public struct Outcome: Sendable {
        /// The configuration.
        public let configuration: Configuration
        /// Per-layer snapshots at initialization, after the first epoch, and after the last.
        public let diagnostics: DiagnosticsTable
        /// Test accuracy after training.
        public let testAccuracy: Float
        /// The last epoch's training loss (not finite when training diverged).
        public let finalLoss: Float
        /// Weights in each hidden layer's kernel (the first one is larger: it sees every input feature).
        public let kernelSizes: [Int]
        /// Hidden Dense layers' RMS kernel gradient (L2 norm / √weights, so that layers of
        /// different sizes compare) at initialization, lowest layer first.
        public var initialGradientNorms: [Float] { gradientNorms(at: .initialization) }
        /// The same after the first epoch.
        public var trainedGradientNorms: [Float] { gradientNorms(at: .epochEnd(0)) }
        /// First hidden layer's RMS gradient over the last hidden layer's, at initialization.
        public var initialRatio: Float { Self.ratio(initialGradientNorms) }
        /// The same after the first epoch.
        public var trainedRatio: Float { Self.ratio(trainedGradientNorms) }

        func gradientNorms(at moment: ProbeMoment) -> [Float] {
            let hidden = diagnostics.snapshots(at: moment).filter { $0.type == "Dense" || $0.type == "Conv2D" }
            let norms = hidden.filter { $0.type == hidden.first?.type }.prefix(kernelSizes.count).compactMap(\.kernelGradientNorm)
            return zip(norms, kernelSizes).map { $0 / Float($1).squareRoot() }
        }

        static func ratio(_ norms: [Float]) -> Float {
            guard let first = norms.first, let last = norms.last, last > 0 else { return .nan }
            return first / last
        }
    }

    /// Trains every configuration on `train` and measures it; `test` gives the accuracy.
    public func run(train: (x: Samples, y: Tensor), test: (x: Samples, y: Tensor), classes: Int = 10,
                    progress: (String) -> Void = { _ in }) throws -> VanishingGradientsResult {
        let count = Swift.min(trainingSamples ?? train.x.count, train.x.count)
        let x = train.x.slice(0..<count), y = train.y.slice(0..<count)
        let probeCount = Swift.min(256, test.x.count)
        let probe = test.x.slice(0..<probeCount).tensor, probeLabels = test.y.slice(0..<probeCount)
        var outcomes: [Outcome] = []
        for configuration in configurations {
            progress(configuration.name)
            let model = try Random.withSeed(seed) { try build(configuration, sampleShape: x.sampleShape, classes: classes, adaptingTo: x) }
            model.compile(optimizer: SGD(learningRate: 0.001, momentum: 0.9), loss: .sparseCategoricalCrossentropy,
                          metrics: [.accuracy])
            let diagnostics = Diagnostics(probe: probe, labels: probeLabels, every: nil)
            let history = try Random.withSeed(seed &+ 1) {
                try model.fit(x, y, batchSize: 32, epochs: epochs, verbose: .silent, callbacks: [diagnostics])
            }
            let accuracy = Float(try model.evaluate(test.x, test.y, batchSize: 1000)["accuracy"] ?? .nan)
            let hiddenKernels = network == .mlp ? Array(model.layers.filter { $0 is Dense }.dropLast()) : model.layers.filter { $0 is Conv2D }
            outcomes.append(Outcome(configuration: configuration, diagnostics: diagnostics.table, testAccuracy: accuracy,
                                    finalLoss: Float(history["loss"].last ?? .nan),
                                    kernelSizes: hiddenKernels.map { $0.trainableVariables.first?.value.count ?? 1 }))
        }
        return VanishingGradientsResult(experiment: self, outcomes: outcomes, trainingSamples: count)
    }

    /// The configurations this network is probed with: all six for the MLP; for the CNN those on
    /// raw inputs (standardizing images for SELU is the MLP's experiment).
    public var configurations: [Configuration] {
        network == .mlp ? Self.configurations : Self.configurations.filter { !$0.standardize }
    }

    private func build(_ configuration: Configuration, sampleShape: [Int], classes: Int, adaptingTo x: Samples) throws -> Sequential {
        if network == .cnn { return buildCNN(configuration, sampleShape: sampleShape, classes: classes) }
        let model = Sequential()
        model.add(Flatten(inputShape: sampleShape))
        if configuration.standardize {
            let normalization = Normalization()
            try normalization.adapt(x.tensor.reshaped(to: [x.count, -1]))
            model.add(normalization)
        }
        for _ in 0..<depth {
            model.add(Dense(width, activation: configuration.activation, kernelInitializer: configuration.initializer))
            if configuration.batchNorm { model.add(BatchNormalization()) }
        }
        model.add(Dense(classes, activation: .softmax))
        return model
    }

    private func buildCNN(_ configuration: Configuration, sampleShape: [Int], classes: Int) -> Sequential {
        let model = Sequential()
        model.add(Reshape(sampleShape.count == 2 ? sampleShape + [1] : sampleShape, inputShape: sampleShape))
        model.add(AveragePooling2D())
        for _ in 0..<depth {
            model.add(Conv2D(width, kernelSize: [3, 3], padding: .same, activation: configuration.activation,
                             kernelInitializer: configuration.initializer))
            if configuration.batchNorm { model.add(BatchNormalization()) }
        }
        model.add(GlobalAveragePooling2D())
        model.add(Dense(classes, activation: .softmax))
        return model
    }

    /// The report's experiment name and title, and the network in words.
    var reportName: String { network == .mlp ? Self.name : ConvolutionalGradients.name }
    var title: String { network == .mlp ? "vanishing gradients" : "vanishing gradients in a deep CNN" }
    var networkDescription: String {
        network == .mlp ? "\(depth) hidden Dense layers of \(width) units, softmax output"
            : "images average-pooled to 14 × 14, \(depth) Conv2D layers of \(width) 3 × 3 filters (same padding), global average pooling, softmax output"
    }
}

/// The vanishing-gradients experiment on a deep plain CNN: the same configurations (but SELU on
/// standardized inputs) as `VanishingGradients`, on 10 convolution layers of 8 filters — is the
/// article's diagnosis, made on MLPs, true of convolutional networks?
public struct ConvolutionalGradients: LabExperiment {
    public static let name = "cnn-gradients"
    public static let summary = "Per-layer gradient norms of a 10-layer plain CNN: sigmoid vs batch norm vs ReLU, leaky ReLU, ELU (He)."
    public static let defaultData = LabDataSource.fashionMNIST

    /// The experiment it runs.
    public let experiment: VanishingGradients

    public init(quick: Bool, seed: UInt64) {
        experiment = VanishingGradients(quick: quick, network: .cnn, depth: 10, width: 8, seed: seed)
    }

    public func run(on data: LabData, progress: (String) -> Void) throws -> LabReport {
        try experiment.run(on: data, progress: progress)
    }
}

/// The measurements of a `VanishingGradients` run, with the report.
public struct VanishingGradientsResult: Sendable {
    /// The settings it ran with.
    public let experiment: VanishingGradients
    /// One outcome per configuration, in `VanishingGradients.configurations` order.
    public let outcomes: [VanishingGradients.Outcome]
    /// Training samples used.
    public let trainingSamples: Int

    /// The claim the experiment tests.
    public static let claim = "In a deep network of sigmoid units with Glorot initialization the gradients shrink layer by "
        + "layer toward the input, so the lower layers barely learn; batch normalization, ReLU-family activations with He "
        + "initialization, and SELU with LeCun-normal weights on standardized inputs keep them alive."

    /// A sentence computed from the numbers.
    public var verdict: String {
        func ratio(_ name: String) -> String {
            guard let outcome = outcomes.first(where: { $0.configuration.name == name }) else { return "?" }
            return Self.fraction(outcome.initialRatio)
        }
        let sigmoid = outcomes.first!.initialRatio, relu = outcomes.first { $0.configuration.name == "ReLU + He" }?.initialRatio ?? .nan
        let confirmed = sigmoid < 0.01 && relu > 0.1
        let others = outcomes.dropFirst().map { "\(ratio($0.configuration.name)) with \($0.configuration.name)" }
        return "At initialization, the first hidden layer's RMS gradient per weight is \(ratio("sigmoid + Glorot")) of the last hidden "
            + "layer's with sigmoid + Glorot, " + others.dropLast().joined(separator: ", ") + " and " + (others.last ?? "") + ". "
            + (confirmed ? "The measurement confirms the claim." : "The measurement does not confirm the claim as stated.")
            + " Test accuracy after \(experiment.epochs) epoch\(experiment.epochs == 1 ? "" : "s"): "
            + outcomes.map { outcome in
                outcome.finalLoss.isFinite ? outcome.configuration.name + String(format: " %.1f %%", 100 * outcome.testAccuracy)
                                           : outcome.configuration.name + " diverged"
            }.joined(separator: ", ") + "."
    }

    /// A ratio as people say it: `1/N` below one, `N×` above (`n/a` when not finite).
    public static func fraction(_ ratio: Float) -> String {
        guard ratio.isFinite, ratio > 0 else { return "n/a" }
        if ratio >= 1 { return String(format: "%.3g×", ratio) }
        return "1/" + String(format: "%.3g", 1 / ratio)
    }

    /// All snapshots of all configurations as CSV, with the configuration as the first column.
    public func csv() -> String {
        DiagnosticsTable.csv(outcomes.map { ($0.configuration.name, $0.diagnostics) })
    }

    /// Gradient norm (log₁₀) against depth for every configuration at one moment.
    public func gradientChart(at moment: ProbeMoment, title: String) -> LineChart {
        var chart = LineChart(title: title, xLabel: "hidden layer (1 = nearest the input)", yLabel: "log₁₀ RMS gradient per weight")
        for outcome in outcomes {
            let norms = outcome.gradientNorms(at: moment)
            let points = norms.enumerated().filter { $0.element > 0 }
            chart.add(.init(name: outcome.configuration.name, x: points.map { Double($0.offset + 1) },
                            y: points.map { Foundation.log10(Double($0.element)) }, markers: true))
        }
        return chart
    }

    /// The report: claim, verdict, the gradient-by-depth charts at initialization and after one
    /// epoch (`gradients-at-initialization.svg`, `gradients-after-one-epoch.svg`), the table,
    /// and every snapshot as `gradients.csv`.
    public var report: LabReport {
        let e = experiment
        var report = LabReport(experiment: e.reportName, title: e.title, claim: Self.claim)
        report.verdict = verdict
        report.stance = verdict.contains("confirms the claim") ? .confirms : .contradicts
        report.heading("Gradient norm by depth")
        report.chart(gradientChart(at: .initialization, title: "Gradient norm by depth at initialization"), file: "gradients-at-initialization")
        report.chart(gradientChart(at: .epochEnd(0), title: "Gradient norm by depth after one epoch"), file: "gradients-after-one-epoch")
        report.heading("Measurements")
        report.table(header: ["configuration", "RMS gradient, first / last hidden layer, at initialization", "after one epoch",
                              "test accuracy after \(e.epochs) epoch\(e.epochs == 1 ? "" : "s")"],
                     rows: outcomes.map { outcome in
                         [outcome.configuration.name, Self.fraction(outcome.initialRatio), Self.fraction(outcome.trainedRatio),
                          outcome.finalLoss.isFinite ? LabFormat.percent(outcome.testAccuracy) : "diverged (loss not finite)"]
                     })
        report.settings = "\(trainingSamples) training samples; \(e.networkDescription); SGD (learning rate 0.001, momentum 0.9), batch 32, \(e.epochs) epoch\(e.epochs == 1 ? "" : "s"); "
            + "gradients probed on 256 test samples; seed \(e.seed)."
        report.csv("gradients.csv", csv())
        return report
    }
}
