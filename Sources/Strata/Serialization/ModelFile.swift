import Foundation

/// Whole-model files: one safetensors file holding the weights (named by layer path, readable
/// by any safetensors reader), the optimizer's slots under `optimizer/…` when saved, and in the
/// header's `__metadata__`: the format and its version, the architecture (the `Sequential`
/// config JSON that `strata train --model` reads), the per-sample input shape, the compile
/// settings (loss, metrics, optimizer config, step count) and the training state (epoch, history
/// so far, random stream).
enum ModelFile {
    static let format = "strata-model"
    /// 2: `"gelu"` means the exact GELU (Keras 3) — version 1 files meant the tanh approximation —
    /// and `LayerNormalization`'s γ and β have the normalized axes' shape (version 1: with 1s for
    /// the other axes, the same values).
    static let version = 2

    static func save(_ model: Model, to path: String, includeOptimizer: Bool) throws {
        var metadata = ["format": format, "format_version": String(version)]
        if let sequential = model as? Sequential { metadata["model_config"] = sequential.config.description }
        if let shape = model.inputShape { metadata["input_shape"] = ConfigValue.ints(shape).description }
        var tensors = model.variables.map { (name: $0.name, tensor: $0.value) }
        if let optimizer = model.optimizer, let loss = model.loss {
            var compile: [String: ConfigValue] = ["optimizer": optimizer.config, "loss": loss.config,
                                                  "metrics": .array(model.metrics.map { .string($0.name) })]
            if model.lossWeight != 1 { compile["loss_weights"] = .array([.float(model.lossWeight)]) }
            metadata["compile_config"] = ConfigValue.object(compile).description
            if includeOptimizer {
                // Training state: enough for `strata train --resume` to continue where this stopped.
                if let epoch = model.completedEpoch { metadata["epoch"] = String(epoch) }
                if let history = model.history, let json = try? history.json() { metadata["history"] = json }
                metadata["random_stream"] = String(Random.streamState)
                let state = optimizer.state
                metadata["optimizer_iterations"] = String(state.iterations)
                metadata["optimizer_scalars"] = TrainingStateMetadata.encode(scalars: state.scalars)
                tensors += state.slots.keys.sorted().map { (name: "optimizer/" + $0, tensor: state.slots[$0]!) }
            }
        }
        try SafeTensors.write(tensors, metadata: metadata, to: URL(fileURLWithPath: path))
    }

    static func loadSequential(from path: String) throws -> Sequential {
        let (tensors, metadata) = try SafeTensors.read(from: URL(fileURLWithPath: path))
        func fail(_ message: String, expected: String? = nil) -> StrataError {
            StrataError(kind: .invalidFile, message: message, context: path, expected: expected)
        }
        guard metadata["format"] == format else {
            throw fail("not a Strata model file (format '\(metadata["format"] ?? "none")')",
                       expected: "a file written by model.save(to:); weights-only files load with loadWeights(from:)")
        }
        guard let fileVersion = metadata["format_version"].flatMap(Int.init), fileVersion >= 1 else {
            throw fail("missing or invalid format_version")
        }
        guard fileVersion <= version else {
            throw fail("written by a newer Strata (format version \(fileVersion))", expected: "format version ≤ \(version): upgrade Strata")
        }
        func json(_ key: String) throws -> ConfigValue? {
            guard let text = metadata[key] else { return nil }
            do { return try JSONDecoder().decode(ConfigValue.self, from: Data(text.utf8)) } catch {
                throw fail("metadata '\(key)' is not valid JSON")
            }
        }
        guard let architecture = try json("model_config").map({ fileVersion == 1 ? approximateGELU($0) : $0 }) else {
            throw fail("no model_config: the file holds a subclassed model", expected: "load it into an instance with loadWeights(from:)")
        }
        let model: Sequential
        do { model = try Sequential(config: architecture) } catch let error as StrataError {
            throw StrataError(kind: error.kind, message: error.message, context: "\(path): \(error.context ?? "model_config")",
                              expected: error.expected)
        }
        if let shape = try json("input_shape") {
            guard case .array(let items) = shape else { throw fail("input_shape is not an array of integers") }
            let dimensions = items.compactMap { item -> Int? in
                if case .number(let value) = item { return Int(exactly: value) }
                return nil
            }
            guard dimensions.count == items.count else { throw fail("input_shape is not an array of integers") }
            try model.build(inputShape: dimensions)
        }
        var weights = tensors.filter { !$0.key.hasPrefix("optimizer/") }
        if fileVersion == 1 {
            weights = dropUnitAxes(weights, toFit: Dictionary(model.variables.map { ($0.name, $0.shape) }) { first, _ in first })
        }
        try model.loadWeights(weights, source: path)
        if let compile = try json("compile_config") {
            let reader = try ConfigReader(compile, owner: "\(path): compile_config")
            let optimizer = try Optimizer.from(config: reader.value("optimizer"))
            let loss = try Loss(config: reader.value("loss"))
            guard case .array(let names) = reader.value("metrics") else { throw fail("compile_config.metrics is not an array") }
            let metrics = try names.map { item -> Metrics in
                guard case .string(let name) = item, let metric = Metrics(name: name) else {
                    throw fail("unknown metric \(item) in compile_config.metrics")
                }
                return metric
            }
            var weight: [Float]?
            if case .array(let values) = reader.value("loss_weights"), case .number(let value)? = values.first { weight = [Float(value)] }
            model.compile(optimizer: optimizer, loss: loss, metrics: metrics, lossWeights: weight)
            if let iterations = metadata["optimizer_iterations"].flatMap(Int.init) {
                let scalars = TrainingStateMetadata.decodeScalars(metadata["optimizer_scalars"])
                var slots = Dictionary(uniqueKeysWithValues: tensors.filter { $0.key.hasPrefix("optimizer/") }
                    .map { (String($0.key.dropFirst("optimizer/".count)), $0.value) })
                if fileVersion == 1 {
                    // Slots are named `<variable>/<slot>` and shaped like their variable.
                    let shapes = model.trainableVariables.flatMap { variable in
                        optimizer.slotNames.map { (variable.name + "/" + $0, variable.shape) }
                    }
                    slots = dropUnitAxes(slots, toFit: Dictionary(shapes) { first, _ in first })
                }
                try optimizer.restore(OptimizerState(iterations: iterations, slots: slots, scalars: scalars),
                                      for: iterations > 0 ? model.trainableVariables : [])
            }
        }
        model.completedEpoch = metadata["epoch"].flatMap(Int.init)
        if let record = TrainingStateMetadata.decodeHistory(metadata["history"]) {
            model.savedHistory = record.values
            model.savedHistoryEpochs = record.epochs
        }
        model.savedRandomStream = metadata["random_stream"].flatMap(UInt64.init)
        return model
    }

