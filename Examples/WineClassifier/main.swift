// The article's second example: is a wine red or white? Early stopping, and a checkpoint of the
// model with the best validation accuracy. Run: swift run -c release WineClassifier wine.csv
import Strata

// 12 feature columns and `class` (1 = red). The file lists every red wine before the white ones
// and the validation split holds out the last 20 %, so shuffle first.
let wine = try CSV.load(CommandLine.arguments.dropFirst().first ?? "wine.csv", target: .name("class"))
let (x, y) = shuffledTogether(wine.x, wine.y, seed: 42)

Random.seed(42)
let model = Sequential {
    Dense(30, activation: .relu, inputShape: [12])
    Dense(12, activation: .relu)
    Dense(8, activation: .relu)
    Dense(1, activation: .sigmoid)
}
model.compile(optimizer: Adam(), loss: .binaryCrossentropy, metrics: [.accuracy])
model.summary()
let history = try model.fit(x, y, batchSize: 500, epochs: 2000, verbose: .silent,
                            callbacks: [EarlyStopping(monitor: "val_loss", patience: 100),
                                        ModelCheckpoint("model/best.safetensors", monitor: "val_accuracy", saveBestOnly: true)],
                            validationSplit: 0.2)
print("Stopped after \(history.epochs.count) epochs, best validation accuracy \(history["val_accuracy"].max()!)")

// The checkpoint, on two wines the model has not seen.
try model.loadWeights(from: "model/best.safetensors")
let newWines = Tensor(rows: [[7.3, 0.65, 0.0, 1.2, 0.065, 15, 21, 0.9946, 3.39, 0.47, 10.0, 7],    // a red
                             [6.2, 0.32, 0.16, 7.0, 0.045, 30, 136, 0.9949, 3.18, 0.47, 9.6, 6]])  // a white
let probabilities = try model.predict(newWines)
print("Probability of red:", probabilities.scalars)
