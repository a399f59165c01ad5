import StrataCore
import Testing

/// Expects the gradient of `f` at `inputs` to match finite differences (see `gradientErrors`).
public func checkGradients(_ inputs: [Tensor], step: Float = 1e-2, tolerance: Double = 1e-2,
                           sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor) {
    for (index, error) in gradientErrors(inputs, step: step, f).enumerated() {
        #expect(error < tolerance, "input \(index): relative gradient error \(error)", sourceLocation: sourceLocation)
    }
}

/// Expects `actual` to match `expected` elementwise.
public func expectClose(_ actual: Tensor, _ expected: [Float], shape: [Int]? = nil, tolerance: Float = 1e-5,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    if let shape { #expect(actual.shape == shape, sourceLocation: sourceLocation) }
    #expect(isClose(actual, expected, tolerance: tolerance), "\(actual.scalars.prefix(8)) vs \(expected.prefix(8))",
            sourceLocation: sourceLocation)
}
