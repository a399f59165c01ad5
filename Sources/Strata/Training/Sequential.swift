/// A plain stack of layers, each feeding the next (Keras' `Sequential`).
///
///     let model = Sequential {
///         Flatten(inputShape: [28, 28])
///         Dense(300, activation: .relu)
///         Dense(10, activation: .softmax)
///     }
///
/// Also `Sequential([Dense(30), Dense(1)])` and `add(_:)`. When the first layer declares its
/// input shape, the whole stack is built at once and shape errors surface at `compile`-time
/// calls (`summary`, `fit`, …) as `StrataError`s naming the layer.
public final class Sequential: Model {
    private var stack: [Layer]
    /// The chain with its batch normalizations folded into their neighbours, for inference.
    private let foldedInference = FoldedInference()
    private var buildError: StrataError?

    /// A model from an array of layers.
    public init(_ layers: [Layer] = [], name: String? = nil) {
        self.stack = layers
        super.init(name: name)
        buildFromDeclaredShape()
    }

    /// A model from a result builder.
    public convenience init(name: String? = nil, @LayerBuilder _ layers: () -> [Layer]) {
        self.init(layers(), name: name)
    }

    /// Appends a layer.
    public func add(_ layer: Layer) {
        stack.append(layer)
        guard let inputShape else { return buildFromDeclaredShape() }
        let shape = stack.dropLast().reduce(inputShape) { $1.outputShape(for: $0) }
        do { try layer.build(inputShape: shape) } catch { buildError = error as? StrataError }
    }

    public override var layers: [Layer] { stack }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let layers = training ? nil : foldedInference.layers(for: stack, input: x)
        return (layers ?? stack).reduce(x) { $1($0, training: training) }
    }

    private func buildFromDeclaredShape() {
        guard inputShape == nil, let declared = stack.first?.declaredInputShape else { return }
        do { try build(inputShape: declared) } catch { buildError = error as? StrataError }
    }

    /// Builds each layer in turn from the previous layer's output shape.
    public override func build(inputShape: [Int]) throws {
        if let buildError { throw buildError }
        guard !stack.isEmpty else {
            throw StrataError.invalidArgument("has no layers", context: "Sequential '\(name)'", expected: "at least one layer")
        }
        if let built = self.inputShape {
            guard built == inputShape else {
                throw StrataError.shapeMismatch(
                    "expects samples of shape \(built) but got \(inputShape)", context: "Sequential '\(name)'",
                    expected: built.count == 1 && inputShape.count > 1
                        ? "\(built) — did you forget Flatten(inputShape: \(inputShape))?" : "\(built)")
            }
            return
        }
        var shape = inputShape
        for layer in stack {
            do { try layer.build(inputShape: shape) } catch let error as StrataError {
                throw StrataError(kind: error.kind, message: error.message,
                                  context: "Sequential '\(name)' → \(error.context ?? layer.name)", expected: error.expected)
            }
            shape = layer.outputShape(for: shape)
        }
        self.inputShape = inputShape
    }

    public override func outputShape(for inputShape: [Int]) throws -> [Int] {
        try build(inputShape: inputShape)
        return stack.reduce(inputShape) { $1.outputShape(for: $0) }
    }
}

/// Builds a list of layers from a block, for `Sequential { … }`.
@resultBuilder
public enum LayerBuilder {
    public static func buildExpression(_ layer: Layer) -> [Layer] { [layer] }
    public static func buildExpression(_ layers: [Layer]) -> [Layer] { layers }
    public static func buildBlock(_ parts: [Layer]...) -> [Layer] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Layer]?) -> [Layer] { part ?? [] }
    public static func buildEither(first: [Layer]) -> [Layer] { first }
    public static func buildEither(second: [Layer]) -> [Layer] { second }
    public static func buildArray(_ parts: [[Layer]]) -> [Layer] { parts.flatMap { $0 } }
}
