import ArgumentParser
import Foundation
import Strata

/// `strata bench gemm`: GFLOP/s of the matrix products of a training step.
struct GemmBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "GFLOP/s of the GEMM on the shapes of a training step.")

    @Option(help: "Timed trials per shape; the best is reported.")
    var trials = 7

    @Flag(help: "Print 'name<TAB>GFLOP/s' lines only (for Benchmarks/gemm_vs_numpy.sh).")
    var tsv = false

    @Flag(help: "bfloat16 operands with float32 sums (the mixed_bfloat16 products); GFLOP/s counted as for float32.")
    var bfloat16 = false

    func validate() throws {
        guard trials >= 1 else { throw ValidationError("--trials must be at least 1") }
    }

    func run() throws {
        if !tsv {
            print("GEMM\(bfloat16 ? " (bfloat16 operands)" : ""), \(GemmBenchmark.threadCount) threads, best of \(trials); "
                  + KernelPlatform.summary)
            print("shape".padding(toLength: 20, withPad: " ", startingAt: 0)
                  + "role".padding(toLength: 36, withPad: " ", startingAt: 0) + "GFLOP/s")
        }
        for benchCase in GemmBenchmark.standardCases {
            var product = benchCase
            product.bfloat16 = bfloat16
            let gflops = GemmBenchmark.measure(product, trials: trials)
            if tsv {
                print("\(benchCase.name)\t\(String(format: "%.1f", gflops))")
            } else {
                print(benchCase.name.padding(toLength: 20, withPad: " ", startingAt: 0)
                      + benchCase.role.padding(toLength: 36, withPad: " ", startingAt: 0)
                      + String(format: "%7.1f", gflops))
            }
        }
    }
}
