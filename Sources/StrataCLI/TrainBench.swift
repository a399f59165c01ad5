import ArgumentParser
import Foundation
import Strata
import StrataLab

/// `strata bench train`: steady-state training speed of the article's Fashion-MNIST model.
///
/// Prints one `RESULT` line with the fields `Benchmarks/compare.sh` and the peers' scripts share.
struct TrainBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Seconds per epoch of a model on the 60,000 Fashion-MNIST training images.",
        discussion: """
            --model mlp (the article's): Flatten → BN → Dense(300, relu) → BN → Dense(100, relu) → BN → \
            Dense(10, softmax); lenet5: LeNet-5 (Conv 6×5×5 same → MaxPool → Conv 16×5×5 → MaxPool → \
            Dense 120 → 84 → 10); convnet: keras.io's mnist_convnet (Conv 32×3×3 → MaxPool → Conv \
            64×3×3 → MaxPool → Dropout 0.5 → Dense 10). Adam, sparse categorical cross-entropy, no validation split. The first epoch is a warm-up; the \
            others give best and median seconds per epoch. Test accuracy is printed so that a \
            fast-but-wrong change shows.
            """)

    @Option(help: "mlp, lenet5 or convnet.") var model = "mlp"
    @Option(help: "Samples per gradient step.") var batchSize = 32
    @Option(help: "Epochs to train (the first is not timed).") var epochs = 4
    @Option(help: "Seed of weights and shuffling.") var seed: UInt64 = 42
    @OptionGroup var common: BenchOptions
    @Flag(help: "Probe with a Diagnostics callback (256 test images, default interval) to measure its cost.")
    var diagnostics = false
    @Flag(help: "Augment in training: RandomTranslation(0.1, 0.1) → RandomRotation(0.05) → RandomZoom(0.1) after the images' reshape (convolutional models), to measure its cost.")
    var augment = false
    @Option(help: "Stream the training images from uncompressed IDX files (a FileDataset, written to a temporary folder) with this many workers reading ahead: 0 or 1.")
    var stream: Int?
    @Flag(help: "Train with the mixed_bfloat16 policy (bfloat16 products, float32 everything else).")
    var bfloat16 = false
    @Flag(help: "Print the arithmetic floor instead of training: every matrix product of one training step, each shape timed alone (best of 5), times the steps of an epoch.")
    var floor = false

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard epochs >= 2 else { throw ValidationError("--epochs must be at least 2 (the first is a warm-up)") }
        guard Self.models[model] != nil else { throw ValidationError("--model must be mlp, lenet5 or convnet, got '\(model)'") }
        if let stream, !(0...1).contains(stream) { throw ValidationError("--stream takes 0 or 1 workers, got \(stream)") }
        if augment, model == "mlp" { throw ValidationError("--augment needs a convolutional model (lenet5 or convnet)") }
    }

    /// The training images and labels of the IDX files in `folder` (gzip'd or not), written
    /// uncompressed into a temporary folder for a `FileDataset` to map.
    static func uncompressedTrainingFiles(from folder: String) throws -> (folder: String, images: String, labels: String) {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("strata-stream-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        var paths: [String] = []
        for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"] {
            let source = [folder + "/" + name + ".gz", folder + "/" + name].first { FileManager.default.fileExists(atPath: $0) }
            guard let source else { throw StrataError(kind: .io, message: "no \(name)[.gz]", context: folder) }
            let (dimensions, bytes) = try IDX.read(source)
            var header: [UInt8] = [0, 0, 8, UInt8(dimensions.count)]
            for d in dimensions { header += (0..<4).map { UInt8(truncatingIfNeeded: d >> (24 - 8 * $0)) } }
            let path = target + "/" + name
            try Data(header + bytes).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        return (target, paths[0], paths[1])
    }

    /// `model` with the augmentation layers after its first layer (the reshape to [28, 28, 1]).
    static func augmented(_ model: Sequential) -> Sequential {
        let layers = model.layers
        let augmentation: [Layer] = [RandomTranslation(heightFactor: 0.1, widthFactor: 0.1), RandomRotation(0.05),
                                     RandomZoom(heightFactor: 0.1)]
        return Sequential([layers[0]] + augmentation + layers.dropFirst())
    }

    static let models: [String: @Sendable () -> Sequential] = [
        "mlp": ArticleModels.fashionMLP, "lenet5": ArticleModels.lenet5, "convnet": ArticleModels.mnistConvnet,
    ]

    func run() throws {
        let dataset = try common.loadData()
        Random.seed(seed)
        let model = augment ? Self.augmented(Self.models[self.model]!()) : Self.models[self.model]!()
        model.compile(optimizer: Adam(), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy],
                      mixedPrecision: bfloat16 ? .bfloat16 : nil)

        if floor { return try reportFloor(model, dataset) }

        var epochStart = Date()
        var seconds: [Double] = []
        let timer = LambdaCallback(onEpochBegin: { _, _ in epochStart = Date() },
                                   onEpochEnd: { epoch, logs in
            let elapsed = Date().timeIntervalSince(epochStart)
            seconds.append(elapsed)
            print(String(format: "epoch %d: %.3f s, loss %.4f, accuracy %.4f", epoch + 1, elapsed,
                         logs["loss"] ?? .nan, logs["accuracy"] ?? .nan))
        })
        var callbacks: [Callback] = [timer]
        if diagnostics {
            callbacks.append(Diagnostics(probe: dataset.test.images.slice(0..<256), labels: dataset.test.labels.slice(0..<256)))
        }
        if let workers = stream {
            let files = try Self.uncompressedTrainingFiles(from: dataset.directory)
            defer { try? FileManager.default.removeItem(atPath: files.folder) }
            let train = try FileDataset.idx(images: files.images, labels: files.labels, batchSize: batchSize, seed: seed, workers: workers)
            try model.fit(train, epochs: epochs, verbose: .silent, callbacks: callbacks)
        } else {
            try model.fit(dataset.train.images, dataset.train.labels, batchSize: batchSize, epochs: epochs,
                          verbose: .silent, callbacks: callbacks)
        }
        let accuracy = try model.evaluate(dataset.test.images, dataset.test.labels, batchSize: 1000)["accuracy"] ?? 0

        let steady = Array(seconds.dropFirst())
        let steps = (dataset.train.count + batchSize - 1) / batchSize
        let median = BenchSetup.median(steady)
        BenchSetup.report([
            ("framework", "strata" + (diagnostics ? "+diagnostics" : "") + (augment ? "+augment" : "")
                          + (stream.map { "+stream\($0)" } ?? "") + (bfloat16 ? "+bf16" : "")),
            ("model", self.model), ("batch", "\(batchSize)"),
            ("threads", "\(BenchSetup.threadCount)"), ("epochs", "\(epochs)"),
            ("epoch_best_s", String(format: "%.3f", steady.min()!)), ("epoch_median_s", String(format: "%.3f", median)),
            ("samples_per_s", String(format: "%.0f", Double(dataset.train.count) / median)),
            ("ms_per_step", String(format: "%.3f", 1000 * median / Double(steps))),
            ("peak_rss_mib", String(format: "%.0f", BenchSetup.peakResidentMiB())),
            ("test_accuracy", String(format: "%.4f", accuracy)),
        ])
    }
}

