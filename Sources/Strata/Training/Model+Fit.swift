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
    ///   - x: the inputs, `[samples] + inputShape` (a `Tensor`, `Samples` or nested arrays); for
    ///     several inputs, a list in input order or a dictionary by input name.
    ///   - y: the targets, one per sample (class indices for the sparse losses); for several
    ///     outputs, a list in output order or a dictionary by output name.
    ///   - batchSize: samples per gradient step (default 32).
    ///   - epochs: the epoch to stop before (default 1): training runs epochs `initialEpoch..<epochs`.
    ///   - verbose: the progress output (default `.progressBar`).
    ///   - callbacks: called at each stage of training (early stopping, checkpoints, …).
    ///   - validationSplit: the fraction of the samples, taken from the end, held out to
    ///     validate on after each epoch (default 0: none).
    ///   - validationData: samples to validate on instead of a split.
    ///   - shuffle: shuffle the training samples each epoch (default true).
    ///   - classWeight: per-class factors multiplied into the sample weights (one output only).
    ///   - sampleWeight: per-sample factors of the loss and metrics (`[n]`), of every output.
    ///   - initialEpoch: the epoch to start from (for resuming); `epochs` is the last epoch + 1.
    ///     A loaded model (`Sequential.load(from:)`) or a restored `BackupAndRestore` continues
    ///     after its saved epoch, with its history and random stream, whichever is later.
    ///   - stepsPerEpoch: batches per epoch (default: all).
    ///   - dataParallel: train as one of several replicas (see `DataParallel`); `batchSize` is
    ///     then each replica's share of the global batch, and each replica validates its own
    ///     share of the validation data (the results are summed).
    @discardableResult
    public func fit(
        _ x: some ModelData, _ y: some ModelData, batchSize: Int = 32, epochs: Int = 1, verbose: Verbosity = .progressBar,
        callbacks: [Callback] = [], validationSplit: Float = 0,
        validationData: (x: any ModelData, y: any ModelData)? = nil,
        shuffle: Bool = true, classWeight: [Int: Float]? = nil, sampleWeight: Tensor? = nil,
        initialEpoch: Int = 0, stepsPerEpoch: Int? = nil, dataParallel: DataParallel? = nil
    ) throws -> History {
        let (optimizer, outputs) = try compiled(for: "fit")
        let data = try FitInputs(model: self, x: x.modelDataParts, y: y.modelDataParts, outputs: outputs, batchSize: batchSize,
                                 epochs: epochs, initialEpoch: initialEpoch, stepsPerEpoch: stepsPerEpoch, sampleWeight: sampleWeight,
                                 classWeight: classWeight, validationSplit: validationSplit, validationData: validationData)
        let strategy: any DistributionStrategy = dataParallel ?? SingleProcess()
        let batches = EpochBatches(samples: data.trainCount, batchSize: batchSize, stepsPerEpoch: stepsPerEpoch,
                                   shuffle: shuffle, strategy: strategy)
        let validate = data.validation.map { validation in
            { (callbacks: [Callback]) throws -> Logs in
                try self.evaluate(validation.x, validation.y, batchSize: batchSize, callbacks: callbacks, strategy: strategy)
            }
        }
        return try train(ArraySource(data: data, batches: batches, batchSize: batchSize), optimizer: optimizer, outputs: outputs,
                         epochs: epochs, initialEpoch: initialEpoch, verbose: verbose, callbacks: callbacks, validate: validate,
                         strategy: strategy)
    }

    /// Trains on the batches of a `Dataset` (Keras' `fit` on a `PyDataset`): each epoch visits
    /// its batches — in a seeded random order with `shuffle` (the default, as Keras) — calling
    /// `onEpochBegin` and `onEpochEnd` around them; each batch is checked as arrays are, the
    /// error naming the batch. With the dataset's `workers` 1 the next batch is read while one trains.
    /// Resumes, callbacks, data parallelism (every replica reads each batch and trains on its
    /// share of the rows) and the augmentation layers' per-sample draws work as with arrays.
    ///
    ///     try model.fit(FileDataset.idx(images: "train-images-idx3-ubyte", labels: "train-labels-idx1-ubyte",
    ///                                   batchSize: 128), epochs: 10, validationData: testSet)
    ///
    /// - Parameters:
    ///   - dataset: the training batches.
    ///   - epochs: the epoch to stop before (default 1).
    ///   - verbose: the progress output (default `.progressBar`).
    ///   - callbacks: called at each stage of training.
    ///   - validationData: batches to validate on after each epoch.
    ///   - shuffle: visit the batches in a seeded random order each epoch (default true).
    ///   - initialEpoch: the epoch to start from (for resuming).
    ///   - stepsPerEpoch: batches per epoch (default: all).
    ///   - dataParallel: train as one of several replicas, each on its share of every batch's rows.
    @discardableResult
    public func fit(_ dataset: any Dataset, epochs: Int = 1, verbose: Verbosity = .progressBar, callbacks: [Callback] = [],
                    validationData: (any Dataset)? = nil, shuffle: Bool = true, initialEpoch: Int = 0, stepsPerEpoch: Int? = nil,
                    dataParallel: DataParallel? = nil) throws -> History {
        let (optimizer, outputs) = try compiled(for: "fit")
        guard epochs >= 0, initialEpoch >= 0, initialEpoch <= epochs else {
            throw StrataError.invalidArgument("initialEpoch \(initialEpoch) with epochs \(epochs)", context: "fit",
                                              expected: "0 ≤ initialEpoch ≤ epochs")
        }
        let strategy: any DistributionStrategy = dataParallel ?? SingleProcess()
        let source = try DatasetSource(dataset, model: self, outputs: outputs, shuffle: shuffle, stepsPerEpoch: stepsPerEpoch,
                                       strategy: strategy)
        let validate = validationData.map { validation in
            { (callbacks: [Callback]) throws -> Logs in try self.evaluate(validation, callbacks: callbacks, strategy: strategy) }
        }
        return try train(source, optimizer: optimizer, outputs: outputs, epochs: epochs, initialEpoch: initialEpoch, verbose: verbose,
                         callbacks: callbacks, validate: validate, strategy: strategy)
    }

    /// The training loop of both `fit`s: epochs of steps from `source`, with callbacks, resumes
    /// (after an epoch or inside one), validation after each epoch and the strategy's collectives.
    private func train<Source: FitSource>(_ source: Source, optimizer: Optimizer, outputs: [CompiledOutput], epochs: Int,
                                          initialEpoch: Int, verbose: Verbosity, callbacks: [Callback],
                                          validate: (([Callback]) throws -> Logs)?, strategy: any DistributionStrategy) throws -> History {
        let history = History()
        self.history = history
        // The progress line comes before the user's callbacks, so their announcements follow it.
        let progress = verbose == .silent ? [] : [ProgressBar(epochs: epochs, stepsPerEpoch: source.stepsPerEpoch,
                                                              inPlace: verbose == .progressBar && ProgressBar.standardOutputIsTerminal)]
        let callbacks = CallbackList([history] + progress + callbacks, model: self)
        let trackers = EpochTrackers(outputs: outputs, targetShapes: source.targetShapes, predictionShapes: source.predictionShapes)

        stopTraining = false
        outputVerbosity = verbose
        defer { outputVerbosity = .progressBar }
        try callbacks.trainBegin()
        let (firstEpoch, resumed) = try continueTrainingProgress(history, initialEpoch: initialEpoch, epochs: epochs, extent: source.extent)
        self.history = history   // a backup restored by a callback set the saved record; this one goes on
        strategy.broadcast(variables)   // the first process's weights (after any restore) for everyone
        for layer in layers.compactMap({ $0 as? RandomAugmentation }) { layer.streamSeed = strategy.agree(layer.streamSeed) }
        var epochLogs: Logs = [:]
        defer { epochInProgress = nil }
        for epoch in firstEpoch..<epochs {
            try callbacks.epochBegin(epoch)
            trackers.reset()
            // A run resumed in the middle of this epoch continues its order after the batches done.
            let position = resumed?.epoch == epoch ? resumed : nil
            if let position, strategy.isFirst { trackers.state = position.trackers }
            let seed = position?.shuffleSeed ?? source.nextSeed()
            let current = EpochInProgress(epoch: epoch, shuffleSeed: seed, extent: source.extent, strategy: strategy,
                                          nextBatch: position?.nextBatch ?? 0, trackers: trackers)
            epochInProgress = current
            let loader = StepLoader(source, steps: source.plan(epoch: epoch, seed: seed), from: current.nextBatch)
            defer { loader.finish() }
            while let (index, batch) = try loader.nextStep() {
                try callbacks.trainBatchBegin(index)
                let step = SamplePositions.$current.withValue(SamplePositions(epoch: epoch, keys: batch.keys)) {
                    trainStep(batch.x, batch.y, sampleWeight: batch.weights, optimizer: optimizer, outputs: outputs, strategy: strategy,
                              globalRows: batch.globalRows)
                }
                trackers.update(total: step.value, perOutput: step.perOutput, y: batch.y, predictions: step.predictions,
                                sampleWeight: batch.weights, rows: batch.keys.count)
                current.nextBatch = index + 1
                try callbacks.trainBatchEnd(index, trackers.logs)
                stopTraining = strategy.agree(stopTraining)
                if stopTraining { break }
            }
            loader.finish()
            epochInProgress = nil
            source.endEpoch(epoch)
            strategy.reduce(trackers.all)
            strategy.endEpoch(nonTrainable: nonTrainableVariables)
            epochLogs = trackers.logs
            if let validate {
                for (key, value) in try validate(callbacks.callbacks) { epochLogs["val_" + key] = value }
            }
            // Keras logs the rate only where a learning-rate callback adds it to the epoch's logs.
            if callbacks.logsLearningRate { epochLogs["learning_rate"] = Double(optimizer.currentLearningRate) }
            try callbacks.epochEnd(epoch, epochLogs)
            stopTraining = strategy.agree(stopTraining)
            if stopTraining { break }
        }
        try callbacks.trainEnd(epochLogs)
        progress.forEach { $0.printSparklines() }
        return history
    }

    /// The epoch `fit` starts at: `initialEpoch`, or the one after the epoch of the training
    /// progress the model carries (a loaded model's, a restored backup's), whose history and
    /// random stream then continue too — Keras' `initial_epoch` semantics; with the position
    /// inside an epoch where a backup between batches stopped (checked against this run's data
    /// and batch size). The progress is used once.
    private func continueTrainingProgress(_ history: History, initialEpoch: Int, epochs: Int,
                                          extent: (samples: Int, globalBatch: Int)) throws -> (epoch: Int, position: EpochPosition?) {
        guard let progress = trainingProgress else { return (initialEpoch, nil) }
        trainingProgress = nil
        if let record = progress.history { history.restore(history: record.values, epochs: record.epochs) }
        if let stream = progress.randomStream { Random.streamState = stream }
        if let position = progress.position, position.epoch >= initialEpoch, position.epoch < epochs {
            guard position.samples == extent.samples, position.globalBatch == extent.globalBatch else {
                throw StrataError.invalidArgument(
                    "the backup stopped inside epoch \(position.epoch + 1) of \(position.samples) training samples (or dataset batches) in global batches of \(position.globalBatch), but fit now has \(extent.samples) in batches of \(extent.globalBatch)",
                    context: "fit", expected: "the same training data and batch size to resume in the middle of an epoch")
            }
            return (position.epoch, position)
        }
        let next = Swift.max(initialEpoch, (progress.epoch ?? -1) + 1)
        if next >= epochs, outputVerbosity != .silent {
            StrataLog.training.warning("""
                the model has trained \(next) epochs already, so fit(epochs: \(epochs)) trains none \
                (pass epochs > \(next) to continue, or call resetTrainingProgress() to start over at epoch 0)
                """)
        }
        return (Swift.min(next, epochs), nil)
    }

    /// One optimizer step on a batch (Keras' `train_on_batch`); returns the loss and metrics of
    /// that batch.
    ///
    /// - Parameters:
    ///   - x: one batch per input (a `Tensor`, or a list or dictionary for several inputs).
    ///   - y: one batch of targets per output.
    ///   - sampleWeight: per-sample factors of the loss and metrics (`[n]`).
    @discardableResult
    public func trainOnBatch(_ x: some ModelData, _ y: some ModelData, sampleWeight: Tensor? = nil) throws -> Logs {
        let (optimizer, outputs) = try compiled(for: "trainOnBatch")
        let (xs, ys, _) = try TrainingData.prepare(self, x: x.modelDataParts, y: y.modelDataParts, sampleWeight: sampleWeight,
                                                   outputs: outputs, operation: "trainOnBatch")
        let xb = xs.map(\.tensor)
        let step = trainStep(xb, ys, sampleWeight: sampleWeight, optimizer: optimizer, outputs: outputs)
        let trackers = EpochTrackers(outputs: outputs, targetShapes: ys.map(\.shape), predictionShapes: step.predictions.map(\.shape))
        trackers.update(total: step.value, perOutput: step.perOutput, y: ys, predictions: step.predictions,
                        sampleWeight: sampleWeight, rows: xb[0].shape[0])
        return trackers.logs
    }

    /// Forward, backward and one optimizer update; the loss value, each output's unweighted loss
    /// and the predictions made. As one of several processes (`strategy`), the step is on this
    /// process's rows of a global batch of `globalRows`, with the global batch's gradient.
    func trainStep(_ x: [Tensor], _ y: [Tensor], sampleWeight: Tensor?, optimizer: Optimizer, outputs: [CompiledOutput],
                   strategy: any DistributionStrategy = SingleProcess(),
                   globalRows: Int? = nil) -> (value: Float, perOutput: [Tensor], predictions: [Tensor]) {
        let variables = trainableVariables
        var predictions: [Tensor] = [], perOutput: [Tensor] = []
        let rows = x[0].shape[0]
        let reduction = GradientReduction.forStep(of: optimizer, variables: variables)
        // Each variable is updated as soon as its gradient is final (the last layer's first),
        // where the optimizer can (no global clipping, no accumulation).
        let pass = optimizer.beginIncrementalUpdate()
        let (value, gradients) = withPolicy {   // the backward pass's products too
            strategy.valueWithGradients(of: variables, rows: rows, globalRows: globalRows ?? rows, reduction: reduction,
                                        whenReady: pass.map { pass in { optimizer.update(variables[$0], gradient: $1, in: pass) } }) {
                let tracked = forward(x, training: true)
                predictions = tracked.map(\.detached)   // keeps no tape alive: the updates run in place
                let objective = objective(outputs, y, tracked, sampleWeight: sampleWeight)
                perOutput = outputs.count > 1 ? objective.perOutput.map(\.detached) : []
                return objective.total
            }
        }
        if let pass {
            optimizer.end(pass)
        } else if case .sumWithAccumulated = reduction {
            optimizer.applyAccumulated(gradients, to: variables)   // the totals: this step's plus the accumulated
        } else {
            optimizer.apply(gradients, to: variables)
        }
        return (value, perOutput, predictions)
    }
}
