import Foundation
import Testing
@testable import Strata

/// Keras 3's own outputs (TensorFlow backend) for the augmentation and image preprocessing
/// layers, written by `Tests/Fixtures/keras_augmentation.py` into `keras-augmentation.json`:
/// each random layer rebuilt from Keras' config and given the fixture's draws must produce the
/// transform Keras' `transform_images` produced for the same parameters — every fill mode and
/// interpolation of the warps, shifts and rotations beyond the edges, zoom in and out, per-image
/// crops, contrast and brightness clipped to both value ranges — and the deterministic layers
/// (Rescaling, Resizing up and down, nearest and bilinear, with crop_to_aspect_ratio,
/// CenterCrop's crop and its smart-resize branch) must equal Keras' outputs.
@Suite("Augmentation layers against Keras 3 itself")
struct KerasAugmentationTests {
    struct Case: Decodable, CustomTestStringConvertible, Sendable {
        let name: String, className: String, config: ConfigValue
        let inputShape: [Int], input: [Float], draws: [[Float]]?, training: Bool
        let outputShape: [Int], output: [Float]
        enum CodingKeys: String, CodingKey {
            case name, config, input, draws, training, output
            case className = "class_name", inputShape = "input_shape", outputShape = "output_shape"
        }
        var testDescription: String { name }
    }

    struct Fixture: Decodable { let keras: String, cases: [Case] }

    static let fixture: Fixture? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/keras-augmentation.json")
        return try? JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    @Test func theFixtureIsComplete() {
        #expect(Self.fixture?.cases.count == 41)
    }

    @Test(arguments: fixture?.cases ?? [])
    func layersMatchKeras(_ keras: Case) throws {
        let layer = try Layer.from(config: .object(["class_name": .string(keras.className), "config": keras.config]))
        let x = Tensor(shape: keras.inputShape, scalars: keras.input)
        try layer.build(inputShape: Array(keras.inputShape.dropFirst()))
        let y: Tensor
        if let draws = keras.draws {
            let augmentation = try #require(layer as? RandomAugmentation)
            y = augmentation.augment(x, draws: draws.map { SIMD4($0[0], $0[1], $0[2], $0[3]) })
        } else {
            y = layer(x, training: keras.training)
        }
        #expect(y.shape == keras.outputShape)
        let worst = zip(y.scalars, keras.output).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
        #expect(y.count == keras.output.count && worst <= 1e-5, "\(keras.name): relative error \(worst)")
        #expect(layer.outputShape(for: Array(keras.inputShape.dropFirst())) == Array(keras.outputShape.dropFirst()))
    }
}
