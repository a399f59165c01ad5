import StrataTestSupport
import Testing
@testable import Strata

/// One layer under the generic contract: how to make it, what it is fed, what must come out.
struct LayerCase: CustomTestStringConvertible, @unchecked Sendable {
    let make: () -> Layer
    let inputShape: [Int]
    let outputShape: [Int]
    let trainable: Int
    let nonTrainable: Int
    /// Whether its training-mode output is deterministic (so finite differences apply there).
    var deterministicInTraining = true

    var testDescription: String { "\(type(of: make()).typeName) on \(inputShape)" }
}

/// Keras' `run_layer_test`, for every built-in layer: build, output shape, variable counts,
/// config round trip, a gradient step, inference determinism.
@Suite("Layer contract")
struct LayerContractTests {
    static let cases: [LayerCase] = [
        LayerCase(make: { Dense(5, activation: .tanh) }, inputShape: [3], outputShape: [5], trainable: 2, nonTrainable: 0),
        LayerCase(make: { Dense(4, useBias: false, kernelRegularizer: .l2(0.1)) }, inputShape: [2, 3], outputShape: [2, 4], trainable: 1, nonTrainable: 0),
        LayerCase(make: { Flatten() }, inputShape: [2, 3], outputShape: [6], trainable: 0, nonTrainable: 0),
        LayerCase(make: { Reshape([3, -1]) }, inputShape: [6], outputShape: [3, 2], trainable: 0, nonTrainable: 0),
        LayerCase(make: { Activation(.elu) }, inputShape: [4], outputShape: [4], trainable: 0, nonTrainable: 0),
        LayerCase(make: { ReLU(maxValue: 6, negativeSlope: 0.1) }, inputShape: [4], outputShape: [4], trainable: 0, nonTrainable: 0),
        LayerCase(make: { LeakyReLU() }, inputShape: [4], outputShape: [4], trainable: 0, nonTrainable: 0),
        LayerCase(make: { PReLU(alphaInitializer: .constant(0.25)) }, inputShape: [4], outputShape: [4], trainable: 1, nonTrainable: 0),
        LayerCase(make: { PReLU(sharedAxes: [1]) }, inputShape: [3, 4], outputShape: [3, 4], trainable: 1, nonTrainable: 0),
        LayerCase(make: { ELU(alpha: 0.5) }, inputShape: [4], outputShape: [4], trainable: 0, nonTrainable: 0),
        LayerCase(make: { Softmax() }, inputShape: [4], outputShape: [4], trainable: 0, nonTrainable: 0),
        LayerCase(make: { BatchNormalization() }, inputShape: [4], outputShape: [4], trainable: 2, nonTrainable: 2),
        LayerCase(make: { BatchNormalization(axis: 1, center: false) }, inputShape: [3, 2], outputShape: [3, 2], trainable: 1, nonTrainable: 2),
        LayerCase(make: { LayerNormalization() }, inputShape: [4], outputShape: [4], trainable: 2, nonTrainable: 0),
        LayerCase(make: { Dropout(0.3, seed: 1) }, inputShape: [4], outputShape: [4], trainable: 0, nonTrainable: 0, deterministicInTraining: false),
        LayerCase(make: { AlphaDropout(0.2, seed: 1) }, inputShape: [4], outputShape: [4], trainable: 0, nonTrainable: 0, deterministicInTraining: false),
        LayerCase(make: { GaussianNoise(0.1, seed: 1) }, inputShape: [4], outputShape: [4], trainable: 0, nonTrainable: 0, deterministicInTraining: false),
        LayerCase(make: { Normalization(mean: [1, 2, 3, 4], variance: [1, 4, 0.25, 2]) }, inputShape: [4], outputShape: [4],
                  trainable: 0, nonTrainable: 2),
        LayerCase(make: { Conv2D(3, kernelSize: [2, 3], activation: .sigmoid) }, inputShape: [5, 6, 2], outputShape: [4, 4, 3], trainable: 2, nonTrainable: 0),
        LayerCase(make: { Conv2D(4, kernelSize: [3, 3], strides: [2, 2], padding: .same, groups: 2, activation: .tanh) }, inputShape: [5, 5, 2],
                  outputShape: [3, 3, 4], trainable: 2, nonTrainable: 0),
        LayerCase(make: { Conv2D(2, kernelSize: [2, 2], padding: .same, dilationRate: [2, 1], activation: .elu, useBias: false,
                                 kernelRegularizer: .l2(0.01)) }, inputShape: [4, 5, 3], outputShape: [4, 5, 2], trainable: 1, nonTrainable: 0),
        LayerCase(make: { Conv2D(3, kernelSize: [1, 1]) }, inputShape: [3, 3, 4], outputShape: [3, 3, 3], trainable: 2, nonTrainable: 0),
        LayerCase(make: { Conv1D(3, kernelSize: 3, padding: .causal, dilationRate: 2) }, inputShape: [7, 2], outputShape: [7, 3], trainable: 2, nonTrainable: 0),
        LayerCase(make: { Conv1D(2, kernelSize: 2, strides: 2, activation: .gelu) }, inputShape: [7, 3], outputShape: [3, 2], trainable: 2, nonTrainable: 0),
        LayerCase(make: { MaxPooling2D(poolSize: [2, 2], strides: [1, 1], padding: .same) }, inputShape: [3, 4, 2], outputShape: [3, 4, 2], trainable: 0, nonTrainable: 0),
        LayerCase(make: { AveragePooling2D(poolSize: [3, 2], padding: .same) }, inputShape: [5, 5, 2], outputShape: [2, 3, 2], trainable: 0, nonTrainable: 0),
        LayerCase(make: { MaxPooling1D(poolSize: 3, strides: 2) }, inputShape: [7, 2], outputShape: [3, 2], trainable: 0, nonTrainable: 0),
        LayerCase(make: { AveragePooling1D() }, inputShape: [6, 3], outputShape: [3, 3], trainable: 0, nonTrainable: 0),
        LayerCase(make: { GlobalAveragePooling2D() }, inputShape: [3, 4, 2], outputShape: [2], trainable: 0, nonTrainable: 0),
        LayerCase(make: { GlobalMaxPooling2D(keepdims: true) }, inputShape: [3, 4, 2], outputShape: [1, 1, 2], trainable: 0, nonTrainable: 0),
        LayerCase(make: { GlobalAveragePooling1D() }, inputShape: [5, 3], outputShape: [3], trainable: 0, nonTrainable: 0),
        LayerCase(make: { GlobalMaxPooling1D() }, inputShape: [5, 3], outputShape: [3], trainable: 0, nonTrainable: 0),
        LayerCase(make: { BatchNormalization() }, inputShape: [3, 3, 2], outputShape: [3, 3, 2], trainable: 2, nonTrainable: 2),
        LayerCase(make: { DepthwiseConv2D(kernelSize: [3, 3], padding: .same, depthMultiplier: 2, activation: .tanh) }, inputShape: [4, 5, 3],
                  outputShape: [4, 5, 6], trainable: 2, nonTrainable: 0),
        LayerCase(make: { DepthwiseConv2D(kernelSize: [2, 2], strides: [2, 2], useBias: false) }, inputShape: [5, 5, 2],
                  outputShape: [2, 2, 2], trainable: 1, nonTrainable: 0),
        LayerCase(make: { SeparableConv2D(4, kernelSize: [3, 3], padding: .same, depthMultiplier: 2, activation: .sigmoid) }, inputShape: [4, 4, 3],
                  outputShape: [4, 4, 4], trainable: 3, nonTrainable: 0),
        LayerCase(make: { Conv2DTranspose(3, kernelSize: [3, 3], strides: [2, 2], padding: .same, activation: .tanh) }, inputShape: [3, 4, 2],
                  outputShape: [6, 8, 3], trainable: 2, nonTrainable: 0),
        LayerCase(make: { Conv2DTranspose(2, kernelSize: [2, 3], strides: [3, 1]) }, inputShape: [3, 3, 2], outputShape: [9, 5, 2],
                  trainable: 2, nonTrainable: 0),
        LayerCase(make: { Conv2DTranspose(2, kernelSize: [3, 3], strides: [2, 2], padding: .same, outputPadding: [0, 1], dilationRate: [1, 1]) },
                  inputShape: [3, 3, 1], outputShape: [5, 6, 2], trainable: 2, nonTrainable: 0),
        LayerCase(make: { ZeroPadding2D(padding: [[1, 2], [0, 3]]) }, inputShape: [2, 3, 2], outputShape: [5, 6, 2], trainable: 0, nonTrainable: 0),
        LayerCase(make: { Cropping2D(cropping: [[1, 0], [1, 2]]) }, inputShape: [4, 5, 2], outputShape: [3, 2, 2], trainable: 0, nonTrainable: 0),
        LayerCase(make: { UpSampling2D(size: [2, 3]) }, inputShape: [2, 2, 3], outputShape: [4, 6, 3], trainable: 0, nonTrainable: 0),
        LayerCase(make: { SpatialDropout2D(0.5, seed: 3) }, inputShape: [3, 3, 4], outputShape: [3, 3, 4], trainable: 0, nonTrainable: 0,
                  deterministicInTraining: false),
        LayerCase(make: { SpatialDropout1D(0.3, seed: 3) }, inputShape: [5, 4], outputShape: [5, 4], trainable: 0, nonTrainable: 0,
                  deterministicInTraining: false),
        LayerCase(make: { RandomFlip(seed: 1) }, inputShape: [4, 5, 2], outputShape: [4, 5, 2], trainable: 0, nonTrainable: 0,
                  deterministicInTraining: false),
        LayerCase(make: { RandomTranslation(heightFactor: 0.2, widthFactor: [-0.1, 0.3], fillMode: .wrap, seed: 2) }, inputShape: [4, 5, 2],
                  outputShape: [4, 5, 2], trainable: 0, nonTrainable: 0, deterministicInTraining: false),
        LayerCase(make: { RandomRotation(0.1, fillMode: .constant, interpolation: .nearest, seed: 3) }, inputShape: [4, 5, 2],
                  outputShape: [4, 5, 2], trainable: 0, nonTrainable: 0, deterministicInTraining: false),
        LayerCase(make: { RandomZoom(heightFactor: 0.2, widthFactor: 0.1, seed: 4) }, inputShape: [4, 5, 2], outputShape: [4, 5, 2],
                  trainable: 0, nonTrainable: 0, deterministicInTraining: false),
        LayerCase(make: { RandomCrop(height: 3, width: 4, seed: 5) }, inputShape: [5, 6, 2], outputShape: [3, 4, 2], trainable: 0,
                  nonTrainable: 0, deterministicInTraining: false),
        LayerCase(make: { RandomContrast(0.3, valueRange: -3...3, seed: 6) }, inputShape: [4, 5, 2], outputShape: [4, 5, 2], trainable: 0,
                  nonTrainable: 0, deterministicInTraining: false),
        LayerCase(make: { RandomBrightness(0.2, valueRange: -3...3, seed: 7) }, inputShape: [4, 5, 2], outputShape: [4, 5, 2], trainable: 0,
                  nonTrainable: 0, deterministicInTraining: false),
        LayerCase(make: { Rescaling(0.5, offset: 1) }, inputShape: [3, 2], outputShape: [3, 2], trainable: 0, nonTrainable: 0),
        LayerCase(make: { Resizing(height: 3, width: 7) }, inputShape: [4, 5, 2], outputShape: [3, 7, 2], trainable: 0, nonTrainable: 0),
        LayerCase(make: { CenterCrop(height: 2, width: 3) }, inputShape: [4, 5, 2], outputShape: [2, 3, 2], trainable: 0, nonTrainable: 0),
    ]

