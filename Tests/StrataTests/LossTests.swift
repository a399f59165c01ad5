import Foundation
import StrataTestSupport
import Testing
@testable import Strata

@Suite("Losses")
struct LossTests {
    @Test func regressionLossesByHand() {
        let y = Tensor(shape: [2, 2], scalars: [0, 1, 2, 3])
        let p = Tensor(shape: [2, 2], scalars: [1, 1, 0, 5])
        #expect(meanSquaredError(y, p).scalar == 2.25)              // (1 + 0 + 4 + 4) / 4
        #expect(meanAbsoluteError(y, p).scalar == 1.25)             // (1 + 0 + 2 + 2) / 4
        // Huber δ = 1: errors 1, 0, 2, 2 → 0.5, 0, 1.5, 1.5; δ = 2 → 0.5, 0, 2, 2.
        #expect(huber(y, p).scalar == 0.875)
        #expect(Loss.huber(delta: 2)(y, p).scalar == 1.125)
        // Per-sample losses are means over the last axis; [n] targets meet [n, 1] predictions.
        expectClose(Loss.meanSquaredError.perSample(y, p), [0.5, 4])
        #expect(meanSquaredError(Tensor([1, 2]), Tensor(shape: [2, 1], scalars: [1, 4])).scalar == 2)
    }

    @Test func hingeConvertsBinaryLabels() {
        let p = Tensor(shape: [3, 1], scalars: [0.3, -2, 0.8])
        let expected: Float = (0.7 + 0 + 1.8) / 3      // labels 1, 0, −1 after conversion: 1, −1, −1
        #expect(abs(hinge(Tensor(shape: [3, 1], scalars: [1, 0, 0]), p).scalar - expected) < 1e-6)
        #expect(abs(hinge(Tensor(shape: [3, 1], scalars: [1, -1, -1]), p).scalar - expected) < 1e-6)
    }

    @Test func klDivergenceClipsBoth() {
        let y = Tensor(shape: [1, 3], scalars: [0.5, 0.5, 0])
        let p = Tensor(shape: [1, 3], scalars: [0.25, 0.75, 0])
        let expected = 0.5 * Foundation.log(2.0) + 0.5 * Foundation.log(0.5 / 0.75) + 1e-7 * Foundation.log(1.0)
        #expect(abs(Double(kullbackLeiblerDivergence(y, p).scalar) - expected) < 1e-6)
    }

