import Foundation
import Testing
@testable import Strata

/// Keras 3's own values (TensorFlow backend) for the functional API, written by
/// `Tests/Fixtures/keras_functional.py` into `keras-functional.json`: every merge layer at its
/// edges (broadcast across ranks, ties of Maximum and Minimum, Dot's axes and the normalization
/// of a zero vector), Embedding with a repeated id, and a two-input, two-output model rebuilt
/// from Keras' own config whose evaluation, one training step and updated weights must be
/// Keras' — the total loss `Σ wᵢ · lossᵢ + penalties` with unweighted per-output losses.
@Suite("The functional API against Keras 3 itself")
struct KerasFunctionalTests {
    struct Values: Decodable { let shape: [Int]; let values: [Float] }

    struct Merge: Decodable, CustomTestStringConvertible, Sendable {
        let name: String, className: String, config: ConfigValue
        let inputs: [Values]
        let outputShape: [Int], output: [Float], sumWeights: [Float], inputGradients: [[Float]]
        enum CodingKeys: String, CodingKey {
            case name, config, inputs, output
            case className = "class_name", outputShape = "output_shape", sumWeights = "sum_weights", inputGradients = "input_gradients"
        }
        var testDescription: String { name }
    }

    struct EmbeddingCase: Decodable {
        let config: ConfigValue, ids: [Float], idsShape: [Int], table: [Float]
        let outputShape: [Int], output: [Float], sumWeights: [Float], tableGradient: [Float]
        enum CodingKeys: String, CodingKey {
            case config, ids, table, output
            case idsShape = "ids_shape", outputShape = "output_shape", sumWeights = "sum_weights", tableGradient = "table_gradient"
        }
    }

    struct TwoHeads: Decodable {
        let config: ConfigValue
        let xImage: [Float], xMeta: [Float], yLabel: [Float], yAux: [Float]
        let weightsBefore: [[Float]], weightShapes: [[Int]], weightsAfter: [[Float]]
        let evaluate: [String: Double], trainOnBatch: [String: Double]
        enum CodingKeys: String, CodingKey {
            case config, evaluate
            case xImage = "x_image", xMeta = "x_meta", yLabel = "y_label", yAux = "y_aux", weightsBefore = "weights_before"
            case weightShapes = "weight_shapes", weightsAfter = "weights_after", trainOnBatch = "train_on_batch"
        }
    }

    struct Ordering: Decodable { let config: ConfigValue, layers: [String], weights: [String] }

    struct Fixture: Decodable {
        let merges: [Merge], embedding: EmbeddingCase
        let twoHeads: TwoHeads
        let ordering: Ordering
        enum CodingKeys: String, CodingKey { case merges, embedding, ordering, twoHeads = "two_heads" }
    }

    static let fixture: Fixture? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/keras-functional.json")
        return try? JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static func maxError(_ a: [Float], _ b: [Float]) -> Float {
        a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
    }

    @Test func theFixtureIsComplete() {
        #expect(Self.fixture?.merges.count == 14)
    }

    @Test(arguments: fixture?.merges ?? [])
    func mergeLayersMatchKeras(_ keras: Merge) throws {
        let layer = try #require(try Layer.from(config: .object(["class_name": .string(keras.className), "config": keras.config])) as? MergeLayer)
        let inputs = keras.inputs.map { Tensor(shape: $0.shape, scalars: $0.values) }
        let y = layer(inputs)
        #expect(y.shape == keras.outputShape, "\(keras.name)")
        #expect(Self.maxError(y.scalars, keras.output) <= 1e-5, "\(keras.name): output")
        let sumWeights = Tensor(shape: keras.outputShape, scalars: keras.sumWeights)
        let (_, gradients) = valueWithGradients(at: inputs) { (layer($0) * sumWeights).sum() }
        for (index, expected) in keras.inputGradients.enumerated() {
            #expect(Self.maxError(gradients[index].scalars, expected) <= 1e-5, "\(keras.name): gradient of input \(index)")
        }
    }

