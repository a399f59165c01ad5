extension Model {
    /// The loss and metrics on `(x, y)`, computed in inference mode in batches (Keras'
    /// `evaluate`). The loss includes regularization penalties, as in training.
    ///
    /// - Parameters:
    ///   - x: the inputs, `[samples] + inputShape`.
    ///   - y: the targets, one per sample.
    ///   - batchSize: samples per forward pass (default 32); the last batch may be smaller.
    ///   - sampleWeight: per-sample factors of the loss and metrics (`[n]`); default none.
    ///   - callbacks: called at each test batch's begin and end (`onTestBegin`…).
    ///   - dataParallel: evaluate as one of several replicas holding the same model:
    ///     each replica computes its own contiguous share of the samples and the loss and metric
    ///     totals are summed, so that every replica returns the result on all of `(x, y)` (custom
    ///     metrics not built from `MeanMetric` stay per replica). Default nil: alone.
    ///
    ///     let result = try model.evaluate(testImages, testLabels)   // ["loss": …, "accuracy": …]
    public func evaluate(_ x: some SampleConvertible, _ y: some SampleConvertible, batchSize: Int = 32,
                         sampleWeight: Tensor? = nil, callbacks: [Callback] = [],
                         dataParallel: DataParallel? = nil) throws -> Logs {
        try evaluate(x, y, batchSize: batchSize, sampleWeight: sampleWeight, callbacks: callbacks,
                     strategy: dataParallel ?? SingleProcess())
    }

    /// `evaluate` with this process's share of the samples under `strategy`.
    func evaluate(_ x: some SampleConvertible, _ y: some SampleConvertible, batchSize: Int = 32, sampleWeight: Tensor? = nil,
                  callbacks: [Callback], strategy: any DistributionStrategy) throws -> Logs {
        let (x, y) = (x.samples, y.samples.tensor)
        let (_, loss) = try compiled(for: "evaluate")
        try TrainingData.validate(x, y.samples, sampleWeight: sampleWeight, operation: "evaluate")
        guard batchSize >= 1 else {
            throw StrataError.invalidArgument("batchSize is \(batchSize)", context: "evaluate", expected: "≥ 1")
        }
        try build(inputShape: x.sampleShape)
        let outputShape = try self.outputShape(for: x.sampleShape)
        try TrainingData.validateTargets(y, outputShape: outputShape, loss: loss, operation: "evaluate")
        for metric in self.metrics {
            try metric.validate(targetShape: y.shape, predictionShape: [x.count] + outputShape, context: "evaluate")
        }
        let callbacks = CallbackList(callbacks, model: self, replacing: false)
        let lossTracker = MeanMetric.mean(name: "loss")
        let metrics = self.metrics.map { $0.make(targetShape: y.shape, predictionShape: [batchSize] + outputShape) }
        try callbacks.testBegin()
        let share = strategy.rows(start: 0, count: x.count)
        for (batch, start) in stride(from: share.lowerBound, to: share.upperBound, by: batchSize).enumerated() {
            let range = start..<Swift.min(share.upperBound, start + batchSize)
            try callbacks.testBatchBegin(batch)
            let xb = x.slice(range).tensor, yb = y.slice(range)
            let wb = sampleWeight.map { $0.reshaped(to: [-1]).slice(range) }
            let prediction = self(xb, training: false)
            let value = objective(loss, yb, prediction, sampleWeight: wb).scalar
            lossTracker.add(value, weight: Float(range.count))
            metrics.forEach { $0.update(yb, prediction, sampleWeight: wb) }
            try callbacks.testBatchEnd(batch, Model.logs(loss: lossTracker, metrics: metrics))
        }
        strategy.reduce([lossTracker] + metrics)
        let logs = Model.logs(loss: lossTracker, metrics: metrics)
        try callbacks.testEnd(logs)
        return logs
    }

    /// The model's outputs for `x`, computed in inference mode in batches (Keras' `predict`).
    public func predict(_ x: some SampleConvertible, batchSize: Int = 32, callbacks: [Callback] = []) throws -> Tensor {
        let x = x.samples
        try TrainingData.validate(x, nil, sampleWeight: nil, operation: "predict")
        guard batchSize >= 1 else {
            throw StrataError.invalidArgument("batchSize is \(batchSize)", context: "predict", expected: "≥ 1")
        }
        try build(inputShape: x.sampleShape)
        let callbacks = CallbackList(callbacks, model: self, replacing: false)
        try callbacks.predictBegin()
        let samples = x.count
        let outputs = stride(from: 0, to: samples, by: batchSize).map { start in
            self(x.slice(start..<Swift.min(samples, start + batchSize)).tensor, training: false)
        }
        try callbacks.predictEnd()
        return outputs.count == 1 ? outputs[0] : Tensor.concatenate(outputs, axis: 0)
    }

    /// Loss and metrics of one batch in inference mode (Keras' `test_on_batch`).
    public func testOnBatch(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil) throws -> Logs {
        try evaluate(x, y, batchSize: Swift.max(1, x.rank > 0 ? x.shape[0] : 1), sampleWeight: sampleWeight)
    }

    /// Outputs for one batch in inference mode (Keras' `predict_on_batch`).
    public func predictOnBatch(_ x: Tensor) throws -> Tensor {
        try predict(x, batchSize: Swift.max(1, x.rank > 0 ? x.shape[0] : 1))
    }
}
