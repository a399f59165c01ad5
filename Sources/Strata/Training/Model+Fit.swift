import Foundation

extension Model {
    /// How much `fit` prints (Keras' `verbose` 0, 1, 2).
    public enum Verbosity: Sendable {
        /// Nothing (0).
        case silent
        /// A bar redrawn in place on a terminal; one line per epoch when output is not a terminal (1).
        case progressBar
        /// One line per epoch (2).
        case oneLinePerEpoch
    }

    /// Trains the model (Keras' `fit`) and returns the per-epoch `History`.
    ///
    ///     let history = try model.fit(x, y, batchSize: 500, epochs: 2000, validationSplit: 0.2,
    ///                                 callbacks: [EarlyStopping(monitor: "val_loss", patience: 100)])
    ///
    /// Keras semantics: `validationSplit` holds out the *last* fraction of the samples before any
    /// shuffling; each epoch is shuffled with the seeded global stream (`Random.seed`); the last
    /// partial batch is kept; the reported `loss` and metrics are the means over the epoch's
    /// samples and the loss includes regularization penalties; validation runs in inference mode.
    /// Everything is validated first: a mistake throws a `StrataError` before training starts.
    ///
    /// - Parameters:
    ///   - classWeight: per-class factors multiplied into the sample weights.
    ///   - sampleWeight: per-sample factors of the loss and metrics (`[n]`).
    ///   - initialEpoch: the epoch to start from (for resuming); `epochs` is the last epoch + 1.
    ///   - stepsPerEpoch: batches per epoch (default: all).
    ///   - dataParallel: train as one of several replicas (see `DataParallel`); `batchSize` is
    ///     then each replica's share of the global batch, and each replica validates its own
    ///     share of the validation data (the results are summed).
    @discardableResult
    public func fit(
        _ x: some SampleConvertible, _ y: some SampleConvertible, batchSize: Int = 32, epochs: Int = 1, verbose: Verbosity = .progressBar,
        callbacks: [Callback] = [], validationSplit: Float = 0,
        validationData: (x: any SampleConvertible, y: any SampleConvertible)? = nil,
        shuffle: Bool = true, classWeight: [Int: Float]? = nil, sampleWeight: Tensor? = nil,
        initialEpoch: Int = 0, stepsPerEpoch: Int? = nil, dataParallel: DataParallel? = nil
    ) throws -> History {
        let (x, y) = (x.samples, y.samples.tensor)
        let (optimizer, loss) = try compiled(for: "fit")
        try TrainingData.validate(x, y.samples, sampleWeight: sampleWeight, operation: "fit")
        guard batchSize >= 1 else {
            throw StrataError.invalidArgument("batchSize is \(batchSize)", context: "fit", expected: "≥ 1")
        }
        guard validationSplit >= 0, validationSplit < 1 else {
            throw StrataError.invalidArgument("validationSplit is \(validationSplit)", context: "fit", expected: "a fraction in [0, 1)")
        }
        guard epochs >= 0, initialEpoch >= 0, initialEpoch <= epochs else {
            throw StrataError.invalidArgument("initialEpoch \(initialEpoch) with epochs \(epochs)", context: "fit",
                                              expected: "0 ≤ initialEpoch ≤ epochs")
        }
        if let stepsPerEpoch, stepsPerEpoch < 1 {
            throw StrataError.invalidArgument("stepsPerEpoch is \(stepsPerEpoch)", context: "fit", expected: "≥ 1")
        }
        try build(inputShape: x.sampleShape)
        let outputShape = try self.outputShape(for: x.sampleShape)
        try TrainingData.validateTargets(y, outputShape: outputShape, loss: loss, operation: "fit")

        var weights = sampleWeight
        if let classWeight {
            let perClass = try TrainingData.classWeights(classWeight, y: y)
            weights = weights.map { $0.reshaped(to: [-1]) * perClass } ?? perClass
        }

        // Keras: the validation split is the last fraction, taken before shuffling.
        let samples = x.count
        // Keras: ceil(n · (1 − split)), with the split as the decimal the user wrote.
        let split = Double("\(validationSplit)")!
        let trainCount = validationSplit > 0 ? Int((Double(samples) * (1 - split)).rounded(.up)) : samples
        var validation = validationData.map { (x: $0.x.samples, y: $0.y.samples.tensor) }
        if validation == nil, trainCount < samples {
            validation = (x.slice(trainCount..<samples), y.slice(trainCount..<samples))
        }
        guard trainCount > 0 else {
            throw StrataError.invalidArgument("validationSplit \(validationSplit) leaves no training samples of \(samples)",
                                              context: "fit", expected: "a smaller split or more data")
        }
        if let validation {
            try TrainingData.validate(validation.x, validation.y.samples, sampleWeight: nil, operation: "fit (validation data)")
            try TrainingData.validateTargets(validation.y, outputShape: outputShape, loss: loss, operation: "fit (validation data)")
        }

        // The progress line comes before the user's callbacks, so their announcements follow it.
        let history = History()
        self.history = history
        var all: [Callback] = [history]
        let globalBatch = batchSize * (dataParallel?.group.size ?? 1)
        let steps = Swift.min((trainCount + globalBatch - 1) / globalBatch, stepsPerEpoch ?? .max)
        if verbose != .silent {
            all.append(ProgressBar(epochs: epochs, stepsPerEpoch: steps,
                                   inPlace: verbose == .progressBar && ProgressBar.standardOutputIsTerminal))
        }
        all += callbacks
        for callback in all { callback.model = self }
        for metric in self.metrics {
            try metric.validate(targetShape: y.shape, predictionShape: [samples] + outputShape, context: "fit")
        }
        let metrics = self.metrics.map { $0.make(targetShape: y.shape, predictionShape: [batchSize] + outputShape) }
        let lossTracker = MeanMetric.mean(name: "loss")

        stopTraining = false
        resumeEpoch = nil
        outputVerbosity = verbose
        defer { outputVerbosity = .progressBar }
        // Keras logs the rate only where a learning-rate callback adds it to the epoch's logs.
        let logsLearningRate = all.contains { $0.logsLearningRate }
        try all.forEach { try $0.onTrainBegin(logs: [:]) }
        // Replica 0's weights (after any restore in onTrainBegin) for everyone.
        dataParallel?.broadcast(variables)
        var epochLogs: Logs = [:]
        let firstEpoch = Swift.min(Swift.max(initialEpoch, resumeEpoch ?? 0), epochs)
        for epoch in firstEpoch..<epochs {
            try all.forEach { try $0.onEpochBegin(epoch, logs: [:]) }
            lossTracker.reset()
            metrics.forEach { $0.reset() }
            // Every replica draws the same order: replica 0's seed.
            let seed = Random.nextSeed()
            let order = shuffle ? Random.permutation(trainCount, seed: dataParallel?.agree(seed) ?? seed) : Array(0..<trainCount)
            let batches = (trainCount + globalBatch - 1) / globalBatch
            for batch in 0..<Swift.min(batches, stepsPerEpoch ?? batches) {
                let start = batch * globalBatch, count = Swift.min(trainCount - start, globalBatch)
                // A last global batch too small to give every replica a row ends the epoch.
                if let dataParallel, count < dataParallel.group.size { break }
                let rows = Array(order[dataParallel?.rows(start: start, count: count) ?? start..<(start + count)])
                try all.forEach { try $0.onTrainBatchBegin(batch, logs: [:]) }
                let xb = x.gather(rows), yb = y.gathering(rows: rows)
                let wb = weights.map { $0.reshaped(to: [-1]).gathering(rows: rows) }
                let (value, prediction) = trainStep(xb, yb, sampleWeight: wb, optimizer: optimizer, loss: loss,
                                                    dataParallel: dataParallel, globalRows: count)
                lossTracker.add(value, weight: Float(rows.count))
                metrics.forEach { $0.update(yb, prediction, sampleWeight: wb) }
                let logs = Model.logs(loss: lossTracker, metrics: metrics)
                try all.forEach { try $0.onTrainBatchEnd(batch, logs: logs) }
                if let dataParallel { stopTraining = dataParallel.agree(stopTraining) }
                if stopTraining { break }
            }
            if let dataParallel {
                dataParallel.reduce([lossTracker] + metrics)
                if !dataParallel.syncBatchNorm { dataParallel.average(nonTrainableVariables) }
            }
            epochLogs = Model.logs(loss: lossTracker, metrics: metrics)
            if let validation {
                let results = try evaluate(validation.x, validation.y, batchSize: batchSize, callbacks: all,
                                           dataParallel: dataParallel)
                for (key, value) in results { epochLogs["val_" + key] = value }
            }
            if logsLearningRate { epochLogs["learning_rate"] = Double(optimizer.currentLearningRate) }
            completedEpoch = epoch
            try all.forEach { try $0.onEpochEnd(epoch, logs: epochLogs) }
            if let dataParallel { stopTraining = dataParallel.agree(stopTraining) }
            if stopTraining { break }
        }
        try all.forEach { try $0.onTrainEnd(logs: epochLogs) }
        return history
    }