    @Test func embeddingMatchesKerasAndItsGradientTouchesOnlyTheIdsRows() throws {
        let keras = try #require(Self.fixture?.embedding)
        let layer = try #require(try Layer.from(config: .object(["class_name": "Embedding", "config": keras.config])) as? Embedding)
        let ids = Tensor(shape: keras.idsShape, scalars: keras.ids)
        try layer.build(inputShape: Array(keras.idsShape.dropFirst()))
        try layer.setWeights([Tensor(shape: [5, 3], scalars: keras.table)])
        #expect(layer(ids).shape == keras.outputShape)
        #expect(layer(ids).scalars == keras.output)   // rows copied exactly
        let sumWeights = Tensor(shape: keras.outputShape, scalars: keras.sumWeights)
        let (_, gradients) = valueWithGradients(of: [layer.embeddings!]) { (layer(ids) * sumWeights).sum() }
        #expect(Self.maxError(gradients[0].scalars, keras.tableGradient) <= 1e-6)
        #expect(gradients[0].scalars[0..<3].allSatisfy { $0 == 0 } && gradients[0].scalars[9..<12].allSatisfy { $0 == 0 })
        #expect(layer.embeddingsInitializer == .randomUniform(minval: -0.05, maxval: 0.05))
    }

    /// Keras' two-headed model, rebuilt from Keras' own config: `evaluate` and `trainOnBatch`
    /// give Keras' keys and values, and one SGD step gives Keras' weights.
    @Test func aTwoHeadedModelFromKerasConfigTrainsLikeKeras() throws {
        let keras = try #require(Self.fixture?.twoHeads)
        let model = try Model.from(config: keras.config)
        #expect(model.inputNames == ["image", "meta"] && model.outputNames == ["label", "aux"])
        try model.setWeights(zip(keras.weightShapes, keras.weightsBefore).map { Tensor(shape: $0, scalars: $1) })
        model.compile(optimizer: SGD(learningRate: 0.1), loss: [.sparseCategoricalCrossentropy, .meanSquaredError],
                      metrics: [[.accuracy], [.meanAbsoluteError]], lossWeights: [1, 0.3])
        let x = [Tensor(shape: [6, 4], scalars: keras.xImage), Tensor(shape: [6, 2], scalars: keras.xMeta)]
        let y = [Tensor(keras.yLabel), Tensor(shape: [6, 1], scalars: keras.yAux)]
        let kerasKeys = ["loss": "loss", "label_loss": "label_loss", "aux_loss": "aux_loss", "label_accuracy": "label_accuracy",
                         "aux_mae": "aux_mean_absolute_error"]
        let evaluation = try model.evaluate(x, y, batchSize: 6)
        #expect(Set(evaluation.keys) == Set(kerasKeys.values))
        for (kerasKey, key) in kerasKeys {
            #expect(abs(evaluation[key]! - keras.evaluate[kerasKey]!) <= 2e-6 * max(1, abs(keras.evaluate[kerasKey]!)), "\(key)")
        }
        let step = try model.trainOnBatch(x, y)
        for (kerasKey, key) in kerasKeys {
            #expect(abs(step[key]! - keras.trainOnBatch[kerasKey]!) <= 2e-6 * max(1, abs(keras.trainOnBatch[kerasKey]!)), "\(key)")
        }
        for (index, expected) in keras.weightsAfter.enumerated() {
            #expect(Self.maxError(model.getWeights()[index].scalars, expected) <= 1e-6, "weight \(index)")
        }
    }

    /// Keras' layer and weight order in a branching graph with a shared layer called at two
    /// depths: by decreasing depth from the outputs, ties by first visit.
    @Test func layersAndWeightsComeInKerasOrder() throws {
        let keras = try #require(Self.fixture?.ordering)
        let model = try Model.from(config: keras.config)
        #expect(model.layers.map(\.name) == Array(keras.layers.dropFirst()))   // Keras lists the InputLayer too
        #expect(model.weights.map(\.name) == keras.weights)
    }

