/// A compile option given once for every output, as a list in output order, or by output name
/// (Keras' `loss`, `loss_weights` and `metrics` structures).
enum PerOutput<Value> {
    case one(Value)
    case list([Value])
    case named([String: Value])

    /// Every value given.
    var all: [Value] {
        switch self {
        case .one(let value): [value]
        case .list(let values): values
        case .named(let values): values.keys.sorted().map { values[$0]! }
        }
    }
}

/// What `compile` was given for the outputs.
struct CompileSpec {
    var losses: PerOutput<Loss>
    var lossWeights: PerOutput<Float>?
    /// `.one` holds a flat list of metrics (Keras: all for a single output; one per output when
    /// the list has as many as there are outputs).
    var metrics: PerOutput<[Metrics]>
    /// The mixed-precision policy (nil: float32 throughout).
    var mixedPrecision: MixedPrecision? = nil
}

/// One output's part of the objective and the logs, resolved from the `CompileSpec` when
/// training starts: Keras' `CompileLoss`/`CompileMetrics`.
struct CompiledOutput {
    /// The output's name (its layer's, or the dictionary key it was given by).
    let name: String
    let loss: Loss
    /// The factor of the loss in the total (Keras: none given multiplies by nothing).
    let weight: Float?
    let metrics: [Metrics]
    /// The prefix of this output's log keys: none for a single-output model, `"<name>_"`
    /// otherwise (`dense_1_loss`, `dense_1_accuracy`).
    let logPrefix: String
}

extension Model {
    /// Configures training: the optimizer, the loss and the metrics to report.
    ///
    ///     model.compile(optimizer: Adam(learningRate: 1e-3), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
    ///
    /// - Parameters:
    ///   - optimizer: how the weights are updated from their gradients.
    ///   - loss: what training minimizes; with several outputs, each output's loss (Keras).
    ///   - metrics: values reported per epoch beside the loss (default none). With several
    ///     outputs Keras' rule holds: a list with one metric per output, each for its output
    ///     (use the `[[Metrics]]` or `[String: [Metrics]]` overload for several per output).
    ///   - lossWeights: a factor per output scaling its loss in the total (default none).
    ///   - mixedPrecision: bfloat16 matrix products with float32 everything else
    ///     (`MixedPrecision.bfloat16`, Keras `mixed_bfloat16`); default nil: float32 throughout.
    public func compile(optimizer: Optimizer, loss: Loss, metrics: [Metrics] = [], lossWeights: [Float]? = nil,
                        mixedPrecision: MixedPrecision? = nil) {
        setCompiled(optimizer: optimizer, CompileSpec(losses: .one(loss), lossWeights: lossWeights.map { .list($0) },
                                                      metrics: .one(metrics), mixedPrecision: mixedPrecision))
    }

    /// Configures training of a model with several outputs, with one loss (and list of metrics)
    /// per output, in output order. The total loss is `Σ wᵢ · lossᵢ + penalties`.
    ///
    ///     model.compile(optimizer: Adam(), loss: [.sparseCategoricalCrossentropy, .meanSquaredError],
    ///                   metrics: [[.accuracy], []], lossWeights: [1, 0.2])
    ///
    /// - Parameters:
    ///   - optimizer: how the weights are updated from their gradients.
    ///   - loss: each output's loss, in output order.
    ///   - metrics: each output's metrics, in output order (default none).
    ///   - lossWeights: a factor per output scaling its loss in the total (default none).
    ///   - mixedPrecision: bfloat16 matrix products (`MixedPrecision.bfloat16`); default nil: float32.
    public func compile(optimizer: Optimizer, loss: [Loss], metrics: [[Metrics]] = [], lossWeights: [Float]? = nil,
                        mixedPrecision: MixedPrecision? = nil) {
        setCompiled(optimizer: optimizer, CompileSpec(losses: .list(loss), lossWeights: lossWeights.map { .list($0) },
                                                      metrics: metrics.isEmpty ? .one([]) : .list(metrics),
                                                      mixedPrecision: mixedPrecision))
    }

    /// Configures training of a model with several outputs by output name (each output's layer
    /// name, or its key in `Model(inputs:outputs:)`'s dictionary).
    ///
    ///     model.compile(optimizer: Adam(), loss: ["label": .sparseCategoricalCrossentropy, "aux": .meanSquaredError],
    ///                   metrics: ["label": [.accuracy]], lossWeights: ["label": 1, "aux": 0.2])
    ///
    /// - Parameters:
    ///   - optimizer: how the weights are updated from their gradients.
    ///   - loss: each output's loss by output name.
    ///   - metrics: each output's metrics by output name (default none).
    ///   - lossWeights: a factor per output name scaling its loss in the total (default none).
    ///   - mixedPrecision: bfloat16 matrix products (`MixedPrecision.bfloat16`); default nil: float32.
    public func compile(optimizer: Optimizer, loss: [String: Loss], metrics: [String: [Metrics]] = [:],
                        lossWeights: [String: Float]? = nil, mixedPrecision: MixedPrecision? = nil) {
        setCompiled(optimizer: optimizer, CompileSpec(losses: .named(loss), lossWeights: lossWeights.map { .named($0) },
                                                      metrics: .named(metrics), mixedPrecision: mixedPrecision))
    }

