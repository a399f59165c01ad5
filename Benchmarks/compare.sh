#!/usr/bin/env bash
# Strata next to PyTorch and Keras (TensorFlow backend) on the article's Fashion-MNIST model, in
# one run: training at batch 32 and 500 (steady-state seconds per epoch) and predicting the
# 10,000 test images at batch 1000. Frameworks alternate ROUNDS times, because this machine is
# shared and noisy; the table gives each one's best and median and Strata's ratios to the peers.
#
#   python3 -m venv /tmp/peers && /tmp/peers/bin/pip install torch tensorflow-cpu
#   PYTHON=/tmp/peers/bin/python bash Benchmarks/compare.sh
#   ROUNDS=3 EPOCHS=4 THREADS=2 PYTHON=/tmp/peers/bin/python bash Benchmarks/compare.sh
#   CONFIGS="lenet32 convnet128" PYTHON=/tmp/peers/bin/python bash Benchmarks/compare.sh   # the CNNs
#   CONFIGS="train500 train500bf16 convnet128 convnet128bf16" PYTHON=… bash Benchmarks/compare.sh  # bfloat16
#
# Peers that are not installed are left out. The raw RESULT lines stay in $OUT (default: a
# temporary folder, printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
epochs=${EPOCHS:-4}
threads=${THREADS:-$(nproc)}
python=${PYTHON:-python3}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads

swift build -c release --product strata >/dev/null
bin=$(swift build -c release --show-bin-path)/strata
echo "platform: $("$bin" bench platform)" | tee "$out/platform" >&2
frameworks=(strata)
"$python" -c 'import torch' 2>/dev/null && frameworks+=(torch) || echo "PyTorch not installed for $python: left out" >&2
"$python" -c 'import tensorflow, keras' 2>/dev/null && frameworks+=(keras) || echo "Keras/TensorFlow not installed for $python: left out" >&2

measure() {  # framework, configuration → appends "configuration RESULT-fields" to $out/results
  local framework=$1 config=$2 args
  case $config in
    train32) args="--batch-size 32 --epochs $epochs" ;;
    train500) args="--batch-size 500 --epochs $((epochs * 2))" ;;
    predict) args="--batch-size 1000" ;;
    predictbf16) args="--batch-size 1000 --bfloat16" ;;
    lenet32) args="--model lenet5 --batch-size 32 --epochs $epochs" ;;
    convnet128) args="--model convnet --batch-size 128 --epochs $epochs" ;;
    # Mixed bfloat16: Strata's mixed_bfloat16 policy, PyTorch's CPU autocast, Keras' mixed_bfloat16.
    train500bf16) args="--batch-size 500 --epochs $((epochs * 2)) --bfloat16" ;;
    convnet128bf16) args="--model convnet --batch-size 128 --epochs $epochs --bfloat16" ;;
  esac
  local line
  if [ "$framework" = strata ]; then
    if [[ $config == predict* ]]; then line=$("$bin" bench predict $args --threads "$threads" | grep '^RESULT')
    else line=$("$bin" bench train $args --threads "$threads" | grep '^RESULT'); fi
  else
    local flag=""; [[ $config == predict* ]] && flag=--predict
    line=$(cd Benchmarks/peers && "$python" "${framework}_train.py" $args $flag --threads "$threads" 2>/dev/null | grep '^RESULT')
  fi
  echo "$config $framework ${line#RESULT }" | tee -a "$out/results" >&2
}

configs=${CONFIGS:-train32 train500 predict}
for round in $(seq "$rounds"); do
  for config in $configs; do
    for framework in "${frameworks[@]}"; do measure "$framework" "$config"; done
  done
done

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
stat() {  # configuration framework field → best and median over rounds
  grep "^$1 $2 " "$out/results" | field "$3" | sort -g | awk '{v[NR]=$1} END {if (NR==0) {print "- -"; exit}
    m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%s %s\n", v[1], m}'
}
echo
echo "Fashion-MNIST ($configs), $threads threads, $rounds alternating rounds ($(cat "$out/platform"))"
printf '%-34s' "measure (best / median)"; for f in "${frameworks[@]}"; do printf '%22s' "$f"; done
for f in "${frameworks[@]:1}"; do printf '%16s' "strata/$f"; done; echo
row() {  # label configuration field
  printf '%-34s' "$1"
  local -A best median
  for f in "${frameworks[@]}"; do
    read -r b m < <(stat "$2" "$f" "$3"); best[$f]=$b; median[$f]=$m
    printf '%22s' "$b / $m"
  done
  for f in "${frameworks[@]:1}"; do
    awk -v s="${median[strata]}" -v p="${median[$f]}" 'BEGIN { if (p+0 > 0) printf "%15.2fx", s/p; else printf "%16s", "-" }'
  done
  echo
}
measured() { [[ " $configs " == *" $1 "* ]]; }
if measured train32; then
  row "train batch 32, s/epoch" train32 epoch_median_s
  row "peak RSS, MiB (train batch 32)" train32 peak_rss_mib
  row "test accuracy (batch 32)" train32 test_accuracy
fi
if measured train500; then
  row "train batch 500, s/epoch" train500 epoch_median_s
  row "test accuracy (batch 500)" train500 test_accuracy
fi
if measured train500bf16; then
  row "train batch 500 bf16, s/epoch" train500bf16 epoch_median_s
  row "test accuracy (batch 500 bf16)" train500bf16 test_accuracy
fi
measured predict && row "predict 10k, batch 1000, s" predict predict_median_s
measured predictbf16 && row "predict 10k bf16, batch 1000, s" predictbf16 predict_median_s
if measured lenet32; then
  row "LeNet-5 batch 32, s/epoch" lenet32 epoch_median_s
  row "LeNet-5 peak RSS, MiB" lenet32 peak_rss_mib
  row "LeNet-5 test accuracy" lenet32 test_accuracy
fi
if measured convnet128; then
  row "mnist_convnet batch 128, s/epoch" convnet128 epoch_median_s
  row "mnist_convnet peak RSS, MiB" convnet128 peak_rss_mib
  row "mnist_convnet test accuracy" convnet128 test_accuracy
fi
if measured convnet128bf16; then
  row "mnist_convnet bf16, s/epoch" convnet128bf16 epoch_median_s
  row "mnist_convnet bf16 test accuracy" convnet128bf16 test_accuracy
fi
echo "(ratios: Strata's median over the peer's median; raw results in $out/results)"
