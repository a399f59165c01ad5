import StrataCore

/// A layer whose inference output is `x·scale + shift` per entry of the last axis: batch
/// normalization with its moving statistics, `Normalization` with its adapted ones.
protocol PerFeatureAffine: Layer {
    /// The feature axis (of the batch, 1...sampleRank) and the per-feature scale and shift of
    /// inference mode for samples of rank `sampleRank`; nil before the layer has its statistics.
    func featureAffine(sampleRank: Int) -> (axis: Int, scale: Tensor, shift: Tensor)?
}

extension PerFeatureAffine {
    /// The inference scale and shift when the features are the last axis (what folding takes), else nil.
    func inferenceAffine(sampleRank: Int) -> (scale: Tensor, shift: Tensor)? {
        guard let affine = featureAffine(sampleRank: sampleRank), affine.axis == sampleRank else { return nil }
        return (affine.scale, affine.shift)
    }
}

/// A layer that can take a per-feature affine map into its own weights: on its input (a Dense
/// reading `x·s + t`) or on its output (a Dense or convolution without activation, followed by one).
protocol AffineAbsorbing: Layer {
    /// A built copy computing `self(x·scale + shift)` (scale, shift: one per input feature), or nil.
    func absorbingInput(scale: Tensor, shift: Tensor) -> Layer?
    /// A built copy computing `self(x)·scale + shift` (one per output feature), or nil.
    func absorbingOutput(scale: Tensor, shift: Tensor) -> Layer?
}

extension AffineAbsorbing {
    func absorbingInput(scale: Tensor, shift: Tensor) -> Layer? { nil }

    /// A copy of this layer with its options (a bias added where it had none), built for the same
    /// samples, holding `weights` (kernel, bias); nil if any step fails.
    func foldedCopy(kernel: Tensor, bias: Tensor) -> Layer? {
        guard let inputShape, case .object(var outer) = config, case .object(var options)? = outer["config"] else { return nil }
        options["use_bias"] = .bool(true)
        outer["config"] = .object(options)
        guard let copy = try? Layer.from(config: .object(outer)), (try? copy.build(inputShape: inputShape)) != nil,
              (try? copy.setWeights([kernel, bias])) != nil else { return nil }
        return copy
    }
}

/// A value derived from some layers' weights for inference, derived again only when one of
/// their variables changes (each `Variable` counts its changes) — so `predict`, `evaluate` and
/// `fit`'s validation pass derive it once per run of unchanged weights.
final class WeightDerived<Value> {
    private var key: [UInt64] = []
    private var derived: Value?

    /// The value for `layers` run on inputs `x` in inference mode, or nil when the layers must
    /// run as they are: a gradient being taken through them.
    func value(for layers: [Layer], inputs x: [Tensor], derive: () -> Value?) -> Value? {
        guard !x.contains(where: \.isTracked) else { return nil }
        let variables = layers.flatMap(\.variables)
        guard !variables.contains(where: \.isWatched) else { return nil }
        let key = layers.map { UInt64(UInt(bitPattern: ObjectIdentifier($0))) } + variables.map(\.version)
        if key != self.key {
            self.key = key
            derived = derive()
        }
        return derived
    }
}

/// Inference of a chain of layers with every batch normalization (and `Normalization`) folded
/// into a neighbouring Dense or convolution — a Dense or convolution without activation before
/// it (`W·s`, `b·s + t` per output feature), or else a Dense after it, directly or through a
/// `Flatten` (`diag(s)·W`, `b + tᵀW`, the channel scale repeated over the flattened positions).
/// One pass over the activations less per folded layer; the results differ from the unfolded
/// chain by float rounding only. (A functional graph folds its own way: `FunctionalGraph`.)
final class FoldedInference {
    private let cache = WeightDerived<[Layer]>()

    /// The folded chain for `layers` on an input `x` in inference mode; nil when nothing folds
    /// or when the chain must run as it is (a gradient being taken through it).
    func layers(for layers: [Layer], input x: Tensor) -> [Layer]? {
        cache.value(for: layers, inputs: [x]) {
            let result = Self.fold(layers)
            return result.count < layers.count ? result : nil
        }
    }

    /// `layers` with each foldable affine layer taken into its neighbour.
    static func fold(_ layers: [Layer]) -> [Layer] {
        var result: [Layer] = []
        var index = 0
        while index < layers.count {
            let layer = layers[index]
            index += 1
            guard layer.activityRegularizer == nil, let affineLayer = layer as? PerFeatureAffine,
                  let inputShape = layer.inputShape,
                  let (scale, shift) = affineLayer.inferenceAffine(sampleRank: inputShape.count) else {
                result.append(layer)
                continue
            }
            if let previous = result.last as? AffineAbsorbing, previous.activityRegularizer == nil,
               let merged = previous.absorbingOutput(scale: scale, shift: shift) {
                result[result.count - 1] = merged
                continue
            }
            // A Dense next, or a Flatten then a Dense: the features it reads are the channels
            // repeated over the positions.
            var next = index, repeats = 1
            if next < layers.count, layers[next] is Flatten {
                repeats = inputShape.dropLast().reduce(1, *)
                next += 1
            }
            if next < layers.count, let absorbing = layers[next] as? AffineAbsorbing, absorbing.activityRegularizer == nil,
               let merged = absorbing.absorbingInput(scale: Self.repeated(scale, repeats), shift: Self.repeated(shift, repeats)) {
                result.append(contentsOf: layers[index..<next])
                result.append(merged)
                index = next + 1
                continue
            }
            result.append(layer)
        }
        return result
    }

    /// `vector` repeated `count` times end to end.
    private static func repeated(_ vector: Tensor, _ count: Int) -> Tensor {
        count == 1 ? vector : Tensor.concatenate(Array(repeating: vector.reshaped(to: [1, -1]), count: count), axis: 0).reshaped(to: [-1])
    }
}
