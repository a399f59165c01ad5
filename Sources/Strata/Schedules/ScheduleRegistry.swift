/// A learning-rate schedule that can be rebuilt from its configuration (every built-in one, and
/// a user's own once registered with `ScheduleRegistry.register`).
public protocol ConfigurableSchedule: LearningRateSchedule {
    /// Rebuilds the schedule from the inner `config` object of its `config`; absent optional keys
    /// take the defaults of the type's own `init`.
    init(config: ConfigValue) throws
}

/// Maps configuration class names (`"ExponentialDecay"`) to schedule types.
public enum ScheduleRegistry {
    private static let types = TypeRegistry<any ConfigurableSchedule.Type>(
        [ExponentialDecay.self, InverseTimeDecay.self, PiecewiseConstantDecay.self, PolynomialDecay.self,
         CosineDecay.self, CosineDecayRestarts.self].map { (String(describing: $0), $0) })

    /// Makes a custom schedule type loadable from configurations under its type name.
    public static func register(_ type: any ConfigurableSchedule.Type) {
        types.register(type, as: String(describing: type))
    }

    /// The registered class names, sorted.
    public static var classNames: [String] { types.classNames }

    static func make(_ config: ConfigValue) throws -> any LearningRateSchedule {
        let outer = try ConfigReader(config, owner: "learning-rate schedule")
        let className = try outer.string("class_name")
        guard let type = types.type(named: className) else {
            throw StrataError.invalidArgument("unknown schedule '\(className)'", context: "learning-rate schedule",
                                              expected: "one of \(classNames.joined(separator: ", ")), or a type added with ScheduleRegistry.register")
        }
        return try type.init(config: outer.value("config"))
    }
}

extension ConfigReader {
    /// A step count that must be positive (checked here, so that a bad file throws instead of
    /// tripping a schedule's precondition).
    func positiveSteps(_ key: String) throws -> Int {
        let steps = try int(key)
        guard steps > 0 else { throw StrataError.invalidArgument("'\(key)' must be positive, got \(steps)", context: owner) }
        return steps
    }
}
