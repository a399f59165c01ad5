import Testing
@testable import Strata
import StrataLab

/// Inference folds batch normalization and `Normalization` into the neighbouring Dense or
/// convolution (`FoldedInference`): the same outputs as the layers one by one, to rounding; the
/// folded copy follows every change of the weights; a gradient through the chain runs it unfolded.
@Suite("Inference folding")
struct InferenceFoldingTests {
    /// Every layer's own inference call, one after the other: the unfolded reference.
    private func unfolded(_ model: Sequential, _ x: Tensor) -> Tensor {
        model.layers.reduce(x) { $1($0, training: false) }
    }

    private func maxRelativeDifference(_ a: Tensor, _ b: Tensor) -> Float {
        #expect(a.shape == b.shape)
        let scale = max(b.scalars.map(abs).max() ?? 1, 1e-3)
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max()! / scale
    }

    /// Batch-norm statistics and scales far from the identity, so that a fold that forgot one
    /// term would show.
    private func randomizeNormalizations(_ model: Sequential, seed: UInt64) throws {
        for (offset, layer) in model.layers.enumerated() {
            guard let bn = layer as? BatchNormalization else { continue }
            let n = bn.movingMean!.shape[0], s = seed + UInt64(offset) * 4
            try bn.gamma!.assign(Tensor.randomUniform([n], lower: 0.5, upper: 2, seed: s))
            try bn.beta!.assign(Tensor.randomNormal([n], seed: s + 1))
            try bn.movingMean!.assign(Tensor.randomNormal([n], seed: s + 2))
            try bn.movingVariance!.assign(Tensor.randomUniform([n], lower: 0.2, upper: 3, seed: s + 3))
        }
    }

    @Test func theArticleModelFoldsEveryBatchNormalizationIntoTheNextDense() throws {
        let model = Random.withSeed(3) { ArticleModels.fashionMLP() }
        try model.build(inputShape: [28, 28])
        try randomizeNormalizations(model, seed: 10)
        let folded = FoldedInference.fold(model.layers)
        #expect(folded.count == model.layers.count - 3)
        #expect(!folded.contains { $0 is BatchNormalization })
        let x = Tensor.randomUniform([50, 28, 28], seed: 4)
        #expect(maxRelativeDifference(try model.predict(x, batchSize: 50), unfolded(model, x)) <= 1e-5)
    }

    /// Conv (no activation) → BN folds backwards into the conv; BN → Flatten → Dense folds
    /// forwards with the channel scale repeated over the positions; Dense (linear) → BN backwards.
    @Test func convolutionsFlattenAndLinearDense() throws {
        let model = Random.withSeed(5) {
            Sequential {
                Conv2D(4, kernelSize: [3, 3], padding: .same, useBias: false, inputShape: [6, 5, 2])
                BatchNormalization()
                ReLU()
                Conv2D(3, kernelSize: [2, 2], activation: .relu)
                BatchNormalization()
                Flatten()
                Dense(7)
                BatchNormalization()
                Dense(2, activation: .softmax)
            }
        }
        try model.build(inputShape: [6, 5, 2])
        try randomizeNormalizations(model, seed: 20)
        let folded = FoldedInference.fold(model.layers)
        #expect(folded.count == model.layers.count - 3)
        let x = Tensor.randomNormal([9, 6, 5, 2], seed: 6)
        #expect(maxRelativeDifference(model(x), unfolded(model, x)) <= 1e-5)
    }

    @Test func normalizationFoldsIntoTheDenseAfterIt() throws {
        let model = Random.withSeed(7) {
            Sequential {
                Normalization(mean: [1, -2, 0.5], variance: [4, 0.25, 1e-16], inputShape: [3])
                Dense(4, activation: .relu)
            }
        }
        try model.build(inputShape: [3])
        #expect(FoldedInference.fold(model.layers).count == 1)
        let x = Tensor.randomNormal([8, 3], seed: 8) * 1e-4   // the near-zero variance's 1e-7 floor matters
        #expect(maxRelativeDifference(model(x), unfolded(model, x)) <= 1e-5)
    }

    /// What must not fold: a Dense with an activation before the BN and nothing after it, a BN on
    /// another axis, a layer with an activity regularizer.
    @Test func whatDoesNotFoldRunsAsItIs() throws {
        let model = Random.withSeed(9) {
            Sequential {
                Dense(5, activation: .relu, inputShape: [4])
                BatchNormalization()
            }
        }
        try model.build(inputShape: [4])
        #expect(FoldedInference.fold(model.layers).count == 2)
        let channelsFirst = Random.withSeed(9) {
            Sequential {
                Conv2D(3, kernelSize: [1, 1], inputShape: [4, 4, 2])
                BatchNormalization(axis: 1)
            }
        }
        try channelsFirst.build(inputShape: [4, 4, 2])
        #expect(FoldedInference.fold(channelsFirst.layers).count == 2)
        let regularized = Random.withSeed(9) {
            Sequential {
                BatchNormalization(inputShape: [4])
                Dense(3)
            }
        }
        try regularized.build(inputShape: [4])
        regularized.layers[1].activityRegularizer = .l2(0.1)
        #expect(FoldedInference.fold(regularized.layers).count == 2)
    }

