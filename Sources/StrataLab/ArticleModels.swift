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

    /// LeNet-5 on 28 × 28 images (LeCun et al. 1998, as the tutorials write it):
    /// Conv 6×5×5 same relu → MaxPool 2 → Conv 16×5×5 valid relu → MaxPool 2 → Flatten →
    /// Dense 120 relu → Dense 84 relu → Dense 10 softmax.
    public static func lenet5() -> Sequential {
        Sequential {
            Reshape([28, 28, 1], inputShape: [28, 28])
            Conv2D(6, kernelSize: [5, 5], padding: .same, activation: .relu)
            MaxPooling2D()
            Conv2D(16, kernelSize: [5, 5], activation: .relu)
            MaxPooling2D()
            Flatten()
            Dense(120, activation: .relu)
            Dense(84, activation: .relu)
            Dense(10, activation: .softmax)
        }
    }

    /// keras.io's `mnist_convnet`: Conv 32×3×3 relu → MaxPool 2 → Conv 64×3×3 relu → MaxPool 2 →
    /// Flatten → Dropout 0.5 → Dense 10 softmax.
    public static func mnistConvnet() -> Sequential {
        Sequential {
            Reshape([28, 28, 1], inputShape: [28, 28])
            Conv2D(32, kernelSize: [3, 3], activation: .relu)
            MaxPooling2D()
            Conv2D(64, kernelSize: [3, 3], activation: .relu)
            MaxPooling2D()
            Flatten()
            Dropout(0.5)
            Dense(10, activation: .softmax)
        }
    }

    /// `strata demo --model cnn`: a small batch-normalized CNN on Fashion-MNIST (the same as
    /// `Examples/specs/fashion_cnn.json`): two blocks of Conv 3×3 same (32, then 64 filters, no
    /// bias) → BatchNormalization → ReLU → MaxPool 2, then Dropout 0.3 → Dense 128 relu →
    /// Dropout 0.3 → Dense 10 softmax.
    public static func fashionCNN() -> Sequential {
        Sequential {
            Reshape([28, 28, 1], inputShape: [28, 28])
            Conv2D(32, kernelSize: [3, 3], padding: .same, useBias: false)
            BatchNormalization()
            Activation(.relu)
            MaxPooling2D()
            Conv2D(64, kernelSize: [3, 3], padding: .same, useBias: false)
            BatchNormalization()
            Activation(.relu)
            MaxPooling2D()
            Flatten()
            Dropout(0.3)
            Dense(128, activation: .relu)
            Dropout(0.3)
            Dense(10, activation: .softmax)
        }
    }
}
