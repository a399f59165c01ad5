/// Softmax along an axis (Keras `Softmax`, default the last).
public final class Softmax: Layer, ConfigurableLayer {
    /// The axis normalized.
    public let axis: Int

    /// Creates a softmax layer.
    public init(axis: Int = -1, inputShape: [Int]? = nil, name: String? = nil) {
        self.axis = axis
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Softmax")
        self.init(axis: try r.int("axis", default: -1), inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    public override func build(for inputShape: [Int]) throws {
        let rank = inputShape.count + 1                    // with the batch axis
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 1 && resolved < rank else {
            throw StrataError.invalidArgument("axis \(axis) is out of range for samples of shape \(inputShape)",
                                              context: "Softmax '\(name)'")
        }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor { softmax(x, axis: axis) }
    public override var options: [String: ConfigValue] { ["axis": .int(axis)] }
}