    /// The folded copy is derived again after any change of a weight: a training step, setWeights,
    /// an assignment to one variable.
    @Test func theFoldedCopyFollowsTheWeights() throws {
        let model = Random.withSeed(11) {
            Sequential {
                Dense(6, inputShape: [3])
                BatchNormalization()
                Dense(2, activation: .softmax)
            }
        }
        model.compile(optimizer: SGD(learningRate: 0.5), loss: .sparseCategoricalCrossentropy)
        let x = Tensor.randomNormal([16, 3], seed: 12), y = Tensor((0..<16).map { Float($0 % 2) })
        let before = model(x)
        #expect(maxRelativeDifference(before, unfolded(model, x)) <= 1e-5)
        try model.fit(x, y, batchSize: 16, epochs: 1, verbose: .silent)
        let trained = model(x)
        #expect(maxRelativeDifference(trained, unfolded(model, x)) <= 1e-5)
        #expect(maxRelativeDifference(trained, before) > 1e-3)
        try model.setWeights(model.getWeights().map { $0 * 0.5 })
        #expect(maxRelativeDifference(model(x), unfolded(model, x)) <= 1e-5)
        let bn = model.layers[1] as! BatchNormalization
        try bn.movingVariance!.assign(bn.movingVariance!.value * 9)
        #expect(maxRelativeDifference(model(x), unfolded(model, x)) <= 1e-5)
    }

    /// A gradient taken through the chain in inference mode (a frozen-statistics fine-tune)
    /// reaches the Dense weights: the chain ran unfolded.
    @Test func aGradientThroughTheChainRunsItUnfolded() throws {
        let model = Random.withSeed(13) {
            Sequential {
                BatchNormalization(inputShape: [3])
                Dense(2)
            }
        }
        try model.build(inputShape: [3])
        let x = Tensor.randomNormal([4, 3], seed: 14)
        let dense = model.layers[1] as! Dense
        let (_, gradients) = valueWithGradients(of: [dense.kernel!]) { model(x, training: false).sum() }
        let (_, expected) = valueWithGradients(of: [dense.kernel!]) { model.layers.reduce(x) { $1($0, training: false) }.sum() }
        #expect(maxRelativeDifference(gradients[0], expected[0]) == 0)
        #expect(gradients[0].scalars.contains { $0 != 0 })
    }

    /// A functional residual block: each convolution without activation followed by a batch
    /// normalization folds (the normalization's node passes its producer's folded output on); a
    /// convolution whose output has a second reader, or a shared layer, does not. The folded
    /// graph gives the unfolded graph's outputs (an observed run is never folded).
    @Test func aFunctionalGraphFoldsEachConvolutionWithItsNormalization() throws {
        let model = try Random.withSeed(15) { () throws -> Model in
            let input = Input(shape: [6, 6, 3])
            let branch = try ReLU()(BatchNormalization()(Conv2D(8, kernelSize: [3, 3], padding: .same, useBias: false)(input)))
            let main = try BatchNormalization()(Conv2D(8, kernelSize: [3, 3], padding: .same)(branch))
            let shortcut = try BatchNormalization()(Conv2D(8, kernelSize: [1, 1])(input))
            let merged = try ReLU()(Add()([main, shortcut]))
            let twoReaders = try Conv2D(4, kernelSize: [1, 1])(merged)
            let both = try Add()([BatchNormalization()(twoReaders), twoReaders])
            return try Model(inputs: input, outputs: Dense(3, activation: .softmax)(GlobalAveragePooling2D()(both)))
        }
        let graph = try #require(model.graph)
        #expect(graph.foldCandidates.count == 3)
        let x = Tensor.randomNormal([5, 6, 6, 3], seed: 16)
        for layer in model.layers {
            guard let bn = layer as? BatchNormalization else { continue }
            let n = bn.movingMean!.shape[0]
            try bn.gamma!.assign(Tensor.randomUniform([n], lower: 0.5, upper: 2, seed: 17))
            try bn.movingMean!.assign(Tensor.randomNormal([n], seed: 18))
            try bn.movingVariance!.assign(Tensor.randomUniform([n], lower: 0.2, upper: 3, seed: 19))
        }
        let reference = graph.run([x], training: false) { _, _, _ in }[0]
        let folded = model(x)
        #expect(maxRelativeDifference(folded, reference) <= 1e-5)
        #expect(folded.scalars != reference.scalars, "the folded graph ran (its rounding differs)")
        let shared = try Random.withSeed(20) { () throws -> Model in
            let input = Input(shape: [4])
            let dense = Dense(4)
            return try Model(inputs: input, outputs: BatchNormalization()(dense(dense(input))))
        }
        #expect(try #require(shared.graph).foldCandidates.isEmpty)
    }
}
