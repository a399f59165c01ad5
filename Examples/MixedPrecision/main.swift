// The article's batch-normalized MLP trained twice on Fashion-MNIST from the same seed — in
// float32 and with the mixed_bfloat16 policy — with each run's seconds per epoch and test
// accuracy. Run: swift run -c release MixedPrecision [epochs]   (default 8)
import Foundation
import Strata

let epochs = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 8
let data = try FashionMNIST.load()
print(KernelPlatform.summary)

func train(_ policy: MixedPrecision?, on data: ImageClassificationData) throws -> (secondsPerEpoch: Double, accuracy: Double) {
    Random.seed(42)
    let model = Sequential {
        Flatten(inputShape: [28, 28])
        BatchNormalization()
        Dense(300, activation: .relu)
        BatchNormalization()
        Dense(100, activation: .relu)
        BatchNormalization()
        Dense(10, activation: .softmax)
    }
    model.compile(optimizer: Adam(), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy],
                  mixedPrecision: policy)
    let start = Date()
    try model.fit(data.train.images, data.train.labels, batchSize: 500, epochs: epochs, verbose: .silent)
    let seconds = Date().timeIntervalSince(start) / Double(epochs)
    let test = try model.evaluate(data.test.images, data.test.labels, batchSize: 1000)
    return (seconds, test["accuracy"]!)
}

let single = try train(nil, on: data), mixed = try train(.bfloat16, on: data)
print(String(format: "float32:        %.3f s/epoch, test accuracy %.4f", single.secondsPerEpoch, single.accuracy))
print(String(format: "mixed_bfloat16: %.3f s/epoch, test accuracy %.4f (%.2fx the float32 throughput, %+.2f points)",
             mixed.secondsPerEpoch, mixed.accuracy, single.secondsPerEpoch / mixed.secondsPerEpoch,
             100 * (mixed.accuracy - single.accuracy)))
