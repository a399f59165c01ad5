// Activation functions as differentiable functions on tensors, with Keras 3's definitions and
// defaults. Each is stable for |x| up to 1e4: no NaN or Inf where the true value is finite.

/// Keras' SELU constants (Klambauer et al. 2017), as in `keras.activations.selu`.
public enum SELUConstants {
    /// α ≈ 1.6733.
    public static let alpha: Float = 1.67326324235437728481
    /// λ (scale) ≈ 1.0507.
    public static let scale: Float = 1.05070098735548049342
}

/// Keras' `relu(x, negative_slope=0, max_value=None, threshold=0)`:
/// `x` for `threshold ≤ x < maxValue`, `maxValue` above, `negativeSlope · (x − threshold)` below.
/// The gradient at `x == threshold` is 0 (TensorFlow's convention).
public func relu(_ x: Tensor, negativeSlope: Float = 0, maxValue: Float? = nil, threshold: Float = 0) -> Tensor {
    let above = x .> threshold
    var y = x * above
    if negativeSlope != 0 { y = y + (x - threshold) * (1 - above) * negativeSlope }
    if let maxValue { y = minimum(y, maxValue) }
    return y
}

/// Leaky ReLU: `x` for x > 0, `negativeSlope · x` otherwise (Keras 3 default slope 0.2 for the
/// function; the `LeakyReLU` layer defaults to 0.3). The gradient at 0 is the slope, as in TensorFlow.
public func leakyRelu(_ x: Tensor, negativeSlope: Float = 0.2) -> Tensor {
    let positive = x .> 0
    return x * (positive + (1 - positive) * negativeSlope)
}

/// ELU: `x` for x > 0, `α (eˣ − 1)` below (computed with `expm1`, exact near 0).
public func elu(_ x: Tensor, alpha: Float = 1) -> Tensor {
    let positive = x .> 0
    return x * positive + expm1(minimum(x, 0)) * (1 - positive) * alpha
}

/// SELU: `λ · elu(x, α)` with Keras' constants; self-normalizing with LeCun-normal weights.
public func selu(_ x: Tensor) -> Tensor {
    elu(x, alpha: SELUConstants.alpha) * SELUConstants.scale
}

/// GELU: `x Φ(x)` exactly (`0.5 x (1 + erf(x/√2))`), or with the tanh approximation
/// `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))` when `approximate` (Keras' default is true).
public func gelu(_ x: Tensor, approximate: Bool = true) -> Tensor {
    if approximate {
        let inner = (x + x * x * x * 0.044715) * 0.7978845608028654
        return x * (tanh(inner) + 1) * 0.5
    }
    return x * (erf(x * 0.7071067811865476) + 1) * 0.5
}

/// Swish / SiLU: `x · sigmoid(x)`.
public func swish(_ x: Tensor) -> Tensor { x * sigmoid(x) }

/// SiLU, another name for `swish`.
public func silu(_ x: Tensor) -> Tensor { swish(x) }

/// Softplus `ln(1 + eˣ)`, computed as `max(x, 0) + log1p(e^−|x|)` so it never overflows.
public func softplus(_ x: Tensor) -> Tensor {
    maximum(x, 0) + log1p(exp(-abs(x)))
}

/// Softsign `x / (1 + |x|)`.
public func softsign(_ x: Tensor) -> Tensor { x / (abs(x) + 1) }

/// Keras 3's hard sigmoid `relu6(x + 3) / 6`: 0 below −3, 1 above 3, linear between.
public func hardSigmoid(_ x: Tensor) -> Tensor { clamp(x / 6 + 0.5, min: 0, max: 1) }

/// The identity.
public func linear(_ x: Tensor) -> Tensor { x }

/// Softmax along `axis`: `e^(x − max) / Σ e^(x − max)` (the shift keeps it finite).
/// The result remembers its logits, so a categorical cross-entropy on it uses the stable path.
public func softmax(_ x: Tensor, axis: Int = -1) -> Tensor {
    var y: Tensor
    if axis == -1 || axis == x.rank - 1 {
        y = x.softmaxLastAxis()   // one recorded operation
    } else {
        let shifted = x - x.max(axes: [axis], keepDims: true).detached
        let e = exp(shifted)
        y = e / e.sum(axes: [axis], keepDims: true)
    }
    y.probabilitySource = ProbabilitySource(logits: x, kind: .softmax(axis: axis))
    return y
}

/// Log-softmax along `axis`: `x − max − ln Σ e^(x − max)`.
public func logSoftmax(_ x: Tensor, axis: Int = -1) -> Tensor {
    let shifted = x - x.max(axes: [axis], keepDims: true).detached
    return shifted - log(exp(shifted).sum(axes: [axis], keepDims: true))
}

/// Sigmoid that remembers its logits, so a binary cross-entropy on it uses the stable path.
func sigmoidRememberingLogits(_ x: Tensor) -> Tensor {
    var y = sigmoid(x)
    y.probabilitySource = ProbabilitySource(logits: x, kind: .sigmoid)
    return y
}
