import ArgumentParser
import Foundation
import Strata

/// `strata lab …`: experiments that measure the article's claims and write a report.
struct Lab: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Experiments that measure the article's claims (each writes report.html and CSV).",
        subcommands: [VanishingGradientsLab.self])
}

/// `strata lab vanishing-gradients`.
struct VanishingGradientsLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vanishing-gradients",
        abstract: "Per-layer gradient norms of a 20-layer MLP: sigmoid vs batch norm vs ReLU, leaky ReLU, ELU (He) vs SELU.")

    @Flag(help: "A 5,000-sample subset and one epoch (seconds; for CI).") var quick = false
    @Option(help: "Seed of weights and shuffling.") var seed: UInt64 = 42
    @Option(help: "Folder for report.html and gradients.csv.") var output = "strata-lab/vanishing-gradients"
    @Option(help: "Folder holding the Fashion-MNIST IDX files (default: the standard places).") var data: String?

    func run() throws {
        let dataset = try FashionMNIST.load(directory: data)
        let experiment = VanishingGradients(quick: quick, seed: seed)
        let started = Date()
        let result = try experiment.run(train: (dataset.train.images, dataset.train.labels),
                                        test: (dataset.test.images, dataset.test.labels)) { name in
            print("training \(name) …")
        }
        try result.writeReport(to: output)
        for outcome in result.outcomes {
            print(outcome.configuration.name.padding(toLength: 42, withPad: " ", startingAt: 0)
                  + "first/last RMS gradient " + VanishingGradientsResult.fraction(outcome.initialRatio).padding(toLength: 12, withPad: " ", startingAt: 0)
                  + String(format: "test accuracy %.2f %%", 100 * outcome.testAccuracy))
        }
        print("\n" + result.verdict)
        print(String(format: "\nWrote %@/report.html and %@/gradients.csv (%.0f s)", output, output, Date().timeIntervalSince(started)))
    }
}