    @Test func aConfigRoundTripsAndAFileReloadsToIdenticalPredictions() throws {
        let keras = try #require(Self.fixture?.twoHeads)
        let model = try Model.from(config: keras.config)
        let again = try Model.from(config: try #require(model.architectureConfig))
        #expect(again.architectureConfig == model.architectureConfig)
        model.compile(optimizer: Adam(), loss: ["label": .sparseCategoricalCrossentropy, "aux": .huber], metrics: ["label": [.accuracy]],
                      lossWeights: ["label": 1, "aux": 0.25])
        let x = [Tensor(shape: [6, 4], scalars: keras.xImage), Tensor(shape: [6, 2], scalars: keras.xMeta)]
        try model.fit(x, [Tensor(keras.yLabel), Tensor(shape: [6, 1], scalars: keras.yAux)], batchSize: 3, epochs: 2, verbose: .silent)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("two-heads-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try Model.loadModel(from: path)
        #expect(try loaded.predictOutputs(x).map(\.scalars) == (try model.predictOutputs(x)).map(\.scalars))
        #expect(loaded.outputNames == ["label", "aux"])
        let reloaded = try #require(loaded.compileSpec)
        if case .named(let weights)? = reloaded.lossWeights { #expect(weights == ["label": 1, "aux": 0.25]) } else { Issue.record("loss weights") }
        #expect(Self.error { _ = try Sequential.load(from: path) }?.expected == "Model.loadModel(from:) for any model file")
    }

    static func error(_ body: () throws -> Void) -> StrataError? {
        do { try body() } catch let error as StrataError { return error } catch { return nil }
        return nil
    }

    /// A config whose calls can never run — a layer reading its own output, two layers reading
    /// each other's — and one reading a missing layer are refused, naming the layer.
    @Test func cyclesAndMissingLayersInAConfigAreRefused() throws {
        func tensor(_ layer: String, _ node: Int = 0) -> ConfigValue {
            .object(["class_name": "__keras_tensor__", "config": .object(["keras_history": .array([.string(layer), .int(node), 0])])])
        }
        func dense(_ name: String, reading source: ConfigValue) -> ConfigValue {
            .object(["class_name": "Dense", "name": .string(name), "config": .object(["name": .string(name), "units": 2]),
                     "inbound_nodes": .array([.object(["args": .array([source]), "kwargs": .object([:])])])])
        }
        let input: ConfigValue = .object(["class_name": "InputLayer", "name": "x", "config": .object(["name": "x", "batch_shape": .array([.null, 2])]),
                                          "inbound_nodes": .array([])])
        func model(_ layers: [ConfigValue]) -> ConfigValue {
            .object(["class_name": "Functional", "config": .object(["name": "m", "layers": .array([input] + layers),
                                                                    "input_layers": .array([.array(["x", 0, 0])]),
                                                                    "output_layers": .array([.array(["b", 0, 0])])])])
        }
        let selfLoop = Self.error { _ = try Model.from(config: model([dense("b", reading: tensor("b"))])) }
        #expect(selfLoop?.message.contains("'b' can never run") == true)
        let twoLoop = Self.error { _ = try Model.from(config: model([dense("a", reading: tensor("b")), dense("b", reading: tensor("a"))])) }
        #expect(twoLoop?.message.contains("a cycle") == true)
        let missing = Self.error { _ = try Model.from(config: model([dense("b", reading: tensor("ghost"))])) }
        #expect(missing?.message == "'b' reads layer 'ghost', which is not in the config")
        // A layer applied to its own earlier output (node 0 → node 1) is sharing, not a cycle.
        let shared: ConfigValue = .object(["class_name": "Dense", "name": "b", "config": .object(["name": "b", "units": 2]),
                                           "inbound_nodes": .array([.object(["args": .array([tensor("x")])]),
                                                                    .object(["args": .array([tensor("b", 0)])])])])
        var sharedModel = model([shared])
        if case .object(var outer) = sharedModel, case .object(var inner)? = outer["config"] {
            inner["output_layers"] = .array([.array(["b", 1, 0])])
            outer["config"] = .object(inner)
            sharedModel = .object(outer)
        }
        let twice = try Model.from(config: sharedModel)
        #expect(twice.weights.count == 2)
        #expect(try twice.summaryText().contains("x[0][0], b[0][0]"))
    }
}
