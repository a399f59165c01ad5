/// Dropout of whole channels (Keras `SpatialDropout1D`/`2D`, Tompson et al. 2015): in training
/// each channel of each sample is zeroed everywhere with probability `rate` (the mask has shape
/// `[batch, 1, …, channels]`), the kept ones scaled by 1 / (1 − rate) — neighbouring pixels of a
/// feature map are correlated, so dropping single values would barely regularize.
public class SpatialDropout: RateDropout {
    class var spatialRank: Int { 2 }

    public override func build(for inputShape: [Int]) throws {
        try super.build(for: inputShape)
        guard inputShape.count == Self.spatialRank + 1 else {
            throw StrataError.shapeMismatch("needs samples of rank \(Self.spatialRank + 1), got \(inputShape)",
                                            context: "\(Self.typeName) '\(name)'")
        }
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return x }
        let maskShape = [x.shape[0]] + Array(repeating: 1, count: x.rank - 2) + [x.shape[x.rank - 1]]
        return x * (keepMask(maskShape) * (1 / (1 - rate)))
    }
}

/// Channel dropout for `[steps, channels]` samples (Keras `SpatialDropout1D`).
///
///     SpatialDropout1D(0.2)
public final class SpatialDropout1D: SpatialDropout {
    override class var spatialRank: Int { 1 }
}

/// Channel dropout for `[height, width, channels]` samples (Keras `SpatialDropout2D`).
///
///     SpatialDropout2D(0.25)
public final class SpatialDropout2D: SpatialDropout {}
