/// The value of `body` and its gradients with respect to `variables`.
///
/// `body` must return a tensor; a non-scalar result is differentiated as its sum (as TensorFlow's
/// `GradientTape.gradient` does). A variable that does not influence the result gets a zero
/// gradient. Gradients of gradients are not supported: operations inside backward passes are
/// not recorded.
///
///     let (loss, gradients) = valueWithGradients(of: [w, b]) {
///         ((x.matmul(w.value) + b.value - y) ** 2).mean()
///     }
public func valueWithGradients(
    of variables: [Variable], _ body: () throws -> Tensor
) rethrows -> (value: Tensor, gradients: [Tensor]) {
    var leaves: [ObjectIdentifier: GradNode] = [:]
    for variable in variables where leaves[ObjectIdentifier(variable)] == nil {
        precondition(variable.leaf == nil,
                     "valueWithGradients: variable '\(variable.name)' is already being differentiated (nested gradients are not supported)")
        let leaf = GradNode.leaf(shape: variable.shape)
        variable.leaf = leaf
        leaves[ObjectIdentifier(variable)] = leaf
    }
    defer { for variable in variables { variable.leaf = nil } }
    let value = try body()
    let gradients = differentiate(value, leaves: variables.map { leaves[ObjectIdentifier($0)]! })
    return (value.detached, gradients)
}

/// The value of `body` at `inputs` and its gradients with respect to each input.
///
///     let (y, grads) = valueWithGradients(at: [a, b]) { t in (t[0] * t[1]).sum() }
public func valueWithGradients(
    at inputs: [Tensor], _ body: ([Tensor]) throws -> Tensor
) rethrows -> (value: Tensor, gradients: [Tensor]) {
    let leaves = inputs.map { GradNode.leaf(shape: $0.shape) }
    let watched = zip(inputs, leaves).map { input, leaf in
        Tensor(shape: input.shape, storage: input.storage, node: leaf)
    }
    let value = try body(watched)
    return (value.detached, differentiate(value, leaves: leaves))
}

/// The value of `body` at `input` and its gradient.
///
///     let (y, dy) = valueWithGradient(at: x) { ($0 * $0).sum() }   // dy = 2x
public func valueWithGradient(
    at input: Tensor, _ body: (Tensor) throws -> Tensor
) rethrows -> (value: Tensor, gradient: Tensor) {
    let (value, gradients) = try valueWithGradients(at: [input]) { try body($0[0]) }
    return (value, gradients[0])
}

private func differentiate(_ value: Tensor, leaves: [GradNode]) -> [Tensor] {
    guard let root = value.node else {
        return leaves.map { Tensor(repeating: 0, shape: $0.shape) }
    }
    let gradients = GradNode.backpropagate(from: root, seed: Tensor(repeating: 1, shape: value.shape))
    return leaves.map { gradients[ObjectIdentifier($0)] ?? Tensor(repeating: 0, shape: $0.shape) }
}
