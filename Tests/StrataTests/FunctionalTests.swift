import Foundation
import Testing
@testable import Strata
import StrataTestSupport

/// The functional API: graph construction and its errors, gradients through merges and shared
/// layers, nested models, the equality with `Sequential`, freeing of intermediate values, and
/// training with several inputs and outputs.
@Suite("Functional models")
struct FunctionalTests {
    static func error(_ body: () throws -> Void) -> StrataError? {
        do { try body() } catch let error as StrataError { return error } catch { return nil }
        return nil
    }

    @Test func shapeMismatchAtAMergeNamesTheLayerAndBothShapes() throws {
        let a = Input(shape: [4]), b = Input(shape: [5])
        let error = Self.error { _ = try Add(name: "join")([a, b]) }
        #expect(error?.kind == .shapeMismatch)
        #expect(error?.context == "Add 'join'")
        #expect(error?.message.contains("[4], [5]") == true)
        let concat = Self.error { _ = try Concatenate(axis: 1)([Input(shape: [2, 3]), Input(shape: [2, 4])]) }
        #expect(concat?.message.contains("[2, 3], [2, 4]") == true)
        let dot = Self.error { _ = try Dot(axes: 1)([Input(shape: [3]), Input(shape: [4])]) }
        #expect(dot?.message.contains("3 ≠ 4") == true)
        #expect(Self.error { _ = try Subtract()([a, a, a]) }?.message == "takes exactly 2 inputs, got 3")
    }

    @Test func aSharedLayerOnAnotherShapeNamesBothShapes() throws {
        let dense = Dense(3, name: "shared")
        _ = try dense(Input(shape: [4]))
        let error = Self.error { _ = try dense(Input(shape: [5])) }
        #expect(error?.context == "Dense 'shared'")
        #expect(error?.message == "was built for inputs of shape [4] but got [5]")
    }

    @Test func disconnectedGraphsAndUnusedInputsAreRefused() throws {
        let a = Input(shape: [3], name: "a"), b = Input(shape: [3], name: "b")
        let out = try Dense(1)(b)
        let disconnected = Self.error { _ = try Model(inputs: a, outputs: out) }
        #expect(disconnected?.message.contains("disconnected") == true && disconnected?.message.contains("'b'") == true)
        let unused = Self.error { _ = try Model(inputs: [a, b], outputs: out) }
        #expect(unused?.message == "input 'a' is used by no output")
        let notInput = Self.error { _ = try Model(inputs: out, outputs: out) }
        #expect(notInput?.message.contains("not an Input") == true)
        let twice = Self.error { _ = try Model(inputs: [b, b], outputs: out) }
        #expect(twice?.message == "input 'b' is listed twice")
        let sameName = Self.error { _ = try Model(inputs: b, outputs: [out, out]) }
        #expect(sameName?.message.contains("two outputs are named") == true)
    }

    @Test func aLayerCalledOnItsOwnOutputSharesItsWeights() throws {
        let x = Input(shape: [4])
        let dense = Dense(4, activation: .tanh)
        let model = try Model(inputs: x, outputs: try dense(try dense(x)))
        #expect(model.weights.count == 2)
        let batch = Tensor.randomNormal([2, 4], seed: 1)
        let expected = dense(dense(batch))
        #expect(model(batch).scalars == expected.scalars)
    }

    /// Every merge layer and a shared layer in one graph; the gradients of the weights and the
    /// inputs against central differences (step 1e-3: Maximum and Minimum have kinks where the
    /// two branches meet, which a larger step could straddle), for several initializations.
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func gradientsThroughMergesAndSharedLayersMatchFiniteDifferences(seed: UInt64) throws {
        let model = try Random.withSeed(seed) { () -> Model in
            let a = Input(shape: [3]), b = Input(shape: [3])
            let shared = Dense(3, activation: .tanh)
            let (ha, hb) = (try shared(a), try shared(b))
            let merged = try Concatenate()([
                try Add()([ha, hb]), try Subtract()([ha, hb]), try Multiply()([ha, hb]), try Average()([ha, hb, a]),
                try Maximum()([ha, hb]), try Minimum()([ha, hb]),
            ])
            let similarity = try Dot(axes: 1, normalize: true)([ha, hb])
            return try Model(inputs: [a, b], outputs: try Concatenate()([try Dense(2)(merged), similarity]))
        }
        let xa = Tensor.randomNormal([4, 3], seed: 2 * seed), xb = Tensor.randomNormal([4, 3], seed: 2 * seed + 1)
        for (index, error) in variableGradientErrors(model.trainableVariables, step: 1e-3, { model([xa, xb])[0] }).enumerated() {
            #expect(error < 1e-2, "variable \(model.trainableVariables[index].name): relative error \(error)")
        }
        checkGradients([xa, xb], step: 1e-3, tolerance: 1e-2) { model([$0[0], $0[1]])[0] }
    }

