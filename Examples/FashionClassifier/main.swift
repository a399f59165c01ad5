// The article's first example: a multilayer perceptron with batch normalization between its
// layers, on Fashion-MNIST. Run: swift run -c release FashionClassifier
import Strata

// 60,000 training and 10,000 test images of 28 × 28 pixels scaled to [0, 1], labels 0–9
// (Debian: apt-get install dataset-fashion-mnist; elsewhere downloaded to ~/.strata/datasets).
let data = try FashionMNIST.load()

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
model.compile(optimizer: Adam(learningRate: 1e-3), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
try model.fit(data.train.images, data.train.labels, batchSize: 32, epochs: 30,
              callbacks: [EarlyStopping(monitor: "val_loss", patience: 5, restoreBestWeights: true)],
              validationSplit: 0.1)
let test = try model.evaluate(data.test.images, data.test.labels, batchSize: 1000)
print("test accuracy \(test["accuracy"]!)")

// Deploy: the trained model as ONNX, for ONNX Runtime and every tool that reads ONNX.
try model.exportONNX(to: "fashion.onnx", classNames: FashionMNIST.classNames)
print("wrote fashion.onnx")
