/// The running values `fit` and `evaluate` log (Keras' loss tracker, `CompileLoss`'s per-output
/// trackers and `CompileMetrics`): the total loss; with several outputs each output's
/// unweighted loss as `<output>_loss`; each output's metrics, prefixed with the output's name
/// when there are several (`dense_1_accuracy`). Losses are weighted by the batch size, so an
/// epoch's values are means over its samples.
struct EpochTrackers {
    let loss = MeanMetric.mean(name: "loss")
    private let outputLosses: [MeanMetric]
    /// Each output's metrics with their log keys.
    private let metrics: [[(key: String, metric: any Metric)]]

    init(outputs: [CompiledOutput], targetShapes: [[Int]], predictionShapes: [[Int]]) {
        outputLosses = outputs.count > 1 ? outputs.map { MeanMetric.mean(name: $0.logPrefix + "loss") } : []
        metrics = outputs.indices.map { index in
            outputs[index].metrics.map { spec in
                let metric = spec.make(targetShape: targetShapes[index], predictionShape: predictionShapes[index])
                return (outputs[index].logPrefix + metric.name, metric)
            }
        }
    }

    /// Every tracker, for the reduction across replicas.
    var all: [any Metric] { [loss] + outputLosses + metrics.flatMap { $0.map(\.metric) } }

    func reset() { all.forEach { $0.reset() } }

    /// The totals of the trackers that have them (every built-in one), for a backup written in
    /// the middle of an epoch.
    var state: [Double] {
        get { all.compactMap { $0 as? any ReducibleMetric }.flatMap(\.reducibleState) }
        nonmutating set {
            var rest = newValue[...]
            for metric in all.compactMap({ $0 as? any ReducibleMetric }) {
                let count = metric.reducibleState.count
                metric.reducibleState = Array(rest.prefix(count))
                rest = rest.dropFirst(count)
            }
        }
    }

    /// Adds a batch of `rows` samples: its total loss, its per-output losses and its predictions.
    func update(total: Float, perOutput: [Tensor], y: [Tensor], predictions: [Tensor], sampleWeight: Tensor?, rows: Int) {
        loss.add(total, weight: Float(rows))
        for (tracker, value) in zip(outputLosses, perOutput) { tracker.add(value.scalar, weight: Float(rows)) }
        for (index, outputMetrics) in metrics.enumerated() {
            for entry in outputMetrics { entry.metric.update(y[index], predictions[index], sampleWeight: sampleWeight) }
        }
    }

    /// The current values by log key.
    var logs: Logs {
        var logs: Logs = [:]
        for tracker in [loss] + outputLosses { logs[tracker.name] = tracker.result }
        for entry in metrics.joined() { logs[entry.key] = entry.metric.result }
        return logs
    }
}
