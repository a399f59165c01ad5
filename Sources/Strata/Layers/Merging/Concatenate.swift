/// Joins its inputs along one axis (Keras `Concatenate`); every other dimension must match.
///
///     let both = try Concatenate()([left, right])          // the last axis (default −1)
///     let stacked = try Concatenate(axis: 1)([a, b])
public final class Concatenate: MergeLayer, ConfigurableLayer {
    /// The axis joined, counted with the batch axis as Keras does (−1: the last; 0, the batch
    /// axis, is refused).
    public let axis: Int

    /// Creates the layer.
    ///
    /// - Parameters:
    ///   - axis: the axis to join along, counting the batch axis (default −1, the last).
    ///   - name: the layer's name (default `concatenate`, `concatenate_1`, …).
    public init(axis: Int = -1, name: String? = nil) {
        self.axis = axis
        super.init(name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Concatenate")
        self.init(axis: try r.int("axis", default: -1), name: try r.layerName)
    }

    /// The joined sample axis (0-based, without the batch axis) for samples of `rank`.
    private func sampleAxis(rank: Int, shapes: [[Int]]) throws -> Int {
        let full = axis < 0 ? axis + rank + 1 : axis
        guard full >= 1, full <= rank else {
            throw shapeError("axis \(axis) is outside the inputs (or is the batch axis)", shapes,
                             expected: "an axis in 1...\(rank) or −\(rank)...−1")
        }
        return full - 1
    }

    public override func mergedShape(for shapes: [[Int]]) throws -> [Int] {
        let rank = shapes[0].count
        guard shapes.allSatisfy({ $0.count == rank }) else {
            throw shapeError("inputs of different ranks", shapes, expected: "inputs of one rank")
        }
        let joined = try sampleAxis(rank: rank, shapes: shapes)
        for shape in shapes where shape.indices.contains(where: { $0 != joined && shape[$0] != shapes[0][$0] }) {
            throw shapeError("the shapes differ outside the concatenation axis \(axis)", shapes,
                             expected: "matching shapes except on axis \(axis)")
        }
        var output = shapes[0]
        output[joined] = shapes.reduce(0) { $0 + $1[joined] }
        return output
    }

    public override func merge(_ inputs: [Tensor]) -> Tensor {
        let rank = inputs[0].rank - 1
        return Tensor.concatenate(inputs, axis: axis < 0 ? axis + rank + 1 : axis)
    }

    public override var options: [String: ConfigValue] { ["axis": .int(axis)] }
}
