import ArgumentParser
import Foundation
import Strata

/// `strata summary --model M`: the architecture table of a saved model.
struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a saved model's layers and parameter counts.")

    @Option(help: "A model file written by model.save(to:) or strata demo/train.") var model: String

    func run() throws {
        let loaded = try Model.loadModel(from: model)
        print(try loaded.summaryText())
        if let optimizer = loaded.optimizer, let loss = loaded.loss {
            print("Compiled with \(optimizer.name) (\(optimizer.iterations) steps taken), loss \(loss.name)"
                  + (loaded.metrics.isEmpty ? "" : ", metrics " + loaded.metrics.map(\.name).joined(separator: ", ")))
        }
    }
}

/// The options `evaluate` and `predict` share: which model, on which data.
struct ModelOnData: ParsableArguments {
    @Option(help: "A model file written by model.save(to:).") var model: String
    @Option(help: "fashion-mnist, mnist, cifar10 or csv:PATH.") var data: String
    @Option(parsing: .unconditional, help: "For CSV data: the target column, by name or index (negative counts from the end).") var target: String?
    @Option(help: "Samples per batch.") var batchSize = 1000

    /// The model and the samples to run it on (the test split of an image data set, or a whole
    /// CSV file), checked to be of the shape the model takes.
    func load() throws -> (model: Model, source: DataSpec, split: DataSpec.Split) {
        let loaded = try Model.loadModel(from: model)
        let source = try DataSpec(data, target: target, shuffleSeed: nil)
        let split = source.test ?? source.training
        try checkShape(of: split.x, for: loaded, found: "\(split.x.sampleShape.first ?? 0) columns besides the target")
        return (loaded, source, split)
    }

    /// `samples` fit `model`'s input: the same sample shape (for CSV data, feature count).
    /// `found` says what a CSV file holds ("13 columns").
    func checkShape(of samples: Samples, for model: Model, found: String) throws {
        guard let expected = model.inputShape, expected != samples.sampleShape else { return }
        let isCSV = data.hasPrefix("csv:")
        let takes = isCSV && expected.count == 1 ? "\(expected[0]) features per row" : "samples of shape \(expected)"
        throw StrataError.invalidArgument("the model takes \(takes), the \(isCSV ? "file has \(found)" : "data has samples of shape \(samples.sampleShape)")",
                                          context: isCSV ? String(data.dropFirst(4)) : data,
                                          expected: isCSV && target == nil ? "the model's feature columns (--target NAME drops a label column)"
                                                                           : "data of the shape the model was trained on")
    }
}

/// `strata evaluate --model M --data …`: loss and metrics of a saved model.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Loss and metrics of a saved model on data (the test split of an image data set, or a whole CSV file).")

    @OptionGroup var options: ModelOnData

    func run() throws {
        let (loaded, _, (x, y)) = try options.load()
        let result = try loaded.evaluate(x, y, batchSize: options.batchSize)
        print(result.keys.sorted().map { "\($0): \(String(format: "%.4f", result[$0]!))" }.joined(separator: " - "))
    }
}

/// `strata predict --model M --data … --output predictions.csv`: predictions to CSV, on labeled
/// data or on a CSV file of feature columns only.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a saved model's predictions to CSV, one row per sample.",
        discussion: """
            A binary classifier writes probability,class; a multi-class classifier the class and one \
            probability_<class> column per class; a regression its prediction. CSV data without --target \
            is all features (as many columns as the model takes); with --target that column is left out.
            """)

    @OptionGroup var options: ModelOnData
    @Option(help: "The CSV file to write.") var output = "predictions.csv"

    func validate() throws {
        try OutputPath.check(output, option: "--output", kind: .file)
    }

    func run() throws {
        let loaded: Model, x: Samples, classNames: [String]?
        if options.target == nil, options.data.hasPrefix("csv:") {
            loaded = try Model.loadModel(from: options.model)
            x = try CSV.read(String(options.data.dropFirst(4))).tensor.samples
            try options.checkShape(of: x, for: loaded, found: "\(x.sampleShape.first ?? 0) columns")
            classNames = nil
        } else {
            let (model, source, split) = try options.load()
            (loaded, x, classNames) = (model, split.x, source.classNames)
        }
        let predictions = try loaded.predict(x, batchSize: options.batchSize)
        let table = PredictionTable(model: loaded, outputs: predictions.count / max(predictions.shape[0], 1),
                                    classNames: classNames ?? loaded.classNames)
        try CSVText.write(table.csv(predictions), to: output)
        print("Wrote \(predictions.shape[0]) predictions to \(output) (\(table.summary))")
    }
}
