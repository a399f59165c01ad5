import Strata
import Foundation

/// The data a lab experiment trains on: a training split, a held-out test split and the number
/// of classes — Fashion-MNIST by default, or any CSV table with an integer class column (the
/// article's wine data).
///
///     let data = try LabData.csv("wine.csv", target: .name("class"))
///     let report = try EarlyStoppingExperiment(quick: false).run(on: data)
public struct LabData {
    /// A short description for reports (`Fashion-MNIST`, `wine.csv`).
    public let name: String
    /// Training inputs and integer class labels (shape `[n]`).
    public let train: (x: Samples, y: Tensor)
    /// Test inputs and labels, never seen in training.
    public let test: (x: Samples, y: Tensor)
    /// Number of classes: labels are `0..<classes`.
    public let classes: Int

    /// The shape of one sample.
    public var sampleShape: [Int] { train.x.sampleShape }
    /// The number of input features (pixels or columns).
    public var featureCount: Int { sampleShape.reduce(1, *) }

    /// Wraps splits that are already loaded; labels must be integers in `0..<classes`.
    public init(name: String, train: (x: Samples, y: Tensor), test: (x: Samples, y: Tensor), classes: Int) {
        self.name = name
        self.train = train
        self.test = test
        self.classes = classes
    }

    /// Fashion-MNIST from `directory` (default: the standard places, see `FashionMNIST.load`).
    public static func fashionMNIST(directory: String? = nil) throws -> LabData {
        let set = try FashionMNIST.load(directory: directory)
        return LabData(name: "Fashion-MNIST", train: (set.train.images, set.train.labels),
                       test: (set.test.images, set.test.labels), classes: set.classNames.count)
    }

    /// A CSV table whose `target` column (default: the last) holds class labels 0, 1, …; rows are
    /// shuffled once with `seed` (files are often sorted by class) and the last `testFraction`
    /// becomes the test split.
    public static func csv(_ path: String, target: CSV.Column = .index(-1), testFraction: Float = 0.2,
                           seed: UInt64 = 2024) throws -> LabData {
        let (features, target, _) = try CSV.load(path, target: target)
        let labels = target.scalars
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 != $0.rounded() || $0 > 1_000 }) {
            throw StrataError.invalidArgument("row \(bad + 1) has target \(labels[bad])", context: path,
                                              expected: "class labels 0, 1, 2, … in the target column")
        }
        let classes = Int(labels.max() ?? 0) + 1
        guard classes >= 2, labels.count >= 10 else {
            throw StrataError.invalidArgument("\(labels.count) rows with \(classes) class(es)", context: path,
                                              expected: "at least 10 rows and 2 classes")
        }
        let (x, y) = shuffledTogether(features, target.reshaped(to: [-1]), seed: seed)
        let testCount = Swift.max(1, Int((Float(labels.count) * testFraction).rounded(.up)))
        let trainCount = labels.count - testCount
        return LabData(name: URL(fileURLWithPath: path).lastPathComponent,
                       train: (Samples(x.slice(0..<trainCount)), y.slice(0..<trainCount)),
                       test: (Samples(x.slice(trainCount..<labels.count)), y.slice(trainCount..<labels.count)),
                       classes: classes)
    }

    /// The first `count` training samples (all when nil or larger).
    public func trainingSubset(_ count: Int?) -> (x: Samples, y: Tensor) {
        let n = Swift.min(count ?? train.x.count, train.x.count)
        return n == train.x.count ? train : (train.x.slice(0..<n), train.y.slice(0..<n))
    }

    /// The first `count` test samples as tensors: the fixed batch diagnostics probe.
    public func probeBatch(_ count: Int = 256) -> (x: Tensor, y: Tensor) {
        let n = Swift.min(count, test.x.count)
        return (test.x.slice(0..<n).tensor, test.y.slice(0..<n))
    }
}