    @Test(arguments: cases)
    func contract(_ layerCase: LayerCase) throws {
        let layer = layerCase.make()
        let x = random([5] + layerCase.inputShape, -2, 2, seed: 3)

        // Build and shapes.
        #expect(!layer.isBuilt)
        let y = layer(x)
        #expect(layer.isBuilt && layer.inputShape == layerCase.inputShape)
        #expect(y.shape == [5] + layerCase.outputShape)
        #expect(layer.outputShape(for: layerCase.inputShape) == layerCase.outputShape)
        #expect(layer.trainableVariables.count == layerCase.trainable)
        #expect(layer.nonTrainableVariables.count == layerCase.nonTrainable)
        #expect(layer.variables.allSatisfy { $0.name.hasPrefix(layer.name + "/") })

        // Inference is deterministic.
        #expect(layer(x) == y)

        // Config round trip: same config, and with the same weights the same outputs.
        let rebuilt = try Layer.from(config: layer.config)
        #expect(rebuilt.config == layer.config)
        #expect(type(of: rebuilt) == type(of: layer))
        try rebuilt.build(inputShape: layerCase.inputShape)
        #expect(rebuilt.variables.map(\.shape) == layer.variables.map(\.shape))
        for (target, source) in zip(rebuilt.variables, layer.variables) { target.value = source.value }
        #expect(rebuilt(x) == y)

        // A training step: every trainable variable gets a finite gradient of the right shape.
        let (loss, gradients) = valueWithGradients(of: layer.trainableVariables) {
            let out = layer(x, training: true)
            return (out * out).sum() + layer.regularizationLosses.reduce(Tensor(0), +)
        }
        #expect(loss.scalar.isFinite)
        for (variable, gradient) in zip(layer.trainableVariables, gradients) {
            #expect(gradient.shape == variable.shape)
            #expect(gradient.scalars.allSatisfy { $0.isFinite })
        }

        // Gradients with respect to input and weights against finite differences.
        let training = layerCase.deterministicInTraining
        let inputErrors = gradientErrors([x]) { layer.call($0[0], training: training) }
        let weightErrors = variableGradientErrors(layer.trainableVariables) { layer.call(x, training: training) }
        #expect((inputErrors + weightErrors).allSatisfy { $0 < 2e-2 }, "gradient errors \(inputErrors) \(weightErrors)")
    }

