/// Reshapes each sample to `targetShape` (one entry may be −1) (Keras `Reshape`).
///
///     Reshape([28, 28], inputShape: [784])
public final class Reshape: Layer, ConfigurableLayer {
    /// The per-sample output shape (may hold one −1).
    public let targetShape: [Int]

    /// Creates a reshape layer.
    public init(_ targetShape: [Int], inputShape: [Int]? = nil, name: String? = nil) {
        self.targetShape = targetShape
        super.init(name: name, inputShape: inputShape)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Reshape")
        self.init(try r.ints("target_shape"), inputShape: try r.optionalInts("input_shape"), name: try r.layerName)
    }

    public override func build(for inputShape: [Int]) throws {
        let count = inputShape.reduce(1, *)
        let known = targetShape.filter { $0 != -1 }.reduce(1, *)
        let unknowns = targetShape.filter { $0 == -1 }.count
        guard unknowns <= 1, targetShape.allSatisfy({ $0 > 0 || $0 == -1 }),
              unknowns == 1 ? count % known == 0 : known == count else {
            throw StrataError.shapeMismatch("cannot reshape samples of shape \(inputShape) (\(count) values) to \(targetShape)",
                                            context: "Reshape '\(name)'", expected: "a shape with \(count) values")
        }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        x.reshaped(to: [x.shape[0]] + outputShape(for: Array(x.shape.dropFirst())))
    }

    public override func outputShape(for inputShape: [Int]) -> [Int] {
        let count = inputShape.reduce(1, *)
        let known = targetShape.filter { $0 != -1 }.reduce(1, *)
        return targetShape.map { $0 == -1 ? count / Swift.max(known, 1) : $0 }
    }

    public override var options: [String: ConfigValue] { ["target_shape": .ints(targetShape)] }
}
