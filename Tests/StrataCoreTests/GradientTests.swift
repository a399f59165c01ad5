import StrataTestSupport
import Testing
@testable import StrataCore

@Suite("Gradients against finite differences")
struct GradientTests {
    @Test func arithmeticWithBroadcasting() {
        let a = random([3, 4], seed: 1), b = random([4], seed: 2), c = random([3, 1], 0.5, 2, seed: 3)
        checkGradients([a, b]) { $0[0] + $0[1] }
        checkGradients([a, b]) { $0[0] - $0[1] }
        checkGradients([a, c]) { $0[0] * $0[1] }
        checkGradients([b, c]) { $0[0] * $0[1] }          // [4] · [3, 1] → [3, 4]
        checkGradients([a, c]) { $0[0] / $0[1] }
        checkGradients([c, a]) { $0[1] / ($0[0] + 1) }
        checkGradients([a]) { -$0[0] }
    }

    @Test func scalarOperands() {
        let a = random([2, 3], 0.5, 2, seed: 4)
        checkGradients([a]) { $0[0] + 3 }
        checkGradients([a]) { 3 - $0[0] }
        checkGradients([a]) { $0[0] * -2.5 }
        checkGradients([a]) { $0[0] / 4 }
        checkGradients([a]) { 2 / $0[0] }
    }

    @Test func elementwiseFunctions() {
        let x = random([2, 5], -2, 2, seed: 5), positive = random([2, 5], 0.3, 3, seed: 6)
        checkGradients([x]) { exp($0[0]) }
        checkGradients([positive]) { log($0[0]) }
        checkGradients([positive]) { sqrt($0[0]) }
        checkGradients([positive]) { rsqrt($0[0]) }
        checkGradients([x]) { tanh($0[0]) }
        checkGradients([x]) { sigmoid($0[0]) }
        checkGradients([x]) { square($0[0]) }
        checkGradients([positive]) { pow($0[0], 3) }
        checkGradients([positive]) { pow($0[0], -0.5) }
        // Kinks: keep inputs away from them so finite differences are valid.
        let away = Tensor([-1.5, -0.7, 0.4, 1.2, 2.0, -0.3])
        checkGradients([away], step: 1e-3) { abs($0[0]) }
        checkGradients([away], step: 1e-3) { clamp($0[0], min: -1, max: 1) }
        checkGradients([away], step: 1e-3) { maximum($0[0], 0.1) }
        checkGradients([away], step: 1e-3) { minimum($0[0], 0.1) }
        checkGradients([away], step: 1e-3) { sign($0[0]) * $0[0] }
    }

    @Test func binaryFunctions() {
        let a = Tensor(shape: [2, 3], scalars: [0.5, 1.5, 2.5, 3.5, 0.2, 1.1])
        let b = Tensor(shape: [3], scalars: [1.0, 2.0, 0.7])
        checkGradients([a, b], step: 1e-3) { maximum($0[0], $0[1]) }
        checkGradients([a, b], step: 1e-3) { minimum($0[0], $0[1]) }
        checkGradients([a, b], step: 1e-3) { pow($0[0], $0[1]) }
    }

    @Test func reductions() {
        let x = random([3, 4, 5], seed: 7)
        checkGradients([x]) { $0[0].sum() }
        checkGradients([x]) { $0[0].sum(axes: [1]) }
        checkGradients([x]) { $0[0].sum(axes: [0, 2], keepDims: true) }
        checkGradients([x]) { $0[0].mean(axes: [-1]) }
        checkGradients([x]) { $0[0].mean() }
        checkGradients([x]) { $0[0].variance(axes: [0]) }
        checkGradients([x]) { $0[0].variance() }
        checkGradients([x], step: 1e-3) { $0[0].max(axes: [2]) }
        checkGradients([x], step: 1e-3) { $0[0].min(axes: [0, 1]) }
        checkGradients([x], step: 1e-3) { $0[0].max() }
        checkGradients([random([4], seed: 8)]) { $0[0].broadcast(to: [3, 4]) }
    }

