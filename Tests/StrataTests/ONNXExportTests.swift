import Foundation
import Testing
@testable import Strata
import StrataLab

/// ONNX export checked by the real other side: every model below is exported, checked by the
/// `onnx` package (`check_model`, full shape inference) and run by ONNX Runtime on the inputs
/// Strata's `predict` saw — every output within 1e-5 (or 1e-4 relative), on the whole batch and
/// on one sample (a dynamic batch axis). Without `onnx` and `onnxruntime` the checks are skipped
/// on a developer's machine and fail in CI (`STRATA_REQUIRE_ONNXRUNTIME=1`, set by `.ci/run`).
@Suite struct ONNXExportTests {
    /// A model, its inputs, and the opset to export it at.
    struct Case {
        let name: String
        let model: Model
        let inputs: [Tensor]
        var opset = 17
    }

    // MARK: - The models

    /// Every activation straight on the input, whose values sit on each one's edges: 0, the
    /// ReLU threshold and caps, ±3 (hard sigmoid), large magnitudes (softplus, sigmoid, ELU).
    static func activations(opset: Int) throws -> Case {
        let x = Input(shape: [12], name: "values")
        let functions: [(String, ActivationFunction)] = [
            ("relu", .relu), ("sigmoid", .sigmoid), ("hard_sigmoid", .hardSigmoid), ("tanh", .tanh), ("selu", .selu),
            ("swish", .swish), ("softplus", .softplus), ("softsign", .softsign), ("leaky_relu_fn", .leakyRelu),
            ("elu_fn", .elu(alpha: 0.7)), ("gelu", .gelu), ("gelu_tanh", .gelu(approximate: true)), ("softmax", .softmax),
            ("log_softmax", .logSoftmax), ("relu_all_options", .relu(negativeSlope: 0.1, maxValue: 2, threshold: 0.5)),
            ("relu_cap", .relu(maxValue: 6)), ("relu_threshold", .relu(threshold: -1)), ("relu_slope_cap", .relu(negativeSlope: 0.2, maxValue: 3)),
        ]
        var outputs = try functions.map { name, function in try Activation(function, name: name)(x) }
        outputs += [
            try ReLU(maxValue: 1.5, negativeSlope: 0.05, threshold: 0.25, name: "relu_layer")(x),
            try LeakyReLU(name: "leaky_relu_layer")(x), try ELU(alpha: 0.4, name: "elu_layer")(x),
            try PReLU(alphaInitializer: .randomUniform(minval: -1, maxval: 1, seed: 3), name: "prelu")(x),
            try Softmax(name: "softmax_layer")(x),
        ]
        let model = try Model(inputs: x, outputs: outputs, name: "activations")
        let edges: [Float] = [0, -0, 0.5, 0.25, -1, 1.5, 2, 3, -3, 6, 30, -30]
        let random = Tensor.randomUniform([6, 12], lower: -5, upper: 5, seed: 11).scalars
        return Case(name: "activations_opset\(opset)", model: model, inputs: [Tensor(shape: [8, 12], scalars: edges + edges.reversed() + random)], opset: opset)
    }

    /// Normalizations (adapted, moving statistics on the last and a middle axis, layer norm over
    /// trailing and non-trailing axes) and the layers inference removes.
    static func normalizations(opset: Int) throws -> Case {
        let x = Input(shape: [4, 6], name: "features")
        var h = try Normalization(mean: [0.5, -1, 2, 0, 1, 3], variance: [1, 4, 0.25, 2, 0, 9])(x)   // a zero variance: the 1e-7 floor
        h = try BatchNormalization(axis: 1)(h)
        h = try Dense(8, activation: .relu)(h)
        h = try Dropout(0.5)(h)
        h = try GaussianNoise(0.3)(h)
        h = try AlphaDropout(0.2)(h)
        h = try BatchNormalization()(h)
        let trailing = try LayerNormalization(axes: [-2, -1], name: "ln_trailing")(h)
        let middle = try LayerNormalization(axes: [1], center: false, name: "ln_middle")(h)
        let model = try Model(inputs: x, outputs: [trailing, middle, try LayerNormalization(name: "ln_last")(h)], name: "normalizations")
        try randomizeStatistics(model, seed: 5)
        return Case(name: "normalizations_opset\(opset)", model: model, inputs: [Tensor.randomNormal([5, 4, 6], stddev: 2, seed: 7)], opset: opset)
    }

