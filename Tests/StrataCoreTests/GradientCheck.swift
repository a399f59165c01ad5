import Testing
@testable import StrataCore

/// Checks the reverse-mode gradient of `f` at `inputs` against central finite differences.
///
/// The scalar differentiated is Σ wᵢ·f(x)ᵢ with fixed random weights w (so a transposed or
/// mis-broadcast gradient cannot pass by symmetry), summed in double precision so the finite
/// differences are not drowned in float32 rounding. Passes when the relative error of the whole
/// gradient vector, ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖, 1e-3), is below `tolerance`.
func checkGradients(
    _ inputs: [Tensor], step: Float = 1e-2, tolerance: Double = 1e-2,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Tensor]) -> Tensor
) {
    let probe = f(inputs)
    let weights = Tensor.randomUniform(probe.shape, lower: 0.5, upper: 1.5, seed: 99)
    func weighted(_ xs: [Tensor]) -> Double {
        zip(f(xs).scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    let (_, analytic) = valueWithGradients(at: inputs) { xs in (f(xs) * weights).sum() }
    for (index, input) in inputs.enumerated() {
        var numeric = [Double](repeating: 0, count: input.count)
        for i in 0..<input.count {
            var plus = inputs, minus = inputs
            plus[index].withUnsafeMutableBufferPointer { $0[i] += step }
            minus[index].withUnsafeMutableBufferPointer { $0[i] -= step }
            numeric[i] = (weighted(plus) - weighted(minus)) / Double(2 * step)
        }
        #expect(analytic[index].shape == input.shape, "gradient shape of input \(index)", sourceLocation: sourceLocation)
        let a = analytic[index].scalars.map(Double.init)
        let difference = zip(a, numeric).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let scale = max(a.reduce(0) { $0 + $1 * $1 }.squareRoot(),
                        numeric.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-3)
        #expect(difference / scale < tolerance,
                "input \(index): analytic \(a.prefix(6)) vs numeric \(numeric.prefix(6))",
                sourceLocation: sourceLocation)
    }
}

/// Elementwise closeness with an absolute and a relative tolerance.
func expectClose(_ actual: Tensor, _ expected: [Float], shape: [Int]? = nil, tolerance: Float = 1e-5,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    if let shape { #expect(actual.shape == shape, sourceLocation: sourceLocation) }
    #expect(actual.count == expected.count, "count \(actual.count) vs \(expected.count)", sourceLocation: sourceLocation)
    for (a, e) in zip(actual.scalars, expected) {
        let ok = a == e || (a.isNaN && e.isNaN) || abs(a - e) <= tolerance * max(1, abs(e))
        #expect(ok, "\(a) vs expected \(e) in \(actual.scalars.prefix(8))", sourceLocation: sourceLocation)
        if !ok { return }
    }
}

/// A random tensor in [lower, upper) for tests.
func random(_ shape: [Int], _ lower: Float = -1, _ upper: Float = 1, seed: UInt64) -> Tensor {
    Tensor.randomUniform(shape, lower: lower, upper: upper, seed: seed)
}
