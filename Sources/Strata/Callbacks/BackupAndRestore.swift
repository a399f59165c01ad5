import Foundation

/// Makes training survive interruptions (Keras' `BackupAndRestore`): after every epoch it writes
/// a backup — a model file (`save(to:)`) with its whole training state: weights, optimizer
/// state, the epoch, the history so far, the random stream and the noise layers' call counts —
/// atomically to `directory/backup.safetensors`. When `fit` starts and a backup exists, it
/// restores all of that (weights by name, or by position into a model of the same architecture
/// whose layers are named otherwise) and training continues after the saved epoch, ending
/// bit-identical to an uninterrupted run with the same seed. A run that completes deletes its backup (unless
/// `deleteCheckpoint` is false).
///
///     try model.fit(x, y, epochs: 100, callbacks: [BackupAndRestore("backups/run1")])
public final class BackupAndRestore: Callback {
    /// The folder holding the backup.
    public let directory: String
    /// Whether a completed run removes its backup.
    public let deleteCheckpoint: Bool
    /// Whether this process writes (and deletes) the backup; false for the other replicas of a
    /// data-parallel job, which only restore from the one replica 0 writes.
    public let writes: Bool
    /// The epoch training resumed after, when it did.
    public private(set) var restoredEpoch: Int?

    /// Creates the callback.
    public init(_ directory: String, deleteCheckpoint: Bool = true, writes: Bool = true) {
        self.directory = directory
        self.deleteCheckpoint = deleteCheckpoint
        self.writes = writes
    }

    private var path: String { directory + "/backup.safetensors" }

    public override func onTrainBegin(logs: Logs) throws {
        restoredEpoch = nil
        guard let model, FileManager.default.fileExists(atPath: path) else {
            guard writes else { return }
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard FileManager.default.isWritableFile(atPath: directory) else {
                throw StrataError(kind: .io, message: "cannot write backups into \(directory)", context: "BackupAndRestore")
            }
            return
        }
        let state = try ModelFile.restore(into: model, from: path)
        guard let epoch = state?.epoch, state?.randomStream != nil else {
            throw StrataError(kind: .invalidFile, message: "the file holds no training state", context: path,
                              expected: "a backup BackupAndRestore wrote")
        }
        restoredEpoch = epoch
    }

    public override func onEpochEnd(_ epoch: Int, logs: Logs) throws {
        guard let model, writes else { return }
        try ModelFile.save(model, to: path, state: TrainingState(of: model, epoch: epoch))
    }

    public override func onTrainEnd(logs: Logs) throws {
        // Reached only when fit completes (an interrupted run throws before this), so the
        // backup of an interrupted run stays for the next attempt.
        if deleteCheckpoint && writes { try? FileManager.default.removeItem(atPath: path) }
    }
}