    @Test func namesAreUniqueAndKerasStyle() {
        let a = Dense(3), b = Dense(3), c = BatchNormalization(), d = LeakyReLU()
        #expect(a.name != b.name)
        #expect(a.name.hasPrefix("dense") && b.name.hasPrefix("dense_"))
        #expect(c.name.hasPrefix("batch_normalization"))
        #expect(d.name.hasPrefix("leaky_re_lu"))
        #expect(Dense(3, name: "output").name == "output")
    }

    @Test func eagerBuildFromInputShape() throws {
        let layer = Dense(7, inputShape: [11])
        #expect(layer.isBuilt && layer.parameterCount == 11 * 7 + 7)
        #expect(throws: StrataError.self) { try layer.build(inputShape: [12]) }
        #expect(throws: StrataError.self) { try Reshape([5], inputShape: [6]).build(inputShape: [6]) }
        #expect(throws: StrataError.self) { try Dropout(1).build(inputShape: [3]) }
        #expect(throws: StrataError.self) { try Dense(3).build(inputShape: []) }
        #expect(throws: StrataError.self) { try BatchNormalization(axis: 0).build(inputShape: [3]) }
        #expect(throws: StrataError.self) { try Layer.from(config: .object(["class_name": .string("Nope"), "config": .object([:])])) }
    }
}

