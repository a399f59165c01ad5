import ArgumentParser
import Foundation
import Strata

/// `strata export --model M.safetensors --format onnx --output M.onnx`: a saved model as an ONNX
/// file for ONNX Runtime and the tools that read ONNX.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a saved model to ONNX (for ONNX Runtime, TensorRT, browsers, converters).")

    /// The formats `export` writes.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case onnx
    }

    @Option(help: "A model file written by model.save(to:) or strata demo/train.") var model: String
    @Option(help: "The format to write: onnx.") var format: Format = .onnx
    @Option(help: "The file to write (replaced atomically).") var output: String
    @Option(help: "The ONNX operator set, \(ONNXExport.supportedOpsets.lowerBound) to \(ONNXExport.supportedOpsets.upperBound).")
    var opset = 17
    @Option(help: ArgumentHelp("The output's class names, stored in the file's metadata: NAME,NAME,… or the classes of a data set (fashion-mnist, cifar10); default: those the model file holds (strata demo and strata train on images save them).",
                               valueName: "names"))
    var classNames: String?

    func validate() throws {
        try OutputPath.check(output, option: "--output", kind: .file)
        guard ONNXExport.supportedOpsets.contains(opset) else {
            throw ValidationError("--opset \(opset) is not supported (expected \(ONNXExport.supportedOpsets.lowerBound)...\(ONNXExport.supportedOpsets.upperBound))")
        }
    }

    func run() throws {
        let loaded = try Model.loadModel(from: model)
        let names: [String]? = switch classNames {
        case nil: nil
        case FashionMNIST.name?: FashionMNIST.classNames
        case "cifar10"?: CIFAR10.classNames
        case let list?: list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let summary = try loaded.exportONNX(to: output, opset: opset, classNames: names)
        print("Wrote \(output): ONNX \(summary)")
    }
}
