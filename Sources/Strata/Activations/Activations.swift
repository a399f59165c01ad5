// Activation functions as differentiable functions on tensors, with Keras 3's definitions and
// defaults. Each is stable for |x| up to 1e4: no NaN or Inf where the true value is finite.

/// Keras' SELU constants (Klambauer et al. 2017), as in `keras.activations.selu`.
public enum SELUConstants {
    /// α ≈ 1.6733.
    public static let alpha: Float = 1.67326324235437728481
    /// λ (scale) ≈ 1.0507.
    public static let scale: Float = 1.05070098735548049342
    /// λα ≈ 1.7581, the negative branch's factor (TensorFlow's `scale_alpha` constant).
    public static let scaleAlpha: Float = 1.75809934084737685994
}

/// `x` where `x > threshold`, else 0, with TensorFlow's gradient: 1 above, 0 at and below the
/// threshold (`tf.nn.relu`'s `ReluGrad` tests `features > 0`).
func rectified(_ x: Tensor, above threshold: Float = 0) -> Tensor { x * (x .> threshold) }

/// `min(max(x, 0), 6)` with TensorFlow's `Relu6Grad`: the gradient is 1 strictly inside (0, 6)
/// and 0 at both corners.
func relu6(_ x: Tensor) -> Tensor { x * ((x .> 0) * (x .< 6)) + (x .>= 6) * 6 }

/// Keras' `relu(x, negative_slope=0, max_value=None, threshold=0)`:
/// `x` for `threshold < x < maxValue`, `maxValue` above, `negativeSlope · (x − threshold)` below.
/// Built as `keras/src/activations/activations.py` (`ReLU.static_call`) builds it, so its
/// gradients at the corners are Keras': a slope alone is `leaky_relu` (the slope at 0);
/// otherwise the gradient at the threshold is 0; a cap of 6 without a threshold is `relu6`
/// (gradient 0 at 6), any other cap is `clip(·, 0, maxValue)` (gradient 1 at the cap), and a cap
/// also clips a negative threshold's values below 0 to 0.
public func relu(_ x: Tensor, negativeSlope: Float = 0, maxValue: Float? = nil, threshold: Float = 0) -> Tensor {
    if negativeSlope != 0, maxValue == nil, threshold == 0 { return leakyRelu(x, negativeSlope: negativeSlope) }
    var y: Tensor
    var cap = maxValue
    if threshold != 0 {
        y = rectified(x, above: threshold)
    } else if maxValue == 6 {
        y = relu6(x)
        cap = nil
    } else {
        y = rectified(x)
    }
    if let cap { y = clamp(y, min: 0, max: cap) }
    if negativeSlope != 0 { y = y - rectified(threshold - x) * negativeSlope }
    return y
}

/// Leaky ReLU: `x` for x > 0, `negativeSlope · x` otherwise (Keras 3 default slope 0.2 for the
/// function; the `LeakyReLU` layer defaults to 0.3). The gradient at 0 is the slope, as in
/// TensorFlow's `LeakyReluGrad` (`features > 0 ? g : g · alpha`).
public func leakyRelu(_ x: Tensor, negativeSlope: Float = 0.2) -> Tensor {
    let positive = x .> 0
    return x * (positive + (1 - positive) * negativeSlope)
}

/// ELU: `x` for x > 0, `α (eˣ − 1)` below (computed with `expm1`, exact near 0). The gradient at
/// 0 is α, as in Keras' TensorFlow backend (`where(x > 0, elu(x), α · elu(x))`, whose `EluGrad`
/// is 1 at 0).
public func elu(_ x: Tensor, alpha: Float = 1) -> Tensor {
    let positive = x .> 0
    return x * positive + expm1(minimum(x, 0)) * (1 - positive) * alpha
}

/// SELU: `λ x` for x ≥ 0, `λα (eˣ − 1)` below, with Keras' constants; self-normalizing with
/// LeCun-normal weights. The gradient at 0 is λ: TensorFlow's `SeluGrad` takes the positive
/// branch for outputs ≥ 0 (PyTorch gives λα there).
public func selu(_ x: Tensor) -> Tensor {
    let nonNegative = x .>= 0
    return x * nonNegative * SELUConstants.scale
        + expm1(minimum(x, 0)) * (1 - nonNegative) * SELUConstants.scaleAlpha
}

/// GELU: `x Φ(x)` exactly (`0.5 x (1 + erf(x/√2))`, Keras 3's default), or with the tanh
/// approximation `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))` when `approximate`.
public func gelu(_ x: Tensor, approximate: Bool = false) -> Tensor {
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

/// Softplus `ln(1 + eˣ)`, computed as `max(x, 0) + log1p(e^−|x|)` so it never overflows, with
/// the exact derivative `sigmoid(x)` everywhere (0.5 at 0, as TensorFlow's `SoftplusGrad`; the
/// composed formula's `maximum` and `abs` would give 1 there).
public func softplus(_ x: Tensor) -> Tensor {
    let z = x.detached
    return (maximum(z, 0) + log1p(exp(-abs(z)))).recorded(from: x) { g, x, _ in g * sigmoid(x) }
}

/// Softsign `x / (1 + |x|)`.
public func softsign(_ x: Tensor) -> Tensor { x / (abs(x) + 1) }

/// Keras 3's hard sigmoid `relu6(x + 3) / 6`: 0 below −3, 1 above 3, linear between; its
/// gradient is 1/6 strictly between and 0 at ±3 (relu6's corners).
public func hardSigmoid(_ x: Tensor) -> Tensor { relu6(x + 3) / Tensor(6) }

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
