import StrataCore

/// Relative error of the reverse-mode gradient of `f` at `inputs` against central finite
/// differences, one value per input.
///
/// The scalar differentiated is Σ wᵢ·f(x)ᵢ with fixed random weights w (so a transposed or
/// mis-broadcast gradient cannot pass by symmetry), summed in double precision so the finite
/// differences are not drowned in float32 rounding. The error of input i is
/// ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖, 1e-3) over all its elements.
public func gradientErrors(_ inputs: [Tensor], step: Float = 1e-2, _ f: ([Tensor]) -> Tensor) -> [Double] {
    var current = inputs
    let weights = Tensor.randomUniform(f(inputs).shape, lower: 0.5, upper: 1.5, seed: 99)
    let (_, analytic) = valueWithGradients(at: inputs) { xs in (f(xs) * weights).sum() }
    return compare(analytic: analytic, shapes: inputs.map(\.shape), step: step,
                   weighted: { weightedSum(f(current), weights) },
                   perturb: { index, i, delta in current[index].withUnsafeMutableBufferPointer { $0[i] += delta } })
}

/// The same check for the gradient with respect to variables, as `valueWithGradients(of:)`
/// computes it; `f` reads the variables.
public func variableGradientErrors(_ variables: [Variable], step: Float = 1e-2, _ f: () -> Tensor) -> [Double] {
    let weights = Tensor.randomUniform(f().shape, lower: 0.5, upper: 1.5, seed: 99)
    let (_, analytic) = valueWithGradients(of: variables) { (f() * weights).sum() }
    return compare(analytic: analytic, shapes: variables.map(\.shape), step: step,
                   weighted: { weightedSum(f(), weights) },
                   perturb: { index, i, delta in
                       variables[index].update { $0.withUnsafeMutableBufferPointer { $0[i] += delta } }
                   })
}

private func weightedSum(_ y: Tensor, _ weights: Tensor) -> Double {
    zip(y.scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}

private func compare(analytic: [Tensor], shapes: [[Int]], step: Float, weighted: () -> Double,
                     perturb: (_ input: Int, _ element: Int, _ delta: Float) -> Void) -> [Double] {
    shapes.indices.map { index in
        guard analytic[index].shape == shapes[index] else { return .infinity }
        let count = shapes[index].reduce(1, *)
        var numeric = [Double](repeating: 0, count: count)
        for i in 0..<count {
            perturb(index, i, step)
            let plus = weighted()
            perturb(index, i, -2 * step)
            let minus = weighted()
            perturb(index, i, step)
            numeric[i] = (plus - minus) / Double(2 * step)
        }
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
