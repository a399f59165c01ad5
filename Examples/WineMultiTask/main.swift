// Two inputs and an auxiliary output: the wine's acids and the rest of its chemistry enter as
// two inputs, each standardized and encoded on its own, then joined; the model predicts the
// colour (the main output) and, as an auxiliary task with a smaller loss weight, the tasters'
// quality score. Run: swift run -c release WineMultiTask wine.csv
import Strata

let wine = try CSV.load(CommandLine.arguments.dropFirst().first ?? "wine.csv", target: .name("class"))
let (x, color) = shuffledTogether(wine.x, wine.y, seed: 42)
let acids = x.slice(axis: 1, 0..<3)        // fixed, volatile and citric acidity
let chemistry = x.slice(axis: 1, 3..<11)   // sugar, chlorides, sulfur dioxide, density, pH, sulphates, alcohol
let quality = x.slice(axis: 1, 11..<12)    // the tasters' score, 3–9

Random.seed(42)
let acidInput = Input(shape: [3], name: "acids"), chemistryInput = Input(shape: [8], name: "chemistry")
let acidNorm = Normalization(), chemistryNorm = Normalization()
try acidNorm.adapt(acids)
try chemistryNorm.adapt(chemistry)
let acidCode = try Dense(8, activation: .relu)(try acidNorm(acidInput))
let chemistryCode = try Dense(16, activation: .relu)(try chemistryNorm(chemistryInput))
let joined = try Dense(16, activation: .relu)(try Concatenate()([acidCode, chemistryCode]))
let isRed = try Dense(1, activation: .sigmoid, name: "color")(joined)
let score = try Dense(1, name: "quality")(joined)
let model = try Model(inputs: [acidInput, chemistryInput], outputs: [isRed, score], name: "wine_multitask")

// Total loss = 1 · color's cross-entropy + 0.2 · quality's squared error.
model.compile(optimizer: Adam(), loss: ["color": .binaryCrossentropy, "quality": .meanSquaredError],
              metrics: ["color": [.accuracy], "quality": [.meanAbsoluteError]], lossWeights: ["color": 1, "quality": 0.2])
model.summary()
let history = try model.fit(["acids": acids, "chemistry": chemistry], ["color": color, "quality": quality],
                            batchSize: 64, epochs: 60, verbose: .silent,
                            callbacks: [EarlyStopping(monitor: "val_color_loss", patience: 10, restoreBestWeights: true)],
                            validationSplit: 0.2)
print("Stopped after \(history.epochs.count) epochs: validation colour accuracy \(history["val_color_accuracy"].last!),"
      + " quality mean absolute error \(history["val_quality_mean_absolute_error"].last!)")
let outputs = try model.predictOutputs([acids.slice(0..<2), chemistry.slice(0..<2)])
print("Probability of red:", outputs[0].scalars, "predicted quality:", outputs[1].scalars)