    /// Convolutions of every kind, pooling, padding, cropping, upsampling, in one chain (NCHW
    /// inside, one transpose at each end), with odd sizes, strides, dilations and groups.
    static func convolutions(opset: Int = 17) throws -> Case {
        let model = Sequential {
            ZeroPadding2D(padding: [[1, 2], [0, 1]], inputShape: [21, 27, 4])
            Conv2D(6, kernelSize: [3, 3], strides: [2, 2], padding: .same, activation: .relu)
            BatchNormalization()
            MaxPooling2D(poolSize: [2, 2], padding: .same)
            Conv2D(6, kernelSize: [2, 3], dilationRate: [1, 2], groups: 3, activation: .elu)
            AveragePooling2D(poolSize: [3, 3], strides: [1, 1], padding: .same)
            DepthwiseConv2D(kernelSize: [3, 3], padding: .same, depthMultiplier: 2, activation: .tanh)
            SeparableConv2D(5, kernelSize: [3, 3], padding: .same, depthMultiplier: 2, activation: .swish)
            Conv2DTranspose(4, kernelSize: [3, 3], strides: [2, 2], padding: .same, activation: .leakyRelu)
            Cropping2D(cropping: [[1, 0], [0, 1]])
            UpSampling2D(size: [2, 1])
            SpatialDropout2D(0.3)
            PReLU(alphaInitializer: .randomUniform(minval: 0, maxval: 0.5, seed: 9), sharedAxes: [1, 2])
            MaxPooling2D(poolSize: [3, 2], strides: [2, 3])
            LayerNormalization()
            Flatten()
            Dense(5, activation: .softmax)
        }
        try model.build(inputShape: [21, 27, 4])
        try randomizeStatistics(model, seed: 13)
        return Case(name: "convolutions_opset\(opset)", model: model, inputs: [Tensor.randomNormal([3, 21, 27, 4], seed: 17)], opset: opset)
    }

    /// The transposed convolution's output sizes: valid with k < s, same, output padding, dilation.
    static func transposedConvolutions() throws -> Case {
        let x = Input(shape: [5, 4, 3], name: "image")
        let outputs = try [
            Conv2DTranspose(2, kernelSize: [2, 2], strides: [3, 3], name: "valid_k_below_s")(x),
            Conv2DTranspose(3, kernelSize: [3, 4], strides: [2, 2], padding: .same, name: "same")(x),
            Conv2DTranspose(2, kernelSize: [3, 3], strides: [2, 3], outputPadding: [1, 2], name: "valid_output_padding")(x),
            Conv2DTranspose(2, kernelSize: [3, 3], strides: [2, 2], padding: .same, outputPadding: [0, 1], name: "same_output_padding")(x),
            Conv2DTranspose(2, kernelSize: [2, 3], dilationRate: [2, 2], useBias: false, name: "dilated")(x),
        ]
        let model = try Model(inputs: x, outputs: outputs, name: "transposed")
        for layer in model.layers { try layer.setWeights(layer.weights.map { Tensor.randomNormal($0.shape, seed: 19) }) }
        return Case(name: "transposed_convolutions", model: model, inputs: [Tensor.randomNormal([2, 5, 4, 3], seed: 23)])
    }

