import ArgumentParser
import Foundation
import Strata

/// `strata summary --model M`: the architecture table of a saved model.
struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a saved model's layers and parameter counts.")

    @Option(help: "A model file written by model.save(to:) or strata demo/train.") var model: String

    func run() throws {
        let loaded = try Sequential.load(from: model)
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
    @Option(help: "fashion-mnist, mnist or csv:PATH.") var data: String
    @Option(parsing: .unconditional, help: "For CSV data: the target column, by name or index (negative counts from the end).") var target: String?
    @Option(help: "Samples per batch.") var batchSize = 1000

    /// The model and the samples to run it on (the test split of an image data set, or a whole CSV file).
    func load() throws -> (model: Sequential, source: DataSpec, split: DataSpec.Split) {
        let loaded = try Sequential.load(from: model)
        let source = try DataSpec(data, target: target, shuffleSeed: nil)
        return (loaded, source, source.test ?? source.training)
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

/// `strata predict --model M --data … --output predictions.csv`: predictions to CSV.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a saved model's predictions to CSV: one row per sample, the outputs and, for classifiers, the class.")

    @OptionGroup var options: ModelOnData
    @Option(help: "The CSV file to write.") var output = "predictions.csv"

    func run() throws {
        let (loaded, source, (x, _)) = try options.load()
        let predictions = try loaded.predict(x, batchSize: options.batchSize)
        let width = predictions.count / max(predictions.shape[0], 1)
        let values = predictions.scalars
        let classifier = width > 1
        var lines = [((0..<width).map { "output_\($0)" } + (classifier ? ["class"] : [])).joined(separator: ",")]
        for row in 0..<predictions.shape[0] {
            let outputs = values[(row * width)..<((row + 1) * width)]
            var cells = outputs.map { "\($0)" }
            if classifier {
                let best = outputs.indices.max { outputs[$0] < outputs[$1] }! - row * width
                cells.append(source.classNames.map { $0[best] } ?? String(best))
            }
            lines.append(cells.joined(separator: ","))
        }
        try CSVText.write(lines.joined(separator: "\n") + "\n", to: output)
        print("Wrote \(predictions.shape[0]) predictions to \(output)")
    }
}
