import CStrataKernels
import Foundation

/// The collective operations synchronous data-parallel training needs from a group of
/// processes ("replicas"), each holding the whole model. Strata contains no network code:
/// `StrataMPI` (the `Distributed/` package) implements this on MPI; tests implement it with
/// threads. Every replica must call the operations in the same order with the same sizes.
public protocol ReplicaGroup: AnyObject, Sendable {
    /// This replica's index, `0..<size`; replica 0 decides for all (callbacks, files).
    var rank: Int { get }
    /// The number of replicas.
    var size: Int { get }
    /// Replaces `values` on every replica by their element-wise sum over all replicas.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>)
    /// The same in double precision (metric totals).
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>)
    /// Replaces `bytes` on every replica by replica 0's.
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer)
    /// Starts replacing `values` by their element-wise sum over all replicas and returns at once
    /// with a function that waits for the sum; `values` must stay valid and untouched until that
    /// function has returned. Default: sums at once (`allReduceSum`) and the function does nothing.
    func startAllReduceSum(_ values: UnsafeMutableBufferPointer<Float>) -> () -> Void
    /// `allReduceSum` with each value sent as bfloat16 — half the bytes: every replica's values
    /// rounded to bfloat16 (to nearest, ties to even), summed in float32, the sum rounded to
    /// bfloat16 again. Default: that arithmetic on `allReduceSum` (a transport overrides it to
    /// put the 16-bit values on the wire).
    func allReduceSumBFloat16(_ values: UnsafeMutableBufferPointer<Float>)
    /// `startAllReduceSum` with bfloat16 on the wire. Default: `allReduceSumBFloat16` at once.
    func startAllReduceSumBFloat16(_ values: UnsafeMutableBufferPointer<Float>) -> () -> Void
}

extension ReplicaGroup {
    /// Sums at once; a transport that can overlap communication with computation overrides it.
    public func startAllReduceSum(_ values: UnsafeMutableBufferPointer<Float>) -> () -> Void {
        allReduceSum(values)
        return {}
    }

    /// Rounds (the kernels' `strata_round_bf16`), sums in float32 with `allReduceSum`, rounds again.
    public func allReduceSumBFloat16(_ values: UnsafeMutableBufferPointer<Float>) {
        guard let base = values.baseAddress else { return }
        var wire = [Float](unsafeUninitializedCapacity: values.count) { buffer, count in
            strata_round_bf16(base, values.count, buffer.baseAddress!)
            count = values.count
        }
        wire.withUnsafeMutableBufferPointer { allReduceSum($0) }
        strata_round_bf16(wire, values.count, base)
    }

    /// Sums at once (`allReduceSumBFloat16`).
    public func startAllReduceSumBFloat16(_ values: UnsafeMutableBufferPointer<Float>) -> () -> Void {
        allReduceSumBFloat16(values)
        return {}
    }
}


/// The replicas a forward pass spans, for layers whose batch statistics must be those of the
/// global batch (synchronized batch normalization). The training loop binds it around a
/// data-parallel forward pass; a layer reads it, and knows nothing of how training is organized.
///
///     ReplicaContext.$batchStatistics.withValue(group) { model(x, training: true) }
public enum ReplicaContext {
    /// The group whose replicas' batches are one batch for statistics (nil: this process alone).
    @TaskLocal public static var batchStatistics: (any ReplicaGroup)?
}

extension Tensor {
    /// The sum of this tensor over the replicas of `group`, recorded so that its gradient is the
    /// sum of the incoming gradients over the replicas (each replica's output depends on every
    /// replica's input) — synchronized batch normalization's statistics.
    package func summedAcrossReplicas(_ group: any ReplicaGroup) -> Tensor {
        var values = scalars
        values.withUnsafeMutableBufferPointer { group.allReduceSum($0) }
        return Tensor(shape: shape, scalars: values).recorded(from: [self]) { gradient in
            var incoming = gradient.scalars
            incoming.withUnsafeMutableBufferPointer { group.allReduceSum($0) }
            return [Tensor(shape: gradient.shape, scalars: incoming)]
        }
    }
}
