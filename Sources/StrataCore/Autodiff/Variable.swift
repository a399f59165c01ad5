/// Trainable (or tracked) state: a named tensor that layers read and optimizers update in place.
///
/// A reference type, so that a layer, an optimizer and a checkpoint all see the same value.
///
///     let w = Variable(Tensor.randomNormal([784, 300], seed: 1), name: "dense/kernel")
public final class Variable {
    /// The variable's name, unique within a model (e.g. `dense_1/kernel`).
    public let name: String
    /// Whether optimizers should update it (false for batch-norm moving statistics).
    public var trainable: Bool
    private var stored: Tensor
    /// The tape leaf standing for this variable while a gradient is being taken.
    var leaf: GradNode?

    /// Creates a variable holding `value`.
    public init(_ value: Tensor, name: String = "variable", trainable: Bool = true) {
        self.stored = value.detached
        self.name = name
        self.trainable = trainable
    }

    /// The current value. Inside `valueWithGradients(of:_:)` it is tracked, so that operations on
    /// it are recorded; setting it replaces the value (and is not differentiable).
    public var value: Tensor {
        get {
            guard let leaf else { return stored }
            return Tensor(shape: stored.shape, storage: stored.storage, node: leaf)
        }
        set { stored = newValue.detached }
    }

    /// The value's shape.
    public var shape: [Int] { stored.shape }

    /// Mutates the value in place (no copy when nothing else shares the buffer): the path
    /// optimizers use.
    public func update<R>(_ body: (inout Tensor) throws -> R) rethrows -> R {
        try body(&stored)
    }
}