extension TrainBench {
    /// The products of one training step on a batch, timed shape by shape: the epoch's floor.
    func reportFloor(_ model: Sequential, _ dataset: ImageClassificationData) throws {
        let x = dataset.train.images.slice(0..<batchSize), y = dataset.train.labels.slice(0..<batchSize)
        _ = try model.trainOnBatch(x, y)   // builds the model and its optimizer slots
        let products = try GemmBenchmark.recordProducts { _ = try model.trainOnBatch(x, y) }
        let perStep = GemmBenchmark.floorSeconds(products)
        let steps = (dataset.train.count + batchSize - 1) / batchSize
        let flops = products.reduce(0) { $0 + $1.flops }
        print("products of one step: " + products.map { $0.name + ($0.bfloat16 ? " (bf16)" : "") }.joined(separator: ", "))
        BenchSetup.report([
            ("framework", "strata-floor" + (bfloat16 ? "+bf16" : "")), ("model", self.model), ("batch", "\(batchSize)"),
            ("threads", "\(BenchSetup.threadCount)"), ("products_per_step", "\(products.count)"),
            ("gflop_per_epoch", String(format: "%.1f", flops * Double(steps) / 1e9)),
            ("floor_s_per_epoch", String(format: "%.3f", perStep * Double(steps))),
        ])
    }
}

