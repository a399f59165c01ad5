// A bag-of-embeddings text classifier: each review's words become ids, an Embedding maps ids to
// vectors, their average is classified by a small dense head. The reviews are synthetic (made
// from a seeded grammar below), so the example needs no download.
// Run: swift run -c release TextClassifier
import Strata

/// Short reviews: a positive or a negative phrase among neutral words, sometimes negated.
func syntheticReviews(count: Int, seed: UInt64) -> [(text: String, positive: Bool)] {
    let praise = ["great", "wonderful", "delightful", "excellent", "charming", "superb", "moving", "funny"]
    let criticism = ["boring", "awful", "dull", "terrible", "clumsy", "tedious", "bland", "confusing"]
    let neutral = ["the", "film", "plot", "was", "acting", "a", "story", "and", "really", "music", "quite", "ending", "it"]
    let order = Random.permutation(count * 16, seed: seed)   // a seeded stream of choices
    var next = order.makeIterator()
    func pick<T>(_ items: [T]) -> T { items[next.next()! % items.count] }
    return (0..<count).map { _ in
        var positive = next.next()! % 2 == 0
        var words = (0..<6).map { _ in pick(neutral) }
        words.insert(pick(positive ? praise : criticism), at: next.next()! % words.count)
        if next.next()! % 4 == 0 {   // "not great" is negative, "not boring" positive
            words.insert("not", at: words.firstIndex { praise.contains($0) || criticism.contains($0) }!)
            positive.toggle()
        }
        return (words.joined(separator: " "), positive)
    }
}

let reviews = syntheticReviews(count: 3000, seed: 7)
// The vocabulary of the training reviews; id 0 pads short reviews, 1 is an unknown word.
let length = 8
let vocabulary = reviews.prefix(2400).flatMap { $0.text.split(separator: " ").map(String.init) }
    .reduce(into: ["<pad>": 0, "<unknown>": 1]) { ids, word in if ids[word] == nil { ids[word] = ids.count } }
func ids(_ text: String) -> [Float] {
    let words = text.split(separator: " ").prefix(length).map { Float(vocabulary[String($0)] ?? 1) }
    return words + Array(repeating: 0, count: length - words.count)
}
let x = Tensor(rows: reviews.map { ids($0.text) })
let y = Tensor(reviews.map { $0.positive ? 1 : 0 })

Random.seed(42)
let tokens = Input(shape: [length], name: "tokens")
let vectors = try Embedding(inputDim: vocabulary.count, outputDim: 16)(tokens)   // [8, 16] per review
let average = try GlobalAveragePooling1D()(vectors)
let hidden = try Dense(16, activation: .relu)(average)
let sentiment = try Dense(1, activation: .sigmoid)(hidden)
let model = try Model(inputs: tokens, outputs: sentiment, name: "bag_of_embeddings")
model.compile(optimizer: Adam(learningRate: 0.01), loss: .binaryCrossentropy, metrics: [.accuracy])
model.summary()
let history = try model.fit(x.slice(0..<2400), y.slice(0..<2400), batchSize: 32, epochs: 30, verbose: .silent,
                            callbacks: [EarlyStopping(monitor: "val_loss", patience: 5, restoreBestWeights: true)],
                            validationSplit: 0.2)
let test = try model.evaluate(x.slice(2400..<3000), y.slice(2400..<3000))
print("Trained \(history.epochs.count) epochs; test accuracy \(test["accuracy"]!)")
let probabilities = try model.predict(Tensor(rows: [ids("the film was not really great and it"), ids("a quite bland story and the music")]))
print("P(positive) of \"the film was not really great and it\" and \"a quite bland story and the music\":", probabilities.scalars)
