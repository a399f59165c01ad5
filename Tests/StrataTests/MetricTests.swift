import StrataTestSupport
import Testing
@testable import Strata

@Suite("Metrics")
struct MetricTests {
    @Test func accuracyVariantsByHand() {
        let binary = Metrics.binaryAccuracy().make(targetShape: [4, 1], predictionShape: [4, 1])
        binary.update(Tensor(shape: [4, 1], scalars: [1, 0, 1, 0]), Tensor(shape: [4, 1], scalars: [0.9, 0.6, 0.4, 0.1]))
        #expect(binary.result == 0.5)

        let probabilities = Tensor(shape: [3, 3], scalars: [0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0.2, 0.3, 0.5])
        let sparse = Metrics.sparseCategoricalAccuracy.make(targetShape: [3], predictionShape: [3, 3])
        sparse.update(Tensor([1, 1, 2]), probabilities)
        #expect(abs(sparse.result - 2.0 / 3) < 1e-6)
        let categorical = Metrics.categoricalAccuracy.make(targetShape: [3, 3], predictionShape: [3, 3])
        categorical.update(Tensor.oneHot(Tensor([1, 1, 2]), depth: 3), probabilities)
        #expect(categorical.result == sparse.result)
        let top2 = Metrics.topKCategoricalAccuracy(k: 2).make(targetShape: [3, 3], predictionShape: [3, 3])
        top2.update(Tensor.oneHot(Tensor([0, 1, 0]), depth: 3), probabilities)
        // Targets 0, 1, 0: third in row 0, second in row 1, third in row 2.
        #expect(abs(top2.result - 1.0 / 3) < 1e-6)
    }

    @Test func accuracyResolvesLikeKeras() {
        let p = Tensor(shape: [2, 2], scalars: [0.8, 0.2, 0.3, 0.7])
        let sparse = Metrics.accuracy.make(targetShape: [2], predictionShape: [2, 2])
        sparse.update(Tensor([0, 0]), p)
        #expect(sparse.result == 0.5 && sparse.name == "accuracy")
        let categorical = Metrics.accuracy.make(targetShape: [2, 2], predictionShape: [2, 2])
        categorical.update(Tensor(shape: [2, 2], scalars: [1, 0, 0, 1]), p)
        #expect(categorical.result == 1)
        let binary = Metrics.accuracy.make(targetShape: [2, 1], predictionShape: [2, 1])
        binary.update(Tensor(shape: [2, 1], scalars: [1, 1]), Tensor(shape: [2, 1], scalars: [0.8, 0.2]))
        #expect(binary.result == 0.5)
    }

    @Test func precisionRecallAndAUC() {
        let y = Tensor(shape: [6, 1], scalars: [1, 1, 1, 0, 0, 0])
        let p = Tensor(shape: [6, 1], scalars: [0.9, 0.6, 0.3, 0.7, 0.2, 0.1])
        let precision = Metrics.precision().make(targetShape: [6, 1], predictionShape: [6, 1])
        let recall = Metrics.recall().make(targetShape: [6, 1], predictionShape: [6, 1])
        let auc = Metrics.auc().make(targetShape: [6, 1], predictionShape: [6, 1])
        for metric in [precision, recall, auc] { metric.update(y, p) }
        #expect(abs(precision.result - 2.0 / 3) < 1e-6)
        #expect(abs(recall.result - 2.0 / 3) < 1e-6)
        // Exact ROC AUC = P(score⁺ > score⁻) = 7/9 (0.9 beats 3 negatives, 0.6 and 0.3 beat 2
        // each); 200 thresholds resolve these scores exactly.
        #expect(abs(auc.result - 7.0 / 9) < 1e-6)
        let perfect = Metrics.auc().make(targetShape: [4, 1], predictionShape: [4, 1])
        perfect.update(Tensor(shape: [4, 1], scalars: [0, 0, 1, 1]), Tensor(shape: [4, 1], scalars: [0.1, 0.2, 0.8, 0.9]))
        #expect(abs(perfect.result - 1) < 1e-6)
    }

    /// Updating batch by batch gives the value on the concatenated data, for every metric.
    @Test(arguments: [Metrics.binaryAccuracy(), .precision(), .recall(), .auc(), .meanSquaredError, .meanAbsoluteError])
    func stateAcrossUpdatesEqualsConcatenatedData(spec: Metrics) {
        let y = Tensor.bernoulli([50, 1], probability: 0.4, seed: 1)
        let p = Tensor.randomUniform([50, 1], seed: 2)
        let whole = spec.make(targetShape: [50, 1], predictionShape: [50, 1])
        whole.update(y, p)
        let batched = spec.make(targetShape: [50, 1], predictionShape: [50, 1])
        for start in stride(from: 0, to: 50, by: 16) {
            let range = start..<min(start + 16, 50)
            batched.update(y.slice(range), p.slice(range))
        }
        #expect(abs(batched.result - whole.result) < 1e-6, "\(spec.name)")
        batched.reset()
        #expect(batched.result == 0)
    }

    @Test func sampleWeightedMean() {
        let metric = MeanMetric.mean(name: "loss")
        metric.update(Tensor([0]), Tensor([1, 3]), sampleWeight: Tensor([1, 3]))
        metric.update(Tensor([0]), Tensor([5]))
        #expect(metric.result == 3)      // (1·1 + 3·3 + 5) / (1 + 3 + 1)
        let categoricalSparse = Metrics.sparseCategoricalAccuracy.make(targetShape: [3], predictionShape: [3, 2])
        categoricalSparse.update(Tensor([0, 1, 1]), Tensor(shape: [3, 2], scalars: [0.9, 0.1, 0.8, 0.2, 0.3, 0.7]),
                                 sampleWeight: Tensor([1, 2, 1]))
        #expect(categoricalSparse.result == 0.5)
    }
}

extension Metrics: CustomTestStringConvertible {
    public var testDescription: String { name }
}
