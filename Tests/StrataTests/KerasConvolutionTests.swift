import Foundation
import Testing
@testable import Strata

/// Keras 3's own outputs and input gradients (TensorFlow backend) for the convolution, pooling
/// and spatial layers at their semantic edges — odd "same" padding, strides above the kernel,
/// dilation, groups, causal padding, the depthwise channel order, the transposed convolution's
/// sizes and cropping, pooling ties and "same" padding — written by
/// `Tests/Fixtures/keras_conv.py` into `keras-conv.json`. Each layer is rebuilt from Keras' own
/// config, given Keras' weights, and must give Keras' output and gradient.
@Suite("Convolution and pooling against Keras 3 itself")
struct KerasConvolutionTests {
    struct Weight: Decodable { let shape: [Int]; let values: [Float] }

    struct Case: Decodable, CustomTestStringConvertible, Sendable {
        let name: String
        let className: String
        let config: ConfigValue
        let inputShape: [Int]
        let input: [Float]
        let weights: [Weight]
        let outputShape: [Int]
        let output: [Float]
        let sumWeights: [Float]
        let inputGradient: [Float]
        enum CodingKeys: String, CodingKey {
            case name, config, input, weights, output
            case className = "class_name", inputShape = "input_shape", outputShape = "output_shape"
            case sumWeights = "sum_weights", inputGradient = "input_gradient"
        }
        var testDescription: String { name }
    }

    struct Fixture: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/keras-conv.json")
        return (try? JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)).cases) ?? []
    }()

    @Test func theFixtureIsComplete() {
        #expect(Self.cases.count == 24)
    }

    @Test(arguments: cases)
    func matchesKeras(_ keras: Case) throws {
        let layer = try Layer.from(config: .object(["class_name": .string(keras.className), "config": keras.config]))
        let x = Tensor(shape: keras.inputShape, scalars: keras.input)
        try layer.build(inputShape: Array(keras.inputShape.dropFirst()))
        try layer.setWeights(keras.weights.map { Tensor(shape: $0.shape, scalars: $0.values) })
        let y = layer(x)
        #expect(y.shape == keras.outputShape, "\(keras.name)")
        guard y.shape == keras.outputShape else { return }
        let scale = max(1, keras.output.map(abs).max() ?? 1)
        let outputError = zip(y.scalars, keras.output).map { abs($0 - $1) }.max() ?? 0
        #expect(outputError <= 1e-5 * scale, "\(keras.name): output differs by \(outputError)")
        let sumWeights = Tensor(shape: keras.outputShape, scalars: keras.sumWeights)
        let (_, gradients) = valueWithGradients(at: [x]) { (layer($0[0]) * sumWeights).sum() }
        let gradientScale = max(1, keras.inputGradient.map(abs).max() ?? 1)
        let gradientError = zip(gradients[0].scalars, keras.inputGradient).map { abs($0 - $1) }.max() ?? 0
        #expect(gradientError <= 1e-5 * gradientScale, "\(keras.name): input gradient differs by \(gradientError)")
    }
}
