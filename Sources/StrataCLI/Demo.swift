import ArgumentParser
import Foundation
import Strata
import StrataLab

/// `strata demo`: the article's first example end to end on Fashion-MNIST.
public struct Demo: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Train the article's batch-normalized MLP (or a small CNN) on Fashion-MNIST and report.",
        discussion: """
            --model mlp (the default, the article's): Flatten → BatchNormalization → Dense(300, relu) → BatchNormalization → Dense(100, relu) \
            → BatchNormalization → Dense(10, softmax), Adam, sparse categorical cross-entropy, 10 % \
            validation split, early stopping on val_loss (restoring the best weights), a checkpoint \
            of the same best val_loss epoch, and the learning rate halved when val_loss stalls for \
            --lr-patience epochs (ReduceLROnPlateau; 0 turns it off, the article's exact setup). \
            --model cnn: two blocks of Conv 3×3 (32, 64 filters) → BatchNormalization → ReLU → MaxPool, \
            Dropout 0.3 → Dense 128 → Dropout 0.3 → Dense 10, at batch 64 by default. \
            The test accuracy is that of the model in best.safetensors. Writes best.safetensors, \
            history.csv, history.svg and report.html.
            """)

    @Option(help: "Maximum number of epochs.") var epochs = 30
    /// The demo's two networks.
    enum Network: String, ExpressibleByArgument, CaseIterable {
        case mlp, cnn

        /// The network, untrained.
        func make() -> Sequential { self == .cnn ? ArticleModels.fashionCNN() : ArticleModels.fashionMLP() }
        /// Its default batch size.
        var batchSize: Int { self == .cnn ? 64 : 32 }
    }

    @Option(help: "mlp (the article's batch-normalized MLP) or cnn (a small batch-normalized CNN).") var model = Network.mlp
    @Option(help: "Samples per gradient step (per rank with strata-mpi); default 32 for mlp, 64 for cnn.")
    var batchSize: Int?
    @Option(help: "Epochs without val_loss improvement before stopping.") var patience = 5
    @Option(help: "Epochs without val_loss improvement before the learning rate is halved (0: never).")
    var lrPatience = 2
    @Option(help: "Update every N batches with the mean of their gradients (Keras' gradient_accumulation_steps; with strata-mpi, one all-reduce per update).")
    var gradientAccumulationSteps: Int?
    @Option(help: "Seed of all randomness (weights, shuffling).") var seed: UInt64 = 42
    @Option(help: "Folder for the checkpoint, history, plot and report.") var output = "strata-demo"
    @Option(help: "Folder holding the Fashion-MNIST IDX files (default: the standard places).") var data: String?

    public init() {}

    /// The batch size: `--batch-size`, or the model's default.
    public var effectiveBatchSize: Int { batchSize ?? model.batchSize }

    public func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard effectiveBatchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard patience >= 0 else { throw ValidationError("--patience must be 0 or more") }
        guard lrPatience >= 0 else { throw ValidationError("--lr-patience must be 0 or more") }
        try Train.checkAccumulation(gradientAccumulationSteps)
        try OutputPath.check(output, option: "--output", kind: .folder)
    }

    public func run() throws {
        let environment = TrainingEnvironment.current
        let dataset = try FashionMNIST.load(directory: data)
        environment.say("Fashion-MNIST from \(dataset.directory): \(dataset.train.count) training and \(dataset.test.count) test images")
        Random.seed(seed)

        let network = model.make()
        network.classNames = FashionMNIST.classNames
        network.compile(optimizer: Adam(learningRate: 1e-3, gradientAccumulationSteps: gradientAccumulationSteps),
                        loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
        if environment.isPrimary { network.summary() }

        let folder = URL(fileURLWithPath: output)
        let checkpointPath = folder.appendingPathComponent("best.safetensors").path
        var callbacks: [Callback] = [EarlyStopping(monitor: "val_loss", patience: patience, restoreBestWeights: true,
                                                   verbose: environment.isPrimary)]
        // The checkpoint follows the same monitor as early stopping, so the file holds the model
        // that is tested and reported (whether or not training stopped early).
        callbacks += environment.primaryOnly([ModelCheckpoint(checkpointPath, monitor: "val_loss", saveBestOnly: true, verbose: true)])
        // Halving the rate on a plateau lets Adam settle into the minimum it hovers around at
        // 1e-3: measured +0.7 to +1.8 points of test accuracy over the article's setup.
        if lrPatience > 0 { callbacks.append(ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: lrPatience,
                                                                       verbose: environment.isPrimary)) }
        callbacks += environment.addedCallbacks()
        let started = Date()
        let history = try network.fit(dataset.train.images, dataset.train.labels, batchSize: effectiveBatchSize, epochs: epochs,
                                    verbose: environment.verbosity, callbacks: callbacks, validationSplit: 0.1,
                                    dataParallel: environment.dataParallel)
        let trainingSeconds = Date().timeIntervalSince(started)
        guard environment.isPrimary else { return }   // the other replicas hold the same model

        try network.loadWeights(from: checkpointPath)
        let bestEpoch = history["val_loss"].enumerated().min { $0.element < $1.element }!.offset
        let result = try network.evaluate(dataset.test.images, dataset.test.labels, batchSize: 1000)
        let predictions = try network.predict(dataset.test.images, batchSize: 1000).argmax(axis: 1).scalars.map { Int($0) }
        let truth = dataset.test.labelBytes.map(Int.init)
        let confusion = ConfusionMatrix(truth: truth, predictions: predictions, classes: FashionMNIST.classNames.count)
        let testAccuracy = result["accuracy"] ?? 0
        print(String(format: "\nTest accuracy: %.2f %%  (test loss %.4f) of best.safetensors, epoch %d of %d (the lowest val_loss), %.0f s of training",
                     100 * testAccuracy, result["loss"] ?? .nan, bestEpoch + 1, history.epochs.count, trainingSeconds))
        print(confusion.text(classNames: FashionMNIST.classNames))

        let historyCSV = folder.appendingPathComponent("history.csv").path
        let plot = folder.appendingPathComponent("history.svg").path
        let reportPath = folder.appendingPathComponent("report.html").path
        try history.writeCSV(to: historyCSV)
        try history.plot(to: plot, plannedEpochs: epochs)
        var report = HTMLReport(title: "Strata demo: a batch-normalized \(model.rawValue.uppercased()) on Fashion-MNIST")
        report.paragraph(String(format: "Test accuracy %.2f %% on the 10,000 test images of the model in best.safetensors: "
                                + "epoch %d of %d, the lowest validation loss (%.0f s of training).",
                                100 * testAccuracy, bestEpoch + 1, history.epochs.count, trainingSeconds))
        report.heading("Training")
        report.svg(history.chartSVG(plannedEpochs: epochs))
        report.heading("Per-class accuracy on the test set")
        report.table(header: ["class", "accuracy", "most often confused with"],
                     rows: confusion.perClass(classNames: FashionMNIST.classNames))
        report.heading("Model")
        report.preformatted((try? network.summaryText()) ?? "")
        report.heading("Settings")
        report.table(header: ["setting", "value"], rows: [
            ["optimizer", "Adam, learning rate 0.001" + (gradientAccumulationSteps.map { ", gradients accumulated over \($0) batches" } ?? "")], ["loss", "sparse categorical cross-entropy"],
            ["batch size", environment.dataParallel.map { "\(effectiveBatchSize) per replica × \($0.group.size) replicas" } ?? "\(effectiveBatchSize)"], ["maximum epochs", "\(epochs)"], ["validation split", "10 %"],
            ["early stopping", "val_loss, patience \(patience), best weights restored"],
            ["learning rate on a plateau", lrPatience > 0 ? "halved after \(lrPatience) epochs without val_loss improvement" : "constant"],
            ["checkpoint", "best val_loss → best.safetensors (epoch \(bestEpoch + 1))"], ["seed", "\(seed)"],
            ["threads", ProcessInfo.processInfo.environment["STRATA_NUM_THREADS"] ?? "all cores"],
        ])
        try report.write(to: reportPath)
        print("\nWrote \(checkpointPath), \(historyCSV), \(plot) and \(reportPath)")
    }
}
