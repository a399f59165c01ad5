/// What `fit` trains and validates on, every argument checked before training starts: the
/// samples of each input, the targets of each output and per-sample weights (sample weights ×
/// class weights), how many of the first samples train, and the validation data — given, or the
/// last samples held out by `validationSplit` before any shuffling (Keras).
struct FitInputs {
    let x: [Samples]
    let y: [Tensor]
    /// Per-sample weights (`[n]`), when any were given.
    let weights: Tensor?
    /// The first `trainCount` samples train.
    let trainCount: Int
    let validation: (x: [Samples], y: [Tensor])?
    /// The model's per-sample output shapes.
    let outputShapes: [[Int]]

    init(model: Model, x: ModelDataParts, y: ModelDataParts, outputs: [CompiledOutput], batchSize: Int, epochs: Int, initialEpoch: Int,
         stepsPerEpoch: Int?, sampleWeight: Tensor?, classWeight: [Int: Float]?, validationSplit: Float,
         validationData: (x: any ModelData, y: any ModelData)?) throws {
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
        let (x, y, outputShapes) = try TrainingData.prepare(model, x: x, y: y, sampleWeight: sampleWeight, outputs: outputs,
                                                            operation: "fit")
        self.outputShapes = outputShapes

        var weights = sampleWeight
        if let classWeight {
            guard y.count == 1 else {
                throw StrataError.invalidArgument("classWeight is given for a model with \(y.count) outputs", context: "fit",
                                                  expected: "classWeight only with a single output (Keras), or sampleWeight")
            }
            let perClass = try TrainingData.classWeights(classWeight, y: y[0])
            weights = weights.map { $0.reshaped(to: [-1]) * perClass } ?? perClass
        }
        let samples = x[0].count
        let trainCount = trainingSampleCount(of: samples, validationSplit: validationSplit)
        self.trainCount = trainCount
        // Keras refuses a split that leaves either part empty (when it splits: without validationData).
        guard trainCount > 0, trainCount < samples || validationSplit == 0 || validationData != nil else {
            throw StrataError.invalidArgument(
                "\(samples) samples are not sufficient to split into a training and a validation part with validationSplit "
                + "\(validationSplit) (\(trainCount) would train)", context: "fit", expected: "more data or a different validationSplit")
        }
        var validation: (x: [Samples], y: [Tensor])?
        if let validationData {
            let checked = try TrainingData.prepare(model, x: validationData.x.modelDataParts, y: validationData.y.modelDataParts,
                                                   sampleWeight: nil, outputs: outputs, operation: "fit (validation data)")
            validation = (checked.x, checked.y)
        } else if trainCount < samples {
            validation = (x.map { $0.slice(trainCount..<samples) }, y.map { $0.slice(trainCount..<samples) })
        }
        (self.x, self.y, self.weights, self.validation) = (x, y, weights.map { $0.reshaped(to: [-1]) }, validation)
    }

    /// The inputs, targets and weights of `rows`.
    func batch(_ rows: [Int]) -> (x: [Tensor], y: [Tensor], weights: Tensor?) {
        (x.map { $0.gather(rows) }, y.map { $0.gathering(rows: rows) }, weights?.gathering(rows: rows))
    }
}