    @Test func shapeOperations() {
        let x = random([2, 3, 4], seed: 9)
        checkGradients([x]) { $0[0].reshaped(to: [6, -1]) }
        checkGradients([x]) { $0[0].flattened() }
        checkGradients([x]) { $0[0].transposed(permutation: [2, 0, 1]) }
        checkGradients([random([3, 5], seed: 10)]) { $0[0].transposed() }
        checkGradients([x, random([2, 2, 4], seed: 11)]) { Tensor.concatenate([$0[0], $0[1]], axis: 1) }
        checkGradients([x]) { $0[0].gathering(rows: [1, 0, 1]) }
        checkGradients([x]) { $0[0].slice(axis: 2, 1..<3) }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matrixProduct(transposeA: Bool, transposeB: Bool) {
        let a = random(transposeA ? [4, 3] : [3, 4], seed: 12)
        let b = random(transposeB ? [5, 4] : [4, 5], seed: 13)
        checkGradients([a, b]) { matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB) }
    }

    @Test func composedNetworkStep() {
        // A two-layer MLP with a softmax cross-entropy: every op chained, gradients still exact.
        let x = random([4, 3], seed: 14), w1 = random([3, 5], seed: 15), b1 = random([5], seed: 16)
        let w2 = random([5, 2], seed: 17)
        checkGradients([w1, b1, w2]) { p in
            let hidden = tanh(matmul(x, p[0]) + p[1])
            let logits = matmul(hidden, p[2])
            let shifted = logits - logits.max(axes: [1], keepDims: true)
            let logProbabilities = shifted - log(exp(shifted).sum(axes: [1], keepDims: true))
            return -(logProbabilities.slice(axis: 1, 0..<1)).mean()
        }
    }
}

@Suite("Variables and the tape")
struct VariableTests {
    @Test func linearRegressionGradient() {
        let x = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        let y = Tensor(shape: [3, 1], scalars: [1, 0, -1])
        let w = Variable(Tensor(shape: [2, 1], scalars: [0.5, -0.25]), name: "w")
        let b = Variable(Tensor([0.1]), name: "b")
        let (loss, gradients) = valueWithGradients(of: [w, b]) {
            square(matmul(x, w.value) + b.value - y).mean()
        }
        // residual r = xw + b − y = [0, 0.5, 1] + 0.1 − [1, 0, −1]; dL/dw = 2/3·xᵀr; dL/db = 2/3·Σr.
        let r: [Float] = [-0.9, 0.6, 2.1]
        expectClose(loss, [(r.map { $0 * $0 }.reduce(0, +)) / 3], tolerance: 1e-5)
        expectClose(gradients[0], [2.0 / 3 * (1 * r[0] + 3 * r[1] + 5 * r[2]),
                                   2.0 / 3 * (2 * r[0] + 4 * r[1] + 6 * r[2])], shape: [2, 1])
        expectClose(gradients[1], [2.0 / 3 * r.reduce(0, +)], shape: [1])
        #expect(!loss.isTracked)
        #expect(!w.value.isTracked, "a variable is tracked only inside valueWithGradients")
    }

    @Test func reuseAccumulatesAndUnusedIsZero() {
        let v = Variable(Tensor([2, 3]))
        let unused = Variable(Tensor.ones([2, 2]))
        let (value, gradients) = valueWithGradients(of: [v, unused]) { (v.value * v.value + v.value).sum() }
        #expect(value.scalar == 4 + 9 + 5)
        #expect(gradients[0].scalars == [5, 7])          // 2v + 1
        #expect(gradients[1] == Tensor.zeros([2, 2]))
    }