    /// The 1-D layers: causal and strided convolutions, pooling, global pooling with and without keepdims.
    static func sequences() throws -> Case {
        let x = Input(shape: [17, 3], name: "sequence")
        var h = try Conv1D(4, kernelSize: 3, padding: .causal, dilationRate: 2, activation: .relu)(x)
        h = try SpatialDropout1D(0.2)(h)
        h = try Conv1D(6, kernelSize: 4, strides: 2, padding: .same, groups: 2)(h)
        let pooled = try AveragePooling1D(poolSize: 3, strides: 2, padding: .same)(try MaxPooling1D(poolSize: 2)(h))
        let outputs = try [GlobalAveragePooling1D(name: "gap")(pooled), GlobalMaxPooling1D(keepdims: true, name: "gmp_keepdims")(pooled),
                           GlobalMaxPooling2D(name: "gmp2d")(try Reshape([9, 4, 1])(Conv1D(4, kernelSize: 1)(h))),
                           GlobalAveragePooling2D(keepdims: true, name: "gap2d_keepdims")(try Reshape([3, 3, 4])(Conv1D(4, kernelSize: 1)(h)))]
        return Case(name: "sequences", model: try Model(inputs: x, outputs: outputs, name: "sequences"), inputs: [Tensor.randomNormal([4, 17, 3], seed: 29)])
    }

    /// Preprocessing at inference: rescaling, resizes (bilinear, nearest, aspect crop), crops,
    /// augmentations as the identity, `RandomCrop`'s smart resize.
    static func preprocessing() throws -> Case {
        let x = Input(shape: [10, 14, 3], name: "pixels")
        let scaled = try Rescaling(1.0 / 255, offset: -0.5)(x)
        let augmented = try RandomRotation(0.2, seed: 1)(try RandomFlip(seed: 2)(scaled))
        let outputs = try [
            Resizing(height: 7, width: 9, name: "bilinear_down")(augmented),
            Resizing(height: 15, width: 20, interpolation: .nearest, name: "nearest_up")(augmented),
            Resizing(height: 6, width: 6, cropToAspectRatio: true, name: "aspect_crop")(augmented),
            CenterCrop(height: 5, width: 8, name: "center_crop")(augmented),
            CenterCrop(height: 12, width: 12, name: "center_crop_smart_resize")(augmented),
            RandomCrop(height: 8, width: 8, seed: 3, name: "random_crop")(try RandomContrast(0.5, seed: 4)(augmented)),
            RandomZoom(heightFactor: 0.2, seed: 5, name: "zoom")(try RandomTranslation(heightFactor: 0.1, widthFactor: 0.1, seed: 6)(try RandomBrightness(0.2, seed: 7)(scaled))),
        ]
        let pixels = Tensor.randomUniform([3, 10, 14, 3], lower: 0, upper: 255, seed: 31)
        return Case(name: "preprocessing", model: try Model(inputs: x, outputs: outputs, name: "preprocessing"), inputs: [pixels])
    }

