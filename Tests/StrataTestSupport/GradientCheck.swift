import StrataCore

/// Relative error of the reverse-mode gradient of `f` at `inputs` against central finite
/// differences, one value per input.
///
/// The scalar differentiated is Σ wᵢ·f(x)ᵢ with fixed random weights w (so a transposed or
/// mis-broadcast gradient cannot pass by symmetry), summed in double precision so the finite
/// differences are not drowned in float32 rounding. The error of input i is
/// ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖, 1e-3) over all its elements.
public func gradientErrors(_ inputs: [Tensor], step: Float = 1e-2, _ f: ([Tensor]) -> Tensor) -> [Double] {
    let probe = f(inputs)
    let weights = Tensor.randomUniform(probe.shape, lower: 0.5, upper: 1.5, seed: 99)
    func weighted(_ xs: [Tensor]) -> Double {
        zip(f(xs).scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    let (_, analytic) = valueWithGradients(at: inputs) { xs in (f(xs) * weights).sum() }
    return inputs.indices.map { index in
        var numeric = [Double](repeating: 0, count: inputs[index].count)
        for i in numeric.indices {
            var plus = inputs, minus = inputs
            plus[index].withUnsafeMutableBufferPointer { $0[i] += step }
            minus[index].withUnsafeMutableBufferPointer { $0[i] -= step }
            numeric[i] = (weighted(plus) - weighted(minus)) / Double(2 * step)
        }
        guard analytic[index].shape == inputs[index].shape else { return .infinity }
        let a = analytic[index].scalars.map(Double.init)
        let difference = zip(a, numeric).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let scale = max(a.reduce(0) { $0 + $1 * $1 }.squareRoot(), numeric.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-3)
        return difference / scale
    }
}

/// A random tensor in [lower, upper) for tests.
public func random(_ shape: [Int], _ lower: Float = -1, _ upper: Float = 1, seed: UInt64) -> Tensor {
    Tensor.randomUniform(shape, lower: lower, upper: upper, seed: seed)
}

/// Whether `actual` matches `expected` elementwise within `tolerance` (relative above 1).
public func isClose(_ actual: Tensor, _ expected: [Float], tolerance: Float = 1e-5) -> Bool {
    actual.count == expected.count && zip(actual.scalars, expected).allSatisfy { a, e in
        a == e || (a.isNaN && e.isNaN) || abs(a - e) <= tolerance * max(1, abs(e))
    }
}
