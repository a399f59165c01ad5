import CStrataKernels

// Elementwise arithmetic with NumPy broadcasting, and its gradients.

extension Tensor {
    /// Sums a gradient of a broadcast result back to `shape` (the operand's shape).
    func unbroadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let axes = Broadcast.reducedAxes(from: shape, to: target)
        return sum(axes: axes).reshaped(to: target)
    }

    /// Elementwise sum with broadcasting.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        Elementwise.binary(STRATA_ADD, lhs, rhs, name: "+").recorded(from: lhs, rhs) { g, a, b, _ in
            (g.unbroadcast(to: a.shape), g.unbroadcast(to: b.shape))
        }
    }

    /// Elementwise difference with broadcasting.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        Elementwise.binary(STRATA_SUB, lhs, rhs, name: "-").recorded(from: lhs, rhs) { g, a, b, _ in
            (g.unbroadcast(to: a.shape), (-g).unbroadcast(to: b.shape))
        }
    }

    /// Elementwise product with broadcasting.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        Elementwise.binary(STRATA_MUL, lhs, rhs, name: "*").recorded(from: lhs, rhs) { g, a, b, _ in
            ((g * b).unbroadcast(to: a.shape), (g * a).unbroadcast(to: b.shape))
        }
    }

    /// Elementwise quotient with broadcasting.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
        Elementwise.binary(STRATA_DIV, lhs, rhs, name: "/").recorded(from: lhs, rhs) { g, a, b, y in
            ((g / b).unbroadcast(to: a.shape), (-g * y / b).unbroadcast(to: b.shape))
        }
    }

    /// Elementwise negation.
    public static prefix func - (x: Tensor) -> Tensor {
        Elementwise.unary(STRATA_NEG, x).recorded(from: x) { g, _, _ in -g }
    }

    /// Adds a scalar to every element.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor {
        Elementwise.unary(STRATA_ADD_SCALAR, lhs, rhs).recorded(from: lhs) { g, _, _ in g }
    }

    /// Adds a scalar to every element.
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { rhs + lhs }

    /// Subtracts a scalar from every element.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs + (-rhs) }

    /// A scalar minus every element.
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { -rhs + lhs }

    /// Multiplies every element by a scalar.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor {
        Elementwise.unary(STRATA_MUL_SCALAR, lhs, rhs).recorded(from: lhs) { g, _, _ in g * rhs }
    }

    /// Multiplies every element by a scalar.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs * lhs }

    /// Divides every element by a scalar.
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs * (1 / rhs) }

    /// A scalar divided by every element.
    public static func / (lhs: Float, rhs: Tensor) -> Tensor {
        Elementwise.unary(STRATA_RECIPROCAL, rhs).recorded(from: rhs) { g, _, y in -g * y * y } * lhs
    }

    /// In-place elementwise sum (`self = self + rhs`).
    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs = lhs + rhs }
    /// In-place elementwise difference.
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs - rhs }
    /// In-place elementwise product.
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs * rhs }
    /// In-place elementwise quotient.
    public static func /= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs / rhs }
    /// In-place scalar product.
    public static func *= (lhs: inout Tensor, rhs: Float) { lhs = lhs * rhs }
}

/// The larger of `a` and `b` elementwise, with broadcasting; NaN propagates. The gradient goes
/// to `a` where `a ≥ b` and to `b` elsewhere (TensorFlow's convention).
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
    Elementwise.binary(STRATA_MAX, a, b, name: "maximum").recorded(from: a, b) { g, a, b, _ in
        let mask = a .>= b
        return ((g * mask).unbroadcast(to: a.shape), (g * (1 - mask)).unbroadcast(to: b.shape))
    }
}

/// The smaller of `a` and `b` elementwise, with broadcasting; NaN propagates. The gradient goes
/// to `a` where `a ≤ b` and to `b` elsewhere.
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
    Elementwise.binary(STRATA_MIN, a, b, name: "minimum").recorded(from: a, b) { g, a, b, _ in
        let mask = a .<= b
        return ((g * mask).unbroadcast(to: a.shape), (g * (1 - mask)).unbroadcast(to: b.shape))
    }
}