    @Test func aSequentialAndTheSameChainBuiltFunctionallyTrainBitIdentically() throws {
        func train(_ model: Model) throws -> ([[Float]], History) {
            model.compile(optimizer: Adam(learningRate: 0.01), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
            let x = Tensor.randomNormal([40, 6], seed: 5)
            let y = Tensor(labels: (0..<40).map { $0 % 3 })
            // The task's own stream: tests running at the same time do not draw from it.
            let history = try Random.withSeed(21) {
                try model.fit(x, y, batchSize: 8, epochs: 3, verbose: .silent, validationSplit: 0.25)
            }
            return (model.getWeights().map(\.scalars), history)
        }
        let sequential = Sequential {
            Dense(8, activation: .relu, inputShape: [6])
            BatchNormalization()
            Dropout(0.2, seed: 4)
            Dense(3, activation: .softmax)
        }
        let input = Input(shape: [6])
        var h = try Dense(8, activation: .relu)(input)
        h = try BatchNormalization()(h)
        h = try Dropout(0.2, seed: 4)(h)
        let functional = try Model(inputs: input, outputs: try Dense(3, activation: .softmax)(h))
        try functional.setWeights(sequential.getWeights())
        let (sequentialWeights, sequentialHistory) = try train(sequential)
        let (functionalWeights, functionalHistory) = try train(functional)
        #expect(sequentialWeights == functionalWeights)
        #expect(sequentialHistory.history == functionalHistory.history)
    }

    /// The Diagnostics callback probes a functional model call by call: on a chain, exactly as
    /// on the same Sequential; on a residual graph, one snapshot per layer call.
    @Test func diagnosticsProbeAFunctionalModelLikeASequential() throws {
        let sequential = Sequential {
            Dense(6, activation: .relu, inputShape: [5])
            Dense(3, activation: .softmax)
        }
        let input = Input(shape: [5])
        let functional = try Model(inputs: input, outputs: try Dense(3, activation: .softmax)(try Dense(6, activation: .relu)(input)))
        try functional.setWeights(sequential.getWeights())
        let x = Tensor.randomNormal([16, 5], seed: 4), y = Tensor(labels: (0..<16).map { $0 % 3 })
        for model in [sequential, functional] as [Model] {
            model.compile(optimizer: SGD(), loss: .sparseCategoricalCrossentropy)
        }
        let a = try Diagnostics.probe(sequential, x, y), b = try Diagnostics.probe(functional, x, y)
        #expect(a.map(\.kernelGradientNorm) == b.map(\.kernelGradientNorm) && a.map(\.outputStd) == b.map(\.outputStd))
        #expect(a.map(\.deadFraction) == b.map(\.deadFraction) && b.map(\.depth) == [1, 2])

        let residualInput = Input(shape: [5])
        let shared = Dense(5, activation: .tanh)
        let residual = try Model(inputs: residualInput,
                                 outputs: try Dense(3, activation: .softmax)(try Add()([residualInput, try shared(try shared(residualInput))])))
        residual.compile(optimizer: SGD(), loss: .sparseCategoricalCrossentropy)
        let diagnostics = Diagnostics(probe: x, labels: y, every: 1, atEpochEnd: false)
        try residual.fit(x, y, batchSize: 8, epochs: 1, verbose: .silent, callbacks: [diagnostics])
        let initial = diagnostics.table.rows.filter { $0.step == 0 }
        #expect(initial.map(\.type) == ["Dense", "Dense", "Add", "Dense"])   // the shared layer twice
        #expect(diagnostics.table.rows.filter { $0.step == 2 }.compactMap(\.updateRatio).count == 3)
    }

    @Test func aNestedModelIsALayerWhoseWeightsAreShared() throws {
        let inner = Input(shape: [4])
        let encoder = try Model(inputs: inner, outputs: try Dense(2, activation: .tanh)(inner), name: "encoder")
        let left = Input(shape: [4]), right = Input(shape: [4])
        let distance = try Subtract()([try encoder(left), try encoder(right)])
        let siamese = try Model(inputs: [left, right], outputs: try Dense(1, activation: .sigmoid)(distance))
        #expect(siamese.weights.count == 4)   // the encoder's kernel and bias once, the head's
        let xl = Tensor.randomNormal([3, 4], seed: 1), xr = Tensor.randomNormal([3, 4], seed: 2)
        #expect(Self.error { _ = try encoder([left, right]) }?.message == "takes 1 inputs, got 2")
        let before = encoder.getWeights()[0].scalars
        siamese.compile(optimizer: SGD(learningRate: 0.5), loss: .binaryCrossentropy)
        try siamese.fit([xl, xr], Tensor([1, 0, 1]), batchSize: 3, epochs: 2, verbose: .silent)
        #expect(encoder.getWeights()[0].scalars != before)
        let direct = siamese.layers.last!(encoder(xl) - encoder(xr))
        #expect(siamese([xl, xr])[0].scalars == direct.scalars)
    }

    /// A deep residual chain in inference keeps a bounded number of buffers alive, however deep:
    /// each block's values are freed after their last consumer.
    @Test func intermediateValuesAreFreedAfterTheirLastConsumer() throws {
        func residualChain(depth: Int) throws -> Model {
            let input = Input(shape: [16])
            var h = input
            for _ in 0..<depth { h = try Add()([h, try Dense(16, activation: .relu)(h)]) }
            return try Model(inputs: input, outputs: h)
        }
        let x = Tensor.randomNormal([64, 16], seed: 1)
        func peak(_ model: Model) -> Int {
            _ = model(x)   // builds, warms the pool
            return AllocationTally.measure { _ = model(x) }.peakLiveBuffers
        }
        let shallow = peak(try residualChain(depth: 4)), deep = peak(try residualChain(depth: 40))
        #expect(deep == shallow)
        #expect(deep <= 4)
    }

    @Test func severalInputsAndOutputsTrainWithKerasLogKeys() throws {
        let image = Input(shape: [4], name: "image"), meta = Input(shape: [2], name: "meta")
        let hidden = try Dense(8, activation: .relu, name: "hidden")(image)
        let label = try Dense(3, activation: .softmax, name: "label")(try Concatenate()([hidden, meta]))
        let aux = try Dense(1, name: "aux")(hidden)
        let model = try Model(inputs: [image, meta], outputs: [label, aux])
        model.compile(optimizer: Adam(learningRate: 0.01), loss: [.sparseCategoricalCrossentropy, .meanSquaredError],
                      metrics: [[.accuracy], [.meanAbsoluteError]], lossWeights: [1, 0.5])
        let xi = Tensor.randomNormal([30, 4], seed: 2), xm = Tensor.randomNormal([30, 2], seed: 3)
        let yl = Tensor(labels: (0..<30).map { $0 % 3 }), ya = Tensor.randomNormal([30, 1], seed: 4)
        // Monitoring an output's metric resolves its direction (`.auto`) from the compiled metric.
        let best = ModelCheckpoint(FileManager.default.temporaryDirectory.appendingPathComponent("best-\(UUID()).safetensors").path,
                                   monitor: "val_label_accuracy", saveBestOnly: true)
        let history = try model.fit(["meta": xm, "image": xi], [yl, ya], batchSize: 10, epochs: 2, verbose: .silent,
                                    callbacks: [best, EarlyStopping(monitor: "val_aux_mean_absolute_error", patience: 3)],
                                    validationSplit: 0.2)
        try? FileManager.default.removeItem(atPath: best.filepath)
        #expect(Set(history.history.keys) == ["loss", "label_loss", "aux_loss", "label_accuracy", "aux_mean_absolute_error",
                                             "val_loss", "val_label_loss", "val_aux_loss", "val_label_accuracy",
                                             "val_aux_mean_absolute_error"])
        let result = try model.evaluate([xi, xm], ["label": yl, "aux": ya], batchSize: 7)
        let penalties = Double(model.regularizationLoss.scalar)
        #expect(abs(result["loss"]! - (result["label_loss"]! + 0.5 * result["aux_loss"]! + penalties)) < 1e-5)
        #expect(try model.layer(named: "hidden") === model.layers[0])
        #expect(Self.error { _ = try model.layer(named: "nope") }?.expected?.hasPrefix("one of hidden") == true)
        let outputs = try model.predictOutputs([xi, xm])
        #expect(outputs.map(\.shape) == [[30, 3], [30, 1]])
        #expect(Self.error { _ = try model.predict([xi, xm]) }?.expected == "predictOutputs(_:) for a model with several outputs")
    }

    /// A graph with two inputs, two outputs, a shared layer, a nested model, batch norm and
    /// unseeded dropout: interrupted after epoch 1 and resumed from its backup in a fresh model,
    /// it ends with the weights and history of an uninterrupted run; saved and loaded, it
    /// continues the same way.
    @Test func aFunctionalModelResumesBitIdentically() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-functional-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func makeModel() throws -> Model {
            let a = Input(shape: [5]), b = Input(shape: [5])
            let encoderInput = Input(shape: [5])
            let encoder = try Model(inputs: encoderInput, outputs: try Dropout(0.2)(try Dense(6, activation: .relu)(encoderInput)))
            let shared = Dense(6, activation: .tanh)
            let joined = try BatchNormalization()(try Add()([try shared(try encoder(a)), try shared(try encoder(b))]))
            let label = try Dense(3, activation: .softmax, name: "label")(joined)
            let aux = try Dense(1, name: "aux")(joined)
            let model = try Model(inputs: [a, b], outputs: [label, aux])
            model.compile(optimizer: Nadam(learningRate: 0.01), loss: [.sparseCategoricalCrossentropy, .meanSquaredError],
                          metrics: [[.accuracy], []], lossWeights: [1, 0.5])
            return model
        }
        let xa = Tensor.randomNormal([40, 5], seed: 1), xb = Tensor.randomNormal([40, 5], seed: 2)
        let yl = Tensor(labels: (0..<40).map { $0 % 3 }), ya = Tensor.randomNormal([40, 1], seed: 3)
        func fit(_ model: Model, _ callbacks: [Callback], epochs: Int = 4) throws -> History {
            try model.fit([xa, xb], [yl, ya], batchSize: 8, epochs: epochs, verbose: .silent, callbacks: callbacks, validationSplit: 0.2)
        }
        let (referenceWeights, reference) = try Random.withSeed(11) { () -> ([Tensor], History) in
            let model = try makeModel()
            let history = try fit(model, [])
            return (model.getWeights(), history)
        }
        try Random.withSeed(11) {
            let model = try makeModel()
            let crash = LambdaCallback(onEpochEnd: { epoch, _ in if epoch == 1 { model.stopTraining = true } })
            _ = try fit(model, [BackupAndRestore(folder, deleteCheckpoint: false), crash])
        }
        let (weights, history) = try Random.withSeed(999) { () -> ([Tensor], History) in
            let model = try Random.withSeed(12345) { try makeModel() }   // different initial weights
            let history = try fit(model, [BackupAndRestore(folder)])
            return (model.getWeights(), history)
        }
        #expect(weights == referenceWeights, "bit-identical weights")
        #expect(history.history == reference.history)
        // Saved after 2 epochs and loaded: the same continuation.
        let path = folder + "/model.safetensors"
        try Random.withSeed(11) {
            let model = try makeModel()
            _ = try fit(model, [], epochs: 2)
            try model.save(to: path)
        }
        let loaded = try Model.loadModel(from: path)
        let continued = try Random.withSeed(5) { try fit(loaded, []) }
        #expect(loaded.getWeights() == referenceWeights && continued.history == reference.history)
        #expect(Set(history.history.keys).isSuperset(of: ["label_loss", "aux_loss", "val_label_accuracy"]))
    }

    /// Ids outside the vocabulary — too large, negative, fractional — are refused before any
    /// training, naming the id, its sample and the layer; a bag of embeddings learns which ids
    /// mean what.
    @Test func embeddingIdsAreCheckedAndABagOfEmbeddingsLearns() throws {
        let model = try Random.withSeed(3) { () -> Model in
            let tokens = Input(shape: [4])
            let vectors = try Embedding(inputDim: 6, outputDim: 3, name: "words")(tokens)
            return try Model(inputs: tokens, outputs: try Dense(1, activation: .sigmoid)(try GlobalAveragePooling1D()(vectors)))
        }
        model.compile(optimizer: Adam(learningRate: 0.05), loss: .binaryCrossentropy, metrics: [.accuracy])
        // Label 1 exactly when id 5 occurs.
        var rows: [[Float]] = []
        for i in 0..<64 {
            var row = (0..<4).map { (j: Int) -> Float in Float((i * 7 + j * 3) % 5) }
            if i % 2 == 0 { row[0] = 5 }
            rows.append(row)
        }
        let x = Tensor(rows: rows), y = Tensor((0..<64).map { Float(($0 + 1) % 2) })
        for (bad, id) in [(Float(6), "6.0"), (-1, "-1.0"), (2.5, "2.5")] {
            var broken = rows
            broken[3][2] = bad
            let error = Self.error { try model.fit(Tensor(rows: broken), y, verbose: .silent) }
            #expect(error?.message == "id \(id) at sample 3 is not in the vocabulary of 6", "\(bad)")
            #expect(error?.context == "fit, Embedding 'words'")
        }
        #expect(Self.error { _ = try model.predict(Tensor(rows: [[0, 1, 9, 2]])) }?.context == "predict, Embedding 'words'")
        let history = try Random.withSeed(3) { try model.fit(x, y, batchSize: 16, epochs: 40, verbose: .silent) }
        #expect(history["accuracy"].last == 1)
    }

    @Test func mismatchedDataAndCompileSettingsAreClearErrors() throws {
        let a = Input(shape: [2], name: "a"), b = Input(shape: [2], name: "b")
        let first = try Dense(1, name: "first")(a), second = try Dense(2, activation: .softmax, name: "second")(b)
        let model = try Model(inputs: [a, b], outputs: [first, second])
        let x = Tensor.randomNormal([6, 2], seed: 1), y1 = Tensor.randomNormal([6, 1], seed: 2), y2 = Tensor(labels: [0, 1, 0, 1, 0, 1])
        model.compile(optimizer: SGD(), loss: [.meanSquaredError])
        #expect(Self.error { try model.fit([x, x], [y1, y2], verbose: .silent) }?.message == "loss has 1 entries")
        model.compile(optimizer: SGD(), loss: ["first": .meanSquaredError, "third": .meanSquaredError])
        #expect(Self.error { try model.fit([x, x], [y1, y2], verbose: .silent) }?.message == "loss names 'third', which is not an output")
        model.compile(optimizer: SGD(), loss: .meanSquaredError, metrics: [.meanAbsoluteError])
        #expect(Self.error { try model.fit([x, x], [y1, y2], verbose: .silent) }?.message
                == "metrics is a flat list of 1 for 2 outputs")
        model.compile(optimizer: SGD(), loss: [.meanSquaredError, .sparseCategoricalCrossentropy])
        #expect(Self.error { try model.fit(x, [y1, y2], verbose: .silent) }?.message == "x is one array for 2 inputs")
        #expect(Self.error { try model.fit(["a": x, "c": x], [y1, y2], verbose: .silent) }?.message
                == "x has an entry 'c' that names no input")
        #expect(Self.error { try model.fit([x, x.slice(0..<5)], [y1, y2], verbose: .silent) }?.message
                == "x[0] has 6 samples but x[1] has 5")
        let badLabel = Self.error { try model.fit([x, x], [y1, Tensor(labels: [0, 1, 2, 0, 1, 0])], verbose: .silent) }
        #expect(badLabel?.context == "fit, output 'second'")
        #expect(Self.error { try model.fit([x, x], [y1, y2], verbose: .silent, classWeight: [0: 1]) }?.message
                == "classWeight is given for a model with 2 outputs")
    }
}
