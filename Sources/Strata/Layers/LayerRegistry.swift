/// A layer type that can be rebuilt from its configuration.
public protocol ConfigurableLayer: Layer {
    /// Rebuilds the layer from the `config` object of `Layer.config` (the inner object, with
    /// `name`, `trainable` and the layer's options).
    init(config: ConfigValue) throws
}

/// Maps configuration class names to layer types, for `Layer.from(config:)` and model files.
public enum LayerRegistry {
    private static let types = TypeRegistry<any ConfigurableLayer.Type>(builtIns.map { ($0.typeName, $0) })

    private static var builtIns: [any ConfigurableLayer.Type] {
        [
            Dense.self, Flatten.self, Reshape.self, Activation.self, ReLU.self, LeakyReLU.self,
            PReLU.self, ELU.self, Softmax.self, BatchNormalization.self, LayerNormalization.self,
            Dropout.self, AlphaDropout.self, GaussianNoise.self, Normalization.self,
            Conv1D.self, Conv2D.self, DepthwiseConv2D.self, SeparableConv2D.self, Conv2DTranspose.self, MaxPooling1D.self, MaxPooling2D.self, AveragePooling1D.self, AveragePooling2D.self,
            GlobalAveragePooling1D.self, GlobalAveragePooling2D.self, GlobalMaxPooling1D.self, GlobalMaxPooling2D.self,
            ZeroPadding2D.self, Cropping2D.self, UpSampling2D.self, SpatialDropout1D.self, SpatialDropout2D.self,
            Embedding.self, Add.self, Subtract.self, Multiply.self, Average.self, Maximum.self, Minimum.self, Concatenate.self, Dot.self,
            RandomFlip.self, RandomTranslation.self, RandomRotation.self, RandomZoom.self, RandomCrop.self, RandomContrast.self,
            RandomBrightness.self, Rescaling.self, Resizing.self, CenterCrop.self,
        ]
    }

    /// The class names of the built-in layer types.
    static var builtInTypeNames: [String] { builtIns.map { $0.typeName } }

    /// Makes a custom layer type loadable from configurations under its `typeName`.
    public static func register(_ type: any ConfigurableLayer.Type) {
        types.register(type, as: type.typeName)
    }

    static func make(_ config: ConfigValue) throws -> Layer {
        let reader = try ConfigReader(config, owner: "layer")
        let className = try reader.string("class_name")
        guard let type = types.type(named: className) else {
            throw StrataError.invalidArgument("unknown layer class '\(className)'", context: "layer config",
                                              expected: "a built-in layer or one added with LayerRegistry.register")
        }
        let layer = try type.init(config: reader.value("config"))
        try layer.applyCommonOptions(try ConfigReader(reader.value("config"), owner: className))
        return layer
    }
}