/// The larger of each element and a scalar (`maximum(x, 0)` is ReLU). The gradient passes
/// where `x ≥ value`.
public func maximum(_ x: Tensor, _ value: Float) -> Tensor {
    Elementwise.unary(STRATA_MAX_SCALAR, x, value).recorded(from: x) { g, x, _ in g * (x .>= value) }
}

/// The smaller of each element and a scalar. The gradient passes where `x ≤ value`.
public func minimum(_ x: Tensor, _ value: Float) -> Tensor {
    Elementwise.unary(STRATA_MIN_SCALAR, x, value).recorded(from: x) { g, x, _ in g * (x .<= value) }
}

/// `base` raised to `exponent` elementwise, with broadcasting.
/// ∂/∂base = exponent · base^(exponent−1); ∂/∂exponent = base^exponent · ln(base).
public func pow(_ base: Tensor, _ exponent: Tensor) -> Tensor {
    Elementwise.binary(STRATA_POW, base, exponent, name: "pow").recorded(from: base, exponent) { g, a, b, y in
        ((g * b * pow(a, b - 1)).unbroadcast(to: a.shape), (g * y * log(a)).unbroadcast(to: b.shape))
    }
}

/// Each element raised to a scalar power. ∂/∂x = p · x^(p−1).
public func pow(_ base: Tensor, _ exponent: Float) -> Tensor {
    Elementwise.unary(STRATA_POW_SCALAR, base, exponent).recorded(from: base) { g, x, _ in
        g * exponent * pow(x, exponent - 1)
    }
}

// Comparisons: 1 where the relation holds, else 0; constant for differentiation.

extension Tensor {
    /// 1 where `lhs == rhs` (broadcast), else 0.
    public static func .== (lhs: Tensor, rhs: Tensor) -> Tensor { Elementwise.binary(STRATA_EQ, lhs, rhs, name: ".==") }
    /// 1 where `lhs != rhs` (broadcast), else 0.
    public static func .!= (lhs: Tensor, rhs: Tensor) -> Tensor { Elementwise.binary(STRATA_NE, lhs, rhs, name: ".!=") }
    /// 1 where `lhs < rhs` (broadcast), else 0.
    public static func .< (lhs: Tensor, rhs: Tensor) -> Tensor { Elementwise.binary(STRATA_LT, lhs, rhs, name: ".<") }
    /// 1 where `lhs <= rhs` (broadcast), else 0.
    public static func .<= (lhs: Tensor, rhs: Tensor) -> Tensor { Elementwise.binary(STRATA_LE, lhs, rhs, name: ".<=") }
    /// 1 where `lhs > rhs` (broadcast), else 0.
    public static func .> (lhs: Tensor, rhs: Tensor) -> Tensor { Elementwise.binary(STRATA_GT, lhs, rhs, name: ".>") }
    /// 1 where `lhs >= rhs` (broadcast), else 0.
    public static func .>= (lhs: Tensor, rhs: Tensor) -> Tensor { Elementwise.binary(STRATA_GE, lhs, rhs, name: ".>=") }

    /// 1 where the element equals `rhs`, else 0.
    public static func .== (lhs: Tensor, rhs: Float) -> Tensor { lhs .== Tensor(rhs) }
    /// 1 where the element differs from `rhs`, else 0.
    public static func .!= (lhs: Tensor, rhs: Float) -> Tensor { lhs .!= Tensor(rhs) }
    /// 1 where the element is below `rhs`, else 0.
    public static func .< (lhs: Tensor, rhs: Float) -> Tensor { lhs .< Tensor(rhs) }
    /// 1 where the element is at most `rhs`, else 0.
    public static func .<= (lhs: Tensor, rhs: Float) -> Tensor { lhs .<= Tensor(rhs) }
    /// 1 where the element is above `rhs`, else 0.
    public static func .> (lhs: Tensor, rhs: Float) -> Tensor { lhs .> Tensor(rhs) }
    /// 1 where the element is at least `rhs`, else 0.
    public static func .>= (lhs: Tensor, rhs: Float) -> Tensor { lhs .>= Tensor(rhs) }
}
