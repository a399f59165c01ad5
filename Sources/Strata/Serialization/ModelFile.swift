import Foundation

/// Whole-model files — `save(to:)`, `ModelCheckpoint` and `BackupAndRestore` all write them: one
/// safetensors file holding the weights (named by layer path, readable by any safetensors
/// reader), and in the header's `__metadata__` the format and its version, the variables' names
/// in model order, the architecture (the `Sequential` config JSON that `strata train --model`
/// reads), the per-sample input shape, the class names when known, the compile settings (loss, metrics, optimizer config) and
/// — with the optimizer — the training state (`TrainingState`: epoch, history, random stream,
/// optimizer slots under `optimizer/…`, noise-layer counts).
enum ModelFile {
    static let format = "strata-model"
    /// 2: `"gelu"` means the exact GELU (Keras 3) — version 1 files meant the tanh approximation —
    /// and `LayerNormalization`'s γ and β have the normalized axes' shape (version 1: with 1s for
    /// the other axes, the same values).
    static let version = 2
    /// The format of backups before they were model files (read, never written).
    static let legacyBackupFormat = "strata-backup"

    /// Writes `model` atomically, with `state` when given.
    static func save(_ model: Model, to path: String, state: TrainingState?) throws {
        var metadata = ["format": format, "format_version": String(version)]
        if let architecture = model.architectureConfig { metadata["model_config"] = architecture.description }
        if let shape = model.inputShape { metadata["input_shape"] = ConfigValue.ints(shape).description }
        if let names = model.classNames { metadata["class_names"] = ConfigValue.array(names.map { .string($0) }).description }
        let variables = model.variables
        var seen: Set<String> = []
        if let twice = variables.first(where: { !seen.insert($0.name).inserted }) {
            throw StrataError.invalidArgument("two weights are named '\(twice.name)' (layers of the same name)", context: path,
                                              expected: "unique layer names")
        }
        metadata["variables"] = ConfigValue.array(variables.map { .string($0.name) }).description
        var tensors = variables.map { (name: $0.name, tensor: $0.value) }
        if let optimizer = model.optimizer, let spec = model.compileSpec {
            metadata["compile_config"] = spec.config(optimizer: optimizer).description
            state?.encode(into: &metadata, tensors: &tensors)
        }
        try SafeTensors.write(tensors, metadata: metadata, to: URL(fileURLWithPath: path))
    }

    /// A model file's tensors and metadata, checked for format and version.
    struct Contents {
        let path: String
        var tensors: [String: Tensor]
        let metadata: [String: String]
        let version: Int
        /// The variables' names in model order, when the file lists them.
        var variableNames: [String]?

        /// The weights (every tensor that is not an optimizer slot).
        var weights: [String: Tensor] { tensors.filter { !$0.key.hasPrefix(TrainingState.slotPrefix) } }

        func fail(_ message: String, expected: String? = nil) -> StrataError {
            ModelFile.invalid(path, message, expected: expected)
        }

        /// The metadata value of `key` parsed as JSON; nil when absent.
        func json(_ key: String) throws -> ConfigValue? {
            guard let text = metadata[key] else { return nil }
            do { return try JSONDecoder().decode(ConfigValue.self, from: Data(text.utf8)) } catch {
                throw fail("metadata '\(key)' is not valid JSON")
            }
        }

        /// The training state the file holds, its slots named for the variables `names` maps
        /// the file's names to.
        func trainingState(renaming names: [String: String] = [:]) -> TrainingState? {
            TrainingState(metadata: metadata, tensors: tensors, renaming: names)
        }

        /// Version-1 tensors reshaped to `model`'s shapes (see `dropUnitAxes`).
        mutating func upgrade(for model: Model, optimizer: Optimizer?) {
            guard version == 1 else { return }
            var shapes = Dictionary(model.variables.map { ($0.name, $0.shape) }) { first, _ in first }
            for variable in model.trainableVariables {
                for slot in optimizer?.slotNames ?? [] { shapes[TrainingState.slotPrefix + variable.name + "/" + slot] = variable.shape }
            }
            tensors = ModelFile.dropUnitAxes(tensors, toFit: shapes)
        }
    }

    static func invalid(_ path: String, _ message: String, expected: String? = nil) -> StrataError {
        StrataError(kind: .invalidFile, message: message, context: path, expected: expected)
    }

    static func read(_ path: String) throws -> Contents {
        let (tensors, metadata) = try SafeTensors.read(from: URL(fileURLWithPath: path))
        if metadata["format"] == legacyBackupFormat { return legacyBackup(tensors, metadata, path: path) }
        guard metadata["format"] == format else {
            throw invalid(path, "not a Strata model file (format '\(metadata["format"] ?? "none")')",
                          expected: "a file written by model.save(to:); weights-only files load with loadWeights(from:)")
        }
        guard let fileVersion = metadata["format_version"].flatMap(Int.init), fileVersion >= 1 else {
            throw invalid(path, "missing or invalid format_version")
        }
        guard fileVersion <= version else {
            throw invalid(path, "written by a newer Strata (format version \(fileVersion))",
                          expected: "format version ≤ \(version): upgrade Strata")
        }
        var contents = Contents(path: path, tensors: tensors, metadata: metadata, version: fileVersion)
        if case .array(let names)? = try contents.json("variables") {
            contents.variableNames = names.compactMap { if case .string(let name) = $0 { return name } else { return nil } }
        }
        return contents
    }

