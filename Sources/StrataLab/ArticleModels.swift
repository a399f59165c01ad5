import Strata
/// The article's two models, as `strata demo`, the tests, the benchmarks and the lab build them.
public enum ArticleModels {
    /// Batch normalization in a deep MLP on Fashion-MNIST: `784 → 300 → 100 → 10`.
    ///
    ///     Flatten(inputShape: [28, 28]) → BatchNormalization → Dense(300, relu) → BatchNormalization
    ///     → Dense(100, relu) → BatchNormalization → Dense(10, softmax)
    public static func fashionMLP() -> Sequential {
        Sequential {
            Flatten(inputShape: [28, 28])
            BatchNormalization()
            Dense(300, activation: .relu)
            BatchNormalization()
            Dense(100, activation: .relu)
            BatchNormalization()
            Dense(10, activation: .softmax)
        }
    }

    /// The binary wine classifier: `12 → 30 → 12 → 8 → 1` (red or white).
    public static func wineClassifier() -> Sequential {
        Sequential {
            Dense(30, activation: .relu, inputShape: [12])
            Dense(12, activation: .relu)
            Dense(8, activation: .relu)
            Dense(1, activation: .sigmoid)
        }
    }
}
