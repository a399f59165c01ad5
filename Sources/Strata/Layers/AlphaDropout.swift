/// Alpha dropout (Klambauer et al. 2017; Keras `AlphaDropout`): drops inputs to SELU's negative
/// saturation value −λα instead of 0, then applies the affine correction `a·x + b` that keeps the
/// mean and variance of self-normalized activations — dropout for SELU networks. Identity at
/// inference.
///
///     AlphaDropout(0.1)
public final class AlphaDropout: RateDropout {
    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else { return x }
        // Keras: alpha_p = −λα; a = ((1 − rate)(1 + rate·alpha_p²))^−½; b = −a·alpha_p·rate.
        let alphaP = -SELUConstants.alpha * SELUConstants.scale
        let a = 1 / ((1 - rate) * (1 + rate * alphaP * alphaP)).squareRoot()
        let b = -a * alphaP * rate
        let keep = keepMask(x.shape)
        return (x * keep + (1 - keep) * alphaP) * a + b
    }
}
