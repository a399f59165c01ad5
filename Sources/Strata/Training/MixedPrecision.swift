import StrataCore

/// A mixed-precision policy for training and inference (Keras' dtype policy `mixed_bfloat16`):
/// matrix products and convolutions take bfloat16 operands — rounded to nearest even — and sum
/// their products in float32; everything else stays float32: the variables (master weights),
/// optimizer slots, batch-norm statistics, activations between layers, losses, reductions and
/// the gradients the optimizer receives. Model files keep float32 weights; the policy is a
/// compile setting, saved with them (`compile_config.mixed_precision`).
///
/// On CPUs with AVX-512 BF16 (`vdpbf16ps`) the products run on a bfloat16 kernel at up to twice
/// the float32 rate; elsewhere they round the operands and run the float32 kernel (the same
/// numbers, no speed-up). `KernelPlatform.bfloat16Kernel` says which. Products too thin for the
/// conversion to pay (fewer than 32 rows or columns, or an inner dimension under 64) stay float32,
/// chosen by shape alone, so every CPU computes the same numbers.
///
///     model.compile(optimizer: Adam(), loss: .sparseCategoricalCrossentropy, mixedPrecision: .bfloat16)
public enum MixedPrecision: String, Sendable, CaseIterable {
    /// bfloat16 products with float32 sums (Keras `mixed_bfloat16`).
    case bfloat16 = "mixed_bfloat16"

    var productPrecision: Gemm.Precision {
        switch self {
        case .bfloat16: .bfloat16
        }
    }
}

extension Model {
    /// The mixed-precision policy `compile` was given (nil: float32 throughout).
    public var mixedPrecision: MixedPrecision? { compileSpec?.mixedPrecision }

    /// Runs `body` with the products at this model's policy.
    func withPolicy<Result>(_ body: () throws -> Result) rethrows -> Result {
        try Gemm.$precision.withValue(mixedPrecision?.productPrecision ?? .float32, operation: body)
    }
}
