#!/usr/bin/env bash
# The bad-input table of issue 15, as the release CLI behaves today: for each input, the exit
# code, whether training started (an `Epoch 1` line), whether anything was written, and the
# first line of standard error. Run from the repository root after `swift build -c release`.
set -uo pipefail
strata="$PWD/.build/release/strata"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
printf 'a,b,label\n' > header-only.csv
printf 'a,label\n1,0\n2,1\n3,0\nnan,1\n4,0\n' > nan.csv
printf 'a,label\n1,1\n2,1\n3,1\n4,1\n' > one-class.csv
printf 'a,label\n1,0\n2,1\n' > tiny.csv
python3 - <<'PY'
import json, struct
header = json.dumps({"w": {"dtype": "F32", "shape": [2**62, 4], "data_offsets": [0, 16]}}).encode()
open("overflow.safetensors", "wb").write(struct.pack("<Q", len(header)) + header + bytes(16))
open("big-cell.csv", "w").write("a,label\n1,0\n" + "2" * 50_000_000 + "x,1\n")
PY
(for i in $(seq 1 40); do echo "$((i % 5)),$((i % 3)),$((i % 2))"; done) | sed '1i a,b,label' > data.csv
mkdir a-folder; echo x > a-file
train=(train --data csv:data.csv --target label --epochs 1)

row() {   # row "description" expected-output-path -- command…
  local what=$1 written=$2; shift 3
  rm -rf out; local errors
  errors=$("$strata" "$@" 2>&1 >stdout.txt); local code=$?
  local epoch=no; grep -q "^Epoch 1" stdout.txt && epoch=yes
  local wrote=no; [ -n "$written" ] && [ -e "$written" ] && wrote=yes
  printf '| %s | %s | %s | %s | `%s` |\n' "$what" "$code" "$epoch" "$wrote" "$(printf '%s' "$errors" | head -1 | cut -c1-150)"
}

echo "| input | exit | Epoch 1 | wrote | first line of stderr |"
echo "|---|---|---|---|---|"
row "safetensors shape [2^62, 4]" "" -- summary --model overflow.safetensors
row "a directory as a model file" "" -- summary --model a-folder
row "a directory as a CSV" out -- train --data csv:a-folder --target label --output out
row "CSV with a header and no rows" out -- train --data csv:header-only.csv --target label --output out
row "CSV with a NaN cell" out -- train --data csv:nan.csv --target label --output out
row "50 MB single-line CSV with a bad cell" out -- train --data csv:big-cell.csv --target label --output out
row "a one-class target" out -- train --data csv:one-class.csv --target label --output out
row "2 rows, --validation-split 0.7 (nothing to train on)" out -- train --data csv:tiny.csv --target label --validation-split 0.7 --output out
row "demo --data MISSING_FOLDER" out -- demo --data missing-folder --output out
row "lab … --data MISSING_FOLDER" out -- lab batch-norm --quick --data missing-folder --output out
row "--layers 300,,100" out -- "${train[@]}" --layers 300,,100 --output out
row "--lr -0.1" out -- "${train[@]}" --lr -0.1 --output out
row "--l2 -1" out -- "${train[@]}" --l2 -1 --output out
row "--early-stopping -1" out -- "${train[@]}" --early-stopping -1 --output out
row "--early-stopping 5 --validation-split 0" out -- "${train[@]}" --early-stopping 5 --validation-split 0 --output out
row "--checkpoint with --validation-split 0" out -- "${train[@]}" --checkpoint out/best.safetensors --validation-split 0 --output out
row "--output that is an existing file" "" -- "${train[@]}" --output a-file
row "--checkpoint under a file" out -- "${train[@]}" --checkpoint a-file/best.safetensors --output out
"$strata" "${train[@]}" --layers 4 --output m >/dev/null
row "predict without --target, one column too many" p.csv -- predict --model "$work/m/model.safetensors" --data csv:data.csv --output p.csv
