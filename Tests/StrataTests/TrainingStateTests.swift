import Foundation
import StrataTestSupport
import Testing
@testable import Strata

/// Model files and backups share one training-state codec: `fit` on a loaded model continues
/// its epochs, history and random stream exactly, and the files of earlier versions still load.
@Suite("Continuing training from a saved model")
struct TrainingStateTests {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    private let x = Tensor.randomNormal([24, 4], seed: 1), y = Tensor(labels: (0..<24).map { $0 % 3 })

    /// The architecture of the committed fixtures (written by the format-2 code of stop 23).
    private func makeModel() -> Sequential {
        let model = Sequential {
            Dense(6, activation: .relu, inputShape: [4])
            BatchNormalization()
            Dropout(0.25)
            Dense(3, activation: .softmax)
        }
        model.compile(optimizer: Adam(learningRate: 0.01), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
        return model
    }

    private func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("strata-\(UUID().uuidString)-\(name)").path
    }

    /// Predictions of the fixtures' model on the first two samples, recorded when they were written.
    private let recorded: [Float] = [0.29399964, 0.31163964, 0.3943607, 0.255552, 0.29191172, 0.45253623]

    @Test func aLoadedModelContinuesBitIdenticallyWithShufflingAndDropout() throws {
        let path = temporaryPath("continue.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (uninterruptedWeights, uninterrupted) = try Random.withSeed(21) { () -> ([Tensor], History) in
            let model = Random.withSeed(3) { makeModel() }
            let history = try model.fit(x, y, batchSize: 8, epochs: 4, verbose: .silent, validationSplit: 0.25)
            return (model.getWeights(), history)
        }
        try Random.withSeed(21) {
            let model = Random.withSeed(3) { makeModel() }
            try model.fit(x, y, batchSize: 8, epochs: 2, verbose: .silent, validationSplit: 0.25)
            try model.save(to: path)
        }
        // Another seed: the saved random stream, not this one, continues the run.
        let (weights, history) = try Random.withSeed(999) { () -> ([Tensor], History) in
            let loaded = try Sequential.load(from: path)
            #expect(loaded.history?.epochs == [0, 1], "the saved history is the loaded model's")
            let history = try loaded.fit(x, y, batchSize: 8, epochs: 4, verbose: .silent, validationSplit: 0.25)
            return (loaded.getWeights(), history)
        }
        #expect(weights == uninterruptedWeights, "bit-identical weights")
        #expect(history.epochs == [0, 1, 2, 3] && history.history == uninterrupted.history, "one history, numbered on")
    }

