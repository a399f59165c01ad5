import CStrataKernels

// Elementwise functions and their derivatives.

/// e^x elementwise. d/dx = e^x.
public func exp(_ x: Tensor) -> Tensor {
    Elementwise.unary(STRATA_EXP, x).recorded(from: x) { g, _, y in g * y }
}

/// Natural logarithm elementwise (−∞ at 0, NaN below). d/dx = 1/x.
public func log(_ x: Tensor) -> Tensor {
    Elementwise.unary(STRATA_LOG, x).recorded(from: x) { g, x, _ in g / x }
}

/// Square root elementwise. d/dx = 1 / (2√x).
public func sqrt(_ x: Tensor) -> Tensor {
    Elementwise.unary(STRATA_SQRT, x).recorded(from: x) { g, _, y in g * 0.5 / y }
}

/// 1/√x elementwise. d/dx = −½ · x^(−3/2) = −½ · y³.
public func rsqrt(_ x: Tensor) -> Tensor {
    Elementwise.unary(STRATA_RSQRT, x).recorded(from: x) { g, _, y in g * y * y * y * -0.5 }
}

/// |x| elementwise. d/dx = sign(x) (0 at 0).
public func abs(_ x: Tensor) -> Tensor {
    Elementwise.unary(STRATA_ABS, x).recorded(from: x) { g, x, _ in g * sign(x) }
}

/// −1, 0 or 1 by the sign of each element (NaN stays NaN). Its derivative is 0.
public func sign(_ x: Tensor) -> Tensor {
    Elementwise.unary(STRATA_SIGN, x).recorded(from: x) { g, _, _ in g * 0 }
}

/// Hyperbolic tangent elementwise, accurate near 0 and exactly ±1 far out. d/dx = 1 − y².
public func tanh(_ x: Tensor) -> Tensor {
    Elementwise.unary(STRATA_TANH, x).recorded(from: x) { g, _, y in g * (1 - y * y) }
}

/// The logistic function 1 / (1 + e^−x) elementwise; 0 and 1 in the limits, never NaN for
/// finite x. d/dx = y (1 − y).
public func sigmoid(_ x: Tensor) -> Tensor {
    Elementwise.unary(STRATA_SIGMOID, x).recorded(from: x) { g, _, y in g * y * (1 - y) }
}

/// Each element limited to `[lower, upper]`. The gradient passes where `lower ≤ x ≤ upper`.
public func clamp(_ x: Tensor, min lower: Float, max upper: Float) -> Tensor {
    precondition(lower <= upper, "clamp: lower bound \(lower) is above upper bound \(upper)")
    return minimum(maximum(x, lower), upper)
}

/// Each element squared. d/dx = 2x.
public func square(_ x: Tensor) -> Tensor {
    Elementwise.unary(STRATA_SQUARE, x).recorded(from: x) { g, x, _ in g * x * 2 }
}

/// ln(1 + x) elementwise, accurate for tiny x. d/dx = 1 / (1 + x).
public func log1p(_ x: Tensor) -> Tensor {
    Elementwise.unary(STRATA_LOG1P, x).recorded(from: x) { g, x, _ in g / (x + 1) }
}

/// e^x − 1 elementwise, accurate for tiny x. d/dx = e^x = y + 1.
public func expm1(_ x: Tensor) -> Tensor {
    Elementwise.unary(STRATA_EXPM1, x).recorded(from: x) { g, _, y in g * (y + 1) }
}

/// The error function elementwise (absolute error < 2e-7). d/dx = 2/√π · e^(−x²).
public func erf(_ x: Tensor) -> Tensor {
    Elementwise.unary(STRATA_ERF, x).recorded(from: x) { g, x, _ in
        g * exp(-(x * x)) * 1.1283791670955126
    }
}
