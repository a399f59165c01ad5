import ArgumentParser
import Foundation
import Strata

/// The `strata` command-line tool. Exit codes: 0 success, 1 a user error (one line, no stack
/// trace), 2 an internal error.
public struct StrataCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "Strata: train deep neural networks natively in Swift.",
        version: StrataVersion.current,
        subcommands: [Demo.self, Train.self, Evaluate.self, Predict.self, Summary.self, Lab.self, Bench.self])

    public init() {}

    /// Parses the command line and runs the command, exiting with 1 on a user error.
    public static func main() { run(self, name: "strata") }

    /// Runs a root command type the way `strata` does: exit codes 0 / 1 (user error, one line
    /// prefixed with `name`) / 2 (internal error).
    public static func run(_ root: any ParsableCommand.Type, name: String) {
        do {
            var command = try root.parseAsRoot(nil)
            try command.run()
        } catch let error as StrataError {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            Foundation.exit(1)
        } catch {
            let code = root.exitCode(for: error)
            if code == .success || error is CleanExit {
                root.exit(withError: error)
            }
            let message = root.fullMessage(for: error)
            FileHandle.standardError.write(Data("\(name): \(message)\n".utf8))
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
