import Foundation
import Testing
@testable import Strata

/// The `strata` executable next to the test bundle (built by `swift test` along with the tests).
private let executable = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(".build/debug/strata").path

/// Runs `strata` with `arguments` (and `environment` added to this process's); returns the exit
/// code, standard error and standard output.
private func strata(_ arguments: [String], environment: [String: String] = [:]) throws
    -> (status: Int32, errors: String, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(["STRATA_NO_DOWNLOAD": "1"]) { $1 }
        .merging(environment) { $1 }
    let errors = Pipe(), output = Pipe()
    process.standardError = errors
    process.standardOutput = output
    try process.run()
    let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let outputText = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, errorText, outputText)
}

@Suite("The strata command", .enabled(if: FileManager.default.isExecutableFile(atPath: executable)))
struct CommandLineTests {
    @Test func userErrorsExitWithOneLineAndCode1() throws {
        let missing = try strata(["summary", "--model", "/no/such/model.safetensors"])
        #expect(missing.status == 1)
        #expect(missing.errors.hasPrefix("strata: /no/such/model.safetensors: no such file"))
        #expect(missing.errors.split(separator: "\n").count == 1, "one line: \(missing.errors)")
        let badData = try strata(["train", "--data", "bogus"])
        #expect(badData.status == 1 && badData.errors.contains("--data must be"))
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: csv) }
        try "a,b,target\n1,2,0\n3,x,1\n".write(to: csv, atomically: true, encoding: .utf8)
        let badCell = try strata(["train", "--data", "csv:" + csv.path, "--target", "target", "--epochs", "1"])
        #expect(badCell.status == 1 && badCell.errors.contains("line 3, column 2"), "\(badCell.errors)")
    }

    /// `STRATA_CPU` forces a kernel path for the whole process, which `strata bench platform`
    /// names; a name the kernels do not have, or one this CPU lacks, is a user error.
    @Test func strataCPUForcesAKernelPathOrFailsClearly() throws {
        let best = KernelPlatform.bestInstructionSet
        for path in KernelPlatform.InstructionSet.allCases.prefix(while: { $0 != best }) + [best] {
            let run = try strata(["bench", "platform"], environment: ["STRATA_CPU": path.rawValue])
            #expect(run.status == 0, "\(run.errors)")
            #expect(run.output.contains("kernels \(path.rawValue) (best \(best.rawValue)"), "\(run.output)")
        }
        let unknown = try strata(["bench", "platform"], environment: ["STRATA_CPU": "sse9"])
        #expect(unknown.status == 1)
        #expect(unknown.errors == "strata: STRATA_CPU: unknown kernel path 'sse9' (expected one of portable, avx2, avx512, bf16-off (comma-separated))\n")
        let bfloat16Off = try strata(["bench", "platform"], environment: ["STRATA_CPU": "\(best.rawValue),bf16-off"])
        #expect(bfloat16Off.status == 0 && bfloat16Off.output.contains("bfloat16 fallback"), "\(bfloat16Off.output)")
        if best != .avx512 {
            let missing = try strata(["bench", "platform"], environment: ["STRATA_CPU": "avx512"])
            #expect(missing.status == 1 && missing.errors.contains("lacks 'avx512'"), "\(missing.errors)")
        }
    }

    /// `--optimizer` names come from `OptimizerRegistry` (and the SGD presets), in help and errors.
    @Test func optimizerNamesComeFromTheRegistry() throws {
        let names = ["adagrad", "adam", "adamw", "adamax", "lion", "nadam", "rmsprop", "sgd", "momentum", "nesterov"]
        let unknown = try strata(["train", "--data", "fashion-mnist", "--optimizer", "adamm"])
        #expect(unknown.status != 0)
        for name in names { #expect(unknown.errors.contains(name), "\(name) missing from: \(unknown.errors)") }
        let help = try strata(["train", "--help"])
        let text = help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("adagrad, adam, adamax, adamw, lion, nadam, rmsprop, sgd, momentum, nesterov"), "\(text)")
    }

    /// Inputs known to be wrong before training are refused before any work: exit 1, a message
    /// naming the option or path, no `Epoch 1`, nothing written.
    @Test func badInputsFailBeforeTraining() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = try writeData(in: folder, rows: 20)
        let aFile = folder.appendingPathComponent("a-file").path
        try "x".write(toFile: aFile, atomically: true, encoding: .utf8)
        let train = ["train", "--data", "csv:" + csv, "--target", "label", "--epochs", "1", "--output", folder.path + "/out"]
        func table(_ name: String, _ text: String) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return "csv:" + path
        }
        let oneClass = try table("one-class.csv", "a,label\n1,1\n2,1\n3,1\n4,1\n")
        let tooSmall = try table("tiny.csv", "a,label\n1,0\n2,1\n")
        let headerOnly = try table("header-only.csv", "a,b,label\n")
        let notFinite = try table("nan.csv", "a,label\n1,0\n2,1\nnan,0\n")
        let cases: [([String], String)] = [
            (train + ["--layers", "8,,4"], "--layers must be positive integers"),
            (train + ["--lr", "-0.1"], "--lr must be a positive number"),
            (train + ["--l2=-1"], "--l2 must be 0 or a positive number"),
            (train + ["--gradient-accumulation-steps", "1"], "--gradient-accumulation-steps must be at least 2 (Keras' rule), got 1"),
            (["demo", "--gradient-accumulation-steps", "0"], "--gradient-accumulation-steps must be at least 2"),
            (train + ["--early-stopping", "-1"], "--early-stopping (the patience in epochs) must be 0 or more"),
            (train + ["--early-stopping", "3", "--validation-split", "0"], "needs validation data"),
            (train + ["--checkpoint", folder.path + "/best.safetensors", "--validation-split", "0"], "needs validation data"),
            (train + ["--output", aFile], "is an existing file"),
            (train + ["--checkpoint", aFile + "/best.safetensors"], "which is a file, not a folder"),
            (train + ["--checkpoint", folder.path], "is a folder, expected a file path"),
            (["train", "--data", "csv:" + folder.path, "--target", "label"], "is a directory"),
            (["train", "--data", oneClass, "--target", "label"], "holds one value (1.0) in all 4 rows"),
            (["train", "--data", tooSmall, "--target", "label", "--validation-split", "0.6"], "2 rows are not sufficient to split"),
            (["train", "--data", headerOnly, "--target", "label"], "a header and no data rows"),
            (["train", "--data", notFinite, "--target", "label"], "line 4, column 1 ('a')"),
            (["demo", "--data", folder.path + "/MISSING_FOLDER", "--output", folder.path + "/demo"], "no such folder"),
            (["lab", "optimizers", "--quick", "--data", folder.path + "/MISSING_FOLDER", "--output", folder.path + "/lab"], "no such folder"),
        ]
        for (arguments, fragment) in cases {
            let result = try strata(arguments)
            #expect(result.status == 1 && result.errors.contains(fragment), "\(arguments.suffix(4)): \(result.errors)")
            #expect(!result.output.contains("Epoch 1"), "\(arguments.suffix(4)) trained before failing")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/out") && !FileManager.default.fileExists(atPath: folder.path + "/demo"))
    }

    /// A user error is one line, `strata: <what>`, plus at most a hint naming the subcommand's
    /// help — never the parser's Error/Usage block, nor the root's usage for a subcommand's error.
    @Test func userErrorsAreOneLineAndAHint() throws {
        let cases: [([String], String?)] = [
            (["train", "--data", "fashion-mnist", "--epochs", "abc"], "strata train --help"),
            (["predict", "--model", "x.safetensors"], "strata predict --help"),
            (["train", "--data", "fashion-mnist", "--lr", "-1"], "strata train --help"),
            (["evaluate", "--data", "fashion-mnist"], "strata evaluate --help"),
            (["nosuch"], "strata --help"),
            (["train", "--data", "bogus"], nil),
            (["summary", "--model", "/no/such/file.safetensors"], nil),
            // The flags this stop added, with bad values.
            (["demo", "--model", "resnet"], "strata demo --help"),
            (["bench", "train", "--model", "resnet"], "strata bench train --help"),
            (["bench", "conv", "--trials", "0"], "strata bench conv --help"),
            (["bench", "conv", "--path", "direct"], "strata bench conv --help"),
            (["predict", "--model", "m.safetensors", "--data", "csv:x.csv", "--output", executable + "/p.csv"], "strata predict --help"),
        ]
        for (arguments, hint) in cases {
            let result = try strata(arguments)
            let lines = result.errors.split(separator: "\n")
            #expect(result.status == 1 && lines.count == (hint == nil ? 1 : 2), "\(arguments): \(result.errors)")
            #expect(lines.first?.hasPrefix("strata: ") == true && !result.errors.contains("Usage:") && !result.errors.contains("Error:"),
                    "\(arguments): \(result.errors)")
            if let hint { #expect(lines.last?.contains(hint) == true, "\(arguments): \(result.errors)") }
        }
    }

    /// With CSV data a JSON spec's features are standardized as with flags: a Normalization is
    /// placed before the spec's layers, or the spec's own leading one is adapted.
    @Test func specsOnCSVDataAreStandardizedAsWithFlags() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = try writeData(in: folder, rows: 40)
        func spec(_ name: String, _ layers: String) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [\(layers)]}}".write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let plain = try spec("plain.json", #"{"class_name": "Dense", "config": {"units": 3, "activation": "softmax"}}"#)
        let own = try spec("own.json", #"{"class_name": "Normalization", "config": {"name": "scale"}}, {"class_name": "Dense", "config": {"units": 3, "activation": "softmax"}}"#)
        for (file, expected) in [(plain, "normalization (Normalization)"), (own, "scale (Normalization)")] {
            let trained = try strata(["train", "--data", "csv:" + csv, "--target", "label", "--model", file, "--epochs", "1", "--keep-row-order",
                                      "--output", folder.path + "/out"])
            #expect(trained.status == 0, "\(trained.errors)")
            #expect(trained.output.contains(expected), "\(trained.output)")
            #expect(trained.output.components(separatedBy: "(Normalization)").count == 2, "exactly one Normalization")
            // The statistics are the training part's (the first 36 of 40 rows, in file order): column a is i % 9 / 9.
            let model = try Sequential.load(from: folder.path + "/out/model.safetensors")
            let normalization = try #require(model.layers.first as? Normalization)
            let column: [Double] = (0..<36).map { Double($0 % 9) / 9 }
            let expectedMean = Float(column.reduce(0, +) / 36)
            #expect(abs(normalization.mean!.value.scalars[0] - expectedMean) < 1e-6)
        }
    }

    /// `--gradient-accumulation-steps 3` compiles the optimizer with it; the saved model keeps
    /// the setting and the raw step count (36 training rows in batches of 8: 5 steps, 1 update).
    @Test func gradientAccumulationOption() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = try writeData(in: folder, rows: 40)
        let trained = try strata(["train", "--data", "csv:" + csv, "--target", "label", "--layers", "8", "--epochs", "1",
                                  "--batch-size", "8", "--gradient-accumulation-steps", "3", "--output", folder.path + "/out"])
        #expect(trained.status == 0, "\(trained.errors)")
        let optimizer = try #require(try Sequential.load(from: folder.path + "/out/model.safetensors").optimizer)
        #expect(optimizer.gradientAccumulationSteps == 3 && optimizer.steps == 5 && optimizer.iterations == 1, "\(optimizer.steps)")
    }

    /// `--mixed-precision mixed_bfloat16` compiles with the policy, which the saved model keeps;
    /// another name is refused before training.
    @Test func mixedPrecisionOption() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = try writeData(in: folder, rows: 40)
        let common = ["train", "--data", "csv:" + csv, "--target", "label", "--layers", "32", "--epochs", "1", "--output", folder.path + "/out"]
        let trained = try strata(common + ["--mixed-precision", "mixed_bfloat16"])
        #expect(trained.status == 0, "\(trained.errors)")
        #expect(try Sequential.load(from: folder.path + "/out/model.safetensors").mixedPrecision == .bfloat16)
        let wrong = try strata(common + ["--mixed-precision", "mixed_float16"])
        #expect(wrong.status == 1 && wrong.errors.contains("--mixed-precision must be mixed_bfloat16, got 'mixed_float16'"), "\(wrong.errors)")
        #expect(!wrong.output.contains("Epoch 1"))
    }

    /// The library's log messages print on standard output through the tool's handler: an
    /// announcement plain, a warning as `Warning: …`.
    @Test func libraryMessagesPrintThroughTheToolsHandler() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = try writeData(in: folder, rows: 40)
        let common = ["train", "--data", "csv:" + csv, "--target", "label", "--layers", "4", "--epochs", "2"]
        let first = try strata(common + ["--checkpoint", folder.path + "/best.safetensors", "--output", folder.path + "/a"])
        #expect(first.status == 0 && first.output.contains("Epoch 1: val_loss improved from None to "), "\(first.output)")
        let again = try strata(common + ["--resume", folder.path + "/a/model.safetensors", "--output", folder.path + "/b"])
        #expect(again.status == 0, "\(again.errors)")
        #expect(again.output.contains("Warning: the model has trained 2 epochs already, so fit(epochs: 2) trains none"), "\(again.output)")
        #expect(!again.output.contains(" warning strata") && again.errors.isEmpty, "no swift-log default format: \(again.errors)")
    }

    /// Training's closing lines come in order: early stopping and the restore, then the sparklines.
    @Test func earlyStoppingIsAnnouncedBeforeTheSparklines() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = try writeData(in: folder, rows: 40)
        let trained = try strata(["train", "--data", "csv:" + csv, "--target", "label", "--layers", "4", "--epochs", "200",
                                  "--lr", "0.5", "--early-stopping", "1", "--output", folder.path])
        #expect(trained.status == 0, "\(trained.errors)")
        let lines = trained.output.split(separator: "\n").map(String.init)
        let stopped = lines.firstIndex { $0.hasSuffix(": early stopping") }
        let restored = lines.firstIndex { $0.hasPrefix("Restoring model weights") }
        let sparkline = lines.firstIndex { $0.hasPrefix("loss ") && $0.contains("→") }
        #expect(stopped != nil && restored != nil && sparkline != nil, "\(trained.output)")
        if let stopped, let restored, let sparkline { #expect(stopped < restored && restored < sparkline) }
    }

    /// Negative numbers are values, not options, without `=`: `--target -1` is the last column.
    @Test func negativeOptionValuesParseWithoutEquals() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = try writeData(in: folder, rows: 40)
        let trained = try strata(["train", "--data", "csv:" + csv, "--target", "-1", "--layers", "4", "--epochs", "1",
                                  "--output", folder.path])
        #expect(trained.status == 0, "\(trained.errors)")
        let evaluated = try strata(["evaluate", "--model", folder.path + "/model.safetensors", "--data", "csv:" + csv, "--target", "-1"])
        #expect(evaluated.status == 0 && evaluated.output.contains("accuracy"), "\(evaluated.errors)")
    }

    @Test func versionAndHelpSucceed() throws {
        let version = try strata(["--version"])
        #expect(version.status == 0 && version.output.contains("0.1.0"))
        let help = try strata(["--help"])
        #expect(help.status == 0 && help.output.contains("demo") && help.output.contains("train"))
    }

    /// A functional spec (a residual block, written by the config writer) trains through
    /// `strata train --model`, and `summary`, `evaluate` and `predict` read its file.
    @Test func aFunctionalSpecTrainsAndItsFileIsReadByEveryCommand() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = URL(fileURLWithPath: try writeData(in: folder, rows: 60))
        let input = Input(shape: [3], name: "features")
        let hidden = try Dense(3, activation: .relu, name: "hidden")(input)
        let output = try Dense(3, activation: .softmax, name: "output")(try Add(name: "skip")([input, hidden]))   // 3 classes
        let spec = folder.appendingPathComponent("residual.json").path
        try String(describing: try #require(try Model(inputs: input, outputs: output, name: "residual").architectureConfig))
            .write(toFile: spec, atomically: true, encoding: .utf8)
        let trained = try strata(["train", "--data", "csv:" + csv.path, "--target", "label", "--model", spec,
                                  "--epochs", "2", "--batch-size", "16", "--output", folder.path])
        #expect(trained.status == 0, "\(trained.errors)")
        let model = folder.appendingPathComponent("model.safetensors").path
        let summary = try strata(["summary", "--model", model])
        // The CSV features are standardized by a Normalization the spec is called on: a nested model.
        #expect(summary.status == 0 && summary.output.contains("Connected to") && summary.output.contains("residual (Functional)"),
                "\(summary.output)")
        let evaluation = try strata(["evaluate", "--model", model, "--data", "csv:" + csv.path, "--target", "label"])
        #expect(evaluation.status == 0 && evaluation.output.contains("accuracy:"), "\(evaluation.errors)")
        let predicted = try strata(["predict", "--model", model, "--data", "csv:" + csv.path, "--target", "label",
                                    "--output", folder.appendingPathComponent("p.csv").path])
        #expect(predicted.status == 0, "\(predicted.errors)")
    }

    @Test func trainSavesAModelThatEvaluatePredictAndSummaryRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = URL(fileURLWithPath: try writeData(in: folder, rows: 60))
        let trained = try strata(["train", "--data", "csv:" + csv.path, "--target", "label", "--layers", "4",
                                  "--epochs", "2", "--batch-size", "16", "--output", folder.path])
        #expect(trained.status == 0, "\(trained.errors)")
        let model = folder.appendingPathComponent("model.safetensors").path
        let summary = try strata(["summary", "--model", model])
        #expect(summary.status == 0 && summary.output.contains("Total params"))
        let evaluation = try strata(["evaluate", "--model", model, "--data", "csv:" + csv.path, "--target", "label"])
        #expect(evaluation.status == 0 && evaluation.output.contains("accuracy:"))
        let predictions = folder.appendingPathComponent("p.csv").path
        let predicted = try strata(["predict", "--model", model, "--data", "csv:" + csv.path, "--target", "3",
                                    "--output", predictions])
        #expect(predicted.status == 0)
        #expect(try String(contentsOfFile: predictions, encoding: .utf8).split(separator: "\n").count == 61)

        // Python's safetensors + NumPy read the file and reproduce the predictions (when installed;
        // .ci/run installs safetensors).
        if let python = PythonInterop.python(importing: "safetensors, numpy") {
            let check = try PythonInterop.run(python, [PythonInterop.script("predict_with_numpy.py"), model, csv.path, "label", predictions])
            #expect(check.status == 0, "NumPy's predictions differ from Strata's by more than 1e-5: \(check.output)\(check.errors)")
        }
    }

    /// `strata export`: a trained CSV model as ONNX, its class names from the option, and clear
    /// refusals of a bad format, opset, output path, class-name count or model file.
    @Test func exportWritesONNX() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = try writeData(in: folder, rows: 40)   // three classes
        let trained = try strata(["train", "--data", "csv:" + csv, "--target", "label", "--layers", "4", "--epochs", "1", "--output", folder.path])
        #expect(trained.status == 0, "\(trained.errors)")
        let model = folder.appendingPathComponent("model.safetensors").path, onnx = folder.appendingPathComponent("m.onnx").path
        let exported = try strata(["export", "--model", model, "--format", "onnx", "--output", onnx, "--class-names", "a, b,c"])
        #expect(exported.status == 0, "\(exported.errors)")
        #expect(exported.output.hasPrefix("Wrote \(onnx): ONNX opset 17,")
                && exported.output.contains("input input_layer [batch, 3]; output probabilities [batch, 3]"), "\(exported.output)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: onnx))
        #expect(bytes.count > 100 && String(decoding: bytes, as: UTF8.self).contains("[\"a\",\"b\",\"c\"]"))
        for (arguments, message) in [
            (["--format", "tflite"], "The value 'tflite' is invalid for '--format"),
            (["--opset", "12"], "--opset 12 is not supported (expected 17...23)"),
            (["--class-names", "fashion-mnist"], "got 10 class names for 1 output(s) of shape [[3]]"),
        ] {
            let run = try strata(["export", "--model", model, "--output", onnx] + arguments)
            #expect(run.status == 1 && run.errors.contains(message), "\(arguments): \(run.errors)")
        }
        let toFolder = try strata(["export", "--model", model, "--output", folder.path])
        #expect(toFolder.status == 1 && toFolder.errors.contains("is a folder, expected a file path"), "\(toFolder.errors)")
        let missing = try strata(["export", "--model", folder.path + "/none.safetensors", "--output", onnx])
        #expect(missing.status == 1 && missing.errors.contains("no such file"), "\(missing.errors)")
    }

    /// `predict` on new data without labels: a CSV of feature columns only, checked against the
    /// model's feature count; the columns follow the model's task.
    @Test func predictOnUnlabeledFeatures() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = try writeData(in: folder, rows: 40)   // label i % 3: three classes
        let binary = folder.appendingPathComponent("binary.csv").path
        try (["a,b,c,label"] + (0..<40).map { "\($0 % 5),\($0 % 3),\($0 % 7),\($0 % 2)" }).joined(separator: "\n")
            .write(toFile: binary, atomically: true, encoding: .utf8)
        let unlabeled = folder.appendingPathComponent("new.csv").path
        try "a,b,c\n0.5,1,2\n0.1,3,0.2\n".write(toFile: unlabeled, atomically: true, encoding: .utf8)
        for (data, name) in [(csv, "multi"), (binary, "binary")] {
            let trained = try strata(["train", "--data", "csv:" + data, "--target", "label", "--layers", "4", "--epochs", "1",
                                      "--output", folder.path + "/" + name])
            #expect(trained.status == 0, "\(trained.errors)")
        }
        func predict(_ model: String, _ data: String, _ extra: [String] = []) throws -> (status: Int32, errors: String, rows: [[String]]) {
            let output = folder.appendingPathComponent("predictions-\(UUID().uuidString).csv").path
            let run = try strata(["predict", "--model", folder.path + "/\(model)/model.safetensors", "--data", "csv:" + data,
                                  "--output", output] + extra)
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            return (run.status, run.errors, text.split(separator: "\n").map { $0.split(separator: ",").map(String.init) })
        }

        let multi = try predict("multi", unlabeled)
        #expect(multi.status == 0, "\(multi.errors)")
        #expect(multi.rows.first == ["class", "probability_0", "probability_1", "probability_2"])
        #expect(multi.rows.count == 3)
        for row in multi.rows.dropFirst() {
            let probabilities = row.dropFirst().map { Float($0)! }
            #expect(abs(probabilities.reduce(0, +) - 1) < 1e-5)
            #expect(Int(row[0]) == probabilities.indices.max { probabilities[$0] < probabilities[$1] })
        }
        let twoClasses = try predict("binary", unlabeled)
        #expect(twoClasses.rows.first == ["probability", "class"] && twoClasses.rows.count == 3, "\(twoClasses.errors)")
        for row in twoClasses.rows.dropFirst() { #expect(row[1] == (Float(row[0])! >= 0.5 ? "1" : "0")) }
        // The labeled file with --target gives the same columns; without it, the label column is one too many.
        #expect(try predict("multi", csv, ["--target", "label"]).rows.count == 41)
        let extra = try predict("multi", csv)
        #expect(extra.status == 1 && extra.errors.contains("the model takes 3 features per row, the file has 4 columns"), "\(extra.errors)")
        #expect(extra.errors.contains("--target NAME") && extra.rows.isEmpty, "nothing written")
    }

    @Test func sameSeedTwoProcessesSameModelFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = URL(fileURLWithPath: try writeData(in: folder))
        var digests: [String] = []
        for run in 0..<2 {
            let output = folder.appendingPathComponent("run\(run)").path
            let trained = try strata(["train", "--data", "csv:" + csv.path, "--target", "label", "--layers", "8,4",
                                      "--batch-norm", "--dropout", "0.2", "--optimizer", "nadam", "--epochs", "3",
                                      "--batch-size", "8", "--seed", "7", "--output", output])
            #expect(trained.status == 0, "\(trained.errors)")
            let file = try Data(contentsOf: URL(fileURLWithPath: output + "/model.safetensors"))
            digests.append(SHA256.hex(file))
        }
        #expect(digests[0] == digests[1], "the same SHA-256: bit-identical weights, optimizer state and metadata")
    }


    /// A small CSV classification problem in `folder`.
    private func writeData(in folder: URL, rows: Int = 80) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let csv = folder.appendingPathComponent("data.csv")
        let lines = (0..<rows).map { i in "\(Double(i % 9) / 9),\(Double(i % 4)),\(Double(i % 7) / 3),\(i % 3)" }
        try (["a,b,c,label"] + lines).joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        return csv.path
    }

    @Test func resumeContinuesBitIdentically() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = try writeData(in: folder)
        let common = ["train", "--data", "csv:" + csv, "--target", "label", "--layers", "8", "--dropout", "0.2",
                      "--batch-size", "8", "--seed", "3"]
        let whole = try strata(common + ["--epochs", "4", "--output", folder.path + "/whole"])
        let half = try strata(common + ["--epochs", "2", "--output", folder.path + "/half"])
        let rest = try strata(common + ["--epochs", "4", "--resume", folder.path + "/half/model.safetensors",
                                        "--output", folder.path + "/rest"])
        #expect(whole.status == 0 && half.status == 0 && rest.status == 0, "\(rest.errors)")
        #expect(rest.output.contains("Resuming") && rest.output.contains("Epoch 3/4") && !rest.output.contains("Epoch 2/4"))
        let a = try Sequential.load(from: folder.path + "/whole/model.safetensors")
        let b = try Sequential.load(from: folder.path + "/rest/model.safetensors")
        #expect(a.getWeights() == b.getWeights(), "2 + 2 epochs = 4 epochs, bit for bit")
        #expect(a.optimizer?.state == b.optimizer?.state)
    }

    /// Backups after every batch, the run SIGKILLed at random moments and restarted until it
    /// completes: the final model equals an uninterrupted run's, bit for bit — however many
    /// times an epoch was cut in the middle.
    @Test func killedMidEpochAtRandomMomentsResumesBitIdentically() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-kill-mid-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = try writeData(in: folder, rows: 1200)   // long enough that two kills land on a fast machine
        let common = ["train", "--data", "csv:" + csv, "--target", "label", "--layers", "16,8", "--dropout", "0.2",
                      "--batch-size", "4", "--epochs", "6", "--seed", "5", "--validation-split", "0.2"]
        let whole = try strata(common + ["--output", folder.path + "/whole"])
        try #require(whole.status == 0, "\(whole.errors)")
        let arguments = common + ["--backup", folder.path + "/backup", "--backup-every", "1", "--output", folder.path + "/killed"]
        var generator = SystemRandomNumberGenerator()
        var kills = 0, finished = false
        for _ in 0..<40 where !finished {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(Double.random(in: 0.2...0.8, using: &generator))
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning {
                Foundation.kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            finished = process.terminationReason == .exit && process.terminationStatus == 0
        }
        try #require(finished, "the run never completed")
        #expect(kills >= 2, "the run was interrupted \(kills) times")
        let a = try Sequential.load(from: folder.path + "/whole/model.safetensors")
        let b = try Sequential.load(from: folder.path + "/killed/model.safetensors")
        #expect(a.getWeights() == b.getWeights(), "\(kills) kills: the same weights, bit for bit")
        #expect(a.optimizer?.state == b.optimizer?.state)
        #expect(a.history?.history == b.history?.history)
    }

    @Test func killedAtRandomMomentsTheBackupIsAlwaysComplete() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-kill-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = try writeData(in: folder, rows: 400)
        let backup = folder.appendingPathComponent("backup").path
        let path = backup + "/backup.safetensors"
        func startTraining() throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["train", "--data", "csv:" + csv, "--target", "label", "--layers", "16,8", "--batch-size", "4",
                                 "--epochs", "100000", "--backup", backup, "--output", folder.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        func kill(_ process: Process) {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        // A first run until its first backup exists, however busy the machine is.
        let first = try startTraining()
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: path) && first.isRunning && Date() < deadline { usleep(20_000) }
        kill(first)
        try #require(FileManager.default.fileExists(atPath: path), "no backup was written in 120 s")
        // Then runs resuming from it, killed at random moments: whatever moment the kill hit, the
        // file is a whole backup (old or new), never a partial one.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<8 {
            let process = try startTraining()
            usleep(UInt32.random(in: 100_000...600_000, using: &generator))
            kill(process)
            let (tensors, metadata) = try SafeTensors.read(from: URL(fileURLWithPath: path))
            #expect(metadata["format"] == "strata-model" && metadata["epoch"] != nil && !tensors.isEmpty)
        }
    }
}
