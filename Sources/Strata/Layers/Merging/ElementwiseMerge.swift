/// The elementwise merges (Keras' `Add`, `Subtract`, `Multiply`, `Average`, `Maximum`,
/// `Minimum`): the sample shapes broadcast as NumPy's do after the lower-rank ones gain leading
/// axes of size 1 (Keras' `Merge`: `expand_dims(x, axis=1)` until the ranks agree); two sizes
/// agree when equal or when one is 1.
public class ElementwiseMerge: MergeLayer {
    /// How many inputs the merge takes (nil: one or more).
    var requiredInputCount: Int? { nil }

    public override func mergedShape(for shapes: [[Int]]) throws -> [Int] {
        if let required = requiredInputCount, shapes.count != required {
            throw StrataError.invalidArgument("takes exactly \(required) inputs, got \(shapes.count)",
                                              context: "\(Self.typeName) '\(name)'", expected: "\(required) tensors")
        }
        let rank = shapes.map(\.count).max() ?? 0
        var output = [Int](repeating: 1, count: rank)
        for shape in shapes {
            let padded = [Int](repeating: 1, count: rank - shape.count) + shape
            for axis in 0..<rank where padded[axis] != 1 {
                guard output[axis] == 1 || output[axis] == padded[axis] else {
                    throw shapeError("cannot broadcast", shapes, expected: "shapes whose sizes agree or are 1 on every axis")
                }
                output[axis] = padded[axis]
            }
        }
        return output
    }

    public override func merge(_ inputs: [Tensor]) -> Tensor {
        let rank = inputs.map(\.rank).max() ?? 0
        let aligned = inputs.map { x in
            x.rank == rank ? x : x.reshaped(to: [x.shape[0]] + [Int](repeating: 1, count: rank - x.rank) + x.shape.dropFirst())
        }
        return combine(aligned)
    }

    /// The elementwise result of inputs of equal rank.
    func combine(_ inputs: [Tensor]) -> Tensor { preconditionFailure("\(Self.typeName) must override combine(_:)") }

    /// A merge layer's config has only the shared keys.
    static func reader(_ config: ConfigValue, owner: String) throws -> String? {
        try ConfigReader(config, owner: owner).layerName
    }
}

/// The sum of its inputs (Keras `Add`): the join of a residual block.
///
///     let y = try Add()([x, shortcut])
public final class Add: ElementwiseMerge, ConfigurableLayer {
    public convenience init(config: ConfigValue) throws { self.init(name: try Self.reader(config, owner: "Add")) }
    override func combine(_ inputs: [Tensor]) -> Tensor { inputs.dropFirst().reduce(inputs[0], +) }
}

/// The first input minus the second (Keras `Subtract`; exactly two inputs).
///
///     let difference = try Subtract()([a, b])
public final class Subtract: ElementwiseMerge, ConfigurableLayer {
    public convenience init(config: ConfigValue) throws { self.init(name: try Self.reader(config, owner: "Subtract")) }
    override var requiredInputCount: Int? { 2 }
    override func combine(_ inputs: [Tensor]) -> Tensor { inputs[0] - inputs[1] }
}

/// The elementwise product of its inputs (Keras `Multiply`), e.g. a gate.
///
///     let gated = try Multiply()([features, gate])
public final class Multiply: ElementwiseMerge, ConfigurableLayer {
    public convenience init(config: ConfigValue) throws { self.init(name: try Self.reader(config, owner: "Multiply")) }
    override func combine(_ inputs: [Tensor]) -> Tensor { inputs.dropFirst().reduce(inputs[0], *) }
}

/// The mean of its inputs (Keras `Average`: their sum divided by their number).
///
///     let ensemble = try Average()([a, b, c])
public final class Average: ElementwiseMerge, ConfigurableLayer {
    public convenience init(config: ConfigValue) throws { self.init(name: try Self.reader(config, owner: "Average")) }
    override func combine(_ inputs: [Tensor]) -> Tensor {
        inputs.dropFirst().reduce(inputs[0], +) * (1 / Float(inputs.count))
    }
}

/// The elementwise maximum of its inputs (Keras `Maximum`), folded pairwise in order, so a
/// tie's gradient goes to the earliest of the tied inputs (TensorFlow's `maximum`: `a ≥ b`).
///
///     let larger = try Maximum()([a, b])
public final class Maximum: ElementwiseMerge, ConfigurableLayer {
    public convenience init(config: ConfigValue) throws { self.init(name: try Self.reader(config, owner: "Maximum")) }
    override func combine(_ inputs: [Tensor]) -> Tensor { inputs.dropFirst().reduce(inputs[0]) { maximum($0, $1) } }
}

/// The elementwise minimum of its inputs (Keras `Minimum`), folded pairwise in order; a tie's
/// gradient goes to the earliest of the tied inputs.
///
///     let smaller = try Minimum()([a, b])
public final class Minimum: ElementwiseMerge, ConfigurableLayer {
    public convenience init(config: ConfigValue) throws { self.init(name: try Self.reader(config, owner: "Minimum")) }
    override func combine(_ inputs: [Tensor]) -> Tensor { inputs.dropFirst().reduce(inputs[0]) { minimum($0, $1) } }
}
