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
    try valueWithGradients(of: variables, whenReady: nil, body)
}

/// The value of `body` and its gradients with respect to `variables`, each gradient also handed
/// to `whenReady` as soon as the backward pass has completed it — the last layer's first, while
/// the earlier layers' are still being computed — so that work on it (an all-reduce across
/// replicas) can start early.
///
/// `whenReady(index, gradient)` is called exactly once per index of `variables`: during the
/// backward pass in the order the gradients are completed, then, for variables that do not
/// influence the result, with zeros in index order.
///
///     let (loss, gradients) = valueWithGradients(of: model.trainableVariables,
///                                                whenReady: { i, g in buckets.add(i, g) }) { lossOf(model) }
public func valueWithGradients(
    of variables: [Variable], whenReady: ((_ index: Int, _ gradient: Tensor) -> Void)?, _ body: () throws -> Tensor
) rethrows -> (value: Tensor, gradients: [Tensor]) {
    try valueWithGradients(of: variables, whenReady: whenReady, releasingTape: false, body)
}

/// `valueWithGradients(of:whenReady:_:)`, and with `releasingTape` each recorded operation frees
/// what it captured as soon as its backward has run (see `GradNode.backpropagate`): for a caller
/// that keeps no tracked tensor of `body` — a training step, whose `whenReady` updates each
/// variable in place while the earlier layers' gradients are still being computed.
package func valueWithGradients(
    of variables: [Variable], whenReady: ((_ index: Int, _ gradient: Tensor) -> Void)?, releasingTape: Bool,
    _ body: () throws -> Tensor
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
    let gradients = differentiate(value, leaves: variables.map { leaves[ObjectIdentifier($0)]! }, whenReady: whenReady,
                                  releasing: releasingTape)
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

private func differentiate(_ value: Tensor, leaves: [GradNode],
                           whenReady: ((_ index: Int, _ gradient: Tensor) -> Void)? = nil, releasing: Bool = false) -> [Tensor] {
    var ready = [Bool](repeating: false, count: leaves.count)
    var gradients: [ObjectIdentifier: Tensor] = [:]
    if let root = value.node {
        // The indices each leaf stands for (a variable listed twice shares one leaf).
        var indices: [ObjectIdentifier: [Int]] = [:]
        if whenReady != nil { for (index, leaf) in leaves.enumerated() { indices[ObjectIdentifier(leaf), default: []].append(index) } }
        gradients = GradNode.backpropagate(from: root, seed: Tensor(repeating: 1, shape: value.shape),
                                           whenFinal: whenReady.map { whenReady in { leaf, gradient in
            for index in indices[ObjectIdentifier(leaf)] ?? [] {
                ready[index] = true
                whenReady(index, gradient)
            }
        } }, releasing: releasing)
    }
    return leaves.enumerated().map { index, leaf in
        let gradient = gradients[ObjectIdentifier(leaf)] ?? Tensor(repeating: 0, shape: leaf.shape)
        if let whenReady, !ready[index] { whenReady(index, gradient) }
        return gradient
    }
}