    @Test func gradientsAreHandedOverAsSoonAsTheyAreComplete() {
        let x = Tensor.randomNormal([4, 3], seed: 30)
        let first = Variable(Tensor.randomNormal([3, 5], seed: 31), name: "first")
        let shared = Variable(Tensor.randomNormal([5, 5], seed: 32), name: "shared")    // used twice
        let last = Variable(Tensor.randomNormal([5, 2], seed: 33), name: "last")
        let unused = Variable(Tensor.ones([2]), name: "unused")
        var events: [String] = []
        // An identity between the layers whose backward logs when it runs.
        func marker(_ t: Tensor, _ name: String) -> Tensor {
            t.detached.recorded(from: [t]) { g in events.append("backward through \(name)"); return [g] }
        }
        let variables = [first, shared, unused, last, first]   // `first` listed twice
        func network() -> Tensor {
            let h1 = marker(tanh(matmul(x, first.value)), "h1")
            let h2 = marker(tanh(matmul(tanh(matmul(h1, shared.value)), shared.value)), "h2")
            return matmul(h2, last.value).sum()
        }
        var readyGradients: [Int: Tensor] = [:]
        let (_, gradients) = valueWithGradients(of: variables, whenReady: { index, gradient in
            events.append("ready \(index)")
            #expect(readyGradients.updateValue(gradient, forKey: index) == nil, "variable \(index) handed over twice")
        }, network)
        // Last layer first, each as soon as its last use has propagated, the unused one at the end.
        #expect(events == ["ready 3", "backward through h2", "ready 1", "backward through h1", "ready 0", "ready 4", "ready 2"])
        // What was handed over is final, and the hook changes nothing.
        let plain = valueWithGradients(of: variables, network).gradients
        for index in variables.indices {
            #expect(readyGradients[index] == gradients[index])
            #expect(gradients[index] == plain[index])
        }
        #expect(isClose(gradients[0], plain[0].scalars) && gradients[0] != Tensor.zeros([3, 5]))
        #expect(gradients[2] == Tensor.zeros([2]))
    }

    /// A releasing tape frees each operation's captures as soon as its backward has run, so a
    /// hook can update each variable in place while the earlier layers' gradients are still
    /// being computed — and those gradients are still the ones of the values the forward pass
    /// used. Without releasing, the tape still holds each variable's buffer: the update copies.
    @Test(arguments: [true, false])
    func aReleasingTapeLetsTheHookUpdateInPlace(releasing: Bool) {
        let x = Tensor.randomNormal([6, 4], seed: 40)
        let layers = (0..<3).map { Variable(Tensor.randomNormal([4, 4], seed: 41 + UInt64($0)), name: "w\($0)") }
        func network() -> Tensor {
            layers.reduce(x) { tanh(matmul($0, $1.value)) }.sum()
        }
        let plain = valueWithGradients(of: layers, network).gradients
        let initial = layers.map { $0.value.scalars }
        let addresses = layers.map { $0.value.withUnsafeBufferPointer { $0.baseAddress } }
        var updatedInPlace: [Bool] = []
        let (_, gradients) = valueWithGradients(of: layers, whenReady: { index, gradient in
            layers[index].update { value in   // an SGD step in place, while the backward pass goes on
                gradient.withUnsafeBufferPointer { g in value.withUnsafeMutableBufferPointer { w in
                    for i in w.indices { w[i] -= g[i] }
                } }
            }
            updatedInPlace.append(layers[index].value.withUnsafeBufferPointer { $0.baseAddress } == addresses[index])
        }, releasingTape: releasing, network)
        #expect(gradients == plain, "every gradient is of the values the forward pass used")
        #expect(updatedInPlace == (releasing ? [true, true, true] : [false, false, false]))
        for (layer, (start, gradient)) in zip(layers, zip(initial, plain)) {
            #expect(layer.value.scalars == zip(start, gradient.scalars).map { $0 - $1 })
        }
    }

    @Test func nothingIsRecordedOutsideAGradient() {
        let a = random([3, 3], seed: 20)
        let y = tanh(matmul(a, a) + 1).sum()
        #expect(!y.isTracked)
    }

    @Test func updateMutatesInPlaceWithoutCopy() {
        let v = Variable(Tensor.zeros([4096 * 2]))
        let before = v.value.withUnsafeBufferPointer { $0.baseAddress }
        v.update { $0.withUnsafeMutableBufferPointer { $0[0] = 7 } }
        #expect(v.value[0] == 7)
        #expect(v.value.withUnsafeBufferPointer { $0.baseAddress } == before)
    }
}
