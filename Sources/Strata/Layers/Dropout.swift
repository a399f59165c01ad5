/// Dropout (Srivastava et al. 2014; Keras `Dropout`): in training, each input is zeroed with
/// probability `rate` and the kept ones are scaled by 1 / (1 − rate) ("inverted" dropout, so the
/// expected value is unchanged); at inference it is the identity.
///
///     Dropout(0.3)
public final class Dropout: RateDropout {
    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return x }
        return x * (keepMask(x.shape) * (1 / (1 - rate)))
    }
}