    /// A CNN with every kind of new layer — convolutions, pooling, spatial dropout, batch norm
    /// over images — saved after 2 epochs, loaded in a fresh model and trained on to 4 ends with
    /// exactly the weights and history of an uninterrupted run.
    @Test func aLoadedCNNContinuesBitIdentically() throws {
        let path = temporaryPath("cnn.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let images = Tensor.randomUniform([24, 8, 8, 2], seed: 4), labels = Tensor(labels: (0..<24).map { $0 % 3 })
        func makeCNN() -> Sequential {
            let model = Sequential {
                Conv2D(4, kernelSize: [3, 3], padding: .same, activation: .relu, inputShape: [8, 8, 2])
                BatchNormalization()
                SpatialDropout2D(0.25)
                MaxPooling2D()
                DepthwiseConv2D(kernelSize: [2, 2], depthMultiplier: 2)
                SeparableConv2D(3, kernelSize: [2, 2], padding: .same)
                Conv2DTranspose(2, kernelSize: [2, 2], strides: [2, 2])
                AveragePooling2D()
                GlobalAveragePooling2D()
                Dense(3, activation: .softmax)
            }
            model.compile(optimizer: Nadam(learningRate: 0.01), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
            return model
        }
        let (uninterruptedWeights, uninterrupted) = try Random.withSeed(8) { () -> ([Tensor], History) in
            let model = Random.withSeed(3) { makeCNN() }
            let history = try model.fit(images, labels, batchSize: 8, epochs: 4, verbose: .silent, validationSplit: 0.25)
            return (model.getWeights(), history)
        }
        try Random.withSeed(8) {
            let model = Random.withSeed(3) { makeCNN() }
            try model.fit(images, labels, batchSize: 8, epochs: 2, verbose: .silent, validationSplit: 0.25)
            try model.save(to: path)
        }
        let (weights, history) = try Random.withSeed(77) { () -> ([Tensor], History) in
            let loaded = try Sequential.load(from: path)
            let history = try loaded.fit(images, labels, batchSize: 8, epochs: 4, verbose: .silent, validationSplit: 0.25)
            return (loaded.getWeights(), history)
        }
        #expect(weights == uninterruptedWeights, "bit-identical weights")
        #expect(history.history == uninterrupted.history)
    }

    @Test func theProgressIsUsedOnceAndCanBeReset() throws {
        let path = temporaryPath("reset.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Random.withSeed(5) {
            let model = makeModel()
            try model.fit(x, y, batchSize: 8, epochs: 2, verbose: .silent)
            try model.save(to: path)
            let loaded = try Sequential.load(from: path)
            let before = loaded.getWeights()
            // Saved after epoch 1 (0-based): epochs 2 leaves nothing to train.
            #expect(try loaded.fit(x, y, batchSize: 8, epochs: 2, verbose: .silent).epochs == [0, 1])
            #expect(loaded.getWeights() == before)
            // The progress was used: the next fit is an ordinary one from epoch 0.
            #expect(try loaded.fit(x, y, batchSize: 8, epochs: 1, verbose: .silent).epochs == [0])

            let fineTuned = try Sequential.load(from: path)
            fineTuned.resetTrainingProgress()
            #expect(fineTuned.history == nil)
            #expect(try fineTuned.fit(x, y, batchSize: 8, epochs: 1, verbose: .silent).epochs == [0])
            #expect(fineTuned.optimizer?.state.iterations == 9, "the optimizer's state stays: 6 steps saved + 3")
        }
    }

    /// A format-2 model file written before the codec was shared (committed) loads with its
    /// weights, optimizer state and history, and `fit` continues it.
    @Test func aCommittedFormatTwoFileLoadsAndContinues() throws {
        let path = Self.fixtures.appendingPathComponent("model-format-v2.safetensors").path
        let (tensors, metadata) = try SafeTensors.read(from: URL(fileURLWithPath: path))
        #expect(metadata["format_version"] == "2" && metadata["variables"] == nil)
        try Random.withSeed(1) {
            let model = try Sequential.load(from: path)
            for variable in model.variables { #expect(variable.value == tensors[variable.name], "\(variable.name)") }
            expectClose(try model.predict(x.slice(0..<2)), recorded, tolerance: 0)
            #expect(model.optimizer?.state.iterations == 6 && model.history?.epochs == [0, 1])
            let history = try model.fit(x, y, batchSize: 8, epochs: 3, verbose: .silent, validationSplit: 0.25)
            #expect(history.epochs == [0, 1, 2] && history["val_loss"].count == 3)
            #expect(model.optimizer?.state.iterations == 9)
        }
    }

    /// A backup in the format before backups were model files (`strata-backup`, weights by
    /// position, committed) restores into a model whose layers are named otherwise.
    @Test func aCommittedLegacyBackupRestores() throws {
        let folder = temporaryPath("legacy-backup")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent("backup-format-1.safetensors").path,
                                         toPath: folder + "/backup.safetensors")
        try Random.withSeed(1) {
            let model = makeModel()   // automatic names: dense_N, not the file's
            let state = try ModelFile.restore(into: model, from: folder + "/backup.safetensors")
            #expect(state?.epoch == 1 && state?.noiseCalls == [2: 6] && state?.randomStream == 17_418_742_259_747_381_423)
            expectClose(try model.predict(x.slice(0..<2)), recorded, tolerance: 0)

            let fresh = makeModel()
            let backup = BackupAndRestore(folder)
            let history = try fresh.fit(x, y, batchSize: 8, epochs: 3, verbose: .silent, callbacks: [backup], validationSplit: 0.25)
            #expect(backup.restoredEpoch == 1 && history.epochs == [0, 1, 2])
            #expect(fresh.optimizer?.state.iterations == 9)
        }
    }

    /// A backup is a model file: `Sequential.load` reads it, and a backup that does not fit the
    /// model names what is missing.
    @Test func aBackupIsAModelFileAndAMismatchIsRefused() throws {
        let folder = temporaryPath("backup")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Random.withSeed(2) {
            let model = makeModel()
            try model.fit(x, y, batchSize: 8, epochs: 2, verbose: .silent,
                          callbacks: [BackupAndRestore(folder, deleteCheckpoint: false)])
            let loaded = try Sequential.load(from: folder + "/backup.safetensors")
            #expect(loaded.getWeights() == model.getWeights() && loaded.history?.epochs == [0, 1])
            #expect(loaded.optimizer?.state == model.optimizer?.state)

            let other = Sequential([Dense(5, inputShape: [4]), Dense(3, activation: .softmax)])
            other.compile(optimizer: Adam(), loss: .sparseCategoricalCrossentropy)
            let error = #expect(throws: StrataError.self) {
                try other.fit(x, y, batchSize: 8, epochs: 3, verbose: .silent, callbacks: [BackupAndRestore(folder)])
            }
            #expect(error?.description.contains("do not match") == true && error?.description.contains("missing") == true)
            #expect(FileManager.default.fileExists(atPath: folder + "/backup.safetensors"), "a refused backup is kept")
        }
    }
}
