import CStrataMPI
import Foundation
import Strata

/// Every process of the MPI job (`MPI_COMM_WORLD`) as the replicas of data-parallel training.
///
///     let group = try MPIReplicaGroup.start(timeout: 120)
///     defer { group.finish() }
///     try model.fit(x, y, batchSize: 32, epochs: 10, dataParallel: DataParallel(group: group))
///
/// A collective that waits longer than `timeout` seconds — a peer died or hangs — ends this
/// process with a message and exit code 3, and mpirun then ends the job: no rank hangs forever.
/// An MPI error ends the whole job the same way (MPI_Abort), naming the operation.
public final class MPIReplicaGroup: ReplicaGroup, @unchecked Sendable {
    // @unchecked: MPI is called from the training thread only; the counters below are read there too.
    public let rank: Int
    public let size: Int

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// Initializes MPI (a process started without mpirun is a job of one) and the watchdog.
    public static func start(timeout: Double = 120) throws -> MPIReplicaGroup {
        guard strata_mpi_init(timeout) == 0 else {
            throw StrataError(kind: .io, message: "MPI could not be initialized", context: "strata-mpi",
                              expected: "an Open MPI installation (mpirun, libopenmpi)")
        }
        return MPIReplicaGroup(rank: Int(strata_mpi_rank()), size: Int(strata_mpi_size()))
    }

    /// Seconds this rank has spent inside all-reduce calls (waiting included).
    public var allReduceSeconds: Double { strata_mpi_allreduce_seconds() }

    /// Bytes of payload this rank has given to all-reduce calls (gradients, metrics, statistics).
    public var allReduceBytes: Double { strata_mpi_allreduce_bytes() }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {
        check(strata_mpi_allreduce_float(values.baseAddress, values.count), "MPI_Allreduce of \(values.count) floats")
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) {
        check(strata_mpi_allreduce_double(values.baseAddress, values.count), "MPI_Allreduce of \(values.count) doubles")
    }

    /// Starts `MPI_Iallreduce` (the sum travels while the caller computes, as far as Open MPI
    /// progresses it in the background) and returns the `MPI_Wait` that completes it.
    public func startAllReduceSum(_ values: UnsafeMutableBufferPointer<Float>) -> () -> Void {
        var request: UnsafeMutableRawPointer?
        check(strata_mpi_iallreduce_float(values.baseAddress, values.count, &request), "MPI_Iallreduce of \(values.count) floats")
        return { [self] in check(strata_mpi_wait(request), "MPI_Wait for the all-reduce of \(values.count) floats") }
    }

    /// `MPI_Allreduce` of the values as bfloat16 (`MPI_UINT16_T` with a reduction that adds in
    /// float32 and rounds): half the bytes of `allReduceSum`.
    public func allReduceSumBFloat16(_ values: UnsafeMutableBufferPointer<Float>) {
        check(strata_mpi_allreduce_bf16(values.baseAddress, values.count), "MPI_Allreduce of \(values.count) bfloat16 values")
    }

    /// Starts an `MPI_Iallreduce` of the values as bfloat16 (`MPI_UINT16_T` with a reduction that
    /// adds in float32 and rounds): half the bytes of `startAllReduceSum`.
    public func startAllReduceSumBFloat16(_ values: UnsafeMutableBufferPointer<Float>) -> () -> Void {
        var request: UnsafeMutableRawPointer?
        check(strata_mpi_iallreduce_bf16(values.baseAddress, values.count, &request), "MPI_Iallreduce of \(values.count) bfloat16 values")
        return { [self] in check(strata_mpi_wait(request), "MPI_Wait for the all-reduce of \(values.count) bfloat16 values") }
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer) {
        check(strata_mpi_broadcast(bytes.baseAddress, bytes.count), "MPI_Bcast of \(bytes.count) bytes")
    }

    /// Ends every rank of the job with `code` after printing `message` (an error on this rank
    /// that the others cannot see would otherwise leave them waiting until the timeout).
    public func abort(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("strata-mpi: rank \(rank): \(message)\n".utf8))
        strata_mpi_abort(code)
        exit(code)
    }

    /// Finalizes MPI; call once when training is done.
    public func finish() { strata_mpi_finalize() }

    private func check(_ status: Int32, _ operation: String) {
        guard status != 0 else { return }
        var text = [CChar](repeating: 0, count: 512)
        strata_mpi_error_text(status, &text, Int32(text.count))
        let message = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        abort("\(operation) failed: \(message)", code: 3)
    }
}
