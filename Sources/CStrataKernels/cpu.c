// What the CPU offers the kernels: its instruction set (detected, or forced by STRATA_CPU) and its
// cache sizes (which size the GEMM's blocks).
#include "strata_kernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__APPLE__)
#include <sys/sysctl.h>
#endif

int strata_cpu_isa(void) {
#if defined(__x86_64__) && defined(__clang__)
    // The levels the kernels are compiled for (vector_math.h's STRATA_KERNEL): x86-64-v4 is
    // AVX-512 F/VL/BW/DQ/CD, x86-64-v3 is AVX2 + FMA + BMI.
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) return STRATA_ISA_AVX512;
    if (__builtin_cpu_supports("x86-64-v3")) return STRATA_ISA_AVX2;
#endif
    return STRATA_ISA_PORTABLE;
}

// -1 until first use; then the active instruction set. override_status is set on that first use.
static _Atomic int active_isa = -1;
static _Atomic int override_status = STRATA_CPU_OVERRIDE_NONE;

static _Atomic int bf16_disabled = 0;

// STRATA_CPU is a comma-separated list: at most one instruction set ("avx512", "avx2" or
// "portable") and "bf16-off" (bfloat16 products take the float32 fallback). An unknown word, or
// a set this CPU lacks, leaves the best one active and is reported by strata_cpu_override_status.
static int isa_from_environment(void) {
    const int best = strata_cpu_isa();
    const char *value = getenv("STRATA_CPU");
    if (value == NULL || value[0] == '\0') return best;
    int wanted = best, status = STRATA_CPU_OVERRIDE_APPLIED;
    for (const char *word = value; *word != '\0' && status == STRATA_CPU_OVERRIDE_APPLIED;) {
        const size_t length = strcspn(word, ",");
        if (length == 6 && strncmp(word, "avx512", 6) == 0) wanted = STRATA_ISA_AVX512;
        else if (length == 4 && strncmp(word, "avx2", 4) == 0) wanted = STRATA_ISA_AVX2;
        else if (length == 8 && strncmp(word, "portable", 8) == 0) wanted = STRATA_ISA_PORTABLE;
        else if (length == 8 && strncmp(word, "bf16-off", 8) == 0) bf16_disabled = 1;
        else status = STRATA_CPU_OVERRIDE_UNKNOWN;
        word += length + (word[length] == ',');
    }
    if (status == STRATA_CPU_OVERRIDE_APPLIED && wanted > best) status = STRATA_CPU_OVERRIDE_UNSUPPORTED;
    override_status = status;
    if (status != STRATA_CPU_OVERRIDE_APPLIED) {
        bf16_disabled = 0;
        return best;
    }
    return wanted;
}

int strata_bf16_disabled(void) {
    (void)strata_active_isa();
    return bf16_disabled;
}

int strata_active_isa(void) {
    int isa = active_isa;
    if (isa < 0) active_isa = isa = isa_from_environment();
    return isa;
}

int strata_cpu_override_status(void) {
    (void)strata_active_isa();
    return override_status;
}

#if defined(__linux__)
// Linux's sysfs lists cpu0's caches with their level, type and size ("48K"); glibc's sysconf
// values are the fallback (on some virtual machines they report a whole host's L3).
static long sysfs_cache_size(int level) {
    for (int index = 0; index < 8; ++index) {
        char path[96], text[32];
        long found_level = -1;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", index);
        FILE *f = fopen(path, "r");
        if (f == NULL) break;
        if (fscanf(f, "%ld", &found_level) != 1) found_level = -1;
        fclose(f);
        if (found_level != level) continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", index);
        if ((f = fopen(path, "r")) == NULL) continue;
        const int read_type = fscanf(f, "%31s", text) == 1;
        fclose(f);
        if (!read_type || strcmp(text, "Instruction") == 0) continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", index);
        if ((f = fopen(path, "r")) == NULL) continue;
        long size = 0;
        char unit = 0;
        const int fields = fscanf(f, "%ld%c", &size, &unit);
        fclose(f);
        if (fields < 1 || size <= 0) continue;
        return unit == 'K' ? size << 10 : unit == 'M' ? size << 20 : size;
    }
    return 0;
}
#endif

static long cache_size(int level) {
    long size = 0;
#if defined(__linux__)
    size = sysfs_cache_size(level);
#if defined(_SC_LEVEL1_DCACHE_SIZE)
    if (size <= 0)
        size = sysconf(level == 1 ? _SC_LEVEL1_DCACHE_SIZE : level == 2 ? _SC_LEVEL2_CACHE_SIZE
                                                                          : _SC_LEVEL3_CACHE_SIZE);
#endif
#elif defined(__APPLE__)
    const char *name = level == 1 ? "hw.l1dcachesize" : level == 2 ? "hw.l2cachesize" : "hw.l3cachesize";
    size_t length = sizeof size;
    if (sysctlbyname(name, &size, &length, NULL, 0) != 0) size = 0;
#endif
    return size > 0 ? size : 0;
}

strata_cache_sizes strata_cpu_caches(void) {
    static _Atomic long l1 = -1, l2 = -1, l3 = -1;
    if (l1 < 0) {
        l2 = cache_size(2);
        l3 = cache_size(3);
        l1 = cache_size(1);
    }
    strata_cache_sizes sizes = {l1, l2, l3};
    return sizes;
}
