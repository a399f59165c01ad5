/// Metrics built on confusion counts at thresholds (Keras' `Precision`, `Recall`, `AUC`):
/// a prediction above a threshold counts as positive; counts are weighted and exact over the
/// epoch.
final class ConfusionMetric: Metric {
    enum Result { case precision, recall, rocAUC }

    let name: String
    private let thresholds: [Float]
    private let resultKind: Result
    private var truePositives: [Double], falsePositives: [Double], trueNegatives: [Double], falseNegatives: [Double]

    init(name: String, thresholds: [Float], result: Result) {
        self.name = name
        self.thresholds = thresholds
        self.resultKind = result
        truePositives = Array(repeating: 0, count: thresholds.count)
        falsePositives = truePositives
        trueNegatives = truePositives
        falseNegatives = truePositives
    }

    /// Keras' AUC thresholds: −ε, then (i + 1)/(n − 1) for i < n − 2, then 1 + ε.
    static func aucThresholds(_ count: Int) -> [Float] {
        precondition(count > 1, "auc: needs more than 1 threshold, got \(count)")
        let inner = (0..<(count - 2)).map { Float($0 + 1) / Float(count - 1) }
        return [-LossFunctions.epsilon] + inner + [1 + LossFunctions.epsilon]
    }

    func update(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor?) {
        let (y, p) = LossFunctions.matchRank(yTrue.detached, yPred.detached)
        let labels = y.scalars, scores = p.scalars
        let perSample = labels.count / Swift.max(sampleWeight?.count ?? labels.count, 1)
        let weights = sampleWeight?.scalars
        for (index, (label, score)) in zip(labels, scores).enumerated() {
            let w = Double(weights.map { $0[index / perSample] } ?? 1)
            let positive = label > 0.5
            for (t, threshold) in thresholds.enumerated() {
                switch (score > threshold, positive) {
                case (true, true): truePositives[t] += w
                case (true, false): falsePositives[t] += w
                case (false, true): falseNegatives[t] += w
                case (false, false): trueNegatives[t] += w
                }
            }
        }
    }

    var result: Double {
        switch resultKind {
        case .precision:
            let denominator = truePositives[0] + falsePositives[0]
            return denominator == 0 ? 0 : truePositives[0] / denominator
        case .recall:
            let denominator = truePositives[0] + falseNegatives[0]
            return denominator == 0 ? 0 : truePositives[0] / denominator
        case .rocAUC:
            // Trapezoids between consecutive thresholds of (FPR, TPR), as Keras' interpolation.
            let tpr = thresholds.indices.map { i in
                truePositives[i] + falseNegatives[i] == 0 ? 0 : truePositives[i] / (truePositives[i] + falseNegatives[i])
            }
            let fpr = thresholds.indices.map { i in
                falsePositives[i] + trueNegatives[i] == 0 ? 0 : falsePositives[i] / (falsePositives[i] + trueNegatives[i])
            }
            var area = 0.0
            for i in 0..<(thresholds.count - 1) {
                area += (fpr[i] - fpr[i + 1]) * (tpr[i] + tpr[i + 1]) / 2
            }
            return area
        }
    }

    func reset() {
        for i in thresholds.indices {
            truePositives[i] = 0
            falsePositives[i] = 0
            trueNegatives[i] = 0
            falseNegatives[i] = 0
        }
    }
}

extension ConfusionMetric: ReducibleMetric {
    var reducibleState: [Double] {
        get { truePositives + falsePositives + trueNegatives + falseNegatives }
        set {
            let n = thresholds.count
            truePositives = Array(newValue[0..<n])
            falsePositives = Array(newValue[n..<(2 * n)])
            trueNegatives = Array(newValue[(2 * n)..<(3 * n)])
            falseNegatives = Array(newValue[(3 * n)..<(4 * n)])
        }
    }
}
