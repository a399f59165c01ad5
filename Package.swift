// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Strata",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "StrataCore", targets: ["StrataCore"]),
        .library(name: "Strata", targets: ["Strata"]),
        .library(name: "StrataLab", targets: ["StrataLab"]),
        .library(name: "StrataCLI", targets: ["StrataCLI"]),
        .executable(name: "strata", targets: ["strata"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The library's messages (callback announcements, warnings) go through swift-log, so an
        // app routes them like its own logs; the CLI installs a handler that prints them.
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // `swift package generate-documentation`: the DocC catalog in Sources/Strata/Strata.docc.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // Hot loops over raw float buffers with runtime CPU dispatch; no model logic.
        .target(name: "CStrataKernels"),
        // System zlib (Debian: zlib1g-dev; macOS: in the SDK) for gzip'd IDX files.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(name: "StrataCore", dependencies: ["CStrataKernels"]),
        .target(name: "Strata", dependencies: [
            "StrataCore", "CStrataKernels", "CZlib",   // the optimizers' update rules call their C kernel
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The lab: the article's models, experiments, reports and charts (not needed to train).
        .target(name: "StrataLab", dependencies: ["Strata"]),
        // The commands of the `strata` tool, a library so that `strata-mpi` (Distributed/) reuses them.
        .target(name: "StrataCLI", dependencies: [
            "Strata", "StrataLab",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "strata", dependencies: ["StrataCLI"]),
        // The README's Swift examples, built and run by CI (ExampleSnippetTests checks the README shows them verbatim).
        .executableTarget(name: "WineClassifier", dependencies: ["Strata"], path: "Examples/WineClassifier"),
        .executableTarget(name: "CustomTrainingLoop", dependencies: ["Strata"], path: "Examples/CustomTrainingLoop"),
        .executableTarget(name: "FashionClassifier", dependencies: ["Strata"], path: "Examples/FashionClassifier"),
        .executableTarget(name: "FashionCNN", dependencies: ["Strata"], path: "Examples/FashionCNN"),
        .executableTarget(name: "ResidualCNN", dependencies: ["Strata"], path: "Examples/ResidualCNN"),
        .executableTarget(name: "WineMultiTask", dependencies: ["Strata"], path: "Examples/WineMultiTask"),
        .executableTarget(name: "TextClassifier", dependencies: ["Strata"], path: "Examples/TextClassifier"),
        .executableTarget(name: "CIFAR10CNN", dependencies: ["Strata"], path: "Examples/CIFAR10CNN"),
        .executableTarget(name: "MixedPrecision", dependencies: ["Strata"], path: "Examples/MixedPrecision"),
        // Test helpers shared by both test targets (finite-difference gradient checks).
        .target(name: "StrataTestSupport", dependencies: ["StrataCore"], path: "Tests/StrataTestSupport"),
        .testTarget(name: "StrataCoreTests", dependencies: ["StrataCore", "CStrataKernels", "StrataTestSupport"]),
        .testTarget(name: "StrataTests", dependencies: [
            "Strata", "StrataLab", "StrataTestSupport", .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