/// A user's layer in 15 lines: a learned per-feature scale. It builds, trains, and round-trips
/// through configs once registered.
final class Scale: Layer, ConfigurableLayer {
    var factor: Variable?
    override init(name: String? = nil, inputShape: [Int]? = nil) { super.init(name: name, inputShape: inputShape) }
    convenience init(config: ConfigValue) throws {
        guard case .object(let values) = config, case .string(let name)? = values["name"] else {
            throw StrataError.invalidArgument("missing name", context: "Scale")
        }
        self.init(name: name)
    }
    override func build(for inputShape: [Int]) throws {
        factor = try addWeight("factor", shape: [inputShape.last!], initializer: .constant(2))
    }
    override func call(_ x: Tensor, training: Bool) -> Tensor { x * factor!.value }
}

@Suite("Custom layers")
struct CustomLayerTests {
    @Test func userLayerWorksLikeABuiltIn() throws {
        LayerRegistry.register(Scale.self)
        let layers: [Layer] = [Dense(3, activation: .relu), Scale(), Dense(1)]
        let x = random([4, 2], seed: 1)
        let y = layers.reduce(x) { $1($0) }
        #expect(y.shape == [4, 1])
        let scale = layers[1] as! Scale
        #expect(scale.trainableVariables.count == 1 && scale.factor!.value.scalars == [2, 2, 2])
        let (_, gradients) = valueWithGradients(of: layers.flatMap(\.trainableVariables)) {
            layers.reduce(x) { $1($0, training: true) }.sum()
        }
        #expect(gradients.count == 5)
        let copy = try Layer.from(config: scale.config)
        #expect(copy is Scale && copy.name == scale.name)
    }
}
