import StrataCore

/// Where a tensor of probabilities came from: the logits and the squashing function. Carried by
/// the output of a sigmoid or softmax activation so that a cross-entropy on it can use the
/// numerically stable logits formula (as Keras does) — gradients stay finite on saturated outputs.
final class ProbabilitySource {
    /// The squashing function that turned the logits into probabilities.
    enum Kind: Equatable {
        case sigmoid
        case softmax(axis: Int)
    }

    let logits: Tensor
    let kind: Kind

    init(logits: Tensor, kind: Kind) {
        self.logits = logits
        self.kind = kind
    }
}

extension Tensor {
    /// The logits these probabilities came from, when a sigmoid or softmax made them.
    var probabilitySource: ProbabilitySource? {
        get { origin as? ProbabilitySource }
        set { origin = newValue }
    }
}
