/// ELU (Keras `ELU`): `x` above 0, `α (eˣ − 1)` below.
public final class ELU: Layer, ConfigurableLayer {
    /// The saturation value for very negative inputs is −α.
    public let alpha: Float

    /// Creates an ELU layer (Keras default α = 1).
    public init(alpha: Float = 1, inputShape: [Int]? = nil, name: String? = nil) {
        self.alpha = alpha
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "ELU")
        self.init(alpha: try r.float("alpha", default: 1), inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { elu(x, alpha: alpha) }
    public override var options: [String: ConfigValue] { ["alpha": .float(alpha)] }
}
