import ArgumentParser
import Foundation
import Strata
import StrataLab

/// `strata lab …`: experiments that measure the article's claims and write a report.
struct Lab: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Experiments that measure the article's claims (each writes report.html, SVG charts and CSV).",
        subcommands: [LabExperimentCommand<VanishingGradients>.self, LabExperimentCommand<ConvolutionalGradients>.self,
                      LabExperimentCommand<DyingReLU>.self,
                      LabExperimentCommand<SelfNormalization>.self, LabExperimentCommand<BatchNormExperiment>.self,
                      LabExperimentCommand<OptimizerComparison>.self, LabExperimentCommand<RegularizationExperiment>.self,
                      LabExperimentCommand<EarlyStoppingExperiment>.self, LabAll.self])
}

/// The options every lab command takes.
struct LabOptions: ParsableArguments {
    @Flag(help: "A subset and few epochs (seconds; for CI). Default: the full measurement.") var quick = false
    @Option(help: "Seed of weights and shuffling.") var seed: UInt64 = 42
    @Option(help: "Folder for the report (default: strata-lab/<experiment>; for 'all': strata-lab).") var output: String?
    @Option(help: ArgumentHelp("The data: fashion-mnist, a folder of Fashion-MNIST IDX files, or csv:PATH (a class column).",
                               discussion: "Default: Fashion-MNIST, and for early-stopping the article's wine.csv."))
    var data: String?
    @Option(parsing: .unconditional, help: "With csv: data, the class column's name or index (default: the last column).") var target: String?

    /// Loaded data sets, so that `lab all` reads each once.
    final class Cache { var fashion: LabData?; var wine: LabData? }

    /// The data an experiment runs on: `--data` when given, else its default source.
    func data(for source: LabDataSource, cache: Cache) throws -> LabData {
        if let data, data.hasPrefix("csv:") {
            let column: CSV.Column = target.map { Int($0).map(CSV.Column.index) ?? .name($0) } ?? .index(-1)
            return try LabData.csv(String(data.dropFirst(4)), target: column)
        }
        if source == .wine && data == nil {
            if let wine = cache.wine { return wine }
            let candidates = ["wine.csv", "data/wine.csv", "../shared/data/wine.csv"]
            guard let path = candidates.first(where: FileManager.default.fileExists(atPath:)) else {
                throw ValidationError("early-stopping needs the article's wine table (12 feature columns and 'class'); "
                    + "none of \(candidates.joined(separator: ", ")) exists: pass --data csv:PATH")
            }
            cache.wine = try LabData.csv(path, target: target.map { Int($0).map(CSV.Column.index) ?? .name($0) } ?? .name("class"))
            return cache.wine!
        }
        if let fashion = cache.fashion { return fashion }
        cache.fashion = try LabData.fashionMNIST(directory: data == nil || data == "fashion-mnist" ? nil : data)
        return cache.fashion!
    }

    /// Runs one experiment, writes its report into `folder` and prints the verdict.
    func run(_ experiment: any LabExperiment.Type, into folder: String, cache: Cache) throws -> LabReport {
        let data = try data(for: experiment.defaultData, cache: cache)
        print("\(experiment.name) on \(data.name)\(quick ? " (quick)" : "")")
        let started = Date()
        let report = try experiment.init(quick: quick, seed: seed).run(on: data) { print("  training \($0) …") }
        try report.write(to: folder)
        print("  \(report.stance.rawValue): \(report.verdict)")
        print(String(format: "  wrote %@/report.html (%.0f s)\n", folder, Date().timeIntervalSince(started)))
        return report
    }
}

/// `strata lab <experiment>`, one command per `LabExperiment`.
struct LabExperimentCommand<Experiment: LabExperiment>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Experiment.name, abstract: Experiment.summary)
    }

    @OptionGroup var options: LabOptions

    func run() throws {
        _ = try options.run(Experiment.self, into: options.output ?? "strata-lab/\(Experiment.name)", cache: .init())
    }
}

/// `strata lab all`: every experiment, then an index page linking the reports.
struct LabAll: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all", abstract: "Runs every experiment and writes index.html linking the reports.")

    @OptionGroup var options: LabOptions

    func run() throws {
        let folder = options.output ?? "strata-lab", cache = LabOptions.Cache()
        let reports = try LabExperiments.all.map { try options.run($0, into: folder + "/" + $0.name, cache: cache) }
        try LabReport.writeIndex(reports, to: folder)
        print("Wrote \(folder)/index.html")
    }
}
