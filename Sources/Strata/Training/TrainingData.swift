/// Checks of `fit`/`evaluate` inputs, each failing with a `StrataError` that says what is wrong
/// and where — before any training starts.
enum TrainingData {
    /// The inputs (and targets) of `operation`, in the model's input (and output) order, each
    /// checked — counts, finiteness, the model built for the inputs' shapes, targets that fit
    /// each output's loss and metrics — with the model's per-sample output shapes.
    static func prepare(_ model: Model, x: ModelDataParts, y: ModelDataParts?, sampleWeight: Tensor?,
                        outputs: [CompiledOutput], operation: String) throws -> (x: [Samples], y: [Tensor], outputShapes: [[Int]]) {
        let xs = try x.ordered(by: model.inputNames, role: "x", operation: operation)
        let ys = try y.map { try $0.ordered(by: outputs.map(\.name), role: "y", operation: operation) }
        try validate(xs, ys, sampleWeight: sampleWeight, operation: operation)
        let outputShapes = try model.outputShapes(for: xs.map(\.sampleShape))
        try model.validate(inputs: xs, operation: operation)
        let targets = ys?.map(\.tensor) ?? []
        for (index, target) in targets.enumerated() {
            let output = outputs[index]
            let context = outputs.count == 1 ? operation : "\(operation), output '\(output.name)'"
            try validateTargets(target, outputShape: outputShapes[index], loss: output.loss, operation: context)
            for metric in output.metrics {
                try metric.validate(targetShape: target.shape, predictionShape: [target.shape[0]] + outputShapes[index], context: context)
            }
        }
        return (xs, targets, outputShapes)
    }

    static func validate(_ xs: [Samples], _ ys: [Samples]?, sampleWeight: Tensor?, operation: String) throws {
        let count = xs[0].count
        for (index, x) in xs.enumerated() {
            let name = xs.count == 1 ? "x" : "x[\(index)]"
            guard x.count > 0 else {
                throw StrataError.invalidArgument("\(name) is empty (shape \(x.shape))", context: operation, expected: "at least one sample")
            }
            guard x.count == count else {
                throw StrataError.shapeMismatch("x[0] has \(count) samples but \(name) has \(x.count)", context: operation,
                                                expected: "the same number of samples in every input")
            }
            if let floats = x.floats { try requireFinite(floats, name, operation) }
        }
        for (index, y) in (ys ?? []).enumerated() {
            let name = ys!.count == 1 ? "y" : "y[\(index)]"
            guard y.count == count else {
                throw StrataError.shapeMismatch("x has \(count) samples but \(name) has \(y.count)",
                                                context: operation, expected: "the same number of samples")
            }
            if let floats = y.floats { try requireFinite(floats, name, operation) }
        }
        if let sampleWeight {
            guard sampleWeight.count == count else {
                throw StrataError.shapeMismatch("sampleWeight has \(sampleWeight.count) values for \(count) samples",
                                                context: operation, expected: "one weight per sample")
            }
            try requireFinite(sampleWeight, "sampleWeight", operation)
        }
    }

    static func requireFinite(_ t: Tensor, _ name: String, _ operation: String) throws {
        let index = t.withUnsafeBufferPointer { $0.firstIndex { !$0.isFinite } }
        if let index {
            let row = t.rank > 0 && t.count > 0 ? index / (t.count / t.shape[0]) : 0
            throw StrataError.invalidArgument("\(name) holds \(t.scalars[index]) at sample \(row)", context: operation,
                                              expected: "finite numbers (no NaN or infinity)")
        }
    }

    /// Targets must fit the model's output and the loss: integer labels in range for sparse
    /// cross-entropy, one-hot rows of the output's width for categorical cross-entropy.
    static func validateTargets(_ y: Tensor, outputShape: [Int], loss: Loss, operation: String) throws {
        let units = outputShape.last ?? 1
        switch loss.kind {
        case .sparseCategoricalCrossentropy:
            let labelsPerSample = y.count / Swift.max(y.shape[0], 1)
            guard labelsPerSample == outputShape.dropLast().reduce(1, *) else {
                throw StrataError.shapeMismatch("y has shape \(y.shape) but the model outputs \(outputShape) per sample",
                                                context: operation, expected: "one integer label per sample")
            }
            let bad = y.withUnsafeBufferPointer { $0.firstIndex { $0 < 0 || $0 >= Float(units) || $0 != $0.rounded() } }
            if let bad {
                throw StrataError.invalidArgument("label \(y.scalars[bad]) at sample \(bad / labelsPerSample) is out of range for \(units) output units",
                                                  context: operation, expected: "integers in 0..<\(units)")
            }
        case .categoricalCrossentropy:
            guard Array(y.shape.dropFirst()) == outputShape else {
                throw StrataError.shapeMismatch("y has shape \(y.shape) but the model outputs \(outputShape) per sample",
                                                context: operation,
                                                expected: "one-hot rows of width \(units), or loss .sparseCategoricalCrossentropy for integer labels")
            }
        default:
            let perSample = y.count / Swift.max(y.shape[0], 1)
            guard perSample == outputShape.reduce(1, *) else {
                throw StrataError.shapeMismatch("y has shape \(y.shape) but the model outputs \(outputShape) per sample",
                                                context: operation, expected: "targets shaped like the output")
            }
        }
    }

    /// Per-sample weights from Keras' `class_weight`: the weight of each sample's class (its
    /// integer label, the argmax of a one-hot row, or a rounded binary target).
    static func classWeights(_ classWeight: [Int: Float], y: Tensor) throws -> Tensor {
        let samples = y.shape[0]
        let classes: [Int] = y.count == samples
            ? y.scalars.map { Int($0.rounded()) }
            : y.argmax(axis: -1).reshaped(to: [samples, -1]).slice(axis: 1, 0..<1).scalars.map { Int($0) }
        return Tensor(try classes.enumerated().map { sample, label in
            guard let weight = classWeight[label] else {
                throw StrataError.invalidArgument("classWeight has no entry for class \(label) (sample \(sample))",
                                                  context: "fit", expected: "a weight for every class in y")
            }
            return weight
        })
    }

}

extension Tensor {
    /// Labels as a `[n]` tensor of class numbers.
    public init(labels: [Int]) { self.init(labels.map(Float.init)) }

    /// Rows of equal length as a `[rows, columns]` tensor.
    ///
    /// - Precondition: all rows have the same length.
    public init(rows: [[Float]]) {
        let width = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == width }, "Tensor(rows:): rows of different lengths")
        self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 })
    }

    /// Bytes (e.g. image pixels) as floats multiplied by `scale` (1/255 maps pixels to [0, 1]).
    public init(bytes: [UInt8], shape: [Int], scale: Float = 1) {
        self.init(shape: shape, scalars: bytes.map { Float($0) * scale })
    }
}
