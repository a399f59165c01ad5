import Foundation

/// Where a run stands beyond its weights — the last epoch completed, the history so far, the
/// random stream, the optimizer's step count, slots and scalars, and the noise layers' call
/// counts — as model files (`save(to:)`) and backups (`BackupAndRestore`) both store it: this is
/// the one codec for it, so either kind of file resumes the same way. `fit` continues a model that
/// carries a state (`Model.trainingProgress`) after its epoch, with its history, bit-identical to
/// a run that was never interrupted.
///
/// In the file: metadata `epoch` (0-based), `history` (`History.json()`), `random_stream`,
/// `optimizer_iterations`, `optimizer_scalars` (a JSON object), `noise_calls/<layer index>`,
/// `augmentation_seed/<layer index>` and, for a backup written between batches,
/// `epoch_position` (an `EpochPosition` as JSON); tensors `optimizer/<variable name>/<slot name>`.
struct TrainingState {
    /// The last epoch completed (0-based); nil before any.
    var epoch: Int?
    /// The values logged per epoch, and the (0-based) epochs they belong to.
    var history: (values: [String: [Double]], epochs: [Int])?
    /// The global random stream after `epoch`.
    var randomStream: UInt64?
    /// The optimizer's state, its slots keyed by the model's variable names.
    var optimizer: OptimizerState?
    /// Training calls so far of each noise layer, by its position in `Model.layers`.
    var noiseCalls: [Int: UInt64] = [:]
    /// The seed each augmentation layer draws its transforms with, by its position.
    var augmentationSeeds: [Int: UInt64] = [:]
    /// Where training stood inside the epoch after `epoch`, for a backup written between batches.
    var position: EpochPosition?

    /// The state of `model` now, after `epoch` (default: the last epoch its history recorded),
    /// and at `position` inside the next one.
    init(of model: Model, epoch: Int? = nil, position: EpochPosition? = nil) {
        self.epoch = epoch ?? model.history?.epochs.last
        self.position = position
        history = model.history.map { (values: $0.history, epochs: $0.epochs) }
        randomStream = Random.streamState
        optimizer = model.optimizer?.state
        for (index, layer) in model.layers.enumerated() {
            if let noise = layer as? any NoiseLayer { noiseCalls[index] = noise.noiseCalls }
            if let augmentation = layer as? RandomAugmentation { augmentationSeeds[index] = augmentation.streamSeed }
        }
    }

    /// Adds the state to a file's metadata and tensors.
    func encode(into metadata: inout [String: String], tensors: inout [(name: String, tensor: Tensor)]) {
        if let epoch { metadata["epoch"] = String(epoch) }
        if let history, let json = try? History.json(history.values, epochs: history.epochs) { metadata["history"] = json }
        if let randomStream { metadata["random_stream"] = String(randomStream) }
        if let optimizer {
            metadata["optimizer_iterations"] = String(optimizer.iterations)
            metadata["optimizer_scalars"] = ConfigValue.object(optimizer.scalars.mapValues { .float($0) }).description
            tensors += optimizer.slots.keys.sorted().map { (name: Self.slotPrefix + $0, tensor: optimizer.slots[$0]!) }
        }
        for (index, calls) in noiseCalls { metadata[String(format: "noise_calls/%03d", index)] = String(calls) }
        for (index, seed) in augmentationSeeds { metadata[String(format: "augmentation_seed/%03d", index)] = String(seed) }
        if let position, let json = try? JSONEncoder().encode(position) { metadata["epoch_position"] = String(decoding: json, as: UTF8.self) }
    }

    /// The state a file holds, its slots renamed from the file's variable names to the model's
    /// (`names`: file name → model name); nil when the file holds no training state.
    init?(metadata: [String: String], tensors: [String: Tensor], renaming names: [String: String]) {
        epoch = metadata["epoch"].flatMap(Int.init)
        history = Self.decodeHistory(metadata["history"])
        randomStream = metadata["random_stream"].flatMap(UInt64.init)
        if let iterations = metadata["optimizer_iterations"].flatMap(Int.init) {
            var slots: [String: Tensor] = [:]
            for (key, tensor) in tensors where key.hasPrefix(Self.slotPrefix) {
                let path = key.dropFirst(Self.slotPrefix.count)
                guard let split = path.lastIndex(of: "/") else { continue }
                let variable = String(path[..<split])
                slots[(names[variable] ?? variable) + path[split...]] = tensor
            }
            optimizer = OptimizerState(iterations: iterations, slots: slots, scalars: Self.decodeScalars(metadata["optimizer_scalars"]))
        }
        for (key, value) in metadata where key.hasPrefix("noise_calls/") {
            if let index = Int(key.dropFirst("noise_calls/".count)), let calls = UInt64(value) { noiseCalls[index] = calls }
        }
        for (key, value) in metadata where key.hasPrefix("augmentation_seed/") {
            if let index = Int(key.dropFirst("augmentation_seed/".count)), let seed = UInt64(value) { augmentationSeeds[index] = seed }
        }
        position = metadata["epoch_position"].flatMap { try? JSONDecoder().decode(EpochPosition.self, from: Data($0.utf8)) }
        guard epoch != nil || history != nil || randomStream != nil || optimizer != nil || !noiseCalls.isEmpty || position != nil else {
            return nil
        }
    }

    /// Puts the optimizer's state and the noise layers' counts back into `model` (the epoch,
    /// history and random stream wait for `fit`).
    func restore(into model: Model) throws {
        if let state = optimizer, let optimizer = model.optimizer {
            try optimizer.restore(state, for: state.iterations > 0 ? model.trainableVariables : [])
        }
        for (index, layer) in model.layers.enumerated() {
            if let noise = layer as? any NoiseLayer, let calls = noiseCalls[index] { noise.noiseCalls = calls }
            if let augmentation = layer as? RandomAugmentation, let seed = augmentationSeeds[index] { augmentation.streamSeed = seed }
        }
    }

    /// Where the optimizer's slots live among a file's tensors.
    static let slotPrefix = "optimizer/"

    private static func decodeScalars(_ text: String?) -> [String: Float] {
        guard let text, case .object(let values)? = try? JSONDecoder().decode(ConfigValue.self, from: Data(text.utf8)) else {
            return [:]
        }
        return values.compactMapValues { value in
            if case .number(let number) = value { return Float(number) }
            return nil
        }
    }

    /// The values and 0-based epochs of a `History.json()` string.
    private static func decodeHistory(_ text: String?) -> (values: [String: [Double]], epochs: [Int])? {
        guard let text, var object = try? JSONDecoder().decode([String: [Double]].self, from: Data(text.utf8)),
              let epochs = object.removeValue(forKey: "epochs") else { return nil }
        return (object, epochs.map { Int($0) - 1 })
    }
}