    /// Merges across layouts (a channels-first convolution output with a channels-last input),
    /// broadcasting across ranks and size-1 axes, concatenation on two axes, dot products; layers
    /// whose axis or constants depend on the layout; a nested `Sequential` called twice.
    static func merges() throws -> Case {
        let image = Input(shape: [4, 5, 3], name: "image"), vector = Input(shape: [3], name: "vector")
        let a = Input(shape: [6], name: "a"), b = Input(shape: [6], name: "b")
        let convolved = try Conv2D(3, kernelSize: [3, 3], padding: .same)(image)
        let encoder = Sequential([Dense(4, activation: .relu, inputShape: [60]), Dense(2)], name: "shared_encoder")   // nested, called twice
        let outputs = try [
            Add(name: "add")([convolved, image]), Subtract(name: "subtract")([image, convolved]),
            Multiply(name: "multiply_broadcast")([convolved, try Reshape([1, 1, 3])(vector)]),
            Average(name: "average")([convolved, image, image]), Maximum(name: "maximum")([convolved, image]),
            Minimum(name: "minimum")([image, convolved]), Add(name: "add_ranks")([image, try Reshape([5, 3])(Dense(15)(vector))]),
            Concatenate(name: "concat_channels")([convolved, image]), Concatenate(axis: 1, name: "concat_rows")([image, convolved]),
            Dot(axes: 1, name: "dot")([a, b]), Dot(axes: 1, normalize: true, name: "cosine")([a, b]),
            Dot(axes: (2, 1), name: "dot_rank3")([try Reshape([2, 3])(a), try Reshape([3, 2])(b)]),
            Dot(axes: (1, 2), normalize: true, name: "dot_normalized_rank3")([try Reshape([3, 2])(a), try Reshape([2, 3])(b)]),
            // Layers on a channels-first value: axes, per-channel and per-position constants in its layout.
            Activation(.softmax, name: "softmax_channels")(convolved), Softmax(axis: 1, name: "softmax_rows")(convolved),
            BatchNormalization(axis: 1, name: "batchnorm_rows")(convolved), BatchNormalization(name: "batchnorm_channels")(convolved),
            LayerNormalization(axes: [1, 2, 3], name: "layernorm_all")(convolved), LayerNormalization(name: "layernorm_channels")(convolved),
            PReLU(alphaInitializer: .randomUniform(minval: -1, maxval: 1, seed: 44), name: "prelu_per_position")(convolved),
            Dense(2, name: "dense_on_images")(convolved), Add(name: "shared_encoder_sum")([encoder([try Flatten()(convolved)])[0], encoder([try Flatten()(image)])[0]]),
        ]
        let model = try Model(inputs: [image, vector, a, b], outputs: outputs, name: "merges")
        try randomizeStatistics(model, seed: 45)
        var zeroVector = Tensor.randomNormal([4, 6], seed: 41).scalars
        for i in 0..<6 { zeroVector[i] = 0 }   // a zero vector normalized: the 1e7 cap
        let inputs = [Tensor.randomNormal([4, 4, 5, 3], seed: 37), Tensor.randomNormal([4, 3], seed: 38),
                      Tensor(shape: [4, 6], scalars: zeroVector), Tensor.randomNormal([4, 6], seed: 43)]
        return Case(name: "merges", model: model, inputs: inputs)
    }

    /// Embedding ids (floats, as `predict` takes them) through pooling to a classifier.
    static func embeddings() throws -> Case {
        let model = Sequential {
            Embedding(inputDim: 20, outputDim: 4, inputShape: [7])
            GlobalAveragePooling1D()
            Dense(2, activation: .sigmoid)
        }
        try model.build(inputShape: [7])
        let ids = Tensor(shape: [3, 7], scalars: (0..<21).map { Float(($0 * 7) % 20) })
        return Case(name: "embeddings", model: model, inputs: [ids])
    }

    /// The article's batch-normalized Fashion-MNIST MLP after a few steps of training.
    static func articleMLP() throws -> Case {
        let model = ArticleModels.fashionMLP()
        model.compile(optimizer: SGD(learningRate: 0.01), loss: .sparseCategoricalCrossentropy)
        let images = Tensor.randomUniform([64, 28, 28], seed: 47), labels = Tensor((0..<64).map { Float($0 % 10) })
        try model.fit(images, labels, batchSize: 16, epochs: 1, verbose: .silent)
        return Case(name: "article_fashion_mlp", model: model, inputs: [Tensor.randomUniform([6, 28, 28], seed: 53)])
    }

    /// The article's wine classifier behind the `Normalization` `strata train` puts in front.
    static func articleWine() throws -> Case {
        let classifier = ArticleModels.wineClassifier()
        let model = Sequential([Normalization(mean: (0..<12).map { Float($0) }, variance: (0..<12).map { Float($0 + 1) }, inputShape: [12])]
                               + classifier.layers)
        try model.build(inputShape: [12])
        return Case(name: "article_wine", model: model, inputs: [Tensor.randomUniform([5, 12], lower: 0, upper: 15, seed: 59)])
    }

