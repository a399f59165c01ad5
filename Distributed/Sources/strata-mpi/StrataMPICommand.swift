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
            the global batch is --batch-size × ranks); gradients are summed with MPI_Iallreduce in buckets, each \
            started as soon as backpropagation has completed it, so every rank takes the same step. Only rank 0 prints and writes files. Scaling the learning rate with the global batch \
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
    @Option(help: "Gradient floats per MPI_Allreduce (buckets of whole variables).")
    var bucketSize = 1 << 20
    @Option(help: "Gradient floats in the first bucket (the last layers', whose all-reduce starts first, during the backward pass; e.g. 262144 on a network that progresses it in the background).")
    var firstBucketSize = 1 << 20
    @Option(help: "How gradients travel in the all-reduce: float32, or bfloat16 (half the bytes; summed in float32, optimizer state float32).")
    var allReduce: DataParallel.WirePrecision = .float32

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard bucketSize > 0, firstBucketSize > 0 else { throw ValidationError("--bucket-size and --first-bucket-size must be positive") }
    }

    /// Runs `body` as a replica of the MPI job (`batchSize` rows per rank and step); an error on
    /// one rank ends every rank. Prints the training throughput and the time in MPI_Allreduce.
    func run(batchSize: Int, _ body: () throws -> Void) throws {
        let group = try MPIReplicaGroup.start(timeout: timeout)
        let parallel = DataParallel(group: group, syncBatchNorm: syncBatchNorm, bucketSize: bucketSize,
                                    firstBucketSize: firstBucketSize, gradientPrecision: allReduce)
        let meter = StepMeter(), verify = verifyReplicas
        let environment = TrainingEnvironment(dataParallel: parallel, extraCallbacks: {
            [meter] + (verify ? [ReplicaConsistencyCheck(group: group)] : [])
        })
        environment.say("strata-mpi: \(group.size) rank\(group.size == 1 ? "" : "s"), batch norm \(syncBatchNorm ? "synchronized" : "per rank"), gradients all-reduced in \(allReduce.rawValue)")
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
        let steps = Double(max(meter.steps, 1))
        environment.say(String(format: "strata-mpi: %d steps of %d rows × %d ranks in %.2f s of training steps: %.2f ms/step, "
                               + "%.0f samples/s; MPI_Allreduce %@ ms/step per rank (waiting included), %.0f bytes/step; %.1f s in all",
                               meter.steps, batchSize, group.size, meter.seconds, 1000 * meter.seconds / steps,
                               steps * Double(batchSize * group.size) / max(meter.seconds, 1e-9),
                               times.map { String(format: "%.2f", 1000 * $0 / steps) }.joined(separator: " / "),
                               group.allReduceBytes / steps, seconds))
        group.finish()
    }
}

/// `strata-mpi demo`.
struct DistributedDemo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: Demo.configuration.abstract)
    @OptionGroup var distributed: DistributedOptions
    @OptionGroup var demo: Demo

    func run() throws { try distributed.run(batchSize: demo.effectiveBatchSize) { try demo.run() } }
}

/// `strata-mpi train`.
struct DistributedTrain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: Train.configuration.abstract,
                                                    discussion: Train.configuration.discussion)
    @OptionGroup var distributed: DistributedOptions
    @OptionGroup var train: Train

    func run() throws { try distributed.run(batchSize: train.batchSize) { try train.run() } }
}

/// Times the training steps (batch begin to batch end, so validation and callbacks at epoch
/// ends are left out).
final class StepMeter: Callback, @unchecked Sendable {
    // @unchecked: created and used on the training thread only.
    private(set) var steps = 0
    private(set) var seconds = 0.0
    private var began = Date()

    override func onTrainBatchBegin(_ batch: Int, logs: Logs) throws { began = Date() }

    override func onTrainBatchEnd(_ batch: Int, logs: Logs) throws {
        seconds += Date().timeIntervalSince(began)
        steps += 1
    }
}

extension DataParallel.WirePrecision: @retroactive ExpressibleByArgument {}
