/// Leaky ReLU (Keras `LeakyReLU`): `x` above 0, `negativeSlope · x` below. Keras 3's layer
/// default slope is 0.3.
///
///     LeakyReLU(negativeSlope: 0.2)
public final class LeakyReLU: Layer, ConfigurableLayer {
    /// Slope below 0.
    public let negativeSlope: Float

    /// Creates a leaky ReLU layer.
    public init(negativeSlope: Float = 0.3, inputShape: [Int]? = nil, name: String? = nil) {
        self.negativeSlope = negativeSlope
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "LeakyReLU")
        self.init(negativeSlope: try r.float("negative_slope", default: 0.3), inputShape: try r.optionalInts("input_shape"),
                  name: try r.layerName)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { leakyRelu(x, negativeSlope: negativeSlope) }
    public override var options: [String: ConfigValue] { ["negative_slope": .float(negativeSlope)] }
}
