/// The base of layers that join several tensors into one (Keras' `Merge`): `Add`, `Subtract`,
/// `Multiply`, `Average`, `Maximum`, `Minimum`, `Concatenate`, `Dot`. Called on an array of
/// symbolic tensors in a functional model, or on an array of batches directly.
///
/// A custom merge layer overrides `mergedShape(for:)` (checking the shapes) and `merge(_:)`.
open class MergeLayer: Layer {
    /// The per-sample input shapes the layer was built for (nil until built).
    public private(set) var inputShapes: [[Int]]?

    /// Creates the layer; a nil `name` gets a unique one from the class name.
    public init(name: String? = nil) {
        super.init(name: name)
    }

    /// Calls the layer on several symbolic tensors, recording one node of the graph.
    ///
    ///     let sum = try Add()([x, shortcut])
    ///
    /// - Throws: a `StrataError` naming the layer and the shapes when they cannot be merged.
    public final func callAsFunction(_ inputs: [SymbolicTensor]) throws -> SymbolicTensor {
        try GraphNode.record(self, on: inputs)[0]
    }

    /// Merges batches (each `[batch] + its sample shape`).
    ///
    /// - Precondition: the sample shapes are the built ones (or mergeable, when not yet built).
    public final func callAsFunction(_ inputs: [Tensor], training: Bool = false) -> Tensor {
        do { _ = try nodeOutputShape(forInputs: inputs.map { Array($0.shape.dropFirst()) }) } catch {
            preconditionFailure("\(error)")
        }
        return merge(inputs)
    }

    override func nodeOutputShape(forInputs shapes: [[Int]]) throws -> [Int] {
        if let built = inputShapes {
            guard built == shapes else {
                throw StrataError.shapeMismatch("was built for inputs of shapes \(built) but got \(shapes)",
                                                context: "\(Self.typeName) '\(name)'", expected: "\(built)")
            }
        } else {
            guard !shapes.isEmpty else {
                throw StrataError.invalidArgument("was called on no inputs", context: "\(Self.typeName) '\(name)'",
                                                  expected: "a list of at least one tensor")
            }
            let output = try mergedShape(for: shapes)
            try build(inputShape: shapes[0])
            inputShapes = shapes
            return output
        }
        return try mergedShape(for: shapes)
    }

    override func nodeCall(_ inputs: [Tensor], training: Bool) -> Tensor { merge(inputs) }

    /// A merge layer takes an array of tensors: called on one, it fails.
    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        preconditionFailure("\(Self.typeName) '\(name)' merges an array of tensors: call it on [a, b], not on one tensor")
    }

    // MARK: - Overridden by subclasses

    /// The per-sample output shape for these per-sample input shapes; throws a `StrataError`
    /// naming the layer and the shapes when they cannot be merged.
    open func mergedShape(for shapes: [[Int]]) throws -> [Int] {
        preconditionFailure("\(Self.typeName) must override mergedShape(for:)")
    }

    /// The merge of the batches.
    open func merge(_ inputs: [Tensor]) -> Tensor {
        preconditionFailure("\(Self.typeName) must override merge(_:)")
    }

    /// The error for shapes that do not fit, naming the layer and every shape.
    func shapeError(_ message: String, _ shapes: [[Int]], expected: String) -> StrataError {
        StrataError.shapeMismatch("\(message): inputs of shapes \(shapes.map { "\($0)" }.joined(separator: ", "))",
                                  context: "\(Self.typeName) '\(name)'", expected: expected)
    }
}
