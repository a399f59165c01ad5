import Foundation
import Testing
@testable import Strata

/// Gradient accumulation (`gradientAccumulationSteps`, Keras 3's `gradient_accumulation_steps`)
/// against Keras itself: `Tests/Fixtures/keras_accumulation.py` ran every optimizer with
/// accumulation on the same eight gradients (one all zeros) and recorded, after each step, the
/// variable, `iterations` (updates), the raw step count and the learning rate — the traps are
/// that a schedule reads the raw count while the update rules see the update count, and that
/// clipping and weight decay act on the mean at the update step only.
@Suite struct GradientAccumulationTests {
    struct Reference: Decodable {
        struct Step: Decodable { let w: [Float]; let iterations: Int; let steps: Int; let learning_rate: Float }
        let keras: String
        let start: [Float]
        let gradients: [[Float]]
        let cases: [String: [Step]]
    }

    static let reference: Reference = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/keras-accumulation.json")
        return try! JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }()

    static let optimizers: [String: @Sendable () -> Optimizer] = [
        "sgd_momentum": { SGD(learningRate: 0.1, momentum: 0.9, gradientAccumulationSteps: 3) },
        "sgd_nesterov_clipvalue": { SGD(learningRate: 0.1, momentum: 0.5, nesterov: true, clipValue: 0.3, gradientAccumulationSteps: 2) },
        "adam_schedule": {
            Adam(learningRate: .schedule(ExponentialDecay(initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5)), gradientAccumulationSteps: 3)
        },
        "adamw_clipnorm": { AdamW(learningRate: 0.05, weightDecay: 0.1, clipNorm: 0.5, gradientAccumulationSteps: 2) },
        "rmsprop": { RMSprop(learningRate: 0.01, gradientAccumulationSteps: 4) },
        "nadam": { Nadam(learningRate: 0.02, gradientAccumulationSteps: 3) },
        "adagrad_global_clipnorm": { Adagrad(learningRate: 0.1, globalClipNorm: 1, gradientAccumulationSteps: 2) },
        "adamax": { Adamax(learningRate: 0.05, gradientAccumulationSteps: 3) },
        "lion": { Lion(learningRate: 0.01, gradientAccumulationSteps: 2) },
    ]

    @Test(arguments: optimizers.keys.sorted())
    func followsKeras(_ name: String) throws {
        let steps = try #require(Self.reference.cases[name])
        let optimizer = Self.optimizers[name]!()
        let variable = Variable(Tensor(Self.reference.start), name: "w")
        for (index, (gradient, expected)) in zip(Self.reference.gradients, steps).enumerated() {
            optimizer.apply([Tensor(gradient)], to: [variable])
            let w = variable.value.scalars
            for (got, want) in zip(w, expected.w) {
                #expect(abs(got - want) <= 2e-6 * max(1, abs(want)), "\(name) step \(index + 1): w \(w) vs Keras \(expected.w)")
            }
            #expect(optimizer.iterations == expected.iterations && optimizer.steps == expected.steps, "\(name) step \(index + 1)")
            #expect(abs(optimizer.currentLearningRate - expected.learning_rate) <= 1e-7 * max(1, expected.learning_rate), "\(name) step \(index + 1)")
        }
    }

    @Test func theSettingIsSavedAndChecked() throws {
        let adam = Adam(learningRate: 0.01, gradientAccumulationSteps: 4)
        guard case .object(let outer) = adam.config, case .object(let inner)? = outer["config"] else { Issue.record("no config"); return }
        #expect(inner["gradient_accumulation_steps"] == .int(4))
        #expect(try Optimizer.from(config: adam.config).gradientAccumulationSteps == 4)
        #expect(try Optimizer.from(config: Adam().config).gradientAccumulationSteps == nil)
        var bad = inner
        bad["gradient_accumulation_steps"] = .int(1)
        #expect(throws: StrataError.self) { try Optimizer.from(config: .object(["class_name": .string("Adam"), "config": .object(bad)])) }
        do {
            bad["gradient_accumulation_steps"] = .int(1)
            _ = try Optimizer.from(config: .object(["class_name": .string("Adam"), "config": .object(bad)]))
        } catch let error as StrataError {
            #expect("\(error)".contains("gradient_accumulation_steps 1") && "\(error)".contains("≥ 2"), "\(error)")
        }
    }

    /// Two accumulated half batches update as one full batch does (SGD, constant rate, no batch
    /// statistics): the mean of the two means is the full batch's mean.
    @Test func accumulatingHalfBatchesIsOneFullBatch() throws {
        let initial = Sequential([Dense(5, activation: .tanh, inputShape: [4]), Dense(3, activation: .softmax)]).getWeights()
        func model(_ optimizer: Optimizer) throws -> Sequential {
            let model = Sequential([Dense(5, activation: .tanh, inputShape: [4]), Dense(3, activation: .softmax)])
            try model.setWeights(initial)
            model.compile(optimizer: optimizer, loss: .sparseCategoricalCrossentropy)
            return model
        }
        let x = Tensor.randomNormal([32, 4], seed: 5), y = Tensor((0..<32).map { Float($0 % 3) })
        let accumulated = try model(SGD(learningRate: 0.1, gradientAccumulationSteps: 2))
        let whole = try model(SGD(learningRate: 0.1))
        try accumulated.fit(x, y, batchSize: 8, epochs: 1, verbose: .silent, shuffle: false)
        try whole.fit(x, y, batchSize: 16, epochs: 1, verbose: .silent, shuffle: false)
        #expect(accumulated.optimizer!.iterations == 2 && accumulated.optimizer!.steps == 4 && whole.optimizer!.iterations == 2)
        for (a, b) in zip(accumulated.trainableVariables, whole.trainableVariables) {
            #expect(zip(a.value.scalars, b.value.scalars).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(a.name)")
        }
    }

    /// A model saved between updates (two of three steps accumulated) resumes bit for bit: the
    /// accumulators and the raw step count are in the file.
    @Test func resumesBitIdenticallyMidAccumulation() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-accumulation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let initial = Sequential([Dense(6, activation: .relu, inputShape: [4]), Dense(2, activation: .softmax)]).getWeights()
        func fresh() throws -> Sequential {
            let model = Sequential([Dense(6, activation: .relu, inputShape: [4]), Dense(2, activation: .softmax)])
            try model.setWeights(initial)
            model.compile(optimizer: Adam(learningRate: 0.01, gradientAccumulationSteps: 3), loss: .sparseCategoricalCrossentropy)
            return model
        }
        let batches = (0..<8).map { Tensor.randomNormal([4, 4], seed: UInt64(20 + $0)) }
        let labels = Tensor([0, 1, 1, 0])
        let straight = try fresh()
        for batch in batches { try straight.trainOnBatch(batch, labels) }

        let first = try fresh()
        for batch in batches.prefix(5) { try first.trainOnBatch(batch, labels) }   // 1 update, 2 steps accumulated
        #expect(first.optimizer!.iterations == 1 && first.optimizer!.steps == 5)
        let path = folder.appendingPathComponent("m.safetensors").path
        try first.save(to: path)
        let resumed = try Sequential.load(from: path)
        #expect(resumed.optimizer!.steps == 5 && resumed.optimizer!.gradientAccumulationSteps == 3)
        for batch in batches.dropFirst(5) { try resumed.trainOnBatch(batch, labels) }
        #expect(resumed.optimizer!.iterations == straight.optimizer!.iterations)
        for (a, b) in zip(resumed.trainableVariables, straight.trainableVariables) {
            #expect(a.value.scalars == b.value.scalars, "\(a.name) differs after resuming mid-accumulation")
        }
    }
}
