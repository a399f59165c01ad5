// swift-tools-version: 6.0
// libFuzzer targets for Strata's file readers. Build and run with Fuzz/run.sh (coverage
// instrumentation and libFuzzer's driver are added there; this package builds without them too).
import PackageDescription

let package = Package(
    name: "StrataFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Strata", path: "..")],
    targets: [
        .executableTarget(name: "strata-fuzz", dependencies: [.product(name: "Strata", package: "Strata")],
                          path: "Sources/FuzzTargets"),
    ]
)
