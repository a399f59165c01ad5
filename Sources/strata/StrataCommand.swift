import ArgumentParser
import Foundation
import Strata

/// The `strata` command-line tool. Exit codes: 0 success, 1 a user error (one line, no stack
/// trace), 2 an internal error.
@main
struct StrataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "Strata: train deep neural networks natively in Swift.",
        version: StrataVersion.current,
        subcommands: [Demo.self, Train.self, Evaluate.self, Predict.self, Summary.self, Lab.self, Bench.self])

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as StrataError {
            FileHandle.standardError.write(Data("strata: \(error)\n".utf8))
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is CleanExit {
                exit(withError: error)
            }
            let message = fullMessage(for: error)
            FileHandle.standardError.write(Data("strata: \(message)\n".utf8))
            Foundation.exit(error is ValidationError || code == .validationFailure ? 1 : 2)
        }
    }
}

/// `strata bench …`: performance benchmarks (run them from a release build).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Performance benchmarks (build with -c release).",
        subcommands: [TrainBench.self, PredictBench.self, GemmBench.self])
}
