/// The callbacks of one `fit`, `evaluate` or `predict` (Keras' `CallbackList`): attached to the
/// model once, each hook called on all of them in order by one call.
struct CallbackList {
    let callbacks: [Callback]

    /// The callbacks, attached to `model` (`replacing`: false keeps a model already attached —
    /// `fit` passes its callbacks on to the validation `evaluate`).
    init(_ callbacks: [Callback], model: Model, replacing: Bool = true) {
        self.callbacks = callbacks
        for callback in callbacks where replacing || callback.model == nil { callback.model = model }
    }

    /// Whether some callback puts `learning_rate` into the epoch's logs.
    var logsLearningRate: Bool { callbacks.contains { $0.logsLearningRate } }

    func trainBegin() throws { try callbacks.forEach { try $0.onTrainBegin(logs: [:]) } }
    func trainEnd(_ logs: Logs) throws { try callbacks.forEach { try $0.onTrainEnd(logs: logs) } }
    func epochBegin(_ epoch: Int) throws { try callbacks.forEach { try $0.onEpochBegin(epoch, logs: [:]) } }
    func epochEnd(_ epoch: Int, _ logs: Logs) throws { try callbacks.forEach { try $0.onEpochEnd(epoch, logs: logs) } }
    func trainBatchBegin(_ batch: Int) throws { try callbacks.forEach { try $0.onTrainBatchBegin(batch, logs: [:]) } }
    func trainBatchEnd(_ batch: Int, _ logs: Logs) throws { try callbacks.forEach { try $0.onTrainBatchEnd(batch, logs: logs) } }
    func testBegin() throws { try callbacks.forEach { try $0.onTestBegin(logs: [:]) } }
    func testEnd(_ logs: Logs) throws { try callbacks.forEach { try $0.onTestEnd(logs: logs) } }
    func testBatchBegin(_ batch: Int) throws { try callbacks.forEach { try $0.onTestBatchBegin(batch, logs: [:]) } }
    func testBatchEnd(_ batch: Int, _ logs: Logs) throws { try callbacks.forEach { try $0.onTestBatchEnd(batch, logs: logs) } }
    func predictBegin() throws { try callbacks.forEach { try $0.onPredictBegin(logs: [:]) } }
    func predictEnd() throws { try callbacks.forEach { try $0.onPredictEnd(logs: [:]) } }
}