    /// Version-1 tensors reshaped to the expected shape (by name) where the two differ only by
    /// axes of size 1 (LayerNormalization's γ and β were `[1, features]`); anything else is left
    /// to the loaders' shape checks.
    static func dropUnitAxes(_ tensors: [String: Tensor], toFit shapes: [String: [Int]]) -> [String: Tensor] {
        var result = tensors
        for (name, tensor) in tensors {
            guard let shape = shapes[name], tensor.shape != shape,
                  tensor.shape.filter({ $0 != 1 }) == shape.filter({ $0 != 1 }) else { continue }
            result[name] = tensor.reshaped(to: shape)
        }
        return result
    }

    /// A version-1 architecture with its GELU activations spelled out: those files wrote the tanh
    /// approximation as `"gelu"` (and read `{"name": "gelu"}` as approximate), which now means the
    /// exact function, so an old file keeps computing what it computed when it was written.
    static func approximateGELU(_ config: ConfigValue) -> ConfigValue {
        switch config {
        case .array(let items): return .array(items.map(approximateGELU))
        case .object(var values):
            for (key, value) in values {
                if key == "activation", let legacy = legacyGELU(value) { values[key] = legacy } else { values[key] = approximateGELU(value) }
            }
            return .object(values)
        default: return config
        }
    }

    private static func legacyGELU(_ activation: ConfigValue) -> ConfigValue? {
        switch activation {
        case .string("gelu"): return .object(["name": .string("gelu"), "approximate": .bool(true)])
        case .object(var values) where values["name"] == .string("gelu") && values["approximate"] == nil:
            values["approximate"] = .bool(true)
            return .object(values)
        default: return nil
        }
    }
}

extension Model {
    /// Saves the whole model to one safetensors file, atomically: weights, architecture (for
    /// `Sequential`), compile settings and — with `includeOptimizer` — the optimizer's state, so
    /// training can resume exactly.
    ///
    ///     try model.save(to: "fashion.safetensors")
    public func save(to path: String, includeOptimizer: Bool = true) throws {
        try ModelFile.save(self, to: path, includeOptimizer: includeOptimizer)
    }
}

extension Sequential {
    /// Loads a model saved with `save(to:)`: architecture, weights, compile settings and
    /// optimizer state. Throws a `StrataError` naming the file and the problem (not a model file,
    /// newer format, bad metadata, missing or mis-shaped tensors).
    ///
    ///     let again = try Sequential.load(from: "fashion.safetensors")
    public static func load(from path: String) throws -> Sequential {
        try ModelFile.loadSequential(from: path)
    }
}
