/// How a convolution or pooling layer pads its input (Keras' `padding`).
///
/// TensorFlow's rules, which Keras 3 follows on every backend:
/// - `valid`: none; `out = ⌊(n − (k−1)·d − 1) / s⌋ + 1`.
/// - `same`: `out = ⌈n / s⌉`, padded by `total = max((out − 1)·s + (k−1)·d + 1 − n, 0)`, of which
///   `total / 2` (rounded down) goes before and the rest — the odd pixel — after (bottom, right).
/// - `causal` (1-D only): `(k−1)·d` before, nothing after, so an output never sees a later step.
public enum Padding: String, Sendable, CaseIterable {
    case valid, same, causal

    /// The output length and the padding before, along one axis of length `n`; nil when the
    /// (dilated) kernel does not fit a valid input.
    func axis(length n: Int, kernel k: Int, stride s: Int, dilation d: Int = 1) -> (output: Int, before: Int)? {
        let span = (k - 1) * d + 1
        switch self {
        case .valid:
            return n >= span ? ((n - span) / s + 1, 0) : nil
        case .same:
            let output = (n + s - 1) / s
            let total = Swift.max((output - 1) * s + span - n, 0)
            return (output, total / 2)
        case .causal:
            let padded = n + (k - 1) * d
            return ((padded - span) / s + 1, (k - 1) * d)
        }
    }
}
