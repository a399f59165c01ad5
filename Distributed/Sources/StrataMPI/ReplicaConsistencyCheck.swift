import Foundation
import Strata

/// Verifies after every optimizer step that every replica holds bit-identical trainable
/// weights (a hash of their bytes compared with replica 0's) and fails training at the first
/// step where one differs. Costs one hash of the weights and two small collectives per step —
/// for testing and debugging a data-parallel setup.
///
///     try model.fit(x, y, callbacks: [ReplicaConsistencyCheck(group: group)], dataParallel: parallel)
public final class ReplicaConsistencyCheck: Callback {
    /// The replicas compared.
    public let group: any ReplicaGroup
    /// Steps verified so far.
    public private(set) var checkedSteps = 0

    /// Compares the replicas of `group`.
    public init(group: any ReplicaGroup) {
        self.group = group
    }

    public override func onTrainBatchEnd(_ batch: Int, logs: Logs) throws {
        guard let model else { return }
        let local = Self.hash(model.trainableVariables.map(\.value))
        var reference = local
        withUnsafeMutableBytes(of: &reference) { group.broadcast($0) }
        var differing = [Double(reference == local ? 0 : 1)]
        differing.withUnsafeMutableBufferPointer { group.allReduceSum($0) }
        guard differing[0] == 0 else {
            throw StrataError.invalidArgument("after step \(checkedSteps + 1), \(Int(differing[0])) of \(group.size) replicas' weights differ from replica 0's",
                                              context: "ReplicaConsistencyCheck", expected: "bit-identical weights on every replica")
        }
        checkedSteps += 1
    }

    public override func onTrainEnd(logs: Logs) throws {
        if group.rank == 0 {
            print("strata-mpi: weights bit-identical on all \(group.size) ranks after each of \(checkedSteps) steps")
        }
    }

    /// FNV-1a over the float bits of every tensor, in order.
    static func hash(_ tensors: [Tensor]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for tensor in tensors {
            for value in tensor.scalars {
                hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01b3
            }
        }
        return hash
    }
}