    /// One optimizer step on a batch (Keras' `train_on_batch`); returns the loss and metrics of
    /// that batch.
    @discardableResult
    public func trainOnBatch(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil) throws -> Logs {
        let (optimizer, loss) = try compiled(for: "trainOnBatch")
        try TrainingData.validate(x.samples, y.samples, sampleWeight: sampleWeight, operation: "trainOnBatch")
        try build(inputShape: Array(x.shape.dropFirst()))
        try TrainingData.validateTargets(y, outputShape: try outputShape(for: Array(x.shape.dropFirst())), loss: loss,
                                         operation: "trainOnBatch")
        let outputShape = [x.shape[0]] + (try self.outputShape(for: Array(x.shape.dropFirst())))
        for metric in self.metrics { try metric.validate(targetShape: y.shape, predictionShape: outputShape, context: "trainOnBatch") }
        let (value, prediction) = trainStep(x, y, sampleWeight: sampleWeight, optimizer: optimizer, loss: loss)
        let metrics = self.metrics.map { $0.make(targetShape: y.shape, predictionShape: prediction.shape) }
        metrics.forEach { $0.update(y, prediction, sampleWeight: sampleWeight) }
        var logs = Model.logs(loss: nil, metrics: metrics)
        logs["loss"] = Double(value)
        return logs
    }

