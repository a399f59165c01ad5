/// Batch normalization (Ioffe & Szegedy 2015; Keras `BatchNormalization`).
///
/// Training: normalizes with the batch's mean and (biased) variance over every axis but `axis`,
/// then `γ · x̂ + β`; gradients flow through the batch statistics. Each training call also
/// updates `moving = moving · momentum + batch · (1 − momentum)` (Keras 3's formula, on the old
/// value). Inference: normalizes with the moving statistics.
///
/// Defaults (Keras 3): axis −1, momentum 0.99, epsilon 1e-3, center and scale on, γ ones, β
/// zeros, moving mean zeros, moving variance ones.
///
///     BatchNormalization()
public final class BatchNormalization: Layer, ConfigurableLayer {
    /// The feature axis (−1: the last); statistics are taken over all the others.
    public let axis: Int
    /// Weight of the old moving statistic in each update.
    public let momentum: Float
    /// Added to the variance before the square root.
    public let epsilon: Float
    /// Whether β (offset) is learned.
    public let center: Bool
    /// Whether γ (scale) is learned.
    public let scale: Bool
    /// Initializers of β, γ, the moving mean and the moving variance.
    public let betaInitializer: Initializer, gammaInitializer: Initializer
    /// Initializers of the moving statistics.
    public let movingMeanInitializer: Initializer, movingVarianceInitializer: Initializer
    /// Penalties on β and γ.
    public let betaRegularizer: Regularizer?, gammaRegularizer: Regularizer?

    /// Learned scale γ (nil without `scale` or until built).
    public private(set) var gamma: Variable?
    /// Learned offset β (nil without `center` or until built).
    public private(set) var beta: Variable?
    /// Moving mean (non-trainable; nil until built).
    public private(set) var movingMean: Variable?
    /// Moving variance (non-trainable; nil until built).
    public private(set) var movingVariance: Variable?

