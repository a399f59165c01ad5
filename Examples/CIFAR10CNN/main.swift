// A convolutional network on CIFAR-10 with augmentation: random flips, shifts and zooms in
// training only, then three blocks of two convolutions, batch normalization and max pooling.
// The data set is found in the standard places or downloaded (170 MB, checked by SHA-256).
// Run: swift run -c release CIFAR10CNN [epochs]
import Strata

let data = try CIFAR10.load()

Random.seed(42)
let model = Sequential {
    RandomFlip(.horizontal, inputShape: [32, 32, 3])        // active in training only
    RandomTranslation(heightFactor: 0.1, widthFactor: 0.1)
    RandomZoom(heightFactor: 0.1)
    for filters in [32, 64, 128] {
        Conv2D(filters, kernelSize: [3, 3], padding: .same, useBias: false)
        BatchNormalization()
        Activation(.relu)
        Conv2D(filters, kernelSize: [3, 3], padding: .same, useBias: false)
        BatchNormalization()
        Activation(.relu)
        MaxPooling2D()                                      // 32 → 16 → 8 → 4
    }
    GlobalAveragePooling2D()
    Dropout(0.3)
    Dense(10, activation: .softmax)
}
model.compile(optimizer: Adam(), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
model.summary()
let epochs = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 40
try model.fit(data.train.images, data.train.labels, batchSize: 64, epochs: epochs,
              callbacks: [EarlyStopping(monitor: "val_loss", patience: 6, restoreBestWeights: true),
                          ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 3),
                          BackupAndRestore("cifar10-backup", saveFrequency: .steps(500))],
              validationSplit: 0.1)
let test = try model.evaluate(data.test.images, data.test.labels, batchSize: 500)
print("test accuracy \(test["accuracy"]!)")
