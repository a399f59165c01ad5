import Foundation
import Testing
@testable import Strata

/// `compile(…, mixedPrecision: .bfloat16)`: products of bfloat16-rounded operands summed in
/// float32, everything else float32 — on the AVX-512 BF16 kernel where the CPU has it, on the
/// fallback elsewhere (`.ci/run` runs this suite under `STRATA_CPU=portable` and `avx2` too).
@Suite("Mixed precision")
struct MixedPrecisionTests {
    private func bfloat16(_ x: Tensor) -> Tensor {
        Tensor(shape: x.shape, scalars: x.scalars.map { value in
            let bits = value.bitPattern, lower = bits & 0xFFFF, upper = bits & 0xFFFF_0000
            let up = lower > 0x8000 || (lower == 0x8000 && (upper >> 16) & 1 == 1)
            return Float(bitPattern: up ? upper &+ 0x1_0000 : upper)
        })
    }

    private func maxRelativeDifference(_ a: Tensor, _ b: Tensor) -> Float {
        let scale = max(b.scalars.map(abs).max() ?? 1, 1e-6)
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max()! / scale
    }

    /// A Dense layer under the policy computes `round(x)·round(W) + b` in float32: the bias,
    /// the sum and the activation stay float32.
    @Test func aDenseLayerMultipliesRoundedOperands() throws {
        let model = Random.withSeed(1) { Sequential { Dense(40, activation: .tanh, inputShape: [80]) } }
        model.compile(optimizer: SGD(), loss: .meanSquaredError, mixedPrecision: .bfloat16)
        let dense = model.layers[0] as! Dense
        try dense.bias!.assign(Tensor.randomNormal([40], seed: 2))
        let x = Tensor.randomNormal([64, 80], seed: 3)
        let expected = tanh(matmul(bfloat16(x), bfloat16(dense.kernel!.value)) + dense.bias!.value)
        let mixed = try model.predict(x, batchSize: 64)
        #expect(maxRelativeDifference(mixed, expected) <= 2e-6)
        let single = Sequential([dense])
        #expect(maxRelativeDifference(single(x), mixed) > 1e-4, "float32 and bfloat16 products should differ")
    }

    /// A convolution under the policy is the float32 convolution of the rounded input and kernel,
    /// on every path: the direct kernel with bfloat16 operands (`vdpbf16ps`, where the CPU has it:
    /// an even channel count), the direct float32 kernel on rounded operands (an odd count, or no
    /// AVX-512 BF16), and im2col + the bfloat16 GEMM. Filter counts cover a full and a partial
    /// last vector of 16, two groups (the second's channels start at an even word), ReLU and bias.
    @Test(arguments: [(9, 32, 1, false), (8, 40, 1, true), (16, 64, 2, true), (10, 64, 1, false)], [true, false])
    func aConvolutionMultipliesRoundedOperands(shape: (channels: Int, filters: Int, groups: Int, relu: Bool), direct: Bool) throws {
        let input = [9, 8, shape.channels]
        func layer() -> Conv2D {
            Conv2D(shape.filters, kernelSize: [3, 3], padding: .same, groups: shape.groups,
                   activation: shape.relu ? .relu : .linear, inputShape: input)
        }
        let model = Random.withSeed(4) { Sequential { layer() } }
        model.compile(optimizer: SGD(), loss: .meanSquaredError, mixedPrecision: .bfloat16)
        let conv = model.layers[0] as! Conv2D
        try conv.bias!.assign(Tensor.randomNormal([shape.filters], seed: 6))
        let x = Tensor.randomNormal([6] + input, seed: 5)
        let reference = layer()
        try reference.build(inputShape: input)
        try reference.setWeights([bfloat16(conv.kernel!.value), conv.bias!.value])
        let expected = reference(bfloat16(x), training: false)
        let mixed = try DirectConvolution.$enabled.withValue(direct) { try model.predict(x, batchSize: 6) }
        #expect(maxRelativeDifference(mixed, expected) <= 2e-6)
        #expect(maxRelativeDifference(Sequential([conv])(x), expected) > 1e-4, "float32 and bfloat16 products should differ")
    }

    /// Training keeps float32 master weights: the updates under the policy are the float32
    /// updates to within bfloat16's rounding (not equal to them), and the weights written are not
    /// bfloat16 values.
    @Test func trainingUpdatesFloat32MasterWeights() throws {
        func trained(_ policy: MixedPrecision?) throws -> (before: [Tensor], after: [Tensor]) {
            let model = Random.withSeed(6) {
                Sequential {
                    Dense(64, activation: .tanh, inputShape: [80])
                    Dense(32, activation: .softmax)
                }
            }
            model.compile(optimizer: SGD(learningRate: 0.1), loss: .sparseCategoricalCrossentropy, mixedPrecision: policy)
            let x = Tensor.randomNormal([128, 80], seed: 7), y = Tensor((0..<128).map { Float($0 % 32) })
            try model.build(inputShape: [80])
            let before = model.trainableVariables.map(\.value)
            try model.fit(x, y, batchSize: 64, epochs: 2, verbose: .silent, shuffle: false)
            return (before, model.trainableVariables.map(\.value))
        }
        let single = try trained(nil), mixed = try trained(.bfloat16)
        for index in single.after.indices {
            let singleUpdate = single.after[index] - single.before[index], mixedUpdate = mixed.after[index] - mixed.before[index]
            #expect(maxRelativeDifference(mixedUpdate, singleUpdate) < 0.03, "weight \(index)")
            #expect(maxRelativeDifference(mixedUpdate, singleUpdate) > 1e-6, "the policy changed nothing")
        }
        #expect(mixed.after[0].scalars.contains { $0.bitPattern & 0xFFFF != 0 }, "master weights must stay float32")
    }

    /// The policy is a compile setting: saved in the model file's compile_config and restored.
    @Test func thePolicyIsSavedWithTheCompileSettings() throws {
        let model = Random.withSeed(8) { Sequential { Dense(3, inputShape: [4]) } }
        model.compile(optimizer: Adam(), loss: .meanSquaredError, mixedPrecision: .bfloat16)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("strata-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        #expect(try Sequential.load(from: path).mixedPrecision == .bfloat16)
        model.compile(optimizer: Adam(), loss: .meanSquaredError)
        try model.save(to: path)
        #expect(try Sequential.load(from: path).mixedPrecision == nil)

        let bad = ConfigValue.object(["optimizer": Adam().config, "loss": .string("mean_squared_error"),
                                      "mixed_precision": .string("mixed_float16")])
        let error = #expect(throws: StrataError.self) {
            _ = try CompileSpec(config: ConfigReader(bad, owner: "compile_config")) { StrataError.invalidArgument($0) }
        }
        #expect(error?.message.contains("mixed_float16") == true && error?.message.contains("mixed_bfloat16") == true)
    }
}