    /// Creates a batch-normalization layer.
    public init(axis: Int = -1, momentum: Float = 0.99, epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true,
                betaInitializer: Initializer = .zeros, gammaInitializer: Initializer = .ones,
                movingMeanInitializer: Initializer = .zeros, movingVarianceInitializer: Initializer = .ones,
                betaRegularizer: Regularizer? = nil, gammaRegularizer: Regularizer? = nil,
                inputShape: [Int]? = nil, name: String? = nil) {
        self.axis = axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.betaInitializer = betaInitializer
        self.gammaInitializer = gammaInitializer
        self.movingMeanInitializer = movingMeanInitializer
        self.movingVarianceInitializer = movingVarianceInitializer
        self.betaRegularizer = betaRegularizer
        self.gammaRegularizer = gammaRegularizer
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "BatchNormalization")
        func initializer(_ key: String, _ fallback: Initializer) throws -> Initializer {
            r.value(key) == .null ? fallback : try Initializer(config: r.value(key))
        }
        func regularizer(_ key: String) throws -> Regularizer? {
            r.value(key) == .null ? nil : try Regularizer(config: r.value(key))
        }
        self.init(axis: try r.int("axis", default: -1), momentum: try r.float("momentum", default: 0.99),
                  epsilon: try r.float("epsilon", default: 1e-3), center: try r.bool("center", default: true),
                  scale: try r.bool("scale", default: true),
                  betaInitializer: try initializer("beta_initializer", .zeros),
                  gammaInitializer: try initializer("gamma_initializer", .ones),
                  movingMeanInitializer: try initializer("moving_mean_initializer", .zeros),
                  movingVarianceInitializer: try initializer("moving_variance_initializer", .ones),
                  betaRegularizer: try regularizer("beta_regularizer"), gammaRegularizer: try regularizer("gamma_regularizer"),
                  inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    /// The feature axis of a batch of rank `rank + 1`, resolved.
    func featureAxis(sampleRank: Int) -> Int? {
        let rank = sampleRank + 1
        let resolved = axis < 0 ? axis + rank : axis
        return resolved >= 1 && resolved < rank ? resolved : nil
    }

    public override func build(for inputShape: [Int]) throws {
        guard let featureAxis = featureAxis(sampleRank: inputShape.count) else {
            throw StrataError.invalidArgument("axis \(axis) is out of range for samples of shape \(inputShape)",
                                              context: "BatchNormalization '\(name)'", expected: "a feature axis, not the batch axis")
        }
        let shape = [inputShape[featureAxis - 1]]
        if scale { gamma = try addWeight("gamma", shape: shape, initializer: gammaInitializer, regularizer: gammaRegularizer) }
        if center { beta = try addWeight("beta", shape: shape, initializer: betaInitializer, regularizer: betaRegularizer) }
        movingMean = try addWeight("moving_mean", shape: shape, initializer: movingMeanInitializer, trainable: false)
        movingVariance = try addWeight("moving_variance", shape: shape, initializer: movingVarianceInitializer, trainable: false)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let featureAxis = featureAxis(sampleRank: x.rank - 1)!
        let synchronized = training && trainable && ReplicaContext.batchStatistics != nil
        if featureAxis == x.rank - 1 && !synchronized { return callOnLastAxis(x, training: training) ?? composed(x, training: training) }
        return composed(x, training: training)
    }

    /// Features on the last axis (the common case): the fused kernels. Nil where they do not
    /// apply (inference mode while gradients are being taken, e.g. a frozen layer being fine-tuned).
    private func callOnLastAxis(_ x: Tensor, training: Bool) -> Tensor? {
        let features = x.shape[x.rank - 1]
        let rows = x.reshaped(to: [-1, features])
        if training && trainable {
            let (y, mean, variance) = BatchNormKernels.training(rows, gamma: gamma?.value, beta: beta?.value, epsilon: epsilon)
            updateMovingStatistics(mean: mean, variance: variance)
            return y.reshaped(to: x.shape)
        }
        guard !x.isTracked, !(gamma?.value.isTracked ?? false), !(beta?.value.isTracked ?? false) else { return nil }
        let (scale, shift) = inferenceScaleShift
        return BatchNormKernels.scaleShift(rows, scale: scale, shift: shift).reshaped(to: x.shape)
    }

    /// Inference: y = x·s + t with s = γ/√(moving variance + ε), t = β − moving mean·s.
    private var inferenceScaleShift: (scale: Tensor, shift: Tensor) {
        var scale = rsqrt(movingVariance!.value.detached + epsilon)
        if let gamma { scale = scale * gamma.value.detached }
        var shift = -(movingMean!.value.detached * scale)
        if let beta { shift = shift + beta.value.detached }
        return (scale, shift)
    }

    /// Keras 3: `moving ← moving·momentum + batch·(1 − momentum)`.
    private func updateMovingStatistics(mean: Tensor, variance: Tensor) {
        let m = momentum
        movingMean!.value = movingMean!.value * m + mean.reshaped(to: movingMean!.shape) * (1 - m)
        movingVariance!.value = movingVariance!.value * m + variance.reshaped(to: movingVariance!.shape) * (1 - m)
    }

    /// Any feature axis, as composed (recorded) tensor operations.
    private func composed(_ x: Tensor, training: Bool) -> Tensor {
        let featureAxis = featureAxis(sampleRank: x.rank - 1)!
        let reductionAxes = (0..<x.rank).filter { $0 != featureAxis }
        var statisticShape = [Int](repeating: 1, count: x.rank)
        statisticShape[featureAxis] = x.shape[featureAxis]

        let mean: Tensor, variance: Tensor
        if training && trainable, let group = ReplicaContext.batchStatistics {
            // Synchronized: the statistics of the global batch, from sums over every replica's rows.
            var total = Double(x.count / x.shape[featureAxis])
            withUnsafeMutablePointer(to: &total) { group.allReduceSum(UnsafeMutableBufferPointer(start: $0, count: 1)) }
            mean = x.sum(axes: reductionAxes, keepDims: true).summedAcrossReplicas(group) / Float(total)
            variance = square(x - mean).sum(axes: reductionAxes, keepDims: true).summedAcrossReplicas(group) / Float(total)
            updateMovingStatistics(mean: mean.detached, variance: variance.detached)
        } else if training && trainable {
            mean = x.mean(axes: reductionAxes, keepDims: true)
            variance = square(x - mean).mean(axes: reductionAxes, keepDims: true)
            updateMovingStatistics(mean: mean.detached, variance: variance.detached)
        } else {
            mean = movingMean!.value.reshaped(to: statisticShape)
            variance = movingVariance!.value.reshaped(to: statisticShape)
        }
        var y = (x - mean) * rsqrt(variance + epsilon)
        if let gamma { y = y * gamma.value.reshaped(to: statisticShape) }
        if let beta { y = y + beta.value.reshaped(to: statisticShape) }
        return y
    }

    public override var options: [String: ConfigValue] {
        ["axis": .int(axis), "momentum": .float(momentum), "epsilon": .float(epsilon), "center": .bool(center),
         "scale": .bool(scale), "beta_initializer": betaInitializer.config, "gamma_initializer": gammaInitializer.config,
         "moving_mean_initializer": movingMeanInitializer.config,
         "moving_variance_initializer": movingVarianceInitializer.config,
         "beta_regularizer": betaRegularizer?.config ?? .null, "gamma_regularizer": gammaRegularizer?.config ?? .null]
    }
}

extension BatchNormalization: PerFeatureAffine {
    func featureAffine(sampleRank: Int) -> (axis: Int, scale: Tensor, shift: Tensor)? {
        guard isBuilt, let axis = featureAxis(sampleRank: sampleRank) else { return nil }
        let (scale, shift) = inferenceScaleShift
        return (axis, scale, shift)
    }
}
