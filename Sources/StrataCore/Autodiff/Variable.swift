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
    // No observer: `update` hands this buffer out in place, which an observed property cannot.
    private var stored: Tensor
    /// The tape leaf standing for this variable while a gradient is being taken.
    var leaf: GradNode?

    /// Counts the changes of the value (set, assigned or updated in place), so that what is
    /// derived from it — inference's folded weights — knows when to derive again.
    package private(set) var version: UInt64 = 0

    /// Whether a gradient with respect to this variable is being taken right now.
    package var isWatched: Bool { leaf != nil }

    /// Creates a variable holding `value`.
    public init(_ value: Tensor, name: String = "variable", trainable: Bool = true) {
        self.stored = value.detached
        self.name = name
        self.trainable = trainable
    }

    /// The current value. Inside `valueWithGradients(of:_:)` it is tracked, so that operations on
    /// it are recorded; setting it replaces the value (and is not differentiable).
    ///
    /// - Precondition: a new value has the variable's shape; `assign(_:)` checks and throws instead.
    public var value: Tensor {
        get {
            guard let leaf else { return stored }
            return Tensor(shape: stored.shape, storage: stored.storage, node: leaf)
        }
        set {
            precondition(newValue.shape == stored.shape,
                         "variable '\(name)': a value of shape \(newValue.shape) for shape \(stored.shape); use assign(_:) to check")
            stored = newValue.detached
            version &+= 1
        }
    }

    /// Replaces the value, throwing a `StrataError` that names the variable and both shapes when
    /// `newValue` has another shape (Keras' `Variable.assign`).
    ///
    ///     try w.assign(Tensor.zeros(w.shape))
    public func assign(_ newValue: Tensor) throws {
        guard newValue.shape == stored.shape else {
            throw StrataError.shapeMismatch("cannot assign a value of shape \(newValue.shape) to variable '\(name)' of shape \(stored.shape)",
                                            context: "variable '\(name)'", expected: "\(stored.shape)")
        }
        stored = newValue.detached
        version &+= 1
    }

    /// The value's shape.
    public var shape: [Int] { stored.shape }

    /// Mutates the value in place (no copy when nothing else shares the buffer): the path
    /// optimizers use.
    public func update<R>(_ body: (inout Tensor) throws -> R) rethrows -> R {
        defer { version &+= 1 }
        return try body(&stored)
    }
}
