/// ReLU with Keras' options (Keras `ReLU`): `maxValue` caps the output, `negativeSlope` applies
/// below `threshold`.
public final class ReLU: Layer, ConfigurableLayer {
    /// Cap on the output (nil: none).
    public let maxValue: Float?
    /// Slope below the threshold.
    public let negativeSlope: Float
    /// Where the function bends.
    public let threshold: Float

    /// Creates a ReLU layer (Keras defaults: no cap, slope 0, threshold 0).
    public init(maxValue: Float? = nil, negativeSlope: Float = 0, threshold: Float = 0,
                inputShape: [Int]? = nil, name: String? = nil) {
        self.maxValue = maxValue
        self.negativeSlope = negativeSlope
        self.threshold = threshold
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "ReLU")
        self.init(maxValue: try r.optionalFloat("max_value"), negativeSlope: try r.float("negative_slope", default: 0),
                  threshold: try r.float("threshold", default: 0), inputShape: try r.optionalInts("input_shape"),
                  name: try r.layerName)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        relu(x, negativeSlope: negativeSlope, maxValue: maxValue, threshold: threshold)
    }

    public override var options: [String: ConfigValue] {
        ["max_value": maxValue.map { .float($0) } ?? .null, "negative_slope": .float(negativeSlope),
         "threshold": .float(threshold)]
    }
}
