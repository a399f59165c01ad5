import Foundation
import Testing
@testable import StrataCore

/// What `STRATA_CPU` chose is what runs: `.ci/run` runs the kernel and layer suites again under
/// each lower path, and a run under a path that silently fell back would test nothing new.
@Suite("Kernel platform")
struct KernelPlatformTests {
    @Test func theRequestedPathIsTheActiveOne() throws {
        try KernelPlatform.checkOverride()
        if let requested = ProcessInfo.processInfo.environment["STRATA_CPU"], !requested.isEmpty {
            #expect(KernelPlatform.instructionSet.rawValue == requested)
        } else {
            #expect(KernelPlatform.instructionSet == KernelPlatform.bestInstructionSet)
        }
        #expect(KernelPlatform.summary.contains("kernels \(KernelPlatform.instructionSet.rawValue) "))
    }

    #if os(Linux)
    /// The GEMM's blocks are sized from these (a 0 would fall back to fixed sizes).
    @Test func cacheSizesAreReported() {
        let caches = KernelPlatform.caches
        #expect(caches.l1d >= 16 << 10 && caches.l1d <= 1 << 20, "\(caches)")
        #expect(caches.l2 > caches.l1d, "\(caches)")
        #expect(!KernelPlatform.cpuModel.isEmpty)
    }
    #endif
}
