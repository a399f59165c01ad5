import Foundation
import Testing
@testable import Strata
import StrataLab

/// The export's contract without a runtime: the wire format, the refusals (each a `StrataError`
/// that names what cannot be exported, with nothing written), the interface names and metadata,
/// and the layout plan (one transpose into and one out of a convolution chain).
@Suite struct ONNXExportAPITests {
    /// A user's layer: no ONNX form.
    final class Scale: Layer {
        override func call(_ x: Tensor, training: Bool) -> Tensor { x * 2 }
    }

    /// A model whose own `call` ONNX cannot follow.
    final class Doubling: Model {
        let dense = Dense(2)
        override func call(_ x: Tensor, training: Bool) -> Tensor { dense(x, training: training) * 2 }
    }

    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("strata-onnx-\(UUID().uuidString).onnx").path
    }

    /// Expects `body` to throw a `StrataError` whose text contains every one of `parts`, and no file at `path`.
    func expectRefusal(_ parts: [String], path: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected a StrataError containing \(parts)")
        } catch let error as StrataError {
            for part in parts { #expect("\(error)".contains(part), "\(error)") }
        } catch {
            Issue.record("expected a StrataError, got \(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: path), "nothing is written")
    }

    @Test func theWireFormatIsProtobufs() {
        var writer = ProtobufWriter()
        writer.integer(1, 150)          // the protobuf guide's example: 08 96 01
        writer.integer(2, -1)           // negative int64: ten bytes
        writer.float(3, 1)              // fixed32, little-endian
        writer.string(4, "é")           // UTF-8, length-prefixed
        writer.packedIntegers(5, [3, 270])
        #expect(writer.bytes == [0x08, 0x96, 0x01, 0x10] + Array(repeating: 0xFF, count: 9) + [0x01, 0x1D, 0x00, 0x00, 0x80, 0x3F,
                                  0x22, 0x02, 0xC3, 0xA9, 0x2A, 0x03, 0x03, 0x8E, 0x02])
        let attribute = ONNXAttribute("axis", .int(1)).serialized
        #expect(attribute == [0x0A, 0x04] + Array("axis".utf8) + [0x18, 0x01, 0xA0, 0x01, 0x02])   // name, i, type INT (field 20)
    }

    @Test func aCustomLayerIsRefusedByName() throws {
        let model = Sequential([Dense(3, inputShape: [4]), Scale(name: "my_scale"), Dense(2)])
        try model.build(inputShape: [4])
        let path = temporaryPath()
        expectRefusal(["Scale 'my_scale'", "has no ONNX form", "custom layer"], path: path) { try model.exportONNX(to: path) }
        // …inside a functional graph too.
        let x = Input(shape: [4])
        let graph = try Model(inputs: x, outputs: try Scale(name: "graph_scale")(try Dense(3)(x)))
        expectRefusal(["Scale 'graph_scale'"], path: path) { try graph.exportONNX(to: path) }
    }

    @Test func whatCannotBeExportedIsRefusedClearly() throws {
        let path = temporaryPath()
        let subclass = Doubling()
        try subclass.build(inputShape: [3])
        expectRefusal(["Doubling overrides call(_:training:)", "Sequential or a functional model"], path: path) { try subclass.exportONNX(to: path) }
        expectRefusal(["not built"], path: path) { try Sequential([Dense(2)]).exportONNX(to: path) }
        let model = Sequential([Dense(2, activation: .softmax, inputShape: [3])])
        try model.build(inputShape: [3])
        expectRefusal(["opset 16 is not supported", "17...23"], path: path) { try model.exportONNX(to: path, opset: 16) }
        expectRefusal(["opset 24 is not supported"], path: path) { try model.exportONNX(to: path, opset: 24) }
        expectRefusal(["got 3 class names", "one name per unit"], path: path) { try model.exportONNX(to: path, classNames: ["a", "b", "c"]) }
    }

    @Test func namesMetadataAndSummary() throws {
        let classifier = Sequential([Dense(2, activation: .softmax, inputShape: [3])])
        try classifier.build(inputShape: [3])
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let summary = try classifier.exportONNX(to: path, opset: 21, classNames: ["red", "white"])
        #expect("\(summary)" == "opset 21, 4 nodes; input input_layer [batch, 3]; output probabilities [batch, 2]")
        let written = try classifier.onnxModel(opset: 21, classNames: ["red", "white"])
        #expect(written.irVersion == 10 && written.producerName == "Strata" && written.producerVersion == StrataVersion.current)
        let metadata = Dictionary(uniqueKeysWithValues: written.metadata.map { ($0.key, $0.value) })
        #expect(metadata["class_names"] == "[\"red\",\"white\"]" && metadata["strata_format_version"] == String(ModelFile.version))
        #expect(metadata["model_config"]?.contains("\"Dense\"") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(written.serialized))

        // The model's own class names, saved with it, are the default — and are checked too.
        let named = Sequential([Dense(2, activation: .softmax, inputShape: [3])])
        try named.build(inputShape: [3])
        named.classNames = ["cat", "dog"]
        let reloadedPath = path + ".safetensors"
        defer { try? FileManager.default.removeItem(atPath: reloadedPath) }
        try named.save(to: reloadedPath)
        let reloaded = try Sequential.load(from: reloadedPath)
        #expect(reloaded.classNames == ["cat", "dog"])
        let defaultNames = try reloaded.onnxModel(opset: 17, classNames: nil).metadata.first { $0.key == "class_names" }?.value
        #expect(defaultNames == "[\"cat\",\"dog\"]")
        reloaded.classNames = ["a", "b", "c"]
        expectRefusal(["got 3 class names"], path: path + ".bad") { try reloaded.exportONNX(to: path + ".bad") }

        let regression = Sequential([Dense(1, inputShape: [3])])
        try regression.build(inputShape: [3])
        #expect(try regression.onnxModel(opset: 17, classNames: nil).graph.outputs.map(\.name) == ["output"])
        let a = Input(shape: [2], name: "left"), b = Input(shape: [2], name: "right")
        let graph = try Model(inputs: ["left": a, "right": b], outputs: ["sum": try Add()([a, b]), "gate": try Dense(1, name: "g")(a)])
        let exported = try graph.onnxModel(opset: 17, classNames: nil).graph
        #expect(exported.inputs.map(\.name) == ["left", "right"] && exported.outputs.map(\.name) == ["gate", "sum"])
    }

    /// A convolution chain is NCHW from one transpose after the input to one before the
    /// `Flatten`; a graph that ends in global pooling needs only the first.
    @Test func convolutionChainsTransposeOnlyAtTheirEnds() throws {
        func transposes(_ model: Model) throws -> Int {
            try model.onnxModel(opset: 17, classNames: nil).graph.nodes.filter { $0.opType == "Transpose" }.count
        }
        #expect(try transposes(ONNXExportTests.convolutions().model) == 2)
        #expect(try transposes(ONNXExportTests.fashionCNN().model) == 2)
        #expect(try transposes(ONNXExportTests.residual().model) == 1)
        #expect(try transposes(ONNXExportTests.articleMLP().model) == 0)
    }
}
