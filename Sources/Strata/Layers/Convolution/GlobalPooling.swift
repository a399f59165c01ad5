/// The shared machinery of the global pooling layers (Keras' `BaseGlobalPooling`): the mean or
/// maximum over every spatial axis, one value per channel; `keepdims` keeps the spatial axes
/// with size 1. Global max pooling splits a tie's gradient evenly among the maxima (as
/// TensorFlow's `reduce_max` does).
public class GlobalPooling: Layer {
    /// The number of spatial axes (1 or 2).
    public let rank: Int
    /// What the spatial axes reduce to.
    public let reduction: Pooling.Reduction
    /// Whether the spatial axes stay, with size 1.
    public let keepdims: Bool

    init(rank: Int, reduction: Pooling.Reduction, keepdims: Bool, inputShape: [Int]?, name: String?) {
        (self.rank, self.reduction, self.keepdims) = (rank, reduction, keepdims)
        super.init(name: name, inputShape: inputShape)
    }

    public override func build(for inputShape: [Int]) throws {
        guard inputShape.count == rank + 1 else {
            throw StrataError.shapeMismatch("needs samples of rank \(rank + 1), got \(inputShape)", context: "\(Self.typeName) '\(name)'",
                                            expected: rank == 1 ? "[steps, channels]" : "[height, width, channels]")
        }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let axes = Array(1...rank)
        return reduction == .max ? x.max(axes: axes, keepDims: keepdims) : x.mean(axes: axes, keepDims: keepdims)
    }

    public override func outputShape(for inputShape: [Int]) -> [Int] {
        keepdims ? Array(repeating: 1, count: rank) + [inputShape.last ?? 0] : [inputShape.last ?? 0]
    }

    public override var options: [String: ConfigValue] { ["keepdims": .bool(keepdims), "data_format": .string("channels_last")] }

    static func keepdims(_ config: ConfigValue, owner: String) throws -> (ConfigReader, Bool) {
        let r = try ConfigReader(config, owner: owner)
        try r.checkChannelsLast()
        return (r, try r.bool("keepdims", default: false))
    }
}

/// The mean over height and width, per channel (Keras `GlobalAveragePooling2D`).
///
///     GlobalAveragePooling2D()   // [batch, h, w, c] → [batch, c]
public final class GlobalAveragePooling2D: GlobalPooling, ConfigurableLayer {
    /// Creates the layer.
    public init(keepdims: Bool = false, inputShape: [Int]? = nil, name: String? = nil) {
        super.init(rank: 2, reduction: .average, keepdims: keepdims, inputShape: inputShape, name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let (r, keepdims) = try GlobalPooling.keepdims(config, owner: "GlobalAveragePooling2D")
        self.init(keepdims: keepdims, inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }
}

/// The maximum over height and width, per channel (Keras `GlobalMaxPooling2D`).
///
///     GlobalMaxPooling2D()
public final class GlobalMaxPooling2D: GlobalPooling, ConfigurableLayer {
    /// Creates the layer.
    public init(keepdims: Bool = false, inputShape: [Int]? = nil, name: String? = nil) {
        super.init(rank: 2, reduction: .max, keepdims: keepdims, inputShape: inputShape, name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let (r, keepdims) = try GlobalPooling.keepdims(config, owner: "GlobalMaxPooling2D")
        self.init(keepdims: keepdims, inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }
}

/// The mean over the steps, per channel (Keras `GlobalAveragePooling1D`): with `Embedding` and
/// `Dense`, a bag-of-embeddings text classifier.
///
///     GlobalAveragePooling1D()   // [batch, steps, c] → [batch, c]
public final class GlobalAveragePooling1D: GlobalPooling, ConfigurableLayer {
    /// Creates the layer.
    public init(keepdims: Bool = false, inputShape: [Int]? = nil, name: String? = nil) {
        super.init(rank: 1, reduction: .average, keepdims: keepdims, inputShape: inputShape, name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let (r, keepdims) = try GlobalPooling.keepdims(config, owner: "GlobalAveragePooling1D")
        self.init(keepdims: keepdims, inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }
}

/// The maximum over the steps, per channel (Keras `GlobalMaxPooling1D`).
///
///     GlobalMaxPooling1D()
public final class GlobalMaxPooling1D: GlobalPooling, ConfigurableLayer {
    /// Creates the layer.
    public init(keepdims: Bool = false, inputShape: [Int]? = nil, name: String? = nil) {
        super.init(rank: 1, reduction: .max, keepdims: keepdims, inputShape: inputShape, name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let (r, keepdims) = try GlobalPooling.keepdims(config, owner: "GlobalMaxPooling1D")
        self.init(keepdims: keepdims, inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }
}
