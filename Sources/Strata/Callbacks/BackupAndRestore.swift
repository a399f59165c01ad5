import Foundation

/// Makes training survive interruptions (Keras' `BackupAndRestore`): after every epoch — or
/// every `n` batches with `saveFrequency: .steps(n)` (Keras' integer `save_freq`, counted across
/// epochs) — it writes a backup: a model file (`save(to:)`) with its whole training state:
/// weights, optimizer state, the epoch, the history so far, the random stream, the noise layers'
/// call counts and the augmentation layers' seeds, and between batches the position inside the
/// epoch (the batches done, the seed of the epoch's order, the epoch's running loss and metric
/// totals) — atomically to `directory/backup.safetensors`. When `fit` starts and a backup
/// exists, it restores all of that (weights by name, or by position into a model of the same
/// architecture whose layers are named otherwise) and training continues where the backup
/// stopped — after the saved epoch, or at the next batch of the saved epoch — ending
/// bit-identical to an uninterrupted run with the same seed (Keras restarts the interrupted
/// epoch from its first batch). A run that completes deletes its backup (unless
/// `deleteCheckpoint` is false).
///
///     try model.fit(x, y, epochs: 100, callbacks: [BackupAndRestore("backups/run1", saveFrequency: .steps(500))])
///
/// In a data-parallel run every replica needs the callback with the same frequency (a backup
/// between batches sums the epoch's totals over the replicas); replica 0 writes.
public final class BackupAndRestore: Callback {
    /// When backups are written.
    public enum SaveFrequency: Sendable, Equatable {
        /// After every epoch (Keras' `save_freq="epoch"`, the default).
        case epoch
        /// After every `n` training batches, counted across epochs (Keras' `save_freq=n`).
        case steps(Int)
    }

    /// The folder holding the backup.
    public let directory: String
    /// Whether a completed run removes its backup.
    public let deleteCheckpoint: Bool
    /// Whether this process writes (and deletes) the backup; false for the other replicas of a
    /// data-parallel job, which only restore from the one replica 0 writes.
    public let writes: Bool
    /// When backups are written (default after every epoch).
    public let saveFrequency: SaveFrequency
    /// The epoch training resumed after, when it did (−1: inside the first epoch).
    public private(set) var restoredEpoch: Int?
    /// The batch of its epoch training resumed at, when a backup between batches was restored.
    public private(set) var restoredBatch: Int?
    private var batchesSinceBackup = 0

    /// Creates the callback.
    ///
    /// - Parameters:
    ///   - directory: the folder holding the backup.
    ///   - saveFrequency: after every epoch (default) or every `n` batches.
    ///   - deleteCheckpoint: whether a completed run removes its backup (default true).
    ///   - writes: false for replicas other than the first of a data-parallel job.
    public init(_ directory: String, saveFrequency: SaveFrequency = .epoch, deleteCheckpoint: Bool = true, writes: Bool = true) {
        self.directory = directory
        self.saveFrequency = saveFrequency
        self.deleteCheckpoint = deleteCheckpoint
        self.writes = writes
    }

    private var path: String { directory + "/backup.safetensors" }

    public override func onTrainBegin(logs: Logs) throws {
        (restoredEpoch, restoredBatch, batchesSinceBackup) = (nil, nil, 0)
        if case .steps(let n) = saveFrequency, n < 1 {
            throw StrataError.invalidArgument("saveFrequency .steps(\(n))", context: "BackupAndRestore", expected: "at least one batch between backups")
        }
        guard let model, FileManager.default.fileExists(atPath: path) else {
            guard writes else { return }
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard FileManager.default.isWritableFile(atPath: directory) else {
                throw StrataError(kind: .io, message: "cannot write backups into \(directory)", context: "BackupAndRestore")
            }
            return
        }
        let state = try ModelFile.restore(into: model, from: path)
        guard let state, state.randomStream != nil, state.epoch != nil || state.position != nil else {
            throw StrataError(kind: .invalidFile, message: "the file holds no training state", context: path,
                              expected: "a backup BackupAndRestore wrote")
        }
        restoredEpoch = state.epoch ?? -1
        restoredBatch = state.position?.nextBatch
    }

    public override func onEpochEnd(_ epoch: Int, logs: Logs) throws {
        guard let model, writes, saveFrequency == .epoch else { return }
        try ModelFile.save(model, to: path, state: TrainingState(of: model, epoch: epoch))
    }

    public override func onTrainBatchEnd(_ batch: Int, logs: Logs) throws {
        guard case .steps(let n) = saveFrequency, let model, let current = model.epochInProgress else { return }
        batchesSinceBackup += 1
        guard batchesSinceBackup >= n else { return }
        batchesSinceBackup = 0
        let position = current.position()   // every replica takes part in summing the totals
        guard writes else { return }
        try ModelFile.save(model, to: path, state: TrainingState(of: model, epoch: current.epoch > 0 ? current.epoch - 1 : nil,
                                                                  position: position))
    }

    public override func onTrainEnd(logs: Logs) throws {
        // Reached only when fit completes (an interrupted run throws before this), so the
        // backup of an interrupted run stays for the next attempt.
        if deleteCheckpoint && writes { try? FileManager.default.removeItem(atPath: path) }
    }
}
