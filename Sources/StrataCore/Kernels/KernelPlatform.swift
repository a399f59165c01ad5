import CStrataKernels
import Foundation

/// Where the kernels run: the CPU, the instruction set they use and the cache sizes that block
/// the GEMM — what `strata bench` prints beside every figure.
///
/// The kernels pick the best instruction set the CPU has (AVX-512, AVX2 + FMA, or the portable
/// path, which is what arm64 builds run). The environment variable `STRATA_CPU` forces a lower
/// one for a whole process — `STRATA_CPU=avx2` or `STRATA_CPU=portable`, and `bf16-off` sends
/// bfloat16 products to their fallback (`STRATA_CPU=avx512,bf16-off`) — so that every path is
/// tested on one machine:
///
///     STRATA_CPU=portable swift test --filter StrataCoreTests
public enum KernelPlatform {
    /// The instruction sets the kernels are compiled for, slowest first.
    public enum InstructionSet: String, Sendable, CaseIterable {
        /// Plain C with the compiler's vectors: SSE2 on x86-64, NEON on arm64.
        case portable
        /// AVX2 with FMA (x86-64-v3).
        case avx2
        /// AVX-512 F/VL/BW/DQ (x86-64-v4).
        case avx512

        init(code: Int32) {
            switch code {
            case Int32(STRATA_ISA_AVX512): self = .avx512
            case Int32(STRATA_ISA_AVX2): self = .avx2
            default: self = .portable
            }
        }
    }

    /// The instruction set the kernels use now.
    public static var instructionSet: InstructionSet { InstructionSet(code: strata_active_isa()) }

    /// The best instruction set this CPU supports.
    public static var bestInstructionSet: InstructionSet { InstructionSet(code: strata_cpu_isa()) }

    /// Whether bfloat16 products run on the AVX-512 BF16 kernel (`vdpbf16ps`); false where they
    /// take the fallback (operands rounded, then the float32 GEMM): no such instructions, a lower
    /// path forced, or `STRATA_CPU=bf16-off`.
    public static var bfloat16Kernel: Bool { strata_bf16_kernel_active() != 0 }

    /// Cache sizes in bytes (L1 data and L2 of one core, the L3), 0 where the system does not say.
    public static var caches: (l1d: Int, l2: Int, l3: Int) {
        let sizes = strata_cpu_caches()
        return (sizes.l1d, sizes.l2, sizes.l3)
    }

    /// The CPU's model name ("AMD EPYC 9R14"), or the architecture when the system does not say.
    public static let cpuModel: String = {
        #if os(Linux)
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let name = line.split(separator: ":", maxSplits: 1).last {
            return name.trimmingCharacters(in: .whitespaces)
        }
        #elseif canImport(Darwin)
        var size = 0
        if sysctlbyname("machdep.cpu.brand_string", nil, &size, nil, 0) == 0, size > 1 {
            var bytes = [CChar](repeating: 0, count: size)
            if sysctlbyname("machdep.cpu.brand_string", &bytes, &size, nil, 0) == 0 {
                return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
        #endif
        #if arch(arm64)
        return "unknown arm64 CPU"
        #else
        return "unknown x86-64 CPU"
        #endif
    }()

    /// One line for reports: "AMD EPYC; kernels avx512 (best avx512); bfloat16 avx512-bf16;
    /// L1d 32 KiB, L2 1 MiB, L3 32 MiB".
    public static var summary: String {
        let sizes = caches
        let forced = instructionSet == bestInstructionSet ? "" : ", forced by STRATA_CPU"
        return "\(cpuModel); kernels \(instructionSet.rawValue) (best \(bestInstructionSet.rawValue)\(forced)); "
            + "bfloat16 \(bfloat16Kernel ? "avx512-bf16" : "fallback"); "
            + "L1d \(bytes(sizes.l1d)), L2 \(bytes(sizes.l2)), L3 \(bytes(sizes.l3))"
    }

    /// Throws when `STRATA_CPU` names no instruction set, or one this CPU lacks (the kernels then
    /// run the best one, which is not what the user asked for).
    public static func checkOverride() throws {
        let requested = ProcessInfo.processInfo.environment["STRATA_CPU"] ?? ""
        let names = InstructionSet.allCases.map(\.rawValue).joined(separator: ", ") + ", bf16-off (comma-separated)"
        switch strata_cpu_override_status() {
        case Int32(STRATA_CPU_OVERRIDE_UNKNOWN):
            throw StrataError.invalidArgument("unknown kernel path '\(requested)'", context: "STRATA_CPU",
                                              expected: "one of \(names)")
        case Int32(STRATA_CPU_OVERRIDE_UNSUPPORTED):
            throw StrataError.invalidArgument("this CPU (\(cpuModel)) lacks '\(requested)'", context: "STRATA_CPU",
                                              expected: "at most \(bestInstructionSet.rawValue)")
        default:
            return
        }
    }

    private static func bytes(_ count: Int) -> String {
        if count == 0 { return "unknown" }
        if count % (1 << 20) == 0 { return "\(count >> 20) MiB" }
        return "\(count >> 10) KiB"
    }
}
