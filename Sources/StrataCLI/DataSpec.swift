import ArgumentParser
import Strata

/// The `--data` argument shared by `train`, `evaluate` and `predict`: `fashion-mnist`, `mnist`,
/// `cifar10` or `csv:PATH` (with `--target`).
struct DataSpec {
    /// Inputs and targets of one split.
    typealias Split = (x: Samples, y: Tensor)

    let training: Split
    /// The held-out test split (image data sets only).
    let test: Split?
    let classNames: [String]?

    /// Loads the data; CSV rows are shuffled once with `shuffleSeed` unless it is nil.
    init(_ spec: String, target: String?, shuffleSeed: UInt64?) throws {
        switch spec {
        case "fashion-mnist", "mnist", "cifar10":
            let set = spec == "mnist" ? try MNIST.load() : spec == "cifar10" ? try CIFAR10.load() : try FashionMNIST.load()
            training = (set.train.images, set.train.labels)
            test = (set.test.images, set.test.labels)
            classNames = set.classNames
        case let csv where csv.hasPrefix("csv:"):
            guard let target else { throw ValidationError("--target is required with csv: data") }
            let column: CSV.Column = Int(target).map(CSV.Column.index) ?? .name(target)
            var (x, y, _) = try CSV.load(String(csv.dropFirst(4)), target: column)
            if let shuffleSeed { (x, y) = shuffledTogether(x, y, seed: shuffleSeed) }
            training = (x.samples, y)
            test = nil
            classNames = nil
        default:
            throw ValidationError("--data must be fashion-mnist, mnist, cifar10 or csv:PATH, got '\(spec)'")
        }
    }
}
