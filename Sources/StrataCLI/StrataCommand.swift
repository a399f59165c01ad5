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
        subcommands: [Demo.self, Train.self, Evaluate.self, Predict.self, Summary.self, Export.self, Lab.self, Bench.self])

    public init() {}

    /// Parses the command line and runs the command, exiting with 1 on a user error.
    public static func main() { run(self, name: "strata") }

    /// Runs a root command type the way `strata` does: the library's log messages printed on
    /// standard output; exit codes 0 / 1 (user error, one line prefixed with `name`) / 2
    /// (internal error).
    public static func run(_ root: any ParsableCommand.Type, name: String) {
        ConsoleLogHandler.install()
        var command: any ParsableCommand
        do {
            command = try root.parseAsRoot(nil)
        } catch {
            fail(error, root: root, name: name, hint: helpHint(root.fullMessage(for: error)))
        }
        do {
            try KernelPlatform.checkOverride()
            try command.run()
        } catch {
            fail(error, root: root, name: name, hint: nil)   // the root's usage would not be this command's
        }
    }

    /// Exits after an error: `--help` and `--version` print as usual; a user error prints one line
    /// (`strata: <what>, <where> (expected …)`) and at most one hint line and exits 1; anything else exits 2.
    private static func fail(_ error: any Error, root: any ParsableCommand.Type, name: String, hint: String?) -> Never {
        if let error = error as? StrataError {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            Foundation.exit(1)
        }
        let code = root.exitCode(for: error)
        if code == .success || error is CleanExit { root.exit(withError: error) }
        let message = root.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        FileHandle.standardError.write(Data(("\(name): \(message)\n" + (hint.map { $0 + "\n" } ?? "")).utf8))
        Foundation.exit(error is ValidationError || code == .validationFailure ? 1 : 2)
    }

    /// The parser's "See 'strata train --help' for more information." line, which names the
    /// subcommand that failed to parse.
    private static func helpHint(_ fullMessage: String) -> String? {
        fullMessage.split(separator: "\n").last { $0.contains("--help") }.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// `strata bench …`: performance benchmarks (run them from a release build).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Performance benchmarks (build with -c release).",
        subcommands: [TrainBench.self, PredictBench.self, GemmBench.self, ConvBench.self, PlatformBench.self])
}

/// `strata bench platform`: the CPU, the kernels' instruction set and the cache sizes.
struct PlatformBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platform",
        abstract: "The CPU, the instruction set the kernels use (STRATA_CPU forces a lower one) and the cache sizes.")

    func run() throws {
        print(KernelPlatform.summary)
    }
}
