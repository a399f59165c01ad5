import StrataTestSupport
import Testing
@testable import Strata

@Suite("A 20-layer MLP with every activation")
struct DeepNetworkTests {
    static let activations: [ActivationFunction] = [
        .linear, .sigmoid, .hardSigmoid, .tanh, .relu, .leakyRelu, .elu, .selu, .gelu, .gelu(approximate: false),
        .swish, .softplus, .softsign, .softmax, .logSoftmax,
    ]

    @Test(arguments: activations)
    func forwardAndBackwardStayFinite(activation: ActivationFunction) {
        Random.withSeed(7) {
            let layers = (0..<20).map { _ in
                Dense(32, activation: activation, kernelInitializer: activation == .selu ? .lecunNormal : .glorotUniform)
            }
            let x = Tensor.randomNormal([16, 32], seed: 1) * 3
            let variables = { layers.flatMap(\.trainableVariables) }
            _ = layers.reduce(x) { $1($0) }          // build
            let (loss, gradients) = valueWithGradients(of: variables()) {
                let y = layers.reduce(x) { $1($0, training: true) }
                return square(y).mean()
            }
            #expect(loss.scalar.isFinite, "\(activation.config): loss \(loss.scalar)")
            #expect(gradients.count == 40)
            for (variable, gradient) in zip(variables(), gradients) {
                #expect(gradient.scalars.allSatisfy { $0.isFinite }, "\(activation.config): \(variable.name) gradient not finite")
            }
        }
    }
}

extension ActivationFunction: CustomTestStringConvertible {
    public var testDescription: String { "\(config)" }
}
