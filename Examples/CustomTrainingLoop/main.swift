// A training loop of your own: the pieces fit uses — a model, a loss, gradients, an optimizer —
// one step at a time. Run: swift run -c release CustomTrainingLoop wine.csv
import Strata

let wine = try CSV.load(CommandLine.arguments.dropFirst().first ?? "wine.csv", target: .name("class"))
let (x, y) = shuffledTogether(wine.x, wine.y, seed: 42)

Random.seed(42)
let normalization = Normalization(inputShape: [12])   // standardizes each feature
try normalization.adapt(x)
let model = Sequential {
    normalization
    Dense(30, activation: .relu)
    Dense(1, activation: .sigmoid)
}
let optimizer = Nadam()
let loss = Loss.binaryCrossentropy
for epoch in 1...5 {
    var total: Float = 0
    for start in stride(from: 0, to: x.shape[0], by: 100) {
        let rows = start..<min(start + 100, x.shape[0])
        let (xBatch, yBatch) = (x.slice(rows), y.slice(rows))
        let (value, gradients) = valueWithGradients(of: model.trainableVariables) {
            loss(yBatch, model(xBatch, training: true))
        }
        optimizer.apply(gradients, to: model.trainableVariables)
        total += value.scalar * Float(rows.count)
    }
    print("epoch \(epoch): loss \(total / Float(x.shape[0]))")
}
let correct = zip(model(x).scalars, y.scalars).filter { ($0 > 0.5 ? 1 : 0) == $1 }.count
print("training accuracy \(Float(correct) / Float(x.shape[0]))")
