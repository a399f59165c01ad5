/// Applies an activation function (Keras `Activation`).
///
///     Activation(.relu)
public final class Activation: Layer, ConfigurableLayer {
    /// The function applied.
    public let function: ActivationFunction

    /// Creates an activation layer.
    public init(_ function: ActivationFunction, inputShape: [Int]? = nil, name: String? = nil) {
        self.function = function
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Activation")
        self.init(try ActivationFunction(config: r.value("activation")), inputShape: try r.optionalInts("input_shape"),
                  name: try r.layerName)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { function(x) }
    public override var options: [String: ConfigValue] { ["activation": function.config] }
}
