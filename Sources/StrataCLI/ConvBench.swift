import ArgumentParser
import Foundation
import Strata

/// `strata bench conv`: GFLOP/s of the convolutions of LeNet-5 and keras.io's mnist_convnet —
/// forward, input gradient and weight gradient, each timed on its own.
struct ConvBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv",
        abstract: "GFLOP/s of convolution forward, input-gradient and weight-gradient passes on the CNN benchmarks' shapes.")

    @Option(help: "Timed trials per pass; the best is reported.") var trials = 7
    @Option(help: "Threads of the kernels (default: all cores).") var threads: Int?
    @Flag(help: "bfloat16 operands with float32 sums (the mixed_bfloat16 policy); GFLOP/s counted as for float32.")
    var bfloat16 = false
    @Option(help: "auto (the direct kernels where they apply, else im2col + GEMM) or gemm (im2col + GEMM for every pass).")
    var path: ConvolutionPath = .auto

    /// Which kernels the convolutions take.
    enum ConvolutionPath: String, ExpressibleByArgument {
        case auto, gemm
    }

    /// One layer's shape: batch, input [h, w, c], filters, kernel, padding; a depthwise layer's
    /// filters are its channels × depth multiplier, each over one input channel.
    struct Shape {
        let name: String, batch: Int, input: [Int], filters: Int, kernel: [Int], padding: Padding
        var depthwise = false

        /// Input channels each output sums over.
        var channelsPerFilter: Int { depthwise ? 1 : input[2] }

        func layer() -> Layer {
            depthwise ? DepthwiseConv2D(kernelSize: kernel, padding: padding, depthMultiplier: filters / input[2], useBias: false)
                      : Conv2D(filters, kernelSize: kernel, padding: padding, useBias: false)
        }
    }

    static let shapes = [
        Shape(name: "lenet5 conv1", batch: 32, input: [28, 28, 1], filters: 6, kernel: [5, 5], padding: .same),
        Shape(name: "lenet5 conv2", batch: 32, input: [14, 14, 6], filters: 16, kernel: [5, 5], padding: .valid),
        Shape(name: "convnet conv1", batch: 128, input: [28, 28, 1], filters: 32, kernel: [3, 3], padding: .valid),
        Shape(name: "convnet conv2", batch: 128, input: [13, 13, 32], filters: 64, kernel: [3, 3], padding: .valid),
        Shape(name: "depthwise 3x3", batch: 128, input: [14, 14, 32], filters: 32, kernel: [3, 3], padding: .same, depthwise: true),
    ]

    func validate() throws {
        guard trials >= 1 else { throw ValidationError("--trials must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// The best of `trials` timings of `body`, in seconds.
    private func best(_ body: () -> Void) -> Double {
        body()
        return (0..<trials).map { _ in
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }.min()!
    }

    func run() throws {
        if let threads { setenv("STRATA_NUM_THREADS", "\(threads)", 1) }
        try Gemm.$precision.withValue(bfloat16 ? .bfloat16 : .float32) {
            try DirectConvolution.$enabled.withValue(path == .auto) { try measure() }
        }
    }

    private func measure() throws {
        let kernels = path == .gemm ? "im2col + GEMM" : "im2col + GEMM, or the direct kernels for ≤ 288 taps"
        print("Convolution (NHWC; \(kernels)\(bfloat16 ? "; bfloat16 operands" : "")), \(BenchSetup.threadCount) threads, best of \(trials); GFLOP/s")
        print("platform: \(KernelPlatform.summary)")
        print("shape".padding(toLength: 16, withPad: " ", startingAt: 0) + "   forward  input-grad  weight-grad")
        for shape in Self.shapes {
            Random.seed(1)
            let layer = shape.layer()
            let x = Tensor.randomUniform([shape.batch] + shape.input, seed: 2)
            try layer.build(inputShape: shape.input)
            let out = layer.outputShape(for: shape.input)
            let flops = 2.0 * Double(shape.batch * out[0] * out[1] * shape.filters * shape.kernel[0] * shape.kernel[1] * shape.channelsPerFilter)
            let forward = best { _ = layer(x) }
            // Each backward timing runs the forward pass too; its time is subtracted.
            let inputPass = best { _ = valueWithGradients(at: [x]) { layer($0[0]).sum() } }
            let weightPass = best { _ = valueWithGradients(of: layer.trainableVariables) { layer(x).sum() } }
            // A backward pass within 2 % of the forward time is below the timing's noise: "—".
            let seconds = [forward, inputPass - forward, weightPass - forward]
            let cells = zip(seconds, [forward, inputPass, weightPass]).map { pass, total in
                pass > 0.02 * total ? String(format: "%10.1f", flops / pass / 1e9) : "         —"
            }
            print(shape.name.padding(toLength: 16, withPad: " ", startingAt: 0) + cells.joined(separator: "  "))
        }
    }
}
