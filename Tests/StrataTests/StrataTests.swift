import Testing
import Strata

@Suite("The Strata module")
struct StrataModuleTests {
    @Test func reExportsTheEngineAndTrainsALinearModel() {
        // One import gives Tensor, Variable and autodiff: fit y = 3x − 1 by gradient descent.
        let x = Tensor.randomUniform([64, 1], lower: -1, upper: 1, seed: 1)
        let y = x * 3 - 1
        let w = Variable(Tensor.zeros([1, 1]), name: "w"), b = Variable(Tensor.zeros([1]), name: "b")
        var lastLoss = Float.infinity
        for _ in 0..<200 {
            let (loss, gradients) = valueWithGradients(of: [w, b]) {
                square(matmul(x, w.value) + b.value - y).mean()
            }
            w.value = w.value - gradients[0] * 0.5
            b.value = b.value - gradients[1] * 0.5
            lastLoss = loss.scalar
        }
        #expect(lastLoss < 1e-6)
        #expect(abs(w.value.scalar - 3) < 1e-3 && abs(b.value.scalar + 1) < 1e-3)
    }
}
