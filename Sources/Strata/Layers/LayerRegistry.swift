import Synchronization

/// A layer type that can be rebuilt from its configuration.
public protocol ConfigurableLayer: Layer {
    /// Rebuilds the layer from the `config` object of `Layer.config` (the inner object, with
    /// `name`, `trainable` and the layer's options).
    init(config: ConfigValue) throws
}

/// Maps configuration class names to layer types, for `Layer.from(config:)` and model files.
public enum LayerRegistry {
    private static let types = Mutex<[String: any ConfigurableLayer.Type]>(builtIns)

    private static var builtIns: [String: any ConfigurableLayer.Type] {
        let all: [any ConfigurableLayer.Type] = [
            Dense.self, Flatten.self, Reshape.self, Activation.self, ReLU.self, LeakyReLU.self,
            PReLU.self, ELU.self, Softmax.self, BatchNormalization.self, LayerNormalization.self,
            Dropout.self, AlphaDropout.self, GaussianNoise.self, Normalization.self,
        ]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.typeName, $0) })
    }

    /// Makes a custom layer type loadable from configurations under its `typeName`.
    public static func register(_ type: any ConfigurableLayer.Type) {
        types.withLock { $0[type.typeName] = type }
    }

    static func make(_ config: ConfigValue) throws -> Layer {
        let reader = try ConfigReader(config, owner: "layer")
        let className = try reader.string("class_name")
        guard let type = types.withLock({ $0[className] }) else {
            throw StrataError.invalidArgument("unknown layer class '\(className)'", context: "layer config",
                                              expected: "a built-in layer or one added with LayerRegistry.register")
        }
        let layer = try type.init(config: reader.value("config"))
        try layer.applyCommonOptions(try ConfigReader(reader.value("config"), owner: className))
        return layer
    }
}