    /// Forward, backward and one optimizer update; the loss value and the predictions made.
    ///
    /// As a replica (`dataParallel`) of a global batch of `globalRows` rows, the objective is
    /// scaled by this replica's share of the rows before the backward pass, and the gradients are
    /// summed over the replicas: Σᵣ (nᵣ/N)·∇Lᵣ is the gradient of the global batch's mean loss —
    /// also through synchronized batch-norm statistics, whose backward sums the scaled terms.
    func trainStep(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor?, optimizer: Optimizer, loss: Loss,
                   dataParallel: DataParallel? = nil, globalRows: Int = 0) -> (Float, Tensor) {
        let variables = trainableVariables
        var prediction = Tensor(0)
        let share = dataParallel.map { _ in Float(x.shape[0]) / Float(globalRows) } ?? 1
        let syncGroup = dataParallel?.syncBatchNorm == true ? dataParallel?.group : nil
        // As a replica, each bucket of gradients starts its all-reduce as soon as it is complete.
        let buckets = dataParallel?.buckets(for: variables.map(\.shape))
        var (value, gradients) = valueWithGradients(of: variables, whenReady: buckets.map { buckets in buckets.add }) {
            let tracked = syncGroup.map { group in ReplicaContext.$batchStatistics.withValue(group) { self(x, training: true) } }
                ?? self(x, training: true)
            prediction = tracked.detached   // keeps no tape alive: the update below runs in place
            let value = objective(loss, y, tracked, sampleWeight: sampleWeight)
            return share == 1 ? value : value * share
        }
        if let buckets { gradients = buckets.finish() }
        optimizer.apply(gradients, to: variables)
        return (value.scalar / share, prediction)
    }

    /// `loss` and each metric's current value.
    static func logs(loss: MeanMetric?, metrics: [any Metric]) -> Logs {
        var logs: Logs = [:]
        if let loss { logs["loss"] = loss.result }
        for metric in metrics { logs[metric.name] = metric.result }
        return logs
    }
}
