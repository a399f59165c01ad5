import Foundation

/// Records, per layer, what the article's claims are about — gradient norms (vanishing
/// gradients), update-to-weight ratios, output statistics (self-normalization), dead and
/// saturated units — on a fixed probe batch: at initialization, every `every` optimizer steps
/// and at each epoch's end.
///
///     let diagnostics = Diagnostics(probe: xProbe, labels: yProbe, every: 200)
///     try model.fit(x, y, epochs: 5, callbacks: [diagnostics])
///     try diagnostics.table.writeCSV(to: "diagnostics.csv")
///     try diagnostics.table.gradientNormChart().write(to: "gradients.svg")
///
/// A probe runs one forward and backward pass on the probe batch in training mode — batch
/// normalization uses the batch's statistics and dropout drops, as in training — and takes the
/// output statistics from that same pass. It changes nothing: the moving statistics, the noise
/// layers' counters and the global random stream are as they were. Its cost is about one
/// training step on the probe batch plus a copy of the kernels at each step probe.
public final class Diagnostics: Callback {
    /// The probe batch and its targets.
    public let probe: Tensor, labels: Tensor
    /// Optimizer steps between probes during training (nil: none).
    public let every: Int?
    /// Whether to probe after each epoch.
    public let atEpochEnd: Bool
    /// Every snapshot taken so far.
    public private(set) var table = DiagnosticsTable()

    private var step = 0
    private var epoch = 0
    private var kernelsBefore: [Tensor?]?   // per layer of `model.layers`

    /// Creates the callback.
    /// - Parameters:
    ///   - probe: a fixed batch of inputs (e.g. 256 validation samples).
    ///   - labels: their targets, in the form the compiled loss expects.
    ///   - every: optimizer steps between probes (default 200; nil: only at initialization and epoch ends).
    ///   - atEpochEnd: whether to probe after each epoch (default true).
    public init(probe: some SampleConvertible, labels: some SampleConvertible, every: Int? = 200, atEpochEnd: Bool = true) {
        precondition(every.map { $0 >= 1 } ?? true, "Diagnostics: every must be at least 1")
        self.probe = probe.samples.tensor
        self.labels = labels.samples.tensor
        self.every = every
        self.atEpochEnd = atEpochEnd
    }

    public override func onTrainBegin(logs: Logs) throws {
        step = model?.optimizer?.iterations ?? 0
        try record(.initialization, updateRatios: nil)
    }

    public override func onEpochBegin(_ epoch: Int, logs: Logs) throws { self.epoch = epoch }

    public override func onTrainBatchBegin(_ batch: Int, logs: Logs) throws {
        guard let every, (step + 1) % every == 0, let model else { return }
        kernelsBefore = model.layers.map { $0.trainableVariables.first?.value }
    }

    public override func onTrainBatchEnd(_ batch: Int, logs: Logs) throws {
        step += 1
        guard let before = kernelsBefore, let model else { return }
        kernelsBefore = nil
        var ratios: [ObjectIdentifier: Float] = [:]
        for (layer, old) in zip(model.layers, before) {
            guard let old, let new = layer.trainableVariables.first?.value else { continue }
            let norm = Self.norm(old)
            if norm > 0 { ratios[ObjectIdentifier(layer)] = Self.norm(new - old) / norm }
        }
        try record(.step(step, epoch: epoch), updateRatios: ratios)
    }

    public override func onEpochEnd(_ epoch: Int, logs: Logs) throws {
        if atEpochEnd { try record(.epochEnd(epoch), updateRatios: nil) }
    }

    private func record(_ moment: ProbeMoment, updateRatios: [ObjectIdentifier: Float]?) throws {
        guard let model, model is Sequential || model.graph?.inputs.count == 1 && model.graph?.outputs.count == 1 else {
            throw StrataError.invalidArgument("the model is a \(type(of: model as Any))", context: "Diagnostics",
                                              expected: "a Sequential or a functional model with one input and one output")
        }
        table.rows += try Self.probe(model, probe, labels, moment: moment, step: step, updateRatios: updateRatios)
    }

    /// Probes `model` (a `Sequential`, or a functional model with one input and one output) once
    /// on `x` with targets `y` (the model must be compiled and built) and returns one snapshot per
    /// layer call, in running order (a shared layer's calls each get one); changes nothing in the
    /// model.
    public static func probe(_ model: Model, _ x: Tensor, _ y: Tensor, moment: ProbeMoment = .initialization) throws -> [LayerSnapshot] {
        try probe(model, x, y, moment: moment, step: model.optimizer?.iterations ?? 0, updateRatios: nil)
    }

