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
    let backward: Backward?

    init(shape: [Int], parents: [GradNode?] = [], backward: Backward? = nil) {
        self.order = GradNode.clock.add(1, ordering: .relaxed).oldValue
        AllocationTally.countNode()
        self.shape = shape
        self.parents = parents
        self.backward = backward
    }

    /// A leaf: the start of differentiation (a variable or an input being watched).
    static func leaf(shape: [Int]) -> GradNode { GradNode(shape: shape) }

    /// Gradients of `output` (seeded with `seed`, ones by default — the gradient of its sum)
    /// for every node reached, keyed by node identity. Interior gradients are dropped as soon as
    /// they have been propagated; only leaves keep theirs.
    static func backpropagate(from output: GradNode, seed: Tensor) -> [ObjectIdentifier: Tensor] {
        var visited = Set<ObjectIdentifier>()
        var nodes: [GradNode] = []
        var stack = [output]
        while let node = stack.popLast() {
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            nodes.append(node)
            for case let parent? in node.parents { stack.append(parent) }
        }
        nodes.sort { $0.order > $1.order }

        var gradients: [ObjectIdentifier: Tensor] = [ObjectIdentifier(output): seed]
        for node in nodes {
            guard let backward = node.backward else { continue }
            let id = ObjectIdentifier(node)
            guard let gradient = gradients.removeValue(forKey: id) else { continue }
            let inputGradients = backward(gradient)
            for (parent, inputGradient) in zip(node.parents, inputGradients) {
                guard let parent, let inputGradient else { continue }
                precondition(inputGradient.shape == parent.shape,
                             "autodiff: gradient of shape \(inputGradient.shape) for an input of shape \(parent.shape)")
                let key = ObjectIdentifier(parent)
                if let existing = gradients[key] {
                    gradients[key] = existing + inputGradient
                } else {
                    gradients[key] = inputGradient
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
