import Foundation
import StrataTestSupport
import Testing
@testable import StrataCore

@Suite("Tensor forward values")
struct TensorTests {
    @Test func creation() {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.shape == [2, 3] && t.rank == 2 && t.count == 6)
        #expect(t[1, 2] == 6)
        #expect(Tensor(3.5).shape == [] && Tensor(3.5).scalar == 3.5)
        #expect(Tensor.zeros([2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor.ones([3]).scalars == [1, 1, 1])
        #expect(Tensor.full([2], 7).scalars == [7, 7])
        #expect(Tensor.zeros([0, 3]).count == 0)
    }

    @Test func copyOnWrite() {
        var a = Tensor([1, 2, 3])
        let b = a
        a[0] = 10
        #expect(a.scalars == [10, 2, 3])
        #expect(b.scalars == [1, 2, 3])
        var c = b
        c.withUnsafeMutableBufferPointer { $0[2] = 30 }
        #expect(b.scalars == [1, 2, 3] && c.scalars == [1, 2, 30])
    }

    @Test func broadcastingArithmetic() {
        let m = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect((m + Tensor([10, 20, 30])).scalars == [11, 22, 33, 14, 25, 36])
        #expect((m * Tensor(shape: [2, 1], scalars: [2, 3])).scalars == [2, 4, 6, 12, 15, 18])
        #expect((Tensor(shape: [3, 1], scalars: [1, 2, 3]) - Tensor([1, 10])).shape == [3, 2])
        #expect((Tensor(shape: [3, 1], scalars: [1, 2, 3]) - Tensor([1, 10])).scalars == [0, -9, 1, -8, 2, -7])
        #expect((m / 2).scalars == [0.5, 1, 1.5, 2, 2.5, 3])
        #expect((12 / m).scalars == [12, 6, 4, 3, 2.4, 2])
        #expect((1 - m).scalars == [0, -1, -2, -3, -4, -5])
        #expect((-m).scalars == [-1, -2, -3, -4, -5, -6])
        // Rank-3 with a middle broadcast axis: [2, 1, 3] + [4, 1] → [2, 4, 3].
        let a = Tensor(shape: [2, 1, 3], scalars: [0, 1, 2, 3, 4, 5])
        let b = Tensor(shape: [4, 1], scalars: [0, 10, 20, 30])
        let s = a + b
        #expect(s.shape == [2, 4, 3])
        #expect(s[1, 2, 1] == 24 && s[0, 3, 2] == 32)
        #expect(Broadcast.shape([5, 1, 4], [3, 1], op: "test") == [5, 3, 4])
    }

    @Test func largeBroadcastUsesEveryRow() {
        // Big enough to be split across threads.
        let rows = 600, columns = 300
        let m = Tensor(repeating: 1, shape: [rows, columns])
        let bias = Tensor((0..<columns).map(Float.init))
        let column = Tensor(shape: [rows, 1], scalars: (0..<rows).map { Float($0) * 1000 })
        let s = m + bias + column
        #expect(s[599, 299] == 1 + 299 + 599_000)
        #expect(s[123, 7] == 1 + 7 + 123_000)
        let ones = Double(rows * columns)
        let biases = Double(rows) * Double(columns * (columns - 1) / 2)
        let rowTerms = Double(columns) * 1000 * Double(rows * (rows - 1) / 2)
        #expect(Double(s.sum().scalar) == Double(Float(ones + biases + rowTerms)))
    }

    @Test func mathFunctionsMatchFoundation() {
        let inputs: [Float] = [-1e4, -88, -20, -1, -1e-6, 0, 1e-6, 0.3, 1, 20, 88, 1e4]
        let x = Tensor(inputs)
        expectClose(exp(x), inputs.map { Foundation.exp($0) }, tolerance: 3e-7)
        expectClose(tanh(x), inputs.map { Foundation.tanh($0) }, tolerance: 3e-7)
        expectClose(sigmoid(x), inputs.map { 1 / (1 + Foundation.exp(-$0)) }, tolerance: 3e-7)
        let positive: [Float] = [1e-30, 1e-6, 0.5, 1, 2, 1e4, 3e38]
        expectClose(log(Tensor(positive)), positive.map { Foundation.log($0) }, tolerance: 3e-7)
        expectClose(sqrt(Tensor(positive)), positive.map { $0.squareRoot() }, tolerance: 1e-7)
        expectClose(rsqrt(Tensor([4, 0.25])), [0.5, 2])
        #expect(log(Tensor([0])).scalar == -.infinity)
        #expect(log(Tensor([-1])).scalar.isNaN)
        #expect(abs(Tensor([-2, 0, 3])).scalars == [2, 0, 3])
        #expect(sign(Tensor([-2, 0, 3])).scalars == [-1, 0, 1])
        #expect(pow(Tensor([2, 3]), 2).scalars == [4, 9])
        expectClose(pow(Tensor([4, 9]), Tensor([0.5, 2])), [2, 81])
        #expect(clamp(Tensor([-5, 0.5, 5]), min: -1, max: 1).scalars == [-1, 0.5, 1])
        #expect(maximum(Tensor([1, 5]), Tensor([3, 2])).scalars == [3, 5])
        #expect(minimum(Tensor([1, 5]), 2).scalars == [1, 2])
        #expect(maximum(Tensor([.nan, 1]), 0)[0].isNaN, "NaN propagates through maximum")
    }

    @Test func comparisons() {
        let a = Tensor([1, 2, 3]), b = Tensor([3, 2, 1])
        #expect((a .< b).scalars == [1, 0, 0])
        #expect((a .<= b).scalars == [1, 1, 0])
        #expect((a .> b).scalars == [0, 0, 1])
        #expect((a .>= b).scalars == [0, 1, 1])
        #expect((a .== b).scalars == [0, 1, 0])
        #expect((a .!= b).scalars == [1, 0, 1])
        #expect((a .> 1.5).scalars == [0, 1, 1])
    }

    @Test func reductions() {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.sum().scalar == 21 && t.sum().shape == [])
        #expect(t.sum(axes: [0]).scalars == [5, 7, 9])
        #expect(t.sum(axes: [1]).scalars == [6, 15])
        #expect(t.sum(axes: [-1], keepDims: true).shape == [2, 1])
        #expect(t.mean(axes: [1]).scalars == [2, 5])
        #expect(t.max(axes: [0]).scalars == [4, 5, 6])
        #expect(t.min(axes: [1]).scalars == [1, 4])
        #expect(t.max().scalar == 6 && t.min().scalar == 1)
        expectClose(t.variance(axes: [1]), [2.0 / 3, 2.0 / 3])
        #expect(t.argmax(axis: 1).scalars == [2, 2])
        #expect(Tensor(shape: [2, 2], scalars: [5, 1, 0, 9]).argmax(axis: 0).scalars == [0, 1])
        #expect(Tensor([1, 3, 3]).argmax(axis: 0).scalar == 1, "first among ties")
        let cube = Tensor(shape: [2, 2, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(cube.sum(axes: [0, 2]).scalars == [14, 22])
        #expect(cube.max(axes: [1, 2]).scalars == [4, 8])
    }

    @Test func longSumsStayAccurate() {
        // 10⁶ copies of 0.1: a naive float32 running sum is off by ~1 %.
        let t = Tensor(repeating: 0.1, shape: [1_000_000])
        #expect(abs(t.sum().scalar - 100_000) < 0.01)
        let columns = Tensor(repeating: 0.1, shape: [100_000, 3]).sum(axes: [0])
        #expect(columns.scalars.allSatisfy { abs($0 - 10_000) < 0.01 })
    }

    @Test func shapeOperations() {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.reshaped(to: [3, -1]).shape == [3, 2])
        #expect(t.transposed().scalars == [1, 4, 2, 5, 3, 6])
        #expect(Tensor.zeros([4, 2, 3]).flattened().shape == [4, 6])
        #expect(Tensor.zeros([4, 2, 3]).flattened(startAxis: 0).shape == [24])
        let cube = Tensor(shape: [2, 2, 2], scalars: [0, 1, 2, 3, 4, 5, 6, 7])
        let permuted = cube.transposed(permutation: [2, 0, 1])
        #expect(permuted[1, 0, 1] == cube[0, 1, 1])
        #expect(permuted[0, 1, 1] == cube[1, 1, 0])
        #expect(Tensor.concatenate([t, Tensor(shape: [1, 3], scalars: [7, 8, 9])]).scalars == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(Tensor.concatenate([t, t], axis: 1).scalars == [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
        #expect(t.gathering(rows: [1, 1, 0]).scalars == [4, 5, 6, 4, 5, 6, 1, 2, 3])
        #expect(t.slice(axis: 1, 1..<3).scalars == [2, 3, 5, 6])
        #expect(t.slice(0..<1).scalars == [1, 2, 3])
        let big = Tensor.randomUniform([70, 90], seed: 3)
        #expect(big.transposed().transposed() == big)
        #expect(big.transposed()[17, 61] == big[61, 17])
    }

    @Test func matmulSmallCase() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
        #expect(matmul(a, b).scalars == [58, 64, 139, 154])
        #expect(matmul(a, a, transposeB: true).scalars == [14, 32, 32, 77])
        #expect(matmul(a, a, transposeA: true).shape == [3, 3])
        #expect(a.matmul(b) == matmul(a, b))
    }
}
