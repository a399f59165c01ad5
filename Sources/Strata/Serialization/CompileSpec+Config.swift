/// The compile settings in a model file (Keras' `compile_config`): `loss`, `loss_weights` and
/// `metrics` each as one value, a list in output order, or an object by output name.
extension CompileSpec {
    /// The `compile_config` object with `optimizer`.
    func config(optimizer: Optimizer) -> ConfigValue {
        var compile: [String: ConfigValue] = ["optimizer": optimizer.config, "loss": losses.config(\.config)]
        compile["metrics"] = switch metrics {
        case .one(let flat): .array(flat.map { .string($0.name) })
        default: metrics.config { .array($0.map { .string($0.name) }) }
        }
        if let lossWeights { compile["loss_weights"] = lossWeights.config { .float($0) } }
        if let mixedPrecision { compile["mixed_precision"] = .string(mixedPrecision.rawValue) }
        return .object(compile)
    }

    /// The settings of a `compile_config` object; `fail` makes the error for a malformed one.
    init(config reader: ConfigReader, fail: (String) -> StrataError) throws {
        func metricList(_ value: ConfigValue) throws -> [Metrics] {
            guard case .array(let names) = value else { throw fail("compile_config.metrics holds \(value), not a list of names") }
            return try names.map { item in
                guard case .string(let name) = item, let metric = Metrics(name: name) else {
                    throw fail("unknown metric \(item) in compile_config.metrics")
                }
                return metric
            }
        }
        losses = try PerOutput(reader.value("loss"), leaf: { if case .string = $0 { true } else { $0.objectHasClassName } }) {
            try Loss(config: $0)
        }
        metrics = switch reader.value("metrics") {
        case .array(let items) where items.allSatisfy({ if case .string = $0 { true } else { false } }):
            .one(try metricList(reader.value("metrics")))
        case .null: .one([])
        default: try PerOutput(reader.value("metrics"), leaf: { _ in false }, metricList)
        }
        lossWeights = reader.value("loss_weights") == .null ? nil
            : try PerOutput(reader.value("loss_weights"), leaf: { if case .number = $0 { true } else { false } }) { value in
                guard case .number(let weight) = value else { throw fail("compile_config.loss_weights holds \(value), not numbers") }
                return Float(weight)
            }
        switch reader.value("mixed_precision") {
        case .null: mixedPrecision = nil
        case .string(let name) where MixedPrecision(rawValue: name) != nil: mixedPrecision = MixedPrecision(rawValue: name)
        case let other:
            throw fail("compile_config.mixed_precision is \(other), not one of \(MixedPrecision.allCases.map(\.rawValue))")
        }
    }
}

extension PerOutput {
    /// The option as a config: one value, a list, or an object by output name.
    func config(_ leaf: (Value) -> ConfigValue) -> ConfigValue {
        switch self {
        case .one(let value): leaf(value)
        case .list(let values): .array(values.map(leaf))
        case .named(let values): .object(values.mapValues(leaf))
        }
    }

    /// Reads an option written by `config`: `isLeaf` tells one value from a list or object of them.
    init(_ value: ConfigValue, leaf isLeaf: (ConfigValue) -> Bool, _ read: (ConfigValue) throws -> Value) throws {
        if isLeaf(value) { self = .one(try read(value)); return }
        switch value {
        case .array(let items): self = .list(try items.map(read))
        case .object(let items): self = .named(try items.mapValues(read))
        default: self = .one(try read(value))
        }
    }
}

extension ConfigValue {
    /// Whether this is a `{"class_name": …}` object (one serialized object, not a dictionary of them).
    var objectHasClassName: Bool {
        if case .object(let items) = self { return items["class_name"] != nil }
        return false
    }
}
