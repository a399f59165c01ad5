/// The dot product of two inputs along one axis of each, sample by sample (Keras `Dot`, its
/// `batch_dot`): for `a` of shape `[batch] + A` and `b` of `[batch] + B`, the result has the
/// dimensions of `A` without the summed axis, then those of `B` without it; a result with no
/// dimensions left becomes `[batch, 1]`. With `normalize`, each input is first L2-normalized along
/// its summed axis (Keras' `normalize`: `x · min(1/√Σx², 1/ε)`, ε = 1e−7), so the result is the
/// cosine similarity.
///
///     let similarity = try Dot(axes: 1, normalize: true)([query, key])   // [batch, 1]
public final class Dot: MergeLayer, ConfigurableLayer {
    /// The summed axis of each input, counted with the batch axis as Keras does (negative: from
    /// the end).
    public let axes: (Int, Int)
    /// Whether the inputs are L2-normalized along the summed axes first.
    public let normalize: Bool

    /// Creates the layer with one axis for both inputs.
    ///
    /// - Parameters:
    ///   - axes: the summed axis of both inputs, counting the batch axis (so 1 is the first
    ///     sample axis; negative counts from the end).
    ///   - normalize: L2-normalize along the summed axes first (default false).
    ///   - name: the layer's name (default `dot`, `dot_1`, …).
    public convenience init(axes: Int, normalize: Bool = false, name: String? = nil) {
        self.init(axes: (axes, axes), normalize: normalize, name: name)
    }

    /// Creates the layer with a summed axis for each input.
    public init(axes: (Int, Int), normalize: Bool = false, name: String? = nil) {
        self.axes = axes
        self.normalize = normalize
        super.init(name: name)
    }

    public convenience init(config: ConfigValue) throws {
        let r = try ConfigReader(config, owner: "Dot")
        let axes = try r.tuple("axes", rank: 2)
        self.init(axes: (axes[0], axes[1]), normalize: try r.bool("normalize", default: false), name: try r.layerName)
    }

    /// The summed axes as sample axes (0-based, without the batch axis).
    private func sampleAxes(_ shapes: [[Int]]) throws -> (Int, Int) {
        func resolve(_ axis: Int, rank: Int) throws -> Int {
            // Keras: a negative axis is taken modulo the full rank (batch axis included).
            let full = axis < 0 ? ((axis % (rank + 1)) + rank + 1) % (rank + 1) : axis
            guard full >= 1, full <= rank else {
                throw shapeError("axis \(axis) is outside the inputs (or is the batch axis)", shapes,
                                 expected: "axes in 1...\(rank) or negative, never the batch axis 0")
            }
            return full - 1
        }
        return (try resolve(axes.0, rank: shapes[0].count), try resolve(axes.1, rank: shapes[1].count))
    }

    public override func mergedShape(for shapes: [[Int]]) throws -> [Int] {
        guard shapes.count == 2 else {
            throw StrataError.invalidArgument("takes exactly 2 inputs, got \(shapes.count)", context: "Dot '\(name)'",
                                              expected: "[a, b]")
        }
        let (a, b) = try sampleAxes(shapes)
        guard shapes[0][a] == shapes[1][b] else {
            throw shapeError("the summed axes differ in size (\(shapes[0][a]) ≠ \(shapes[1][b]))", shapes,
                             expected: "axes of equal size")
        }
        var left = shapes[0], right = shapes[1]
        left.remove(at: a)
        right.remove(at: b)
        let output = left + right
        return output.isEmpty ? [1] : output
    }

    public override func merge(_ inputs: [Tensor]) -> Tensor {
        let shapes = inputs.map { Array($0.shape.dropFirst()) }
        guard let (a, b) = try? sampleAxes(shapes) else { preconditionFailure("Dot '\(name)': axes do not fit \(shapes)") }
        var x = inputs[0], y = inputs[1]
        if normalize { (x, y) = (Dot.l2Normalized(x, axis: a + 1), Dot.l2Normalized(y, axis: b + 1)) }
        let batch = x.shape[0], depth = x.shape[a + 1]
        // x → [batch, P, depth, 1] and y → [batch, 1, depth, Q]; the product summed over depth.
        let xKept = Array(shapes[0].enumerated().filter { $0.offset != a }.map(\.element))
        let yKept = Array(shapes[1].enumerated().filter { $0.offset != b }.map(\.element))
        let xs = Dot.moving(x, axis: a + 1, to: x.rank - 1).reshaped(to: [batch, -1, depth, 1])
        let ys = Dot.moving(y, axis: b + 1, to: 1).reshaped(to: [batch, 1, depth, -1])
        let product = (xs * ys).sum(axes: [2])
        let output = xKept + yKept
        return product.reshaped(to: [batch] + (output.isEmpty ? [1] : output))
    }

    /// `x` with `axis` moved to position `target`, the other axes in order.
    private static func moving(_ x: Tensor, axis: Int, to target: Int) -> Tensor {
        guard axis != target else { return x }
        var order = Array(0..<x.rank)
        order.remove(at: axis)
        order.insert(axis, at: target)
        return x.transposed(permutation: order)
    }

    /// Keras' L2 `normalize`: `x · min(rsqrt(Σ x² along axis), 1/ε)` with ε = 1e−7.
    static func l2Normalized(_ x: Tensor, axis: Int) -> Tensor {
        x * minimum(rsqrt(square(x).sum(axes: [axis], keepDims: true)), 1e7)
    }

    public override var options: [String: ConfigValue] {
        ["axes": axes.0 == axes.1 ? .int(axes.0) : .ints([axes.0, axes.1]), "normalize": .bool(normalize)]
    }
}
