#!/usr/bin/env bash
# Peak memory (maximum resident set) and stderr size of `strata train` on a CSV whose one data
# line holds a MEGABYTES-MB bad cell: the error must quote a few characters, and reading must not
# hold many copies of the file. Run from the repository root after `swift build -c release`.
set -euo pipefail
MEGABYTES=${MEGABYTES:-50}
folder=$(mktemp -d)
python3 -c "import sys; open(sys.argv[1], 'w').write('a,label\n1,0\n' + '2' * ($MEGABYTES * 1000000) + 'x,1\n')" "$folder/big.csv"
/usr/bin/time -v .build/release/strata train --data "csv:$folder/big.csv" --target label --output "$folder/out" \
  2>"$folder/stderr" >/dev/null || true
rss=$(grep "Maximum resident" "$folder/stderr" | awk '{ print $NF }')
echo "$MEGABYTES MB file: peak RSS $(( rss / 1024 )) MB; error message $(head -1 "$folder/stderr" | wc -c) bytes"
head -1 "$folder/stderr"
rm -rf "$folder"
