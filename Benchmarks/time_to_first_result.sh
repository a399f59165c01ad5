#!/usr/bin/env bash
# Seconds from a fresh clone of COMMIT (default HEAD) to the demo's first "Epoch 1" line, the way
# the README's main command runs it (`swift run -c release strata demo`), and the number of build
# steps. Run from the repository root; each clone builds from nothing (minutes). Compare commits
# side by side in one run: COMMITS="c85f6d4 HEAD" Benchmarks/time_to_first_result.sh
set -euo pipefail
COMMITS=${COMMITS:-HEAD}
for commit in $COMMITS; do
  folder=$(mktemp -d)
  git clone -q . "$folder/strata" && git -C "$folder/strata" checkout -q "$commit"
  start=$(date +%s)
  steps=0
  while IFS= read -r line; do
    case "$line" in
      \[*/*\]*) steps=${line#*/}; steps=${steps%%]*} ;;
      *"Epoch 1/"*) break ;;
    esac
  done < <(cd "$folder/strata" && swift run -c release strata demo --output "$folder/demo" 2>&1)
  echo "$commit: first epoch after $(( $(date +%s) - start )) s, $steps build steps"
  pkill -f "$folder/demo" || true
  rm -rf "$folder"
done
