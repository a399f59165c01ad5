/// Standardizes features to mean 0 and variance 1 with statistics learned by `adapt` (Keras'
/// `Normalization`): `(x − mean) / max(√variance, 1e-7)` per feature of `axis`. The
/// statistics are non-trainable weights, saved with the model. SELU's self-normalization needs
/// inputs standardized like this.
///
///     let normalize = Normalization()
///     try normalize.adapt(xTrain)
///     let model = Sequential([normalize, Dense(64, activation: .selu, kernelInitializer: .lecunNormal), …])
public final class Normalization: Layer, ConfigurableLayer {
    /// The feature axis (default the last); statistics are per entry of it.
    public let axis: Int
    private var adapted: (mean: Tensor, variance: Tensor)?
    /// Per-feature mean (nil until built).
    public private(set) var mean: Variable?
    /// Per-feature variance (nil until built).
    public private(set) var variance: Variable?

    /// Whether the statistics are known: given to `init` or learned by `adapt`.
    public var isAdapted: Bool { adapted != nil }

    /// Creates the layer; pass `mean` and `variance` to fix them instead of calling `adapt`.
    public init(axis: Int = -1, mean: [Float]? = nil, variance: [Float]? = nil, inputShape: [Int]? = nil, name: String? = nil) {
        precondition((mean == nil) == (variance == nil) && mean?.count == variance?.count,
                     "Normalization: give both mean and variance, of the same length, or neither")
        self.axis = axis
        if let mean, let variance { adapted = (Tensor(mean), Tensor(variance)) }
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Normalization")
        func floats(_ key: String) throws -> [Float]? {
            guard case .array(let items) = r.value(key) else { return nil }
            return try items.map { item in
                guard case .number(let value) = item else {
                    throw StrataError.invalidArgument("'\(key)' holds a non-number", context: "Normalization config")
                }
                return Float(value)
            }
        }
        let mean = try floats("mean"), variance = try floats("variance")
        guard (mean == nil) == (variance == nil), mean?.count == variance?.count else {
            throw StrataError.invalidArgument("'mean' and 'variance' must both be given, with the same length, or neither",
                                              context: "Normalization config")
        }
        self.init(axis: try r.int("axis", default: -1), mean: mean, variance: variance,
                  inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    /// The feature axis of a batch of rank `sampleRank + 1`, resolved (never the batch axis).
    func featureAxis(sampleRank: Int) -> Int? {
        let rank = sampleRank + 1
        let resolved = axis < 0 ? axis + rank : axis
        return resolved >= 1 && resolved < rank ? resolved : nil
    }

    /// Learns the per-feature mean and (population) variance of `data` (`[samples] + shape`).
    /// Call before training; a built layer keeps its weights and gets the new values.
    public func adapt(_ data: Tensor) throws {
        guard data.rank >= 2, data.shape[0] > 0, let featureAxis = featureAxis(sampleRank: data.rank - 1) else {
            throw StrataError.invalidArgument("cannot adapt to data of shape \(data.shape)", context: "Normalization '\(name)'",
                                              expected: "[samples, features…] with the feature axis \(axis)")
        }
        if let inputShape, inputShape != Array(data.shape.dropFirst()) {
            throw StrataError.shapeMismatch("was built for samples of shape \(inputShape), adapt got \(Array(data.shape.dropFirst()))",
                                            context: "Normalization '\(name)'")
        }
        let axes = (0..<data.rank).filter { $0 != featureAxis }
        let mean = data.mean(axes: axes)
        let variance = square(data - data.mean(axes: axes, keepDims: true)).mean(axes: axes)
        adapted = (mean, variance)
        self.mean?.value = mean
        self.variance?.value = variance
    }

    public override func build(for inputShape: [Int]) throws {
        guard let featureAxis = featureAxis(sampleRank: inputShape.count) else {
            throw StrataError.invalidArgument("axis \(axis) is out of range for samples of shape \(inputShape)",
                                              context: "Normalization '\(name)'")
        }
        let features = inputShape[featureAxis - 1]
        if let adapted, adapted.mean.count != features {
            throw StrataError.shapeMismatch("statistics for \(adapted.mean.count) features, input has \(features)",
                                            context: "Normalization '\(name)'")
        }
        mean = try addWeight("mean", shape: [features], initializer: .zeros, trainable: false)
        variance = try addWeight("variance", shape: [features], initializer: .ones, trainable: false)
        if let adapted {
            mean!.value = adapted.mean
            variance!.value = adapted.variance
        }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let featureAxis = featureAxis(sampleRank: x.rank - 1)!
        var shape = [Int](repeating: 1, count: x.rank)
        shape[featureAxis] = x.shape[featureAxis]
        let scale = maximum(sqrt(variance!.value), 1e-7).reshaped(to: shape)
        return (x - mean!.value.reshaped(to: shape)) / scale
    }

    public override var options: [String: ConfigValue] {
        var options: [String: ConfigValue] = ["axis": .int(axis)]
        if let adapted {
            options["mean"] = .array(adapted.mean.scalars.map { .float($0) })
            options["variance"] = .array(adapted.variance.scalars.map { .float($0) })
        }
        return options
    }
}

extension Normalization: PerFeatureAffine {
    /// `(x − mean) / max(√variance, 1e-7)` = `x·s + t` with s = 1 / max(√variance, 1e-7), t = −mean·s.
    func featureAffine(sampleRank: Int) -> (axis: Int, scale: Tensor, shift: Tensor)? {
        guard let mean, let variance, let axis = featureAxis(sampleRank: sampleRank) else { return nil }
        let scale = 1 / maximum(sqrt(variance.value.detached), 1e-7)
        return (axis, scale, -(mean.value.detached * scale))
    }
}
