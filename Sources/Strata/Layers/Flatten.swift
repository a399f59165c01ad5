/// Flattens each sample to one axis: `[batch, 28, 28]` → `[batch, 784]` (Keras `Flatten`).
///
///     Flatten(inputShape: [28, 28])
public final class Flatten: Layer, ConfigurableLayer {
    /// Creates a flatten layer.
    public override init(name: String? = nil, inputShape: [Int]? = nil) {
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Flatten")
        self.init(name: try r.layerName, inputShape: try r.optionalInts("input_shape"))
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { x.flattened(startAxis: 1) }

    public override func outputShape(for inputShape: [Int]) -> [Int] { [inputShape.reduce(1, *)] }
}
