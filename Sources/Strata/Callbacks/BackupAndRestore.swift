import Foundation

/// Makes training survive interruptions (Keras' `BackupAndRestore`): after every epoch it writes
/// a backup — weights, optimizer state, the epoch, the history so far, the random stream and the
/// noise layers' call counts, in model order — atomically to `directory/backup.safetensors`. When `fit` starts and a backup exists,
/// it restores all of that and training continues after the saved epoch, ending bit-identical to
/// an uninterrupted run with the same seed. A run that completes deletes its backup (unless
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
        let (tensors, metadata) = try SafeTensors.read(from: URL(fileURLWithPath: path))
        guard metadata["format"] == "strata-backup", let epoch = metadata["epoch"].flatMap(Int.init),
              let stream = metadata["random_stream"].flatMap(UInt64.init) else {
            throw StrataError(kind: .invalidFile, message: "not a Strata backup", context: path, expected: "a file BackupAndRestore wrote")
        }
        // Variables are matched by position (the same architecture), so a model whose layers got
        // other automatic names — a second model in the same process — restores too.
        let variables = model.variables, trainable = model.trainableVariables
        let saved = (0..<variables.count).map { tensors[String(format: "weight/%05d", $0)] }
        guard tensors.keys.filter({ $0.hasPrefix("weight/") }).count == variables.count,
              zip(saved, variables).allSatisfy({ $0?.shape == $1.shape }) else {
            throw StrataError(kind: .invalidFile, message: "the backup's weights do not fit this model", context: path,
                              expected: "\(variables.count) variables of shapes \(variables.map(\.shape))")
        }
        for (variable, value) in zip(variables, saved) { variable.value = value! }
        if let optimizer = model.optimizer, let iterations = metadata["optimizer_iterations"].flatMap(Int.init) {
            var slots: [String: Tensor] = [:]
            for (index, variable) in trainable.enumerated() {
                for slot in optimizer.slotNames {
                    slots["\(variable.name)/\(slot)"] = tensors[String(format: "optimizer/%05d/", index) + slot]
                }
            }
            let scalars = TrainingStateMetadata.decodeScalars(metadata["optimizer_scalars"])
            try optimizer.restore(OptimizerState(iterations: iterations, slots: slots, scalars: scalars), for: trainable)
        }
        for (index, layer) in model.layers.enumerated() {
            if let noise = layer as? any NoiseLayer, let calls = metadata[String(format: "noise_calls/%03d", index)].flatMap(UInt64.init) {
                noise.noiseCalls = calls
            }
        }
        if let record = TrainingStateMetadata.decodeHistory(metadata["history"]) {
            model.history?.restore(history: record.values, epochs: record.epochs)
        }
        Random.streamState = stream
        model.resumeEpoch = epoch + 1
        restoredEpoch = epoch
    }

    public override func onEpochEnd(_ epoch: Int, logs: Logs) throws {
        guard let model, writes else { return }
        var metadata = ["format": "strata-backup", "epoch": String(epoch), "random_stream": String(Random.streamState)]
        if let json = try? model.history?.json() { metadata["history"] = json }
        var tensors = model.variables.enumerated().map { (name: String(format: "weight/%05d", $0.offset), tensor: $0.element.value) }
        if let optimizer = model.optimizer {
            let state = optimizer.state
            metadata["optimizer_iterations"] = String(state.iterations)
            metadata["optimizer_scalars"] = TrainingStateMetadata.encode(scalars: state.scalars)
            for (index, variable) in model.trainableVariables.enumerated() {
                for slot in optimizer.slotNames {
                    if let tensor = state.slots["\(variable.name)/\(slot)"] {
                        tensors.append((name: String(format: "optimizer/%05d/", index) + slot, tensor: tensor))
                    }
                }
            }
        }
        for (index, layer) in model.layers.enumerated() {
            if let noise = layer as? any NoiseLayer { metadata[String(format: "noise_calls/%03d", index)] = String(noise.noiseCalls) }
        }
        try SafeTensors.write(tensors, metadata: metadata, to: URL(fileURLWithPath: path))
    }

    public override func onTrainEnd(logs: Logs) throws {
        // Reached only when fit completes (an interrupted run throws before this), so the
        // backup of an interrupted run stays for the next attempt.
        if deleteCheckpoint && writes { try? FileManager.default.removeItem(atPath: path) }
    }
}
