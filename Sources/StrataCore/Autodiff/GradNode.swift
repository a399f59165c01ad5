import Synchronization

/// One recorded operation of the dynamic tape: its inputs' nodes and how to map the gradient of
/// its output to gradients of its inputs. Leaves (variables, watched inputs) have no backward.
///
/// The tape is the graph of nodes itself, reachable from the value being differentiated; `order`
/// (a global creation counter) gives a valid reverse topological order for backpropagation.
final class GradNode {
    typealias Backward = (_ gradient: Tensor) -> [Tensor?]

    private static let clock = Atomic<Int>(0)

    let order: Int
    let shape: [Int]
    let parents: [GradNode?]
    /// Whether this node starts differentiation (has no backward of its own).
    let isLeaf: Bool
    /// Nil for a leaf, and for an interior node once a releasing backward pass has run it.
    private(set) var backward: Backward?

    init(shape: [Int], parents: [GradNode?] = [], backward: Backward? = nil) {
        self.order = GradNode.clock.add(1, ordering: .relaxed).oldValue
        AllocationTally.countNode()
        self.shape = shape
        self.parents = parents
        self.isLeaf = backward == nil
        self.backward = backward
    }

    /// A leaf: the start of differentiation (a variable or an input being watched).
    static func leaf(shape: [Int]) -> GradNode { GradNode(shape: shape) }

    /// Gradients of `output` (seeded with `seed`, ones by default — the gradient of its sum)
    /// for every node reached, keyed by node identity. Interior gradients are dropped as soon as
    /// they have been propagated; only leaves keep theirs.
    ///
    /// `whenFinal`, when given, is called for each leaf reached as soon as its gradient is
    /// complete — when the last operation that used it has propagated — while the rest of the
    /// backward pass is still to run (data parallelism starts summing those gradients across
    /// replicas then). Each leaf's count of pending consumers decides; the leaves themselves come
    /// last in creation order, so that order alone would tell only at the very end.
    ///
    /// With `releasing`, each node drops its backward closure — and the values it captured —
    /// right after running it: the tape can then not be differentiated again, but activations
    /// are freed as the pass proceeds, and a variable whose last consumer has run is no longer
    /// shared with the tape, so `whenFinal` can update it in place.
    static func backpropagate(from output: GradNode, seed: Tensor,
                              whenFinal: ((GradNode, Tensor) -> Void)? = nil,
                              releasing: Bool = false) -> [ObjectIdentifier: Tensor] {
        var visited = Set<ObjectIdentifier>()
        var nodes: [GradNode] = []
        var pendingConsumers: [ObjectIdentifier: Int] = [:]
        var stack = [output]
        while let node = stack.popLast() {
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            nodes.append(node)
            for case let parent? in node.parents {
                if whenFinal != nil { pendingConsumers[ObjectIdentifier(parent), default: 0] += 1 }
                stack.append(parent)
            }
        }
        nodes.sort { $0.order > $1.order }

        var gradients: [ObjectIdentifier: Tensor] = [ObjectIdentifier(output): seed]
        if let whenFinal, output.isLeaf { whenFinal(output, seed) }   // the output is a leaf itself
        for node in nodes {
            let id = ObjectIdentifier(node)
            var inputGradients: [Tensor?] = []
            if let backward = node.backward, let gradient = gradients.removeValue(forKey: id) {
                inputGradients = backward(gradient)
                if releasing { node.backward = nil }
            }
            for (index, parent) in node.parents.enumerated() {
                guard let parent else { continue }
                let key = ObjectIdentifier(parent)
                if index < inputGradients.count, let inputGradient = inputGradients[index] {
                    precondition(inputGradient.shape == parent.shape,
                                 "autodiff: gradient of shape \(inputGradient.shape) for an input of shape \(parent.shape)")
                    if let existing = gradients[key] {
                        gradients[key] = existing + inputGradient
                    } else {
                        gradients[key] = inputGradient
                    }
                }
                guard let whenFinal else { continue }
                pendingConsumers[key]! -= 1
                if pendingConsumers[key] == 0, parent.isLeaf, let gradient = gradients[key] {
                    whenFinal(parent, gradient)
                }
            }
        }
        return gradients
    }
}

extension Tensor {
    /// This result, recorded as computed from `x` when `x` is tracked.
    /// `backward(g, x, y)` receives untracked copies of the input and of this output.
    package func recorded(from x: Tensor, _ backward: @escaping (_ g: Tensor, _ x: Tensor, _ y: Tensor) -> Tensor) -> Tensor {
        guard let parent = x.node else { return self }
        let input = x.detached, output = detached
        var result = self
        result.node = GradNode(shape: shape, parents: [parent]) { g in [backward(g, input, output)] }
        return result
    }

    /// This result, recorded as computed from `a` and `b` when either is tracked.
    /// `backward(g, a, b, y)` returns the gradients for `a` and `b` (nil where not needed).
    package func recorded(
        from a: Tensor, _ b: Tensor,
        _ backward: @escaping (_ g: Tensor, _ a: Tensor, _ b: Tensor, _ y: Tensor) -> (Tensor?, Tensor?)
    ) -> Tensor {
        guard a.node != nil || b.node != nil else { return self }
        let lhs = a.detached, rhs = b.detached, output = detached
        let needA = a.node != nil, needB = b.node != nil
        var result = self
        result.node = GradNode(shape: shape, parents: [a.node, b.node]) { g in
            let (ga, gb) = backward(g, lhs, rhs, output)
            return [needA ? ga : nil, needB ? gb : nil]
        }
        return result
    }

    /// This result, recorded as computed from `inputs` when any is tracked.
    /// `backward(g)` returns one gradient per input (nil where not needed).
    package func recorded(from inputs: [Tensor], _ backward: @escaping (_ g: Tensor) -> [Tensor?]) -> Tensor {
        guard inputs.contains(where: { $0.node != nil }) else { return self }
        var result = self
        result.node = GradNode(shape: shape, parents: inputs.map(\.node), backward: backward)
        return result
    }
}