    /// The names the model's outputs are known by: a functional model's output layers (or the
    /// keys it was built with); for other models, the last layer's name.
    public var outputNames: [String] { graphNames?.outputs ?? [layers.last?.name ?? name] }

    /// The names of the model's inputs: a functional model's `Input`s (or the keys it was built
    /// with); for other models, one input named after the first layer.
    public var inputNames: [String] { graphNames?.inputs ?? [layers.first?.name ?? name] }

    /// The optimizer and each output's loss, weight and metrics, or an error saying what does
    /// not match the outputs (or to call `compile`).
    func compiled(for operation: String) throws -> (Optimizer, [CompiledOutput]) {
        guard let optimizer, let spec = compileSpec else {
            throw StrataError.invalidArgument("the model is not compiled", context: "\(operation) on model '\(name)'",
                                              expected: "model.compile(optimizer:loss:) before \(operation)")
        }
        let names = outputNames
        let context = "compile of model '\(name)' (\(names.count) output\(names.count == 1 ? "" : "s"): \(names.joined(separator: ", ")))"
        func resolve<Value>(_ option: PerOutput<Value>, _ what: String, missing: Value?) throws -> [Value] {
            switch option {
            case .one(let value): return Array(repeating: value, count: names.count)
            case .list(let values):
                guard values.count == names.count else {
                    throw StrataError.invalidArgument("\(what) has \(values.count) entries", context: context,
                                                      expected: "one per output (\(names.count))")
                }
                return values
            case .named(let values):
                if let unknown = values.keys.sorted().first(where: { !names.contains($0) }) {
                    throw StrataError.invalidArgument("\(what) names '\(unknown)', which is not an output", context: context,
                                                      expected: "output names among \(names.joined(separator: ", "))")
                }
                return try names.map { name in
                    guard let value = values[name] ?? missing else {
                        throw StrataError.invalidArgument("\(what) has no entry for output '\(name)'", context: context,
                                                          expected: "an entry for every output")
                    }
                    return value
                }
            }
        }
        let losses = try resolve(spec.losses, "loss", missing: nil)
        let weights: [Float?] = try spec.lossWeights.map { try resolve($0, "lossWeights", missing: nil) } ?? names.map { _ in nil }
        let metrics: [[Metrics]]
        if case .one(let flat) = spec.metrics, names.count > 1 {
            // Keras' CompileMetrics: a flat list for several outputs must have one metric per output.
            guard flat.isEmpty || flat.count == names.count else {
                throw StrataError.invalidArgument("metrics is a flat list of \(flat.count) for \(names.count) outputs", context: context,
                                                  expected: "one metric per output, or metrics: [[…], […]] / [\"output\": […]]")
            }
            metrics = flat.isEmpty ? names.map { _ in [] } : flat.map { [$0] }
        } else if case .one(let flat) = spec.metrics {
            metrics = [flat]
        } else {
            metrics = try resolve(spec.metrics, "metrics", missing: [])
        }
        return (optimizer, names.indices.map { index in
            CompiledOutput(name: names[index], loss: losses[index], weight: weights[index], metrics: metrics[index],
                           logPrefix: names.count == 1 ? "" : names[index] + "_")
        })
    }

    /// The training objective, Keras' `CompileLoss` plus the penalties:
    /// `Σ wᵢ · lossᵢ(yᵢ, ŷᵢ; sample weights) + Σ regularization penalties`. Returns the total and
    /// each output's unweighted loss (what `<output>_loss` logs).
    func objective(_ outputs: [CompiledOutput], _ y: [Tensor], _ predictions: [Tensor],
                   sampleWeight: Tensor?) -> (total: Tensor, perOutput: [Tensor]) {
        let values = outputs.indices.map { outputs[$0].loss(y[$0], predictions[$0], sampleWeight: sampleWeight) }
        let weighted = zip(values, outputs).map { value, output in
            output.weight.map { $0 == 1 ? value : value * $0 } ?? value
        }
        return (weighted.dropFirst().reduce(weighted[0], +) + regularizationLoss, values)
    }
}
