#!/usr/bin/env bash
# Fuzz one of Strata's readers with libFuzzer for SECONDS (default 600), starting from the
# committed corpus; new inputs that grow coverage are added to a scratch corpus, crashes are
# written to Fuzz/findings/. Linux with the Swift toolchain's libFuzzer.
#
#   bash Fuzz/run.sh safetensors 600      # targets: safetensors, spec, idx, csv
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: run.sh safetensors|spec|idx|csv [SECONDS]}
seconds=${2:-600}
# -sanitize=fuzzer gives libFuzzer's coverage instrumentation; our own main (SwiftPM's entry point)
# hands control to libFuzzer through LLVMFuzzerRunDriver.
swift build -c release --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld >/dev/null
work=$(mktemp -d)
mkdir -p findings
cp corpus/"$target"/* "$work"/ 2>/dev/null || true
# Leak detection off: LeakSanitizer reports one 4 KB buffer that FoundationEssentials' file
# reading keeps for the life of the process (not Strata's), as a "crash" at exit.
ASAN_OPTIONS=detect_leaks=0 .build-fuzz/release/strata-fuzz "$target" -max_total_time="$seconds" -artifact_prefix=findings/"$target"- \
  -print_final_stats=1 -detect_leaks=0 "$work"