    /// The README's CNN (convolutions without bias, batch norm, ReLU, pooling, dropout).
    static func fashionCNN() throws -> Case {
        let model = ArticleModels.fashionCNN()
        try model.build(inputShape: [28, 28])
        try randomizeStatistics(model, seed: 61)
        return Case(name: "fashion_cnn", model: model, inputs: [Tensor.randomUniform([2, 28, 28], seed: 67)])
    }

    /// A residual functional model: a stem, a block whose shortcut is a 1×1 convolution, global pooling.
    static func residual() throws -> Case {
        let x = Input(shape: [12, 12, 1], name: "image")
        let stem = try Activation(.relu)(try BatchNormalization()(try Conv2D(8, kernelSize: [3, 3], padding: .same, useBias: false)(x)))
        var h = try Conv2D(16, kernelSize: [3, 3], strides: [2, 2], padding: .same, activation: .relu)(stem)
        h = try BatchNormalization()(try Conv2D(16, kernelSize: [3, 3], padding: .same)(h))
        let shortcut = try Conv2D(16, kernelSize: [1, 1], strides: [2, 2])(stem)
        let joined = try Activation(.relu)(try Add()([h, shortcut]))
        let output = try Dense(3, activation: .softmax, name: "label")(try GlobalAveragePooling2D()(joined))
        let model = try Model(inputs: x, outputs: output, name: "residual")
        try randomizeStatistics(model, seed: 71)
        return Case(name: "residual_cnn", model: model, inputs: [Tensor.randomNormal([3, 12, 12, 1], seed: 73)])
    }

    /// A user's layer that conforms to `ONNXExportable`: a learned offset per feature, added in
    /// whatever layout its input arrives (here channels first, after a convolution).
    final class Offset: Layer, ONNXExportable {
        var offset: Variable!
        override func build(for inputShape: [Int]) throws {
            offset = try addWeight("offset", shape: inputShape, initializer: .randomNormal(mean: 0, stddev: 1, seed: 77))
        }
        override func call(_ x: Tensor, training: Bool) -> Tensor { x + offset.value }
        func exportONNX(_ inputs: [ONNXGraph.Value], to graph: ONNXGraph) throws -> [ONNXGraph.Value] {
            let x = inputs[0]
            let y = graph.add("Add", [x.name, graph.sampleConstant(offset.value, in: x.layout, name: "offset")])
            return [.init(name: y, shape: x.shape, layout: x.layout)]
        }
    }

    /// The custom layer between two convolutions (so its input and output are channels first).
    static func customLayer() throws -> Case {
        let model = Sequential {
            Conv2D(3, kernelSize: [3, 3], padding: .same, inputShape: [6, 5, 2])
            Offset(name: "offset_layer")
            Conv2D(2, kernelSize: [2, 2], activation: .relu)
            Flatten()
        }
        try model.build(inputShape: [6, 5, 2])
        return Case(name: "custom_layer", model: model, inputs: [Tensor.randomNormal([2, 6, 5, 2], seed: 79)])
    }

    /// Random moving statistics for every batch normalization, so that inference mode is not the identity.
    static func randomizeStatistics(_ model: Model, seed: UInt64) throws {
        for case let layer as BatchNormalization in model.layers {
            try layer.setWeights(layer.weights.enumerated().map { index, weight in
                index == layer.weights.count - 1 ? Tensor.randomUniform(weight.shape, lower: 0.2, upper: 3, seed: seed + UInt64(index))
                    : Tensor.randomNormal(weight.shape, seed: seed + UInt64(index))
            })
        }
    }

    // MARK: - The checks

