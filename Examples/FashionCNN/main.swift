// A convolutional network on Fashion-MNIST: two blocks of convolution, batch normalization, ReLU
// and max pooling, then a dense head. Run: swift run -c release FashionCNN [epochs]
import Strata

let data = try FashionMNIST.load()

Random.seed(42)
let model = Sequential {
    Reshape([28, 28, 1], inputShape: [28, 28])   // channels last: height, width, one gray channel
    Conv2D(32, kernelSize: [3, 3], padding: .same, useBias: false)
    BatchNormalization()
    Activation(.relu)
    MaxPooling2D()                               // 28 × 28 → 14 × 14
    Conv2D(64, kernelSize: [3, 3], padding: .same, useBias: false)
    BatchNormalization()
    Activation(.relu)
    MaxPooling2D()                               // → 7 × 7 × 64
    Flatten()
    Dropout(0.3)
    Dense(128, activation: .relu)
    Dropout(0.3)
    Dense(10, activation: .softmax)
}
model.compile(optimizer: Adam(), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
model.summary()
let epochs = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 30
try model.fit(data.train.images, data.train.labels, batchSize: 64, epochs: epochs,
              callbacks: [EarlyStopping(monitor: "val_loss", patience: 5, restoreBestWeights: true),
                          ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 2)],
              validationSplit: 0.1)
let test = try model.evaluate(data.test.images, data.test.labels, batchSize: 1000)
print("test accuracy \(test["accuracy"]!)")
