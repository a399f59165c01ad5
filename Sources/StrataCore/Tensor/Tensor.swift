/// An n-dimensional array of `Float`: row-major, contiguous, any rank, with value semantics.
///
/// Copies share one buffer until one of them is mutated (copy-on-write). Operators on tensors are
/// differentiable: inside `valueWithGradients(of:_:)` each operation records how to propagate
/// gradients; outside it nothing is recorded.
///
///     let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
///     let y = (x * 2).sum(axes: [1])            // [12, 30]
public struct Tensor {
    /// The size of each dimension; `[]` for a scalar.
    public private(set) var shape: [Int]
    package var storage: TensorStorage
    /// The autodiff node that produced this value, when a gradient is being recorded.
    var node: GradNode?
    /// What a library above attached to this value about how it was made, for the operation that
    /// consumes it (Strata: the logits behind a sigmoid's or softmax's probabilities). Not
    /// carried over by any tensor operation.
    package var origin: AnyObject?

    init(shape: [Int], storage: TensorStorage, node: GradNode? = nil) {
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// A tensor with uninitialized contents, to be filled by a kernel.
    package init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: Tensor.elementCount(shape)))
    }

    /// A tensor of the given shape holding `scalars` in row-major order.
    ///
    /// - Precondition: `scalars.count` equals the product of `shape`, and no dimension is negative.
    public init(shape: [Int], scalars: [Float]) {
        let count = Tensor.elementCount(shape)
        precondition(scalars.count == count,
                     "Tensor(shape:scalars:): shape \(shape) holds \(count) elements but \(scalars.count) were given")
        self.init(uninitializedShape: shape)
        scalars.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: count) }
    }

    /// A rank-1 tensor holding `scalars`.
    public init(_ scalars: [Float]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A rank-0 (scalar) tensor.
    public init(_ scalar: Float) {
        self.init(shape: [], storage: TensorStorage(repeating: scalar, count: 1))
    }

    /// A tensor of the given shape with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(repeating: value, count: Tensor.elementCount(shape)))
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { storage.count }
    /// The elements in row-major order.
    public var scalars: [Float] { Array(storage.buffer) }

    /// The single element of a one-element tensor.
    ///
    /// - Precondition: `count == 1`.
    public var scalar: Float {
        precondition(count == 1, "Tensor.scalar: shape \(shape) has \(count) elements, not 1")
        return storage.pointer[0]
    }

    /// The element at the given indices (one per dimension).
    public subscript(indices: Int...) -> Float {
        get { storage.pointer[flatIndex(indices)] }
        set {
            let index = flatIndex(indices)
            makeUnique()
            storage.pointer[index] = newValue
        }
    }

    /// The same values, cut off from any gradient recording.
    public var detached: Tensor { Tensor(shape: shape, storage: storage) }

    /// Whether this value is being recorded for a gradient.
    public var isTracked: Bool { node != nil }

    /// Calls `body` with the elements in row-major order.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) { try body(storage.buffer) }
    }

    /// Calls `body` with mutable access to the elements (copying the buffer first if shared).
    /// The tensor stops being tracked for gradients: mutation is not differentiable.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        makeUnique()
        node = nil
        return try withExtendedLifetime(storage) { try body(storage.mutableBuffer) }
    }

    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Replaces the shape without touching the elements; the caller keeps the count.
    mutating func setShape(_ newShape: [Int]) {
        shape = newShape
    }

    /// The number of elements of a tensor of `shape` (1 for a scalar).
    package static func elementCount(_ shape: [Int]) -> Int {
        var count = 1
        for dimension in shape {
            precondition(dimension >= 0, "Tensor: negative dimension in shape \(shape)")
            count *= dimension
        }
        return count
    }

    /// Row-major strides of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var stride = 1
        for axis in shape.indices.reversed() {
            strides[axis] = stride
            stride *= shape[axis]
        }
        return strides
    }

    private func flatIndex(_ indices: [Int]) -> Int {
        precondition(indices.count == rank, "Tensor subscript: \(indices.count) indices for shape \(shape)")
        var index = 0
        for (axis, i) in indices.enumerated() {
            precondition(i >= 0 && i < shape[axis], "Tensor subscript: index \(indices) out of range for shape \(shape)")
            index = index * shape[axis] + i
        }
        return index
    }

    /// Resolves a possibly negative axis; stops with a message naming `op` when out of range.
    static func normalizeAxis(_ axis: Int, rank: Int, op: String) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        precondition(resolved >= 0 && resolved < Swift.max(rank, 1),
                     "\(op): axis \(axis) is out of range for rank \(rank)")
        return resolved
    }
}

extension Tensor: Equatable {
    /// Same shape and same elements (NaN ≠ NaN, as for `Float`).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && lhs.storage.buffer.elementsEqual(rhs.storage.buffer)
    }
}

extension Tensor: CustomStringConvertible {
    /// Shape and up to the first 16 elements.
    public var description: String {
        let shown = storage.buffer.prefix(16).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 16 ? ", …" : "")])"
    }
}
