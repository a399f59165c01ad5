import ArgumentParser
import Strata

/// The `strata` command-line tool.
@main
struct StrataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "Strata: train deep neural networks natively in Swift.",
        version: StrataVersion.current,
        subcommands: [Bench.self])
}

/// `strata bench …`: performance benchmarks (run them from a release build).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Performance benchmarks (build with -c release).",
        subcommands: [GemmBench.self])
}
