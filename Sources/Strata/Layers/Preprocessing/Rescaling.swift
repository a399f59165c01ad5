import StrataCore

/// Multiplies the inputs by `scale` and adds `offset` (Keras `Rescaling`), in training and
/// inference alike: `Rescaling(1.0 / 255)` maps pixels in [0, 255] to [0, 1],
/// `Rescaling(1.0 / 127.5, offset: -1)` to [−1, 1].
///
///     Rescaling(1.0 / 255)
public final class Rescaling: Layer, ConfigurableLayer {
    /// The factor.
    public let scale: Float
    /// The value added after scaling (default 0).
    public let offset: Float

    /// Creates the layer.
    public init(_ scale: Float, offset: Float = 0, inputShape: [Int]? = nil, name: String? = nil) {
        (self.scale, self.offset) = (scale, offset)
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: Self.typeName)
        self.init(try r.float("scale"), offset: try r.float("offset", default: 0), inputShape: try r.optionalInts("input_shape"),
                  name: try r.layerName)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { offset == 0 ? x * scale : x * scale + offset }

    public override var options: [String: ConfigValue] { ["scale": .float(scale), "offset": .float(offset)] }
}
