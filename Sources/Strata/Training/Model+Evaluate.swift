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
    public func evaluate(_ x: some ModelData, _ y: some ModelData, batchSize: Int = 32,
                         sampleWeight: Tensor? = nil, callbacks: [Callback] = [],
                         dataParallel: DataParallel? = nil) throws -> Logs {
        try evaluate(x, y, batchSize: batchSize, sampleWeight: sampleWeight, callbacks: callbacks,
                     strategy: dataParallel ?? SingleProcess())
    }

    /// `evaluate` with this process's share of the samples under `strategy`.
    func evaluate(_ x: some ModelData, _ y: some ModelData, batchSize: Int = 32, sampleWeight: Tensor? = nil,
                  callbacks: [Callback], strategy: any DistributionStrategy) throws -> Logs {
        let (_, outputs) = try compiled(for: "evaluate")
        guard batchSize >= 1 else {
            throw StrataError.invalidArgument("batchSize is \(batchSize)", context: "evaluate", expected: "≥ 1")
        }
        let (x, y, outputShapes) = try TrainingData.prepare(self, x: x.modelDataParts, y: y.modelDataParts, sampleWeight: sampleWeight,
                                                            outputs: outputs, operation: "evaluate")
        let callbacks = CallbackList(callbacks, model: self, replacing: false)
        let trackers = EpochTrackers(outputs: outputs, targetShapes: y.map(\.shape), predictionShapes: outputShapes.map { [batchSize] + $0 })
        try callbacks.testBegin()
        let share = strategy.rows(start: 0, count: x[0].count)
        for (batch, start) in stride(from: share.lowerBound, to: share.upperBound, by: batchSize).enumerated() {
            let range = start..<Swift.min(share.upperBound, start + batchSize)
            try callbacks.testBatchBegin(batch)
            let xb = x.map { $0.slice(range).tensor }, yb = y.map { $0.slice(range) }
            let wb = sampleWeight.map { $0.reshaped(to: [-1]).slice(range) }
            test(xb, yb, sampleWeight: wb, outputs: outputs, trackers: trackers)
            try callbacks.testBatchEnd(batch, trackers.logs)
        }
        strategy.reduce(trackers.all)
        let logs = trackers.logs
        try callbacks.testEnd(logs)
        return logs
    }

    /// The loss and metrics on the batches of a `Dataset`, in inference mode (Keras' `evaluate`
    /// on a `PyDataset`); each batch is checked as arrays are.
    ///
    /// - Parameters:
    ///   - dataset: the batches (targets required).
    ///   - callbacks: called at each test batch's begin and end.
    ///   - dataParallel: evaluate as one of several replicas, each on its share of every batch's rows.
    public func evaluate(_ dataset: any Dataset, callbacks: [Callback] = [], dataParallel: DataParallel? = nil) throws -> Logs {
        try evaluate(dataset, callbacks: callbacks, strategy: dataParallel ?? SingleProcess())
    }

    func evaluate(_ dataset: any Dataset, callbacks: [Callback], strategy: any DistributionStrategy) throws -> Logs {
        let (_, outputs) = try compiled(for: "evaluate")
        let callbacks = CallbackList(callbacks, model: self, replacing: false)
        var trackers: EpochTrackers?
        try callbacks.testBegin()
        for index in 0..<dataset.batchCount {
            try callbacks.testBatchBegin(index)
            let batch = try DatasetSource.checked(dataset, index, model: self, outputs: outputs, operation: "evaluate")
            let share = Array(strategy.rows(start: 0, count: batch.x[0].count))
            let current = trackers ?? EpochTrackers(outputs: outputs, targetShapes: batch.y.map(\.shape),
                                                    predictionShapes: batch.outputShapes.map { [batch.x[0].count] + $0 })
            trackers = current
            if !share.isEmpty {
                test(batch.x.map { $0.gather(share) }, batch.y.map { $0.gathering(rows: share) },
                     sampleWeight: batch.weights?.reshaped(to: [-1]).gathering(rows: share), outputs: outputs, trackers: current)
            }
            try callbacks.testBatchEnd(index, current.logs)
        }
        guard let trackers else {
            throw StrataError.invalidArgument("the dataset has no batches", context: "evaluate", expected: "at least one batch")
        }
        strategy.reduce(trackers.all)
        let logs = trackers.logs
        try callbacks.testEnd(logs)
        return logs
    }

    /// One test batch into `trackers`.
    private func test(_ x: [Tensor], _ y: [Tensor], sampleWeight: Tensor?, outputs: [CompiledOutput], trackers: EpochTrackers) {
        let predictions = forward(x, training: false)
        let objective = objective(outputs, y, predictions, sampleWeight: sampleWeight)
        trackers.update(total: objective.total.scalar, perOutput: objective.perOutput, y: y, predictions: predictions,
                        sampleWeight: sampleWeight, rows: x[0].shape[0])
    }

    /// The model's outputs for `x`, computed in inference mode in batches (Keras' `predict`), for
    /// a model with one output (`predictOutputs` gives every output of a functional model).
    ///
    /// - Parameters:
    ///   - x: the inputs (a list or dictionary by name for several inputs).
    ///   - batchSize: samples per forward pass (default 32).
    ///   - callbacks: called at predict's begin and end.
    public func predict(_ x: some ModelData, batchSize: Int = 32, callbacks: [Callback] = []) throws -> Tensor {
        guard outputNames.count == 1 else {
            throw StrataError.invalidArgument("model '\(name)' has \(outputNames.count) outputs", context: "predict",
                                              expected: "predictOutputs(_:) for a model with several outputs")
        }
        return try predictOutputs(x, batchSize: batchSize, callbacks: callbacks)[0]
    }

    /// Every output of the model for `x`, in output order, computed in inference mode in
    /// batches (Keras' `predict` on a multi-output model).
    ///
    ///     let outputs = try model.predictOutputs([images, metadata])   // [labels, aux]
    public func predictOutputs(_ x: some ModelData, batchSize: Int = 32, callbacks: [Callback] = []) throws -> [Tensor] {
        guard batchSize >= 1 else {
            throw StrataError.invalidArgument("batchSize is \(batchSize)", context: "predict", expected: "≥ 1")
        }
        let x = try x.modelDataParts.ordered(by: inputNames, role: "x", operation: "predict")
        try TrainingData.validate(x, nil, sampleWeight: nil, operation: "predict")
        try build(inputShapes: x.map(\.sampleShape))
        try validate(inputs: x, operation: "predict")
        let callbacks = CallbackList(callbacks, model: self, replacing: false)
        try callbacks.predictBegin()
        let samples = x[0].count
        let batches = stride(from: 0, to: samples, by: batchSize).map { start in
            forward(x.map { $0.slice(start..<Swift.min(samples, start + batchSize)).tensor }, training: false)
        }
        try callbacks.predictEnd()
        return batches[0].indices.map { output in
            batches.count == 1 ? batches[0][output] : Tensor.concatenate(batches.map { $0[output] }, axis: 0)
        }
    }

    /// Every output of the model for the batches of a `Dataset`, in batch order, in inference
    /// mode (Keras' `predict` on a `PyDataset`; targets in the batches are ignored).
    ///
    ///     let probabilities = try model.predictOutputs(testSet)[0]
    public func predictOutputs(_ dataset: any Dataset, callbacks: [Callback] = []) throws -> [Tensor] {
        let callbacks = CallbackList(callbacks, model: self, replacing: false)
        try callbacks.predictBegin()
        let batches = try (0..<dataset.batchCount).map { index -> [Tensor] in
            let operation = "predict, batch \(index) of the dataset"
            let x = try dataset.batch(index).x.ordered(by: inputNames, role: "x", operation: operation)
            try TrainingData.validate(x, nil, sampleWeight: nil, operation: operation)
            try build(inputShapes: x.map(\.sampleShape))
            try validate(inputs: x, operation: operation)
            return forward(x.map(\.tensor), training: false)
        }
        try callbacks.predictEnd()
        guard let first = batches.first else {
            throw StrataError.invalidArgument("the dataset has no batches", context: "predict", expected: "at least one batch")
        }
        return first.indices.map { output in batches.count == 1 ? first[output] : Tensor.concatenate(batches.map { $0[output] }, axis: 0) }
    }

    /// The model's output for the batches of a `Dataset` (one output; see `predictOutputs`).
    public func predict(_ dataset: any Dataset, callbacks: [Callback] = []) throws -> Tensor {
        guard outputNames.count == 1 else {
            throw StrataError.invalidArgument("model '\(name)' has \(outputNames.count) outputs", context: "predict",
                                              expected: "predictOutputs(_:) for a model with several outputs")
        }
        return try predictOutputs(dataset, callbacks: callbacks)[0]
    }

    /// Loss and metrics of one batch in inference mode (Keras' `test_on_batch`).
    public func testOnBatch(_ x: some ModelData, _ y: some ModelData, sampleWeight: Tensor? = nil) throws -> Logs {
        try evaluate(x, y, batchSize: Swift.max(1, x.modelDataParts.samples.first?.count ?? 1), sampleWeight: sampleWeight)
    }

    /// Outputs for one batch in inference mode (Keras' `predict_on_batch`).
    public func predictOnBatch(_ x: some ModelData) throws -> Tensor {
        try predict(x, batchSize: Swift.max(1, x.modelDataParts.samples.first?.count ?? 1))
    }
}
