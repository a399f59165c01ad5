/// An optimizer type that can be rebuilt from its configuration — every built-in one, and a
/// user's own once registered with `OptimizerRegistry.register`, so that a model file saved with
/// it loads back.
///
///     final class SignSGD: Optimizer, ConfigurableOptimizer {
///         init(learningRate: LearningRate = 0.01) { super.init(learningRate: learningRate) }
///         convenience init(config: ConfigValue) throws {
///             let options = try OptimizerOptions(config, owner: "SignSGD")
///             self.init(learningRate: options.learningRate ?? SignSGD().learningRate)
///         }
///         override func update(_ w: inout Tensor, gradient g: Tensor, slots: inout [Tensor], step: Int, learningRate: Float) {
///             w = w - sign(g) * learningRate
///         }
///     }
///     OptimizerRegistry.register(SignSGD.self)
public protocol ConfigurableOptimizer: Optimizer {
    /// Rebuilds the optimizer from the inner `config` object of `Optimizer.config`; absent keys
    /// take the defaults of the type's own `init`.
    init(config: ConfigValue) throws
}

/// Maps configuration class names (`"Adam"`) to optimizer types, for `Optimizer.from(config:)`,
/// model files and the CLI.
public enum OptimizerRegistry {
    private static let types = TypeRegistry<any ConfigurableOptimizer.Type>(
        [SGD.self, Adagrad.self, RMSprop.self, Adam.self, AdamW.self, Adamax.self, Nadam.self, Lion.self]
            .map { (String(describing: $0), $0) })

    /// Makes a custom optimizer type loadable from configurations under its class name.
    public static func register(_ type: any ConfigurableOptimizer.Type) {
        types.register(type, as: String(describing: type))
    }

    /// The registered class names, sorted.
    public static var classNames: [String] { types.classNames }

    /// The registered type of that class name, if any.
    public static func type(named className: String) -> (any ConfigurableOptimizer.Type)? {
        types.type(named: className)
    }

    static func make(_ config: ConfigValue) throws -> Optimizer {
        let outer = try ConfigReader(config, owner: "optimizer")
        let className = try outer.string("class_name")
        guard let type = type(named: className) else {
            throw StrataError.invalidArgument("unknown optimizer '\(className)'", context: "optimizer config",
                                              expected: "one of \(classNames.joined(separator: ", ")), or a type added with OptimizerRegistry.register")
        }
        return try type.init(config: outer.value("config") == .null ? .object([:]) : outer.value("config"))
    }
}

/// The options every optimizer's configuration shares (Keras' `BaseOptimizer` keys), read once:
/// `learning_rate` (a number or a schedule config; nil when absent), `clipnorm`, `clipvalue`,
/// `global_clipnorm`, `weight_decay`; and typed reads of the optimizer's own keys.
public struct OptimizerOptions {
    /// The learning rate, nil when the configuration has none.
    public let learningRate: LearningRate?
    /// `clipnorm`, `clipvalue`, `global_clipnorm` (at most one set) and `weight_decay`.
    public let clipNorm: Float?, clipValue: Float?, globalClipNorm: Float?, weightDecay: Float?
    /// `gradient_accumulation_steps` (nil, or at least 2).
    public let gradientAccumulationSteps: Int?
    private let reader: ConfigReader

    /// Reads the shared options of the configuration object `config` of optimizer `owner`;
    /// throws a `StrataError` for a wrong type or more than one clipping option.
    public init(_ config: ConfigValue, owner: String) throws {
        reader = try ConfigReader(config, owner: "optimizer \(owner)")
        switch reader.value("learning_rate") {
        case .number(let value): learningRate = .constant(Float(value))
        case .null: learningRate = nil
        case let schedule: learningRate = .schedule(try ScheduleRegistry.make(schedule))
        }
        clipNorm = try reader.optionalFloat("clipnorm")
        clipValue = try reader.optionalFloat("clipvalue")
        globalClipNorm = try reader.optionalFloat("global_clipnorm")
        weightDecay = try reader.optionalFloat("weight_decay")
        gradientAccumulationSteps = try reader.optionalInt("gradient_accumulation_steps")
        if let steps = gradientAccumulationSteps, steps < 2 {
            throw StrataError.invalidArgument("gradient_accumulation_steps \(steps)", context: "optimizer \(owner)",
                                              expected: "an integer ≥ 2, or null (Keras' rule)")
        }
        // Checked here so that a bad file throws instead of tripping the initializers' preconditions.
        guard [clipNorm, clipValue, globalClipNorm].compactMap({ $0 }).count <= 1 else {
            throw StrataError.invalidArgument("more than one of clipnorm, clipvalue and global_clipnorm", context: "optimizer \(owner)")
        }
    }

    /// The number at `key`, or `fallback` when absent; `range` checked (a `StrataError` otherwise).
    public func float(_ key: String, default fallback: Float, in range: ClosedRange<Float>? = nil) throws -> Float {
        let value = try reader.float(key, default: fallback)
        if let range, !range.contains(value) {
            throw StrataError.invalidArgument("'\(key)' is \(value)", context: reader.owner,
                                              expected: "a value in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// The flag at `key`, or `fallback` when absent.
    public func bool(_ key: String, default fallback: Bool) throws -> Bool { try reader.bool(key, default: fallback) }
}

extension Optimizer {
    /// Rebuilds an optimizer from `config` (`{"class_name": "Adam", "config": {…}}`, Keras' keys)
    /// through `OptimizerRegistry`. An absent key takes the default of the optimizer's own `init`.
    public static func from(config: ConfigValue) throws -> Optimizer { try OptimizerRegistry.make(config) }
}