/// `strata bench predict`: inference time on the 10,000 Fashion-MNIST test images.
struct PredictBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Seconds to predict the 10,000 Fashion-MNIST test images with the article's model.")

    @Option(help: "Samples per forward pass.") var batchSize = 1000
    @Option(help: "Timed repetitions (after one warm-up).") var repeats = 20
    @Flag(help: "Predict under the mixed_bfloat16 policy (bfloat16 products).") var bfloat16 = false
    @OptionGroup var common: BenchOptions

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        let dataset = try common.loadData()
        Random.seed(42)
        let model = ArticleModels.fashionMLP()
        try model.build(inputShape: [28, 28])
        if bfloat16 { model.compile(optimizer: Adam(), loss: .sparseCategoricalCrossentropy, mixedPrecision: .bfloat16) }
        _ = try model.predict(dataset.test.images, batchSize: batchSize)
        var seconds: [Double] = []
        for _ in 0..<repeats {
            let start = Date()
            _ = try model.predict(dataset.test.images, batchSize: batchSize)
            seconds.append(Date().timeIntervalSince(start))
        }
        BenchSetup.report([
            ("framework", "strata" + (bfloat16 ? "+bf16" : "")), ("batch", "\(batchSize)"), ("threads", "\(BenchSetup.threadCount)"),
            ("predict_best_s", String(format: "%.4f", seconds.min()!)),
            ("predict_median_s", String(format: "%.4f", BenchSetup.median(seconds))),
            ("peak_rss_mib", String(format: "%.0f", BenchSetup.peakResidentMiB())),
        ])
    }
}

/// The options `strata bench train` and `strata bench predict` share.
struct BenchOptions: ParsableArguments {
    @Option(help: "Threads of the kernels (default: all cores).") var threads: Int?
    @Option(help: "Folder holding the Fashion-MNIST IDX files (default: the standard places).") var data: String?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// Sets the kernel thread count (before the first kernel starts the pool), then loads the data.
    func loadData() throws -> ImageClassificationData {
        if let threads { setenv("STRATA_NUM_THREADS", "\(threads)", 1) }
        return try FashionMNIST.load(directory: data)
    }
}

/// What the benchmark commands share: statistics and the `RESULT` line.
enum BenchSetup {
    static var threadCount: Int {
        ProcessInfo.processInfo.environment["STRATA_NUM_THREADS"].flatMap(Int.init)
            ?? ProcessInfo.processInfo.activeProcessorCount
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The process's peak resident set size, in MiB.
    static func peakResidentMiB() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024       // kilobytes on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Double(usage.ru_maxrss) / 1_048_576  // bytes on macOS
        #endif
    }

    /// Prints where it ran (`platform: …`), then `RESULT key=value …`, the line
    /// `Benchmarks/compare.sh` reads, with the kernels' instruction set added.
    static func report(_ fields: [(String, String)]) {
        print("platform: \(KernelPlatform.summary)")
        let all = fields + [("kernels", KernelPlatform.instructionSet.rawValue)]
        print("RESULT " + all.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
    }
}
