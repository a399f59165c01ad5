import Foundation
import Testing
@testable import StrataCore

/// What `STRATA_CPU` chose is what runs: `.ci/run` runs the kernel and layer suites again under
/// each lower path, and a run under a path that silently fell back would test nothing new.
@Suite("Kernel platform")
struct KernelPlatformTests {
    @Test func theRequestedPathIsTheActiveOne() throws {
        try KernelPlatform.checkOverride()
        let words = (ProcessInfo.processInfo.environment["STRATA_CPU"] ?? "").split(separator: ",").map(String.init)
        if let requested = words.last(where: { KernelPlatform.InstructionSet(rawValue: $0) != nil }) {
            #expect(KernelPlatform.instructionSet.rawValue == requested)
        } else {
            #expect(KernelPlatform.instructionSet == KernelPlatform.bestInstructionSet)
        }
        #expect(KernelPlatform.summary.contains("kernels \(KernelPlatform.instructionSet.rawValue) "))
    }

    /// The bfloat16 kernel runs exactly where it should: on the AVX-512 path of a CPU with
    /// AVX-512 BF16, unless `bf16-off` sends the products to the fallback.
    @Test func theBFloat16KernelRunsWhereTheCPUHasIt() {
        let requested = (ProcessInfo.processInfo.environment["STRATA_CPU"] ?? "").split(separator: ",")
        #if arch(x86_64)
        let cpuHasIt = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.contains(" avx512_bf16") ?? false
        #else
        let cpuHasIt = false
        #endif
        let expected = cpuHasIt && KernelPlatform.instructionSet == .avx512 && !requested.contains("bf16-off")
        #expect(KernelPlatform.bfloat16Kernel == expected)
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