    /// A backup written before backups were model files: weights `weight/<index>` in model
    /// order, slots `optimizer/<trainable index>/<slot>`, otherwise the same training state.
    private static func legacyBackup(_ tensors: [String: Tensor], _ metadata: [String: String], path: String) -> Contents {
        var renamed: [String: Tensor] = [:]
        for (key, tensor) in tensors {
            renamed[key.hasPrefix(TrainingState.slotPrefix) ? TrainingState.slotPrefix + "weight/" + key.dropFirst(TrainingState.slotPrefix.count) : key] = tensor
        }
        let names = tensors.keys.filter { $0.hasPrefix("weight/") }.sorted()
        return Contents(path: path, tensors: renamed, metadata: metadata, version: version, variableNames: names)
    }

    static func load(from path: String) throws -> Model {
        let file = try read(path)
        guard let architecture = try file.json("model_config").map({ file.version == 1 ? approximateGELU($0) : $0 }) else {
            throw file.fail("no model_config: the file holds a subclassed model or is a backup of one",
                            expected: "load it into an instance with loadWeights(from:)")
        }
        let model: Model
        do { model = try Model.from(config: architecture) } catch let error as StrataError {
            throw StrataError(kind: error.kind, message: error.message, context: "\(path): \(error.context ?? "model_config")",
                              expected: error.expected)
        }
        if let shape = try file.json("input_shape") {
            guard case .array(let items) = shape else { throw file.fail("input_shape is not an array of integers") }
            let dimensions = items.compactMap { item -> Int? in
                if case .number(let value) = item { return Int(exactly: value) }
                return nil
            }
            guard dimensions.count == items.count else { throw file.fail("input_shape is not an array of integers") }
            try model.build(inputShape: dimensions)
        }
        if let names = try file.json("class_names") {
            guard case .array(let items) = names else { throw file.fail("class_names is not an array of strings") }
            model.classNames = try items.map { item in
                guard case .string(let name) = item else { throw file.fail("class_names is not an array of strings") }
                return name
            }
        }
        if let compile = try file.json("compile_config") {
            let reader = try ConfigReader(compile, owner: "\(path): compile_config")
            let optimizer = try Optimizer.from(config: reader.value("optimizer"))
            model.setCompiled(optimizer: optimizer, try CompileSpec(config: reader) { file.fail($0) })
        }
        try restore(file, into: model)
        return model
    }

    /// Restores a file written from a model of the same architecture into `model`: its weights
    /// and its training state, which the next `fit` continues. Returns the state (nil when the
    /// file holds none).
    @discardableResult
    static func restore(into model: Model, from path: String) throws -> TrainingState? {
        try restore(read(path), into: model)
    }

    /// The weights go by name — or, where the names differ but the file's list of variables
    /// has this model's shapes in order, by position (a second model built in one process gets
    /// other automatic names); a file that fits neither way is refused, naming what is missing,
    /// unexpected or mis-shaped.
    @discardableResult
    private static func restore(_ file: Contents, into model: Model) throws -> TrainingState? {
        var file = file
        file.upgrade(for: model, optimizer: model.optimizer)
        let variables = model.variables, weights = file.weights
        var renaming: [String: String] = [:]   // the file's name → the model's
        if !variables.allSatisfy({ weights[$0.name] != nil }), let order = file.variableNames,
           order.map({ weights[$0]?.shape }) == variables.map({ Optional($0.shape) }) {
            for (name, variable) in zip(order, variables) { variable.value = weights[name]! }
            renaming = Dictionary(zip(order, variables.map(\.name))) { first, _ in first }
        } else {
            try model.loadWeights(weights, source: file.path)
        }
        let state = file.trainingState(renaming: renaming)
        try restoreTrainingState(state, into: model)
        return state
    }

    /// Restores the optimizer's and noise layers' parts of `state` now, and hands the rest
    /// (epoch, history, random stream) to the next `fit`; the history is also the model's.
    private static func restoreTrainingState(_ state: TrainingState?, into model: Model) throws {
        guard let state else { return }
        try state.restore(into: model)
        model.trainingProgress = state
        if let history = state.history {
            let record = History()
            record.restore(history: history.values, epochs: history.epochs)
            model.history = record
        }
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
    /// `Sequential`), compile settings and — with `includeOptimizer` — the training state
    /// (optimizer slots, epoch, history, random stream), so that `fit` on the loaded model
    /// continues exactly where this one stopped.
    ///
    ///     try model.save(to: "fashion.safetensors")
    public func save(to path: String, includeOptimizer: Bool = true) throws {
        try ModelFile.save(self, to: path, state: includeOptimizer ? TrainingState(of: self) : nil)
    }
}

extension Sequential {
    /// Loads a model saved with `save(to:)` (or a checkpoint or backup of a `Sequential`):
    /// architecture, weights, compile settings and training state — `fit` on it continues after
    /// the saved epoch, with its history (`initialEpoch` semantics; `resetTrainingProgress()`
    /// starts over at epoch 0 instead). Throws a `StrataError` naming the file and the problem (not a model file,
    /// newer format, bad metadata, missing or mis-shaped tensors).
    ///
    ///     let again = try Sequential.load(from: "fashion.safetensors")
    public static func load(from path: String) throws -> Sequential {
        guard let model = try ModelFile.load(from: path) as? Sequential else {
            throw StrataError(kind: .invalidFile, message: "holds a functional model, not a Sequential", context: path,
                              expected: "Model.loadModel(from:) for any model file")
        }
        return model
    }
}

extension Model {
    /// Loads any model saved with `save(to:)` — a `Sequential` or a functional model — with its
    /// architecture, weights, compile settings and training state (see `Sequential.load(from:)`).
    ///
    /// Keras' `load_model`.
    ///
    ///     let again = try Model.loadModel(from: "residual.safetensors")
    public static func loadModel(from path: String) throws -> Model {
        try ModelFile.load(from: path)
    }
}
