// swift-tools-version: 6.0
import PackageDescription

// Data-parallel training on MPI: a package of its own, so that the root package builds with
// `swift build` alone on a machine without MPI. Needs Open MPI: `apt-get install openmpi-bin
// libopenmpi-dev` (Debian/Ubuntu) or `brew install open-mpi` (macOS).
let package = Package(
    name: "StrataDistributed",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "StrataMPI", targets: ["StrataMPI"]),
        .executable(name: "strata-mpi", targets: ["strata-mpi"]),
    ],
    dependencies: [
        .package(name: "Strata", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // mpi.h and libmpi, found with pkg-config (`ompi-c`).
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev"]), .brew(["open-mpi"])]),
        // Plain-C wrappers: Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT) are macros Swift cannot import.
        .target(name: "CStrataMPI", dependencies: ["CMPI"]),
        .target(name: "StrataMPI", dependencies: ["CStrataMPI", .product(name: "Strata", package: "Strata")]),
        .executableTarget(name: "strata-mpi", dependencies: [
            "StrataMPI",
            .product(name: "StrataCLI", package: "Strata"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The README's data-parallel example, built and run under mpirun by CI.
        .executableTarget(name: "DataParallelFashionMNIST", dependencies: [
            "StrataMPI", .product(name: "Strata", package: "Strata"),
        ], path: "Examples/DataParallelFashionMNIST"),
        .testTarget(name: "StrataMPITests", dependencies: [.product(name: "Strata", package: "Strata")]),
    ],
    swiftLanguageModes: [.v6]
)