    private static func probe(_ model: Model, _ x: Tensor, _ y: Tensor, moment: ProbeMoment, step: Int,
                              updateRatios: [ObjectIdentifier: Float]?) throws -> [LayerSnapshot] {
        let (_, compiledOutputs) = try model.compiled(for: "Diagnostics")
        try model.build(inputShape: Array(x.shape.dropFirst()))
        // One training-mode pass gives the gradients and every layer call's (first) input and output.
        var calls: [(layer: Layer, input: Tensor, output: Tensor)] = []
        let gradients = try preservingState(of: model) {
            let variables = model.trainableVariables
            let (_, all) = valueWithGradients(of: variables) {
                let prediction: Tensor
                if let graph = model.graph {
                    prediction = graph.run([x], training: true) { node, inputs, outputs in
                        guard let layer = node.operation as? Layer else { return }
                        calls.append((layer, inputs[0].detached, outputs[0].detached))
                    }[0]
                } else {
                    prediction = model.layers.reduce(x) { h, layer in
                        let output = layer(h, training: true)
                        calls.append((layer, h.detached, output.detached))
                        return output
                    }
                }
                return model.objective(compiledOutputs, [y], [prediction], sampleWeight: nil).total
            }
            return Dictionary(uniqueKeysWithValues: zip(variables.map(ObjectIdentifier.init), all))
        }
        var snapshots: [LayerSnapshot] = []
        for (index, (layer, input, output)) in calls.enumerated() {
            let weights = layer.trainableVariables
            let gradientNorm = { (position: Int) -> Float? in
                weights.indices.contains(position) ? gradients[ObjectIdentifier(weights[position])].map(norm) : nil
            }
            let units = UnitKind(of: layer)
            let pre = units == nil ? nil : preActivation(of: layer, input: input)
            snapshots.append(LayerSnapshot(
                moment: moment, step: step, depth: index + 1, layer: layer.name, type: String(describing: Swift.type(of: layer)),
                kernelGradientNorm: gradientNorm(0), biasGradientNorm: gradientNorm(1),
                updateRatio: updateRatios?[ObjectIdentifier(layer)], preActivationMean: pre.map(mean), preActivationStd: pre.map(standardDeviation),
                outputMean: mean(output), outputStd: standardDeviation(output),
                deadFraction: units == .reluFamily ? deadFraction(output) : nil,
                inactiveFraction: units == .reluFamily ? pre.map(inactiveFraction) : nil,
                saturatedFraction: units.flatMap { kind in
                    if case .saturating(let low, let high) = kind { return saturatedFraction(output, low: low, high: high) }
                    return nil
                }))
        }
        return snapshots
    }

    /// Runs `body` and puts back what a training-mode pass changes: the non-trainable variables
    /// (moving statistics), the noise layers' counters, and the global random stream.
    private static func preservingState<R>(of model: Model, _ body: () throws -> R) throws -> R {
        let frozen = model.nonTrainableVariables.map { ($0, $0.value) }
        let noise = model.layers.compactMap { $0 as? any NoiseLayer }.map { ($0, $0.noiseCalls) }
        defer {
            for (variable, value) in frozen { variable.value = value }
            for (layer, calls) in noise { layer.noiseCalls = calls }
        }
        return try Random.withSeed(0x5EED_D1A6) { try body() }
    }

    /// What a layer's activation function is, for the dead and saturated counts.
    enum UnitKind: Equatable {
        case reluFamily
        case saturating(low: Float, high: Float)
        case other

        init?(of layer: Layer) {
            switch layer {
            case let dense as Dense: self.init(dense.activation)
            case let convolution as Convolution: self.init(convolution.activation)
            case let activation as Activation: self.init(activation.function)
            case is ReLU, is LeakyReLU, is PReLU, is ELU: self = .reluFamily
            default: return nil
            }
        }

        init?(_ function: ActivationFunction) {
            switch function.kind {
            case .linear: return nil
            case .relu, .leakyRelu, .elu, .selu: self = .reluFamily
            case .sigmoid, .hardSigmoid: self = .saturating(low: 0, high: 1)
            case .tanh: self = .saturating(low: -1, high: 1)
            default: self = .other
            }
        }
    }

    /// The values entering the activation: `x·kernel + bias` for Dense, the convolution plus
    /// bias for Conv1D/Conv2D (a filter is a unit, every position of every sample a sample), the
    /// input otherwise.
    private static func preActivation(of layer: Layer, input: Tensor) -> Tensor {
        if let convolution = layer as? Convolution, convolution.isBuilt { return convolution.linearOutput(input) }
        guard let dense = layer as? Dense, let kernel = dense.kernel?.value else { return input }
        let rows = input.reshaped(to: [-1, input.shape.last!])
        let product = matmul(rows, kernel)
        return dense.bias.map { product + $0.value } ?? product
    }

    /// Units are the last axis; samples are all the other positions.
    private static func unitMatrix(_ t: Tensor) -> Tensor { t.reshaped(to: [-1, t.shape.last ?? 1]) }

    private static func deadFraction(_ output: Tensor) -> Float {
        let units = unitMatrix(output)
        guard units.count > 0 else { return 0 }
        return ((units .!= 0).max(axes: [0]) .== 0).mean().scalar   // never nonzero on any sample
    }

    private static func inactiveFraction(_ preActivation: Tensor) -> Float {
        let units = unitMatrix(preActivation)
        guard units.count > 0 else { return 0 }
        return ((units .> 0).max(axes: [0]) .== 0).mean().scalar   // never positive on any sample
    }

    private static func saturatedFraction(_ output: Tensor, low: Float, high: Float) -> Float {
        let units = unitMatrix(output)
        guard units.count > 0 else { return 0 }
        let nearBound = maximum(units .<= low + 0.01, units .>= high - 0.01).mean(axes: [0])
        return (nearBound .>= 0.99).mean().scalar
    }

    // Reductions in the C kernels (double accumulation): a probe stays a small fraction of a step.
    static func norm(_ t: Tensor) -> Float { square(t).sum().scalar.squareRoot() }
    private static func mean(_ t: Tensor) -> Float { t.mean().scalar }
    private static func standardDeviation(_ t: Tensor) -> Float { t.variance().scalar.squareRoot() }
}
