import Foundation
import StrataTestSupport
import Testing
@testable import Strata

/// `BackupAndRestore(saveFrequency: .steps(n))`: a run interrupted anywhere inside an epoch and
/// resumed from its last backup continues at the next batch of the same shuffled order, with the
/// epoch's running loss and metrics, the random stream (dropout masks) and the augmentation
/// draws where they were — ending bit-identical to a run never interrupted. (The SIGKILL version
/// of this is `CommandLineTests.killedMidEpochAtRandomMomentsResumesBitIdentically`.)
@Suite("Resume in the middle of an epoch")
struct MidEpochResumeTests {
    let x = random([40, 4, 4, 1], 0, 1, seed: 21)
    let y = Tensor(labels: (0..<40).map { ($0 * 7) % 3 })

    func makeModel() -> Sequential {
        let model = Sequential {
            RandomFlip(.horizontal, inputShape: [4, 4, 1])
            RandomTranslation(heightFactor: 0.25, widthFactor: 0.25)
            Flatten()
            Dense(12, activation: .relu)
            Dropout(0.3)
            BatchNormalization()
            Dense(3, activation: .softmax)
        }
        model.compile(optimizer: Adam(learningRate: 0.01), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
        return model
    }

    /// Throws before global batch `step` (counted from 0 over the whole run), as a kill would.
    final class Interruption: Callback {
        struct Stopped: Error {}
        let step: Int
        private var seen = 0
        init(at step: Int) { self.step = step }
        override func onTrainBatchBegin(_ batch: Int, logs: Logs) throws {
            if seen == step { throw Stopped() }
            seen += 1
        }
    }

    func train(folder: String, interruption: Int?) throws -> (weights: [Tensor], history: [String: [Double]], completed: Bool) {
        try Random.withSeed(8) {
            let model = makeModel()
            let backup = BackupAndRestore(folder, saveFrequency: .steps(3))
            do {
                let history = try model.fit(x, y, batchSize: 6, epochs: 3, verbose: .silent,
                                            callbacks: [backup] + (interruption.map { [Interruption(at: $0)] } ?? []),
                                            validationSplit: 0.25)
                return (model.getWeights(), history.history, true)
            } catch is Interruption.Stopped {
                return ([], [:], false)
            }
        }
    }

    @Test func interruptedAnywhereAndResumedIsBitIdentical() throws {
        let reference = try train(folder: temporaryPath("reference"), interruption: nil)
        // 30 training samples in batches of 6: 5 batches an epoch, 15 in the run. Interruptions at
        // batches 4, 5 (an epoch's start), 7 and 13 of the remaining run, each after its own
        // resume: backups every 3 batches, so each resume repeats up to 2 batches.
        let folder = temporaryPath("interrupted")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var outcome = try train(folder: folder, interruption: 4)
        for step in [1, 3, 2] {
            #expect(!outcome.completed)
            outcome = try train(folder: folder, interruption: step)
        }
        while !outcome.completed { outcome = try train(folder: folder, interruption: nil) }
        #expect(outcome.weights == reference.weights, "weights bit for bit")
        #expect(outcome.history == reference.history, "the epochs' losses and metrics too")
        #expect(!FileManager.default.fileExists(atPath: folder + "/backup.safetensors"), "a completed run deletes its backup")
    }

    @Test func theBackupRecordsThePositionAndAChangedBatchSizeIsRefused() throws {
        let folder = temporaryPath("position")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try train(folder: folder, interruption: 7)
        let (_, metadata) = try SafeTensors.read(from: URL(fileURLWithPath: folder + "/backup.safetensors"))
        let position = try JSONDecoder().decode(EpochPosition.self, from: Data(try #require(metadata["epoch_position"]).utf8))
        // Backups after batches 3 and 6 of the run: the last is epoch 1, one batch done.
        #expect(position.epoch == 1 && position.nextBatch == 1 && position.samples == 30 && position.globalBatch == 6)
        #expect(metadata["epoch"] == "0" && position.trackers.count >= 2)
        Random.withSeed(8) {
            let model = makeModel()
            let error = #expect(throws: StrataError.self) {
                try model.fit(x, y, batchSize: 5, epochs: 3, verbose: .silent, callbacks: [BackupAndRestore(folder, saveFrequency: .steps(3))],
                              validationSplit: 0.25)
            }
            #expect(error?.description.contains("batches of 5") == true, "\(String(describing: error))")
        }
    }

    private func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("strata-mid-epoch-\(name)-\(UUID().uuidString)").path
    }
}
