/// A named optimizer with Keras' defaults: every type in `OptimizerRegistry` under its lowercased
/// class name (`"adam"`), and the article's two SGD variants, `"momentum"` and `"nesterov"`
/// (momentum 0.9). The CLI's `--optimizer` and the lab's optimizer comparison both iterate
/// `OptimizerPreset.all`, so a user's registered optimizer appears in both.
///
///     let optimizer = try OptimizerPreset.named("nesterov")!.make(learningRate: 0.05)
public struct OptimizerPreset: Sendable {
    /// The lowercased name (`"adam"`, `"momentum"`).
    public let name: String
    /// A label for reports: the class name, with the preset's options for SGD's variants.
    public let title: String
    /// The registered class it builds (`"SGD"` for the momentum presets).
    public let className: String
    /// Configuration keys set on top of the class's defaults.
    let options: [String: ConfigValue]

    /// The SGD variants the article compares: momentum and Nesterov momentum, both 0.9.
    private static let sgdVariants = [
        OptimizerPreset(name: "momentum", title: "SGD momentum 0.9", className: "SGD", options: ["momentum": .float(0.9)]),
        OptimizerPreset(name: "nesterov", title: "SGD Nesterov 0.9", className: "SGD",
                        options: ["momentum": .float(0.9), "nesterov": .bool(true)]),
    ]

    /// Every registered optimizer in lowercased-name order, SGD's variants right after SGD.
    public static var all: [OptimizerPreset] {
        OptimizerRegistry.classNames.sorted { $0.lowercased() < $1.lowercased() }.flatMap { className in
            let plain = OptimizerPreset(name: className.lowercased(), title: className, className: className, options: [:])
            return className == "SGD" ? [plain] + sgdVariants : [plain]
        }
    }

    /// The preset of that (lowercased) name, if any.
    public static func named(_ name: String) -> OptimizerPreset? { all.first { $0.name == name } }

    /// A fresh optimizer with the class's defaults and the preset's options; `learningRate`, when
    /// given, replaces the default rate; `gradientAccumulationSteps` (≥ 2) accumulates gradients.
    public func make(learningRate: Float? = nil, gradientAccumulationSteps: Int? = nil) throws -> Optimizer {
        var config = options
        if let learningRate { config["learning_rate"] = .float(learningRate) }
        if let gradientAccumulationSteps { config["gradient_accumulation_steps"] = .int(gradientAccumulationSteps) }
        return try Optimizer.from(config: .object(["class_name": .string(className), "config": .object(config)]))
    }
}
