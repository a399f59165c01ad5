import ArgumentParser
import Foundation
import Strata
import StrataCLI
import StrataMPI

/// `strata-mpi`: `strata demo` and `strata train` as a data-parallel job on MPI.
///
///     mpirun -np 4 strata-mpi demo --batch-size 32 --sync-batch-norm
@main
struct StrataMPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata-mpi",
        abstract: "Strata's demo and train, data-parallel across the processes of an MPI job (start it with mpirun).",
        discussion: """
            Every rank holds the whole model and trains on its slice of each global batch (--batch-size is per rank: \
            the global batch is --batch-size × ranks); gradients are summed with MPI_Allreduce, so every rank takes \
            the same step. Only rank 0 prints and writes files. Scaling the learning rate with the global batch \
            (the linear scaling rule, with a warmup) is left to you: --lr with train.
            Example: mpirun -np 2 strata-mpi demo
            """,
        subcommands: [DistributedDemo.self, DistributedTrain.self])

    static func main() { StrataCommand.run(self, name: "strata-mpi") }
}

/// The options `strata-mpi` adds to `demo` and `train`.
struct DistributedOptions: ParsableArguments {
    @Flag(help: "All-reduce batch normalization's batch statistics over the ranks (default: each rank's own, as Horovod).")
    var syncBatchNorm = false
    @Option(help: "Seconds a rank waits for the others in one collective before it ends the job (a peer died or hangs).")
    var timeout: Double = 120
    @Flag(help: "After every step, check that all ranks hold bit-identical weights (slower; for testing).")
    var verifyReplicas = false

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    /// Runs `body` as a replica of the MPI job; an error on one rank ends every rank.
    func run(_ body: () throws -> Void) throws {
        let group = try MPIReplicaGroup.start(timeout: timeout)
        let parallel = DataParallel(group: group, syncBatchNorm: syncBatchNorm)
        var checks: (@Sendable () -> [Callback])?
        if verifyReplicas { checks = { [ReplicaConsistencyCheck(group: group)] } }
        let environment = TrainingEnvironment(dataParallel: parallel, extraCallbacks: checks)
        environment.say("strata-mpi: \(group.size) rank\(group.size == 1 ? "" : "s"), batch norm \(syncBatchNorm ? "synchronized" : "per rank")")
        let started = Date()
        do {
            try TrainingEnvironment.$current.withValue(environment, operation: body)
        } catch {
            group.abort("\(error)")
        }
        let seconds = Date().timeIntervalSince(started)
        // Every rank's time in MPI_Allreduce, gathered on rank 0.
        var times = [Double](repeating: 0, count: group.size)
        times[group.rank] = group.allReduceSeconds
        times.withUnsafeMutableBufferPointer { group.allReduceSum($0) }
        environment.say(String(format: "strata-mpi: %.1f s in all, MPI_Allreduce %@ s per rank", seconds,
                               times.map { String(format: "%.2f", $0) }.joined(separator: " / ")))
        group.finish()
    }
}

/// `strata-mpi demo`.
struct DistributedDemo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: Demo.configuration.abstract)
    @OptionGroup var distributed: DistributedOptions
    @OptionGroup var demo: Demo

    func run() throws { try distributed.run { try demo.run() } }
}

/// `strata-mpi train`.
struct DistributedTrain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: Train.configuration.abstract,
                                                    discussion: Train.configuration.discussion)
    @OptionGroup var distributed: DistributedOptions
    @OptionGroup var train: Train

    func run() throws { try distributed.run { try train.run() } }
}
