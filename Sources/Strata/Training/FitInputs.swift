/// What `fit` trains and validates on, every argument checked before training starts: the
/// samples, their targets and per-sample weights (sample weights × class weights), how many of
/// the first samples train, and the validation data — given, or the last samples held out by
/// `validationSplit` before any shuffling (Keras).
struct FitInputs {
    let x: Samples
    let y: Tensor
    /// Per-sample weights (`[n]`), when any were given.
    let weights: Tensor?
    /// The first `trainCount` samples train.
    let trainCount: Int
    let validation: (x: Samples, y: Tensor)?
    /// The model's per-sample output shape.
    let outputShape: [Int]

    init(model: Model, x: Samples, y: Tensor, loss: Loss, batchSize: Int, epochs: Int, initialEpoch: Int, stepsPerEpoch: Int?,
         sampleWeight: Tensor?, classWeight: [Int: Float]?, validationSplit: Float,
         validationData: (x: any SampleConvertible, y: any SampleConvertible)?) throws {
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
        try model.build(inputShape: x.sampleShape)
        outputShape = try model.outputShape(for: x.sampleShape)
        try TrainingData.validateTargets(y, outputShape: outputShape, loss: loss, operation: "fit")
        for metric in model.metrics {
            try metric.validate(targetShape: y.shape, predictionShape: [x.count] + outputShape, context: "fit")
        }

        var weights = sampleWeight
        if let classWeight {
            let perClass = try TrainingData.classWeights(classWeight, y: y)
            weights = weights.map { $0.reshaped(to: [-1]) * perClass } ?? perClass
        }
        let samples = x.count
        trainCount = trainingSampleCount(of: samples, validationSplit: validationSplit)
        // Keras refuses a split that leaves either part empty (when it splits: without validationData).
        guard trainCount > 0, trainCount < samples || validationSplit == 0 || validationData != nil else {
            throw StrataError.invalidArgument(
                "\(samples) samples are not sufficient to split into a training and a validation part with validationSplit "
                + "\(validationSplit) (\(trainCount) would train)", context: "fit", expected: "more data or a different validationSplit")
        }
        var validation = validationData.map { (x: $0.x.samples, y: $0.y.samples.tensor) }
        if validation == nil, trainCount < samples {
            validation = (x.slice(trainCount..<samples), y.slice(trainCount..<samples))
        }
        if let validation {
            try TrainingData.validate(validation.x, validation.y.samples, sampleWeight: nil, operation: "fit (validation data)")
            try TrainingData.validateTargets(validation.y, outputShape: outputShape, loss: loss, operation: "fit (validation data)")
        }
        (self.x, self.y, self.weights, self.validation) = (x, y, weights.map { $0.reshaped(to: [-1]) }, validation)
    }

    /// The inputs, targets and weights of `rows`.
    func batch(_ rows: [Int]) -> (x: Tensor, y: Tensor, weights: Tensor?) {
        (x.gather(rows), y.gathering(rows: rows), weights?.gathering(rows: rows))
    }
}
