import Foundation
import StrataTestSupport
import Testing
@testable import Strata

/// Double-precision references for every activation (Keras 3 definitions).
private let references: [(String, ActivationFunction, @Sendable (Double) -> Double)] = [
    ("linear", .linear, { $0 }),
    ("sigmoid", .sigmoid, { 1 / (1 + Foundation.exp(-$0)) }),
    ("hard_sigmoid", .hardSigmoid, { Swift.min(Swift.max($0 / 6 + 0.5, 0), 1) }),
    ("tanh", .tanh, { Foundation.tanh($0) }),
    ("relu", .relu, { Swift.max($0, 0) }),
    ("relu6-ish", .relu(negativeSlope: 0.1, maxValue: 6, threshold: 1), { $0 > 1 ? Swift.min($0, 6) : 0.1 * ($0 - 1) }),
    ("leaky_relu", .leakyRelu, { $0 > 0 ? $0 : 0.2 * $0 }),
    ("elu", .elu, { $0 > 0 ? $0 : Foundation.expm1($0) }),
    ("selu", .selu, { 1.0507009873554805 * ($0 > 0 ? $0 : 1.6732632423543772 * Foundation.expm1($0)) }),
    ("gelu exact", .gelu, { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }),
    ("gelu tanh", .gelu(approximate: true), { 0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) }),
    ("swish", .swish, { $0 / (1 + Foundation.exp(-$0)) }),
    ("softplus", .softplus, { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) }),
    ("softsign", .softsign, { $0 / (1 + Swift.abs($0)) }),
]

@Suite("Activations")
struct ActivationTests {
    static let edges: [Float] = [-1e4, -100, -20, -3, -1, -1e-6, 0, 1e-6, 0.5, 1, 3, 20, 100, 1e4]

    @Test func valuesMatchKerasFormulasIncludingEdges() {
        let x = Tensor(Self.edges)
        for (name, activation, reference) in references {
            let y = activation(x)
            for (input, output) in zip(Self.edges, y.scalars) {
                let expected = Float(reference(Double(input)))
                #expect(output.isFinite, "\(name)(\(input)) = \(output)")
                // Relative precision everywhere, also for tiny results (tanh, elu, softplus near 0);
                // GELU's 1 + erf (or 1 + tanh) cancels in its negative tail, as in float32 Keras, so
                // it is held to an absolute 2e-7 there.
                let slack: Float = name.hasPrefix("gelu") ? 2e-7 : 1e-30
                #expect(Swift.abs(output - expected) <= 5e-6 * Swift.abs(expected) + slack,
                        "\(name)(\(input)) = \(output), expected \(expected)")
            }
        }
    }

    @Test func gradientsMatchFiniteDifferences() {
        // Away from kinks (0, ±3 for hard sigmoid, the relu threshold and cap).
        let x = Tensor([-2.5, -1.3, -0.4, 0.35, 0.8, 1.7, 2.4])
        for (name, activation, _) in references where name != "relu6-ish" {
            let error = gradientErrors([x], step: 1e-3) { activation($0[0]) }[0]
            #expect(error < 1e-2, "\(name): gradient error \(error)")
        }
        checkGradients([Tensor([0.3, 2.2, 4.5, 7.1, -0.4])], step: 1e-3) {
            ActivationFunction.relu(negativeSlope: 0.1, maxValue: 6, threshold: 1)($0[0])
        }
        let logits = random([3, 5], -3, 3, seed: 4)
        checkGradients([logits]) { softmax($0[0]) }
        checkGradients([logits]) { logSoftmax($0[0], axis: 0) }
    }

    @Test func gradientsStayFiniteWhenSaturated() {
        let x = Tensor([-1e4, -50, 50, 1e4])
        for (name, activation, _) in references {
            let (_, g) = valueWithGradient(at: x) { activation($0).sum() }
            #expect(g.scalars.allSatisfy { $0.isFinite }, "\(name): gradient \(g.scalars)")
        }
        let (_, g) = valueWithGradient(at: Tensor(shape: [1, 3], scalars: [1e4, -1e4, 0])) { softmax($0).sum() }
        #expect(g.scalars.allSatisfy { $0.isFinite })
    }

    @Test func softmaxAndLogSoftmax() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 1000, 1000, -1000])
        let p = softmax(x)
        let e1 = Foundation.exp(1.0), e2 = Foundation.exp(2.0), e3 = Foundation.exp(3.0)
        let s = e1 + e2 + e3
        expectClose(p, [Float(e1 / s), Float(e2 / s), Float(e3 / s), 0.5, 0.5, 0], tolerance: 1e-6)
        expectClose(logSoftmax(x), [Float(1 - Foundation.log(s) - 0), Float(2 - Foundation.log(s)), Float(3 - Foundation.log(s)),
                                    Float(-Foundation.log(2.0)), Float(-Foundation.log(2.0)), -2000 - Float(Foundation.log(2.0))],
                    tolerance: 1e-5)
        expectClose(softmax(x, axis: 0).sum(axes: [0]), [1, 1, 1])
    }

    @Test func configRoundTrip() throws {
        for (name, activation, _) in references {
            #expect(try ActivationFunction(config: activation.config) == activation, "\(name)")
        }
        #expect(ActivationFunction.relu.config == .string("relu"))
        // Keras 3: the string "gelu" is the exact GELU (`approximate=False` by default).
        #expect(try ActivationFunction(config: .string("gelu")) == .gelu(approximate: false))
        #expect(ActivationFunction.gelu.config == .string("gelu"))
        #expect(ActivationFunction.gelu(approximate: true).config == .object(["name": .string("gelu"), "approximate": .bool(true)]))
        #expect(try ActivationFunction(config: .object(["name": .string("gelu")])) == .gelu)
        #expect(try ActivationFunction(config: .string("swish")) == .swish)
        #expect(throws: StrataError.self) { try ActivationFunction(config: .string("nope")) }
    }
}
