import Foundation
import StrataTestSupport
import Testing
@testable import Strata
@testable import StrataLab

@Suite("Training with fit, evaluate and predict", .serialized)
struct FitTests {
    @Test func learnsXOR() throws {
        try Random.withSeed(1) {
            // Plain arrays are accepted as well as tensors.
            let x: [[Float]] = [[0, 0], [0, 1], [1, 0], [1, 1]]
            let y: [Float] = [0, 1, 1, 0]
            let model = Sequential {
                Dense(8, activation: .tanh, inputShape: [2])
                Dense(1, activation: .sigmoid)
            }
            model.compile(optimizer: Adam(learningRate: 0.05), loss: .binaryCrossentropy, metrics: [.accuracy])
            let history = try model.fit(x, y, batchSize: 4, epochs: 300, verbose: .silent)
            #expect(history["accuracy"].last == 1)
            #expect(history["loss"].last! < 0.05)
            let p = try model.predict(x)
            #expect(p.scalars.map { $0 > 0.5 ? 1 : 0 } == [0, 1, 1, 0])
        }
    }

    @Test func learnsASpiral() throws {
        try Random.withSeed(2) {
            // Two interleaved spirals, 100 points each.
            var rows: [[Float]] = [], labels: [Int] = []
            for i in 0..<100 {
                let t = Float(i) / 100 * 3 * .pi
                let r = Float(i) / 100 + 0.1
                rows.append([r * cos(t), r * sin(t)]); labels.append(0)
                rows.append([-r * cos(t), -r * sin(t)]); labels.append(1)
            }
            let model = Sequential([Dense(64, activation: .relu, inputShape: [2]), Dense(64, activation: .relu),
                                    Dense(2, activation: .softmax)])
            model.compile(optimizer: Adam(learningRate: 0.01), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
            let history = try model.fit(Tensor(rows: rows), Tensor(labels: labels), batchSize: 32, epochs: 150, verbose: .silent)
            #expect(history["accuracy"].last! >= 0.99)
        }
    }

    @Test func validationSplitTakesTheLastSamplesBeforeShuffling() throws {
        let x = Tensor((0..<20).map(Float.init)).reshaped(to: [20, 1]) / 20
        let y = x * 2 + 1
        let make = { () -> Sequential in
            Random.withSeed(3) {
                let model = Sequential([Dense(1, inputShape: [1])])
                model.compile(optimizer: SGD(learningRate: 0.1), loss: .meanSquaredError)
                return model
            }
        }
        let split = try Random.withSeed(4) {
            try make().fit(x, y, batchSize: 4, epochs: 3, verbose: .silent, validationSplit: 0.25)
        }
        let explicit = try Random.withSeed(4) {
            try make().fit(x.slice(0..<15), y.slice(0..<15), batchSize: 4, epochs: 3, verbose: .silent,
                           validationData: (x.slice(15..<20), y.slice(15..<20)))
        }
        #expect(split.history == explicit.history)
        // Keras logs learning_rate only when a learning-rate callback runs.
        #expect(split["val_loss"].count == 3 && split.history["learning_rate"] == nil)
    }

    /// Keras 3's count (`array_slicing.train_validation_split`: `floor(n * (1.0 - split))` in
    /// Python doubles, with the decimal written; the values below are Python's): 1 − 0.9 is
    /// 0.09999999999999998 there, so 0.9 of 10 trains on none, not 1 — and `fit` refuses a split
    /// that leaves either part empty, with Keras' reason.
    @Test func validationSplitCountIsKeras() throws {
        #expect(trainingSampleCount(of: 10, validationSplit: 0.3) == 7)
        #expect(trainingSampleCount(of: 10, validationSplit: 0.7) == 3)
        #expect(trainingSampleCount(of: 10, validationSplit: 0.9) == 0, "Python's rounding, not the exact 1")
        #expect(trainingSampleCount(of: 1000, validationSplit: 0.1) == 900)
        #expect(trainingSampleCount(of: 6497, validationSplit: 0.1) == 5847, "the article's wine table")
        #expect(trainingSampleCount(of: 3, validationSplit: 0.5) == 1, "the odd sample validates")
        #expect(trainingSampleCount(of: 7, validationSplit: 0) == 7)
        let model = Sequential([Dense(1, inputShape: [2])])
        model.compile(optimizer: SGD(), loss: .meanSquaredError)
        for (n, split) in [(10, Float(0.9)), (1, 0.5), (3, 1e-30)] {   // none train; none train; none validate
            let x = Tensor.ones([n, 2]), y = Tensor.zeros([n, 1])
            #expect(throws: StrataError.self, "\(n) samples, split \(split)") {
                try model.fit(x, y, epochs: 1, verbose: .silent, validationSplit: split)
            }
        }
    }

