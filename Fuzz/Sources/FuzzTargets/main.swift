import Foundation
import Strata

// One executable, four targets: `strata-fuzz TARGET [libFuzzer flags…] [corpus]`, TARGET one of
// safetensors, spec, idx, csv. Each feeds arbitrary bytes to a reader; the only acceptable
// outcomes are a value or a thrown error — a crash is a finding.

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// A scratch file per process: the readers under test read paths.
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("strata-fuzz-\(getpid())").path

func withScratchFile(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (String) throws -> Void) {
    _ = FileManager.default.createFile(atPath: scratch, contents: Data(buffer: bytes))
    try? body(scratch)
}

let targets: [String: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt] = [
    "safetensors": { data, size in
        withScratchFile(UnsafeBufferPointer(start: data, count: size)) { path in
            _ = try? Sequential.load(from: path)
            try Sequential([Dense(2, inputShape: [3])]).loadWeights(from: path)
        }
        return 0
    },
    "spec": { data, size in
        withScratchFile(UnsafeBufferPointer(start: data, count: size)) { path in
            let model = try Sequential(specificationFile: path)
            if let shape = model.layers.first?.declaredInputShape, shape.reduce(1, *) < 10_000 {
                _ = try model.summaryText()
            }
        }
        return 0
    },
    "idx": { data, size in
        withScratchFile(UnsafeBufferPointer(start: data, count: size)) { path in _ = try IDX.read(path) }
        return 0
    },
    "csv": { data, size in
        _ = try? CSV.parse(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
        return 0
    },
]

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = targets[arguments[1]] else {
    FileHandle.standardError.write(Data("usage: strata-fuzz safetensors|spec|idx|csv [libFuzzer options] [corpus…]\n".utf8))
    exit(2)
}
// libFuzzer sees the program name followed by its own options.
let forwarded = [arguments[0]] + arguments.dropFirst(2)
let cArguments = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: forwarded.count + 1)
for (index, argument) in forwarded.enumerated() { cArguments[index] = strdup(argument) }
cArguments[forwarded.count] = nil
var count = CInt(forwarded.count)
var pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = cArguments
let status = LLVMFuzzerRunDriver(&count, &pointer, target)
try? FileManager.default.removeItem(atPath: scratch)
exit(status)
