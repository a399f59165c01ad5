#!/usr/bin/env bash
# What swift-protobuf would cost every CI run (a fresh clone builds debug and release), the
# measurement behind the hand-written ONNX encoder (Sources/Strata/Export/ProtobufWriter.swift):
# a scratch package depending on swift-protobuf 1.39 is built clean in debug and in release
# (the runtime library), then protoc-gen-swift is built and onnx.proto (from the onnx Python
# package) generated into it, and the package rebuilt in both configurations (the generated
# code). Needs protoc (Debian: protobuf-compiler) and `python3 -m pip install onnx`.
#
#     bash Benchmarks/protobuf_build_cost.sh
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p Sources/Probe
cat > Package.swift <<'SWIFT'
// swift-tools-version: 6.0
import PackageDescription
let package = Package(
    name: "PBCost",
    dependencies: [.package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0")],
    targets: [.executableTarget(name: "Probe", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")])]
)
SWIFT
echo 'import SwiftProtobuf
print(Google_Protobuf_Int64Value(42).value)' > Sources/Probe/main.swift
swift package resolve >/dev/null
seconds() { local start; start=$(date +%s.%N); "$@" >/dev/null; echo "$(date +%s.%N) - $start" | bc; }
echo "runtime library, clean debug build:   $(seconds swift build) s"
echo "runtime library, clean release build: $(seconds swift build -c release) s"
echo "protoc-gen-swift, release build:      $(seconds swift build -c release --product protoc-gen-swift) s"
proto=$(python3 -c "import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), 'onnx.proto'))")
mkdir -p gen && cp "$proto" gen/
protoc --plugin=protoc-gen-swift=.build/release/protoc-gen-swift --swift_out=Sources/Probe -I gen gen/onnx.proto
echo 'import SwiftProtobuf
var model = Onnx_ModelProto()
model.irVersion = 8
print(try model.serializedData().count)' > Sources/Probe/main.swift
echo "generated onnx.pb.swift:              $(wc -l < Sources/Probe/onnx.pb.swift) lines"
echo "with it, debug rebuild:               $(seconds swift build) s"
echo "with it, release rebuild:             $(seconds swift build -c release) s"