    @Test func everyBuiltInLayerMatchesONNXRuntime() throws {
        let cases = try [Self.activations(opset: 17), Self.activations(opset: 20), Self.normalizations(opset: 17),
                         Self.normalizations(opset: 18), Self.convolutions(), Self.transposedConvolutions(), Self.sequences(),
                         Self.preprocessing(), Self.merges(), Self.embeddings(), Self.convolutions(opset: 23)]
        try check(cases)
        // Every registered layer type is in one of the models above (InputLayer aside).
        let covered = Set(cases.flatMap { $0.model.layers.map { type(of: $0).typeName } })
        let missing = LayerRegistry.builtInTypeNames.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "built-in layers no ONNX case covers: \(missing)")
    }

    @Test func theArticleModelsACNNAndAResidualModelMatchONNXRuntime() throws {
        try check([Self.articleMLP(), Self.articleWine(), Self.fashionCNN(), Self.residual(), Self.customLayer()])
    }

    /// Exports each case, runs the checker and ONNX Runtime once on all of them, and requires
    /// every output within tolerance, a symbolic batch axis, the names, producer and opset.
    func check(_ cases: [Case]) throws {
        guard let python = PythonInterop.python(importing: "onnx, onnxruntime, numpy") else {
            if ProcessInfo.processInfo.environment["STRATA_REQUIRE_ONNXRUNTIME"] == "1" {
                Issue.record("python3 with onnx and onnxruntime is required (STRATA_REQUIRE_ONNXRUNTIME=1): pip install onnx onnxruntime")
            }
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ tensor: Tensor, _ name: String) throws -> [String: Any] {
            let url = folder.appendingPathComponent(name + ".f32")
            try tensor.scalars.withUnsafeBytes { try Data($0).write(to: url) }
            return ["file": url.path, "shape": tensor.shape]
        }
        var manifest: [[String: Any]] = []
        var expectedNames: [String: (inputs: [String], outputs: [String])] = [:]
        for item in cases {
            let path = folder.appendingPathComponent(item.name + ".onnx").path
            try item.model.exportONNX(to: path, opset: item.opset)
            let outputs = item.model.forward(item.inputs, training: false)
            let names = item.model.graphNames ?? (["input_layer"], [item.name == "custom_layer" ? "output" : "probabilities"])
            expectedNames[item.name] = names
            manifest.append(["name": item.name, "model": path,
                             "inputs": try zip(names.inputs, item.inputs).map { name, x in try write(x, "\(item.name)-in-\(name)").merging(["name": name]) { $1 } },
                             "outputs": try zip(names.outputs, outputs).map { name, y in try write(y, "\(item.name)-out-\(name)").merging(["name": name]) { $1 } }])
        }
        let manifestURL = folder.appendingPathComponent("manifest.json")
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
        let run = try PythonInterop.run(python, [PythonInterop.script("check_onnx.py"), manifestURL.path])
        #expect(run.status == 0, "check_onnx.py failed: \(run.errors)")
        let results = run.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(results.count == cases.count, "\(run.output)\(run.errors)")
        for result in results {
            let name = result["name"] as? String ?? "?"
            if let error = result["error"] as? String { Issue.record("\(name): \(error)"); continue }
            let (opset, expected) = (cases.first { $0.name == name }!.opset, expectedNames[name]!)
            #expect(result["inputs"] as? [String] == expected.inputs && result["output_names"] as? [String] == expected.outputs, "\(name)")
            #expect((result["batch_dims"] as? [String])?.allSatisfy { $0 == "batch" } == true, "\(name): the batch axis is symbolic")
            #expect(result["opset"] as? Int == opset && result["producer"] as? [String] == ["Strata", StrataVersion.current], "\(name)")
            #expect((result["metadata"] as? [String: String])?["strata_format_version"] == String(ModelFile.version), "\(name)")
            for (output, report) in (result["outputs"] as? [String: [String: Double]] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let (difference, excess) = (report["max_abs"] ?? .infinity, report["worst_excess"] ?? .infinity)
                print("ONNX \(name) \(output): max |Δ| = \(difference)")
                #expect(excess <= 0, "\(name) output \(output): ONNX Runtime differs from Strata by \(difference)")
            }
        }
    }
}
