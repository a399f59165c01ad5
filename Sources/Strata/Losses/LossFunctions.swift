/// The per-sample loss formulas, written once; `Loss` and the free functions call them.
/// Sources: Keras 3 `keras/src/losses/losses.py` and the TensorFlow backend's `nn.py`.
enum LossFunctions {
    /// Keras' `backend.epsilon()`, the probability clip.
    static let epsilon: Float = 1e-7

    /// Σ values·weights / count (Keras "sum_over_batch_size").
    static func reduce(_ values: Tensor, sampleWeight: Tensor?) -> Tensor {
        guard let sampleWeight else { return values.mean() }
        let weights = sampleWeight.count == values.count ? sampleWeight.reshaped(to: values.shape) : sampleWeight
        return (values * weights).sum() / Float(Swift.max(values.count, 1))
    }

    /// Keras' `squeeze_or_expand_to_same_rank`: a `[n]` target against `[n, 1]` predictions
    /// becomes `[n, 1]` (and the reverse).
    static func matchRank(_ yTrue: Tensor, _ yPred: Tensor) -> (Tensor, Tensor) {
        if yTrue.rank == yPred.rank + 1, yTrue.shape.last == 1 { return (yTrue.reshaped(to: yPred.shape), yPred) }
        if yPred.rank == yTrue.rank + 1, yPred.shape.last == 1 { return (yTrue.reshaped(to: yPred.shape), yPred) }
        precondition(yTrue.shape == yPred.shape,
                     "loss: targets of shape \(yTrue.shape) do not match predictions of shape \(yPred.shape)")
        return (yTrue, yPred)
    }

    /// The logits behind `yPred` when it came from the matching squashing function.
    static func logits(of yPred: Tensor, _ kind: ProbabilitySource.Kind) -> Tensor? {
        guard let source = yPred.probabilitySource else { return nil }
        switch (source.kind, kind) {
        case (.sigmoid, .sigmoid): return source.logits
        case (.softmax(let axis), .softmax): return axis == -1 || axis == yPred.rank - 1 ? source.logits : nil
        default: return nil
        }
    }

    /// Binary cross-entropy, mean over the last axis. Logits: `softplus(z) − z·y`
    /// (`max(z, 0) + log(1 + e^−|z|) − z·y`, TensorFlow's `sigmoid_cross_entropy_with_logits`),
    /// whose gradient is `sigmoid(z) − y` everywhere, `0.5 − y` at `z = 0`; probabilities:
    /// clipped to [ε, 1 − ε], `−(y log p + (1 − y) log(1 − p))`. Keras clips in float64, where
    /// `1 − ε` is representable; in float32 it rounds to `1 − 1.19e-7`, the one place these
    /// losses differ from Keras beyond rounding.
    static func binaryCrossentropy(_ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool, labelSmoothing: Float) -> Tensor {
        var (y, p) = matchRank(yTrue, yPred)
        if labelSmoothing > 0 { y = y * (1 - labelSmoothing) + 0.5 * labelSmoothing }
        let elementwise: Tensor
        if let z = fromLogits ? p : logits(of: yPred, .sigmoid).map({ $0.reshaped(to: p.shape) }) {
            elementwise = sigmoidCrossEntropyWithLogits(labels: y, logits: z)
        } else {
            p = clamp(p, min: epsilon, max: 1 - epsilon)
            elementwise = -(y * log(p) + (1 - y) * log(1 - p))
        }
        return elementwise.mean(axes: [-1])
    }

    /// TensorFlow's `sigmoid_cross_entropy_with_logits`: `max(z, 0) − z·y + log1p(e^−|z|)`, summed
    /// in that order (no cancellation for y = 1), as one recorded operation whose gradients are
    /// the exact `sigmoid(z) − y` and `−z`: the composed formula's `maximum` and `abs` ties would
    /// give `1 − y` at `z = 0`.
    static func sigmoidCrossEntropyWithLogits(labels y: Tensor, logits z: Tensor) -> Tensor {
        let (yd, zd) = (y.detached, z.detached)
        let value = maximum(zd, 0) - zd * yd + log1p(exp(-abs(zd)))
        return value.recorded(from: [y, z]) { g in [-(g * zd), g * (sigmoid(zd) - yd)] }
    }

    /// Categorical cross-entropy over the last axis. Logits: `−Σ y · logSoftmax(z)`;
    /// probabilities: normalized to sum 1, clipped to [ε, 1 − ε], `−Σ y log p` (the float32
    /// clip edge `1 − ε` is `1 − 1.19e-7`, as in `binaryCrossentropy`).
    static func categoricalCrossentropy(_ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool, labelSmoothing: Float) -> Tensor {
        precondition(yTrue.shape == yPred.shape,
                     "categoricalCrossentropy: one-hot targets of shape \(yTrue.shape) do not match predictions \(yPred.shape); for integer labels use sparseCategoricalCrossentropy")
        var y = yTrue
        if labelSmoothing > 0 {
            let classes = Float(yPred.shape[yPred.rank - 1])
            y = y * (1 - labelSmoothing) + labelSmoothing / classes
        }
        if let z = fromLogits ? yPred : logits(of: yPred, .softmax(axis: -1)) {
            return -(y * logSoftmax(z)).sum(axes: [-1])
        }
        let p = clamp(yPred / yPred.sum(axes: [-1], keepDims: true), min: epsilon, max: 1 - epsilon)
        return -(y * log(p)).sum(axes: [-1])
    }

