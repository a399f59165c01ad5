import Foundation
import StrataTestSupport
import Testing
@testable import Strata

/// `layer.weights` / `getWeights` / `setWeights` and the model's, in Keras 3's order
/// (`keras/src/layers/layer.py`, `Layer.weights`), checked against the order Keras itself gives
/// for the same architecture (`model_weights` in `Tests/Fixtures/keras-edges.json`); every setter
/// checks before it changes anything.
@Suite("Weights in Keras' order")
struct WeightsAPITests {
    struct KerasWeight: Decodable {
        let name: String
        let shape: [Int]
    }

    struct Fixture: Decodable {
        let modelWeights: [KerasWeight]
        enum CodingKeys: String, CodingKey { case modelWeights = "model_weights" }
    }

    static func model() -> Sequential {
        Sequential {
            Dense(3, inputShape: [4])
            BatchNormalization()
            PReLU()
            LayerNormalization()
            Dense(2, useBias: false)
        }
    }

    /// The weight's own name, without the layer's (`dense_3/kernel` → `kernel`).
    static func shortName(_ variable: Variable) -> String { String(variable.name.split(separator: "/").last ?? "") }

    @Test func modelWeightsFollowKerasOrder() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/keras-edges.json")
        let keras = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)).modelWeights
        let weights = Self.model().weights
        #expect(weights.map(Self.shortName) == keras.map(\.name))
        #expect(weights.map(\.shape) == keras.map(\.shape))
        // `variables` keeps its own order (all trainable first), which backups rely on.
        #expect(Self.model().variables.map(Self.shortName).suffix(2) == ["moving_mean", "moving_variance"])
    }

    @Test func layerWeightsInKerasOrderAlsoWhenFrozen() throws {
        let norm = BatchNormalization()
        try norm.build(inputShape: [5])
        #expect(norm.weights.map(Self.shortName) == ["gamma", "beta", "moving_mean", "moving_variance"])
        norm.trainable = false
        #expect(norm.weights.map(Self.shortName) == ["gamma", "beta", "moving_mean", "moving_variance"])
        #expect(norm.getWeights().map(\.shape) == [[5], [5], [5], [5]])
        let dense = Dense(2, inputShape: [3])
        #expect(dense.weights.map(Self.shortName) == ["kernel", "bias"])
    }

    @Test func setWeightsRoundTripsBetweenModels() throws {
        let source = Self.model(), target = Self.model()
        let x = Tensor.randomNormal([6, 4], seed: 3)
        try target.setWeights(source.getWeights())
        expectClose(target(x), source(x).scalars, tolerance: 0)
        let dense = try #require(target.layers.first as? Dense)
        try dense.setWeights([Tensor.ones([4, 3]), Tensor.full([3], 0.5)])
        #expect(dense.kernel?.value.scalars == Array(repeating: 1, count: 12) && dense.bias?.value.scalars == [0.5, 0.5, 0.5])
    }

    @Test func setWeightsNamesTheLayerTheWeightAndBothShapesAndChangesNothing() throws {
        let dense = Dense(2, inputShape: [3])
        let before = dense.getWeights()
        do {
            try dense.setWeights([Tensor.ones([3, 2]), Tensor.ones([3])])
            Issue.record("a bias of shape [3] was accepted for [2]")
        } catch let error as StrataError {
            #expect(error.kind == .shapeMismatch)
            #expect(error.message.contains("'\(dense.name)/bias'") && error.message.contains("[2]") && error.message.contains("[3]"))
            #expect(error.context?.contains("Dense '\(dense.name)'") == true)
        }
        // The kernel was valid, but nothing is assigned unless everything is.
        #expect(dense.getWeights().map(\.scalars) == before.map(\.scalars))
        #expect(throws: StrataError.self) { try dense.setWeights([Tensor.ones([3, 2])]) }

        let model = Self.model()
        var weights = model.getWeights()
        weights[4] = Tensor.zeros([4])   // moving_mean of the batch norm, [3]
        do {
            try model.setWeights(weights)
            Issue.record("a moving mean of shape [4] was accepted")
        } catch let error as StrataError {
            #expect(error.message.contains("moving_mean") && error.message.contains("[4]") && error.context?.contains(model.name) == true)
        }
    }

    @Test func variableAssignChecksTheShape() throws {
        let variable = Variable(Tensor.zeros([2, 2]), name: "w")
        try variable.assign(Tensor.ones([2, 2]))
        #expect(variable.value.scalars == [1, 1, 1, 1])
        do {
            try variable.assign(Tensor.ones([4]))
            Issue.record("a [4] value was assigned to a [2, 2] variable")
        } catch let error as StrataError {
            #expect(error.message.contains("'w'") && error.message.contains("[4]") && error.message.contains("[2, 2]"))
        }
        #expect(variable.shape == [2, 2])
    }
}
