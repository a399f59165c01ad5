// A residual network on Fashion-MNIST, built with the functional API: a stem convolution, three
// residual blocks (two 3 × 3 convolutions with batch normalization, the block's input added back
// — through a 1 × 1 convolution where the block halves the image and widens the channels), global
// average pooling and a softmax head. Run: swift run -c release ResidualCNN [epochs]
import Strata

/// conv → BN → ReLU → conv → BN, plus the shortcut, then ReLU (He et al.'s basic block).
func residualBlock(_ x: SymbolicTensor, filters: Int, stride: Int) throws -> SymbolicTensor {
    var h = try Conv2D(filters, kernelSize: [3, 3], strides: [stride, stride], padding: .same, useBias: false)(x)
    h = try Activation(.relu)(try BatchNormalization()(h))
    h = try BatchNormalization()(try Conv2D(filters, kernelSize: [3, 3], padding: .same, useBias: false)(h))
    var shortcut = x
    if stride != 1 || x.shape.last != filters {   // match the block's output shape
        shortcut = try Conv2D(filters, kernelSize: [1, 1], strides: [stride, stride], useBias: false)(x)
        shortcut = try BatchNormalization()(shortcut)
    }
    return try Activation(.relu)(try Add()([h, shortcut]))
}

let data = try FashionMNIST.load()

Random.seed(42)
let images = Input(shape: [28, 28], name: "image")
var x = try Reshape([28, 28, 1])(images)           // channels last: one gray channel
x = try Conv2D(16, kernelSize: [3, 3], padding: .same, useBias: false)(x)
x = try Activation(.relu)(try BatchNormalization()(x))
x = try residualBlock(x, filters: 16, stride: 1)   // 28 × 28 × 16
x = try residualBlock(x, filters: 32, stride: 2)   // 14 × 14 × 32
x = try residualBlock(x, filters: 64, stride: 2)   // 7 × 7 × 64
x = try GlobalAveragePooling2D()(x)
let classes = try Dense(10, activation: .softmax)(x)
let model = try Model(inputs: images, outputs: classes, name: "residual_cnn")

model.compile(optimizer: Adam(), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
model.summary()
let epochs = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 20
try model.fit(data.train.images, data.train.labels, batchSize: 64, epochs: epochs,
              callbacks: [EarlyStopping(monitor: "val_loss", patience: 4, restoreBestWeights: true),
                          ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 2)],
              validationSplit: 0.1)
let test = try model.evaluate(data.test.images, data.test.labels, batchSize: 1000)
print("test accuracy \(test["accuracy"]!)")
