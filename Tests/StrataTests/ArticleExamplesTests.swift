import Foundation
import StrataTestSupport
import Testing
@testable import Strata
@testable import StrataLab

/// The article's two examples, written in Swift almost line for line as in its Keras code.
@Suite("The article's examples", .serialized)
struct ArticleExamplesTests {
    /// `shared/` beside the project folder.
    static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")

    /// The wine table: 12 feature columns and the `class` column (1 = red), rows shuffled once
    /// with a fixed seed because the file lists all red wines before the white ones.
    static func wine() throws -> (x: Tensor, y: Tensor) {
        let text = try String(contentsOf: shared.appendingPathComponent("data/wine.csv"), encoding: .utf8)
        let rows = text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            line.split(separator: ",").map { Float($0)! }
        }
        let order = Random.permutation(rows.count, seed: 2024)
        let table = Tensor(rows: order.map { rows[$0] })
        return (table.slice(axis: 1, 0..<12), table.slice(axis: 1, 12..<13))
    }

    @Test func wineClassifierWithEarlyStoppingAndCheckpoint() throws {
        let (x, y) = try Self.wine()
        #expect(x.shape == [6497, 12] && y.sum().scalar == 1599)
        try Random.withSeed(42) {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-wine-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }

            let model = ArticleModels.wineClassifier()      // 12 → 30 → 12 → 8 → 1, ReLU and a sigmoid
            model.compile(optimizer: Adam(), loss: .binaryCrossentropy, metrics: [.accuracy])
            // As the article: the checkpoint keeps the best validation accuracy, early stopping watches the loss.
            let checkpoint = ModelCheckpoint(folder.appendingPathComponent("best.safetensors").path, monitor: "val_accuracy",
                                             saveBestOnly: true)
            let earlyStopping = EarlyStopping(monitor: "val_loss", patience: 100)
            let history = try model.fit(x, y, batchSize: 500, epochs: 2000, verbose: .silent,
                                        callbacks: [earlyStopping, checkpoint], validationSplit: 0.2)

            #expect(history.epochs.count < 2000, "early stopping ended training")
            #expect(earlyStopping.stoppedEpoch > 0)
            // The checkpoint holds the first epoch of the highest validation accuracy; reload and measure it.
            let best = history["val_accuracy"].max()!
            let bestEpoch = history["val_accuracy"].firstIndex(of: best)!
            try model.loadWeights(from: checkpoint.savedPaths.last!)
            let validation = try model.evaluate(x.slice(5198..<6497), y.slice(5198..<6497), batchSize: 500)
            #expect(abs(validation["accuracy"]! - best) < 1e-4, "within a fraction of one sample (1 / 1299)")
            #expect(abs(validation["loss"]! - history["val_loss"][bestEpoch]) < 1e-4)
            #expect(validation["accuracy"]! >= 0.97, "validation accuracy \(validation["accuracy"]!)")
        }
    }

    /// Debian's `dataset-fashion-mnist` (which `.ci/run` installs).
    static let fashionFolder = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")
    static var fashionInstalled: Bool {
        FileManager.default.fileExists(atPath: fashionFolder.appendingPathComponent("train-images-idx3-ubyte.gz").path)
    }

    /// CI sets `STRATA_REQUIRE_DATASETS=1`, so that a missing data set fails the run instead of skipping.
    static var fashionRequired: Bool { ProcessInfo.processInfo.environment["STRATA_REQUIRE_DATASETS"] == "1" }

    @Test(.enabled(if: fashionInstalled || fashionRequired, "needs apt-get install dataset-fashion-mnist"))
    func fashionMNISTBatchNormalizedMLPTrainsOneEpoch() throws {
        let data = try FashionMNIST.load()
        #expect(data.train.images.shape == [60000, 28, 28] && data.test.count == 10000)
        try Random.withSeed(42) {
            let model = ArticleModels.fashionMLP()
            model.compile(optimizer: Adam(learningRate: 1e-3), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
            let history = try model.fit(data.train.images, data.train.labels, batchSize: 500, epochs: 1, verbose: .silent,
                                        validationSplit: 0.2)
            let result = try model.evaluate(data.test.images, data.test.labels, batchSize: 1000)
            // Training accuracy (batch statistics) is ≈ 82 % after this one epoch of 96 updates. Inference
            // uses the moving statistics, which after 96 updates with momentum 0.99 have moved only
            // 1 − 0.99⁹⁶ ≈ 62 % of the way from their initial values — so validation and test
            // accuracy lag (≈ 74 %), as they do in Keras.
            #expect(history["accuracy"][0] > 0.8, "training accuracy after one epoch: \(history["accuracy"][0])")
            #expect(history["val_accuracy"][0] > 0.7, "validation accuracy after one epoch: \(history["val_accuracy"][0])")
            #expect(result["accuracy"]! > 0.7, "test accuracy after one epoch: \(result["accuracy"]!)")
        }
    }
}
