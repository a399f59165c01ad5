/// Where a tensor of probabilities came from: the logits and the squashing function. Carried by
/// the output of a sigmoid or softmax activation so that a cross-entropy on it can use the
/// numerically stable logits formula — gradients stay finite on saturated outputs.
package final class ProbabilitySource {
    /// The squashing function that turned the logits into probabilities.
    package enum Kind: Equatable {
        case sigmoid
        case softmax(axis: Int)
    }

    package let logits: Tensor
    package let kind: Kind

    package init(logits: Tensor, kind: Kind) {
        self.logits = logits
        self.kind = kind
    }
}
