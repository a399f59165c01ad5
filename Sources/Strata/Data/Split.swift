/// Splits samples into a training and a test part, shuffled with a seed (like scikit-learn's
/// `train_test_split`): the test part holds `⌈testFraction · n⌉` samples.
///
///     let (xTrain, xTest, yTrain, yTest) = trainTestSplit(x, y, testFraction: 0.2, seed: 42)
public func trainTestSplit(_ x: Tensor, _ y: Tensor, testFraction: Float = 0.25, shuffle: Bool = true,
                           seed: UInt64? = nil) -> (xTrain: Tensor, xTest: Tensor, yTrain: Tensor, yTest: Tensor) {
    precondition(x.rank >= 1 && y.rank >= 1 && x.shape[0] == y.shape[0],
                 "trainTestSplit: x has shape \(x.shape) and y \(y.shape); they need the same number of samples")
    precondition(testFraction > 0 && testFraction < 1, "trainTestSplit: testFraction \(testFraction) is not in (0, 1)")
    let n = x.shape[0]
    // The decimal value the user wrote (0.3, not 0.30000001192…), as Python would compute it.
    let testCount = Int((Double(n) * Double("\(testFraction)")!).rounded(.up))
    let order = shuffle ? Random.permutation(n, seed: seed ?? Random.nextSeed()) : Array(0..<n)
    let test = Array(order.prefix(testCount)), train = Array(order.dropFirst(testCount))
    return (x.gathering(rows: train), x.gathering(rows: test), y.gathering(rows: train), y.gathering(rows: test))
}

/// `x` and `y` with their samples in the same seeded random order (pairs stay together).
///
///     let (x, y) = shuffledTogether(table.x, table.y, seed: 42)
public func shuffledTogether(_ x: Tensor, _ y: Tensor, seed: UInt64? = nil) -> (x: Tensor, y: Tensor) {
    precondition(x.rank >= 1 && y.rank >= 1 && x.shape[0] == y.shape[0],
                 "shuffledTogether: x has shape \(x.shape) and y \(y.shape); they need the same number of samples")
    let order = Random.permutation(x.shape[0], seed: seed ?? Random.nextSeed())
    return (x.gathering(rows: order), y.gathering(rows: order))
}

/// How many samples `fit(…, validationSplit:)` trains on — the first ones; the rest, the last
/// `n` − count, are its validation data. Keras 3 (`array_slicing.train_validation_split`):
/// `floor(n * (1.0 - split))` in Python doubles, with the split as the decimal the user wrote
/// (0.1, not 0.100000001…) — so 0.9 of 10 trains on 0 samples (1 − 0.9 is 0.09999999999999998),
/// which `fit` refuses as Keras does.
///
///     trainingSampleCount(of: 1000, validationSplit: 0.1)   // 900
public func trainingSampleCount(of n: Int, validationSplit: Float) -> Int {
    validationSplit > 0 ? Int((Double(n) * (1 - Double("\(validationSplit)")!)).rounded(.down)) : n
}