    @Test func binaryCrossentropyProbabilitiesLogitsAndSmoothing() {
        let y = Tensor(shape: [4, 1], scalars: [1, 0, 1, 0])
        let z = Tensor(shape: [4, 1], scalars: [2, -1, -0.5, 3])
        let expectedLogits = zip([1.0, 0, 1, 0], [2.0, -1, -0.5, 3]).map { y, z in
            Swift.max(z, 0) - z * y + Foundation.log1p(Foundation.exp(-Swift.abs(z)))
        }.reduce(0, +) / 4
        #expect(abs(Double(binaryCrossentropy(y, z, fromLogits: true).scalar) - expectedLogits) < 1e-6)
        // Plain probabilities (no remembered logits) take the clipped path and agree.
        let probabilities = Tensor(sigmoid(z).scalars).reshaped(to: [4, 1])
        #expect(probabilities.probabilitySource == nil)
        #expect(abs(Double(binaryCrossentropy(y, probabilities).scalar) - expectedLogits) < 1e-5)
        // Label smoothing 0.2: targets 0.9 and 0.1.
        let smoothed = Tensor(shape: [4, 1], scalars: [0.9, 0.1, 0.9, 0.1])
        #expect(abs(binaryCrossentropy(y, z, fromLogits: true, labelSmoothing: 0.2).scalar
                    - binaryCrossentropy(smoothed, z, fromLogits: true).scalar) < 1e-6)
        // Clipping: a certain wrong prediction costs −log(1e-7), not infinity.
        let certain = binaryCrossentropy(Tensor(shape: [1, 1], scalars: [1]), Tensor(shape: [1, 1], scalars: [0]))
        #expect(abs(Double(certain.scalar) + Foundation.log(1e-7)) < 1e-3)
    }

    @Test func categoricalAndSparseAgreeAndUseLogits() {
        let logits = Tensor(shape: [3, 4], scalars: [1, 2, 3, 4, -1, 0, 5, 1, 2, 2, 2, 2])
        let labels = Tensor([3, 2, 0])
        let oneHot = Tensor.oneHot(labels, depth: 4)
        let logp = logSoftmax(logits).scalars
        let expected = -(logp[3] + logp[4 + 2] + logp[8 + 0]) / 3
        #expect(abs(sparseCategoricalCrossentropy(labels, logits, fromLogits: true).scalar - expected) < 1e-6)
        #expect(abs(categoricalCrossentropy(oneHot, logits, fromLogits: true).scalar - expected) < 1e-6)
        #expect(abs(sparseCategoricalCrossentropy(labels.reshaped(to: [3, 1]), softmax(logits)).scalar - expected) < 1e-6)
        #expect(abs(categoricalCrossentropy(oneHot, Tensor(softmax(logits).scalars).reshaped(to: [3, 4])).scalar - expected) < 1e-5)
        // Unnormalized probabilities are normalized first (Keras' categorical path).
        let doubled = Tensor(softmax(logits).scalars).reshaped(to: [3, 4]) * 2
        #expect(abs(categoricalCrossentropy(oneHot, doubled).scalar - expected) < 1e-5)
        // Label smoothing 0.1 over 4 classes: targets 0.925 / 0.025.
        let smoothed = oneHot * 0.9 + 0.025
        #expect(abs(categoricalCrossentropy(oneHot, logits, fromLogits: true, labelSmoothing: 0.1).scalar
                    - categoricalCrossentropy(smoothed, logits, fromLogits: true).scalar) < 1e-6)
    }

    @Test func saturatedOutputsUseTheStableLogitsPath() {
        // A sigmoid/softmax output far into saturation: the composed path would clip and lose the
        // gradient; the remembered logits keep it exact and finite.
        let z = Tensor(shape: [2, 1], scalars: [40, -40])
        let y = Tensor(shape: [2, 1], scalars: [0, 1])
        let (loss, g) = valueWithGradient(at: z) { binaryCrossentropy(y, ActivationFunction.sigmoid($0)) }
        #expect(abs(loss.scalar - 40) < 1e-4)
        expectClose(g, [0.5, -0.5], tolerance: 1e-5)              // (σ(z) − y) / n
        let logits = Tensor(shape: [1, 3], scalars: [100, 0, -100])
        let (sparseLoss, sg) = valueWithGradient(at: logits) { sparseCategoricalCrossentropy(Tensor([2]), softmax($0)) }
        #expect(abs(sparseLoss.scalar - 200) < 1e-3)
        expectClose(sg, [1, 0, -1], tolerance: 1e-5)
        #expect(sg.scalars.allSatisfy { $0.isFinite })
    }

    @Test func fusedPathsAgreeWithComposedWhereFinite() {
        let z = random([5, 1], -3, 3, seed: 3)
        let y = Tensor(shape: [5, 1], scalars: [1, 0, 1, 1, 0])
        let (fused, gf) = valueWithGradient(at: z) { binaryCrossentropy(y, ActivationFunction.sigmoid($0)) }
        let (composed, gc) = valueWithGradient(at: z) { binaryCrossentropy(y, sigmoid($0)) }
        #expect(abs(fused.scalar - composed.scalar) < 1e-5)
        #expect(isClose(gf, gc.scalars, tolerance: 1e-4))
        let logits = random([4, 3], -3, 3, seed: 4)
        let labels = Tensor([0, 2, 1, 2])
        let (f2, g2) = valueWithGradient(at: logits) { sparseCategoricalCrossentropy(labels, softmax($0)) }
        let (c2, h2) = valueWithGradient(at: logits) { p in
            -(Tensor.oneHot(labels, depth: 3) * log(clamp(p.exp().detachedSoftmax(), min: 1e-7, max: 1))).sum(axes: [1]).mean()
        }
        #expect(abs(f2.scalar - c2.scalar) < 1e-5)
        #expect(isClose(g2, h2.scalars, tolerance: 1e-4))
    }

    @Test func gradientsMatchFiniteDifferences() {
        let y = Tensor(shape: [3, 2], scalars: [1, 0, 0, 1, 1, 1])
        let p = random([3, 2], 0.1, 0.9, seed: 5)
        let z = random([3, 2], -2, 2, seed: 6)
        for loss in [Loss.meanSquaredError, .meanAbsoluteError, .huber(delta: 0.3), .hinge, .kullbackLeiblerDivergence,
                     .binaryCrossentropy, .categoricalCrossentropy] {
            let error = gradientErrors([p], step: 1e-3) { loss(y, $0[0]) }[0]
            #expect(error < 1e-2, "\(loss.name): \(error)")
        }
        checkGradients([z], step: 1e-3) { binaryCrossentropy(y, $0[0], fromLogits: true, labelSmoothing: 0.1) }
        checkGradients([z], step: 1e-3) { sparseCategoricalCrossentropy(Tensor([1, 0, 1]), $0[0], fromLogits: true) }
    }

    @Test func finiteValuesAndGradientsAtEdgeInputs() {
        let edges: [Float] = [0, 1e-6, -1e-6, 20, -20, 1e4, -1e4]
        let logits = Tensor(shape: [7, 1], scalars: edges)
        let probabilities = Tensor(shape: [7, 1], scalars: [0, 1e-6, 1 - 1e-6, 1, 0.5, 1, 0])
        let binaryTargets = Tensor(shape: [7, 1], scalars: [1, 0, 1, 0, 1, 0, 1])
        let cases: [(String, Tensor, (Tensor) -> Tensor)] = [
            ("bce logits", logits, { binaryCrossentropy(binaryTargets, $0, fromLogits: true) }),
            ("bce sigmoid", logits, { binaryCrossentropy(binaryTargets, ActivationFunction.sigmoid($0)) }),
            ("bce probabilities", probabilities, { binaryCrossentropy(binaryTargets, $0) }),
            ("mse", logits, { meanSquaredError(binaryTargets, $0) }),
            ("mae", logits, { meanAbsoluteError(binaryTargets, $0) }),
            ("huber", logits, { huber(binaryTargets, $0) }),
            ("hinge", logits, { hinge(binaryTargets, $0) }),
            ("kld", probabilities, { kullbackLeiblerDivergence(binaryTargets, $0) }),
            ("sparse cce logits", logits.reshaped(to: [1, 7]), { sparseCategoricalCrossentropy(Tensor([6]), $0, fromLogits: true) }),
            ("cce softmax", logits.reshaped(to: [1, 7]), { categoricalCrossentropy(Tensor.oneHot(Tensor([1]), depth: 7), softmax($0)) }),
        ]
        for (name, input, loss) in cases {
            let (value, gradient) = valueWithGradient(at: input, loss)
            #expect(value.scalar.isFinite, "\(name): \(value.scalar)")
            #expect(gradient.scalars.allSatisfy { $0.isFinite }, "\(name): \(gradient.scalars)")
        }
    }

    @Test func sampleWeightsFollowKerasReduction() {
        let y = Tensor([0, 0, 0, 0]).reshaped(to: [4, 1])
        let p = Tensor([1, 2, 3, 4]).reshaped(to: [4, 1])
        // Σ w·l / number of samples (not / Σ w): (1·1 + 0·4 + 2·9 + 0·16) / 4.
        #expect(meanSquaredError(y, p, sampleWeight: Tensor([1, 0, 2, 0])).scalar == 4.75)
    }

    @Test func configRoundTrip() throws {
        for loss in [Loss.binaryCrossentropy(fromLogits: true, labelSmoothing: 0.1), .categoricalCrossentropy,
                     .sparseCategoricalCrossentropy(fromLogits: true), .meanSquaredError, .meanAbsoluteError,
                     .huber(delta: 2), .hinge, .kullbackLeiblerDivergence] {
            #expect(try Loss(config: loss.config) == loss, "\(loss.name)")
        }
        #expect(try Loss(config: .string("mse")) == .meanSquaredError)
        #expect(throws: StrataError.self) { try Loss(config: .string("nope")) }
    }

    /// The fused one-node forms against the composed formulas they replace, on extreme logits.
    @Test func fusedSoftmaxAndSparseCrossEntropyMatchTheFormulas() {
        let z = random([6, 5], -3, 3, seed: 21) * Tensor([1, 1, 1, 30, 1])   // one column up to ±90
        let labels = Tensor([0, 3, 4, 1, 3, 2])
        let fused = z.sparseSoftmaxCrossEntropy(labels: labels)
        let composed = -(Tensor.oneHot(labels, depth: 5) * logSoftmax(z)).sum(axes: [-1])
        #expect(isClose(fused, composed.scalars, tolerance: 1e-4))
        #expect(fused.scalars.allSatisfy { $0.isFinite && $0 >= 0 })
        checkGradients([random([4, 3], -2, 2, seed: 22)], step: 1e-3) {
            $0[0].sparseSoftmaxCrossEntropy(labels: Tensor([2, 0, 1, 1])) * Tensor([1, 2, 0.5, -1])
        }
        let probabilities = softmax(z)
        let shifted = exp(z - z.max(axes: [1], keepDims: true))
        #expect(isClose(probabilities, (shifted / shifted.sum(axes: [1], keepDims: true)).scalars, tolerance: 1e-6))
        let weights = random([4, 3], -1, 1, seed: 23)
        checkGradients([random([4, 3], -2, 2, seed: 24)], step: 1e-3) { softmax($0[0]) * weights }
    }
}

private extension Tensor {
    /// e^x, for composing a reference softmax without the remembered logits.
    func exp() -> Tensor { StrataCore.exp(self - max(axes: [1], keepDims: true).detached) }
    /// Normalizes rows (a softmax of already-exponentiated values).
    func detachedSoftmax() -> Tensor { self / sum(axes: [1], keepDims: true) }
}
