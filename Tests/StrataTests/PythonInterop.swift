import Foundation

/// The real other side of an interop claim: a Python 3 with the packages it needs, and the
/// scripts under `Tests/Interop/`.
enum PythonInterop {
    /// A `python3` (the usual places, then `PATH`) that imports `modules` (e.g. "onnx, onnxruntime"); nil when none does.
    static func python(importing modules: String) -> String? {
        let candidates = ["/usr/bin/python3", "/usr/local/bin/python3"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            if let probe = try? run(candidate, ["-c", "import \(modules)"]), probe.status == 0 { return candidate }
        }
        return nil
    }

    /// The path of `Tests/Interop/<name>`.
    static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Interop/\(name)").path
    }

    /// Runs `python` with `arguments`; its exit status, standard output and standard error.
    static func run(_ python: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        (process.standardOutput, process.standardError) = (output, errors)
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }
}
