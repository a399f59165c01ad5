#!/bin/sh
# Runs PROGRAM ARGS… as a 2-rank MPI job with one rank on each emulated host of netns-hosts.sh,
# over Open MPI's TCP transport only (shared memory left out: --mca btl tcp,self), the way a job
# runs on two real hosts. mpirun itself runs inside stx0 (from the root namespace it cannot reach
# its daemons). Extra mpirun options may come first, before "--".
#   mpirun-netns.sh [MPIRUN OPTIONS… --] PROGRAM ARGS…
set -eu
here=$(cd "$(dirname "$0")" && pwd)
options=""
if printf '%s\n' "$@" | grep -qx -- "--"; then
  while [ "$1" != "--" ]; do options="$options $1"; shift; done
  shift
fi
subnet=10.213.77.0/30
# shellcheck disable=SC2086
exec ip netns exec stx0 mpirun --allow-run-as-root --bind-to none --mca plm_rsh_agent "$here/netns-rsh.sh" \
  --host stx0,stx1 -np 2 --mca oob_tcp_if_include $subnet --mca pml ob1 --mca btl tcp,self \
  --mca btl_tcp_if_include $subnet -x STRATA_NUM_THREADS=1 $options "$@"
