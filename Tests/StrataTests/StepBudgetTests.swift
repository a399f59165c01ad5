import StrataCore
import Testing
@testable import Strata
@testable import StrataLab

/// The performance regression check that is not a wall-clock bound: what one training step of
/// the article's Fashion-MNIST model allocates and records, compared with a committed budget.
/// A change that adds a pass, a temporary or a tape node to the hot path shows here. Measured
/// when the budget was set (batch 32, Adam, accuracy, in `fit`): 82 tensor buffers, 0 pool misses and
/// 23 tape nodes (12 of them the variables' leaves) per step. Raise a budget only with a reason
/// in the commit.
@Suite("Training-step budget (allocations and tape nodes, not time)")
struct StepBudgetTests {
    static let buffersPerStep = 84
    static let tapeNodesPerStep = 24
    /// LeNet-5 (batch 32, Adam) when its budget was set: 60 buffers, 23 tape nodes, 0 pool misses per step.
    static let cnnBuffersPerStep = 62
    static let cnnTapeNodesPerStep = 24

    @Test func articleModelStepStaysWithinBudget() throws {
        try checkBudget(ArticleModels.fashionMLP(), buffers: Self.buffersPerStep, nodes: Self.tapeNodesPerStep)
    }

    /// The same for a convolutional network: patches, pooling indices and gradients all come
    /// from the pool, none allocated anew each step.
    @Test func lenetStepStaysWithinBudget() throws {
        try checkBudget(ArticleModels.lenet5(), buffers: Self.cnnBuffersPerStep, nodes: Self.cnnTapeNodesPerStep)
    }

    /// The same network built with the functional API costs what the Sequential costs: running
    /// the graph adds no tensor buffer and no tape node.
    @Test func aFunctionalLeNetCostsWhatTheSequentialCosts() throws {
        let sequential = ArticleModels.lenet5()
        let input = Input(shape: [28, 28])
        let output = try sequential.layers.reduce(input) { try $1($0) }
        let functional = try Model(inputs: input, outputs: output)
        let chain = try checkBudget(ArticleModels.lenet5(), buffers: Self.cnnBuffersPerStep, nodes: Self.cnnTapeNodesPerStep)
        let graph = try checkBudget(functional, buffers: Self.cnnBuffersPerStep, nodes: Self.cnnTapeNodesPerStep)
        #expect(graph.buffers == chain.buffers && graph.nodes == chain.nodes)
    }

    @discardableResult
    private func checkBudget(_ model: Model, buffers budget: Int, nodes nodeBudget: Int) throws -> (buffers: Double, nodes: Double) {
        let steps = 12, batch = 32
        Random.seed(7)
        model.compile(optimizer: Adam(), loss: .sparseCategoricalCrossentropy, metrics: [.accuracy])
        let x = Tensor.randomUniform([steps * batch, 28, 28], seed: 1)
        let y = Tensor(labels: (0..<(steps * batch)).map { $0 % 10 })
        // A pool of this test's own: other tests running in parallel cannot take its buffers.
        let pool = BufferPool(cacheLimitBytes: 1 << 30)
        try AllocationTally.measure(pool: pool) {   // warms the pool and the slots
            try model.fit(x, y, batchSize: batch, epochs: 1, verbose: .silent)
        }
        let tally = try AllocationTally.measure(pool: pool) {
            try model.fit(x, y, batchSize: batch, epochs: 1, verbose: .silent)
        }
        let buffers = Double(tally.buffers) / Double(steps), nodes = Double(tally.tapeNodes) / Double(steps)
        #expect(buffers <= Double(budget), "tensor buffers per step: \(buffers)")
        #expect(nodes <= Double(nodeBudget), "tape nodes per step: \(nodes)")
        // In the steady state every large temporary comes back from the pool: a buffer lost (or
        // of a new size) each step shows as one miss per step.
        #expect(tally.systemAllocations == 0, "pool misses in the second epoch: \(tally.systemAllocations)")
        // The tally sees the work at all (a broken counter must not pass).
        #expect(buffers >= 20 && nodes >= 10)
        return (buffers, nodes)
    }
}
