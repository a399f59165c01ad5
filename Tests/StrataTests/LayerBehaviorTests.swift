import Foundation
import StrataTestSupport
import Testing
@testable import Strata

@Suite("Layer behavior")
struct LayerBehaviorTests {
    @Test func denseComputesXWPlusB() {
        let dense = Dense(2, inputShape: [3])
        dense.kernel!.value = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        dense.bias!.value = Tensor([0.5, -1])
        let y = dense(Tensor(shape: [2, 3], scalars: [1, 0, -1, 2, 1, 0]))
        #expect(y.scalars == [-3.5, -5, 5.5, 7])   // [1·1 − 5, 2 − 6] + b; [2 + 3, 4 + 4] + b
        #expect(dense.parameterCount == 8)
    }

    @Test(arguments: [ActivationFunction.linear, .relu, .tanh, .sigmoid, .elu])
    func fusedDenseMatchesComposedOps(activation: ActivationFunction) {
        let dense = Dense(6, activation: activation, inputShape: [5])
        let x = random([7, 5], -2, 2, seed: 11)
        let composed: () -> Tensor = { activation(matmul(x, dense.kernel!.value) + dense.bias!.value) }
        let fused: () -> Tensor = { dense(x, training: true) }
        #expect(isClose(fused(), composed().scalars, tolerance: 1e-6))
        let variables = dense.trainableVariables
        let (_, fusedGradients) = valueWithGradients(of: variables) { (fused() * x.sum(axes: [1], keepDims: true)).sum() }
        let (_, composedGradients) = valueWithGradients(of: variables) { (composed() * x.sum(axes: [1], keepDims: true)).sum() }
        for (a, b) in zip(fusedGradients, composedGradients) { #expect(isClose(a, b.scalars, tolerance: 1e-5)) }
        let (_, inputFused) = valueWithGradient(at: x) { dense($0, training: true).sum() }
        let (_, inputComposed) = valueWithGradient(at: x) { activation(matmul($0, dense.kernel!.value) + dense.bias!.value).sum() }
        #expect(isClose(inputFused, inputComposed.scalars, tolerance: 1e-5))
    }

    @Test func batchNormalizationTrainingInferenceAndMovingStatistics() {
        let bn = BatchNormalization(inputShape: [2])
        bn.gamma!.value = Tensor([2, 1])
        bn.beta!.value = Tensor([0, 10])
        let x = Tensor(shape: [4, 2], scalars: [1, 10, 2, 20, 3, 30, 6, 40])
        let y = bn(x, training: true)
        // Feature 0: mean 3, biased variance 3.5.
        let scale0 = 1 / Float(3.5 + 1e-3).squareRoot()
        expectClose(y.slice(axis: 1, 0..<1), [1, 2, 3, 6].map { 2 * ($0 - 3) * scale0 }, tolerance: 1e-5)
        expectClose(y.mean(axes: [0]), [0, 10], tolerance: 1e-5)
        // moving = 0.99 · old + 0.01 · batch (old mean 0, old variance 1).
        expectClose(bn.movingMean!.value, [0.01 * 3, 0.01 * 25], tolerance: 1e-6)
        expectClose(bn.movingVariance!.value, [0.99 + 0.01 * 3.5, 0.99 + 0.01 * 125], tolerance: 1e-6)
        // Inference uses the moving statistics and changes nothing.
        let before = bn.movingMean!.value
        let z = bn(x, training: false)
        let mm = bn.movingMean!.value.scalars, mv = bn.movingVariance!.value.scalars
        expectClose(z.slice(axis: 1, 0..<1), [1, 2, 3, 6].map { 2 * ($0 - mm[0]) / (mv[0] + 1e-3).squareRoot() }, tolerance: 1e-5)
        #expect(bn.movingMean!.value == before)
        // Frozen (trainable = false) layers run in inference mode even in training, as in Keras.
        bn.trainable = false
        #expect(bn(x, training: true) == z)
    }

    @Test func batchNormalizationGradientThroughBatchStatistics() {
        let bn = BatchNormalization(inputShape: [3])
        bn.gamma!.value = Tensor([1.5, 0.5, -1])
        let x = random([6, 3], -2, 2, seed: 8)
        checkGradients([x]) { bn($0[0], training: true) }
        #expect(variableGradientErrors(bn.trainableVariables) { bn(x, training: true) }.allSatisfy { $0 < 1e-2 })
        // The batch-statistics gradient differs from treating mean and variance as constants.
        let (_, through) = valueWithGradient(at: x) { (bn($0, training: true) * x).sum() }
        let (_, constant) = valueWithGradient(at: x) { (bn($0, training: false) * x).sum() }
        #expect(through != constant)
    }

    /// The fused kernels (features on the last axis) against the composed operations (the same
    /// features on axis 1 of `[n, features, 1]`): outputs, moving statistics and all gradients,
    /// with enough features to be split across threads.
    @Test(arguments: [(true, true), (false, true), (true, false)])
    func fusedBatchNormalizationMatchesComposed(scale: Bool, center: Bool) throws {
        let (rows, features) = (40, 3000)
        let fused = BatchNormalization(center: center, scale: scale)
        let composed = BatchNormalization(axis: 1, center: center, scale: scale)
        try fused.build(for: [features])
        try composed.build(for: [features, 1])
        let gamma = random([features], 0.5, 2, seed: 3), beta = random([features], -1, 1, seed: 4)
        for layer in [fused, composed] {
            layer.gamma?.value = gamma
            layer.beta?.value = beta
        }
        let x = random([rows, features], -3, 5, seed: 5)
        let weights = random([rows, features], -1, 1, seed: 6)
        func loss(_ layer: BatchNormalization, _ input: Tensor, _ shape: [Int]) -> Tensor {
            (layer(input.reshaped(to: shape), training: true).reshaped(to: [rows, features]) * weights).sum()
        }
        let (valueF, gradF) = valueWithGradient(at: x) { loss(fused, $0, [rows, features]) }
        let (valueC, gradC) = valueWithGradient(at: x) { loss(composed, $0, [rows, features, 1]) }
        #expect(abs(valueF.scalar - valueC.scalar) <= 1e-3 * max(1, abs(valueC.scalar)))
        #expect(isClose(gradF, gradC.scalars, tolerance: 1e-4))
        #expect(isClose(fused.movingMean!.value, composed.movingMean!.value.scalars, tolerance: 1e-5))
        #expect(isClose(fused.movingVariance!.value, composed.movingVariance!.value.scalars, tolerance: 1e-4))
        let (_, weightsF) = valueWithGradients(of: fused.trainableVariables) { loss(fused, x, [rows, features]) }
        let (_, weightsC) = valueWithGradients(of: composed.trainableVariables) { loss(composed, x, [rows, features, 1]) }
        #expect(weightsF.count == weightsC.count)
        for (a, b) in zip(weightsF, weightsC) { #expect(isClose(a, b.scalars, tolerance: 1e-3)) }
        // Inference mode: the folded scale and shift.
        let inferenceF = fused(x, training: false)
        let inferenceC = composed(x.reshaped(to: [rows, features, 1]), training: false).reshaped(to: [rows, features])
        #expect(isClose(inferenceF, inferenceC.scalars, tolerance: 1e-4))
    }

    @Test func dropoutScalesKeptInputsAndIsIdentityAtInference() {
        let dropout = Dropout(0.25, seed: 42)
        let x = Tensor.ones([200, 100])
        let y = dropout(x, training: true)
        let zeros = y.scalars.filter { $0 == 0 }.count
        #expect(abs(Double(zeros) / 20_000 - 0.25) < 0.02)
        #expect(y.scalars.allSatisfy { $0 == 0 || abs($0 - 1 / 0.75) < 1e-6 })
        #expect(abs(y.mean().scalar - 1) < 0.03)
        #expect(dropout(x, training: false) == x)
        #expect(dropout(x, training: true) != y, "each call draws a new mask")
        #expect(Dropout(0.25, seed: 42)(x, training: true) == y, "same seed, same masks")
    }

    @Test func alphaDropoutKeepsSELUStatistics() {
        let x = Tensor.randomNormal([400, 250], seed: 5)
        let y = AlphaDropout(0.2, seed: 3)(x, training: true)
        #expect(abs(y.mean().scalar) < 0.02)
        #expect(abs(y.variance().scalar - 1) < 0.03)
        #expect(AlphaDropout(0.2)(x) == x)
    }

    @Test func gaussianNoiseAddsNoiseOfTheRequestedSpread() {
        let x = Tensor.ones([300, 300])
        let noise = GaussianNoise(0.5, seed: 2)(x, training: true) - x
        #expect(abs(noise.mean().scalar) < 0.01)
        #expect(abs(noise.variance().scalar.squareRoot() - 0.5) < 0.01)
        #expect(GaussianNoise(0.5)(x) == x)
    }

    @Test func preluLearnsItsSlope() {
        let prelu = PReLU(inputShape: [2])
        #expect(prelu.alpha!.value.scalars == [0, 0], "Keras' default α is zeros")
        prelu.alpha!.value = Tensor([0.1, 0.2])
        #expect(prelu(Tensor(shape: [1, 2], scalars: [-10, 3])).scalars == [-1, 3])
        let (_, gradients) = valueWithGradients(of: prelu.trainableVariables) {
            prelu(Tensor(shape: [2, 2], scalars: [-1, -2, 4, -3])).sum()
        }
        #expect(gradients[0].scalars == [-1, -5])
    }

    @Test func layerNormalizationNormalizesEachSample() {
        let ln = LayerNormalization()
        let y = ln(Tensor(shape: [2, 4], scalars: [1, 2, 3, 4, 10, 10, 20, 20]))
        expectClose(y.mean(axes: [1]), [0, 0], tolerance: 1e-5)
        let variance = y.variance(axes: [1]).scalars
        #expect(abs(variance[0] - 1.25 / (1.25 + 1e-3)) < 1e-4 && abs(variance[1] - 25 / (25 + 1e-3)) < 1e-4)
    }

    @Test func activityAndWeightRegularizationLosses() {
        let dense = Dense(2, kernelInitializer: .constant(0.5), kernelRegularizer: .l2(0.1),
                          biasRegularizer: .l1(0.2), activityRegularizer: .l1(0.01), inputShape: [3])
        dense.bias!.value = Tensor([1, -2])
        let y = dense(Tensor.ones([2, 3]))
        let losses = dense.regularizationLosses.map(\.scalar)
        #expect(losses.count == 3)
        #expect(abs(losses[0] - 0.1 * 6 * 0.25) < 1e-6)          // l2 · Σw²
        #expect(abs(losses[1] - 0.2 * 3) < 1e-6)                 // l1 · Σ|b|
        #expect(abs(losses[2] - 0.01 * abs(y).sum().scalar) < 1e-6)
    }
}