    /// Sparse categorical cross-entropy: integer labels (as floats, shape `[n]` or `[n, 1]`)
    /// against `[n, classes]`. Probabilities are clipped to [ε, 1 − ε] and used as `log p` logits,
    /// exactly as Keras' TensorFlow backend does (the float32 clip edge `1 − ε` is `1 − 1.19e-7`).
    static func sparseCategoricalCrossentropy(_ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool) -> Tensor {
        let classes = yPred.shape[yPred.rank - 1]
        let batchShape = Array(yPred.shape.dropLast())
        let labels = yTrue.reshaped(to: batchShape)
        let z = fromLogits ? yPred
            : (logits(of: yPred, .softmax(axis: -1)) ?? log(clamp(yPred, min: epsilon, max: 1 - epsilon)))
        if z.rank == 2 { return z.sparseSoftmaxCrossEntropy(labels: labels.detached) }   // one recorded operation
        let oneHot = Tensor.oneHot(labels.detached, depth: classes)
        return -(oneHot * logSoftmax(z)).sum(axes: [-1])
    }

    /// Mean of squared errors over the last axis.
    static func meanSquaredError(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let (y, p) = matchRank(yTrue, yPred)
        return square(p - y).mean(axes: [-1])
    }

    /// Mean of absolute errors over the last axis.
    static func meanAbsoluteError(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let (y, p) = matchRank(yTrue, yPred)
        return abs(p - y).mean(axes: [-1])
    }

    /// Huber: `½e²` where |e| ≤ δ, `δ|e| − ½δ²` beyond; mean over the last axis. Selected per
    /// element as Keras does (`keras/src/losses/losses.py`, `where(|e| <= δ, …)`), so the gradient
    /// is exactly `e` inside (also at |e| = δ) and `δ·sign(e)` outside, with no cancellation.
    static func huber(_ yTrue: Tensor, _ yPred: Tensor, delta: Float) -> Tensor {
        let (y, p) = matchRank(yTrue, yPred)
        let error = p - y
        let absolute = abs(error)
        let inside = absolute .<= delta
        return (square(error) * 0.5 * inside + (absolute * delta - 0.5 * delta * delta) * (1 - inside)).mean(axes: [-1])
    }

    /// Hinge `mean(max(1 − y·p, 0))`; all-0/1 targets become −1/1 (Keras' conversion).
    static func hinge(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        var (y, p) = matchRank(yTrue, yPred)
        let binary = y.withUnsafeBufferPointer { $0.allSatisfy { $0 == 0 || $0 == 1 } }
        if binary { y = y * 2 - 1 }
        return maximum(1 - y * p, 0).mean(axes: [-1])
    }

    /// KL divergence `Σ y log(y / p)` over the last axis, both clipped to [ε, 1].
    static func kullbackLeiblerDivergence(_ yTrue: Tensor, _ yPred: Tensor) -> Tensor {
        let (y0, p0) = matchRank(yTrue, yPred)
        let y = clamp(y0, min: epsilon, max: 1), p = clamp(p0, min: epsilon, max: 1)
        return (y * log(y / p)).sum(axes: [-1])
    }
}

// The losses as functions, reduced like `Loss` (mean over samples, optional sample weights).

/// Binary cross-entropy, reduced to a scalar. A sigmoid output is recognized and its logits used.
public func binaryCrossentropy(_ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool = false,
                               labelSmoothing: Float = 0, sampleWeight: Tensor? = nil) -> Tensor {
    Loss.binaryCrossentropy(fromLogits: fromLogits, labelSmoothing: labelSmoothing)(yTrue, yPred, sampleWeight: sampleWeight)
}

/// Categorical cross-entropy on one-hot targets, reduced to a scalar.
public func categoricalCrossentropy(_ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool = false,
                                    labelSmoothing: Float = 0, sampleWeight: Tensor? = nil) -> Tensor {
    Loss.categoricalCrossentropy(fromLogits: fromLogits, labelSmoothing: labelSmoothing)(yTrue, yPred, sampleWeight: sampleWeight)
}

/// Sparse categorical cross-entropy on integer labels, reduced to a scalar.
///
///     let loss = sparseCategoricalCrossentropy(labels, logits, fromLogits: true)
public func sparseCategoricalCrossentropy(_ yTrue: Tensor, _ yPred: Tensor, fromLogits: Bool = false,
                                          sampleWeight: Tensor? = nil) -> Tensor {
    Loss.sparseCategoricalCrossentropy(fromLogits: fromLogits)(yTrue, yPred, sampleWeight: sampleWeight)
}

/// Mean squared error, reduced to a scalar.
public func meanSquaredError(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor? = nil) -> Tensor {
    Loss.meanSquaredError(yTrue, yPred, sampleWeight: sampleWeight)
}

/// Mean absolute error, reduced to a scalar.
public func meanAbsoluteError(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor? = nil) -> Tensor {
    Loss.meanAbsoluteError(yTrue, yPred, sampleWeight: sampleWeight)
}

/// Huber loss, reduced to a scalar.
public func huber(_ yTrue: Tensor, _ yPred: Tensor, delta: Float = 1, sampleWeight: Tensor? = nil) -> Tensor {
    Loss.huber(delta: delta)(yTrue, yPred, sampleWeight: sampleWeight)
}

/// Hinge loss, reduced to a scalar.
public func hinge(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor? = nil) -> Tensor {
    Loss.hinge(yTrue, yPred, sampleWeight: sampleWeight)
}

/// Kullback–Leibler divergence, reduced to a scalar.
public func kullbackLeiblerDivergence(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor? = nil) -> Tensor {
    Loss.kullbackLeiblerDivergence(yTrue, yPred, sampleWeight: sampleWeight)
}