    @Test func epochLossIsTheSampleMeanIncludingPenalties() throws {
        try Random.withSeed(5) {
            let x = Tensor.randomNormal([10, 3], seed: 1), y = Tensor.randomNormal([10, 2], seed: 2)
            let model = Sequential([Dense(2, kernelRegularizer: .l2(0.5), inputShape: [3])])
            model.compile(optimizer: SGD(learningRate: 0), loss: .meanSquaredError, metrics: [.meanAbsoluteError])
            // Batches of 4, 4 and 2: with a zero learning rate the epoch mean must equal the loss over all 10.
            let history = try model.fit(x, y, batchSize: 4, epochs: 1, verbose: .silent)
            let prediction = try model.predict(x)
            let penalty = 0.5 * square(model.layers[0].variables[0].value).sum().scalar
            let expected = meanSquaredError(y, prediction).scalar + penalty
            #expect(abs(history["loss"][0] - Double(expected)) < 1e-5)
            #expect(abs(history["mean_absolute_error"][0] - Double(meanAbsoluteError(y, prediction).scalar)) < 1e-6)
            let evaluated = try model.evaluate(x, y, batchSize: 3)
            #expect(abs(evaluated["loss"]! - Double(expected)) < 1e-5)
        }
    }

    @Test func sameSeedGivesBitIdenticalTraining() throws {
        func train() throws -> ([Tensor], [String: [Double]]) {
            try Random.withSeed(42) {
                let model = Sequential {
                    Dense(16, activation: .relu, inputShape: [4])
                    BatchNormalization()
                    Dropout(0.2)
                    Dense(3, activation: .softmax)
                }
                model.compile(optimizer: Nadam(), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
                let x = Tensor.randomNormal([64, 4]), y = Tensor(labels: (0..<64).map { $0 % 3 })
                let history = try model.fit(x, y, batchSize: 10, epochs: 3, verbose: .silent, validationSplit: 0.2)
                return (model.getWeights(), history.history)
            }
        }
        let (w1, h1) = try train(), (w2, h2) = try train()
        #expect(w1 == w2)
        #expect(h1 == h2)
    }

    @Test func sampleAndClassWeights() throws {
        let x = Tensor.randomNormal([6, 2], seed: 7), y = Tensor(shape: [6, 1], scalars: [0, 1, 0, 1, 1, 0])
        let make = { () -> Sequential in
            Random.withSeed(8) {
                let model = Sequential([Dense(1, activation: .sigmoid, inputShape: [2])])
                model.compile(optimizer: SGD(learningRate: 0.5), loss: .binaryCrossentropy)
                return model
            }
        }
        let classWeighted = make()
        try classWeighted.fit(x, y, batchSize: 6, epochs: 2, verbose: .silent, shuffle: false, classWeight: [0: 1, 1: 3])
        let sampleWeighted = make()
        try sampleWeighted.fit(x, y, batchSize: 6, epochs: 2, verbose: .silent, shuffle: false,
                               sampleWeight: Tensor([1, 3, 1, 3, 3, 1]))
        #expect(classWeighted.getWeights() == sampleWeighted.getWeights())
        let unweighted = make()
        try unweighted.fit(x, y, batchSize: 6, epochs: 2, verbose: .silent, shuffle: false)
        #expect(classWeighted.getWeights() != unweighted.getWeights())
    }

    @Test func earlyStoppingEndsFitAndCallbacksSeeEveryMoment() throws {
        try Random.withSeed(9) {
            let x = Tensor.randomNormal([32, 2], seed: 1), y = Tensor.randomNormal([32, 1], seed: 2)
            let model = Sequential([Dense(1, inputShape: [2])])
            model.compile(optimizer: SGD(learningRate: 0), loss: .meanSquaredError)
            var events: [String] = []
            let spy = LambdaCallback(onTrainBegin: { _ in events.append("begin") }, onTrainEnd: { _ in events.append("end") },
                                     onEpochEnd: { epoch, _ in events.append("epoch \(epoch)") },
                                     onTrainBatchEnd: { _, _ in events.append("batch") })
            let history = try model.fit(x, y, batchSize: 16, epochs: 50, verbose: .silent, callbacks: [EarlyStopping(monitor: "loss", patience: 2), spy])
            #expect(history.epochs == [0, 1, 2], "a constant loss stops after patience epochs")
            #expect(events == ["begin", "batch", "batch", "epoch 0", "batch", "batch", "epoch 1", "batch", "batch", "epoch 2", "end"])
        }
    }

    @Test func badInputThrowsClearErrors() throws {
        let model = Sequential([Flatten(inputShape: [2, 2]), Dense(3, activation: .softmax)])
        let x = Tensor.zeros([5, 2, 2]), labels = Tensor(labels: [0, 1, 2, 0, 1])
        #expect(throws: StrataError.self, "not compiled") { try model.fit(x, labels, verbose: .silent) }
        model.compile(optimizer: Adam(), loss: .sparseCategoricalCrossentropy)
        #expect(throws: StrataError.self, "count mismatch") { try model.fit(x, Tensor(labels: [0, 1]), verbose: .silent) }
        #expect(throws: StrataError.self, "label out of range") { try model.fit(x, Tensor(labels: [0, 1, 3, 0, 1]), verbose: .silent) }
        #expect(throws: StrataError.self, "batch size") { try model.fit(x, labels, batchSize: 0, verbose: .silent) }
        #expect(throws: StrataError.self, "split") { try model.fit(x, labels, verbose: .silent, validationSplit: 1) }
        #expect(throws: StrataError.self, "empty") { try model.fit(Tensor.zeros([0, 2, 2]), Tensor.zeros([0]), verbose: .silent) }
        var bad = x
        bad[3, 1, 1] = .nan
        do {
            try model.fit(bad, labels, verbose: .silent)
            Issue.record("NaN input accepted")
        } catch let error as StrataError {
            #expect(error.description.contains("sample 3"), "\(error)")
        }
        do {
            try model.fit(Tensor.zeros([5, 4]), labels, verbose: .silent)
            Issue.record("wrong input shape accepted")
        } catch let error as StrataError {
            #expect(error.description.contains("[2, 2]"), "\(error)")
        }
        // A metric that cannot read these targets is reported before training, not as a crash.
        let auc = Sequential([Flatten(inputShape: [2, 2]), Dense(3, activation: .softmax)])
        auc.compile(optimizer: Adam(), loss: .sparseCategoricalCrossentropy, metrics: [.auc()])
        do {
            try auc.fit(x, labels, verbose: .silent)
            Issue.record("auc on integer labels accepted")
        } catch let error as StrataError {
            #expect(error.description.contains("auc"), "\(error)")
        }
        let flat = Sequential([Dense(3, inputShape: [4])])
        flat.compile(optimizer: SGD(), loss: .meanSquaredError)
        do {
            _ = try flat.evaluate(Tensor.zeros([2, 2, 2]), Tensor.zeros([2, 3]))
            Issue.record("image input to a flat model accepted")
        } catch let error as StrataError {
            #expect(error.description.contains("Flatten"), "\(error)")
        }
    }

    @Test func articleModelSummaryMatchesKeras() throws {
        let model = ArticleModels.fashionMLP()
        let text = try model.summaryText()
        #expect(text.contains("(None, 784)") && text.contains("235,500") && text.contains("(None, 10)"))
        #expect(text.contains("Total params: 271,346 (1.04 MB)"))
        #expect(text.contains("Trainable params: 268,978"))
        #expect(text.contains("Non-trainable params: 2,368"))
    }

    @Test func subclassedModelTrainsWithFit() throws {
        final class Residual: Model {
            let inner = Dense(8, activation: .relu)
            let skip = Dense(8)
            let head = Dense(1)
            override func call(_ x: Tensor, training: Bool) -> Tensor {
                head(inner(x, training: training) + skip(x, training: training), training: training)
            }
        }
        try Random.withSeed(10) {
            let model = Residual()
            let x = Tensor.randomNormal([64, 3]), y = (x * Tensor([1, -2, 0.5])).sum(axes: [1], keepDims: true)
            model.compile(optimizer: Adam(learningRate: 0.02), loss: .meanSquaredError)
            let history = try model.fit(x, y, batchSize: 16, epochs: 60, verbose: .silent)
            #expect(model.layers.count == 3 && model.trainableVariables.count == 6)
            #expect(history["loss"].last! < 0.05 * history["loss"].first!)
            let logs = try model.trainOnBatch(x.slice(0..<8), y.slice(0..<8))
            #expect(logs["loss"]!.isFinite)
            #expect(try model.predictOnBatch(x.slice(0..<5)).shape == [5, 1])
            #expect(try model.testOnBatch(x, y)["loss"]! < history["loss"].first!)
        }
    }
}
